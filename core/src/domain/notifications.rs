//! Events that notify one customer (in-app notification and push), raised by chat, questions and other
//! features through the outbox; order status changes have their own outbox message.
use uuid::Uuid;

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
