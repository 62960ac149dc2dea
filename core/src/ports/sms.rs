//! Sending text messages (one-time codes).
use async_trait::async_trait;

use crate::domain::Phone;
use crate::error::GatewayError;

/// A text message to one phone.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsMessage {
    /// The recipient.
    pub to: Phone,
    /// The text, in the recipient's language; may carry a one-time code.
    pub body: String,
}

impl std::fmt::Debug for SmsMessage {
    // The body carries one-time codes: keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsMessage").field("to", &self.to.masked()).finish_non_exhaustive()
    }
}

/// Delivers SMS through a provider.
#[async_trait]
pub trait SmsGateway: Send + Sync {
    /// Hands the message to the provider; returns the provider's message id.
    ///
    /// # Errors
    /// `Rejected` for a number the provider cannot deliver to, `Unavailable` (with the provider's
    /// `retry_after` when rate-limited) when it is down or throttling us, `Protocol` for a reply
    /// that could not be understood.
    async fn send(&self, message: &SmsMessage) -> Result<String, GatewayError>;
}
