//! Promo codes over HTTP: admins create, list, read and change them; every rule a code must meet is
//! answered in the error shape naming the field; customers may not manage them.
use poem::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::coupons::product;
use crate::harness::{Answer, TestApp, api_test, token};

fn percent(code: &str) -> Value {
    json!({
        "code": code, "description": "Ten percent off", "discountKind": "percent", "percentBasisPoints": 1000,
        "currency": "AED", "minOrderMinor": 2000, "validFrom": "2026-01-01T00:00:00Z", "validUntil": "2099-01-01T00:00:00Z",
        "maxUses": 100, "maxUsesPerCustomer": 1
    })
}

async fn patch_as(t: &TestApp, path: &str, body: Value, bearer: &str) -> Answer {
    t.raw("PATCH", path, Some("application/json"), Some(body.to_string()), Some(bearer)).await
}

fn ok(a: Answer) -> Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
}

api_test!(admins_create_list_read_and_change_promo_codes, |t| {
    let admin = t.admin("+96550021000").await;
    let gallon = product(&t, &admin, "Sabil 5 gallon").await;

    let created = t.post_as("/api/admin/promo-codes", percent(" ramadan10 "), &admin).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(created.headers.get("location").and_then(|v| v.to_str().ok()), Some(format!("/api/admin/promo-codes/{id}").as_str()));
    assert_eq!(created.body["code"], "RAMADAN10");
    assert_eq!((created.body["discountKind"].as_str(), created.body["percentBasisPoints"].as_u64()), (Some("percent"), Some(1000)));
    assert!(created.body["amount"].is_null());
    assert_eq!(created.body["minOrder"], json!({"amount": 2000, "currency": "AED", "formatted": "20.00 AED"}));
    assert_eq!((created.body["uses"].as_u64(), created.body["active"].as_bool()), (Some(0), Some(true)));

    let mut fixed = percent("FLAT5");
    fixed["discountKind"] = json!("fixed");
    fixed["amountMinor"] = json!(500);
    fixed.as_object_mut().expect("object").remove("percentBasisPoints");
    fixed["productIds"] = json!([gallon]);
    let flat = t.post_as("/api/admin/promo-codes", fixed, &admin).await;
    assert_eq!(flat.status, StatusCode::CREATED, "{}", flat.body);
    assert_eq!(flat.body["amount"], json!({"amount": 500, "currency": "AED", "formatted": "5.00 AED"}));
    assert_eq!(flat.body["productIds"], json!([gallon]));

    let taken = t.post_as("/api/admin/promo-codes", percent("Ramadan10"), &admin).await;
    assert_eq!(taken.assert_error(409, "conflict"), "promo_code.taken");

    let first = ok(t.get_as("/api/admin/promo-codes?limit=1", &admin).await);
    assert_eq!(first["items"][0]["code"], "FLAT5", "newest first");
    let cursor = first["nextCursor"].as_str().expect("next page").to_owned();
    let rest = ok(t.get_as(&format!("/api/admin/promo-codes?limit=1&cursor={cursor}"), &admin).await);
    assert_eq!(rest["items"][0]["code"], "RAMADAN10");
    assert!(rest["nextCursor"].is_null());
    assert_eq!(ok(t.get_as(&format!("/api/admin/promo-codes/{id}"), &admin).await), created.body);
    let missing = t.get_as(&format!("/api/admin/promo-codes/{}", Uuid::now_v7()), &admin).await;
    assert_eq!(missing.assert_error(404, "not_found"), "promo_code.not_found");

    let path = format!("/api/admin/promo-codes/{id}");
    let off = ok(patch_as(&t, &path, json!({"maxUses": null, "active": false, "description": "Closed"}), &admin).await);
    assert_eq!((off["maxUses"].is_null(), off["active"].as_bool(), off["description"].as_str()), (true, Some(false), Some("Closed")));
    assert_eq!(
        (off["code"].as_str(), off["maxUsesPerCustomer"].as_u64(), off["percentBasisPoints"].as_u64()),
        (Some("RAMADAN10"), Some(1), Some(1000))
    );
    let now_fixed = ok(patch_as(&t, &path, json!({"discountKind": "fixed", "amountMinor": 750}), &admin).await);
    assert_eq!((now_fixed["discountKind"].as_str(), now_fixed["amount"]["amount"].as_i64()), (Some("fixed"), Some(750)));
    assert!(now_fixed["percentBasisPoints"].is_null());

    let kindless = patch_as(&t, &path, json!({"percentBasisPoints": 500}), &admin).await;
    kindless.assert_error(422, "validation");
    assert_eq!(kindless.fields(), ["discountKind"]);
    let backwards = patch_as(&t, &path, json!({"validUntil": "2025-01-01T00:00:00Z"}), &admin).await;
    backwards.assert_error(422, "validation");
    assert_eq!(backwards.fields(), ["validUntil"]);
    let clash = patch_as(&t, &path, json!({"code": "flat5"}), &admin).await;
    assert_eq!(clash.assert_error(409, "conflict"), "promo_code.taken");
    let unknown = patch_as(&t, &format!("/api/admin/promo-codes/{}", Uuid::now_v7()), json!({"active": true}), &admin).await;
    unknown.assert_error(404, "not_found");

    let audit = t.audit().await;
    assert_eq!(audit.iter().filter(|row| row.starts_with("promo_code_saved|")).count(), 4, "{audit:?}");
});

api_test!(promo_code_rules_are_named_by_field_and_only_admins_manage_codes, |t| {
    let admin = t.admin("+96550021100").await;
    let mut broken = percent("ten off");
    broken["percentBasisPoints"] = json!(0);
    broken["currency"] = json!("KWD");
    broken["validUntil"] = json!("2025-01-01T00:00:00Z");
    broken["maxUses"] = json!(0);
    broken["productIds"] = json!([Uuid::now_v7()]);
    let refused = t.post_as("/api/admin/promo-codes", broken, &admin).await;
    assert_eq!(refused.assert_error(422, "validation"), "request.invalid_fields");
    assert_eq!(refused.fields(), ["code", "percentBasisPoints", "currency", "validUntil", "maxUses", "productIds"]);

    let mut mixed = percent("MIXED");
    mixed["amountMinor"] = json!(500);
    mixed.as_object_mut().expect("object").remove("percentBasisPoints");
    let mixed = t.post_as("/api/admin/promo-codes", mixed, &admin).await;
    mixed.assert_error(422, "validation");
    assert_eq!(mixed.fields(), ["amountMinor", "percentBasisPoints"]);
    let mut dollars = percent("DOLLARS");
    dollars["currency"] = json!("USD");
    assert_eq!(t.post_as("/api/admin/promo-codes", dollars, &admin).await.fields(), ["currency"]);
    let mut bogus = percent("BOGUS");
    bogus["discountKind"] = json!("bogus");
    let bogus = t.post_as("/api/admin/promo-codes", bogus, &admin).await;
    bogus.assert_error(400, "schema");
    assert_eq!(bogus.fields(), ["discountKind"]);
    let long = t.post_as("/api/admin/promo-codes", percent(&"A".repeat(65)), &admin).await;
    long.assert_error(400, "schema");
    assert_eq!(long.fields(), ["code"]);
    let limit = t.get_as("/api/admin/promo-codes?limit=0", &admin).await;
    limit.assert_error(422, "validation");
    assert_eq!(limit.fields(), ["limit"]);

    let customer = token(&t.customer("+96550021101").await, "accessToken");
    let by_customer = t.post_as("/api/admin/promo-codes", percent("MINE"), &customer).await;
    assert_eq!(by_customer.assert_error(403, "forbidden"), "auth.role_forbidden");
    t.get_as("/api/admin/promo-codes", &customer).await.assert_error(403, "forbidden");
    assert!(t.audit().await.iter().any(|row| row.starts_with("access_denied|POST /api/admin/promo-codes|")));
});
