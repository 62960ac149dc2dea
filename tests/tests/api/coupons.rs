//! The coupon wallet over HTTP: admins issue coupons (checked, audited), customers see their own
//! wallet only, in their language, with the history paged newest first.
use poem::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{Answer, TestApp, api_test, token};

/// Creates a product priced in the business's currency (AED by default); returns its id.
pub async fn product(t: &TestApp, admin: &str, title: &str) -> String {
    let body = json!({
        "titleAr": format!("{title} بالعربي"), "titleEn": title,
        "descriptionAr": "مياه نقية", "descriptionEn": "Pure water",
        "type": "refill", "volumeMl": 18900, "bottlesPerPack": 1,
        "price": {"amount": 1250, "currency": "AED"}, "minQuantity": 1, "maxQuantity": 10,
        "active": true, "sortOrder": 1
    });
    let a = t.post_as("/api/admin/products", body, admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["id"].as_str().expect("id").to_owned()
}

/// A verified customer's access token and account id.
async fn customer(t: &TestApp, phone: &str) -> (String, String) {
    let access = token(&t.customer(phone).await, "accessToken");
    let me = t.get_as("/api/users/me", &access).await;
    (access, me.body["id"].as_str().expect("id").to_owned())
}

fn issue(customer: &str, product: &str, count: u32, expires_at: Option<&str>) -> Value {
    let mut body = json!({"customerId": customer, "productId": product, "count": count, "note": "Ramadan gift"});
    if let Some(at) = expires_at {
        body["expiresAt"] = json!(at);
    }
    body
}

async fn issued(t: &TestApp, body: Value, admin: &str) -> Value {
    let a = t.post_as("/api/admin/coupons", body, admin).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body
}

async fn wallet(t: &TestApp, query: &str, bearer: &str, lang: &str) -> Answer {
    let resp = t
        .client
        .get(format!("/api/coupons/wallet{query}"))
        .header("authorization", format!("Bearer {bearer}"))
        .header("accept-language", lang)
        .send()
        .await
        .0;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = serde_json::from_str(&resp.into_body().into_string().await.expect("body")).unwrap_or(Value::Null);
    Answer { status, headers, body }
}

api_test!(admins_issue_coupons_and_each_customer_sees_their_own_wallet, |t| {
    let admin = t.admin("+96550020000").await;
    let gallon = product(&t, &admin, "Sabil 5 gallon").await;
    let (fatima, fatima_id) = customer(&t, "+96550020001").await;
    let (_, other_id) = customer(&t, "+96550020002").await;

    let first = issued(&t, issue(&fatima_id, &gallon, 10, Some("2099-01-01T00:00:00Z")), &admin).await;
    assert!(Uuid::parse_str(first["batchId"].as_str().expect("batch id")).is_ok());
    assert_eq!(first["balance"]["available"], 10);
    assert_eq!(first["balance"]["productTitle"], "Sabil 5 gallon");
    assert_eq!(first["balance"]["nextExpiry"], "2099-01-01T00:00:00Z");
    let second = issued(&t, issue(&fatima_id, &gallon, 5, None), &admin).await;
    assert_eq!((second["balance"]["available"].as_u64(), second["balance"]["productId"].as_str()), (Some(15), Some(gallon.as_str())));
    issued(&t, issue(&other_id, &gallon, 3, None), &admin).await;

    let mine = wallet(&t, "", &fatima, "ar").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(
        mine.body["balances"],
        json!([{"productId": gallon, "productTitle": "Sabil 5 gallon بالعربي", "available": 15,
                                              "nextExpiry": "2099-01-01T00:00:00Z"}])
    );
    let history = mine.body["history"]["items"].as_array().expect("history");
    let deltas: Vec<i64> = history.iter().map(|e| e["delta"].as_i64().expect("delta")).collect();
    assert_eq!(deltas, [5, 10], "newest first, another customer's coupons left out");
    assert_eq!(history[0]["kind"], "issued");
    assert!(history[0]["orderId"].is_null());

    let first_page = wallet(&t, "?limit=1", &fatima, "en").await;
    assert_eq!(first_page.body["history"]["items"][0]["delta"], 5);
    assert_eq!(first_page.body["history"]["items"][0]["productTitle"], "Sabil 5 gallon");
    let cursor = first_page.body["history"]["nextCursor"].as_str().expect("a next page").to_owned();
    let second_page = wallet(&t, &format!("?limit=1&cursor={cursor}"), &fatima, "en").await;
    assert_eq!(second_page.body["history"]["items"][0]["delta"], 10);
    assert!(second_page.body["history"]["nextCursor"].is_null());

    let audit = t.audit().await;
    let issues = audit.iter().filter(|row| row.starts_with("coupons_issued|POST /api/admin/coupons|")).count();
    assert_eq!(issues, 3, "{audit:?}");
});

api_test!(issuing_coupons_is_for_admins_and_names_every_bad_field, |t| {
    let admin = t.admin("+96550020100").await;
    let gallon = product(&t, &admin, "Sabil 5 gallon").await;
    let (fatima, fatima_id) = customer(&t, "+96550020101").await;

    let by_customer = t.post_as("/api/admin/coupons", issue(&fatima_id, &gallon, 1, None), &fatima).await;
    assert_eq!(by_customer.assert_error(403, "forbidden"), "auth.role_forbidden");
    let anonymous = t.post("/api/admin/coupons", issue(&fatima_id, &gallon, 1, None)).await;
    anonymous.assert_error(401, "auth");
    let admins_wallet = wallet(&t, "", &admin, "en").await;
    assert_eq!(admins_wallet.assert_error(403, "forbidden"), "auth.role_forbidden");

    for count in [0, 1001] {
        let refused = t.post_as("/api/admin/coupons", issue(&fatima_id, &gallon, count, None), &admin).await;
        refused.assert_error(400, "schema");
        assert_eq!(refused.fields(), ["count"], "{count}");
    }
    let nobody = Uuid::now_v7().to_string();
    let unknown = t.post_as("/api/admin/coupons", issue(&nobody, &nobody, 1, Some("2020-01-01T00:00:00Z")), &admin).await;
    assert_eq!(unknown.assert_error(422, "validation"), "request.invalid_fields");
    assert_eq!(unknown.fields(), ["customerId", "productId", "expiresAt"]);
    let admin_id = t.get_as("/api/users/me", &admin).await.body["id"].as_str().expect("id").to_owned();
    let to_admin = t.post_as("/api/admin/coupons", issue(&admin_id, &gallon, 1, None), &admin).await;
    to_admin.assert_error(422, "validation");
    assert_eq!(to_admin.fields(), ["customerId"]);
    let missing = t.post_as("/api/admin/coupons", json!({"customerId": fatima_id, "count": 1}), &admin).await;
    missing.assert_error(400, "schema");
    assert_eq!(missing.fields(), ["productId"]);
    let mut extra = issue(&fatima_id, &gallon, 1, None);
    extra["source"] = json!("sap");
    let unknown_field = t.post_as("/api/admin/coupons", extra, &admin).await;
    unknown_field.assert_error(400, "schema");
    assert_eq!(unknown_field.fields(), ["source"]);

    let bad_cursor = wallet(&t, "?cursor=not-a-cursor", &fatima, "en").await;
    bad_cursor.assert_error(422, "validation");
    assert_eq!(bad_cursor.fields(), ["cursor"]);
    let empty = wallet(&t, "", &fatima, "en").await;
    assert_eq!(empty.body, json!({"balances": [], "history": {"items": []}}), "nothing issued: an empty wallet");
});
