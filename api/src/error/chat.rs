//! How the chat outcomes are answered (kept beside `error.rs`, which would otherwise outgrow one file).
use sabil_core::services::ChatError;

use super::ApiError;

impl From<ChatError> for ApiError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::Invalid(invalid) => invalid.into(),
            ChatError::NotFound => Self::not_found(
                "chat.conversation_not_found",
                "No such conversation.",
                Some("List your conversations with GET /api/chat/conversations (support: GET /api/admin/chat/conversations)."),
            ),
            ChatError::Closed => Self::conflict(
                "chat.conversation_closed",
                "This conversation is closed.",
                "Start a new conversation with POST /api/chat/conversations.",
            ),
            ChatError::CustomersOnly => {
                Self::forbidden("auth.role_forbidden", "Only a customer account may do this.", "Sign in with an active customer account.")
            }
            ChatError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            ChatError::Denied(denied) => denied.into(),
            ChatError::Image(e) => e.into(),
            ChatError::Unavailable(e) => {
                tracing::warn!(error = %e, "live chat hub unavailable");
                Self::unavailable("chat.unavailable", "Live chat is unavailable at the moment.", None)
            }
            ChatError::Storage(e) => e.into(),
        }
    }
}
