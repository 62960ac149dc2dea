//! Behaviour of `ChatService` on the in-memory fakes: who may do what, the rules a message must meet,
//! what support's replies do (assignment, unread counts, a push for an offline customer in the same
//! write), receipts, and what a live session lets its participant see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use sabil_core::domain::chat::{CHAT_TEXT_MAX, ChatContent, ChatSide, ConversationStatus};
use sabil_core::domain::notifications::NotificationEvent;
use sabil_core::domain::{AccessClaims, Language, PageRequest, Role, Subject, UserStatus};
use sabil_core::ports::{ChatEventKind, FeedItem, HistoryQuery, OutboxMessage};
use sabil_core::services::chat::{ChatSession, Participant, QueueFilter};
use sabil_core::services::{ChatError, ChatService, FileError};
use sabil_core::testing::{FakeWorld, RecordingChatHub, fake_world};
use time::macros::datetime;
use uuid::Uuid;

struct World {
    fakes: FakeWorld,
    hub: RecordingChatHub,
    chat: ChatService,
}

fn world() -> World {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    let hub = RecordingChatHub::default();
    let chat = ChatService::new(fakes.ports.clone(), Arc::new(hub.clone()));
    World { fakes, hub, chat }
}

const PAGE: PageRequest = PageRequest { limit: 20, cursor: None };
const OPEN_QUEUE: QueueFilter = QueueFilter { status: Some(ConversationStatus::Open), unassigned: false, mine: false };

fn text(t: &str) -> ChatContent {
    ChatContent::parse(Some(t), None).unwrap()
}

impl World {
    async fn claims(&self, phone: &str, role: Role, status: UserStatus) -> AccessClaims {
        common::signed_in(&self.fakes, phone, role, status, Language::Ar).await.1
    }

    async fn customer(&self, phone: &str) -> Participant {
        self.chat.participant(&self.claims(phone, Role::Customer, UserStatus::Active).await).await.unwrap()
    }

    async fn agent(&self, phone: &str) -> Participant {
        self.chat.participant(&self.claims(phone, Role::Admin, UserStatus::Active).await).await.unwrap()
    }

    fn pushes(&self) -> Vec<OutboxMessage> {
        self.fakes.outbox.messages().into_iter().filter(|m| m.topic() == "notification.user").collect()
    }
}

/// Everything the session has received so far (it never waits).
async fn drain(session: &mut ChatSession) -> Vec<FeedItem> {
    let mut items = vec![];
    while let Ok(Some(item)) = tokio::time::timeout(std::time::Duration::from_millis(20), session.next()).await {
        items.push(item);
    }
    items
}

fn kinds(items: &[FeedItem]) -> Vec<&'static str> {
    items
        .iter()
        .map(|i| match i {
            FeedItem::Missed => "missed",
            FeedItem::Event(e) => match e.kind {
                ChatEventKind::Message(_) => "message",
                ChatEventKind::Typing { .. } => "typing",
                ChatEventKind::Read { .. } => "read",
                ChatEventKind::Delivered { .. } => "delivered",
                ChatEventKind::Conversation(_) => "conversation",
            },
        })
        .collect()
}

#[tokio::test]
async fn a_customer_starts_a_conversation_that_support_finds_in_the_queue() {
    let w = world();
    let customer = w.customer("+96550002001").await;
    let agent = w.agent("+96550002002").await;
    let (c, m) = w.chat.start(&customer, Some("Late".into()), text("Where is my water?")).await.unwrap();
    assert_eq!((c.customer_id, c.support_unread, m.seq, m.sender), (customer.user(), 1, 1, ChatSide::Customer));
    let queue = w.chat.queue(&agent, OPEN_QUEUE, &PAGE).await.unwrap();
    assert_eq!(queue.items.iter().map(|x| x.id).collect::<Vec<_>>(), vec![c.id]);
    let unassigned = QueueFilter { unassigned: true, ..OPEN_QUEUE };
    assert_eq!(w.chat.queue(&agent, unassigned, &PAGE).await.unwrap().items.len(), 1);
    assert_eq!(w.chat.my_conversations(&customer, &PAGE).await.unwrap().items[0].id, c.id);
    let published: Vec<bool> = w.hub.published().iter().map(|e| matches!(e.kind, ChatEventKind::Conversation(_))).collect();
    assert_eq!(published, vec![true, false], "the new conversation, then its message");
}

#[tokio::test]
async fn customers_start_conversations_and_only_support_works_the_queue() {
    let w = world();
    let customer = w.customer("+96550002011").await;
    let agent = w.agent("+96550002012").await;
    assert_eq!(w.chat.start(&agent, None, text("hi")).await.unwrap_err(), ChatError::CustomersOnly);
    assert!(matches!(w.chat.queue(&customer, OPEN_QUEUE, &PAGE).await, Err(ChatError::Denied(_))));
    let (c, _) = w.chat.start(&customer, None, text("hi")).await.unwrap();
    assert!(matches!(w.chat.assign_to_me(&customer, c.id).await, Err(ChatError::Denied(_))));
    assert!(matches!(w.chat.close(&customer, c.id).await, Err(ChatError::Denied(_))));
    let both = QueueFilter { unassigned: true, mine: true, ..OPEN_QUEUE };
    assert!(matches!(w.chat.queue(&agent, both, &PAGE).await, Err(ChatError::Invalid(_))));
    let blocked = w.claims("+96550002013", Role::Customer, UserStatus::Blocked).await;
    assert_eq!(w.chat.participant(&blocked).await.unwrap_err(), ChatError::AccountBlocked);
    let sap = AccessClaims { subject: Subject::SapClient(sabil_core::domain::SapClientId(Uuid::now_v7())), ..blocked };
    assert_eq!(w.chat.participant(&sap).await.unwrap_err(), ChatError::CustomersOnly);
}

#[tokio::test]
async fn a_customer_never_reaches_another_customers_conversation() {
    let w = world();
    let alia = w.customer("+96550002021").await;
    let badr = w.customer("+96550002022").await;
    let (c, _) = w.chat.start(&alia, None, text("mine")).await.unwrap();
    assert_eq!(w.chat.conversation(&badr, c.id).await.unwrap_err(), ChatError::NotFound);
    assert_eq!(w.chat.send(&badr, c.id, text("hello")).await.unwrap_err(), ChatError::NotFound);
    assert_eq!(w.chat.history(&badr, c.id, HistoryQuery::Before(None), 20).await.unwrap_err(), ChatError::NotFound);
    assert_eq!(w.chat.mark_read(&badr, c.id, None).await.unwrap_err(), ChatError::NotFound);
    assert_eq!(w.chat.typing(&badr, c.id).await.unwrap_err(), ChatError::NotFound);
    assert!(w.chat.my_conversations(&badr, &PAGE).await.unwrap().items.is_empty());
}

#[tokio::test]
async fn empty_or_too_long_text_is_refused_by_field() {
    for raw in [None, Some(""), Some("   ")] {
        assert_eq!(ChatContent::parse(raw, None).unwrap_err().0[0].field, "text");
    }
    let long = "a".repeat(CHAT_TEXT_MAX + 1);
    assert!(ChatContent::parse(Some(&long), None).unwrap_err().0[0].problem.contains("2000"));
    let w = world();
    let customer = w.customer("+96550002031").await;
    let unknown_image = ChatContent::parse(None, Some(sabil_core::domain::files::FileId(Uuid::now_v7()))).unwrap();
    let refused = w.chat.start(&customer, None, unknown_image).await.unwrap_err();
    assert!(matches!(&refused, ChatError::Invalid(e) if e.0[0].field == "imageId"), "{refused:?}");
}

#[tokio::test]
async fn a_support_reply_takes_the_conversation_and_counts_as_unread_for_the_customer() {
    let w = world();
    let customer = w.customer("+96550002041").await;
    let agent = w.agent("+96550002042").await;
    let (c, _) = w.chat.start(&customer, None, text("hi")).await.unwrap();
    w.hub.set_online(customer.user(), true);
    w.chat.send(&agent, c.id, text("Hello, how can I help?")).await.unwrap();
    let after = w.chat.conversation(&agent, c.id).await.unwrap();
    assert_eq!((after.assigned_to, after.customer_unread), (Some(agent.user()), 1));
    let mine = QueueFilter { mine: true, ..OPEN_QUEUE };
    assert_eq!(w.chat.queue(&agent, mine, &PAGE).await.unwrap().items.len(), 1);
    let colleague = w.agent("+96550002043").await;
    assert_eq!(w.chat.assign_to_me(&colleague, c.id).await.unwrap().assigned_to, Some(colleague.user()), "taken over");
    assert!(w.pushes().is_empty(), "the customer was connected");
}

#[tokio::test]
async fn a_reply_to_a_customer_without_a_live_connection_queues_a_push_with_the_message() {
    let w = world();
    let customer = w.customer("+96550002051").await;
    let agent = w.agent("+96550002052").await;
    let (c, _) = w.chat.start(&customer, None, text("hi")).await.unwrap();
    let reply = w.chat.send(&agent, c.id, text("We are on it.")).await.unwrap();
    let push = OutboxMessage::Notify {
        user_id: customer.user(),
        event: NotificationEvent::ChatReply { conversation_id: c.id.0, message_id: reply.id.0 },
    };
    assert_eq!(w.pushes(), vec![push]);
    w.chat.send(&customer, c.id, text("thanks")).await.unwrap();
    assert_eq!(w.pushes().len(), 1, "the customer's own messages push nothing");

    let session = w.chat.connect(&customer).await.unwrap();
    w.chat.send(&agent, c.id, text("Driver is outside")).await.unwrap();
    assert_eq!(w.pushes().len(), 1, "connected: no push");
    drop(session);
    w.hub.set_unavailable(true);
    w.chat.send(&agent, c.id, text("Still there?")).await.unwrap();
    assert_eq!(w.pushes().len(), 2, "when presence cannot be told, a push too many beats none");
}

#[tokio::test]
async fn a_closed_conversation_refuses_messages_typing_and_images() {
    let w = world();
    let customer = w.customer("+96550002061").await;
    let agent = w.agent("+96550002062").await;
    let (c, _) = w.chat.start(&customer, None, text("hi")).await.unwrap();
    let closed = w.chat.close(&agent, c.id).await.unwrap();
    assert_eq!(closed.status, ConversationStatus::Closed);
    assert_eq!(w.chat.close(&agent, c.id).await.unwrap().closed_at, closed.closed_at, "closing again changes nothing");
    assert_eq!(w.chat.send(&customer, c.id, text("wait")).await.unwrap_err(), ChatError::Closed);
    assert_eq!(w.chat.send(&agent, c.id, text("bye")).await.unwrap_err(), ChatError::Closed);
    assert_eq!(w.chat.typing(&customer, c.id).await.unwrap_err(), ChatError::Closed);
    assert_eq!(w.chat.authorize_image(&customer, c.id).await.unwrap_err(), ChatError::Closed);
    assert_eq!(w.chat.assign_to_me(&agent, c.id).await.unwrap_err(), ChatError::Closed);
    assert!(w.pushes().is_empty());
}

#[tokio::test]
async fn reading_history_delivers_the_other_sides_messages_and_after_returns_what_was_missed() {
    let w = world();
    let customer = w.customer("+96550002071").await;
    let agent = w.agent("+96550002072").await;
    let (c, first) = w.chat.start(&customer, None, text("one")).await.unwrap();
    let two = w.chat.send(&agent, c.id, text("two")).await.unwrap();
    let three = w.chat.send(&agent, c.id, text("three")).await.unwrap();
    let missed = w.chat.history(&customer, c.id, HistoryQuery::After(first.id), 20).await.unwrap();
    assert_eq!(missed.items.iter().map(|m| m.id).collect::<Vec<_>>(), vec![two.id, three.id]);
    assert!(missed.items.iter().all(|m| m.delivered_at.is_some()), "the page shows them delivered");
    let delivered: Vec<_> = w
        .hub
        .published()
        .into_iter()
        .filter_map(|e| if let ChatEventKind::Delivered { up_to, .. } = e.kind { Some(up_to) } else { None })
        .collect();
    assert_eq!(delivered, vec![three.id]);
    w.chat.history(&customer, c.id, HistoryQuery::After(first.id), 20).await.unwrap();
    assert_eq!(w.hub.published().iter().filter(|e| matches!(e.kind, ChatEventKind::Delivered { .. })).count(), 1, "once");
    let (other, _) = w.chat.start(&customer, None, text("other")).await.unwrap();
    let foreign = w.chat.history(&customer, other.id, HistoryQuery::After(first.id), 20).await.unwrap_err();
    assert!(matches!(&foreign, ChatError::Invalid(e) if e.0[0].field == "after"), "{foreign:?}");
}

#[tokio::test]
async fn marking_read_sends_a_receipt_only_when_something_was_unread() {
    let w = world();
    let customer = w.customer("+96550002081").await;
    let agent = w.agent("+96550002082").await;
    let (c, _) = w.chat.start(&customer, None, text("one")).await.unwrap();
    let two = w.chat.send(&customer, c.id, text("two")).await.unwrap();
    let receipt = w.chat.mark_read(&agent, c.id, None).await.unwrap();
    assert_eq!((receipt.marked, receipt.up_to, receipt.conversation.support_unread), (2, Some(two.id), 0));
    assert_eq!(w.chat.mark_read(&agent, c.id, None).await.unwrap().marked, 0);
    let reads = w.hub.published().iter().filter(|e| matches!(e.kind, ChatEventKind::Read { reader: ChatSide::Support, .. })).count();
    assert_eq!(reads, 1);
}

#[tokio::test]
async fn a_session_sees_only_what_its_participant_may_see() {
    let w = world();
    let alia = w.customer("+96550002091").await;
    let badr = w.customer("+96550002092").await;
    let agent = w.agent("+96550002093").await;
    let mut alia_live = w.chat.connect(&alia).await.unwrap();
    let mut support_live = w.chat.connect(&agent).await.unwrap();
    assert!(w.hub.is_online_now(alia.user()), "a customer with a session is online");
    let (mine, _) = w.chat.start(&alia, None, text("mine")).await.unwrap();
    w.chat.start(&badr, None, text("his")).await.unwrap();
    w.chat.typing(&alia, mine.id).await.unwrap();
    w.chat.typing(&agent, mine.id).await.unwrap();
    let seen = drain(&mut alia_live).await;
    assert_eq!(kinds(&seen), vec!["conversation", "message", "typing"], "her own, and support typing; not her typing, not his");
    assert_eq!(kinds(&drain(&mut support_live).await), vec!["conversation", "message", "conversation", "message", "typing"]);
    w.hub.lose_events();
    assert_eq!(kinds(&drain(&mut alia_live).await), vec!["missed"]);
    drop(alia_live);
    assert!(!w.hub.is_online_now(alia.user()));
}

#[tokio::test]
async fn an_uploaded_image_is_stored_and_sent_as_a_message() {
    let w = world();
    let customer = w.customer("+96550002101").await;
    let (c, _) = w.chat.start(&customer, None, text("look")).await.unwrap();
    let permit = w.chat.authorize_image(&customer, c.id).await.unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let m = w.chat.send_image(&permit, &png, Some(" the seal ")).await.unwrap();
    let image = m.content.image.expect("an image");
    assert_eq!(m.content.text.as_deref(), Some("the seal"));
    assert_eq!(w.fakes.ports.file_store.get(image).await.unwrap(), Some(png));
    let refused = w.chat.send_image(&permit, b"not an image", None).await.unwrap_err();
    assert_eq!(refused, ChatError::Image(FileError::UnsupportedType));
    let long = "x".repeat(CHAT_TEXT_MAX + 1);
    assert!(matches!(w.chat.send_image(&permit, b"\x89PNG\r\n\x1a\n", Some(&long)).await, Err(ChatError::Invalid(_))));
    let again = w.chat.send(&customer, c.id, ChatContent::parse(None, Some(image)).unwrap()).await.unwrap();
    assert_eq!(again.content.image, Some(image), "a stored image may be sent again by id");
}

#[tokio::test]
async fn a_message_reaching_several_support_connections_is_recorded_delivered_once() {
    let w = world();
    let customer = w.customer("+96550002111").await;
    let (agent, colleague) = (w.agent("+96550002112").await, w.agent("+96550002113").await);
    let mut sessions = [w.chat.connect(&agent).await.unwrap(), w.chat.connect(&colleague).await.unwrap()];
    let mut hers = w.chat.connect(&customer).await.unwrap();
    let (c, first) = w.chat.start(&customer, None, text("hi")).await.unwrap();
    let m = w.chat.send(&customer, c.id, text("anyone?")).await.unwrap();
    for session in &mut sessions {
        let who = *session.participant();
        for item in drain(session).await {
            if let FeedItem::Event(e) = item {
                w.chat.delivered(&who, &e).await.unwrap();
            }
        }
    }
    for item in drain(&mut hers).await {
        if let FeedItem::Event(e) = item {
            w.chat.delivered(&customer, &e).await.unwrap();
        }
    }
    let receipts: Vec<_> = w
        .hub
        .published()
        .into_iter()
        .filter_map(|e| if let ChatEventKind::Delivered { recipient, up_to, .. } = e.kind { Some((recipient, up_to)) } else { None })
        .collect();
    let expected = vec![(ChatSide::Support, first.id), (ChatSide::Support, m.id)];
    assert_eq!(receipts, expected, "one receipt per message although two agents got it; none for her own messages");
    let stored = w.chat.history(&customer, c.id, HistoryQuery::Before(None), 20).await.unwrap();
    assert!(stored.items.iter().all(|x| x.delivered_at.is_some()));
}
