//! The business dashboard over HTTP (`GET /api/admin/stats`): admins read the agreed shape (money
//! objects, every day of the range, names in the language asked for, `Cache-Control: no-store`);
//! customers get 403, a missing token 401, and a bad range 422 naming the field.
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Answer, TestApp, api_test, token};

const CASH: &[(&str, &str)] = &[("SABIL_CASH_ON_DELIVERY", "true")];

fn ok(a: &Answer) -> Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body.clone()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("id in {v}")).to_owned()
}

/// A cash order (so `confirmed` at once) of two packs by `me` in the Al Reem shop; returns the order.
async fn order(t: &TestApp, me: &str, shop: &(String, String, String), key: &str) -> Value {
    t.cash_order(me, shop, 54.41, key).await
}

async fn get_in(t: &TestApp, path: &str, token: &str, language: &str) -> Value {
    let resp = t.client.get(path).header("authorization", format!("Bearer {token}")).header("accept-language", language).send().await.0;
    assert_eq!(resp.status(), StatusCode::OK);
    serde_json::from_str(&resp.into_body().into_string().await.expect("body")).expect("json")
}

api_test!(admins_read_the_dashboard_of_the_last_thirty_days_by_default, CASH, |t| {
    let admin = t.admin("+96550121000").await;
    let me = token(&t.customer("+96550121001").await, "accessToken");
    let s = t.shop(&admin, ("Al Reem", "الريم"), 54.40).await;
    let kept = order(&t, &me, &s, "k1").await;
    let dropped = order(&t, &me, &s, "k2").await;
    ok(&t.post_as(&format!("/api/admin/orders/{}/status", id(&dropped)), json!({"status": "cancelled"}), &admin).await);

    let a = t.get_as("/api/admin/stats", &admin).await;
    let body = ok(&a);
    assert_eq!(a.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let paid = kept["totals"]["amountToPay"]["amount"].as_i64().expect("amount");
    let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+4)).date();
    assert_eq!(
        (body["to"].as_str(), body["from"].as_str()),
        (Some(&*today.to_string()), Some(&*(today - time::Duration::days(29)).to_string()))
    );
    assert_eq!(body["currency"], "AED");
    assert_eq!((&body["orders"], &body["revenueOrders"], &body["newCustomers"]), (&json!(2), &json!(1), &json!(1)), "{body}");
    assert_eq!(body["revenue"], json!({"amount": paid, "currency": "AED", "formatted": format!("{}.{:02} AED", paid / 100, paid % 100)}));
    assert_eq!(body["averageBasket"], body["revenue"]);
    let days = body["days"].as_array().expect("days");
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["date"], today.to_string());
    assert_eq!((&days[29]["orders"], &days[29]["revenue"]["amount"]), (&json!(2), &json!(paid)));
    assert_eq!((&days[0]["orders"], &days[0]["revenue"]["amount"], &days[0]["newCustomers"]), (&json!(0), &json!(0), &json!(0)));
    assert_eq!(body["byStatus"], json!([{"status": "cancelled", "orders": 1}, {"status": "confirmed", "orders": 1}]));
    assert_eq!((&body["byArea"][0]["name"], &body["byArea"][0]["orders"]), (&json!("Al Reem"), &json!(2)));
    assert_eq!((&body["topProducts"][0]["title"], &body["topProducts"][0]["packs"]), (&json!("Sabil 5 gallon"), &json!(2)));
    assert_eq!(body["ratings"], json!({"count": 0}), "an unknown average is left out, as every absent value");
    assert!(body["sync"]["pending"].as_i64().is_some_and(|n| n > 0), "the orders wait for SAP: {body}");
    assert_eq!(
        (&body["sync"]["deadLetters"], &body["sync"]["lastPush"], &body["sync"]["lastPull"]),
        (&json!(0), &Value::Null, &Value::Null)
    );
    assert!(body["sync"]["oldestPendingSeconds"].as_i64().is_some(), "{body}");

    let arabic = get_in(&t, &format!("/api/admin/stats?from={today}&to={today}"), &admin, "ar-AE,ar;q=0.9").await;
    assert_eq!((&arabic["byArea"][0]["name"], &arabic["topProducts"][0]["title"]), (&json!("الريم"), &json!("سبيل ٥ جالون")));
    assert_eq!(arabic["days"].as_array().map(Vec::len), Some(1));
    let english = get_in(&t, &format!("/api/admin/stats?from={today}&to={today}"), &admin, "en").await;
    assert_eq!(english["byArea"][0]["name"], "Al Reem");
});

api_test!(only_admins_read_the_dashboard_and_bad_ranges_name_the_field, |t| {
    let admin = t.admin("+96550122000").await;
    let me = token(&t.customer("+96550122001").await, "accessToken");
    t.get_as("/api/admin/stats", &me).await.assert_error(403, "forbidden");
    t.raw("GET", "/api/admin/stats", None, None, None).await.assert_error(401, "auth");
    let reversed = t.get_as("/api/admin/stats?from=2026-03-02&to=2026-03-01", &admin).await;
    reversed.assert_error(422, "validation");
    assert_eq!(reversed.fields(), ["to"]);
    let long = t.get_as("/api/admin/stats?from=2025-01-01&to=2026-01-02", &admin).await;
    long.assert_error(422, "validation");
    assert_eq!(long.fields(), ["to"]);
    ok(&t.get_as("/api/admin/stats?from=2024-01-01&to=2024-12-31", &admin).await);
    let bad = t.get_as("/api/admin/stats?from=yesterday&to=2026-13-01", &admin).await;
    bad.assert_error(422, "validation");
    assert_eq!(bad.fields(), ["from", "to"]);
    let only_to = ok(&t.get_as("/api/admin/stats?to=2026-03-31", &admin).await);
    assert_eq!((&only_to["from"], only_to["days"].as_array().map(Vec::len)), (&json!("2026-03-02"), Some(30)));
});
