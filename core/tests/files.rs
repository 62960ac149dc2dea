//! Behaviour of `FileService` on the in-memory fakes: who may upload, what is accepted (by the bytes,
//! not the name), the size limit, metadata and bytes kept consistent, lookups for other services.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sabil_core::domain::files::{FileId, ImageType, StoredFile};
use sabil_core::domain::{AccessClaims, FullName, PageRequest, Role, Subject, UserId, UserStatus};
use sabil_core::error::RepoError;
use sabil_core::services::authorization::AdminDenied;
use sabil_core::services::{AccountService, AccountSettings, FileError, FileService};
use sabil_core::testing::{FakeWorld, fake_world, sha256_hex};
use time::macros::datetime;
use uuid::Uuid;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00];
const WEBP: &[u8] = b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0";

struct World {
    fakes: FakeWorld,
    accounts: AccountService,
    files: FileService,
}

fn world() -> World {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    let accounts = AccountService::new(fakes.ports.clone(), AccountSettings::default());
    let files = FileService::new(fakes.ports.clone());
    World { fakes, accounts, files }
}

fn claims(id: UserId, role: Role) -> AccessClaims {
    let now = datetime!(2026-03-01 09:00 UTC);
    AccessClaims { subject: Subject::User(id), role, issued_at: now, expires_at: now + time::Duration::minutes(15) }
}

impl World {
    async fn admin(&self, phone: &str) -> AccessClaims {
        let admin = self
            .accounts
            .create_admin(
                sabil_core::domain::Phone::parse(phone).expect("phone"),
                FullName::parse("Sabil Admin").expect("name"),
                &sabil_core::domain::Password::parse("water-for-the-mosque").expect("password"),
            )
            .await
            .expect("admin created");
        claims(admin.id, Role::Admin)
    }

    async fn upload(&self, actor: &AccessClaims, bytes: &[u8]) -> Result<StoredFile, FileError> {
        let uploader = self.files.authorize_upload(actor).await?;
        self.files.upload(&uploader, bytes).await
    }
}

#[tokio::test]
async fn admins_upload_jpeg_png_and_webp_told_apart_by_their_bytes() {
    let w = world();
    let admin = w.admin("+96550001000").await;
    for (bytes, expected) in [(PNG, ImageType::Png), (JPEG, ImageType::Jpeg), (WEBP, ImageType::Webp)] {
        let file = w.upload(&admin, bytes).await.expect("accepted");
        assert_eq!(file.content_type, expected);
        assert_eq!(file.size, bytes.len() as u64);
        assert_eq!(file.sha256, sha256_hex(bytes));
        assert_eq!(file.created_at, datetime!(2026-03-01 09:00 UTC));
        let Subject::User(admin_id) = admin.subject else { unreachable!() };
        assert_eq!(file.uploaded_by, admin_id);
        assert_eq!(w.files.file(file.id).await.expect("recorded"), file);
        assert_eq!(w.files.content(&file).await.expect("bytes"), bytes);
    }
}

#[tokio::test]
async fn anything_but_an_image_is_refused_and_nothing_is_stored() {
    let w = world();
    let admin = w.admin("+96550001001").await;
    for bytes in [&b"plain text saved as photo.png"[..], b"GIF89a\x01\0\x01\0\0\0\0", b""] {
        assert_eq!(w.upload(&admin, bytes).await.expect_err("not an image"), FileError::UnsupportedType);
    }
    assert!(w.fakes.file_store.is_empty());
}

#[tokio::test]
async fn files_over_five_mebibytes_are_refused() {
    let w = world();
    let admin = w.admin("+96550001002").await;
    let mut big = PNG.to_vec();
    big.resize(FileService::MAX_BYTES + 1, 0);
    assert_eq!(w.upload(&admin, &big).await.expect_err("too big"), FileError::TooLarge { limit: 5 * 1024 * 1024 });
    big.truncate(FileService::MAX_BYTES);
    assert_eq!(w.upload(&admin, &big).await.expect("exactly the limit").size, 5 * 1024 * 1024);
}

#[tokio::test]
async fn only_active_admins_may_upload_or_list() {
    let w = world();
    let admin = w.admin("+96550001003").await;
    let customer = claims(UserId(Uuid::now_v7()), Role::Customer);
    assert_eq!(w.files.authorize_upload(&customer).await.expect_err("customer"), FileError::Denied(AdminDenied::NotAdmin));
    let unknown_admin = claims(UserId(Uuid::now_v7()), Role::Admin);
    assert_eq!(w.files.authorize_upload(&unknown_admin).await.expect_err("no account"), FileError::Denied(AdminDenied::NotAdmin));
    let page = PageRequest { limit: 10, cursor: None };
    assert_eq!(w.files.list(&customer, &page).await.expect_err("customer"), FileError::Denied(AdminDenied::NotAdmin));

    let Subject::User(id) = admin.subject else { unreachable!() };
    w.fakes.ports.users.set_status(id, UserStatus::Blocked, datetime!(2026-03-01 09:01 UTC)).await.expect("blocked");
    assert_eq!(w.files.authorize_upload(&admin).await.expect_err("blocked"), FileError::Denied(AdminDenied::Blocked));
}

#[tokio::test]
async fn unknown_ids_are_not_found_for_downloads_and_for_linking() {
    let w = world();
    let unknown = FileId(Uuid::now_v7());
    assert_eq!(w.files.file(unknown).await.expect_err("unknown"), FileError::NotFound);
    assert_eq!(w.files.require_image(unknown).await.expect_err("unknown"), FileError::NotFound);
    let admin = w.admin("+96550001004").await;
    let file = w.upload(&admin, PNG).await.expect("stored");
    let linked = w.files.require_image(file.id).await.expect("an image");
    assert_eq!((linked.content_type, linked.id.url_path()), (ImageType::Png, format!("/api/files/{}", file.id)));
}

#[tokio::test]
async fn an_unreachable_file_store_fails_the_upload_without_recording_metadata() {
    let w = world();
    let admin = w.admin("+96550001005").await;
    w.fakes.file_store.set_down(true);
    assert!(matches!(w.upload(&admin, PNG).await, Err(FileError::Storage(RepoError::Unavailable(_)))));
    let page = w.fakes.ports.files.list(&PageRequest { limit: 10, cursor: None }).await.expect("listed");
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn missing_bytes_of_a_recorded_file_are_an_internal_failure() {
    let w = world();
    let admin = w.admin("+96550001006").await;
    let file = w.upload(&admin, JPEG).await.expect("stored");
    w.fakes.ports.file_store.delete(file.id).await.expect("removed behind the service's back");
    assert!(matches!(w.files.content(&file).await, Err(FileError::Storage(RepoError::Internal(_)))));
}

#[tokio::test]
async fn admins_list_files_newest_first_in_pages() {
    let w = world();
    let admin = w.admin("+96550001007").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(w.upload(&admin, PNG).await.expect("stored").id);
    }
    let first = w.files.list(&admin, &PageRequest { limit: 2, cursor: None }).await.expect("page");
    assert_eq!(first.items.iter().map(|f| f.id).collect::<Vec<_>>(), vec![ids[2], ids[1]]);
    let rest = w.files.list(&admin, &PageRequest { limit: 2, cursor: first.next_cursor }).await.expect("page");
    assert_eq!(rest.items.iter().map(|f| f.id).collect::<Vec<_>>(), vec![ids[0]]);
    assert_eq!(rest.next_cursor, None);
}
