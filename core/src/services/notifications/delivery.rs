//! The delivery job: claims `notification.order` and `notification.user` outbox messages, writes the
//! in-app notification (once per event: its id is the outbox message's and the store keeps one per user
//! and dedupe key, so a crash between writing it and settling the message adds nothing) and pushes it to
//! each of the user's devices in the device's language. Pushes are at least once: a retried message is
//! pushed again to every device, also to those that had it.
use std::collections::BTreeMap;
use std::time::Duration;

use uuid::Uuid;

use super::concurrent::join_all;
use super::{NotificationError, NotificationService};
use crate::domain::UserStatus;
use crate::domain::notifications::{DeviceToken, Notification, NotificationEvent, NotificationId, NotificationKind, OrderNotice, Template};
use crate::error::GatewayError;
use crate::ports::{OutboxEntry, OutboxMessage, PushMessage, PushOutcome};

/// The outbox topics this job delivers.
pub const NOTIFICATION_TOPICS: [&str; 2] = ["notification.order", "notification.user"];

/// Why one message was not delivered now.
enum Failure {
    /// Try again later (the push provider or the store is unavailable).
    Retry { error: String, after: Option<Duration> },
    /// It will never succeed.
    GiveUp(String),
}

impl From<crate::error::RepoError> for Failure {
    fn from(e: crate::error::RepoError) -> Self {
        Self::Retry { error: e.to_string(), after: None }
    }
}

/// What one message says, ready to store and push.
struct Content {
    user_id: crate::domain::UserId,
    template: Template,
    data: BTreeMap<String, String>,
}

/// Wait before try `attempts + 1`: the provider's hint when it gave one, else 15 s doubling; at most an hour.
pub(super) fn backoff(attempts: u32, hint: Option<Duration>) -> Duration {
    hint.unwrap_or_else(|| Duration::from_secs(15u64.saturating_mul(1u64 << attempts.min(8)))).min(Duration::from_secs(3600))
}

impl NotificationService {
    /// Delivers up to `limit` due messages of each notification topic; how many were delivered (skipped
    /// messages, for a deleted account, count too). Failed deliveries are retried with backoff and
    /// dead-lettered after `max_attempts`.
    ///
    /// # Errors
    /// `Storage` when the outbox cannot be read or settled (the messages' leases then expire and
    /// another pass takes them up).
    pub async fn deliver_due(&self, limit: u32) -> Result<u32, NotificationError> {
        let mut delivered = 0;
        for topic in NOTIFICATION_TOPICS {
            let now = self.ports.clock.now();
            let entries = self.ports.outbox.claim(topic, limit, now, now + self.settings.lease).await?;
            for chunk in entries.chunks(self.settings.push_concurrency.max(1)) {
                let settled = join_all(chunk.iter().map(|entry| self.deliver_and_settle(entry)).collect()).await;
                for outcome in settled {
                    delivered += u32::from(outcome?);
                }
            }
        }
        Ok(delivered)
    }

    /// Delivers one claimed message and settles it; `true` when it was delivered.
    async fn deliver_and_settle(&self, entry: &OutboxEntry) -> Result<bool, NotificationError> {
        match self.deliver_one(entry).await {
            Ok(()) => {
                self.ports.outbox.complete(entry.id, self.ports.clock.now()).await?;
                Ok(true)
            }
            Err(Failure::Retry { error, after }) if entry.attempts + 1 < self.settings.max_attempts => {
                tracing::warn!(message = %entry.id, attempts = entry.attempts + 1, %error, "notification not delivered; will retry");
                let retry_at = self.ports.clock.now() + backoff(entry.attempts, after);
                self.ports.outbox.retry(entry.id, &error, retry_at).await?;
                Ok(false)
            }
            Err(Failure::Retry { error, .. } | Failure::GiveUp(error)) => {
                tracing::error!(message = %entry.id, %error, "notification dead-lettered");
                self.ports.outbox.dead_letter(entry.id, &error, self.ports.clock.now()).await?;
                Ok(false)
            }
        }
    }

    async fn deliver_one(&self, entry: &OutboxEntry) -> Result<(), Failure> {
        let content = self.content(&entry.message).await?;
        let Some(user) = self.ports.users.get(content.user_id).await? else {
            tracing::info!(message = %entry.id, "notification for an unknown account skipped");
            return Ok(());
        };
        if user.status == UserStatus::Deleted {
            return Ok(());
        }
        let rendered = content.template.render(user.language);
        let notification = Notification {
            // The message's id: a retry writes the same notification, and pushes name the stored one.
            id: NotificationId(entry.id),
            user_id: user.id,
            kind: content.template.kind(),
            title: rendered.title,
            body: rendered.body,
            data: content.data,
            dedupe_key: entry.message.dedupe_key(),
            read_at: None,
            created_at: self.ports.clock.now(),
        };
        self.ports.notifications.insert(&notification).await?;
        let devices = self.ports.devices.of_user(user.id).await?;
        let mut retry = None;
        for device in devices {
            let text = content.template.render(device.language);
            let mut data = notification.data.clone();
            data.insert("notificationId".into(), notification.id.0.to_string());
            match self.push(&device.token, text.title, text.body, notification.kind, data).await {
                Ok(_) => {}
                Err(e) if e.is_retryable() => {
                    let after = match &e {
                        GatewayError::Unavailable { retry_after, .. } => *retry_after,
                        _ => None,
                    };
                    retry = Some(Failure::Retry { error: e.to_string(), after });
                }
                Err(e) => tracing::warn!(message = %entry.id, error = %e, "push refused; the in-app notification stays"),
            }
        }
        retry.map_or(Ok(()), Err)
    }

    /// Pushes one notification to one device, with its kind added to `data`; a token the provider
    /// reports invalid is forgotten. `Ok(true)` when the provider accepted it.
    pub(super) async fn push(
        &self,
        token: &DeviceToken,
        title: String,
        body: String,
        kind: NotificationKind,
        mut data: BTreeMap<String, String>,
    ) -> Result<bool, GatewayError> {
        data.insert("kind".into(), kind.as_str().into());
        let message = PushMessage { token: token.as_str().to_owned(), title, body, data };
        match self.ports.push.send(&message).await? {
            PushOutcome::Sent { .. } => Ok(true),
            PushOutcome::TokenInvalid { reason } => {
                tracing::info!(%reason, "push token no longer valid; device forgotten");
                if let Err(e) = self.ports.devices.forget(token).await {
                    tracing::warn!(error = %e, "could not forget an invalid push token");
                }
                Ok(false)
            }
        }
    }

    /// The template and data of a notification message.
    async fn content(&self, message: &OutboxMessage) -> Result<Content, Failure> {
        let ids = |pairs: &[(&str, Uuid)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), v.to_string())).collect::<BTreeMap<_, _>>();
        match *message {
            OutboxMessage::OrderStatusChanged { order_id, customer_id, status } => {
                let order = self.ports.orders.get(order_id).await?;
                let placed = self.ports.orders.events(order_id).await?.first().is_some_and(|e| e.from.is_none() && e.to == status);
                let number = order.map(|o| o.number);
                let mut data = ids(&[("orderId", order_id.0)]);
                data.insert("status".into(), status.as_str().into());
                if let Some(n) = number {
                    data.insert("orderNumber".into(), n.to_string());
                }
                let template = Template::Order { notice: OrderNotice::for_status(status, placed), number };
                Ok(Content { user_id: customer_id, template, data })
            }
            OutboxMessage::Notify { user_id, event } => Ok(match event {
                NotificationEvent::ChatReply { conversation_id, message_id } => Content {
                    user_id,
                    template: Template::ChatReply,
                    data: ids(&[("conversationId", conversation_id), ("messageId", message_id)]),
                },
                NotificationEvent::QuestionAnswered { question_id } => {
                    Content { user_id, template: Template::QuestionAnswered, data: ids(&[("questionId", question_id)]) }
                }
            }),
            _ => Err(Failure::GiveUp(format!("not a notification message: {}", message.topic()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_fifteen_seconds_up_to_an_hour_unless_the_provider_says() {
        assert_eq!(backoff(0, None), Duration::from_secs(15));
        assert_eq!(backoff(2, None), Duration::from_secs(60));
        assert_eq!(backoff(30, None), Duration::from_secs(3600));
        assert_eq!(backoff(5, Some(Duration::from_secs(7))), Duration::from_secs(7));
        assert_eq!(backoff(0, Some(Duration::from_secs(86_400))), Duration::from_secs(3600));
    }
}
