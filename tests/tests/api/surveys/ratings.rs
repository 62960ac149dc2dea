//! Ratings over HTTP: a customer rates their own order once it is delivered (cash on delivery here, so
//! no payment is needed), an after-delivery survey appears with the delivery, and admins read the
//! ratings and their averages per area and week.
use poem::http::StatusCode;
use serde_json::json;

use super::{create, id, status};
use crate::harness::{TestApp, api_test, token};

const CASH: &[(&str, &str)] = &[("SABIL_CASH_ON_DELIVERY", "true")];

/// A cash order of the customer `me` in the shop at `longitude`, placed and confirmed; returns its id.
async fn order(t: &TestApp, me: &str, shop: &(String, String, String), longitude: f64, key: &str) -> String {
    id(&t.cash_order(me, shop, longitude, key).await)
}

/// Moves the order to `to` as `admin`.
async fn move_to(t: &TestApp, admin: &str, order: &str, to: &str) {
    status(&t.post_as(&format!("/api/admin/orders/{order}/status"), json!({"status": to}), admin).await, StatusCode::OK);
}

api_test!(a_customer_rates_a_delivered_order_once_and_admins_read_the_averages, CASH, |t| {
    let admin = t.admin("+96550113000").await;
    let me = token(&t.customer("+96550113001").await, "accessToken");
    let other = token(&t.customer("+96550113002").await, "accessToken");
    let (reem, saadiyat) = (t.shop(&admin, ("Al Reem", "الريم"), 54.40).await, t.shop(&admin, ("Saadiyat", "السعديات"), 54.60).await);
    let first = order(&t, &me, &reem, 54.41, "k1").await;
    let second = order(&t, &me, &saadiyat, 54.61, "k2").await;
    let after = create(&t, &admin, "After delivery", true).await;
    assert_eq!(status(&t.get_as("/api/surveys", &me).await, StatusCode::OK), json!([]), "nothing delivered yet");

    let path = format!("/api/orders/{first}/rating");
    let early = t.post_as(&path, json!({"rating": 5}), &me).await;
    assert_eq!(early.assert_error(422, "validation"), "order.not_delivered");
    move_to(&t, &admin, &first, "out_for_delivery").await;
    move_to(&t, &admin, &first, "delivered").await;
    let offered = status(&t.get_as("/api/surveys", &me).await, StatusCode::OK);
    assert_eq!(offered[0]["id"], after["id"], "the after-delivery survey comes with the first delivery");

    let six = t.post_as(&path, json!({"rating": 6, "comment": "x".repeat(1_001)}), &me).await;
    six.assert_error(422, "validation");
    assert_eq!(six.fields(), ["rating", "comment"]);
    t.post_as(&path, json!({"rating": "five"}), &me).await.assert_error(400, "schema");
    assert_eq!(t.post_as(&path, json!({"rating": 5}), &other).await.assert_error(404, "not_found"), "order.not_found");
    t.post_as(&path, json!({"rating": 5}), &admin).await.assert_error(403, "forbidden");
    let rated = status(&t.post_as(&path, json!({"rating": 5, "comment": "  On time  "}), &me).await, StatusCode::CREATED);
    assert_eq!((&rated["rating"], &rated["comment"], &rated["areaId"]), (&json!(5), &json!("On time"), &json!(reem.0)));
    assert_eq!(t.post_as(&path, json!({"rating": 1}), &me).await.assert_error(409, "conflict"), "rating.already_given");
    move_to(&t, &admin, &second, "out_for_delivery").await;
    move_to(&t, &admin, &second, "delivered").await;
    status(&t.post_as(&format!("/api/orders/{second}/rating"), json!({"rating": 2}), &me).await, StatusCode::CREATED);

    let today = time::OffsetDateTime::now_utc().date();
    let (from, to) = (today - time::Duration::days(1), today + time::Duration::days(1));
    let summary = t.get_as(&format!("/api/admin/ratings/summary?from={from}&to={to}"), &admin).await;
    let summary = status(&summary, StatusCode::OK);
    assert_eq!((&summary["overall"]["count"], &summary["overall"]["average"]), (&json!(2), &json!(3.5)));
    let mut areas: Vec<(String, u64)> = summary["byArea"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| (a["areaName"].as_str().expect("name").to_owned(), a["ratings"]["count"].as_u64().expect("count")))
        .collect();
    areas.sort();
    assert_eq!(areas, [("Al Reem".to_owned(), 1), ("Saadiyat".to_owned(), 1)]);
    let weeks: u64 = summary["byWeek"].as_array().expect("weeks").iter().map(|w| w["ratings"]["count"].as_u64().expect("n")).sum();
    assert_eq!(weeks, 2);
    assert!(summary["byWeek"][0]["week"].as_str().is_some_and(|w| w.contains("-W")), "{summary}");
    let listed = status(&t.get_as(&format!("/api/admin/ratings?areaId={}", saadiyat.0), &admin).await, StatusCode::OK);
    assert_eq!((listed["items"].as_array().map(Vec::len), &listed["items"][0]["rating"]), (Some(1), &json!(2)));

    let bad = t.get_as("/api/admin/ratings/summary?from=yesterday&to=2030-01-01", &admin).await;
    bad.assert_error(422, "validation");
    assert_eq!(bad.fields(), ["from"]);
    let backwards = t.get_as(&format!("/api/admin/ratings/summary?from={to}&to={from}"), &admin).await;
    assert_eq!(backwards.fields(), ["to"]);
    t.get_as(&format!("/api/admin/ratings/summary?from={from}"), &admin).await.assert_error(400, "schema");
    t.get_as(&format!("/api/admin/ratings/summary?from={from}&to={to}"), &me).await.assert_error(403, "forbidden");
    t.get_as("/api/admin/ratings", &me).await.assert_error(403, "forbidden");
    assert_eq!(t.get_as("/api/admin/ratings?limit=0", &admin).await.fields(), ["limit"]);
});
