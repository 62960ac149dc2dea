//! The delivery job over the outbox: order status changes, chat replies and answered questions.
use sabil_core::domain::notifications::{NotificationEvent, NotificationKind};
use sabil_core::domain::orders::{OrderId, OrderStatus};
use sabil_core::domain::{Language, PageRequest};
use sabil_core::error::GatewayError;
use sabil_core::ports::{Clock as _, OutboxMessage};
use sabil_core::services::{NotificationError, NotificationSettings};
use uuid::Uuid;

use crate::world;

fn unavailable() -> GatewayError {
    GatewayError::Unavailable { message: "503 from FCM".into(), retry_after: None }
}

const ORDER_TOPIC: &str = "notification.order";

#[tokio::test]
async fn an_order_status_change_is_one_notification_pushed_to_every_device_in_its_language() {
    let w = world(NotificationSettings::default());
    let (fatima, me) = w.customer("+96550040001", Language::Ar).await;
    w.device(fatima, "phone-ar", Language::Ar).await;
    w.device(fatima, "tablet-en", Language::En).await;
    let order = OrderId(Uuid::now_v7());
    let message = OutboxMessage::OrderStatusChanged { order_id: order, customer_id: fatima, status: OrderStatus::OutForDelivery };
    w.fakes.ports.outbox.enqueue(&message, w.fakes.clock.now()).await.unwrap();

    assert_eq!(w.service.deliver_due(10).await.unwrap(), 1);
    assert_eq!(w.fakes.ports.outbox.pending(ORDER_TOPIC).await.unwrap(), 0, "settled");
    let inbox = w.service.my_notifications(&me, PageRequest { limit: 10, cursor: None }).await.unwrap().items;
    assert_eq!(inbox.len(), 1);
    let n = &inbox[0];
    assert_eq!(
        (n.kind, n.title.as_str(), n.body.as_str()),
        (NotificationKind::OrderOutForDelivery, "طلبك في الطريق", "طلبك في الطريق إليك.")
    );
    assert_eq!(n.data.get("orderId"), Some(&order.0.to_string()));
    let (ar, en) = (w.fakes.push.sent_to("phone-ar"), w.fakes.push.sent_to("tablet-en"));
    assert_eq!((ar.len(), en.len()), (1, 1));
    assert_eq!(ar[0].title, "طلبك في الطريق");
    assert_eq!((en[0].title.as_str(), en[0].body.as_str()), ("On its way", "Your order is on its way to you."));
    assert_eq!(en[0].data.get("notificationId"), Some(&n.id.0.to_string()), "the push names the stored notification");
    assert_eq!(en[0].data.get("kind").map(String::as_str), Some("order_out_for_delivery"));

    assert_eq!(w.service.deliver_due(10).await.unwrap(), 0, "nothing is delivered twice");
    assert_eq!(w.fakes.push.sent().len(), 2);
}

#[tokio::test]
async fn chat_replies_and_answered_questions_are_written_in_the_users_language() {
    let w = world(NotificationSettings::default());
    let (omar, me) = w.customer("+96550040002", Language::En).await;
    w.device(omar, "omar-phone", Language::En).await;
    let (conversation, message) = (Uuid::now_v7(), Uuid::now_v7());
    let now = w.fakes.clock.now();
    let chat = NotificationEvent::ChatReply { conversation_id: conversation, message_id: message };
    w.fakes.ports.outbox.enqueue(&OutboxMessage::Notify { user_id: omar, event: chat }, now).await.unwrap();
    let question = NotificationEvent::QuestionAnswered { question_id: Uuid::now_v7() };
    w.fakes.ports.outbox.enqueue(&OutboxMessage::Notify { user_id: omar, event: question }, now).await.unwrap();

    assert_eq!(w.service.deliver_due(10).await.unwrap(), 2);
    let inbox = w.service.my_notifications(&me, PageRequest { limit: 10, cursor: None }).await.unwrap().items;
    let kinds: Vec<_> = inbox.iter().map(|n| (n.kind, n.title.as_str())).collect();
    assert!(kinds.contains(&(NotificationKind::ChatReply, "New reply from support")), "{kinds:?}");
    assert!(kinds.contains(&(NotificationKind::QuestionAnswered, "Your question was answered")), "{kinds:?}");
    let reply = inbox.iter().find(|n| n.kind == NotificationKind::ChatReply).unwrap();
    assert_eq!(reply.data.get("conversationId"), Some(&conversation.to_string()));
    assert_eq!(reply.data.get("messageId"), Some(&message.to_string()));
    assert_eq!(w.fakes.push.sent_to("omar-phone").len(), 2);
    assert_eq!(w.service.unread_count(&me).await.unwrap(), 2);
}

#[tokio::test]
async fn a_token_the_provider_reports_invalid_is_forgotten() {
    let w = world(NotificationSettings::default());
    let (fatima, _) = w.customer("+96550040003", Language::Ar).await;
    w.device(fatima, "uninstalled", Language::Ar).await;
    w.device(fatima, "current", Language::Ar).await;
    w.fakes.push.invalidate("uninstalled");
    let message =
        OutboxMessage::OrderStatusChanged { order_id: OrderId(Uuid::now_v7()), customer_id: fatima, status: OrderStatus::Delivered };
    w.fakes.ports.outbox.enqueue(&message, w.fakes.clock.now()).await.unwrap();

    assert_eq!(w.service.deliver_due(10).await.unwrap(), 1);
    assert_eq!(w.tokens(fatima).await, vec!["current".to_owned()]);
    assert_eq!(w.fakes.push.sent_to("current").len(), 1);
}

#[tokio::test]
async fn an_unavailable_provider_is_retried_later_without_a_second_notification() {
    let w = world(NotificationSettings::default());
    let (fatima, me) = w.customer("+96550040004", Language::Ar).await;
    w.device(fatima, "phone", Language::Ar).await;
    let message = OutboxMessage::OrderStatusChanged { order_id: OrderId(Uuid::now_v7()), customer_id: fatima, status: OrderStatus::Paid };
    w.fakes.ports.outbox.enqueue(&message, w.fakes.clock.now()).await.unwrap();
    w.fakes.push.fail_with(Some(unavailable()));

    assert_eq!(w.service.deliver_due(10).await.unwrap(), 0);
    assert_eq!(w.fakes.ports.outbox.pending(ORDER_TOPIC).await.unwrap(), 1, "kept for a retry");
    w.fakes.push.fail_with(None);
    assert_eq!(w.service.deliver_due(10).await.unwrap(), 0, "not due before its backoff");
    w.fakes.clock.advance(time::Duration::seconds(16));
    assert_eq!(w.service.deliver_due(10).await.unwrap(), 1);

    let inbox = w.service.my_notifications(&me, PageRequest { limit: 10, cursor: None }).await.unwrap().items;
    assert_eq!(inbox.len(), 1, "the retry wrote no second notification");
    assert_eq!(w.fakes.push.sent_to("phone").len(), 1);
    assert_eq!(w.fakes.push.attempts().len(), 2);
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_dead_lettered_after_the_last_attempt() {
    let w = world(NotificationSettings { max_attempts: 3, ..NotificationSettings::default() });
    let (fatima, me) = w.customer("+96550040005", Language::En).await;
    w.device(fatima, "phone", Language::En).await;
    let message =
        OutboxMessage::OrderStatusChanged { order_id: OrderId(Uuid::now_v7()), customer_id: fatima, status: OrderStatus::Cancelled };
    w.fakes.ports.outbox.enqueue(&message, w.fakes.clock.now()).await.unwrap();
    w.fakes.push.fail_with(Some(unavailable()));
    for _ in 0..3 {
        assert_eq!(w.service.deliver_due(10).await.unwrap(), 0);
        w.fakes.clock.advance(time::Duration::hours(2));
    }
    assert_eq!(w.fakes.ports.outbox.pending(ORDER_TOPIC).await.unwrap(), 0, "dead-lettered");
    assert_eq!(w.fakes.push.attempts().len(), 3);
    w.fakes.push.fail_with(None);
    assert_eq!(w.service.deliver_due(10).await.unwrap(), 0, "never claimed again");
    assert_eq!(w.service.unread_count(&me).await.unwrap(), 1, "the in-app notification stays");
}

#[tokio::test]
async fn a_refused_push_is_not_retried_and_the_other_devices_still_get_theirs() {
    let w = world(NotificationSettings::default());
    let (fatima, _) = w.customer("+96550040006", Language::Ar).await;
    w.device(fatima, "refused", Language::Ar).await;
    w.device(fatima, "fine", Language::Ar).await;
    w.fakes.push.fail_token("refused", Some(GatewayError::Rejected { code: "INVALID_ARGUMENT".into(), message: "payload".into() }));
    let message =
        OutboxMessage::OrderStatusChanged { order_id: OrderId(Uuid::now_v7()), customer_id: fatima, status: OrderStatus::Confirmed };
    w.fakes.ports.outbox.enqueue(&message, w.fakes.clock.now()).await.unwrap();

    assert_eq!(w.service.deliver_due(10).await.unwrap(), 1);
    assert_eq!(w.fakes.ports.outbox.pending(ORDER_TOPIC).await.unwrap(), 0);
    assert_eq!(w.fakes.push.sent_to("fine").len(), 1);
    assert_eq!(w.tokens(fatima).await.len(), 2, "a refused message is no reason to forget the device");
}

#[tokio::test]
async fn a_deleted_account_is_told_nothing() {
    let w = world(NotificationSettings::default());
    let (fatima, _) = w.customer("+96550040007", Language::Ar).await;
    w.device(fatima, "phone", Language::Ar).await;
    w.fakes.ports.users.erase(fatima, w.fakes.clock.now()).await.unwrap();
    let message =
        OutboxMessage::OrderStatusChanged { order_id: OrderId(Uuid::now_v7()), customer_id: fatima, status: OrderStatus::Refunded };
    w.fakes.ports.outbox.enqueue(&message, w.fakes.clock.now()).await.unwrap();

    assert_eq!(w.service.deliver_due(10).await.unwrap(), 1, "settled");
    assert!(w.fakes.push.attempts().is_empty());
    assert_eq!(w.fakes.ports.notifications.unread_count(fatima).await.unwrap(), 0);
}

#[tokio::test]
async fn customers_see_and_mark_only_their_own_notifications_and_devices() {
    let w = world(NotificationSettings::default());
    let (fatima, her) = w.customer("+96550040008", Language::Ar).await;
    let (_, his) = w.customer("+96550040009", Language::En).await;
    let (_, admin) = w.user("+96550040010", sabil_core::domain::Role::Admin, sabil_core::domain::UserStatus::Active, Language::En).await;
    let message = OutboxMessage::OrderStatusChanged { order_id: OrderId(Uuid::now_v7()), customer_id: fatima, status: OrderStatus::Paid };
    w.fakes.ports.outbox.enqueue(&message, w.fakes.clock.now()).await.unwrap();
    w.service.deliver_due(10).await.unwrap();
    let id = w.service.my_notifications(&her, PageRequest { limit: 10, cursor: None }).await.unwrap().items[0].id;

    assert_eq!(w.service.mark_read(&his, id).await, Err(NotificationError::NotFound));
    assert!(w.service.my_notifications(&his, PageRequest { limit: 10, cursor: None }).await.unwrap().items.is_empty());
    w.service.mark_read(&her, id).await.unwrap();
    assert_eq!(w.service.unread_count(&her).await.unwrap(), 0);
    assert_eq!(w.service.unread_count(&admin).await, Err(NotificationError::CustomersOnly));

    let token = sabil_core::domain::notifications::DeviceToken::parse("her-phone").unwrap();
    let platform = sabil_core::domain::notifications::Platform::Ios;
    w.service.register_device(&her, token.clone(), platform, Language::Ar).await.unwrap();
    assert_eq!(w.service.remove_device(&his, &token).await, Err(NotificationError::DeviceNotFound));
    w.service.remove_device(&her, &token).await.unwrap();
    assert_eq!(w.service.remove_device(&her, &token).await, Err(NotificationError::DeviceNotFound));
}
