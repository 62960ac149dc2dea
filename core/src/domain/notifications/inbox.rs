//! In-app notifications: what one user was told, already written in their language, with the data the
//! app needs to open the matching screen, and whether it was read.
use std::collections::BTreeMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::account::UserId;

/// Identifier of an in-app notification (UUIDv7: ids sort by creation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationId(pub Uuid);

/// What a notification is about; the app picks its icon and the screen to open by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    OrderPlaced,
    OrderPaid,
    OrderConfirmed,
    OrderOutForDelivery,
    OrderDelivered,
    OrderCancelled,
    OrderRefunded,
    OrderPaymentFailed,
    ChatReply,
    QuestionAnswered,
    /// An announcement an admin sent to many customers.
    Broadcast,
}

/// Every kind, for parsing.
const ALL_KINDS: [NotificationKind; 11] = [
    NotificationKind::OrderPlaced,
    NotificationKind::OrderPaid,
    NotificationKind::OrderConfirmed,
    NotificationKind::OrderOutForDelivery,
    NotificationKind::OrderDelivered,
    NotificationKind::OrderCancelled,
    NotificationKind::OrderRefunded,
    NotificationKind::OrderPaymentFailed,
    NotificationKind::ChatReply,
    NotificationKind::QuestionAnswered,
    NotificationKind::Broadcast,
];

impl NotificationKind {
    /// Stored and wire name (`order_paid`, `chat_reply`, ...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderPlaced => "order_placed",
            Self::OrderPaid => "order_paid",
            Self::OrderConfirmed => "order_confirmed",
            Self::OrderOutForDelivery => "order_out_for_delivery",
            Self::OrderDelivered => "order_delivered",
            Self::OrderCancelled => "order_cancelled",
            Self::OrderRefunded => "order_refunded",
            Self::OrderPaymentFailed => "order_payment_failed",
            Self::ChatReply => "chat_reply",
            Self::QuestionAnswered => "question_answered",
            Self::Broadcast => "broadcast",
        }
    }

    /// The kind with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        ALL_KINDS.into_iter().find(|k| k.as_str() == s)
    }
}

/// One notification in a user's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub user_id: UserId,
    pub kind: NotificationKind,
    /// In the user's language at the time it was created.
    pub title: String,
    /// In the user's language at the time it was created.
    pub body: String,
    /// Ids the app uses to open the matching screen (`orderId`, `conversationId`, ...).
    pub data: BTreeMap<String, String>,
    /// One event, one notification: a user never has two notifications with the same key (the outbox
    /// message's key, or `broadcast:<id>`).
    pub dedupe_key: String,
    pub read_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for k in ALL_KINDS {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NotificationKind::parse("order"), None);
    }
}
