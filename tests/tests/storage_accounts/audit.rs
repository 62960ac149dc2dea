//! `AuditRepository` (newest events first, limited) and the local SMS outbox (SQL only: it has no fake).
use std::sync::Arc;

use sabil_core::domain::{AuditEvent, AuditKind, RequestMeta};
use sabil_core::ports::{Clock, SmsGateway, SmsMessage};
use sabil_core::testing::ManualClock;
use sabil_tests::conformance;
use sabil_tests::fixtures::{T0, at, audit_event, phone};

conformance!(the_newest_audit_events_come_first, |stores| async move {
    let kinds = [
        AuditKind::LoginFailed,
        AuditKind::LoginSucceeded,
        AuditKind::AccessDenied,
        AuditKind::TokenRefreshed,
        AuditKind::RefreshTokenReused,
    ];
    let mut events = Vec::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        let event = audit_event(kind, at(i64::try_from(i).expect("small") * 10), &format!("reason {i}"));
        stores.audit.record(&event).await.expect("record");
        events.push(event);
    }
    // An event with nobody identified and no address keeps its empty fields.
    let anonymous = AuditEvent::new(
        &RequestMeta { route: "GET /api/me".to_owned(), ..RequestMeta::default() },
        at(60),
        AuditKind::TokenRevoked,
        None,
        "",
    );
    stores.audit.record(&anonymous).await.expect("record");
    events.push(anonymous);
    events.reverse();

    assert_eq!(stores.audit.recent(3).await.expect("recent"), events[..3]);
    assert_eq!(stores.audit.recent(100).await.expect("recent"), events);
    assert_eq!(stores.audit.recent(0).await.expect("recent"), Vec::<AuditEvent>::new());
});

conformance!(audit_events_recorded_out_of_order_still_come_newest_first, |stores| async move {
    // Two requests racing: the later event reaches the store first.
    let earlier = audit_event(AuditKind::LoginFailed, at(10), "first");
    let later = audit_event(AuditKind::LoginSucceeded, at(20), "second");
    stores.audit.record(&later).await.expect("record");
    stores.audit.record(&earlier).await.expect("record");

    assert_eq!(stores.audit.recent(10).await.expect("recent"), [later.clone(), earlier]);
    assert_eq!(stores.audit.recent(1).await.expect("recent"), [later]);
});

conformance!(sql: texts_kept_in_the_local_outbox_are_listed_newest_first, |stores| async move {
    let clock = Arc::new(ManualClock::new(T0));
    let outbox = stores.outbox_sms(clock.clone()).expect("SQL backends have an outbox");
    let mut sent = Vec::new();
    for (i, to) in ["+96550001234", "+96550009876", "+96550001234"].into_iter().enumerate() {
        let message = SmsMessage { to: phone(to), body: format!("Your Sabil code is 00000{i}") };
        let id = outbox.send(&message).await.expect("send");
        sent.push((id, message, clock.now()));
        clock.advance(time::Duration::seconds(30));
    }

    let listed = outbox.list(10).await.expect("list");
    let got: Vec<_> = listed.iter().map(|e| (format!("local-{}", e.id), e.to.clone(), e.body.clone(), e.created_at)).collect();
    let want: Vec<_> = sent.iter().rev().map(|(id, m, t)| (id.clone(), m.to.as_str().to_owned(), m.body.clone(), *t)).collect();
    assert_eq!(got, want);
    assert_eq!(outbox.list(1).await.expect("list").len(), 1);
});
