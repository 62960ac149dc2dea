//! The body of an image upload: raw bytes, read only once the caller may upload, and never past the
//! size limit (a declared `Content-Length` over it is refused unread; a chunked body is cut off as it
//! crosses the limit). Documented as one binary body per accepted content type.
use poem::http::header;
use poem::{Request, RequestBody};
use poem_openapi::ApiRequest;
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};

use crate::error::ApiError;

/// The unread bytes of an upload.
pub struct ImageBody {
    body: poem::Body,
    declared_len: Option<u64>,
}

impl Payload for ImageBody {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    // The bytes decide the type, so any image type (or none in particular) is let through here.
    fn check_content_type(content_type: &str) -> bool {
        let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        mime == "application/octet-stream" || mime.starts_with("image/")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema { format: Some("binary"), ..MetaSchema::new("string") }))
    }
}

impl ParsePayload for ImageBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let declared_len = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        Ok(Self { body: body.take()?, declared_len })
    }
}

impl ImageBody {
    /// Reads the bytes, stopping as soon as they pass `limit`.
    ///
    /// # Errors
    /// 413 past the limit, 400 when the body cannot be read.
    pub async fn read(self, limit: usize) -> Result<Vec<u8>, ApiError> {
        let too_large = || ApiError::too_large(limit);
        if self.declared_len.is_some_and(|len| len > limit as u64) {
            return Err(too_large());
        }
        let bytes = self.body.into_bytes_limit(limit).await.map_err(|e| match e {
            poem::error::ReadBodyError::PayloadTooLarge => too_large(),
            other => ApiError::schema(
                "request.unreadable_body",
                format!("The request body could not be read: {other}"),
                "Send the file again.",
                vec![],
            ),
        })?;
        Ok(bytes.to_vec())
    }
}

/// An image as the raw bytes of the request body (no multipart, no base64). Send the image's own
/// type or `application/octet-stream`: the server reads the type from the bytes either way.
#[derive(ApiRequest)]
pub enum ImageUpload {
    /// A JPEG image.
    #[oai(content_type = "image/jpeg")]
    Jpeg(ImageBody),
    /// A PNG image.
    #[oai(content_type = "image/png")]
    Png(ImageBody),
    /// A WebP image.
    #[oai(content_type = "image/webp")]
    Webp(ImageBody),
    /// A JPEG, PNG or WebP image, its type left to the server to detect.
    Binary(ImageBody),
}

impl ImageUpload {
    /// The body, whichever content type it came with.
    #[must_use]
    pub fn into_body(self) -> ImageBody {
        match self {
            Self::Jpeg(b) | Self::Png(b) | Self::Webp(b) | Self::Binary(b) => b,
        }
    }
}
