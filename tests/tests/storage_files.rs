//! Conformance of `FileRepository` (metadata of uploaded files) on every backend: round trips of
//! every image type with time fidelity, unknown ids, taken ids, and paging newest first.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use sabil_core::domain::files::{FileId, ImageType, StoredFile};
use sabil_core::domain::{PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::testing::sha256_hex;
use sabil_tests::conformance;
use sabil_tests::fixtures::at;
use uuid::Uuid;

fn file(content_type: ImageType, bytes: &[u8], seconds: i64) -> StoredFile {
    StoredFile {
        id: FileId(Uuid::now_v7()),
        content_type,
        size: bytes.len() as u64,
        sha256: sha256_hex(bytes),
        created_at: at(seconds),
        uploaded_by: UserId(Uuid::now_v7()),
    }
}

conformance!(files_round_trip_with_every_field, |stores| async move {
    for (i, t) in ImageType::ALL.into_iter().enumerate() {
        let mut f = file(t, b"image bytes", i as i64);
        f.size = 5 * 1024 * 1024;
        stores.files.create(&f).await.expect("stored");
        assert_eq!(stores.files.get(f.id).await.expect("read"), Some(f));
    }
});

conformance!(unknown_files_are_absent, |stores| async move {
    assert_eq!(stores.files.get(FileId(Uuid::now_v7())).await.expect("read"), None);
});

conformance!(a_taken_file_id_is_a_conflict_and_keeps_the_first_record, |stores| async move {
    let first = file(ImageType::Png, b"first", 1);
    stores.files.create(&first).await.expect("stored");
    let second = StoredFile { content_type: ImageType::Jpeg, ..file(ImageType::Jpeg, b"second", 2) };
    let clash = StoredFile { id: first.id, ..second };
    assert!(matches!(stores.files.create(&clash).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.files.get(first.id).await.expect("read"), Some(first));
});

conformance!(files_are_listed_newest_first_in_pages, |stores| async move {
    let mut ids = Vec::new();
    for i in 0..5 {
        let f = file(ImageType::Webp, format!("bytes {i}").as_bytes(), i);
        stores.files.create(&f).await.expect("stored");
        ids.push(f.id);
    }
    ids.reverse();
    let first = stores.files.list(&PageRequest { limit: 2, cursor: None }).await.expect("page");
    assert_eq!(first.items.iter().map(|f| f.id).collect::<Vec<_>>(), ids[..2]);
    assert_eq!(first.next_cursor, Some(ids[1].0));
    let second = stores.files.list(&PageRequest { limit: 2, cursor: first.next_cursor }).await.expect("page");
    assert_eq!(second.items.iter().map(|f| f.id).collect::<Vec<_>>(), ids[2..4]);
    let last = stores.files.list(&PageRequest { limit: 2, cursor: second.next_cursor }).await.expect("page");
    assert_eq!(last.items.iter().map(|f| f.id).collect::<Vec<_>>(), ids[4..]);
    assert_eq!(last.next_cursor, None);
    let all = stores.files.list(&PageRequest { limit: 5, cursor: None }).await.expect("page");
    assert_eq!((all.items.len(), all.next_cursor), (5, None), "an exactly full page is the last");
});
