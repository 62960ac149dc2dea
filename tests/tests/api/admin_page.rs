//! The `/admin` page: embedded files with their types, a strict content security policy, revalidation
//! by ETag, 404 for anything else, and no token for the page while its data needs an admin's.
use poem::http::StatusCode;

use crate::harness::{Answer, api_test, token};

const FILES: [(&str, &str); 5] = [
    ("/admin/admin.js", "text/javascript; charset=utf-8"),
    ("/admin/charts.js", "text/javascript; charset=utf-8"),
    ("/admin/admin.css", "text/css; charset=utf-8"),
    ("/admin/favicon.svg", "image/svg+xml"),
    ("/admin/index.html", "text/html; charset=utf-8"),
];

fn header<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn text(a: &Answer) -> &str {
    a.body.as_str().unwrap_or_else(|| panic!("a text body, got {}", a.body))
}

api_test!(the_admin_page_is_html_under_a_strict_content_security_policy, |t| {
    for path in ["/admin", "/admin/"] {
        let page = t.raw("GET", path, None, None, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8", "{path}");
        let csp = header(&page, "content-security-policy");
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "require-trusted-types-for 'script'",
        ] {
            assert!(csp.contains(directive), "{path}: `{directive}` missing from {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: nothing inline or evaluated: {csp}");
        assert_eq!(header(&page, "x-content-type-options"), "nosniff");
        assert_eq!(header(&page, "referrer-policy"), "no-referrer");
        assert_eq!(header(&page, "cache-control"), "no-cache");
        assert!(header(&page, "etag").starts_with('"'), "a strong ETag");
        let html = text(&page);
        assert!(html.contains(r#"<script type="module" src="/admin/admin.js"></script>"#), "{html}");
        assert!(html.contains(r#"id="sign-in-form""#) && html.contains(r#"id="per-day""#) && html.contains(r#"id="latest""#));
    }
});

api_test!(the_page_files_answer_with_their_types_and_nothing_inline_or_remote, |t| {
    for (path, content_type) in FILES {
        let file = t.raw("GET", path, None, None, None).await;
        assert_eq!(file.status, StatusCode::OK, "{path}");
        assert_eq!(header(&file, "content-type"), content_type, "{path}");
        assert!(header(&file, "content-security-policy").contains("default-src 'self'"), "{path}");
        let body = text(&file);
        assert!(!body.is_empty(), "{path}");
        // Everything comes from this origin: no CDN (the SVG namespace is a name, not a download).
        let urls = body.replace("http://www.w3.org/2000/svg", "");
        assert!(!urls.contains("https://") && !urls.contains("http://"), "{path} loads nothing from elsewhere");
        if path.ends_with(".html") {
            assert!(!body.contains("style=") && !body.contains("<style") && !body.contains("onclick"), "{path}: nothing inline");
            assert_eq!(body.matches("<script").count(), body.matches("<script type=\"module\" src=").count(), "{path}: scripts are files");
        }
    }
});

api_test!(the_page_files_are_revalidated_by_etag, |t| {
    let first = t.client.get("/admin/admin.js").send().await;
    first.assert_status_is_ok();
    let etag = first.0.headers().get("etag").and_then(|v| v.to_str().ok()).expect("an etag").to_owned();
    let again = t.client.get("/admin/admin.js").header("if-none-match", &etag).send().await;
    again.assert_status(StatusCode::NOT_MODIFIED);
    again.assert_header("etag", etag.as_str());
    let changed = t.client.get("/admin/admin.js").header("if-none-match", "\"something-else\"").send().await;
    changed.assert_status_is_ok();
    let css = t.client.get("/admin/admin.css").send().await;
    let css_etag = css.0.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_ne!(css_etag, etag, "each file has its own ETag");
});

api_test!(unknown_admin_files_are_not_found_in_the_error_shape, |t| {
    for path in ["/admin/nope.js", "/admin/..%2FCargo.toml", "/admin/admin.js.map", "/admin/index.html/x"] {
        let a = t.raw("GET", path, None, None, None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}: {}", a.body);
        assert_eq!(a.body["error"]["type"], "not_found", "{path}: {}", a.body);
    }
});

api_test!(the_page_needs_no_token_but_its_data_needs_an_admin, |t| {
    assert_eq!(t.raw("GET", "/admin", None, None, None).await.status, StatusCode::OK);
    let customer = token(&t.customer("+96550007001").await, "accessToken");
    let admin = t.admin("+96550007000").await;
    for data in ["/api/admin/stats", "/api/admin/orders?limit=10"] {
        t.raw("GET", data, None, None, None).await.assert_error(401, "auth");
        t.get_as(data, &customer).await.assert_error(403, "forbidden");
        let answer = t.get_as(data, &admin).await;
        assert_eq!(answer.status, StatusCode::OK, "{data}: {}", answer.body);
    }
});
