//! Notifications over HTTP: devices, the in-app inbox filled by the worker's delivery job from order
//! events (pushed through the local stand-in), unread counts and marking read, admin broadcasts, and
//! the error shape for bad input and wrong roles.
use poem::http::StatusCode;
use sabil_adapters::store::LocalPush;
use serde_json::{Value, json};

use crate::harness::{Answer, TestApp, api_test, token};

fn ok(a: Answer) -> Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
}

async fn delete_as(t: &TestApp, path: &str, token: &str) -> Answer {
    t.raw("DELETE", path, None, None, Some(token)).await
}

/// A product, an area around (24.50, 54.41) and a Sunday slot; returns (admin token, product, slot).
async fn shop(t: &TestApp) -> (String, String, String, String) {
    let admin = t.admin("+96550060000").await;
    let product = ok(t
        .post_as(
            "/api/admin/products",
            json!({"titleAr": "سبيل ٥ جالون", "titleEn": "Sabil 5 gallon", "descriptionAr": "مياه", "descriptionEn": "Water",
                   "type": "refill", "volumeMl": 18900, "bottlesPerPack": 1, "price": {"amount": 1250, "currency": "AED"},
                   "minQuantity": 1, "maxQuantity": 10, "active": true, "sortOrder": 1}),
            &admin,
        )
        .await);
    let boundary =
        json!({"type": "Polygon", "coordinates": [[[54.40, 24.49], [54.42, 24.49], [54.42, 24.51], [54.40, 24.51], [54.40, 24.49]]]});
    let area = ok(t
        .post_as(
            "/api/admin/delivery-areas",
            json!({"nameAr": "الريم", "nameEn": "Al Reem", "boundary": boundary, "deliveryFee": {"amount": 500, "currency": "AED"},
                   "minimumOrder": {"amount": 2000, "currency": "AED"}, "active": true}),
            &admin,
        )
        .await);
    let area = area["id"].as_str().expect("id").to_owned();
    let slot = ok(t
        .post_as(
            "/api/admin/delivery-slots",
            json!({"areaId": area, "weekday": "sunday", "startsAt": "10:00", "endsAt": "12:00", "capacity": 5, "active": true}),
            &admin,
        )
        .await);
    (admin, product["id"].as_str().expect("id").to_owned(), area, slot["id"].as_str().expect("id").to_owned())
}

/// A customer with an address in the shop's area; returns (token, address id).
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

fn device(token: &str, language: &str) -> Value {
    json!({"token": token, "platform": "android", "language": language})
}

api_test!(a_customer_registers_refreshes_and_removes_devices, |t| {
    let me = token(&t.customer("+96550060101").await, "accessToken");
    let other = token(&t.customer("+96550060102").await, "accessToken");
    let first = ok(t.post_as("/api/devices", device("fcm-token-1", "ar"), &me).await);
    assert_eq!(
        (first["token"].as_str(), first["platform"].as_str(), first["language"].as_str()),
        (Some("fcm-token-1"), Some("android"), Some("ar"))
    );
    let again = ok(t.post_as("/api/devices", json!({"token": "fcm-token-1", "platform": "ios", "language": "en"}), &me).await);
    assert_eq!((again["platform"].as_str(), again["language"].as_str()), (Some("ios"), Some("en")));
    assert_eq!(again["createdAt"], first["createdAt"], "a refresh keeps the first registration");
    ok(t.post_as("/api/devices", device("fcm-token-2", "en"), &me).await);

    delete_as(&t, "/api/devices/fcm-token-1", &other).await.assert_error(404, "not_found");
    assert_eq!(delete_as(&t, "/api/devices/fcm-token-1", &me).await.status, StatusCode::NO_CONTENT);
    assert_eq!(delete_as(&t, "/api/devices/fcm-token-1", &me).await.code(), "device.not_found");
    // The token moves to whoever registers it last: the other customer cannot remove it from them any more.
    ok(t.post_as("/api/devices", device("fcm-token-2", "ar"), &other).await);
    delete_as(&t, "/api/devices/fcm-token-2", &me).await.assert_error(404, "not_found");
    assert_eq!(delete_as(&t, "/api/devices/fcm-token-2", &other).await.status, StatusCode::NO_CONTENT);
});

api_test!(order_events_reach_the_inbox_and_the_devices_through_the_worker_job, &[("SABIL_CASH_ON_DELIVERY", "true")], |t| {
    let (admin, product, _area, slot) = shop(&t).await;
    let (me, address) = customer_with_address(&t, "+96550060201").await;
    ok(t.post_as("/api/devices", device("phone-ar", "ar"), &me).await);
    ok(t.post_as("/api/devices", device("tablet-en", "en"), &me).await);
    ok(t.post_as("/api/devices", device("invalid-old-phone", "ar"), &me).await);
    ok(t.post_as("/api/cart/items", json!({"productId": product, "quantity": 2}), &me).await);
    let placed = t
        .client
        .post("/api/cart/checkout")
        .header("authorization", format!("Bearer {me}"))
        .header("idempotency-key", "notify-1")
        .content_type("application/json")
        .body(json!({"delivery": {"addressId": address}, "slotId": slot, "date": "2030-01-06", "paymentMethod": "cash"}).to_string())
        .send()
        .await;
    placed.assert_status(StatusCode::CREATED);
    let order: Value = placed.0.into_body().into_json().await.expect("order");
    let (id, number) = (order["id"].as_str().expect("id").to_owned(), order["number"].as_i64().expect("number"));
    assert_eq!(order["status"], "confirmed");
    let moved = t.post_as(&format!("/api/admin/orders/{id}/status"), json!({"status": "out_for_delivery"}), &admin).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);

    let empty = ok(t.get_as("/api/notifications", &me).await);
    assert_eq!(empty["items"], json!([]), "nothing is sent from inside a request");
    assert_eq!(t.app.notifications.deliver_due(50).await.expect("delivery job"), 2);
    assert_eq!(t.app.notifications.deliver_due(50).await.expect("delivery job"), 0);

    let inbox = ok(t.get_as("/api/notifications?limit=1", &me).await);
    let newest = &inbox["items"][0];
    assert_eq!((newest["kind"].as_str(), newest["title"].as_str()), (Some("order_out_for_delivery"), Some("طلبك في الطريق")));
    assert_eq!(newest["data"]["orderId"].as_str(), Some(id.as_str()));
    assert!(newest["readAt"].is_null());
    let cursor = inbox["nextCursor"].as_str().expect("a second page");
    let older = ok(t.get_as(&format!("/api/notifications?limit=1&cursor={cursor}"), &me).await);
    assert_eq!(older["items"][0]["kind"], "order_placed");
    assert_eq!(older["items"][0]["body"], format!("استلمنا طلبك رقم {number}."));
    assert!(older["nextCursor"].is_null());

    let pushes = LocalPush::new(t.app.db.clone(), t.app.ports.clock.clone());
    let english = pushes.list(Some("tablet-en"), 10).await.expect("pushes");
    // The two messages are delivered side by side: their pushes may be kept in either order.
    let mut texts: Vec<(&str, &str)> = english.iter().map(|p| (p.title.as_str(), p.body.as_str())).collect();
    texts.sort_unstable();
    let (on_its_way, received) = (format!("Your order #{number} is on its way to you."), format!("We received your order #{number}."));
    assert_eq!(texts, vec![("On its way", on_its_way.as_str()), ("Order received", received.as_str())]);
    assert_eq!(pushes.list(Some("phone-ar"), 10).await.expect("pushes").len(), 2);
    let gone = delete_as(&t, "/api/devices/invalid-old-phone", &me).await;
    assert_eq!(gone.code(), "device.not_found", "the token the provider refused was forgotten");

    assert_eq!(ok(t.get_as("/api/notifications/unread-count", &me).await)["count"], 2);
    let read = t.post_as(&format!("/api/notifications/{}/read", newest["id"].as_str().expect("id")), json!({}), &me).await;
    assert_eq!(read.status, StatusCode::NO_CONTENT, "{}", read.body);
    assert_eq!(ok(t.get_as("/api/notifications/unread-count", &me).await)["count"], 1);
    assert_eq!(ok(t.post_as("/api/notifications/read-all", json!({}), &me).await)["marked"], 1);
    assert_eq!(ok(t.get_as("/api/notifications/unread-count", &me).await)["count"], 0);

    let stranger = token(&t.customer("+96550060202").await, "accessToken");
    let theirs = t.post_as(&format!("/api/notifications/{}/read", newest["id"].as_str().expect("id")), json!({}), &stranger).await;
    theirs.assert_error(404, "not_found");
    assert_eq!(ok(t.get_as("/api/notifications", &stranger).await)["items"], json!([]));
});

api_test!(an_admin_broadcast_is_queued_then_delivered_by_the_worker_with_its_progress, |t| {
    let admin = t.admin("+96550060300").await;
    let me = token(&t.customer("+96550060301").await, "accessToken");
    let you = token(&t.customer("+96550060302").await, "accessToken");
    ok(t.post_as("/api/devices", device("broadcast-phone", "en"), &me).await);
    let body = json!({"title": {"ar": "ساعات رمضان", "en": "Ramadan hours"}, "body": {"ar": "نوصل حتى الثانية فجراً.", "en": "We deliver until 2 am."},
                      "audience": {"kind": "all_customers"}});

    t.post_as("/api/admin/notifications", body.clone(), &me).await.assert_error(403, "forbidden");
    let queued = t.post_as("/api/admin/notifications", body, &admin).await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    assert_eq!(queued.body["status"], "queued");
    assert!(queued.body["total"].is_null());
    let id = queued.body["id"].as_str().expect("id").to_owned();
    t.get_as(&format!("/api/admin/notifications/{id}"), &me).await.assert_error(403, "forbidden");

    let mut steps = 0;
    while t.app.notifications.deliver_broadcasts().await.expect("broadcast step").is_some() {
        steps += 1;
    }
    assert_eq!(steps, 1);
    let done = ok(t.get_as(&format!("/api/admin/notifications/{id}"), &admin).await);
    assert_eq!(
        (done["status"].as_str(), done["total"].as_u64(), done["processed"].as_u64(), done["sent"].as_u64(), done["failed"].as_u64()),
        (Some("done"), Some(2), Some(2), Some(1), Some(0))
    );
    assert_eq!(done["audience"]["kind"], "all_customers");
    let mine = ok(t.get_as("/api/notifications", &me).await);
    assert_eq!((mine["items"][0]["kind"].as_str(), mine["items"][0]["title"].as_str()), (Some("broadcast"), Some("ساعات رمضان")));
    assert_eq!(mine["items"][0]["data"]["broadcastId"].as_str(), Some(id.as_str()));
    assert_eq!(ok(t.get_as("/api/notifications/unread-count", &you).await)["count"], 1);
    t.get_as(&format!("/api/admin/notifications/{}", uuid::Uuid::now_v7()), &admin).await.assert_error(404, "not_found");
});

api_test!(bad_notification_input_is_answered_with_the_error_shape, |t| {
    let admin = t.admin("+96550060400").await;
    let me = token(&t.customer("+96550060401").await, "accessToken");
    let post = |path: &'static str, body: Value, who: String| {
        let t = &t;
        async move { t.post_as(path, body, &who).await }
    };
    post("/api/devices", json!({"token": "x", "platform": "windows", "language": "ar"}), me.clone()).await.assert_error(400, "schema");
    post("/api/devices", json!({"platform": "ios", "language": "ar"}), me.clone()).await.assert_error(400, "schema");
    post("/api/devices", json!({"token": "x", "platform": "ios", "language": "ar", "extra": 1}), me.clone())
        .await
        .assert_error(400, "schema");
    let spaced = post("/api/devices", device("two words", "ar"), me.clone()).await;
    spaced.assert_error(422, "validation");
    assert_eq!(spaced.fields(), vec!["token"]);
    post("/api/devices", device("admin-device", "ar"), admin.clone()).await.assert_error(403, "forbidden");
    t.raw("POST", "/api/devices", Some("application/json"), Some(device("x", "ar").to_string()), None).await.assert_error(401, "auth");

    t.get_as("/api/notifications?limit=0", &me).await.assert_error(422, "validation");
    t.get_as("/api/notifications?cursor=not-a-cursor", &me).await.assert_error(422, "validation");
    t.get_as("/api/notifications", &admin).await.assert_error(403, "forbidden");
    t.post_as("/api/notifications/not-a-uuid/read", json!({}), &me).await.assert_error(400, "schema");
    t.post_as(&format!("/api/notifications/{}/read", uuid::Uuid::now_v7()), json!({}), &me).await.assert_error(404, "not_found");

    let broadcast =
        |audience: Value| json!({"title": {"ar": "عنوان", "en": "Title"}, "body": {"ar": "نص", "en": "Text"}, "audience": audience});
    let no_area = post("/api/admin/notifications", broadcast(json!({"kind": "area"})), admin.clone()).await;
    no_area.assert_error(422, "validation");
    assert_eq!(no_area.fields(), vec!["audience.areaId"]);
    let unknown_area = broadcast(json!({"kind": "area", "areaId": uuid::Uuid::now_v7()}));
    assert_eq!(post("/api/admin/notifications", unknown_area, admin.clone()).await.code(), "broadcast.area_not_found");
    let empty_list = post("/api/admin/notifications", broadcast(json!({"kind": "users", "userIds": []})), admin.clone()).await;
    assert_eq!(empty_list.fields(), vec!["audience.userIds"]);
    let blank = json!({"title": {"ar": " ", "en": "Title"}, "body": {"ar": "نص", "en": ""}, "audience": {"kind": "all_customers"}});
    let blank = post("/api/admin/notifications", blank, admin.clone()).await;
    blank.assert_error(422, "validation");
    assert_eq!(blank.fields(), vec!["title.ar", "body.en"]);
    post("/api/admin/notifications", broadcast(json!({"kind": "everyone"})), admin.clone()).await.assert_error(400, "schema");
});
