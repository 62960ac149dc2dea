//! Files: admins upload images (`/api/admin/files`), anyone downloads them (`/api/files/{id}`) with
//! a year-long, immutable cache lifetime and an entity tag for conditional requests.
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi, ResponseContent};
use sabil_core::domain::PageRequest;
use sabil_core::domain::files::{FileId, ImageType, StoredFile};
use sabil_core::services::FileService;
use time::OffsetDateTime;

use super::ApiTags;
use super::upload::ImageUpload;
use crate::auth::BearerAuth;
use crate::error::ApiResult;
use crate::state::AppState;
use poem::web::Data;

/// Files never change once stored, so caches may keep them for a year without asking again.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// An uploaded file.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct FileDto {
    /// The file's id; link it as a product's or promotion's `imageId`.
    pub id: uuid::Uuid,
    /// Where the file is served, relative to the API's origin: `/api/files/{id}`.
    pub url: String,
    /// The type read from the file's bytes: `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes (also the download's `ETag`).
    pub sha256: String,
    /// When it was uploaded (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
}

impl From<StoredFile> for FileDto {
    fn from(f: StoredFile) -> Self {
        Self {
            id: f.id.0,
            url: f.id.url_path(),
            content_type: f.content_type.mime().to_owned(),
            size: f.size,
            sha256: f.sha256,
            created_at: f.created_at,
        }
    }
}

/// One page of files.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct FilePage {
    /// Up to `limit` files, newest first.
    pub items: Vec<FileDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The answer to an upload.
#[derive(ApiResponse)]
pub enum UploadAnswer {
    /// Stored; `Location` is where it is served.
    #[oai(status = 201)]
    Created(Json<FileDto>, #[oai(header = "Location")] String),
}

/// An image's bytes, with the type read from them at upload.
#[derive(ResponseContent)]
pub enum ImageContent {
    #[oai(content_type = "image/jpeg")]
    Jpeg(Binary<Vec<u8>>),
    #[oai(content_type = "image/png")]
    Png(Binary<Vec<u8>>),
    #[oai(content_type = "image/webp")]
    Webp(Binary<Vec<u8>>),
}

/// The answer to a download.
#[derive(ApiResponse)]
pub enum Download {
    /// The file.
    #[oai(status = 200)]
    Ok(
        ImageContent,
        /// The file's entity tag; send it back in `If-None-Match`.
        #[oai(header = "ETag")]
        String,
        /// `public, max-age=31536000, immutable`: files never change.
        #[oai(header = "Cache-Control")]
        String,
    ),
    /// The copy named by `If-None-Match` is current; no body.
    #[oai(status = 304)]
    NotModified(
        /// The file's entity tag.
        #[oai(header = "ETag")]
        String,
        /// As for 200.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// Whether an `If-None-Match` value names `etag` (weak comparison, as RFC 9110 asks for GET).
fn names_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// The file operations.
#[derive(Default)]
pub struct FilesApi;

#[OpenApi]
impl FilesApi {
    /// Upload an image
    ///
    /// The request body is the image itself (no multipart): JPEG, PNG or WebP, at most 5 MiB. The type
    /// is read from the bytes, not from a file name or the Content-Type sent, so a renamed text file is
    /// refused with 415; a larger body is refused with 413 as soon as it passes the limit. Admins only.
    /// Link the returned `id` as a product's or promotion's image.
    #[oai(path = "/admin/files", method = "post", operation_id = "uploadFile", tag = "ApiTags::Admin")]
    async fn upload_file(&self, state: Data<&AppState>, auth: BearerAuth, body: ImageUpload) -> ApiResult<UploadAnswer> {
        let files = &state.app.files;
        // Checked before reading the body, so a caller who may not upload never gets to send 5 MiB.
        let uploader = files.authorize_upload(&auth.0).await?;
        let bytes = body.into_body().read(FileService::MAX_BYTES).await?;
        let file = files.upload(&uploader, &bytes).await?;
        let location = file.id.url_path();
        Ok(UploadAnswer::Created(Json(file.into()), location))
    }

    /// List uploaded files
    ///
    /// Newest first. Admins only.
    #[oai(path = "/admin/files", method = "get", operation_id = "listFiles", tag = "ApiTags::Admin")]
    async fn list_files(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<FilePage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let files = state.app.files.list(&auth.0, &page).await?;
        Ok(Json(FilePage {
            items: files.items.into_iter().map(Into::into).collect(),
            next_cursor: files.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// Download a file
    ///
    /// Public (images are shown in the app before sign-in). Served with the type read from its bytes,
    /// `Cache-Control: public, max-age=31536000, immutable` and an `ETag`; with a matching
    /// `If-None-Match` the answer is 304 without a body.
    #[oai(path = "/files/:id", method = "get", operation_id = "getFile", tag = "ApiTags::Files")]
    async fn get_file(
        &self,
        state: Data<&AppState>,
        /// The file's id, as returned by the upload.
        id: Path<uuid::Uuid>,
        /// Entity tags of copies the client holds.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<Download> {
        let file = state.app.files.file(FileId(id.0)).await?;
        let etag = format!("\"{}\"", file.sha256);
        if if_none_match.0.as_deref().is_some_and(|v| names_etag(v, &etag)) {
            return Ok(Download::NotModified(etag, CACHE_FOREVER.to_owned()));
        }
        let bytes = Binary(state.app.files.content(&file).await?);
        let content = match file.content_type {
            ImageType::Jpeg => ImageContent::Jpeg(bytes),
            ImageType::Png => ImageContent::Png(bytes),
            ImageType::Webp => ImageContent::Webp(bytes),
        };
        Ok(Download::Ok(content, etag, CACHE_FOREVER.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::names_etag;

    #[test]
    fn if_none_match_names_the_tag_weakly_in_a_list_or_by_star() {
        let etag = "\"abc\"";
        assert!(names_etag("\"abc\"", etag));
        assert!(names_etag("W/\"abc\"", etag));
        assert!(names_etag("\"x\", \"abc\"", etag));
        assert!(names_etag("*", etag));
        assert!(!names_etag("\"abd\"", etag));
        assert!(!names_etag("abc", etag));
    }
}
