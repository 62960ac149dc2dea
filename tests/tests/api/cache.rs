//! The catalog read cache: a repeated read is served from the cache with a strong ETag, `304` for
//! a matching `If-None-Match`, and any write drops it — on every instance when Redis is configured.
use std::time::{Duration, Instant};

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, api_test};

fn product(title: &str) -> Value {
    json!({
        "titleAr": format!("{title} ar"), "titleEn": title, "descriptionAr": "ماء", "descriptionEn": "Water",
        "type": "pack", "volumeMl": 500, "bottlesPerPack": 24, "price": {"amount": 1800, "currency": "AED"},
        "minQuantity": 1, "maxQuantity": 30, "active": true, "sortOrder": 1
    })
}

async fn get(t: &TestApp, path: &str, if_none_match: Option<&str>) -> (StatusCode, String, String, String) {
    let mut req = t.client.get(path);
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    let resp = req.send().await.0;
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (status, etag, source) = (resp.status(), header("etag"), header("x-cache"));
    (status, etag, source, resp.into_body().into_string().await.expect("body"))
}

api_test!(a_repeated_read_is_served_from_the_cache_until_a_write, |t| {
    let admin = t.admin("+96550011000").await;
    t.post_as("/api/admin/products", product("First"), &admin).await;
    let (status, etag, source, body) = get(&t, "/api/products", None).await;
    assert_eq!((status, source.as_str()), (StatusCode::OK, "miss"));
    let (_, again_etag, again_source, again_body) = get(&t, "/api/products", None).await;
    assert_eq!((again_source.as_str(), again_etag.as_str(), again_body.as_str()), ("hit", etag.as_str(), body.as_str()));
    let (not_modified, ..) = get(&t, "/api/products", Some(&etag)).await;
    assert_eq!(not_modified, StatusCode::NOT_MODIFIED);
    let resp = t.client.get("/api/products").send().await;
    resp.assert_header("cache-control", "public, max-age=60");

    t.post_as("/api/admin/products", product("Second"), &admin).await;
    let (_, new_etag, new_source, new_body) = get(&t, "/api/products", Some(&etag)).await;
    assert_eq!(new_source, "miss", "the write dropped the cached list");
    assert_ne!(new_etag, etag);
    assert!(new_body.contains("Second"));
    let (arabic_status, ..) = (t.client.get("/api/products").header("accept-language", "ar").send().await.0.status(),);
    assert_eq!(arabic_status, StatusCode::OK);
});

#[tokio::test]
async fn a_write_on_one_instance_drops_the_cache_of_another() {
    let Ok(redis) = std::env::var("SABIL_TEST_REDIS_URL") else {
        eprintln!("SABIL_TEST_REDIS_URL is not set: skipping the two-instance cache test");
        return;
    };
    let extra = [("SABIL_REDIS_URL", redis.as_str())];
    let a = TestApp::start(crate::harness::Engine::Sqlite, &extra).await.expect("instance a");
    let b = TestApp::another_instance(&a, &extra).await;
    let admin = a.admin("+96550011100").await;
    a.post_as("/api/admin/products", product("Before"), &admin).await;
    // a's write is announced to b through Redis a moment later; until it has arrived, b may drop what
    // it cached. Once it has, b keeps its read.
    let settle = Instant::now() + Duration::from_secs(5);
    loop {
        get(&b, "/api/products", None).await;
        if get(&b, "/api/products", None).await.2 == "hit" {
            break;
        }
        assert!(Instant::now() < settle, "b never kept its read cached");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    a.post_as("/api/admin/products", product("Written on a"), &admin).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, _, source, body) = get(&b, "/api/products", None).await;
        if source == "miss" && body.contains("Written on a") {
            break;
        }
        assert!(Instant::now() < deadline, "b still serves its stale cache");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
