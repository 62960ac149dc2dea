//! The file store on `object_store`: a local folder (`$SABIL_DATA_DIR/files`, the default) or an
//! Azure Blob container (`SABIL_FILES_URL=az://container/prefix`). Each file is one object named by
//! its id; objects are created once and never overwritten.
//!
//! Azure credentials are not Sabil settings: they come from the standard variables that
//! `object_store`'s `MicrosoftAzureBuilder::from_env()` reads (every `AZURE_*` variable it knows),
//! usually `AZURE_STORAGE_ACCOUNT_NAME` with `AZURE_STORAGE_ACCOUNT_KEY` (or `AZURE_STORAGE_SAS_KEY`,
//! `AZURE_STORAGE_TOKEN`, a service principal's `AZURE_CLIENT_ID`/`AZURE_CLIENT_SECRET`/
//! `AZURE_TENANT_ID`, or a managed identity), plus `AZURE_STORAGE_USE_EMULATOR=true` for Azurite.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt as _, PutMode, PutOptions, PutPayload};
use sabil_core::domain::files::{FileId, ImageType, StoredBlob};
use sabil_core::error::RepoError;
use sabil_core::ports::FileStore;
use sha2::{Digest as _, Sha256};

#[cfg(test)]
mod tests;

/// Where file bytes are kept (`SABIL_FILES_URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesLocation {
    /// A folder on this machine.
    Local(PathBuf),
    /// An Azure Blob container, objects named `<prefix>/<id>` (just `<id>` with no prefix).
    Azure { container: String, prefix: String },
}

impl FilesLocation {
    /// The location named by `SABIL_FILES_URL` (`az://container/prefix` or `file:///path`), or the
    /// `files` folder in the data directory when unset.
    ///
    /// # Errors
    /// What is wrong with the URL, in a few words.
    pub fn parse(url: Option<&str>, data_dir: &Path) -> Result<Self, String> {
        let Some(url) = url else { return Ok(Self::Local(data_dir.join("files"))) };
        if let Some(path) = url.strip_prefix("file://") {
            if path.is_empty() {
                return Err("file:// needs a folder, as in file:///var/lib/sabil/files".to_owned());
            }
            return Ok(Self::Local(PathBuf::from(path)));
        }
        let Some(rest) = url.strip_prefix("az://") else {
            let scheme = url.split("://").next().filter(|s| *s != url).unwrap_or("(no scheme)");
            return Err(format!("{scheme:?} is neither az://container/prefix nor file:///path"));
        };
        let (container, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_container = (3..=63).contains(&container.len())
            && container.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !container.starts_with('-')
            && !container.ends_with('-')
            && !container.contains("--");
        if !valid_container {
            return Err(format!("{container:?} is not an Azure container name (3 to 63 lower-case letters, digits and single hyphens)"));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|segment| segment == "." || segment == "..") || prefix.contains("//") {
            return Err(format!("the path {prefix:?} after the container has empty, . or .. segments"));
        }
        Ok(Self::Azure { container: container.to_owned(), prefix: prefix.to_owned() })
    }

    /// The location as `SABIL_FILES_URL` spells it (no secrets: credentials come from `AZURE_*`).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Local(dir) => format!("file://{}", dir.display()),
            Self::Azure { container, prefix } if prefix.is_empty() => format!("az://{container}"),
            Self::Azure { container, prefix } => format!("az://{container}/{prefix}"),
        }
    }
}

/// Why the file store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreSetupError {
    #[error("cannot use the folder {path}: {problem}")]
    Folder { path: String, problem: String },
    #[error("cannot use Azure Blob storage: {0} (set AZURE_STORAGE_ACCOUNT_NAME and a credential such as AZURE_STORAGE_ACCOUNT_KEY)")]
    Azure(String),
}

/// The file store on an `object_store` backend.
#[derive(Debug, Clone)]
pub struct ObjectFileStore {
    store: Arc<dyn ObjectStore>,
    /// Whether the backend keeps a Content-Type per object (Azure does, a local folder does not).
    keeps_content_type: bool,
}

impl ObjectFileStore {
    /// Opens the store at `location`; a local folder is created if missing.
    ///
    /// # Errors
    /// `Folder` when the folder cannot be created, `Azure` when the Azure settings are incomplete.
    pub fn open(location: &FilesLocation) -> Result<Self, FileStoreSetupError> {
        match location {
            FilesLocation::Local(dir) => Self::local(dir),
            FilesLocation::Azure { container, prefix } => {
                let azure = MicrosoftAzureBuilder::from_env()
                    .with_container_name(container)
                    .build()
                    .map_err(|e| FileStoreSetupError::Azure(e.to_string()))?;
                let store: Arc<dyn ObjectStore> =
                    if prefix.is_empty() { Arc::new(azure) } else { Arc::new(PrefixStore::new(azure, prefix.as_str())) };
                Ok(Self { store, keeps_content_type: true })
            }
        }
    }

    /// A store in a local folder (created if missing); writes are synced to disk before they count.
    ///
    /// # Errors
    /// `Folder` when the folder cannot be created or used.
    pub fn local(dir: &Path) -> Result<Self, FileStoreSetupError> {
        let fail = |problem: String| FileStoreSetupError::Folder { path: dir.display().to_string(), problem };
        std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        let local = LocalFileSystem::new_with_prefix(dir).map_err(|e| fail(e.to_string()))?.with_fsync(true);
        Ok(Self { store: Arc::new(local), keeps_content_type: false })
    }

    /// A store over any `object_store` backend (tests use the in-memory one).
    #[must_use]
    pub fn new(store: Arc<dyn ObjectStore>, keeps_content_type: bool) -> Self {
        Self { store, keeps_content_type }
    }
}

fn object_path(id: FileId) -> object_store::path::Path {
    object_store::path::Path::from(id.0.to_string())
}

/// Translates an object store failure into the port's error, once.
fn store_error(e: object_store::Error) -> RepoError {
    match e {
        object_store::Error::AlreadyExists { .. } => RepoError::Conflict(e.to_string()),
        // I/O on the folder, HTTP failures and timeouts talking to Azure: retrying may help.
        object_store::Error::Generic { .. } => RepoError::Unavailable(e.to_string()),
        other => RepoError::Internal(other.to_string()),
    }
}

#[async_trait]
impl FileStore for ObjectFileStore {
    async fn put(&self, id: FileId, bytes: &[u8], content_type: ImageType) -> Result<StoredBlob, RepoError> {
        let mut attributes = Attributes::new();
        if self.keeps_content_type {
            attributes.insert(Attribute::ContentType, content_type.mime().into());
            attributes.insert(Attribute::CacheControl, "public, max-age=31536000, immutable".into());
        }
        let options = PutOptions { mode: PutMode::Create, attributes, ..PutOptions::default() };
        self.store.put_opts(&object_path(id), PutPayload::from(bytes.to_vec()), options).await.map_err(store_error)?;
        let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        Ok(StoredBlob { size: bytes.len() as u64, sha256 })
    }

    async fn get(&self, id: FileId) -> Result<Option<Vec<u8>>, RepoError> {
        match self.store.get(&object_path(id)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(store_error)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn delete(&self, id: FileId) -> Result<(), RepoError> {
        match self.store.delete(&object_path(id)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }
}
