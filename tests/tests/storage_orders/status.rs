//! Moving an order is a compare-and-set on its status: from the expected status it writes the event,
//! raises the version, records an 'update' change and its messages (each event's message once); from
//! any other it writes nothing; an unknown order is `NotFound`.
use sabil_core::domain::orders::{Actor, Order, OrderId, OrderStatus};
use sabil_core::error::RepoError;
use sabil_tests::conformance;
use sabil_tests::fixtures::at;
use sabil_tests::order_fixtures::{
    SUNDAY, change_operations, changes, customer, new_order, open_shop, order, outbox_keys, status_change, status_message, stored,
};
use uuid::Uuid;

conformance!(a_status_move_happens_only_from_the_expected_status, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let buyer = customer(&stores, "+96550006001").await;
    let new = new_order(order(buyer, &shop, SUNDAY, 10, 0), "checkout-1");
    let placed = stored(stores.orders.place(&new, at(10)).await);
    let waiting_key = status_message(&placed, OrderStatus::PendingPayment).dedupe_key();

    let unknown =
        status_change(&Order { id: OrderId(Uuid::now_v7()), ..placed.clone() }, OrderStatus::PendingPayment, OrderStatus::Paid, 20);
    assert_eq!(stores.orders.change_status(&unknown, at(20)).await, Err(RepoError::NotFound));

    let stale = status_change(&placed, OrderStatus::Paid, OrderStatus::Confirmed, 20);
    assert_eq!(stores.orders.change_status(&stale, at(20)).await, Ok(None), "the order is not paid");
    assert_eq!(stores.orders.get(placed.id).await.expect("get"), Some(placed.clone()), "nothing written");
    assert_eq!(stores.orders.events(placed.id).await.expect("events"), vec![new.event.clone()]);
    assert_eq!(change_operations(&stores, placed.id).await, ["create"]);
    assert_eq!(outbox_keys(&stores).await, std::slice::from_ref(&waiting_key));

    // The provider's word moves it; the same message twice in one move is written once.
    let mut pay = status_change(&placed, OrderStatus::PendingPayment, OrderStatus::Paid, 30);
    pay.event.actor = Actor::payment_provider("chg_TS0123456789");
    pay.outbox.push(pay.outbox[0].clone());
    let paid = stores.orders.change_status(&pay, at(31)).await.expect("move").expect("moved");
    assert_eq!(paid, Order { status: OrderStatus::Paid, version: 2, updated_at: at(31), ..placed.clone() });
    assert_eq!(stores.orders.get(placed.id).await.expect("get"), Some(paid.clone()));
    assert_eq!(stores.orders.events(placed.id).await.expect("events"), vec![new.event.clone(), pay.event.clone()]);
    assert_eq!(change_operations(&stores, placed.id).await, ["create", "update"]);
    let paid_key = status_message(&placed, OrderStatus::Paid).dedupe_key();
    assert_eq!(outbox_keys(&stores).await, [waiting_key.clone(), paid_key.clone()]);
    for (_, data) in changes(&stores, placed.id).await.into_iter().skip(1).filter(|(_, d)| !d.is_null()) {
        assert_eq!(
            (data["status"].as_str(), data["version"].as_i64()),
            (Some("paid"), Some(2)),
            "the record carries the order after the move"
        );
    }

    // A second delivery of the same webhook finds the order already moved.
    assert_eq!(stores.orders.change_status(&pay, at(32)).await, Ok(None));
    assert_eq!(stores.orders.get(placed.id).await.expect("get").map(|o| o.version), Some(2));
    assert_eq!(stores.orders.events(placed.id).await.expect("events").len(), 2);

    // A message already sent for an earlier event is not sent again.
    let mut confirm = status_change(&placed, OrderStatus::Paid, OrderStatus::Confirmed, 40);
    confirm.outbox.push(status_message(&placed, OrderStatus::PendingPayment));
    let confirmed = stores.orders.change_status(&confirm, at(40)).await.expect("move").expect("moved");
    assert_eq!((confirmed.status, confirmed.version), (OrderStatus::Confirmed, 3));
    assert_eq!(outbox_keys(&stores).await, [waiting_key, paid_key, status_message(&placed, OrderStatus::Confirmed).dedupe_key()]);
    assert_eq!(change_operations(&stores, placed.id).await, ["create", "update", "update"]);
});
