//! The local push stand-in (`LocalPush`, SQL only: the fake is `RecordingPush`) on SQLite and PostgreSQL:
//! every push recorded with its content and outcome, listed newest first, filtered by device token.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use sabil_adapters::store::LocalPush;
use sabil_core::ports::{Clock, PushGateway, PushMessage, PushOutcome};
use sabil_core::testing::ManualClock;
use sabil_tests::conformance;
use sabil_tests::fixtures::T0;

fn push(token: &str, title: &str, order: &str) -> PushMessage {
    let data = BTreeMap::from([("orderId".to_owned(), order.to_owned()), ("kind".to_owned(), "order.delivered".to_owned())]);
    PushMessage { token: token.to_owned(), title: title.to_owned(), body: "تم توصيل طلبك".to_owned(), data }
}

fn local(stores: &sabil_tests::Stores, clock: &Arc<ManualClock>) -> LocalPush {
    LocalPush::new(stores.db.clone().expect("SQL backends have a database"), clock.clone())
}

conformance!(sql: local_pushes_are_listed_newest_first_with_their_content, |stores| async move {
    let clock = Arc::new(ManualClock::new(T0));
    let gateway = local(&stores, &clock);
    let mut sent = Vec::new();
    for (i, token) in ["device-a", "device-b", "device-a"].into_iter().enumerate() {
        let message = push(token, &format!("Order {i}"), &format!("order-{i}"));
        let PushOutcome::Sent { provider_id } = gateway.send(&message).await.expect("kept") else { panic!("a valid token is sent") };
        sent.push((provider_id, message, clock.now()));
        clock.advance(time::Duration::seconds(30));
    }

    let listed = gateway.list(None, 10).await.expect("list");
    let got: Vec<_> = listed
        .iter()
        .map(|e| (format!("local-{}", e.id), e.token.clone(), e.title.clone(), e.body.clone(), e.data.clone(), e.outcome.clone(), e.created_at))
        .collect();
    let want: Vec<_> = sent
        .iter()
        .rev()
        .map(|(id, m, t)| (id.clone(), m.token.clone(), m.title.clone(), m.body.clone(), m.data.clone(), "sent".to_owned(), *t))
        .collect();
    assert_eq!(got, want);
    assert_eq!(gateway.list(None, 1).await.expect("list")[0].title, "Order 2");
});

conformance!(sql: local_pushes_filtered_by_token_are_that_device_s_only, |stores| async move {
    let clock = Arc::new(ManualClock::new(T0));
    let gateway = local(&stores, &clock);
    for (token, title) in [("device-a", "first"), ("device-b", "other"), ("device-a", "second"), ("device-a", "third")] {
        gateway.send(&push(token, title, "o")).await.expect("kept");
        clock.advance(time::Duration::seconds(1));
    }

    let titles = |entries: Vec<sabil_adapters::store::LocalPushEntry>| entries.into_iter().map(|e| e.title).collect::<Vec<_>>();
    assert_eq!(titles(gateway.list(Some("device-a"), 10).await.expect("list")), ["third", "second", "first"]);
    assert_eq!(titles(gateway.list(Some("device-a"), 2).await.expect("list")), ["third", "second"]);
    assert_eq!(titles(gateway.list(Some("device-b"), 10).await.expect("list")), ["other"]);
    assert!(gateway.list(Some("device-c"), 10).await.expect("list").is_empty());
});

conformance!(sql: tokens_starting_with_invalid_are_answered_unregistered_and_recorded, |stores| async move {
    let clock = Arc::new(ManualClock::new(T0));
    let gateway = local(&stores, &clock);

    let outcome = gateway.send(&push("invalid-uninstalled", "Order paid", "o")).await.expect("an outcome");

    assert!(matches!(&outcome, PushOutcome::TokenInvalid { reason } if reason.starts_with("UNREGISTERED")), "{outcome:?}");
    let listed = gateway.list(Some("invalid-uninstalled"), 10).await.expect("list");
    assert_eq!(listed.iter().map(|e| e.outcome.as_str()).collect::<Vec<_>>(), ["token_invalid"]);
    assert_eq!(gateway.name(), "local");
});
