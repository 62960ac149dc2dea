//! Uploaded files: the bytes in a blob store (`FileStore`: a local folder or Azure Blob) and their
//! metadata in the database (`FileRepository`), so files can be listed and looked up without touching
//! blob storage. Bytes are written before their metadata: a file whose metadata exists has its bytes.
use async_trait::async_trait;

use crate::domain::files::{FileId, ImageType, StoredBlob, StoredFile};
use crate::domain::{Page, PageRequest};
use crate::error::RepoError;

/// Keeps the bytes of files, addressed by their id. Files never change once written.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores `bytes` under `id` (the content type goes along where the store keeps one, e.g. as the
    /// blob's Content-Type in Azure) and reports their size and SHA-256. Never overwrites.
    ///
    /// # Errors
    /// `Conflict` when something is already stored under `id`; `Unavailable` when the store cannot be
    /// reached (retrying may succeed); `Internal` otherwise.
    async fn put(&self, id: FileId, bytes: &[u8], content_type: ImageType) -> Result<StoredBlob, RepoError>;

    /// The bytes stored under `id`, exactly as written; `None` when nothing is.
    ///
    /// # Errors
    /// `Unavailable` or `Internal`, as for `put`.
    async fn get(&self, id: FileId) -> Result<Option<Vec<u8>>, RepoError>;

    /// Removes the bytes under `id` (to clean up after a failed upload). Removing what is not there
    /// succeeds.
    ///
    /// # Errors
    /// `Unavailable` or `Internal`, as for `put`.
    async fn delete(&self, id: FileId) -> Result<(), RepoError>;
}

/// Stores the metadata of files.
#[async_trait]
pub trait FileRepository: Send + Sync {
    /// Records a stored file.
    ///
    /// # Errors
    /// `Conflict` when the id is taken.
    async fn create(&self, file: &StoredFile) -> Result<(), RepoError>;

    /// The file with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: FileId) -> Result<Option<StoredFile>, RepoError>;

    /// Files newest first (by id, which is time-ordered); keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, page: &PageRequest) -> Result<Page<StoredFile>, RepoError>;
}
