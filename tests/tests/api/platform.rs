//! Health, readiness, metrics, request ids, security headers, CORS, unknown routes, and the spec.
use poem::http::StatusCode;

use crate::harness::api_test;

api_test!(health_and_readiness_answer, |t| {
    let h = t.raw("GET", "/healthz", None, None, None).await;
    assert_eq!((h.status, h.body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let r = t.raw("GET", "/readyz", None, None, None).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("ready")));
    assert_eq!(r.body["payments"], serde_json::json!({"provider": "sandbox", "mode": "sandbox"}), "the payment mode is shown");
});

api_test!(metrics_count_requests_by_route_and_status, |t| {
    t.raw("GET", "/api/users/me", None, None, None).await;
    let m = t.raw("GET", "/metrics", None, None, None).await;
    let text = m.body.as_str().expect("text exposition").to_owned();
    assert!(text.contains("http_requests_total{route=\"/api/users/me\",method=\"GET\",status=\"401\"}"), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
});

api_test!(request_ids_are_echoed_or_made_and_security_headers_set, |t| {
    let resp = t.client.get("/healthz").header("x-request-id", "trace-abc-123").send().await;
    resp.assert_header("x-request-id", "trace-abc-123");
    resp.assert_header("x-content-type-options", "nosniff");
    let made = t.client.get("/healthz").send().await;
    let id = made.0.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("an id").to_owned();
    let other = t.client.get("/healthz").send().await;
    let next = other.0.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("an id").to_owned();
    assert!(id.len() > 16 && id != next, "made ids are unique: {id} {next}");
    let api = t.client.get("/api/users/me").send().await;
    api.assert_header("cache-control", "no-store");
});

api_test!(unknown_routes_and_methods_answer_in_the_error_shape, |t| {
    let a = t.raw("GET", "/api/no-such-thing", None, None, None).await;
    assert_eq!(a.assert_error(404, "not_found"), "route.not_found");
    let a = t.raw("PUT", "/api/auth/login", Some("application/json"), Some("{}".to_owned()), None).await;
    assert!(a.status.is_client_error() && a.body["error"]["code"].is_string(), "{} {}", a.status, a.body);
});

api_test!(cors_allows_configured_origins_only, &[("SABIL_CORS_ORIGINS", "https://admin.sabil.example")], |t| {
    let ok = t
        .client
        .options("/api/auth/login")
        .header("origin", "https://admin.sabil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await;
    ok.assert_header("access-control-allow-origin", "https://admin.sabil.example");
    let other = t
        .client
        .options("/api/auth/login")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await;
    assert!(other.0.headers().get("access-control-allow-origin").is_none());
});

#[test]
fn the_committed_spec_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/sabil.yaml");
    let current = sabil_api::spec_yaml();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(path, &current).expect("write openapi/sabil.yaml");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == current,
        "openapi/sabil.yaml is out of date: run `UPDATE_OPENAPI=1 cargo test -p sabil-tests --test api the_committed_spec` and commit it"
    );
}

#[test]
fn every_path_appears_once_in_the_spec() {
    // poem-openapi writes one path item per OpenApi impl: a path served by two impls would appear twice,
    // and a YAML or JSON reader keeps only the last (the other operations vanish from generated clients).
    let spec = sabil_api::spec_yaml();
    let paths = spec.split("\npaths:\n").nth(1).expect("a paths section");
    let mut seen = std::collections::HashSet::new();
    for line in paths.lines().take_while(|l| l.is_empty() || l.starts_with(' ')) {
        if let Some(path) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ') && l.ends_with(':')) {
            assert!(seen.insert(path.to_owned()), "{path} appears twice in the spec");
        }
    }
    assert!(seen.len() > 50, "read {} paths", seen.len());
    assert!(seen.contains("/products:") && seen.contains("/orders:"));
}

#[test]
fn migrations_come_in_pairs() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");
    let names = |engine: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!("{root}/{engine}"))
            .expect("folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"), "every migration needs its twin");
    assert!(!names("sqlite").is_empty());
}

api_test!(demo_accounts_are_seeded_once_and_can_sign_in, |t| {
    assert_eq!(sabil_adapters::demo::seed(&t.app).await.expect("seeded"), 2);
    assert_eq!(sabil_adapters::demo::seed(&t.app).await.expect("seeded again"), 0, "seeding is idempotent");
    for (phone, password, _, role) in sabil_adapters::demo::DEMO_ACCOUNTS {
        let login = t.post("/api/auth/login", serde_json::json!({"phone": phone, "password": password})).await;
        assert_eq!((login.status, login.body["role"].as_str()), (StatusCode::OK, Some(*role)), "{}", login.body);
    }
});

api_test!(the_demo_catalog_is_loaded_once_and_browsable, |t| {
    assert!(sabil_adapters::demo_catalog::seed_catalog(&t.app).await.expect("loaded") > 0);
    assert_eq!(sabil_adapters::demo_catalog::seed_catalog(&t.app).await.expect("again"), 0, "loaded once");
    let count = |v: &serde_json::Value| v.as_array().map_or(0, Vec::len);
    let products = t.raw("GET", "/api/products", None, None, None).await;
    assert_eq!(count(&products.body["items"]), 4);
    assert_eq!(count(&t.raw("GET", "/api/promotions", None, None, None).await.body), 2);
    assert_eq!(count(&t.raw("GET", "/api/delivery-areas", None, None, None).await.body), 4);
    assert_eq!(count(&t.raw("GET", "/api/mosques", None, None, None).await.body["items"]), 4);
    assert!(count(&t.raw("GET", "/api/faq", None, None, None).await.body) > 0);
    assert_eq!(count(&t.raw("GET", "/api/contacts", None, None, None).await.body), 3);
    assert_eq!(t.raw("GET", "/api/terms", None, None, None).await.body["version"], 1);
    let found = t.raw("GET", "/api/delivery-areas/lookup?latitude=24.50&longitude=54.41", None, None, None).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
});
