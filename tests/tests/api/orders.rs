//! Cart, checkout, the order lifecycle and payments over HTTP: the whole money path on one machine
//! with the built-in payment sandbox. An order is paid only when the provider says so.
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Answer, TestApp, api_test, token};

struct Shop {
    admin: String,
    product: String,
    area: String,
    slot: String,
}

/// A product at 12.50 AED, an area with a 5.00 AED fee and a 20.00 AED minimum, and a Sunday slot.
async fn shop(t: &TestApp, admin_phone: &str, capacity: u32) -> Shop {
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
    let boundary =
        json!({"type": "Polygon", "coordinates": [[[54.40, 24.49], [54.42, 24.49], [54.42, 24.51], [54.40, 24.51], [54.40, 24.49]]]});
    let area = t
        .post_as(
            "/api/admin/delivery-areas",
            json!({"nameAr": "الريم", "nameEn": "Al Reem", "boundary": boundary, "deliveryFee": {"amount": 500, "currency": "AED"},
                   "minimumOrder": {"amount": 2000, "currency": "AED"}, "active": true}),
            &admin,
        )
        .await;
    assert_eq!(area.status, StatusCode::OK, "{}", area.body);
    let area = area.body["id"].as_str().expect("id").to_owned();
    let slot = t
        .post_as(
            "/api/admin/delivery-slots",
            json!({"areaId": area, "weekday": "sunday", "startsAt": "10:00", "endsAt": "12:00", "capacity": capacity, "active": true}),
            &admin,
        )
        .await;
    assert_eq!(slot.status, StatusCode::OK, "{}", slot.body);
    Shop {
        admin,
        product: product.body["id"].as_str().expect("id").to_owned(),
        area,
        slot: slot.body["id"].as_str().expect("id").to_owned(),
    }
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

async fn checkout(t: &TestApp, me: &str, key: &str, body: &Value) -> Answer {
    let resp = t
        .client
        .post("/api/cart/checkout")
        .header("authorization", format!("Bearer {me}"))
        .header("idempotency-key", key)
        .content_type("application/json")
        .body(body.to_string())
        .send()
        .await
        .0;
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.into_body().into_string().await.expect("body");
    Answer { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

fn order_body(s: &Shop, address: &str, method: &str) -> Value {
    // 2030-01-06 is a Sunday.
    json!({"delivery": {"addressId": address}, "slotId": s.slot, "date": "2030-01-06", "paymentMethod": method})
}

api_test!(a_card_order_is_placed_once_and_paid_only_when_the_provider_confirms, |t| {
    let s = shop(&t, "+96550020000", 5).await;
    let (me, address) = customer_with_address(&t, "+96550020001").await;
    let added = t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 2}), &me).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(added.body["quote"]["totals"]["subTotal"]["amount"], 2500);

    // 2 × 12.50 + 5.00 fee, plus 5 % VAT on both: 1.25 + 0.25.
    let quote = t.post_as("/api/cart/quote", json!({"delivery": {"addressId": address}}), &me).await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.body);
    let totals = &quote.body["totals"];
    assert_eq!((totals["deliveryFee"]["amount"].as_i64(), totals["taxTotal"]["amount"].as_i64()), (Some(500), Some(150)));
    assert_eq!((totals["netAmount"]["amount"].as_i64(), totals["amountToPay"]["amount"].as_i64()), (Some(3150), Some(3150)));
    assert_eq!(quote.body["lines"][0]["tax"]["amount"], 125);

    let body = order_body(&s, &address, "card");
    let placed = checkout(&t, &me, "key-1", &body).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    assert_eq!(placed.body["status"], "pending_payment");
    assert_eq!(placed.body["totals"]["amountToPay"]["amount"], 3150);
    let order = placed.body["id"].as_str().expect("id").to_owned();
    let cart = t.get_as("/api/cart", &me).await;
    assert_eq!(cart.body["items"].as_array().map(Vec::len), Some(0), "checkout empties the cart");

    // The same key and body: the first order again, nothing new.
    let again = checkout(&t, &me, "key-1", &body).await;
    assert_eq!((again.status, again.body["id"].as_str()), (StatusCode::OK, Some(order.as_str())));
    assert_eq!(again.headers.get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let other_body = checkout(&t, &me, "key-1", &order_body(&s, &address, "knet")).await;
    assert_eq!(other_body.assert_error(422, "validation"), "order.idempotency_key_reused");
    let mine = t.get_as("/api/orders", &me).await;
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(1));

    // Nothing the client sends makes it paid.
    let forced = t.post_as(&format!("/api/admin/orders/{order}/status"), json!({"status": "paid"}), &s.admin).await;
    assert_eq!(forced.assert_error(409, "conflict"), "order.transition_not_allowed");
    let by_customer = t.post_as(&format!("/api/orders/{order}/cancel"), json!({"paid": true}), &me).await;
    assert_eq!(by_customer.status, StatusCode::BAD_REQUEST, "unknown fields are refused: {}", by_customer.body);
    let forged = t
        .raw(
            "POST",
            "/api/payments/tap/webhook",
            Some("application/json"),
            Some(json!({"id": "chg_x", "status": "CAPTURED"}).to_string()),
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", forged.body);
    let forged_sig = t
        .client
        .post("/api/payments/tap/webhook")
        .header("hashstring", "0".repeat(64))
        .content_type("application/json")
        .body(json!({"id": "chg_x", "amount": 31.5, "currency": "AED", "status": "CAPTURED"}).to_string())
        .send()
        .await;
    forged_sig.assert_status(StatusCode::UNAUTHORIZED);
    let audit = t.audit().await;
    assert!(audit.iter().filter(|r| r.contains("payment.bad_signature")).count() >= 2, "rejected webhooks are audited: {audit:?}");

    // Pay in the sandbox: the page's approve button delivers the signed webhook.
    let payment = t.post_as(&format!("/api/orders/{order}/payments"), json!({}), &me).await;
    assert_eq!(payment.status, StatusCode::CREATED, "{}", payment.body);
    let url = payment.body["paymentUrl"].as_str().expect("url").to_owned();
    let charge = payment.body["chargeId"].as_str().expect("charge").to_owned();
    assert!(url.ends_with(&format!("/pay/sandbox/{charge}")), "{url}");
    let still = t.get_as(&format!("/api/orders/{order}"), &me).await;
    assert_eq!(still.body["order"]["status"], "pending_payment", "starting a payment pays nothing");
    let page = t.client.get(format!("/pay/sandbox/{charge}")).send().await;
    page.assert_status_is_ok();
    let approved = t.client.post(format!("/pay/sandbox/{charge}/approve")).send().await;
    approved.assert_status(StatusCode::SEE_OTHER);
    let paid = t.get_as(&format!("/api/orders/{order}"), &me).await;
    assert_eq!(paid.body["order"]["status"], "paid", "{}", paid.body);
    let events: Vec<&str> = paid.body["events"].as_array().expect("events").iter().filter_map(|e| e["by"].as_str()).collect();
    assert_eq!(events, vec!["customer", "payment_provider"]);
    // A repeated notification changes nothing.
    let outcome = t.app.orders.check_charge(&charge).await.expect("check");
    assert!(matches!(outcome, sabil_core::services::orders::WebhookOutcome::Unchanged(_)));

    // Cancelling a paid order refunds it through the worker's job.
    let cancelled = t.post_as(&format!("/api/orders/{order}/cancel"), json!({"reason": "changed my mind"}), &me).await;
    assert_eq!((cancelled.status, cancelled.body["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{}", cancelled.body);
    assert_eq!(t.app.orders.process_refunds(10).await.expect("refunds"), 1);
    let refunded = t.get_as(&format!("/api/orders/{order}"), &me).await;
    assert_eq!(refunded.body["order"]["status"], "refunded");
    assert_eq!(t.app.orders.process_refunds(10).await.expect("refunds"), 0, "a refund happens once");
});

api_test!(orders_follow_the_lifecycle_and_stay_private, |t| {
    let s = shop(&t, "+96550020100", 5).await;
    let (me, address) = customer_with_address(&t, "+96550020101").await;
    let (other, _) = customer_with_address(&t, "+96550020102").await;
    t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 2}), &me).await;
    let cash = checkout(&t, &me, "k-cash", &order_body(&s, &address, "cash")).await;
    assert_eq!(cash.assert_error(422, "validation"), "order.payment_method_not_accepted", "cash is off by default");
    let knet = checkout(&t, &me, "k-knet", &order_body(&s, &address, "knet")).await;
    assert_eq!(knet.assert_error(422, "validation"), "order.payment_method_not_accepted", "KNET only in KWD");
    let placed = checkout(&t, &me, "k-card", &order_body(&s, &address, "card")).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let order = placed.body["id"].as_str().expect("id").to_owned();

    let theirs = t.get_as(&format!("/api/orders/{order}"), &other).await;
    assert_eq!(theirs.assert_error(404, "not_found"), "order.not_found");
    let not_theirs = t.post_as(&format!("/api/orders/{order}/cancel"), json!({}), &other).await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    let early = t.post_as(&format!("/api/admin/orders/{order}/status"), json!({"status": "delivered"}), &s.admin).await;
    assert_eq!(early.assert_error(409, "conflict"), "order.transition_not_allowed");
    assert!(early.body["error"]["hint"].as_str().unwrap_or("").contains("cancelled"), "{}", early.body);

    // The slot place comes back on cancellation.
    let cancelled = t.post_as(&format!("/api/orders/{order}/cancel"), json!({}), &me).await;
    assert_eq!(cancelled.body["status"], "cancelled");
    let slots = t.raw("GET", &format!("/api/delivery-slots?areaId={}&from=2030-01-06&days=1", s.area), None, None, None).await;
    assert_eq!(slots.body[0]["remaining"], 5);
    let twice = t.post_as(&format!("/api/orders/{order}/cancel"), json!({}), &me).await;
    assert_eq!(twice.assert_error(409, "conflict"), "order.transition_not_allowed");

    let again = t.post_as(&format!("/api/orders/{order}/reorder"), json!({}), &me).await;
    assert_eq!(again.body["items"][0]["quantity"], 2, "reorder refills the cart: {}", again.body);
    let below = t.put_quantity(&s.product, 1, &me).await;
    assert_eq!(below.status, StatusCode::OK);
    let short = checkout(&t, &me, "k-short", &order_body(&s, &address, "card")).await;
    assert_eq!(short.assert_error(422, "validation"), "order.below_minimum");
    let bad_date = checkout(
        &t,
        &me,
        "k-date",
        &json!({"delivery": {"addressId": address}, "slotId": s.slot, "date": "06/01/2030", "paymentMethod": "card"}),
    )
    .await;
    assert_eq!(bad_date.fields(), vec!["date"]);
    t.put_quantity(&s.product, 2, &me).await;
    let monday = checkout(
        &t,
        &me,
        "k-mon",
        &json!({"delivery": {"addressId": address}, "slotId": s.slot, "date": "2030-01-07", "paymentMethod": "card"}),
    )
    .await;
    assert_eq!(monday.assert_error(422, "validation"), "order.slot_wrong_day");
});

api_test!(a_full_slot_refuses_the_next_checkout, |t| {
    let s = shop(&t, "+96550020200", 1).await;
    let (first, a1) = customer_with_address(&t, "+96550020201").await;
    let (second, a2) = customer_with_address(&t, "+96550020202").await;
    for me in [&first, &second] {
        t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 2}), me).await;
    }
    let ok = checkout(&t, &first, "a", &order_body(&s, &a1, "card")).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let full = checkout(&t, &second, "b", &order_body(&s, &a2, "card")).await;
    assert_eq!(full.assert_error(422, "validation"), "order.slot_full");
    let cart = t.get_as("/api/cart", &second).await;
    assert_eq!(cart.body["items"].as_array().map(Vec::len), Some(1), "a refused checkout keeps the cart");
});

impl TestApp {
    async fn put_quantity(&self, product: &str, quantity: u32, token: &str) -> Answer {
        self.raw(
            "PUT",
            &format!("/api/cart/items/{product}"),
            Some("application/json"),
            Some(json!({"quantity": quantity}).to_string()),
            Some(token),
        )
        .await
    }
}

api_test!(a_paid_coupon_book_fills_the_wallet_and_its_coupons_pay_for_refills, |t| {
    let s = shop(&t, "+96550020300", 50).await;
    let book = t
        .post_as(
            "/api/admin/products",
            json!({"titleAr": "دفتر ٢٢ كوبون", "titleEn": "Book of 22 coupons", "descriptionAr": "كوبونات", "descriptionEn": "Coupons",
                   "type": "coupon_book", "volumeMl": 18900, "bottlesPerPack": 22, "price": {"amount": 20000, "currency": "AED"},
                   "minQuantity": 1, "maxQuantity": 5, "active": true, "sortOrder": 2}),
            &s.admin,
        )
        .await;
    let book = book.body["id"].as_str().expect("id").to_owned();
    let refused = t
        .raw(
            "PUT",
            &format!("/api/admin/products/{}/coupon-book", s.product),
            Some("application/json"),
            Some(json!({"couponProductId": book, "couponsPerPack": 22}).to_string()),
            Some(&s.admin),
        )
        .await;
    assert_eq!(refused.fields(), vec!["productId"], "only coupon-book products give coupons: {}", refused.body);
    let set = t
        .raw(
            "PUT",
            &format!("/api/admin/products/{book}/coupon-book"),
            Some("application/json"),
            Some(json!({"couponProductId": s.product, "couponsPerPack": 22, "validityDays": 365}).to_string()),
            Some(&s.admin),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);

    let (me, address) = customer_with_address(&t, "+96550020301").await;
    t.post_as("/api/cart/items", json!({"productId": book, "quantity": 1}), &me).await;
    let placed = checkout(&t, &me, "book", &order_body(&s, &address, "card")).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let order = placed.body["id"].as_str().expect("id").to_owned();
    assert_eq!(t.app.orders.issue_purchased_coupons(10).await.expect("job"), 0, "nothing before payment");
    let payment = t.post_as(&format!("/api/orders/{order}/payments"), json!({}), &me).await;
    let charge = payment.body["chargeId"].as_str().expect("charge").to_owned();
    t.client.post(format!("/pay/sandbox/{charge}/approve")).send().await.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(t.app.orders.issue_purchased_coupons(10).await.expect("job"), 1);
    assert_eq!(t.app.orders.issue_purchased_coupons(10).await.expect("job"), 0, "issued once");
    let wallet = t.get_as("/api/coupons/wallet", &me).await;
    assert_eq!(wallet.status, StatusCode::OK, "{}", wallet.body);
    let balances = wallet.body["balances"].as_array().expect("balances");
    assert_eq!(balances.len(), 1, "{}", wallet.body);
    assert_eq!(balances[0]["available"], 22);
    let keep = t.post_as(&format!("/api/orders/{order}/cancel"), json!({}), &me).await;
    assert_eq!(keep.assert_error(409, "conflict"), "order.transition_not_allowed", "bought coupons may be spent already");

    // Two refills paid with coupons: only the delivery fee and its VAT are left to pay.
    t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 2}), &me).await;
    let body = json!({"delivery": {"addressId": address}, "slotId": s.slot, "date": "2030-01-06", "paymentMethod": "card",
                      "coupons": [{"productId": s.product, "count": 2}]});
    let paid_by_coupons = checkout(&t, &me, "coupons", &body).await;
    assert_eq!(paid_by_coupons.status, StatusCode::CREATED, "{}", paid_by_coupons.body);
    assert_eq!(paid_by_coupons.body["totals"]["amountToPay"]["amount"], 525, "{}", paid_by_coupons.body["totals"]);
    let wallet = t.get_as("/api/coupons/wallet", &me).await;
    assert_eq!(wallet.body["balances"][0]["available"], 20);
    let too_many = json!({"delivery": {"addressId": address}, "slotId": s.slot, "date": "2030-01-06", "paymentMethod": "card",
                          "coupons": [{"productId": s.product, "count": 2}]});
    t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 1}), &me).await;
    let refused = checkout(&t, &me, "too-many", &too_many).await;
    assert_eq!(refused.assert_error(422, "validation"), "coupons.not_in_cart");
    // Cancelling gives the coupons back.
    let id = paid_by_coupons.body["id"].as_str().expect("id");
    t.post_as(&format!("/api/orders/{id}/cancel"), json!({}), &me).await;
    let wallet = t.get_as("/api/coupons/wallet", &me).await;
    assert_eq!(wallet.body["balances"][0]["available"], 22);
});

api_test!(bad_checkout_input_is_named_and_places_nothing, |t| {
    let s = shop(&t, "+96550020400", 5).await;
    let (me, address) = customer_with_address(&t, "+96550020401").await;
    t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 2}), &me).await;
    let no_key = t.post_as("/api/cart/checkout", order_body(&s, &address, "card"), &me).await;
    assert_eq!(no_key.status, StatusCode::BAD_REQUEST, "{}", no_key.body);
    assert_eq!(no_key.fields(), vec!["Idempotency-Key"], "{}", no_key.body);
    let mut unknown = order_body(&s, &address, "card");
    unknown["status"] = json!("paid");
    let a = checkout(&t, &me, "u", &unknown).await;
    assert_eq!((a.status, a.fields()), (StatusCode::BAD_REQUEST, vec!["status".to_owned()]), "{}", a.body);
    let mut mistyped = order_body(&s, &address, "card");
    mistyped["slotId"] = json!("not-a-uuid");
    let a = checkout(&t, &me, "m", &mistyped).await;
    assert_eq!((a.status, a.fields()), (StatusCode::BAD_REQUEST, vec!["slotId".to_owned()]), "{}", a.body);
    let both =
        json!({"delivery": {"addressId": address, "mosqueId": address}, "slotId": s.slot, "date": "2030-01-06", "paymentMethod": "card"});
    let a = checkout(&t, &me, "b", &both).await;
    assert_eq!((a.status, a.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["delivery".to_owned()]), "{}", a.body);
    let method = json!({"delivery": {"addressId": address}, "slotId": s.slot, "date": "2030-01-06", "paymentMethod": "bitcoin"});
    let a = checkout(&t, &me, "p", &method).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    let long_key = checkout(&t, &me, &"k".repeat(300), &order_body(&s, &address, "card")).await;
    assert_eq!(long_key.status, StatusCode::BAD_REQUEST, "{}", long_key.body);
    let mine = t.get_as("/api/orders", &me).await;
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(0), "nothing was placed");
    let cart = t.get_as("/api/cart", &me).await;
    assert_eq!(cart.body["items"].as_array().map(Vec::len), Some(1), "the cart is intact");
});

api_test!(
    a_lost_webhook_is_caught_by_reconciliation_and_late_ones_never_move_an_order_back,
    &[("SABIL_PAYMENT_CHECK_AFTER_SECS", "1")],
    |t| {
        let s = shop(&t, "+96550020500", 5).await;
        let (me, address) = customer_with_address(&t, "+96550020501").await;
        t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 2}), &me).await;
        let placed = checkout(&t, &me, "lost", &order_body(&s, &address, "card")).await;
        let order = placed.body["id"].as_str().expect("id").to_owned();
        let sandbox = t.app.payment_sandbox.clone().expect("the sandbox is the default gateway");

        // First attempt declined: its webhook arrives and the order says so.
        let first = t.post_as(&format!("/api/orders/{order}/payments"), json!({}), &me).await;
        let first_charge = first.body["chargeId"].as_str().expect("charge").to_owned();
        let declined = sandbox.decide(&first_charge, false).await.expect("decide");
        t.app.orders.payment_webhook(Some(&declined.hashstring), &declined.body).await.expect("webhook");
        let failed = t.get_as(&format!("/api/orders/{order}"), &me).await;
        assert_eq!(failed.body["order"]["status"], "payment_failed");

        // Second attempt approved at the provider, but its webhook is lost.
        let second = t.post_as(&format!("/api/orders/{order}/payments"), json!({}), &me).await;
        assert_eq!(second.status, StatusCode::CREATED, "a failed payment may be tried again: {}", second.body);
        let second_charge = second.body["chargeId"].as_str().expect("charge").to_owned();
        assert_ne!(first_charge, second_charge);
        sandbox.decide(&second_charge, true).await.expect("decide");
        let waiting = t.get_as(&format!("/api/orders/{order}"), &me).await;
        assert_eq!(waiting.body["order"]["status"], "pending_payment");
        assert_eq!(t.app.orders.reconcile_payments(10).await.expect("reconcile"), 0, "too early to ask");
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert!(t.app.orders.reconcile_payments(10).await.expect("reconcile") >= 1);
        let paid = t.get_as(&format!("/api/orders/{order}"), &me).await;
        assert_eq!(paid.body["order"]["status"], "paid", "{}", paid.body);

        // The first attempt's decline, delivered again late, changes nothing.
        t.app.orders.payment_webhook(Some(&declined.hashstring), &declined.body).await.expect("webhook");
        let still = t.get_as(&format!("/api/orders/{order}"), &me).await;
        assert_eq!(still.body["order"]["status"], "paid");
        let events = still.body["events"].as_array().expect("events").len();
        assert_eq!(events, 4, "placed, failed, retried, paid: {}", still.body["events"]);
    }
);

api_test!(two_sends_of_one_checkout_racing_each_other_both_get_the_order, |t| {
    let s = shop(&t, "+96550020600", 10_000).await;
    let (me, address) = customer_with_address(&t, "+96550020601").await;
    let body = order_body(&s, &address, "card");
    for round in 0..40 {
        t.post_as("/api/cart/items", json!({"productId": s.product, "quantity": 2}), &me).await;
        let key = format!("race-{round}");
        let (a, b) = tokio::join!(checkout(&t, &me, &key, &body), checkout(&t, &me, &key, &body));
        assert!(a.status.is_success() && b.status.is_success(), "round {round}: {} {} / {} {}", a.status, a.body, b.status, b.body);
        assert_eq!(a.body["id"], b.body["id"], "round {round}: one order per key");
    }
    let mine = t.get_as("/api/orders?limit=100", &me).await;
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(40));
});
