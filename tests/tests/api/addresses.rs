//! `/api/addresses`: a customer's own delivery addresses, each placed in the delivery area that
//! serves its pin; other customers' addresses answer 404; bad input answers in the one error shape.
use poem::http::StatusCode;
use sabil_core::domain::delivery::{AreaBoundary, DeliveryArea, DeliveryAreaId, MapPoint};
use sabil_core::domain::{Currency, LocalizedText, Money};
use serde_json::{Value, json};
use time::macros::datetime;
use uuid::Uuid;

use crate::harness::{Answer, TestApp, api_test, token};

/// A rectangle of longitudes and latitudes, active or not; returns its id.
async fn area(t: &TestApp, name: &str, (lon_min, lon_max): (f64, f64), (lat_min, lat_max): (f64, f64), active: bool) -> String {
    let ring = [(lon_min, lat_min), (lon_max, lat_min), (lon_max, lat_max), (lon_min, lat_max), (lon_min, lat_min)]
        .map(|(longitude, latitude)| MapPoint { latitude, longitude })
        .to_vec();
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: LocalizedText { ar: format!("{name} (ar)"), en: name.to_owned() },
        boundary: Some(AreaBoundary::parse(vec![vec![ring]]).expect("valid boundary")),
        delivery_fee: Money::new(500, Currency::Aed),
        minimum_order: Money::new(2_000, Currency::Aed),
        active,
        created_at: datetime!(2026-01-01 0:00 UTC),
        updated_at: datetime!(2026-01-01 0:00 UTC),
    };
    t.app.ports.delivery_areas.create(&area).await.expect("area stored");
    area.id.0.to_string()
}

/// Al Reem Island, roughly.
async fn reem(t: &TestApp) -> String {
    area(t, "Al Reem Island", (54.38, 54.42), (24.48, 24.52), true).await
}

/// Dubai Marina, roughly.
async fn marina(t: &TestApp) -> String {
    area(t, "Dubai Marina", (55.12, 55.16), (25.06, 25.10), true).await
}

const IN_REEM: (f64, f64) = (24.4961, 54.4026);
const IN_MARINA: (f64, f64) = (25.0805, 55.1403);
/// The open sea between Abu Dhabi and Dubai.
const AT_SEA: (f64, f64) = (24.90, 54.20);

fn location((latitude, longitude): (f64, f64)) -> Value {
    json!({"latitude": latitude, "longitude": longitude})
}

fn house(at: (f64, f64)) -> Value {
    json!({"type": "house", "label": "Home", "block": "3", "street": "Street 12", "avenue": "Avenue 4", "house": "14A",
           "directions": "Blue gate.\nRing twice.", "location": location(at)})
}

fn apartment(at: (f64, f64)) -> Value {
    json!({"type": "apartment", "label": "بيت العائلة", "block": "1", "street": "Najda St", "building": "Sky Tower",
           "floor": "G", "apartment": "12", "location": location(at)})
}

fn office(at: (f64, f64)) -> Value {
    json!({"type": "office", "label": "Work", "block": "E12", "street": "Marina Walk", "building": "7", "floor": "14",
           "office": "1403", "location": location(at)})
}

async fn customer(t: &TestApp, phone: &str) -> String {
    token(&t.customer(phone).await, "accessToken")
}

async fn put_as(t: &TestApp, path: &str, body: &Value, token: &str) -> Answer {
    t.raw("PUT", path, Some("application/json"), Some(body.to_string()), Some(token)).await
}

async fn delete_as(t: &TestApp, path: &str, token: &str) -> Answer {
    t.raw("DELETE", path, None, None, Some(token)).await
}

async fn create(t: &TestApp, body: Value, token: &str) -> Value {
    let a = t.post_as("/api/addresses", body, token).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body
}

async fn count(t: &TestApp, token: &str) -> usize {
    let a = t.get_as("/api/addresses", token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["items"].as_array().expect("items").len()
}

api_test!(each_type_of_address_is_stored_in_the_area_of_its_pin, |t| {
    let reem = reem(&t).await;
    let marina = marina(&t).await;
    let me = customer(&t, "+96550002001").await;

    let a = t.post_as("/api/addresses", house(IN_REEM), &me).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let id = a.body["id"].as_str().expect("id").to_owned();
    assert_eq!(a.headers.get("location").and_then(|v| v.to_str().ok()), Some(format!("/api/addresses/{id}").as_str()));
    // Fields a house does not have are left out, not null (the spec declares nothing nullable).
    let expected = json!({"id": id, "type": "house", "label": "Home", "block": "3", "street": "Street 12", "avenue": "Avenue 4",
        "house": "14A", "directions": "Blue gate.\nRing twice.",
        "location": location(IN_REEM), "areaId": reem, "createdAt": a.body["createdAt"], "updatedAt": a.body["createdAt"]});
    assert_eq!(a.body, expected);

    let flat = create(&t, apartment(IN_REEM), &me).await;
    assert_eq!((flat["type"].as_str(), flat["floor"].as_str(), flat["house"].as_str()), (Some("apartment"), Some("G"), None));
    assert_eq!(flat["label"], "بيت العائلة");
    let work = create(&t, office(IN_MARINA), &me).await;
    assert_eq!((work["office"].as_str(), work["areaId"].as_str()), (Some("1403"), Some(marina.as_str())));

    let list = t.get_as("/api/addresses", &me).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["items"], json!([expected, flat, work]), "oldest first, exactly as created");
    assert!(list.body["nextCursor"].is_null());
    let one = t.get_as(&format!("/api/addresses/{id}"), &me).await;
    assert_eq!((one.status, one.body.clone()), (StatusCode::OK, expected));
});

api_test!(each_type_names_the_fields_it_is_missing_or_does_not_take, |t| {
    reem(&t).await;
    let me = customer(&t, "+96550002002").await;
    let cases = [
        (
            {
                let mut b = house(IN_REEM);
                b.as_object_mut().unwrap().remove("house");
                b
            },
            vec!["house"],
        ),
        (
            json!({"type": "apartment", "label": "Flat", "block": "1", "street": "Najda St", "location": location(IN_REEM)}),
            vec!["building", "floor", "apartment"],
        ),
        (
            {
                let mut b = office(IN_REEM);
                b["office"] = json!("  ");
                b["apartment"] = json!("3");
                b
            },
            vec!["office", "apartment"],
        ),
        (
            {
                let mut b = apartment(IN_REEM);
                b["house"] = json!("9");
                b
            },
            vec!["house"],
        ),
        (
            {
                let mut b = house(IN_REEM);
                b["label"] = json!("");
                b["street"] = json!("s".repeat(101));
                b
            },
            vec!["label", "street"],
        ),
        (
            {
                let mut b = house(IN_REEM);
                b["location"] = json!({"latitude": 91.0, "longitude": 54.4});
                b
            },
            vec!["location.latitude"],
        ),
    ];
    for (body, fields) in cases {
        let a = t.post_as("/api/addresses", body.clone(), &me).await;
        assert_eq!(a.assert_error(422, "validation"), "request.invalid_fields", "{body}");
        assert_eq!(a.fields(), fields, "{}", a.body);
    }
    let a = t
        .post_as("/api/addresses", json!({"type": "office", "label": "W", "block": "1", "street": "S", "location": location(IN_REEM)}), &me)
        .await;
    assert!(a.body["error"]["fields"][0]["problem"].as_str().is_some_and(|p| p.contains("required for an office")), "{}", a.body);
    assert_eq!(count(&t, &me).await, 0, "nothing stored");
});

api_test!(a_pin_outside_every_area_is_refused_with_a_hint, |t| {
    reem(&t).await;
    area(&t, "Closed Island", (54.10, 54.30), (24.80, 25.00), false).await;
    let me = customer(&t, "+96550002003").await;
    let a = t.post_as("/api/addresses", house(AT_SEA), &me).await;
    assert_eq!(a.assert_error(422, "validation"), "address.outside_delivery_area", "an inactive area serves no pin");
    assert_eq!(a.fields(), ["location"]);
    assert!(a.body["error"]["hint"].as_str().is_some_and(|h| h.contains("GET /api/delivery-areas")), "{}", a.body);
    assert_eq!(count(&t, &me).await, 0);
});

api_test!(a_chosen_area_must_exist_be_active_and_contain_the_pin, |t| {
    let reem = reem(&t).await;
    let marina = marina(&t).await;
    let closed = area(&t, "Closed Island", (54.38, 54.42), (24.48, 24.52), false).await;
    let me = customer(&t, "+96550002004").await;
    let with_area = |at, area: &str| {
        let mut b = house(at);
        b["areaId"] = json!(area);
        b
    };

    let a = t.post_as("/api/addresses", with_area(IN_REEM, &marina), &me).await;
    assert_eq!(a.assert_error(422, "validation"), "address.outside_chosen_area");
    assert_eq!(a.fields(), ["location", "areaId"]);
    let a = t.post_as("/api/addresses", with_area(IN_REEM, &closed), &me).await;
    assert_eq!(a.assert_error(422, "validation"), "address.area_inactive");
    assert_eq!(a.fields(), ["areaId"]);
    let a = t.post_as("/api/addresses", with_area(IN_REEM, &Uuid::now_v7().to_string()), &me).await;
    assert_eq!(a.assert_error(422, "validation"), "address.area_unknown");

    let chosen = create(&t, with_area(IN_REEM, &reem), &me).await;
    assert_eq!(chosen["areaId"], reem);
    assert_eq!(count(&t, &me).await, 1);
});

api_test!(another_customers_address_answers_404_like_a_missing_one, |t| {
    reem(&t).await;
    let owner = customer(&t, "+96550002005").await;
    let stranger = customer(&t, "+96550002006").await;
    let mine = create(&t, house(IN_REEM), &owner).await;
    let path = format!("/api/addresses/{}", mine["id"].as_str().expect("id"));
    let missing = format!("/api/addresses/{}", Uuid::now_v7());

    for p in [&path, &missing] {
        let got = t.get_as(p, &stranger).await;
        assert_eq!(got.assert_error(404, "not_found"), "address.not_found");
        let put = put_as(&t, p, &office(AT_SEA), &stranger).await;
        assert_eq!(put.assert_error(404, "not_found"), "address.not_found", "existence comes before the area check");
        let del = delete_as(&t, p, &stranger).await;
        assert_eq!(del.assert_error(404, "not_found"), "address.not_found");
        assert_eq!(got.body, del.body, "someone else's address and a missing one look the same");
    }
    assert_eq!(count(&t, &stranger).await, 0);
    let still = t.get_as(&path, &owner).await;
    assert_eq!((still.status, still.body.clone()), (StatusCode::OK, mine), "untouched");
});

api_test!(malformed_unknown_and_mistyped_input_is_a_schema_error, |t| {
    reem(&t).await;
    let me = customer(&t, "+96550002007").await;
    let existing = create(&t, house(IN_REEM), &me).await;
    let path = format!("/api/addresses/{}", existing["id"].as_str().expect("id"));
    let json_ct = Some("application/json");
    for (method, p) in [("POST", "/api/addresses"), ("PUT", path.as_str())] {
        let a = t.raw(method, p, json_ct, Some("{\"type\": \"house\",".to_owned()), Some(&me)).await;
        assert_eq!(a.assert_error(400, "schema"), "request.malformed_json", "{method}");

        let mut unknown = house(IN_REEM);
        unknown["isDefault"] = json!(true);
        let a = t.raw(method, p, json_ct, Some(unknown.to_string()), Some(&me)).await;
        assert_eq!(a.assert_error(400, "schema"), "request.invalid_json", "{method}");
        assert_eq!(a.fields(), ["isDefault"]);

        let mut nested = house(IN_REEM);
        nested["location"]["accuracy"] = json!(5);
        let a = t.raw(method, p, json_ct, Some(nested.to_string()), Some(&me)).await;
        assert_eq!(a.assert_error(400, "schema"), "request.invalid_json", "{method}");
        assert_eq!(a.fields(), ["location.accuracy"]);

        for (field, wrong) in [("type", json!("villa")), ("location", json!("24.4,54.4")), ("areaId", json!("reem")), ("street", json!(12))]
        {
            let mut b = house(IN_REEM);
            b[field] = wrong;
            let a = t.raw(method, p, json_ct, Some(b.to_string()), Some(&me)).await;
            assert_eq!(a.assert_error(400, "schema"), "request.invalid_json", "{method} {field}");
            assert_eq!(a.fields(), [field], "{method}: {}", a.body);
        }

        let mut missing = house(IN_REEM);
        missing.as_object_mut().unwrap().remove("location");
        let a = t.raw(method, p, json_ct, Some(missing.to_string()), Some(&me)).await;
        assert_eq!(a.fields(), ["location"], "{method}: {}", a.body);

        let a = t.raw(method, p, json_ct, None, Some(&me)).await;
        assert_eq!(a.assert_error(400, "schema"), "request.missing_body", "{method}");
    }
    let a = t.get_as("/api/addresses/not-a-uuid", &me).await;
    a.assert_error(400, "schema");
    assert_eq!(count(&t, &me).await, 1, "nothing stored");
    let unchanged = t.get_as(&path, &me).await;
    assert_eq!(unchanged.body, existing, "nothing changed");
});

api_test!(the_twenty_first_address_is_refused_until_one_is_deleted, |t| {
    reem(&t).await;
    let me = customer(&t, "+96550002008").await;
    let mut first = None;
    for n in 0..20 {
        let mut b = house(IN_REEM);
        b["label"] = json!(format!("Home {n}"));
        let created = create(&t, b, &me).await;
        first.get_or_insert(created["id"].as_str().expect("id").to_owned());
    }
    let a = t.post_as("/api/addresses", house(IN_REEM), &me).await;
    assert_eq!(a.assert_error(422, "validation"), "address.limit_reached");
    assert!(a.body["error"]["message"].as_str().is_some_and(|m| m.contains("20")), "{}", a.body);
    assert_eq!(count(&t, &me).await, 20);

    let other = customer(&t, "+96550002009").await;
    create(&t, house(IN_REEM), &other).await;

    let first = first.expect("first id");
    assert_eq!(delete_as(&t, &format!("/api/addresses/{first}"), &me).await.status, StatusCode::NO_CONTENT);
    create(&t, house(IN_REEM), &me).await;
});

api_test!(an_address_is_replaced_whole_and_deleted_for_good, |t| {
    let reem = reem(&t).await;
    let marina = marina(&t).await;
    let me = customer(&t, "+96550002010").await;
    let created = create(&t, house(IN_REEM), &me).await;
    assert_eq!(created["areaId"], reem);
    let path = format!("/api/addresses/{}", created["id"].as_str().expect("id"));

    let a = put_as(&t, &path, &apartment(IN_MARINA), &me).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        (a.body["id"].clone(), a.body["type"].as_str(), a.body["areaId"].clone()),
        (created["id"].clone(), Some("apartment"), json!(marina))
    );
    assert_eq!(
        (a.body["house"].clone(), a.body["avenue"].clone(), a.body["directions"].clone()),
        (Value::Null, Value::Null, Value::Null),
        "what the new body leaves out is gone"
    );
    assert_eq!(a.body["createdAt"], created["createdAt"]);
    assert_ne!(a.body["updatedAt"], created["updatedAt"]);
    let read = t.get_as(&path, &me).await;
    assert_eq!(read.body, a.body);

    let refused = put_as(&t, &path, &office(AT_SEA), &me).await;
    assert_eq!(refused.assert_error(422, "validation"), "address.outside_delivery_area");
    assert_eq!(t.get_as(&path, &me).await.body, a.body, "a refused update changes nothing");

    let gone = delete_as(&t, &path, &me).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(gone.body, Value::Null);
    assert_eq!(t.get_as(&path, &me).await.assert_error(404, "not_found"), "address.not_found");
    assert_eq!(delete_as(&t, &path, &me).await.assert_error(404, "not_found"), "address.not_found");
    assert_eq!(count(&t, &me).await, 0);
});

api_test!(only_signed_in_customers_have_addresses, |t| {
    reem(&t).await;
    let admin = t.admin("+96550002011").await;
    let a = t.post_as("/api/addresses", house(IN_REEM), &admin).await;
    assert_eq!(a.assert_error(403, "forbidden"), "auth.role_forbidden");
    assert_eq!(t.get_as("/api/addresses", &admin).await.assert_error(403, "forbidden"), "auth.role_forbidden");
    let anonymous = t.raw("GET", "/api/addresses", None, None, None).await;
    anonymous.assert_error(401, "auth");
    let forged = t.get_as("/api/addresses", "not-a-token").await;
    forged.assert_error(401, "auth");
});
