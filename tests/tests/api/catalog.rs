//! The catalog over HTTP: admins build it, customers browse it in their language, areas are found
//! by a point, slots list the places left.
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, api_test, token};

fn square(lon: f64, lat: f64, side: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]]})
}

fn product_body(title: &str, active: bool, sort_order: i32) -> Value {
    json!({
        "titleAr": format!("{title} بالعربي"), "titleEn": title,
        "descriptionAr": "مياه نقية", "descriptionEn": "Pure water",
        "type": "refill", "volumeMl": 18900, "bottlesPerPack": 1,
        "price": {"amount": 1250, "currency": "AED"}, "minQuantity": 1, "maxQuantity": 10,
        "active": active, "sortOrder": sort_order
    })
}

async fn area(t: &TestApp, admin: &str, name: &str, boundary: Value) -> String {
    let body = json!({"nameAr": format!("{name} ar"), "nameEn": name, "boundary": boundary,
                      "deliveryFee": {"amount": 500, "currency": "AED"}, "minimumOrder": {"amount": 2000, "currency": "AED"}, "active": true});
    let a = t.post_as("/api/admin/delivery-areas", body, admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["id"].as_str().expect("id").to_owned()
}

api_test!(admins_build_the_catalog_and_customers_browse_it_in_their_language, |t| {
    let admin = t.admin("+96550010000").await;
    let first = t.post_as("/api/admin/products", product_body("Sabil 5 gallon", true, 1), &admin).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let hidden = t.post_as("/api/admin/products", product_body("Old label", false, 2), &admin).await;
    let hidden_id = hidden.body["id"].as_str().expect("id").to_owned();

    let list = t.raw("GET", "/api/products", None, None, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1), "customers see active products only");
    assert_eq!(list.body["items"][0]["title"], "Sabil 5 gallon");
    assert_eq!(list.body["items"][0]["price"], json!({"amount": 1250, "currency": "AED", "formatted": "12.50 AED"}));
    let arabic = t.client.get("/api/products").header("accept-language", "ar-KW,ar;q=0.9").send().await.json().await;
    arabic.value().object().get("items").array().get(0).object().get("title").assert_string("Sabil 5 gallon بالعربي");
    let missing = t.raw("GET", &format!("/api/products/{hidden_id}"), None, None, None).await;
    assert_eq!(missing.assert_error(404, "not_found"), "product.not_found");
    let everything = t.get_as("/api/admin/products", &admin).await;
    assert_eq!(everything.body["items"].as_array().map(Vec::len), Some(2), "admins see inactive ones too");

    let id = first.body["id"].as_str().expect("id").to_owned();
    let promo = json!({"titleAr": "عرض", "titleEn": "Buy 10 get 2", "kind": "buy_get_free", "buyPacks": 10, "freePacks": 2,
                       "validFrom": "2020-01-01T00:00:00Z", "validUntil": "2099-01-01T00:00:00Z", "productIds": [id], "active": true});
    let created = t.post_as("/api/admin/promotions", promo, &admin).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let now = t.raw("GET", "/api/promotions", None, None, None).await;
    assert_eq!(now.body.as_array().map(Vec::len), Some(1));
    assert_eq!(now.body[0]["freePacks"], 2);
});

api_test!(the_area_covering_a_point_is_found_boundary_included, |t| {
    let admin = t.admin("+96550010100").await;
    let reem = area(&t, &admin, "Al Reem Island", square(54.40, 24.49, 0.02)).await;
    let inside = t.raw("GET", "/api/delivery-areas/lookup?latitude=24.50&longitude=54.41", None, None, None).await;
    assert_eq!((inside.status, inside.body["id"].as_str()), (StatusCode::OK, Some(reem.as_str())));
    let on_edge = t.raw("GET", "/api/delivery-areas/lookup?latitude=24.49&longitude=54.41", None, None, None).await;
    assert_eq!(on_edge.body["id"].as_str(), Some(reem.as_str()), "the boundary counts as inside");
    let outside = t.raw("GET", "/api/delivery-areas/lookup?latitude=25.20&longitude=55.27", None, None, None).await;
    assert_eq!(outside.assert_error(404, "not_found"), "delivery.outside_areas");
    let off_globe = t.raw("GET", "/api/delivery-areas/lookup?latitude=124&longitude=54", None, None, None).await;
    assert_eq!(off_globe.fields(), vec!["latitude"]);
    let areas = t.raw("GET", "/api/delivery-areas", None, None, None).await;
    assert_eq!(areas.body[0]["boundary"]["type"], "MultiPolygon");
});

api_test!(slots_list_places_left_and_close_when_full, |t| {
    let admin = t.admin("+96550010200").await;
    let area_id = area(&t, &admin, "Khalifa City", square(54.55, 24.40, 0.05)).await;
    let slot = t
        .post_as(
            "/api/admin/delivery-slots",
            json!({"areaId": area_id, "weekday": "sunday", "startsAt": "10:00", "endsAt": "12:00", "capacity": 2, "active": true}),
            &admin,
        )
        .await;
    assert_eq!(slot.status, StatusCode::OK, "{}", slot.body);
    let slot_id = slot.body["id"].as_str().expect("id").to_owned();
    // 2030-01-06 is a Sunday; Asia/Dubai is UTC+4.
    let listed = t.raw("GET", &format!("/api/delivery-slots?areaId={area_id}&from=2030-01-06&days=7"), None, None, None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert_eq!(listed.body[0]["startsAt"], "2030-01-06T06:00:00Z");
    assert_eq!((listed.body[0]["remaining"].as_u64(), listed.body[0]["bookable"].as_bool()), (Some(2), Some(true)));

    let id = sabil_core::domain::delivery::DeliverySlotId(uuid::Uuid::parse_str(&slot_id).expect("uuid"));
    for _ in 0..2 {
        assert!(t.app.ports.delivery_slots.reserve(id, time::macros::date!(2030 - 01 - 06)).await.expect("reserve"));
    }
    let full = t.raw("GET", &format!("/api/delivery-slots?areaId={area_id}&from=2030-01-06&days=1"), None, None, None).await;
    assert_eq!((full.body[0]["remaining"].as_u64(), full.body[0]["bookable"].as_bool()), (Some(0), Some(false)));

    let too_many = t.raw("GET", &format!("/api/delivery-slots?areaId={area_id}&days=40"), None, None, None).await;
    assert_eq!(too_many.fields(), vec!["days"]);
    let bad_date = t.raw("GET", &format!("/api/delivery-slots?areaId={area_id}&from=06-01-2030"), None, None, None).await;
    assert_eq!(bad_date.fields(), vec!["from"]);
    let unknown = t.raw("GET", &format!("/api/delivery-slots?areaId={}", uuid::Uuid::now_v7()), None, None, None).await;
    assert_eq!(unknown.assert_error(404, "not_found"), "delivery_area.not_found");
});

api_test!(admin_catalog_input_is_checked_field_by_field, |t| {
    let admin = t.admin("+96550010300").await;
    let mut bad = product_body("Sabil", true, 1);
    bad["minQuantity"] = json!(5);
    bad["maxQuantity"] = json!(2);
    bad["price"] = json!({"amount": 100, "currency": "USD"});
    let a = t.post_as("/api/admin/products", bad, &admin).await;
    assert_eq!(a.assert_error(422, "validation"), "request.invalid_fields");
    assert_eq!(a.fields(), vec!["price.currency"]);
    let mut bad = product_body("Sabil", true, 1);
    bad["maxQuantity"] = json!(0);
    assert_eq!(t.post_as("/api/admin/products", bad, &admin).await.fields(), vec!["maxQuantity"]);

    let open_ring = json!({"type": "Polygon", "coordinates": [[[54.0, 24.0], [54.1, 24.0], [54.1, 24.1], [54.0, 24.1]]]});
    let body = json!({"nameAr": "x", "nameEn": "X", "boundary": open_ring, "deliveryFee": {"amount": 0, "currency": "AED"},
                      "minimumOrder": {"amount": 0, "currency": "KWD"}, "active": true});
    let a = t.post_as("/api/admin/delivery-areas", body, &admin).await;
    assert_eq!(a.assert_error(422, "validation"), "request.invalid_fields");
    assert!(a.fields().contains(&"boundary".to_owned()), "{}", a.body);

    let area_id = area(&t, &admin, "Saadiyat", square(54.43, 24.53, 0.03)).await;
    let backwards = json!({"areaId": area_id, "weekday": "funday", "startsAt": "12:00", "endsAt": "10:00", "capacity": 5, "active": true});
    assert_eq!(t.post_as("/api/admin/delivery-slots", backwards, &admin).await.fields(), vec!["weekday"]);
    let backwards = json!({"areaId": area_id, "weekday": "monday", "startsAt": "12:00", "endsAt": "10:00", "capacity": 5, "active": true});
    assert_eq!(t.post_as("/api/admin/delivery-slots", backwards, &admin).await.fields(), vec!["endsAt"]);

    let unknown = t
        .raw(
            "PUT",
            &format!("/api/admin/products/{}", uuid::Uuid::now_v7()),
            Some("application/json"),
            Some(product_body("X", true, 1).to_string()),
            Some(&admin),
        )
        .await;
    assert_eq!(unknown.assert_error(404, "not_found"), "product.not_found");
    let customer = t.customer("+96550010301").await;
    let denied = t.post_as("/api/admin/products", product_body("Sabil", true, 1), &token(&customer, "accessToken")).await;
    assert_eq!(denied.assert_error(403, "forbidden"), "auth.role_forbidden");
});

api_test!(a_product_image_must_be_an_uploaded_file, |t| {
    let admin = t.admin("+96550010400").await;
    let mut body = product_body("Sabil", true, 1);
    body["imageId"] = json!(uuid::Uuid::now_v7());
    let a = t.post_as("/api/admin/products", body.clone(), &admin).await;
    assert_eq!(a.fields(), vec!["imageId"]);
    let png = [0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
    let resp = t
        .client
        .post("/api/admin/files")
        .header("authorization", format!("Bearer {admin}"))
        .content_type("image/png")
        .body(png.to_vec())
        .send()
        .await;
    let uploaded: serde_json::Value = serde_json::from_str(&resp.0.into_body().into_string().await.expect("body")).expect("json");
    body["imageId"] = uploaded["id"].clone();
    let created = t.post_as("/api/admin/products", body, &admin).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body["imageUrl"], format!("/api/files/{}", uploaded["id"].as_str().expect("id")));
});
