//! The outbox: one message per dedupe key, claimed oldest first under a lease nobody else gets while it
//! lasts, retried later, dead-lettered out of the queue, completed; concurrent claimers never share one.
use std::collections::HashSet;
use std::sync::Arc;

use sabil_core::domain::UserId;
use sabil_core::domain::orders::{OrderId, OrderStatus};
use sabil_core::ports::{OutboxEntry, OutboxMessage};
use sabil_tests::conformance;
use sabil_tests::fixtures::at;
use uuid::Uuid;

const ORDERS: &str = "notification.order";
const REFUNDS: &str = "payment.refund";

fn notification(status: OrderStatus) -> OutboxMessage {
    OutboxMessage::OrderStatusChanged { order_id: OrderId(Uuid::now_v7()), customer_id: UserId(Uuid::now_v7()), status }
}

fn refund() -> OutboxMessage {
    OutboxMessage::RefundPayment { order_id: OrderId(Uuid::now_v7()), payment_id: Uuid::now_v7() }
}

fn messages(entries: &[OutboxEntry]) -> Vec<OutboxMessage> {
    entries.iter().map(|e| e.message.clone()).collect()
}

conformance!(outbox_messages_are_leased_retried_dead_lettered_and_completed, |stores| async move {
    let outbox = &stores.outbox;
    let (m1, m2, r1, r2) = (notification(OrderStatus::Paid), notification(OrderStatus::Cancelled), refund(), refund());
    assert_eq!(outbox.enqueue(&m1, at(1)).await, Ok(true));
    assert_eq!(outbox.enqueue(&m1, at(2)).await, Ok(false), "one message per dedupe key");
    assert_eq!(outbox.enqueue(&m2, at(3)).await, Ok(true));
    assert_eq!(outbox.enqueue(&r1, at(4)).await, Ok(true));
    assert_eq!(outbox.enqueue(&r2, at(5)).await, Ok(true));
    assert_eq!((outbox.pending(ORDERS).await, outbox.pending(REFUNDS).await), (Ok(2), Ok(2)));

    let claimed = outbox.claim(ORDERS, 10, at(10), at(70)).await.expect("claim");
    assert_eq!(messages(&claimed), vec![m1.clone(), m2.clone()], "oldest first, one topic");
    assert_eq!(claimed.iter().map(|e| (e.attempts, e.created_at)).collect::<Vec<_>>(), vec![(0, at(1)), (0, at(3))]);
    let (id1, id2) = (claimed[0].id, claimed[1].id);
    assert_eq!(outbox.claim(ORDERS, 10, at(20), at(80)).await, Ok(vec![]), "leased until 70");
    let reclaimed = outbox.claim(ORDERS, 10, at(80), at(140)).await.expect("claim");
    assert_eq!(reclaimed.iter().map(|e| e.id).collect::<Vec<_>>(), vec![id1, id2], "an ended lease frees the message");

    outbox.retry(id1, "push gateway timed out", at(200)).await.expect("retry");
    outbox.dead_letter(id2, "the device token is gone", at(90)).await.expect("dead letter");
    assert_eq!(outbox.pending(ORDERS).await, Ok(1), "the dead letter left the queue");
    assert_eq!(outbox.claim(ORDERS, 10, at(150), at(210)).await, Ok(vec![]), "not due before 200");
    let due = outbox.claim(ORDERS, 10, at(200), at(260)).await.expect("claim");
    assert_eq!(due.iter().map(|e| (e.id, e.attempts, e.message.clone())).collect::<Vec<_>>(), vec![(id1, 1, m1.clone())]);
    outbox.complete(id1, at(210)).await.expect("complete");
    assert_eq!(outbox.pending(ORDERS).await, Ok(0));
    assert_eq!(outbox.claim(ORDERS, 10, at(10_000), at(10_060)).await, Ok(vec![]), "done and dead are never claimed again");
    assert_eq!(outbox.enqueue(&m1, at(300)).await, Ok(false), "a delivered message is not queued again");

    let first = outbox.claim(REFUNDS, 1, at(10), at(70)).await.expect("claim");
    assert_eq!(messages(&first), vec![r1]);
    let second = outbox.claim(REFUNDS, 1, at(10), at(70)).await.expect("claim");
    assert_eq!(messages(&second), vec![r2]);
});

conformance!(concurrent_claimers_never_get_the_same_message, |stores| async move {
    let mut all = HashSet::new();
    for i in 0..12 {
        let m = refund();
        stores.outbox.enqueue(&m, at(i)).await.expect("enqueue");
        all.insert(m.dedupe_key());
    }
    let mut claimers = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let outbox = Arc::clone(&stores.outbox);
        claimers.spawn(async move { outbox.claim(REFUNDS, 5, at(100), at(160)).await });
    }
    let mut seen = Vec::new();
    for claimed in claimers.join_all().await {
        seen.extend(claimed.expect("claim").into_iter().map(|e| e.message.dedupe_key()));
    }
    let rest = stores.outbox.claim(REFUNDS, 20, at(100), at(160)).await.expect("claim");
    seen.extend(rest.into_iter().map(|e| e.message.dedupe_key()));
    let distinct: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(distinct.len(), seen.len(), "a message claimed twice under one lease: {seen:?}");
    assert_eq!(distinct, all, "every message claimed once");
});
