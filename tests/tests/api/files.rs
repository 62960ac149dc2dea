//! Files: admins upload images (sniffed from the bytes, at most 5 MiB), anyone downloads them with a
//! long cache lifetime, an ETag and 304 for a matching If-None-Match.
use poem::Body;
use poem::http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::harness::{Answer, TestApp, api_test, token};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00];
const WEBP: &[u8] = b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";
const SIX_MIB: usize = 6 * 1024 * 1024;

/// How the body travels: with a Content-Length, or streamed (chunked, length unknown up front).
enum Sent {
    Sized,
    Streamed,
}

async fn upload(t: &TestApp, bearer: Option<&str>, content_type: &str, bytes: Vec<u8>, sent: Sent) -> Answer {
    let mut req = t.client.post("/api/admin/files").header("content-type", content_type);
    if let Some(bearer) = bearer {
        req = req.header("authorization", format!("Bearer {bearer}"));
    }
    req = match sent {
        Sent::Sized => req.header("content-length", bytes.len().to_string()).body(bytes),
        Sent::Streamed => req.body(Body::from_async_read(std::io::Cursor::new(bytes))),
    };
    let resp = req.send().await.0;
    let (status, headers) = (resp.status(), resp.headers().clone());
    let text = resp.into_body().into_string().await.expect("JSON answer");
    Answer { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

async fn download(t: &TestApp, path: &str, if_none_match: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = t.client.get(path);
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    let resp = req.send().await.0;
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.into_body().into_vec().await.expect("body readable"))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

api_test!(admins_upload_png_jpeg_and_webp_and_anyone_downloads_them, |t| {
    let admin = t.admin("+96550007000").await;
    for (bytes, sent_as, served_as) in
        [(PNG, "image/png", "image/png"), (JPEG, "application/octet-stream", "image/jpeg"), (WEBP, "image/webp", "image/webp")]
    {
        let a = upload(&t, Some(&admin), sent_as, bytes.to_vec(), Sent::Sized).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let id = a.body["id"].as_str().expect("id");
        let url = a.body["url"].as_str().expect("url");
        assert_eq!(url, format!("/api/files/{id}"));
        assert_eq!(header(&a.headers, "location"), url);
        assert_eq!((a.body["contentType"].as_str(), a.body["size"].as_u64()), (Some(served_as), Some(bytes.len() as u64)));
        assert_eq!(a.body["sha256"].as_str().map(str::len), Some(64));

        let (status, headers, body) = download(&t, url, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, bytes);
        assert_eq!(header(&headers, "content-type"), served_as);
        assert_eq!(header(&headers, "cache-control"), "public, max-age=31536000, immutable");
        assert_eq!(header(&headers, "etag"), format!("\"{}\"", a.body["sha256"].as_str().expect("sha256")));
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    }
});

api_test!(a_matching_if_none_match_gets_304_without_a_body, |t| {
    let admin = t.admin("+96550007001").await;
    let a = upload(&t, Some(&admin), "image/png", PNG.to_vec(), Sent::Sized).await;
    let url = a.body["url"].as_str().expect("url").to_owned();
    let (_, headers, _) = download(&t, &url, None).await;
    let etag = header(&headers, "etag").to_owned();

    let (status, headers, body) = download(&t, &url, Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(header(&headers, "etag"), etag);
    assert_eq!(header(&headers, "cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(download(&t, &url, Some(&format!("\"other\", W/{etag}"))).await.0, StatusCode::NOT_MODIFIED);
    assert_eq!(download(&t, &url, Some("\"some-other-version\"")).await.0, StatusCode::OK);
});

api_test!(a_text_file_named_like_an_image_is_refused_with_415, |t| {
    let admin = t.admin("+96550007002").await;
    for content_type in ["image/png", "application/octet-stream", "image/gif"] {
        let a = upload(&t, Some(&admin), content_type, b"just some notes, saved as notes.png".to_vec(), Sent::Sized).await;
        assert_eq!(a.assert_error(415, "unsupported_media_type"), "file.unsupported_type", "{content_type}");
    }
    let gif = upload(&t, Some(&admin), "image/gif", b"GIF89a\x01\0\x01\0\x80\0\0".to_vec(), Sent::Sized).await;
    assert_eq!(gif.assert_error(415, "unsupported_media_type"), "file.unsupported_type");
    let text = upload(&t, Some(&admin), "text/plain", PNG.to_vec(), Sent::Sized).await;
    assert_eq!(text.assert_error(415, "unsupported_media_type"), "request.content_type");
    let listed = t.get_as("/api/admin/files", &admin).await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(0), "nothing was stored");
});

api_test!(six_mebibytes_are_refused_with_413_whether_sized_or_streamed, |t| {
    let admin = t.admin("+96550007003").await;
    let mut big = PNG.to_vec();
    big.resize(SIX_MIB, 0);
    let sized = upload(&t, Some(&admin), "image/png", big.clone(), Sent::Sized).await;
    assert_eq!(sized.assert_error(413, "payload_too_large"), "request.too_large");
    let streamed = upload(&t, Some(&admin), "image/png", big, Sent::Streamed).await;
    assert_eq!(streamed.assert_error(413, "payload_too_large"), "request.too_large");

    let mut limit = PNG.to_vec();
    limit.resize(5 * 1024 * 1024, 0);
    let exactly = upload(&t, Some(&admin), "image/png", limit, Sent::Streamed).await;
    assert_eq!(exactly.status, StatusCode::CREATED, "exactly 5 MiB is accepted: {}", exactly.body);
});

api_test!(customers_and_anonymous_callers_may_not_upload, |t| {
    let session = t.customer("+96550007004").await;
    let mut big = PNG.to_vec();
    big.resize(SIX_MIB, 0);
    let a = upload(&t, Some(&token(&session, "accessToken")), "image/png", big, Sent::Streamed).await;
    assert_eq!(a.assert_error(403, "forbidden"), "auth.role_forbidden", "refused before the body is read");
    let a = upload(&t, None, "image/png", PNG.to_vec(), Sent::Sized).await;
    assert_eq!(a.assert_error(401, "auth"), "auth.missing_token");
    let listed = t.get_as("/api/admin/files", &token(&session, "accessToken")).await;
    assert_eq!(listed.assert_error(403, "forbidden"), "auth.role_forbidden");
    assert!(t.audit().await.iter().any(|e| e.starts_with("access_denied|POST /api/admin/files|")));
});

api_test!(unknown_or_malformed_file_ids_get_the_error_shape, |t| {
    let unknown = t.raw("GET", &format!("/api/files/{}", uuid::Uuid::now_v7()), None, None, None).await;
    assert_eq!(unknown.assert_error(404, "not_found"), "file.not_found");
    assert_eq!(header(&unknown.headers, "cache-control"), "no-store");
    let malformed = t.raw("GET", "/api/files/not-a-uuid", None, None, None).await;
    assert_eq!(malformed.assert_error(400, "schema"), "request.invalid_path");
});

api_test!(admins_list_uploads_newest_first, |t| {
    let admin = t.admin("+96550007005").await;
    let first = upload(&t, Some(&admin), "image/png", PNG.to_vec(), Sent::Sized).await;
    let second = upload(&t, Some(&admin), "image/jpeg", JPEG.to_vec(), Sent::Sized).await;
    let page = t.get_as("/api/admin/files?limit=1", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body["items"][0]["id"], second.body["id"]);
    let cursor = page.body["nextCursor"].as_str().expect("another page");
    let rest = t.get_as(&format!("/api/admin/files?limit=1&cursor={cursor}"), &admin).await;
    assert_eq!(rest.body["items"][0]["id"], first.body["id"]);
    assert!(rest.body["nextCursor"].is_null());
});
