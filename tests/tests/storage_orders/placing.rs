//! Placing orders and reading them back: lines, numbers, the first event, the change record, the outbox
//! message and the emptied cart; lists by customer, status and time, newest first in pages; checkout
//! keys replayed, refused for another request, and private to each customer.
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::delivery::MapPoint;
use sabil_core::domain::mosque::{Mosque, MosqueId};
use sabil_core::domain::orders::{DeliveryTarget, Order, OrderId, OrderStatus, PaymentMethod};
use sabil_core::domain::{LocalizedText, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{CartItem, OrderQuery, PlaceRefused, Placed};
use sabil_tests::conformance;
use sabil_tests::fixtures::{T0, at};
use sabil_tests::order_fixtures::{
    BIG_PRICE, NEXT_SUNDAY, SUNDAY, change_operations, changes, customer, new_order, open_shop, order, outbox_keys, reserved,
    status_change, status_message, stored,
};
use time::OffsetDateTime;
use uuid::Uuid;

fn query(customer: Option<UserId>, status: Option<OrderStatus>, limit: u32, cursor: Option<Uuid>) -> OrderQuery {
    OrderQuery { customer, status, from: None, until: None, page: PageRequest { limit, cursor } }
}

fn ids<'a>(orders: impl IntoIterator<Item = &'a Order>) -> Vec<OrderId> {
    orders.into_iter().map(|o| o.id).collect()
}

conformance!(a_placed_order_is_stored_with_its_lines_event_change_record_and_message, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let buyer = customer(&stores, "+96550002001").await;
    let neighbour = customer(&stores, "+96550002002").await;
    stores.carts.put(buyer, CartItem { product_id: shop.refill, quantity: 3 }, at(1)).await.expect("put");
    stores.carts.put(buyer, CartItem { product_id: shop.case, quantity: 1 }, at(2)).await.expect("put");
    stores.carts.put(neighbour, CartItem { product_id: shop.refill, quantity: 2 }, at(3)).await.expect("put");

    let o = order(buyer, &shop, SUNDAY, 10, 0);
    let new = new_order(o.clone(), "checkout-1");
    let placed = stored(stores.orders.place(&new, at(10)).await);
    assert_eq!(placed, Order { number: 100_001, ..o.clone() }, "every field, money and time as given; the number assigned");
    assert_eq!(stores.orders.get(o.id).await.expect("get"), Some(placed.clone()));
    assert_eq!(stores.orders.get(OrderId(Uuid::now_v7())).await.expect("get"), None);
    assert_eq!(stores.orders.events(o.id).await.expect("events"), vec![new.event.clone()]);
    assert_eq!(change_operations(&stores, o.id).await, ["create"]);
    assert_eq!(outbox_keys(&stores).await, [status_message(&o, OrderStatus::PendingPayment).dedupe_key()]);
    assert_eq!(stores.outbox.pending("notification.order").await, Ok(1));
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 1);
    assert_eq!(stores.carts.items(buyer).await.expect("cart"), vec![], "the buyer's cart is emptied");
    assert_eq!(
        stores.carts.items(neighbour).await.expect("cart"),
        vec![CartItem { product_id: shop.refill, quantity: 2 }],
        "other carts stay"
    );

    // On SQL the change record carries the order as stored, number and all, for SAP.
    for (_, data) in changes(&stores, o.id).await.into_iter().filter(|(_, d)| !d.is_null()) {
        assert_eq!(data["id"], o.id.0.to_string());
        assert_eq!(data["number"], 100_001);
        assert_eq!(data["status"], "pending_payment");
        assert_eq!(data["lines"][1]["unitPrice"], BIG_PRICE);
        assert_eq!(data["version"], 1);
    }

    let second = stored(stores.orders.place(&new_order(order(buyer, &shop, NEXT_SUNDAY, 20, 0), "checkout-2"), at(20)).await);
    let third = stored(stores.orders.place(&new_order(order(neighbour, &shop, SUNDAY, 30, 0), "checkout-1"), at(30)).await);
    assert!(placed.number < second.number && second.number < third.number, "numbers increase: {placed:?} {second:?} {third:?}");
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 2);
    assert_eq!(reserved(&stores, &shop, NEXT_SUNDAY).await, 1);
});

conformance!(orders_list_newest_first_by_customer_status_and_time_in_pages, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let a = customer(&stores, "+96550002011").await;
    let b = customer(&stores, "+96550002012").await;
    let mut placed = Vec::new();
    for (i, (who, seconds)) in [(a, 10), (b, 15), (a, 20), (b, 25), (a, 30)].into_iter().enumerate() {
        let o = order(who, &shop, SUNDAY, seconds, 0);
        placed.push(stored(stores.orders.place(&new_order(o, &format!("key-{i}")), at(seconds)).await));
    }
    let paid = stores
        .orders
        .change_status(&status_change(&placed[2], OrderStatus::PendingPayment, OrderStatus::Paid, 40), at(40))
        .await
        .expect("move")
        .expect("moved");
    let [a1, b1, _, b2, a3] = placed.clone().try_into().expect("five orders");

    let all = stores.orders.list(&query(None, None, 10, None)).await.expect("list");
    assert_eq!(all.items, vec![a3.clone(), b2.clone(), paid.clone(), b1.clone(), a1.clone()], "newest first, as stored");
    assert_eq!(all.next_cursor, None);
    let of_a = stores.orders.list(&query(Some(a), None, 10, None)).await.expect("list");
    assert_eq!(ids(&of_a.items), ids([&a3, &paid, &a1]));
    let paid_only = stores.orders.list(&query(None, Some(OrderStatus::Paid), 10, None)).await.expect("list");
    assert_eq!(paid_only.items, vec![paid.clone()]);
    let a_waiting = stores.orders.list(&query(Some(a), Some(OrderStatus::PendingPayment), 10, None)).await.expect("list");
    assert_eq!(ids(&a_waiting.items), ids([&a3, &a1]));

    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = stores.orders.list(&query(None, None, 2, cursor)).await.expect("page");
        pages.push(ids(&page.items));
        match page.next_cursor {
            Some(next) => {
                assert_eq!(Some(next), page.items.last().map(|o| o.id.0), "the cursor is the last id");
                cursor = Some(next);
            }
            None => break,
        }
    }
    assert_eq!(pages, vec![ids([&a3, &b2]), ids([&paid, &b1]), ids([&a1])]);

    let window =
        |from: OffsetDateTime, until: OffsetDateTime| OrderQuery { from: Some(from), until: Some(until), ..query(None, None, 10, None) };
    let listed = stores.orders.list(&window(at(15), at(30))).await.expect("list");
    assert_eq!(ids(&listed.items), ids([&b2, &paid, &b1]), "from is inclusive, until exclusive");
});

conformance!(a_repeated_checkout_replays_its_order_and_stores_nothing_new, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let buyer = customer(&stores, "+96550002021").await;
    let first = new_order(order(buyer, &shop, SUNDAY, 10, 0), "checkout-1");
    let placed = stored(stores.orders.place(&first, at(10)).await);

    // A retried request carries new ids but the same key and request.
    let retry = new_order(order(buyer, &shop, SUNDAY, 11, 0), "checkout-1");
    assert_eq!(stores.orders.place(&retry, at(11)).await, Ok(Placed::Replayed(placed.clone())));
    assert_eq!(stores.orders.get(retry.order.id).await.expect("get"), None);
    assert_eq!(stores.orders.list(&query(Some(buyer), None, 10, None)).await.expect("list").items, vec![placed.clone()]);
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 1, "the slot place is taken once");
    assert_eq!(change_operations(&stores, placed.id).await, ["create"]);
    assert_eq!(outbox_keys(&stores).await.len(), 1);
    assert_eq!(stores.orders.events(placed.id).await.expect("events").len(), 1);
    assert_eq!(stores.orders.by_idempotency_key(buyer, "checkout-1").await.expect("key"), Some(("fp-checkout-1".to_owned(), placed.id)));
    assert_eq!(stores.orders.by_idempotency_key(buyer, "checkout-9").await.expect("key"), None);

    // The replay answers the order as it is now.
    let paid = stores
        .orders
        .change_status(&status_change(&placed, OrderStatus::PendingPayment, OrderStatus::Paid, 20), at(20))
        .await
        .expect("move")
        .expect("moved");
    assert_eq!(stores.orders.place(&retry, at(21)).await, Ok(Placed::Replayed(paid)));

    let mut other_request = new_order(order(buyer, &shop, NEXT_SUNDAY, 22, 0), "checkout-1");
    other_request.idempotency.request_fingerprint = "fp-another-basket".into();
    assert_eq!(stores.orders.place(&other_request, at(22)).await, Err(PlaceRefused::KeyReused));
    assert_eq!(stores.orders.get(other_request.order.id).await.expect("get"), None);
    assert_eq!(reserved(&stores, &shop, NEXT_SUNDAY).await, 0);

    // Keys belong to one customer: another may use the same key.
    let neighbour = customer(&stores, "+96550002022").await;
    let theirs = stored(stores.orders.place(&new_order(order(neighbour, &shop, SUNDAY, 30, 0), "checkout-1"), at(30)).await);
    assert_eq!(
        stores.orders.by_idempotency_key(neighbour, "checkout-1").await.expect("key"),
        Some(("fp-checkout-1".to_owned(), theirs.id))
    );
    assert_eq!(stores.orders.by_idempotency_key(buyer, "checkout-1").await.expect("key").map(|(_, id)| id), Some(placed.id));
});

conformance!(a_donation_to_a_mosque_reads_back_with_its_dedication, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let donor = customer(&stores, "+96550002031").await;
    let mosque = Mosque {
        id: MosqueId(Uuid::now_v7()),
        sap_id: None,
        name: LocalizedText { ar: "مسجد النور".into(), en: "Al Noor Mosque".into() },
        location: MapPoint { latitude: 29.332_1, longitude: 48.071_2 },
        area_id: shop.area,
        active: true,
        created_at: T0,
        updated_at: T0,
    };
    stores.mosques.create(&mosque).await.expect("create the mosque");
    for (i, dedication) in [Some("عن روح والدي — on behalf of my father".to_owned()), None].into_iter().enumerate() {
        let mut o = order(donor, &shop, SUNDAY, 10, 0);
        o.delivery = DeliveryTarget::Mosque { mosque_id: mosque.id, dedication };
        o.payment_method = PaymentMethod::Cash;
        o.comment = None;
        let placed = stored(stores.orders.place(&new_order(o.clone(), &format!("donation-{i}")), at(10)).await);
        assert_eq!(Order { number: 0, ..placed.clone() }, o);
        assert_eq!(stores.orders.get(o.id).await.expect("get"), Some(placed));
    }
});

conformance!(a_cart_keeps_lines_in_the_order_first_added, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let buyer = customer(&stores, "+96550002041").await;
    let item = |product_id: ProductId, quantity: u32| CartItem { product_id, quantity };
    stores.carts.put(buyer, item(shop.case, 1), at(1)).await.expect("put");
    stores.carts.put(buyer, item(shop.refill, 2), at(2)).await.expect("put");
    stores.carts.put(buyer, item(shop.case, 4), at(3)).await.expect("put");
    assert_eq!(
        stores.carts.items(buyer).await.expect("items"),
        vec![item(shop.case, 4), item(shop.refill, 2)],
        "a new quantity keeps its place"
    );
    assert_eq!(stores.carts.remove(buyer, shop.case).await, Ok(true));
    assert_eq!(stores.carts.remove(buyer, shop.case).await, Ok(false));
    assert_eq!(stores.carts.items(buyer).await.expect("items"), vec![item(shop.refill, 2)]);
    stores.carts.clear(buyer).await.expect("clear");
    assert_eq!(stores.carts.items(buyer).await.expect("items"), vec![]);
});

conformance!(sql: a_cart_line_needs_its_customer_and_product, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let buyer = customer(&stores, "+96550002051").await;
    let unknown_product = CartItem { product_id: ProductId(Uuid::now_v7()), quantity: 1 };
    assert!(matches!(stores.carts.put(buyer, unknown_product, at(1)).await, Err(RepoError::Conflict(_))));
    let line = CartItem { product_id: shop.refill, quantity: 1 };
    assert!(matches!(stores.carts.put(UserId(Uuid::now_v7()), line, at(1)).await, Err(RepoError::Conflict(_))));
});

conformance!(an_order_is_found_by_its_number, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let buyer = customer(&stores, "+96550002101").await;
    let first = stored(stores.orders.place(&new_order(order(buyer, &shop, SUNDAY, 10, 0), "checkout-1"), at(10)).await);
    let second = stored(stores.orders.place(&new_order(order(buyer, &shop, SUNDAY, 20, 0), "checkout-2"), at(20)).await);

    assert_eq!((first.number, second.number), (100_001, 100_002));
    assert_eq!(stores.orders.get_by_number(100_002).await.expect("by number"), Some(second.clone()));
    assert_eq!(stores.orders.get_by_number(100_001).await.expect("by number"), stores.orders.get(first.id).await.expect("get"));
    assert_eq!(stores.orders.get_by_number(100_003).await.expect("by number"), None);
});
