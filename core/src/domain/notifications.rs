//! Events that notify one customer (in-app notification and push), raised by chat, questions and other
//! features through the outbox; order status changes have their own outbox message. Submodules: the
//! devices pushes go to, the in-app inbox, admin broadcasts and the templates of the texts.
mod broadcast;
mod device;
mod inbox;
pub mod templates;

use uuid::Uuid;

pub use broadcast::{
    Audience, BROADCAST_BODY_MAX, BROADCAST_TITLE_MAX, BROADCAST_USERS_MAX, Broadcast, BroadcastId, BroadcastStatus, Recipient,
};
pub use device::{DEVICE_TOKEN_MAX, Device, DeviceToken, Platform};
pub use inbox::{Notification, NotificationId, NotificationKind};
pub use templates::{OrderNotice, Rendered, Template};

/// Something a customer is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationEvent {
    /// Support replied in a chat conversation.
    ChatReply { conversation_id: Uuid, message_id: Uuid },
    /// An admin answered the customer's question.
    QuestionAnswered { question_id: Uuid },
}

impl NotificationEvent {
    /// One event, one notification: the outbox drops a second message with the same key.
    #[must_use]
    pub fn dedupe_key(&self) -> String {
        match self {
            Self::ChatReply { message_id, .. } => format!("chat-reply:{message_id}"),
            Self::QuestionAnswered { question_id } => format!("question-answered:{question_id}"),
        }
    }
}
