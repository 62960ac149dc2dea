//! The JSON frames of the chat WebSocket (documented in the README's "Chat" section and in the
//! description of `GET /api/chat/ws`): what clients send, and what the server sends for each event.
use poem::IntoResponse as _;
use poem_openapi::types::ToJSON as _;
use sabil_core::domain::chat::ChatMessage;
use sabil_core::ports::{ChatEvent, ChatEventKind};
use sabil_core::services::chat::Participant;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::chat_dto::{ChatSideDto, ConversationDto, MessageDto};
use crate::error::ApiError;

/// A frame from the client.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum ClientFrame {
    /// Send a message (stored first, then passed on); answered with `sent` or `error`.
    #[serde(rename_all = "camelCase")]
    Send {
        conversation_id: Uuid,
        text: Option<String>,
        image_id: Option<Uuid>,
        /// Echoed in `sent` / `error`, to match the answer to the request.
        client_id: Option<String>,
    },
    /// The user is typing (nothing is stored).
    #[serde(rename_all = "camelCase")]
    Typing { conversation_id: Uuid },
    /// The user read the other side's messages up to this one (all of them without it).
    #[serde(rename_all = "camelCase")]
    Read { conversation_id: Uuid, up_to_message_id: Option<Uuid>, client_id: Option<String> },
}

impl ClientFrame {
    /// The client's id for the answer, if it gave one.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Self::Send { client_id, .. } | Self::Read { client_id, .. } => client_id.as_deref(),
            Self::Typing { .. } => None,
        }
    }
}

fn side(s: sabil_core::domain::chat::ChatSide) -> Value {
    ChatSideDto::from(s).to_json().unwrap_or(Value::Null)
}

fn time(t: time::OffsetDateTime) -> Value {
    t.to_json().unwrap_or(Value::Null)
}

/// `ready`: the connection is open and events flow from now on.
pub fn ready(who: &Participant) -> String {
    json!({"type": "ready", "side": side(who.side()), "userId": who.user().0}).to_string()
}

/// `sent`: the answer to a `send` frame, with the stored message.
pub fn sent(client_id: Option<&str>, message: ChatMessage) -> String {
    json!({"type": "sent", "clientId": client_id, "message": MessageDto::from(message).to_json()}).to_string()
}

/// `marked`: the answer to a `read` frame.
pub fn marked(client_id: Option<&str>, conversation_id: Uuid, marked: u32, unread: u32) -> String {
    json!({"type": "marked", "clientId": client_id, "conversationId": conversation_id, "marked": marked, "unread": unread}).to_string()
}

/// `resync`: events may have been lost; read the history after the last message held.
pub fn resync() -> String {
    json!({"type": "resync"}).to_string()
}

/// The frame of an event.
pub fn event(e: &ChatEvent) -> String {
    let conversation_id = e.conversation_id.0;
    match &e.kind {
        ChatEventKind::Message(m) => json!({"type": "message", "message": MessageDto::from(m.clone()).to_json()}),
        ChatEventKind::Typing { side: s, user } => {
            json!({"type": "typing", "conversationId": conversation_id, "side": side(*s), "userId": user.0})
        }
        ChatEventKind::Read { reader, up_to, at } => {
            json!({"type": "read", "conversationId": conversation_id, "side": side(*reader), "upToMessageId": up_to.0, "at": time(*at)})
        }
        ChatEventKind::Delivered { recipient, up_to, at } => json!({
            "type": "delivered", "conversationId": conversation_id, "side": side(*recipient), "upToMessageId": up_to.0, "at": time(*at)
        }),
        ChatEventKind::Conversation(c) => json!({"type": "conversation", "conversation": ConversationDto::from(c.clone()).to_json()}),
    }
    .to_string()
}

/// `error`: a frame that failed, with the API's error body.
pub async fn error(client_id: Option<&str>, e: ApiError) -> String {
    let body = e.into_response().into_body().into_bytes().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    json!({"type": "error", "clientId": client_id, "error": body["error"]}).to_string()
}

/// The error for a frame that could not be read.
pub fn unreadable(problem: &str) -> ApiError {
    ApiError::schema(
        "chat.invalid_frame",
        format!("The frame could not be read: {problem}"),
        "Send a JSON text frame with a `type` of send, typing or read, as described for GET /api/chat/ws.",
        vec![],
    )
}
