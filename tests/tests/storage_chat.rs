//! Chat stores on every backend: conversations started with their first message, messages numbered
//! in order with the unread counts of both sides, history paged back and forward, read and delivered
//! marks, the queue's filters and order, and a reply's push request stored with it or not at all.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use sabil_core::domain::chat::{ChatContent, ChatMessage, ChatMessageId, ChatSide, Conversation, ConversationId, ConversationStatus};
use sabil_core::domain::files::{FileId, ImageType, StoredFile};
use sabil_core::domain::notifications::NotificationEvent;
use sabil_core::domain::{PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{Assignment, ConversationQuery, HistoryQuery, NewChatMessage, OutboxMessage};
use sabil_tests::fixtures::{T0, at, create_user};
use sabil_tests::{Stores, conformance};
use uuid::Uuid;

const PUSHES: &str = "notification.user";

fn conversation(customer: UserId, seconds: i64) -> Conversation {
    Conversation {
        id: ConversationId(Uuid::now_v7()),
        customer_id: customer,
        subject: Some("Water not delivered".into()),
        status: ConversationStatus::Open,
        assigned_to: None,
        message_count: 0,
        customer_unread: 0,
        support_unread: 0,
        created_at: at(seconds),
        last_message_at: at(seconds),
        closed_at: None,
    }
}

fn message(conversation: ConversationId, sender: ChatSide, sender_id: UserId, text: &str, seconds: i64) -> NewChatMessage {
    NewChatMessage {
        message: ChatMessage {
            id: ChatMessageId(Uuid::now_v7()),
            conversation_id: conversation,
            seq: 0,
            sender,
            sender_id,
            content: ChatContent { text: Some(text.into()), image: None },
            sent_at: at(seconds),
            delivered_at: None,
            read_at: None,
        },
        assign_if_unassigned: (sender == ChatSide::Support).then_some(sender_id),
        outbox: vec![],
    }
}

fn push_for(c: &Conversation, message: ChatMessageId) -> OutboxMessage {
    OutboxMessage::Notify { user_id: c.customer_id, event: NotificationEvent::ChatReply { conversation_id: c.id.0, message_id: message.0 } }
}

/// A customer, an agent id, and an open conversation started with one customer message at `at(0)`.
async fn started(stores: &Stores, phone: &str) -> (UserId, UserId, Conversation) {
    let customer = create_user(stores, phone, T0).await.id;
    let c = conversation(customer, 0);
    let (c, _) = stores.chats.start(&c, &message(c.id, ChatSide::Customer, customer, "Hello?", 0)).await.expect("start");
    (customer, UserId(Uuid::now_v7()), c)
}

async fn add(stores: &Stores, new: &NewChatMessage) -> (Conversation, ChatMessage) {
    stores.chats.add_message(new).await.expect("add").expect("open")
}

fn seqs(messages: &[ChatMessage]) -> Vec<u64> {
    messages.iter().map(|m| m.seq).collect()
}

conformance!(a_conversation_starts_with_its_first_message_unread_by_support, |stores| async move {
    let customer = create_user(&stores, "+96550001001", T0).await.id;
    let c = conversation(customer, 0);
    let first = message(c.id, ChatSide::Customer, customer, "مرحبا، أين الماء؟", 0);
    let (stored, m) = stores.chats.start(&c, &first).await.expect("start");
    assert_eq!((stored.message_count, stored.support_unread, stored.customer_unread), (1, 1, 0));
    assert_eq!(stored.subject.as_deref(), Some("Water not delivered"));
    assert_eq!(m, ChatMessage { seq: 1, ..first.message.clone() }, "round trip, time to the microsecond");
    assert_eq!(stores.chats.conversation(c.id).await.unwrap(), Some(stored));
    assert_eq!(stores.chats.message(m.id).await.unwrap(), Some(m));
    let again = stores.chats.start(&c, &message(c.id, ChatSide::Customer, customer, "again", 1)).await;
    assert!(matches!(again, Err(RepoError::Conflict(_))), "{again:?}");
    let stranger = conversation(UserId(Uuid::now_v7()), 0);
    let orphan = stores.chats.start(&stranger, &message(stranger.id, ChatSide::Customer, stranger.customer_id, "hi", 0)).await;
    assert!(matches!(orphan, Err(RepoError::Conflict(_))), "an unknown customer: {orphan:?}");
});

conformance!(messages_are_numbered_in_order_and_unread_counts_follow_the_sender, |stores| async move {
    let (customer, agent, c) = started(&stores, "+96550001002").await;
    let (after, m2) = add(&stores, &message(c.id, ChatSide::Customer, customer, "Anyone?", 5)).await;
    assert_eq!((m2.seq, after.support_unread, after.customer_unread, after.assigned_to), (2, 2, 0, None));
    let (after, m3) = add(&stores, &message(c.id, ChatSide::Support, agent, "On its way.", 9)).await;
    assert_eq!((m3.seq, after.support_unread, after.customer_unread), (3, 2, 1));
    assert_eq!(after.assigned_to, Some(agent), "a reply assigns an unassigned conversation");
    assert_eq!((after.message_count, after.last_message_at), (3, at(9)));
    let other_agent = UserId(Uuid::now_v7());
    let (after, _) = add(&stores, &message(c.id, ChatSide::Support, other_agent, "Also me.", 10)).await;
    assert_eq!(after.assigned_to, Some(agent), "a reply never takes an assigned conversation");
    assert_eq!(after.customer_unread, 2);
});

conformance!(history_pages_back_from_the_latest_and_forward_after_a_message, |stores| async move {
    let (customer, agent, c) = started(&stores, "+96550001003").await;
    let mut ids = vec![stores.chats.messages(c.id, HistoryQuery::Before(None), 1).await.unwrap().items[0].id];
    for n in 2..=5 {
        let side = if n % 2 == 0 { ChatSide::Support } else { ChatSide::Customer };
        let who = if side == ChatSide::Support { agent } else { customer };
        ids.push(add(&stores, &message(c.id, side, who, &format!("message {n}"), n)).await.1.id);
    }
    let page = stores.chats.messages(c.id, HistoryQuery::Before(None), 2).await.unwrap();
    assert_eq!((seqs(&page.items), page.next_cursor), (vec![5, 4], Some(ids[3].0)));
    let page = stores.chats.messages(c.id, HistoryQuery::Before(Some(ids[3])), 2).await.unwrap();
    assert_eq!((seqs(&page.items), page.next_cursor), (vec![3, 2], Some(ids[1].0)));
    let page = stores.chats.messages(c.id, HistoryQuery::Before(Some(ids[1])), 2).await.unwrap();
    assert_eq!((seqs(&page.items), page.next_cursor), (vec![1], None));
    let missed = stores.chats.messages(c.id, HistoryQuery::After(ids[1]), 2).await.unwrap();
    assert_eq!((seqs(&missed.items), missed.next_cursor), (vec![3, 4], Some(ids[3].0)));
    let rest = stores.chats.messages(c.id, HistoryQuery::After(ids[3]), 2).await.unwrap();
    assert_eq!((seqs(&rest.items), rest.next_cursor), (vec![5], None));
    assert!(stores.chats.messages(c.id, HistoryQuery::After(ids[4]), 2).await.unwrap().items.is_empty());
    let (_, _, other) = started(&stores, "+96550001004").await;
    let foreign = stores.chats.messages(other.id, HistoryQuery::After(ids[0]), 10).await.unwrap();
    assert!(foreign.items.is_empty(), "a cursor of another conversation yields nothing");
});

conformance!(reading_marks_the_other_sides_messages_up_to_one_and_recounts_unread, |stores| async move {
    let (customer, agent, c) = started(&stores, "+96550001005").await;
    let m2 = add(&stores, &message(c.id, ChatSide::Customer, customer, "two", 1)).await.1;
    add(&stores, &message(c.id, ChatSide::Customer, customer, "three", 2)).await;
    let reply = add(&stores, &message(c.id, ChatSide::Support, agent, "hi", 3)).await.1;
    let receipt = stores.chats.mark_read(c.id, ChatSide::Support, Some(m2.id), at(10)).await.unwrap();
    assert_eq!((receipt.marked, receipt.up_to, receipt.conversation.support_unread), (2, Some(m2.id), 1));
    assert_eq!(receipt.conversation.customer_unread, 1, "the other side's count is untouched");
    let history = stores.chats.messages(c.id, HistoryQuery::Before(None), 10).await.unwrap().items;
    let marks: Vec<(u64, bool, bool)> =
        history.iter().map(|m| (m.seq, m.read_at == Some(at(10)), m.delivered_at == Some(at(10)))).collect();
    assert_eq!(marks, vec![(4, false, false), (3, false, false), (2, true, true), (1, true, true)]);
    let rest = stores.chats.mark_read(c.id, ChatSide::Support, None, at(11)).await.unwrap();
    assert_eq!((rest.marked, rest.conversation.support_unread), (1, 0));
    let nothing = stores.chats.mark_read(c.id, ChatSide::Support, None, at(12)).await.unwrap();
    assert_eq!((nothing.marked, nothing.up_to), (0, None));
    let customer_reads = stores.chats.mark_read(c.id, ChatSide::Customer, None, at(13)).await.unwrap();
    assert_eq!((customer_reads.marked, customer_reads.up_to, customer_reads.conversation.customer_unread), (1, Some(reply.id), 0));
    let unknown = stores.chats.mark_read(ConversationId(Uuid::now_v7()), ChatSide::Support, None, at(14)).await;
    assert_eq!(unknown, Err(RepoError::NotFound));
});

conformance!(delivery_marks_only_undelivered_messages_of_the_other_side, |stores| async move {
    let (customer, agent, c) = started(&stores, "+96550001006").await;
    let m2 = add(&stores, &message(c.id, ChatSide::Customer, customer, "two", 1)).await.1;
    add(&stores, &message(c.id, ChatSide::Support, agent, "reply", 2)).await;
    let first = stores.chats.mark_delivered(c.id, ChatSide::Support, m2.id, at(5)).await.unwrap();
    assert_eq!((first.marked, first.up_to), (2, Some(m2.id)));
    assert_eq!(first.conversation.support_unread, 2, "delivered is not read");
    let again = stores.chats.mark_delivered(c.id, ChatSide::Support, m2.id, at(6)).await.unwrap();
    assert_eq!((again.marked, again.up_to), (0, None));
    let m = stores.chats.message(m2.id).await.unwrap().unwrap();
    assert_eq!((m.delivered_at, m.read_at), (Some(at(5)), None));
});

conformance!(a_closed_conversation_takes_no_messages_and_no_push_requests, |stores| async move {
    let (_, agent, c) = started(&stores, "+96550001007").await;
    let closed = stores.chats.close(c.id, at(20)).await.unwrap().expect("was open");
    assert_eq!((closed.status, closed.closed_at), (ConversationStatus::Closed, Some(at(20))));
    assert_eq!(stores.chats.close(c.id, at(21)).await.unwrap(), None, "closing twice changes nothing");
    let mut reply = message(c.id, ChatSide::Support, agent, "too late", 22);
    reply.outbox = vec![push_for(&c, reply.message.id)];
    assert_eq!(stores.chats.add_message(&reply).await.unwrap(), None);
    assert_eq!(stores.outbox.pending(PUSHES).await.unwrap(), 0);
    assert_eq!(stores.chats.assign(c.id, agent).await.unwrap(), None);
    assert_eq!(stores.chats.conversation(c.id).await.unwrap().unwrap().message_count, 1);
    let unknown = ConversationId(Uuid::now_v7());
    assert_eq!(stores.chats.close(unknown, at(1)).await, Err(RepoError::NotFound));
    assert_eq!(stores.chats.assign(unknown, agent).await, Err(RepoError::NotFound));
    assert_eq!(stores.chats.add_message(&message(unknown, ChatSide::Support, agent, "?", 1)).await, Err(RepoError::NotFound));
});

conformance!(a_reply_and_its_push_request_are_stored_together_or_not_at_all, |stores| async move {
    let (_, agent, c) = started(&stores, "+96550001008").await;
    let mut reply = message(c.id, ChatSide::Support, agent, "Your driver is outside.", 3);
    reply.outbox = vec![push_for(&c, reply.message.id)];
    add(&stores, &reply).await;
    assert_eq!(stores.outbox.pending(PUSHES).await.unwrap(), 1);
    let claimed = stores.outbox.claim(PUSHES, 10, at(4), at(64)).await.unwrap();
    assert_eq!(claimed.iter().map(|e| e.message.clone()).collect::<Vec<_>>(), vec![push_for(&c, reply.message.id)]);

    // The same message id again: refused, and its (differently keyed) push request goes with it.
    let mut duplicate = reply.clone();
    duplicate.outbox = vec![push_for(&c, ChatMessageId(Uuid::now_v7()))];
    assert!(matches!(stores.chats.add_message(&duplicate).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.outbox.pending(PUSHES).await.unwrap(), 1, "no push request without its message");
    let after = stores.chats.conversation(c.id).await.unwrap().unwrap();
    assert_eq!((after.message_count, after.customer_unread), (2, 1), "nothing else changed either");
});

conformance!(an_image_message_needs_a_stored_file, |stores| async move {
    let (customer, _, c) = started(&stores, "+96550001009").await;
    let mut photo = message(c.id, ChatSide::Customer, customer, "", 2);
    photo.message.content = ChatContent { text: None, image: Some(FileId(Uuid::now_v7())) };
    assert!(matches!(stores.chats.add_message(&photo).await, Err(RepoError::Conflict(_))));
    let file = StoredFile {
        id: FileId(Uuid::now_v7()),
        content_type: ImageType::Png,
        size: 4,
        sha256: "a".repeat(64),
        created_at: at(1),
        uploaded_by: customer,
    };
    stores.files.create(&file).await.unwrap();
    photo.message.content = ChatContent { text: Some("the broken seal".into()), image: Some(file.id) };
    let (_, stored) = add(&stores, &photo).await;
    assert_eq!(stored.content, photo.message.content);
    assert_eq!(stores.chats.conversation(c.id).await.unwrap().unwrap().message_count, 2, "the refused one took no number");
});

conformance!(the_queue_lists_latest_activity_first_by_status_customer_and_assignment, |stores| async move {
    let (alia, agent, a) = started(&stores, "+96550001010").await;
    let (_, _, b) = started(&stores, "+96550001011").await;
    let (_, _, c) = started(&stores, "+96550001012").await;
    add(&stores, &message(a.id, ChatSide::Support, agent, "taken", 30)).await;
    add(&stores, &message(b.id, ChatSide::Customer, b.customer_id, "still there?", 20)).await;
    stores.chats.close(c.id, at(40)).await.unwrap();
    let list = |customer, status, assignment, cursor| {
        let stores = &stores;
        async move {
            let query = ConversationQuery { customer, status, assignment };
            let page = stores.chats.conversations(&query, &PageRequest { limit: 2, cursor }).await.unwrap();
            (page.items.iter().map(|x| x.id).collect::<Vec<_>>(), page.next_cursor)
        }
    };
    assert_eq!(list(None, None, Assignment::Any, None).await, (vec![a.id, b.id], Some(b.id.0)));
    assert_eq!(list(None, None, Assignment::Any, Some(b.id.0)).await, (vec![c.id], None));
    assert_eq!(list(None, Some(ConversationStatus::Open), Assignment::Any, None).await, (vec![a.id, b.id], None));
    assert_eq!(list(None, Some(ConversationStatus::Open), Assignment::Unassigned, None).await, (vec![b.id], None));
    assert_eq!(list(None, None, Assignment::To(agent), None).await, (vec![a.id], None));
    assert_eq!(list(Some(alia), None, Assignment::Any, None).await, (vec![a.id], None));
    let moved = stores.chats.assign(b.id, agent).await.unwrap().unwrap();
    assert_eq!(moved.assigned_to, Some(agent));
    assert_eq!(list(None, None, Assignment::To(agent), None).await, (vec![a.id, b.id], None));
    assert_eq!(list(None, None, Assignment::Any, Some(Uuid::now_v7())).await, (vec![], None), "an unknown cursor");
});
