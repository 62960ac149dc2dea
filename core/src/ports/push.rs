//! Push notifications to customers' devices (Firebase Cloud Messaging, or the local stand-in that
//! records them).
use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::error::GatewayError;

/// One push to one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushMessage {
    /// The device's registration token (FCM token).
    pub token: String,
    /// The title, in the recipient's language.
    pub title: String,
    /// The text, in the recipient's language.
    pub body: String,
    /// Key/value data the app reads (e.g. `orderId`), never shown to the user.
    pub data: BTreeMap<String, String>,
}

/// What the provider did with a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Accepted; the provider's message name (`projects/../messages/..` for FCM).
    Sent { provider_id: String },
    /// The token is no longer valid (FCM `UNREGISTERED`, or `INVALID_ARGUMENT` about the token):
    /// the device must be forgotten, and sending again will never succeed.
    TokenInvalid { reason: String },
}

/// Delivers pushes through a provider.
#[async_trait]
pub trait PushGateway: Send + Sync {
    /// Hands one push to the provider.
    ///
    /// # Errors
    /// `Rejected` for a message the provider refuses for a reason other than the token (it will not succeed
    /// later either), `Unavailable` (with the provider's `retry_after` when it gave one) when it is down,
    /// throttling us or our credentials could not be exchanged for a token, `Protocol` for a reply that
    /// could not be understood.
    async fn send(&self, message: &PushMessage) -> Result<PushOutcome, GatewayError>;

    /// The provider's name for logs and metrics (`fcm`, `local`).
    fn name(&self) -> &'static str;
}
