//! Mosques: customers list them nearest first or by area; admins create, replace and deactivate
//! them; everyone else is refused; bad input is named by field.
use poem::http::StatusCode;
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId};
use sabil_core::domain::{Currency, LocalizedText, Money};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{Answer, TestApp, api_test, token};

/// A delivery area straight in the store (its admin API belongs to the catalog tests).
pub async fn area(t: &TestApp, name: &str) -> String {
    let now = time::OffsetDateTime::now_utc();
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: LocalizedText { ar: format!("{name} ar"), en: name.to_owned() },
        boundary: None,
        delivery_fee: Money::new(500, Currency::Aed),
        minimum_order: Money::new(2_000, Currency::Aed),
        active: true,
        created_at: now,
        updated_at: now,
    };
    t.app.ports.delivery_areas.create(&area).await.expect("area");
    area.id.0.to_string()
}

pub async fn put_as(t: &TestApp, path: &str, body: Value, token: &str) -> Answer {
    t.raw("PUT", path, Some("application/json"), Some(body.to_string()), Some(token)).await
}

fn mosque(name: &str, area: &str, latitude: f64, longitude: f64) -> Value {
    json!({
        "name": {"ar": format!("مسجد {name}"), "en": name},
        "location": {"latitude": latitude, "longitude": longitude},
        "areaId": area,
        "active": true,
    })
}

async fn create(t: &TestApp, admin: &str, body: Value) -> String {
    let a = t.post_as("/api/admin/mosques", body, admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["id"].as_str().expect("id").to_owned()
}

fn names(a: &Answer) -> Vec<String> {
    a.body["items"].as_array().expect("items").iter().map(|m| m["name"].as_str().expect("name").to_owned()).collect()
}

api_test!(mosques_are_listed_nearest_first_with_distances_or_by_area, |t| {
    let admin = t.admin("+96550006000").await;
    let (a, b) = (area(&t, "Al Bateen").await, area(&t, "Deira").await);
    create(&t, &admin, mosque("Far", &a, 24.50, 54.37)).await;
    create(&t, &admin, mosque("Near", &a, 24.455, 54.37)).await;
    create(&t, &admin, mosque("Middle", &a, 24.47, 54.37)).await;
    create(&t, &admin, mosque("Dubai", &b, 25.27, 55.30)).await;
    let mut closed = mosque("Closed", &a, 24.451, 54.37);
    closed["active"] = json!(false);
    create(&t, &admin, closed).await;

    let near = t.raw("GET", "/api/mosques?latitude=24.45&longitude=54.37", None, None, None).await;
    assert_eq!(near.status, StatusCode::OK, "{}", near.body);
    assert_eq!(names(&near), ["Near", "Middle", "Far", "Dubai"], "nearest first, inactive hidden");
    let first = near.body["items"][0]["distanceMeters"].as_u64().expect("distance");
    assert!((550..=560).contains(&first), "{first} m");
    assert!(near.body["items"][3]["distanceMeters"].as_u64().expect("distance") > 100_000);

    let in_b = t.raw("GET", &format!("/api/mosques?areaId={b}"), None, None, None).await;
    assert_eq!(names(&in_b), ["Dubai"]);
    assert!(in_b.body["items"][0].get("distanceMeters").is_none(), "no point, no distance");
    let by_name = t.raw("GET", &format!("/api/mosques?areaId={a}"), None, None, None).await;
    assert_eq!(names(&by_name), ["Far", "Middle", "Near"]);

    let page = t.raw("GET", "/api/mosques?latitude=24.45&longitude=54.37&limit=2", None, None, None).await;
    assert_eq!(names(&page), ["Near", "Middle"]);
    let cursor = page.body["nextCursor"].as_str().expect("more");
    let rest = t.raw("GET", &format!("/api/mosques?latitude=24.45&longitude=54.37&limit=2&cursor={cursor}"), None, None, None).await;
    assert_eq!(names(&rest), ["Far", "Dubai"]);
    assert!(rest.body["nextCursor"].is_null());

    let arabic = t.client.get(format!("/api/mosques?areaId={b}")).header("accept-language", "ar-AE,ar;q=0.9").send().await;
    let body: Value = serde_json::from_str(&arabic.0.into_body().into_string().await.expect("body")).expect("json");
    assert_eq!(body["items"][0]["name"], "مسجد Dubai");
});

api_test!(bad_mosque_queries_name_the_parameter, |t| {
    let only_lat = t.raw("GET", "/api/mosques?latitude=24.45", None, None, None).await;
    only_lat.assert_error(422, "validation");
    assert_eq!(only_lat.fields(), ["longitude"]);
    let off_globe = t.raw("GET", "/api/mosques?latitude=91&longitude=54", None, None, None).await;
    off_globe.assert_error(422, "validation");
    assert_eq!(off_globe.fields(), ["latitude"]);
    let too_many = t.raw("GET", "/api/mosques?limit=51", None, None, None).await;
    too_many.assert_error(422, "validation");
    assert_eq!(too_many.fields(), ["limit"]);
    let not_a_number = t.raw("GET", "/api/mosques?latitude=north&longitude=54", None, None, None).await;
    not_a_number.assert_error(400, "schema");
    assert_eq!(not_a_number.fields(), ["latitude"]);
    let unknown = t.raw("GET", &format!("/api/mosques/{}", Uuid::now_v7()), None, None, None).await;
    assert_eq!(unknown.assert_error(404, "not_found"), "mosque.not_found");
});

api_test!(admins_create_replace_and_deactivate_mosques, |t| {
    let admin = t.admin("+96550006100").await;
    let a = area(&t, "Khalifa City").await;
    let mut body = mosque("Khalifa Mosque", &a, 24.42, 54.57);
    body["sapId"] = json!("MSQ-100");
    let created = t.post_as("/api/admin/mosques", body.clone(), &admin).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body["name"], json!({"ar": "مسجد Khalifa Mosque", "en": "Khalifa Mosque"}));
    assert_eq!((created.body["sapId"].as_str(), created.body["active"].as_bool()), (Some("MSQ-100"), Some(true)));
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(t.raw("GET", &format!("/api/mosques/{id}"), None, None, None).await.body["name"], "Khalifa Mosque");

    let mut twin = mosque("Twin", &a, 24.0, 54.0);
    twin["sapId"] = json!("MSQ-100");
    let twin = t.post_as("/api/admin/mosques", twin, &admin).await;
    assert_eq!(twin.assert_error(409, "conflict"), "mosque.sap_id_taken");

    let mut renamed = body.clone();
    renamed["name"]["en"] = json!("Khalifa Grand Mosque");
    renamed["sapId"] = Value::Null;
    renamed["active"] = json!(false);
    let updated = put_as(&t, &format!("/api/admin/mosques/{id}"), renamed.clone(), &admin).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!((updated.body["name"]["en"].as_str(), updated.body["sapId"].is_null()), (Some("Khalifa Grand Mosque"), true));
    assert_eq!(updated.body["createdAt"], created.body["createdAt"]);
    let hidden = t.raw("GET", &format!("/api/mosques/{id}"), None, None, None).await;
    assert_eq!(hidden.assert_error(404, "not_found"), "mosque.not_found");
    assert_eq!(names(&t.raw("GET", "/api/mosques", None, None, None).await), Vec::<String>::new());
    let all = t.get_as("/api/admin/mosques", &admin).await;
    assert_eq!(all.body["items"][0]["active"], false, "admins still see it");

    let missing = put_as(&t, &format!("/api/admin/mosques/{}", Uuid::now_v7()), renamed, &admin).await;
    assert_eq!(missing.assert_error(404, "not_found"), "mosque.not_found");
});

api_test!(bad_mosque_input_is_named_by_field_and_stores_nothing, |t| {
    let admin = t.admin("+96550006200").await;
    let a = area(&t, "Mussafah").await;
    let mut bad = mosque("", &a, 200.0, 54.0);
    bad["name"]["ar"] = json!("  ");
    bad["sapId"] = json!("x".repeat(65));
    let answer = t.post_as("/api/admin/mosques", bad, &admin).await;
    answer.assert_error(422, "validation");
    assert_eq!(answer.fields(), ["sapId", "name.ar", "location.latitude"]);

    let nowhere = t.post_as("/api/admin/mosques", mosque("Nowhere", &Uuid::now_v7().to_string(), 24.0, 54.0), &admin).await;
    nowhere.assert_error(422, "validation");
    assert_eq!(nowhere.fields(), ["areaId"]);

    let mut unknown = mosque("Extra", &a, 24.0, 54.0);
    unknown["isFeatured"] = json!(true);
    let a400 = t.post_as("/api/admin/mosques", unknown, &admin).await;
    a400.assert_error(400, "schema");
    assert_eq!(a400.fields(), ["isFeatured"]);
    let mut mistyped = mosque("Typed", &a, 24.0, 54.0);
    mistyped["location"]["longitude"] = json!("east");
    let typed = t.post_as("/api/admin/mosques", mistyped, &admin).await;
    typed.assert_error(400, "schema");
    assert_eq!(typed.fields(), ["location.longitude"]);

    let all = t.get_as("/api/admin/mosques", &admin).await;
    assert_eq!(all.body["items"].as_array().map(Vec::len), Some(0));
});

api_test!(customers_and_anonymous_callers_may_not_manage_mosques, |t| {
    let a = area(&t, "Reem Island").await;
    let customer = token(&t.customer("+96550006301").await, "accessToken");
    let body = mosque("Reem Mosque", &a, 24.49, 54.40);
    let refused = t.post_as("/api/admin/mosques", body.clone(), &customer).await;
    assert_eq!(refused.assert_error(403, "forbidden"), "auth.role_forbidden");
    put_as(&t, &format!("/api/admin/mosques/{}", Uuid::now_v7()), body.clone(), &customer).await.assert_error(403, "forbidden");
    t.get_as("/api/admin/mosques", &customer).await.assert_error(403, "forbidden");
    t.post("/api/admin/mosques", body).await.assert_error(401, "auth");
    assert!(t.audit().await.iter().any(|e| e.starts_with("access_denied|POST /api/admin/mosques|")));
});
