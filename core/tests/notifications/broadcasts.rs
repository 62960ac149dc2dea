//! Broadcasts: only admins send them; the worker delivers them in batches, resumable after a pause or
//! a crash, with one in-app notification per recipient in their language and counted pushes.
use sabil_core::domain::notifications::{Audience, BroadcastStatus, NotificationKind};
use sabil_core::domain::{Language, LocalizedText, PageRequest, Role, UserId, UserStatus};
use sabil_core::error::GatewayError;
use sabil_core::ports::Clock as _;
use sabil_core::services::notifications::BroadcastDraft;
use sabil_core::services::{NotificationError, NotificationSettings};
use uuid::Uuid;

use crate::{World, world};

fn draft(audience: Audience) -> BroadcastDraft {
    BroadcastDraft {
        title: LocalizedText { ar: "ساعات رمضان".into(), en: "Ramadan hours".into() },
        body: LocalizedText { ar: "نوصل حتى الثانية فجراً.".into(), en: "We deliver until 2 am.".into() },
        audience,
    }
}

fn small_batches() -> NotificationSettings {
    NotificationSettings { broadcast_batch: 2, ..NotificationSettings::default() }
}

/// Five active customers (Arabic, English alternating) with one device each, by id.
async fn five_customers(w: &World) -> Vec<UserId> {
    let mut ids = Vec::new();
    for i in 0..5 {
        let language = if i % 2 == 0 { Language::Ar } else { Language::En };
        let (id, _) = w.customer(&format!("+9655005000{i}"), language).await;
        w.device(id, &format!("device-{i}"), language).await;
        ids.push(id);
    }
    ids
}

/// Broadcast notifications of `user`.
async fn broadcasts_of(w: &World, user: UserId) -> Vec<(String, String)> {
    let page = w.fakes.ports.notifications.list(user, PageRequest { limit: 100, cursor: None }).await.unwrap();
    page.items.into_iter().filter(|n| n.kind == NotificationKind::Broadcast).map(|n| (n.title, n.body)).collect()
}

#[tokio::test]
async fn only_an_active_admin_queues_a_broadcast_and_the_request_sends_nothing() {
    let w = world(small_batches());
    let (_, customer) = w.customer("+96550050100", Language::Ar).await;
    let (_, admin) = w.user("+96550050101", Role::Admin, UserStatus::Active, Language::En).await;
    assert!(matches!(w.service.send_broadcast(&customer, draft(Audience::AllCustomers)).await, Err(NotificationError::Denied(_))));
    let unknown_area = Audience::Area(sabil_core::domain::delivery::DeliveryAreaId(Uuid::now_v7()));
    assert_eq!(w.service.send_broadcast(&admin, draft(unknown_area)).await, Err(NotificationError::AreaNotFound));

    let queued = w.service.send_broadcast(&admin, draft(Audience::AllCustomers)).await.unwrap();
    assert_eq!((queued.status, queued.total, queued.processed), (BroadcastStatus::Queued, None, 0));
    assert!(w.fakes.push.attempts().is_empty(), "nothing is pushed from the request");
    assert_eq!(w.service.broadcast(&admin, queued.id).await.unwrap(), queued);
    assert!(matches!(w.service.broadcast(&customer, queued.id).await, Err(NotificationError::Denied(_))));
}

#[tokio::test]
async fn a_broadcast_goes_out_in_batches_in_each_recipients_language() {
    let w = world(small_batches());
    let customers = five_customers(&w).await;
    w.user("+96550050200", Role::Customer, UserStatus::Blocked, Language::Ar).await;
    let (_, admin) = w.user("+96550050201", Role::Admin, UserStatus::Active, Language::En).await;
    w.fakes.push.invalidate("device-4");
    let b = w.service.send_broadcast(&admin, draft(Audience::AllCustomers)).await.unwrap();

    let mut steps = Vec::new();
    while let Some(step) = w.service.deliver_broadcasts().await.unwrap() {
        let now = w.service.broadcast(&admin, b.id).await.unwrap();
        steps.push((step.recipients, step.status, now.processed));
    }
    assert_eq!(steps, vec![(2, BroadcastStatus::Sending, 2), (2, BroadcastStatus::Sending, 4), (1, BroadcastStatus::Done, 5)]);
    let done = w.service.broadcast(&admin, b.id).await.unwrap();
    assert_eq!((done.total, done.processed, done.sent, done.failed), (Some(5), 5, 4, 1));
    assert!(done.finished_at.is_some());
    assert_eq!(broadcasts_of(&w, customers[0]).await, vec![("ساعات رمضان".to_owned(), "نوصل حتى الثانية فجراً.".to_owned())]);
    assert_eq!(broadcasts_of(&w, customers[1]).await, vec![("Ramadan hours".to_owned(), "We deliver until 2 am.".to_owned())]);
    let pushed = w.fakes.push.sent_to("device-1");
    assert_eq!(pushed[0].data.get("broadcastId"), Some(&b.id.0.to_string()));
    assert!(w.tokens(customers[4]).await.is_empty(), "the invalid token is forgotten");
}

#[tokio::test]
async fn a_paused_broadcast_resumes_after_the_last_recipient_done_without_second_notifications() {
    let w = world(small_batches());
    let customers = five_customers(&w).await;
    let (_, admin) = w.user("+96550050300", Role::Admin, UserStatus::Active, Language::En).await;
    let b = w.service.send_broadcast(&admin, draft(Audience::AllCustomers)).await.unwrap();
    w.service.deliver_broadcasts().await.unwrap().expect("first batch");
    w.fakes.push.fail_token("device-2", Some(GatewayError::Unavailable { message: "503".into(), retry_after: None }));

    let paused = w.service.deliver_broadcasts().await.unwrap().expect("second batch tried");
    assert_eq!((paused.recipients, paused.status), (0, BroadcastStatus::Sending));
    let state = w.service.broadcast(&admin, b.id).await.unwrap();
    assert_eq!((state.processed, state.after, state.attempts), (2, Some(customers[1]), 1));
    assert!(state.last_error.is_some());
    assert_eq!(w.service.deliver_broadcasts().await.unwrap(), None, "waits for its backoff");

    w.fakes.push.fail_token("device-2", None);
    w.fakes.clock.advance(time::Duration::seconds(16));
    while w.service.deliver_broadcasts().await.unwrap().is_some() {}
    let done = w.service.broadcast(&admin, b.id).await.unwrap();
    assert_eq!((done.status, done.processed, done.sent, done.failed, done.attempts), (BroadcastStatus::Done, 5, 5, 0, 0));
    for c in &customers {
        assert_eq!(broadcasts_of(&w, *c).await.len(), 1, "one notification each");
    }
}

#[tokio::test]
async fn a_restarted_worker_continues_where_the_last_saved_step_stopped() {
    let w = world(small_batches());
    let customers = five_customers(&w).await;
    let (_, admin) = w.user("+96550050400", Role::Admin, UserStatus::Active, Language::En).await;
    let b = w.service.send_broadcast(&admin, draft(Audience::AllCustomers)).await.unwrap();
    w.service.deliver_broadcasts().await.unwrap().expect("first batch");
    // A worker claims the next step and dies before saving it.
    let now = w.fakes.clock.now();
    w.fakes.ports.broadcasts.claim_due(now, now + time::Duration::minutes(2)).await.unwrap().expect("claimed");
    assert_eq!(w.service.deliver_broadcasts().await.unwrap(), None, "leased by the dead worker");

    w.fakes.clock.advance(time::Duration::minutes(3));
    let resumed = w.service.deliver_broadcasts().await.unwrap().expect("the lease expired");
    assert_eq!(resumed.recipients, 2);
    let state = w.service.broadcast(&admin, b.id).await.unwrap();
    assert_eq!((state.processed, state.after), (4, Some(customers[3])));
    assert_eq!(w.fakes.push.sent_to("device-0").len(), 1, "the first batch was not pushed again");
}

#[tokio::test]
async fn a_broadcast_to_a_list_reaches_only_the_listed_customers() {
    let w = world(small_batches());
    let customers = five_customers(&w).await;
    let (_, admin) = w.user("+96550050500", Role::Admin, UserStatus::Active, Language::En).await;
    let audience = Audience::users(&[customers[3].0, customers[0].0, Uuid::now_v7()]).unwrap();
    let b = w.service.send_broadcast(&admin, draft(audience)).await.unwrap();
    while w.service.deliver_broadcasts().await.unwrap().is_some() {}
    let done = w.service.broadcast(&admin, b.id).await.unwrap();
    assert_eq!((done.status, done.total, done.processed, done.sent), (BroadcastStatus::Done, Some(2), 2, 2));
    let reached: Vec<usize> = {
        let mut r = Vec::new();
        for (i, c) in customers.iter().enumerate() {
            if !broadcasts_of(&w, *c).await.is_empty() {
                r.push(i);
            }
        }
        r
    };
    assert_eq!(reached, vec![0, 3]);
}

#[tokio::test]
async fn a_step_cut_short_keeps_the_progress_of_the_recipients_it_finished() {
    let w = world(NotificationSettings { broadcast_batch: 4, push_concurrency: 1, ..NotificationSettings::default() });
    let customers = five_customers(&w).await;
    let (_, admin) = w.user("+96550050600", Role::Admin, UserStatus::Active, Language::En).await;
    let b = w.service.send_broadcast(&admin, draft(Audience::AllCustomers)).await.unwrap();
    w.fakes.push.fail_token("device-2", Some(GatewayError::Unavailable { message: "503".into(), retry_after: None }));

    let cut = w.service.deliver_broadcasts().await.unwrap().expect("a step");
    assert_eq!((cut.recipients, cut.sent), (2, 2));
    let state = w.service.broadcast(&admin, b.id).await.unwrap();
    assert_eq!((state.processed, state.sent, state.after, state.status), (2, 2, Some(customers[1]), BroadcastStatus::Sending));
}
