//! Chat events as they travel between instances over Redis pub/sub (JSON), tagged with the instance
//! that published them so it can skip its own.
use sabil_core::domain::UserId;
use sabil_core::domain::chat::{ChatContent, ChatMessage, ChatMessageId, ChatSide, Conversation, ConversationId, ConversationStatus};
use sabil_core::domain::files::FileId;
use sabil_core::ports::{ChatEvent, ChatEventKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Serialize, Deserialize)]
pub(super) struct Envelope {
    pub origin: Uuid,
    conversation_id: Uuid,
    customer_id: Uuid,
    kind: Kind,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Kind {
    Message(MessageWire),
    Typing { side: String, user: Uuid },
    Read { reader: String, up_to: Uuid, at: OffsetDateTime },
    Delivered { recipient: String, up_to: Uuid, at: OffsetDateTime },
    Conversation(ConversationWire),
}

#[derive(Serialize, Deserialize)]
struct MessageWire {
    id: Uuid,
    conversation_id: Uuid,
    seq: u64,
    sender: String,
    sender_id: Uuid,
    text: Option<String>,
    image: Option<Uuid>,
    sent_at: OffsetDateTime,
    delivered_at: Option<OffsetDateTime>,
    read_at: Option<OffsetDateTime>,
}

#[derive(Serialize, Deserialize)]
struct ConversationWire {
    id: Uuid,
    customer_id: Uuid,
    subject: Option<String>,
    status: String,
    assigned_to: Option<Uuid>,
    message_count: u64,
    customer_unread: u32,
    support_unread: u32,
    created_at: OffsetDateTime,
    last_message_at: OffsetDateTime,
    closed_at: Option<OffsetDateTime>,
}

/// Why a payload from another instance was not understood.
#[derive(Debug, thiserror::Error)]
#[error("unreadable chat event from another instance: {0}")]
pub(super) struct BadPayload(String);

fn side(s: &str) -> Result<ChatSide, BadPayload> {
    ChatSide::parse(s).ok_or_else(|| BadPayload(format!("side {s:?}")))
}

impl Envelope {
    pub(super) fn new(origin: Uuid, event: &ChatEvent) -> Self {
        let kind = match &event.kind {
            ChatEventKind::Message(m) => Kind::Message(MessageWire {
                id: m.id.0,
                conversation_id: m.conversation_id.0,
                seq: m.seq,
                sender: m.sender.as_str().to_owned(),
                sender_id: m.sender_id.0,
                text: m.content.text.clone(),
                image: m.content.image.map(|f| f.0),
                sent_at: m.sent_at,
                delivered_at: m.delivered_at,
                read_at: m.read_at,
            }),
            ChatEventKind::Typing { side, user } => Kind::Typing { side: side.as_str().to_owned(), user: user.0 },
            ChatEventKind::Read { reader, up_to, at } => Kind::Read { reader: reader.as_str().to_owned(), up_to: up_to.0, at: *at },
            ChatEventKind::Delivered { recipient, up_to, at } => {
                Kind::Delivered { recipient: recipient.as_str().to_owned(), up_to: up_to.0, at: *at }
            }
            ChatEventKind::Conversation(c) => Kind::Conversation(ConversationWire {
                id: c.id.0,
                customer_id: c.customer_id.0,
                subject: c.subject.clone(),
                status: c.status.as_str().to_owned(),
                assigned_to: c.assigned_to.map(|u| u.0),
                message_count: c.message_count,
                customer_unread: c.customer_unread,
                support_unread: c.support_unread,
                created_at: c.created_at,
                last_message_at: c.last_message_at,
                closed_at: c.closed_at,
            }),
        };
        Self { origin, conversation_id: event.conversation_id.0, customer_id: event.customer_id.0, kind }
    }

    /// The event it carries.
    pub(super) fn into_event(self) -> Result<ChatEvent, BadPayload> {
        let kind = match self.kind {
            Kind::Message(m) => ChatEventKind::Message(ChatMessage {
                id: ChatMessageId(m.id),
                conversation_id: ConversationId(m.conversation_id),
                seq: m.seq,
                sender: side(&m.sender)?,
                sender_id: UserId(m.sender_id),
                content: ChatContent { text: m.text, image: m.image.map(FileId) },
                sent_at: m.sent_at,
                delivered_at: m.delivered_at,
                read_at: m.read_at,
            }),
            Kind::Typing { side: s, user } => ChatEventKind::Typing { side: side(&s)?, user: UserId(user) },
            Kind::Read { reader, up_to, at } => ChatEventKind::Read { reader: side(&reader)?, up_to: ChatMessageId(up_to), at },
            Kind::Delivered { recipient, up_to, at } => {
                ChatEventKind::Delivered { recipient: side(&recipient)?, up_to: ChatMessageId(up_to), at }
            }
            Kind::Conversation(c) => ChatEventKind::Conversation(Conversation {
                id: ConversationId(c.id),
                customer_id: UserId(c.customer_id),
                subject: c.subject,
                status: ConversationStatus::parse(&c.status).ok_or_else(|| BadPayload(format!("status {:?}", c.status)))?,
                assigned_to: c.assigned_to.map(UserId),
                message_count: c.message_count,
                customer_unread: c.customer_unread,
                support_unread: c.support_unread,
                created_at: c.created_at,
                last_message_at: c.last_message_at,
                closed_at: c.closed_at,
            }),
        };
        Ok(ChatEvent { conversation_id: ConversationId(self.conversation_id), customer_id: UserId(self.customer_id), kind })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn every_kind_of_event_survives_the_trip_between_instances() {
        let at = datetime!(2026-03-01 09:00:00.123456 UTC);
        let conversation = Conversation {
            id: ConversationId(Uuid::now_v7()),
            customer_id: UserId(Uuid::now_v7()),
            subject: Some("Late delivery".into()),
            status: ConversationStatus::Closed,
            assigned_to: Some(UserId(Uuid::now_v7())),
            message_count: 3,
            customer_unread: 1,
            support_unread: 2,
            created_at: at,
            last_message_at: at,
            closed_at: Some(at),
        };
        let message = ChatMessage {
            id: ChatMessageId(Uuid::now_v7()),
            conversation_id: conversation.id,
            seq: 3,
            sender: ChatSide::Support,
            sender_id: UserId(Uuid::now_v7()),
            content: ChatContent { text: Some("مرحبا".into()), image: Some(FileId(Uuid::now_v7())) },
            sent_at: at,
            delivered_at: Some(at),
            read_at: None,
        };
        let kinds = [
            ChatEventKind::Message(message.clone()),
            ChatEventKind::Typing { side: ChatSide::Customer, user: conversation.customer_id },
            ChatEventKind::Read { reader: ChatSide::Customer, up_to: message.id, at },
            ChatEventKind::Delivered { recipient: ChatSide::Support, up_to: message.id, at },
            ChatEventKind::Conversation(conversation.clone()),
        ];
        for kind in kinds {
            let event = ChatEvent { conversation_id: conversation.id, customer_id: conversation.customer_id, kind };
            let json = serde_json::to_string(&Envelope::new(Uuid::nil(), &event)).unwrap();
            let back: Envelope = serde_json::from_str(&json).unwrap();
            assert_eq!(back.into_event().unwrap(), event, "{json}");
        }
    }
}
