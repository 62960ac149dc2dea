//! The `/admin` page: a small dashboard for staff (sign in, key figures, charts, latest orders) made of
//! the static files in `api/static/admin/`, embedded in the binary. The page itself needs no token; the
//! data it draws comes from the admin API (`/api/admin/stats`, `/api/admin/orders`), which does.
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::Path;
use poem::{IntoResponse, Request, Response, handler};

use crate::error::ApiError;

/// Only the page's own files, no inline code or styles, no framing, no form submissions (the script
/// sends the sign-in), and no HTML parsed from strings (Trusted Types with no policy: the script builds
/// every node with the DOM API).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; \
     require-trusted-types-for 'script'; trusted-types 'none'";

/// One embedded file and the fingerprint its `ETag` is made from.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    fingerprint: u64,
}

/// FNV-1a, evaluated at compile time: the `ETag` changes exactly when the file does.
const fn fingerprint(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {{
        const BYTES: &[u8] = include_bytes!(concat!("../static/admin/", $name));
        Asset { name: $name, content_type: $content_type, bytes: BYTES, fingerprint: fingerprint(BYTES) }
    }};
}

static ASSETS: [Asset; 5] = [
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("admin.js", "text/javascript; charset=utf-8"),
    asset!("charts.js", "text/javascript; charset=utf-8"),
    asset!("admin.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
];

/// `GET /admin` and `/admin/`: the page.
#[handler]
pub fn index(req: &Request) -> Response {
    serve(req, "index.html")
}

/// `GET /admin/{file}`: the page's scripts, stylesheet and icon; anything else is 404.
#[handler]
pub fn file(req: &Request, Path(name): Path<String>) -> Response {
    serve(req, &name)
}

fn serve(req: &Request, name: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return ApiError::not_found("admin.no_such_file", "The admin page has no such file.", Some("Open /admin.")).into_response();
    };
    let etag = format!("\"{:016x}\"", asset.fingerprint);
    // Revalidated on every load (a few bytes with 304), so a new release is seen at once.
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if fresh {
        Response::builder().status(StatusCode::NOT_MODIFIED).finish()
    } else {
        Response::builder().content_type(asset.content_type).body(asset.bytes)
    };
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    resp
}
