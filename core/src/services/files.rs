//! Uploaded images: admins upload them (JPEG, PNG or WebP, told by their bytes, at most 5 MiB),
//! anyone downloads them, and other services check that an image id they are given exists.
use uuid::Uuid;

use crate::domain::files::{FileId, ImageType, MAX_FILE_BYTES, StoredFile};
use crate::domain::{AccessClaims, Page, PageRequest, UserId};
use crate::error::RepoError;
use crate::ports::Ports;
use crate::services::authorization::{AdminDenied, acting_admin};

/// Business outcomes of the file use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The caller may not upload (not an active admin).
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The file is larger than the limit.
    #[error("the file is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The bytes are not a JPEG, PNG or WebP image (whatever the file's name or declared type).
    #[error("the file is not a JPEG, PNG or WebP image")]
    UnsupportedType,
    /// No file with this id.
    #[error("no such file")]
    NotFound,
    /// The database or the file store failed.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// Proof that the caller may upload, checked against the store before the body is read (so a
/// customer's large upload is refused without reading it). Only `FileService` makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uploader(UserId);

impl Uploader {
    /// An uploader another service has authorized by its own rules (chat participants sending an image).
    pub(crate) fn authorized_by_service(user: UserId) -> Self {
        Self(user)
    }
}

/// The file use cases.
#[derive(Clone)]
pub struct FileService {
    ports: Ports,
}

impl FileService {
    /// The largest file accepted, in bytes; inbound adapters stop reading a body past it.
    pub const MAX_BYTES: usize = MAX_FILE_BYTES;

    #[must_use]
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// Checks that the caller may upload files: an active admin, per the store.
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn authorize_upload(&self, actor: &AccessClaims) -> Result<Uploader, FileError> {
        Ok(Uploader(acting_admin(&self.ports, actor).await?.id))
    }

    /// Stores an uploaded image. Its type is sniffed from the bytes; the bytes are stored first and
    /// the metadata second, so every recorded file can be served.
    ///
    /// # Errors
    /// `TooLarge` over `MAX_BYTES`, `UnsupportedType` for anything but JPEG/PNG/WebP, `Storage`.
    pub async fn upload(&self, uploader: &Uploader, bytes: &[u8]) -> Result<StoredFile, FileError> {
        if bytes.len() > Self::MAX_BYTES {
            return Err(FileError::TooLarge { limit: Self::MAX_BYTES });
        }
        let content_type = ImageType::sniff(bytes).ok_or(FileError::UnsupportedType)?;
        let id = FileId(Uuid::now_v7());
        let blob = self.ports.file_store.put(id, bytes, content_type).await?;
        let file = StoredFile {
            id,
            content_type,
            size: blob.size,
            sha256: blob.sha256,
            created_at: self.ports.clock.now(),
            uploaded_by: uploader.0,
        };
        if let Err(e) = self.ports.files.create(&file).await {
            // Without metadata nothing refers to the bytes: remove them rather than leave an orphan.
            if let Err(cleanup) = self.ports.file_store.delete(id).await {
                tracing::warn!(file = %id, error = %cleanup, "could not remove the bytes of a file whose metadata was not stored");
            }
            return Err(e.into());
        }
        tracing::info!(file = %id, content_type = content_type.mime(), size = file.size, admin = %uploader.0.0, "image uploaded");
        Ok(file)
    }

    /// The metadata of a file, without reading its bytes (enough to answer a conditional request).
    ///
    /// # Errors
    /// `NotFound`, `Storage`.
    pub async fn file(&self, id: FileId) -> Result<StoredFile, FileError> {
        self.ports.files.get(id).await?.ok_or(FileError::NotFound)
    }

    /// The bytes of a file.
    ///
    /// # Errors
    /// `Storage` (`Internal` when the bytes of a recorded file are missing from the store).
    pub async fn content(&self, file: &StoredFile) -> Result<Vec<u8>, FileError> {
        self.ports.file_store.get(file.id).await?.ok_or_else(|| {
            FileError::Storage(RepoError::Internal(format!("the bytes of file {} are missing from the file store", file.id)))
        })
    }

    /// The image with this id, for services that link one (a product's or promotion's image): every
    /// stored file is an image whose type was sniffed at upload, so existing is enough. Call it
    /// before saving the link; the returned metadata gives the type and `id.url_path()` the URL.
    ///
    /// # Errors
    /// `NotFound` for an unknown id, `Storage`.
    pub async fn require_image(&self, id: FileId) -> Result<StoredFile, FileError> {
        self.file(id).await
    }

    /// Uploaded files, newest first (admins only).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn list(&self, actor: &AccessClaims, page: &PageRequest) -> Result<Page<StoredFile>, FileError> {
        acting_admin(&self.ports, actor).await?;
        Ok(self.ports.files.list(page).await?)
    }
}
