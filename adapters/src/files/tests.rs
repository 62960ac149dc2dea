//! The object_store file store against a temporary folder and object_store's in-memory backend, with
//! the same cases run on the core's in-memory fake so the fake stays faithful; and `SABIL_FILES_URL`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use object_store::memory::InMemory;
use sabil_core::testing::InMemoryFileStore;
use uuid::Uuid;

use super::*;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// Round trip, digest, no overwrite, absence and deletion: what every `FileStore` must do.
async fn behaves_as_a_file_store(store: &dyn FileStore) {
    let id = FileId(Uuid::now_v7());
    let blob = store.put(id, PNG, ImageType::Png).await.expect("stored");
    assert_eq!(blob.size, PNG.len() as u64);
    assert_eq!(blob.sha256, sabil_core::testing::sha256_hex(PNG));
    assert_eq!(store.get(id).await.expect("read"), Some(PNG.to_vec()));

    let again = store.put(id, b"\xFF\xD8\xFFother bytes", ImageType::Jpeg).await;
    assert!(matches!(again, Err(RepoError::Conflict(_))), "{again:?}");
    assert_eq!(store.get(id).await.expect("read"), Some(PNG.to_vec()), "never overwritten");

    let unknown = FileId(Uuid::now_v7());
    assert_eq!(store.get(unknown).await.expect("read"), None);
    store.delete(unknown).await.expect("deleting what is not there succeeds");
    store.delete(id).await.expect("deleted");
    assert_eq!(store.get(id).await.expect("read"), None);

    let empty = FileId(Uuid::now_v7());
    let blob = store.put(empty, b"", ImageType::Webp).await.expect("stored");
    assert_eq!((blob.size, blob.sha256.as_str()), (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

#[tokio::test]
async fn a_local_folder_behaves_as_a_file_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ObjectFileStore::open(&FilesLocation::Local(dir.path().join("files"))).expect("opened");
    behaves_as_a_file_store(&store).await;
}

#[tokio::test]
async fn the_in_memory_fake_behaves_as_a_file_store() {
    behaves_as_a_file_store(&InMemoryFileStore::default()).await;
}

#[tokio::test]
async fn an_object_store_with_attributes_behaves_as_a_file_store() {
    behaves_as_a_file_store(&ObjectFileStore::new(Arc::new(InMemory::new()), true)).await;
}

#[tokio::test]
async fn a_local_file_is_one_object_named_by_its_id_and_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("nested").join("files");
    let id = FileId(Uuid::now_v7());
    ObjectFileStore::local(&folder).expect("created").put(id, PNG, ImageType::Png).await.expect("stored");
    assert_eq!(std::fs::read(folder.join(id.0.to_string())).expect("on disk"), PNG);
    let reopened = ObjectFileStore::local(&folder).expect("reopened");
    assert_eq!(reopened.get(id).await.expect("read"), Some(PNG.to_vec()));
}

#[tokio::test]
async fn backends_that_keep_a_content_type_get_the_sniffed_one_and_a_long_cache_lifetime() {
    let memory = Arc::new(InMemory::new());
    let store = ObjectFileStore::new(memory.clone(), true);
    let id = FileId(Uuid::now_v7());
    store.put(id, PNG, ImageType::Webp).await.expect("stored");
    let stored = memory.get(&object_path(id)).await.expect("object");
    assert_eq!(stored.attributes.get(&Attribute::ContentType).map(AsRef::as_ref), Some("image/webp"));
    assert_eq!(stored.attributes.get(&Attribute::CacheControl).map(AsRef::as_ref), Some("public, max-age=31536000, immutable"));
}

#[test]
fn a_folder_that_cannot_be_created_is_reported_with_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a folder").expect("written");
    let err = ObjectFileStore::local(&blocker.join("files")).expect_err("cannot create a folder inside a file");
    assert!(matches!(&err, FileStoreSetupError::Folder { path, .. } if path.ends_with("a-file/files")), "{err}");
}

#[test]
fn files_url_defaults_to_the_data_folder_and_reads_az_and_file_urls() {
    let data = Path::new("/var/lib/sabil");
    assert_eq!(FilesLocation::parse(None, data), Ok(FilesLocation::Local(data.join("files"))));
    assert_eq!(FilesLocation::parse(Some("file:///srv/images"), data), Ok(FilesLocation::Local(PathBuf::from("/srv/images"))));
    let azure = FilesLocation::parse(Some("az://sabil-files/images/products/"), data).expect("valid");
    assert_eq!(azure, FilesLocation::Azure { container: "sabil-files".into(), prefix: "images/products".into() });
    assert_eq!(azure.describe(), "az://sabil-files/images/products");
    let bare = FilesLocation::parse(Some("az://sabil-files"), data).expect("valid");
    assert_eq!(bare, FilesLocation::Azure { container: "sabil-files".into(), prefix: String::new() });
    assert_eq!(bare.describe(), "az://sabil-files");
}

#[test]
fn bad_files_urls_say_what_is_wrong() {
    let data = Path::new("./data");
    for (url, says) in [
        ("s3://bucket/images", "\"s3\" is neither az://container/prefix nor file:///path"),
        ("/srv/images", "\"(no scheme)\" is neither"),
        ("az://Sabil_Files/images", "is not an Azure container name"),
        ("az://ab", "is not an Azure container name"),
        ("az://sabil--files", "is not an Azure container name"),
        ("az://sabil-files/a/../b", "has empty, . or .. segments"),
        ("file://", "needs a folder"),
    ] {
        let problem = FilesLocation::parse(Some(url), data).expect_err(url);
        assert!(problem.contains(says), "{url}: {problem}");
    }
}

#[test]
fn azure_without_an_account_stops_the_start_naming_the_variables_to_set() {
    if std::env::vars().any(|(k, _)| k.starts_with("AZURE_")) {
        eprintln!("skipped: AZURE_* variables are set in this environment");
        return;
    }
    let err = ObjectFileStore::open(&FilesLocation::Azure { container: "sabil-files".into(), prefix: String::new() })
        .expect_err("no account configured");
    assert!(err.to_string().contains("AZURE_STORAGE_ACCOUNT_NAME"), "{err}");
}
