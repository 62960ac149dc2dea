//! The SAP integration over HTTP: our change feed as SAP reads, pages and confirms it, and SAP's
//! changes to products, promotions, customers, orders, coupons and delivery addresses — applied by
//! version, refused in the one error shape, and every refusal kept in `sync_failures`.
use std::collections::HashSet;

use poem::http::StatusCode;
use sabil_core::domain::UserId;
use sabil_core::domain::address::AddressId;
use sabil_core::ports::SyncFailure;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::harness::{Answer, PASSWORD, TestApp, api_test, token};

/// Signs in a fresh SAP client; returns its access token.
async fn sap_token(t: &TestApp) -> String {
    let created = t.app.accounts.create_sap_client("SAP test").await.expect("SAP client created");
    let login = t.post("/api/auth/sap/login", json!({"clientId": created.client.client_id, "clientSecret": created.secret})).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    token(&login.body, "accessToken")
}

async fn send(t: &TestApp, method: &str, path: &str, body: &Value, token: &str) -> Answer {
    t.raw(method, path, Some("application/json"), Some(body.to_string()), Some(token)).await
}

/// A read without a token (the one the catalog cache serves).
async fn anonymous_get(t: &TestApp, path: &str) -> Answer {
    t.raw("GET", path, None, None, None).await
}

fn cache_source(a: &Answer) -> &str {
    a.headers.get("x-cache").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// SAP's body of a refill product priced `price` fils.
fn product(sap_id: &str, version: i64, price: Value) -> Value {
    json!({"sapId": sap_id, "version": version, "titleEn": "Sabil 5 gallon", "titleAr": "سبيل ٥ جالون", "type": "refill",
           "volumeMl": 18900, "bottlesPerPack": 1, "price": price, "currency": "AED"})
}

/// Applies `body` and expects success with `result`; returns our id of the entity.
async fn applied(t: &TestApp, method: &str, path: &str, body: &Value, sap: &str, result: &str) -> String {
    let a = send(t, method, path, body, sap).await;
    assert_eq!(a.status, StatusCode::OK, "{method} {path} {body}: {}", a.body);
    assert_eq!(a.body["result"], result, "{method} {path} {body}: {}", a.body);
    assert_eq!(a.body["sapId"], body["sapId"], "{}", a.body);
    assert_eq!(a.body["version"], body["version"], "{}", a.body);
    a.body["appId"].as_str().expect("appId").to_owned()
}

/// The caller's user id.
async fn my_id(t: &TestApp, me: &str) -> String {
    let a = t.get_as("/api/users/me", me).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["id"].as_str().expect("id").to_owned()
}

/// The one change refused since the ids in `seen` (which it joins).
async fn one_new_failure(t: &TestApp, seen: &mut HashSet<Uuid>) -> SyncFailure {
    let all = t.app.ports.sync_failures.recent(1000).await.expect("sync_failures readable");
    let new: Vec<SyncFailure> = all.into_iter().filter(|f| !seen.contains(&f.id)).collect();
    assert_eq!(new.len(), 1, "one refused change logged, got {new:?}");
    seen.insert(new[0].id);
    new.into_iter().next().expect("one")
}

/// Checks a logged refusal: its status and type, the payload as sent, and the fields its errors name.
fn assert_failure(f: &SyncFailure, status: u16, error_type: &str, payload: &Value, fields: &[&str]) {
    assert_eq!((f.status, f.error_type.as_str()), (status, error_type), "{f:?}");
    let kept: Value = serde_json::from_str(&f.payload).expect("the payload is kept as JSON");
    assert_eq!(&kept, payload, "the payload is kept as received");
    let errors: Value = serde_json::from_str(&f.errors).expect("the errors are JSON");
    let named: Vec<&str> = errors.as_array().expect("a list of problems").iter().filter_map(|e| e["field"].as_str()).collect();
    for field in fields {
        assert!(named.contains(field), "{field} not named in {}", f.errors);
    }
    assert!(!f.errors.is_empty() && errors.as_array().is_some_and(|e| !e.is_empty()), "{f:?}");
}

/// Fields named by an error body, sorted.
fn sorted_fields(a: &Answer) -> Vec<String> {
    let mut fields = a.fields();
    fields.sort();
    fields
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).expect("formats")
}

// ---- an order to work on: a product, an area with a slot, a customer with an address ----

struct Shop {
    product: String,
    slot: String,
}

/// A product at 12.50 AED, Al Reem with a 5.00 AED fee, and a Sunday slot, made by an admin.
async fn shop(t: &TestApp, admin_phone: &str) -> Shop {
    let admin = t.admin(admin_phone).await;
    let product = t
        .post_as(
            "/api/admin/products",
            json!({"titleAr": "سبيل ٥ جالون", "titleEn": "Sabil 5 gallon", "descriptionAr": "مياه", "descriptionEn": "Water",
                   "type": "refill", "volumeMl": 18900, "bottlesPerPack": 1, "price": {"amount": 1250, "currency": "AED"},
                   "minQuantity": 1, "maxQuantity": 10, "active": true, "sortOrder": 1}),
            &admin,
        )
        .await;
    assert_eq!(product.status, StatusCode::OK, "{}", product.body);
    let area = reem(t, &admin).await;
    let slot = t
        .post_as(
            "/api/admin/delivery-slots",
            json!({"areaId": area, "weekday": "sunday", "startsAt": "10:00", "endsAt": "12:00", "capacity": 5, "active": true}),
            &admin,
        )
        .await;
    assert_eq!(slot.status, StatusCode::OK, "{}", slot.body);
    Shop { product: product.body["id"].as_str().expect("id").to_owned(), slot: slot.body["id"].as_str().expect("id").to_owned() }
}

/// The Al Reem delivery area (54.40–54.42 E, 24.49–24.51 N); returns its id.
async fn reem(t: &TestApp, admin: &str) -> String {
    let boundary =
        json!({"type": "Polygon", "coordinates": [[[54.40, 24.49], [54.42, 24.49], [54.42, 24.51], [54.40, 24.51], [54.40, 24.49]]]});
    let area = t
        .post_as(
            "/api/admin/delivery-areas",
            json!({"nameAr": "الريم", "nameEn": "Al Reem", "boundary": boundary, "deliveryFee": {"amount": 500, "currency": "AED"},
                   "minimumOrder": {"amount": 2000, "currency": "AED"}, "active": true}),
            admin,
        )
        .await;
    assert_eq!(area.status, StatusCode::OK, "{}", area.body);
    area.body["id"].as_str().expect("id").to_owned()
}

/// A verified customer with an address in Al Reem; returns (token, address id).
async fn customer_with_address(t: &TestApp, phone: &str) -> (String, String) {
    let me = token(&t.customer(phone).await, "accessToken");
    let address = t
        .post_as(
            "/api/addresses",
            json!({"type": "house", "label": "Home", "block": "3", "street": "Street 12", "house": "14A",
                   "location": {"latitude": 24.50, "longitude": 54.41}}),
            &me,
        )
        .await;
    assert_eq!(address.status, StatusCode::CREATED, "{}", address.body);
    (me, address.body["id"].as_str().expect("id").to_owned())
}

/// Two packs by card for Sunday 2030-01-06; returns the order id (the order waits for payment).
async fn place_order(t: &TestApp, s: &Shop, me: &str, address: &str) -> String {
    let added = t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 2}), me).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let body = json!({"delivery": {"addressId": address}, "slotId": s.slot, "date": "2030-01-06", "paymentMethod": "card"});
    let resp = t
        .client
        .post("/api/cart/checkout")
        .header("authorization", format!("Bearer {me}"))
        .header("idempotency-key", format!("sap-{address}"))
        .content_type("application/json")
        .body(body.to_string())
        .send()
        .await
        .0;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let placed: Value = serde_json::from_str(&resp.into_body().into_string().await.expect("body")).expect("json");
    placed["id"].as_str().expect("id").to_owned()
}

async fn order_status(t: &TestApp, me: &str, order: &str) -> Value {
    let a = t.get_as(&format!("/api/orders/{order}"), me).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["order"].clone()
}

// ---- 1. the feed ----

api_test!(sap_reads_our_changes_in_order_pages_through_them_and_confirms_them, |t| {
    let s = shop(&t, "+96550030000").await;
    let sap = sap_token(&t).await;
    let before = t.get_as("/api/changes", &sap).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(before.body["items"], json!([]), "admins and products are not SAP's changes: {}", before.body);

    let (me, address) = customer_with_address(&t, "+96550030001").await;
    let customer = my_id(&t, &me).await;
    let order = place_order(&t, &s, &me, &address).await;

    let feed = t.get_as("/api/changes", &sap).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    let items = feed.body["items"].as_array().expect("items").clone();
    let seen: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|c| (c["type"].as_str().unwrap_or(""), c["entityId"].as_str().unwrap_or(""), c["operation"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        seen,
        vec![("customer", customer.as_str(), "create"), ("address", address.as_str(), "create"), ("order", order.as_str(), "create")],
        "registration with verification, the address and the order, in that order: {}",
        feed.body
    );
    let seqs: Vec<i64> = items.iter().map(|c| c["seq"].as_i64().expect("seq")).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in seq order: {seqs:?}");
    for c in &items {
        assert!(c["data"].is_object(), "data is an object: {c}");
        assert_eq!(c["data"]["id"], c["entityId"], "data carries our id: {c}");
        assert!(c["data"].get("sapId").is_some_and(Value::is_null), "data carries sapId (none yet): {c}");
        assert_eq!(c["isCompleted"], false);
        assert!(c["id"].as_str().is_some_and(|id| Uuid::parse_str(id).is_ok()), "{c}");
    }
    assert_eq!(items[0]["data"]["fullName"], "Fatima Al-Sabah");
    assert_eq!(feed.body.get("nextCursor").cloned().unwrap_or(Value::Null), Value::Null, "one page holds them all: {}", feed.body);

    // Paging: two, then the last one.
    let first = t.get_as("/api/changes?limit=2", &sap).await;
    assert_eq!(first.body["items"].as_array().map(Vec::len), Some(2), "{}", first.body);
    let cursor = first.body["nextCursor"].as_str().expect("a cursor after a full page").to_owned();
    assert_eq!(cursor, seqs[1].to_string());
    let second = t.get_as(&format!("/api/changes?limit=2&after={cursor}"), &sap).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let rest: Vec<&Value> = second.body["items"].as_array().expect("items").iter().collect();
    assert_eq!(rest.len(), 1, "{}", second.body);
    assert_eq!(rest[0]["id"], items[2]["id"]);
    assert_eq!(second.body.get("nextCursor").cloned().unwrap_or(Value::Null), Value::Null, "the last page: {}", second.body);
    let mut paged: Vec<Value> = first.body["items"].as_array().expect("items").clone();
    paged.extend(rest.into_iter().cloned());
    assert_eq!(paged, items, "the pages make up the feed");

    let id = |i: usize| items[i]["id"].as_str().expect("id").to_owned();
    let unknown = Uuid::now_v7().to_string();
    let confirmed = t.post_as("/api/confirm-changes", json!({"ids": [id(0), id(1), unknown]}), &sap).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let mut done: Vec<String> =
        confirmed.body["confirmed"].as_array().expect("confirmed").iter().map(|v| v.as_str().unwrap_or("").to_owned()).collect();
    done.sort();
    let mut expected = vec![id(0), id(1)];
    expected.sort();
    assert_eq!(done, expected, "{}", confirmed.body);
    assert_eq!(confirmed.body["alreadyConfirmed"], json!([]));
    assert_eq!(confirmed.body["unknown"], json!([unknown]));

    let again = t.post_as("/api/confirm-changes", json!({"ids": [id(0), id(2)]}), &sap).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["confirmed"], json!([id(2)]), "{}", again.body);
    assert_eq!(again.body["alreadyConfirmed"], json!([id(0)]), "{}", again.body);
    assert_eq!(again.body["unknown"], json!([]));

    let after = t.get_as("/api/changes", &sap).await;
    assert_eq!(after.body["items"], json!([]), "confirmed changes leave the feed: {}", after.body);

    let empty = t.post_as("/api/confirm-changes", json!({"ids": []}), &sap).await;
    assert_eq!(empty.status.as_u16() / 100, 4, "{}", empty.body);
    assert_eq!(empty.fields(), vec!["ids"], "{}", empty.body);

    // Customers may neither read nor confirm the feed.
    let read = t.get_as("/api/changes", &me).await;
    assert_eq!(read.assert_error(403, "forbidden"), "auth.role_forbidden");
    let confirm = t.post_as("/api/confirm-changes", json!({"ids": [id(0)]}), &me).await;
    assert_eq!(confirm.assert_error(403, "forbidden"), "auth.role_forbidden");
});

// ---- 2. products ----

api_test!(sap_creates_then_updates_a_product_by_version_and_takes_it_off_sale, |t| {
    let sap = sap_token(&t).await;
    let mut seen = HashSet::new();
    let id = applied(&t, "PUT", "/api/products", &product("P-1", 1, json!(1250)), &sap, "created").await;

    let shown = anonymous_get(&t, &format!("/api/products/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!((shown.body["price"]["amount"].as_i64(), shown.body["sapId"].as_str()), (Some(1250), Some("P-1")), "{}", shown.body);
    let cached = anonymous_get(&t, &format!("/api/products/{id}")).await;
    assert_eq!((cache_source(&shown), cache_source(&cached)), ("miss", "hit"));
    let list = anonymous_get(&t, "/api/products").await;
    assert_eq!(list.body["items"][0]["price"]["amount"], 1250, "{}", list.body);
    assert_eq!(cache_source(&anonymous_get(&t, "/api/products").await), "hit");

    let same = applied(&t, "PUT", "/api/products", &product("P-1", 2, json!(1500)), &sap, "updated").await;
    assert_eq!(same, id, "one product per SAP id");
    let shown = anonymous_get(&t, &format!("/api/products/{id}")).await;
    assert_eq!(cache_source(&shown), "miss", "the SAP write dropped the cached product");
    assert_eq!(shown.body["price"]["amount"], 1500, "{}", shown.body);
    let list = anonymous_get(&t, "/api/products").await;
    assert_eq!(cache_source(&list), "miss", "the SAP write dropped the cached list");
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1), "{}", list.body);
    assert_eq!(list.body["items"][0]["price"]["amount"], 1500, "{}", list.body);

    let repeated = applied(&t, "PUT", "/api/products", &product("P-1", 2, json!(1500)), &sap, "already_applied").await;
    assert_eq!(repeated, id);

    let older = product("P-1", 1, json!(999));
    let stale = send(&t, "PUT", "/api/products", &older, &sap).await;
    assert_eq!(stale.assert_error(409, "conflict"), "sap.stale_version");
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 409, "conflict", &older, &[]);
    assert_eq!((f.entity.as_str(), f.operation.as_str(), f.sap_id.as_deref()), ("product", "update", Some("P-1")));
    let shown = anonymous_get(&t, &format!("/api/products/{id}")).await;
    assert_eq!(shown.body["price"]["amount"], 1500, "an older version changes nothing: {}", shown.body);

    let deleted = applied(&t, "DELETE", "/api/products", &json!({"sapId": "P-1", "version": 3}), &sap, "deleted").await;
    assert_eq!(deleted, id);
    let list = anonymous_get(&t, "/api/products").await;
    assert_eq!(list.body["items"], json!([]), "off sale: {}", list.body);
    let me = token(&t.customer("+96550030201").await, "accessToken");
    let theirs = t.get_as("/api/products", &me).await;
    assert_eq!(theirs.body["items"], json!([]), "customers no longer see it: {}", theirs.body);
    assert!(t.app.ports.sync_failures.recent(100).await.expect("failures").len() == 1, "only the stale change was refused");
});

// ---- 3. bad payloads ----

api_test!(every_refused_sap_change_gets_its_4xx_and_one_sync_failures_row, |t| {
    let sap = sap_token(&t).await;
    let mut seen = HashSet::new();

    // Wrong types: every field listed, in the error and in the log.
    let mut mistyped = product("P-2", 1, json!("12.50"));
    mistyped["volumeMl"] = json!(true);
    let a = send(&t, "PUT", "/api/products", &mistyped, &sap).await;
    assert_eq!(a.assert_error(400, "schema"), "sap.invalid_fields");
    assert_eq!(sorted_fields(&a), vec!["price", "volumeMl"], "{}", a.body);
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 400, "schema", &mistyped, &["price", "volumeMl"]);
    assert_eq!((f.entity.as_str(), f.operation.as_str(), f.sap_id.as_deref()), ("product", "update", Some("P-2")));

    // Missing ids.
    let mut anonymous = product("P-2", 1, json!(1250));
    let body = anonymous.as_object_mut().expect("object");
    body.remove("sapId");
    body.remove("version");
    let a = send(&t, "POST", "/api/products", &anonymous, &sap).await;
    assert_eq!(a.assert_error(400, "schema"), "sap.invalid_fields");
    assert_eq!(sorted_fields(&a), vec!["sapId", "version"], "{}", a.body);
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 400, "schema", &anonymous, &["sapId", "version"]);
    assert_eq!((f.operation.as_str(), f.sap_id.as_deref()), ("create", None));

    // An entity SAP does not share with us.
    let widget = json!({"sapId": "W-1", "version": 1, "colour": "blue"});
    let a = send(&t, "POST", "/api/widgets", &widget, &sap).await;
    assert_eq!(a.assert_error(404, "not_found"), "sap.unknown_entity");
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 404, "not_found", &widget, &["entity"]);
    assert_eq!((f.entity.as_str(), f.operation.as_str(), f.sap_id.as_deref()), ("widgets", "create", Some("W-1")));
    for method in ["PUT", "DELETE"] {
        let a = send(&t, method, "/api/widgets", &widget, &sap).await;
        assert_eq!(a.assert_error(404, "not_found"), "sap.unknown_entity", "{method}");
        let f = one_new_failure(&t, &mut seen).await;
        assert_eq!(f.operation, if method == "PUT" { "update" } else { "delete" });
    }

    // An older version than the one applied.
    applied(&t, "PUT", "/api/products", &product("P-3", 5, json!(1250)), &sap, "created").await;
    let older = product("P-3", 4, json!(1100));
    let a = send(&t, "PUT", "/api/products", &older, &sap).await;
    assert_eq!(a.assert_error(409, "conflict"), "sap.stale_version");
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 409, "conflict", &older, &[]);
    assert!(f.errors.contains("older"), "{}", f.errors);

    // A business rule: a promotion on a product SAP never sent.
    let now = OffsetDateTime::now_utc();
    let promotion = json!({"sapId": "PR-9", "version": 1, "titleEn": "Buy 10 get 2", "titleAr": "اشتر ١٠ واحصل على ٢",
        "kind": "buy_get_free", "buyPacks": 10, "freePacks": 2, "validFrom": rfc3339(now - Duration::days(1)),
        "validUntil": rfc3339(now + Duration::days(30)), "productSapIds": ["P-404"]});
    let a = send(&t, "PUT", "/api/promotions", &promotion, &sap).await;
    a.assert_error(422, "validation");
    assert_eq!(a.fields(), vec!["productSapIds"], "{}", a.body);
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 422, "validation", &promotion, &["productSapIds"]);
    assert!(f.errors.contains("P-404"), "{}", f.errors);
    assert_eq!((f.entity.as_str(), f.sap_id.as_deref()), ("promotion", Some("PR-9")));

    // A field the entity does not have.
    let mut unknown = product("P-4", 1, json!(1250));
    unknown["colour"] = json!("blue");
    let a = send(&t, "PUT", "/api/products", &unknown, &sap).await;
    assert_eq!(a.assert_error(400, "schema"), "sap.invalid_fields");
    assert_eq!(a.fields(), vec!["colour"], "{}", a.body);
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 400, "schema", &unknown, &["colour"]);

    // Not JSON at all: the same error shape (whether it is logged is not promised).
    let a = t.raw("PUT", "/api/products", Some("application/json"), Some("{\"sapId\": \"P-5\", ".to_owned()), Some(&sap)).await;
    a.assert_error(400, "schema");
    let a = t.raw("PUT", "/api/products", Some("application/json"), Some("[1, 2]".to_owned()), Some(&sap)).await;
    assert_eq!(a.assert_error(400, "schema"), "sap.invalid_fields");
    assert_eq!(a.fields(), vec!["body"], "{}", a.body);

    // None of these reached the catalog, and a customer may not send SAP's changes.
    let list = anonymous_get(&t, "/api/products").await;
    let titles: Vec<&str> = list.body["items"].as_array().expect("items").iter().filter_map(|p| p["sapId"].as_str()).collect();
    assert_eq!(titles, vec!["P-3"], "{}", list.body);
    let me = token(&t.customer("+96550030301").await, "accessToken");
    let a = send(&t, "PUT", "/api/products", &product("P-6", 1, json!(1250)), &me).await;
    assert_eq!(a.assert_error(403, "forbidden"), "auth.role_forbidden");
});

// ---- 4. promotions ----

api_test!(a_promotion_sap_sends_on_its_product_is_shown_while_valid, |t| {
    let sap = sap_token(&t).await;
    let product_id = applied(&t, "PUT", "/api/products", &product("P-1", 1, json!(1250)), &sap, "created").await;
    let before = anonymous_get(&t, "/api/promotions").await;
    assert_eq!(before.body, json!([]), "{}", before.body);

    let now = OffsetDateTime::now_utc();
    let promotion = json!({"sapId": "PR-1", "version": 1, "titleEn": "Buy 10 get 2", "titleAr": "اشتر ١٠ واحصل على ٢",
        "kind": "buy_get_free", "buyPacks": 10, "freePacks": 2, "validFrom": rfc3339(now - Duration::hours(1)),
        "validUntil": rfc3339(now + Duration::days(30)), "productSapIds": ["P-1"]});
    let id = applied(&t, "PUT", "/api/promotions", &promotion, &sap, "created").await;

    let shown = anonymous_get(&t, "/api/promotions").await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(cache_source(&shown), "miss", "the SAP write dropped the cached list");
    let items = shown.body.as_array().expect("a list");
    assert_eq!(items.len(), 1, "{}", shown.body);
    let p = &items[0];
    assert_eq!((p["id"].as_str(), p["sapId"].as_str(), p["kind"].as_str()), (Some(id.as_str()), Some("PR-1"), Some("buy_get_free")));
    assert_eq!((p["buyPacks"].as_i64(), p["freePacks"].as_i64()), (Some(10), Some(2)));
    assert_eq!(p["productIds"], json!([product_id]));
    assert_eq!(p["title"], "Buy 10 get 2");

    let ended = applied(&t, "DELETE", "/api/promotions", &json!({"sapId": "PR-1", "version": 2}), &sap, "deleted").await;
    assert_eq!(ended, id);
    assert_eq!(anonymous_get(&t, "/api/promotions").await.body, json!([]), "an ended promotion is not shown");
});

// ---- 5. customers ----

api_test!(sap_renames_a_customer_links_its_id_and_closing_blocks_the_account, |t| {
    let sap = sap_token(&t).await;
    let admin = t.admin("+96550030500").await;
    let mut seen = HashSet::new();
    let me = token(&t.customer("+96550030501").await, "accessToken");
    let id = my_id(&t, &me).await;

    let rename = json!({"appId": id, "sapId": "C-1", "version": 1, "fullName": "Fatima Al-Ahmad"});
    let linked = applied(&t, "PUT", "/api/customers", &rename, &sap, "updated").await;
    assert_eq!(linked, id);
    let mine = t.get_as("/api/users/me", &me).await;
    assert_eq!(mine.body["fullName"], "Fatima Al-Ahmad", "{}", mine.body);
    let listed = t.get_as("/api/admin/users?search=Al-Ahmad", &admin).await;
    assert_eq!(listed.body["items"][0]["id"], json!(id), "{}", listed.body);
    let user = t.app.ports.users.get(UserId(Uuid::parse_str(&id).expect("uuid"))).await.expect("read").expect("user");
    assert_eq!(user.sap_id.as_deref(), Some("C-1"), "the user keeps SAP's id");
    let feed = t.get_as("/api/changes", &sap).await;
    let last = feed.body["items"].as_array().and_then(|i| i.last().cloned()).expect("a change");
    assert_eq!((last["type"].as_str(), last["operation"].as_str()), (Some("customer"), Some("update")), "{last}");
    assert_eq!((last["data"]["sapId"].as_str(), last["data"]["fullName"].as_str()), (Some("C-1"), Some("Fatima Al-Ahmad")));

    let stranger = json!({"sapId": "C-404", "version": 1, "fullName": "Nobody Here"});
    let a = send(&t, "POST", "/api/customers", &stranger, &sap).await;
    a.assert_error(422, "validation");
    assert_eq!(a.fields(), vec!["appId"], "{}", a.body);
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 422, "validation", &stranger, &["appId"]);
    assert_eq!((f.entity.as_str(), f.operation.as_str(), f.sap_id.as_deref()), ("customer", "create", Some("C-404")));

    let closed = applied(&t, "DELETE", "/api/customers", &json!({"sapId": "C-1", "version": 2}), &sap, "deleted").await;
    assert_eq!(closed, id);
    let login = t.post("/api/auth/login", json!({"phone": "+96550030501", "password": PASSWORD})).await;
    assert!(login.status.is_client_error(), "a closed customer cannot sign in: {} {}", login.status, login.body);
    assert!(login.code().contains("blocked"), "{}", login.body);
    let user = t.app.ports.users.get(UserId(Uuid::parse_str(&id).expect("uuid"))).await.expect("read").expect("user");
    assert_eq!(user.status.as_str(), "blocked");
});

// ---- 6. orders ----

api_test!(sap_moves_an_order_as_the_lifecycle_allows_and_its_refusals_are_logged, |t| {
    let s = shop(&t, "+96550030600").await;
    let (me, address) = customer_with_address(&t, "+96550030601").await;
    let order = place_order(&t, &s, &me, &address).await;
    let sap = sap_token(&t).await;
    let mut seen = HashSet::new();

    // Not paid yet: SAP may not confirm it.
    let early = json!({"appId": order, "sapId": "SO-1", "version": 1, "status": "confirmed"});
    let a = send(&t, "PUT", "/api/orders", &early, &sap).await;
    a.assert_error(422, "validation");
    assert_eq!(a.fields(), vec!["status"], "{}", a.body);
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 422, "validation", &early, &["status"]);
    assert_eq!((f.entity.as_str(), f.sap_id.as_deref()), ("order", Some("SO-1")));
    assert_eq!(order_status(&t, &me, &order).await["status"], "pending_payment");

    let payment = t.post_as(&format!("/api/orders/{order}/payments"), json!({}), &me).await;
    let charge = payment.body["chargeId"].as_str().expect("charge").to_owned();
    t.client.post(format!("/pay/sandbox/{charge}/approve")).send().await.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(order_status(&t, &me, &order).await["status"], "paid");

    let moved = applied(&t, "PUT", "/api/orders", &early, &sap, "updated").await;
    assert_eq!(moved, order);
    let shown = order_status(&t, &me, &order).await;
    assert_eq!((shown["status"].as_str(), shown["sapId"].as_str()), (Some("confirmed"), Some("SO-1")), "{shown}");
    let history = t.get_as(&format!("/api/orders/{order}"), &me).await;
    let last = history.body["events"].as_array().and_then(|e| e.last().cloned()).expect("events");
    assert_eq!((last["to"].as_str(), last["by"].as_str()), (Some("confirmed"), Some("sap")), "{last}");

    // By SAP's id alone from now on.
    for (version, status) in [(2, "out_for_delivery"), (3, "delivered")] {
        applied(&t, "PUT", "/api/orders", &json!({"sapId": "SO-1", "version": version, "status": status}), &sap, "updated").await;
        assert_eq!(order_status(&t, &me, &order).await["status"], status);
    }
    for (version, status) in [(4, "out_for_delivery"), (5, "confirmed")] {
        let back = json!({"sapId": "SO-1", "version": version, "status": status});
        let a = send(&t, "PUT", "/api/orders", &back, &sap).await;
        a.assert_error(422, "validation");
        assert_eq!(a.fields(), vec!["status"], "{}", a.body);
        let f = one_new_failure(&t, &mut seen).await;
        assert_failure(&f, 422, "validation", &back, &["status"]);
    }
    let unknown = json!({"sapId": "SO-1", "version": 6, "status": "shipped"});
    let a = send(&t, "PUT", "/api/orders", &unknown, &sap).await;
    a.assert_error(422, "validation");
    assert_eq!(a.fields(), vec!["status"], "{}", a.body);
    one_new_failure(&t, &mut seen).await;
    let cancel = send(&t, "DELETE", "/api/orders", &json!({"sapId": "SO-1", "version": 7}), &sap).await;
    cancel.assert_error(422, "validation");
    one_new_failure(&t, &mut seen).await;

    let shown = order_status(&t, &me, &order).await;
    assert_eq!((shown["status"].as_str(), shown["sapId"].as_str()), (Some("delivered"), Some("SO-1")), "{shown}");
});

// ---- 7. coupons ----

api_test!(sap_gives_a_coupon_batch_once_and_cannot_take_it_back, |t| {
    let sap = sap_token(&t).await;
    let mut seen = HashSet::new();
    let product_id = applied(&t, "PUT", "/api/products", &product("P-1", 1, json!(1250)), &sap, "created").await;
    let me = token(&t.customer("+96550030701").await, "accessToken");
    let id = my_id(&t, &me).await;

    let batch = json!({"sapId": "CB-1", "version": 1, "customerAppId": id, "productSapId": "P-1", "count": 5, "note": "Ramadan gift"});
    let batch_id = applied(&t, "POST", "/api/coupons", &batch, &sap, "created").await;
    assert_eq!(available(&t, &me, &product_id).await, 5);
    assert_eq!(applied(&t, "POST", "/api/coupons", &batch, &sap, "already_applied").await, batch_id);
    assert_eq!(available(&t, &me, &product_id).await, 5, "the same delivery gives nothing more");
    let mut newer = batch.clone();
    newer["version"] = json!(2);
    assert_eq!(applied(&t, "PUT", "/api/coupons", &newer, &sap, "updated").await, batch_id);
    assert_eq!(available(&t, &me, &product_id).await, 5, "a batch is issued once per SAP id");

    let withdraw = json!({"sapId": "CB-1", "version": 3});
    let a = send(&t, "DELETE", "/api/coupons", &withdraw, &sap).await;
    a.assert_error(422, "validation");
    assert_eq!(a.fields(), vec!["operation"], "{}", a.body);
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 422, "validation", &withdraw, &["operation"]);
    assert_eq!((f.entity.as_str(), f.operation.as_str()), ("coupon", "delete"));
    assert_eq!(available(&t, &me, &product_id).await, 5, "coupons given are kept");

    let unsent = json!({"sapId": "CB-2", "version": 1, "customerAppId": id, "productSapId": "P-404", "count": 5});
    let a = send(&t, "POST", "/api/coupons", &unsent, &sap).await;
    a.assert_error(422, "validation");
    assert_eq!(a.fields(), vec!["productSapId"], "{}", a.body);
    one_new_failure(&t, &mut seen).await;
});

/// The coupons of `product` the customer may spend (the wallet's only balance).
async fn available(t: &TestApp, me: &str, product: &str) -> i64 {
    let wallet = t.get_as("/api/coupons/wallet", me).await;
    assert_eq!(wallet.status, StatusCode::OK, "{}", wallet.body);
    let balances = wallet.body["balances"].as_array().expect("balances");
    assert_eq!(balances.len(), 1, "{}", wallet.body);
    assert_eq!(balances[0]["productId"], json!(product));
    balances[0]["available"].as_i64().expect("available")
}

// ---- 8. delivery details ----

api_test!(sap_adds_a_delivery_address_inside_an_area_and_refuses_one_outside, |t| {
    let admin = t.admin("+96550030800").await;
    let area = reem(&t, &admin).await;
    let sap = sap_token(&t).await;
    let mut seen = HashSet::new();
    let me = token(&t.customer("+96550030801").await, "accessToken");
    let id = my_id(&t, &me).await;

    let address = json!({"sapId": "A-1", "version": 1, "customerAppId": id, "kind": "house", "label": "Home", "block": "3",
        "street": "Street 12", "house": "14A", "latitude": 24.50, "longitude": 54.41});
    let address_id = applied(&t, "POST", "/api/delivery-details", &address, &sap, "created").await;
    let mine = t.get_as("/api/addresses", &me).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let items = mine.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{}", mine.body);
    assert_eq!((items[0]["id"].as_str(), items[0]["areaId"].as_str()), (Some(address_id.as_str()), Some(area.as_str())));
    assert_eq!(
        (items[0]["type"].as_str(), items[0]["label"].as_str(), items[0]["house"].as_str()),
        (Some("house"), Some("Home"), Some("14A"))
    );
    let owner = UserId(Uuid::parse_str(&id).expect("uuid"));
    let stored = t.app.ports.addresses.get(owner, AddressId(Uuid::parse_str(&address_id).expect("uuid"))).await.expect("read");
    assert_eq!(stored.and_then(|a| a.sap_id).as_deref(), Some("A-1"), "the address keeps SAP's id");
    let feed = t.get_as("/api/changes", &sap).await;
    let change = feed.body["items"].as_array().and_then(|i| i.iter().find(|c| c["type"] == "address").cloned()).expect("a change");
    assert_eq!((change["entityId"].as_str(), change["data"]["sapId"].as_str()), (Some(address_id.as_str()), Some("A-1")));

    let mut moved = address.clone();
    moved["version"] = json!(2);
    moved["street"] = json!("Street 14");
    assert_eq!(applied(&t, "PUT", "/api/delivery-details", &moved, &sap, "updated").await, address_id);
    assert_eq!(t.get_as("/api/addresses", &me).await.body["items"][0]["street"], "Street 14");

    let at_sea = json!({"sapId": "A-2", "version": 1, "customerAppId": id, "kind": "house", "label": "Boat", "block": "1",
        "street": "Open sea", "house": "1", "latitude": 24.90, "longitude": 54.20});
    let a = send(&t, "POST", "/api/delivery-details", &at_sea, &sap).await;
    a.assert_error(422, "validation");
    assert_eq!(a.fields(), vec!["latitude"], "{}", a.body);
    let f = one_new_failure(&t, &mut seen).await;
    assert_failure(&f, 422, "validation", &at_sea, &["latitude"]);
    assert_eq!((f.entity.as_str(), f.sap_id.as_deref()), ("address", Some("A-2")));
    assert_eq!(t.get_as("/api/addresses", &me).await.body["items"].as_array().map(Vec::len), Some(1));

    // An address the customer made in the app, linked by SAP: the feed's update carries SAP's id.
    let own = t
        .post_as(
            "/api/addresses",
            json!({"type": "apartment", "label": "Work", "block": "1", "street": "Najda St", "building": "Sky Tower", "floor": "3",
                   "apartment": "12", "location": {"latitude": 24.495, "longitude": 54.405}}),
            &me,
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    let own = own.body["id"].as_str().expect("id").to_owned();
    let link = json!({"appId": own, "sapId": "A-3", "version": 1, "customerAppId": id, "kind": "apartment", "label": "Work",
        "block": "1", "street": "Najda St", "building": "Sky Tower", "floor": "4", "apartment": "12", "latitude": 24.495, "longitude": 54.405});
    assert_eq!(applied(&t, "PUT", "/api/delivery-details", &link, &sap, "updated").await, own);
    let feed = t.get_as("/api/changes", &sap).await;
    let last = feed.body["items"].as_array().and_then(|i| i.last().cloned()).expect("a change");
    assert_eq!((last["entityId"].as_str(), last["operation"].as_str()), (Some(own.as_str()), Some("update")), "{last}");
    assert_eq!((last["data"]["sapId"].as_str(), last["data"]["floor"].as_str()), (Some("A-3"), Some("4")), "{last}");
    t.raw("DELETE", &format!("/api/addresses/{own}"), None, None, Some(&me)).await;

    let removed = json!({"sapId": "A-1", "version": 3, "customerAppId": id});
    assert_eq!(applied(&t, "DELETE", "/api/delivery-details", &removed, &sap, "deleted").await, address_id);
    assert_eq!(t.get_as("/api/addresses", &me).await.body["items"], json!([]));
});
