//! Request and response bodies of devices, in-app notifications and admin broadcasts.
use std::collections::BTreeMap;

use poem_openapi::{Enum, Object};
use sabil_core::domain::notifications::{
    Audience, BROADCAST_BODY_MAX, BROADCAST_TITLE_MAX, Broadcast, BroadcastStatus, Device, Notification, NotificationKind, Platform,
};
use sabil_core::domain::{Invalid, Page};
use sabil_core::services::notifications::BroadcastDraft;
use serde::Deserialize;
use time::OffsetDateTime;

use super::dto::LanguageDto;
use super::support_dto::LocalizedTextDto;

/// The operating system of the app install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum PlatformDto {
    /// Android.
    Android,
    /// iOS.
    Ios,
    /// A browser (Firebase web push).
    Web,
}

impl From<PlatformDto> for Platform {
    fn from(p: PlatformDto) -> Self {
        match p {
            PlatformDto::Android => Self::Android,
            PlatformDto::Ios => Self::Ios,
            PlatformDto::Web => Self::Web,
        }
    }
}

impl From<Platform> for PlatformDto {
    fn from(p: Platform) -> Self {
        match p {
            Platform::Android => Self::Android,
            Platform::Ios => Self::Ios,
            Platform::Web => Self::Web,
        }
    }
}

/// A device as the app registers it (after sign-in, and whenever the token or the app's language changes).
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceInput {
    /// The Firebase Cloud Messaging registration token, unchanged (1 to 4096 printable characters).
    #[oai(validator(max_length = 4096))]
    pub token: String,
    /// `android`, `ios` or `web`.
    pub platform: PlatformDto,
    /// The app's language on this device: pushes to it are written in it.
    pub language: LanguageDto,
}

/// A registered device.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct DeviceDto {
    /// The registration token.
    pub token: String,
    /// `android`, `ios` or `web`.
    pub platform: PlatformDto,
    /// The language pushes to it are written in.
    pub language: LanguageDto,
    /// When the token was first registered.
    pub created_at: OffsetDateTime,
    /// When it was last registered.
    pub updated_at: OffsetDateTime,
}

impl From<Device> for DeviceDto {
    fn from(d: Device) -> Self {
        Self {
            token: d.token.as_str().to_owned(),
            platform: d.platform.into(),
            language: d.language.into(),
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// What a notification is about; the app picks the screen to open by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum NotificationKindDto {
    /// The order was received (`data.orderId`, `data.orderNumber`).
    OrderPlaced,
    /// The order's payment arrived.
    OrderPaid,
    /// The order was confirmed.
    OrderConfirmed,
    /// The order left for delivery.
    OrderOutForDelivery,
    /// The order was delivered.
    OrderDelivered,
    /// The order was cancelled.
    OrderCancelled,
    /// The order's payment was returned.
    OrderRefunded,
    /// The order's payment did not go through.
    OrderPaymentFailed,
    /// Support replied in a chat (`data.conversationId`, `data.messageId`).
    ChatReply,
    /// Support answered a question (`data.questionId`).
    QuestionAnswered,
    /// An announcement (`data.broadcastId`).
    Broadcast,
}

impl From<NotificationKind> for NotificationKindDto {
    fn from(k: NotificationKind) -> Self {
        match k {
            NotificationKind::OrderPlaced => Self::OrderPlaced,
            NotificationKind::OrderPaid => Self::OrderPaid,
            NotificationKind::OrderConfirmed => Self::OrderConfirmed,
            NotificationKind::OrderOutForDelivery => Self::OrderOutForDelivery,
            NotificationKind::OrderDelivered => Self::OrderDelivered,
            NotificationKind::OrderCancelled => Self::OrderCancelled,
            NotificationKind::OrderRefunded => Self::OrderRefunded,
            NotificationKind::OrderPaymentFailed => Self::OrderPaymentFailed,
            NotificationKind::ChatReply => Self::ChatReply,
            NotificationKind::QuestionAnswered => Self::QuestionAnswered,
            NotificationKind::Broadcast => Self::Broadcast,
        }
    }
}

/// One in-app notification.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct NotificationDto {
    pub id: uuid::Uuid,
    /// What it is about.
    pub kind: NotificationKindDto,
    /// In the customer's language when it was created.
    pub title: String,
    /// In the customer's language when it was created.
    pub body: String,
    /// Ids to open the matching screen with (`orderId`, `conversationId`, `questionId`, `broadcastId`, ...).
    pub data: BTreeMap<String, String>,
    /// When it was read; absent while unread.
    pub read_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl From<Notification> for NotificationDto {
    fn from(n: Notification) -> Self {
        Self { id: n.id.0, kind: n.kind.into(), title: n.title, body: n.body, data: n.data, read_at: n.read_at, created_at: n.created_at }
    }
}

/// A page of notifications, newest first.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct NotificationPage {
    pub items: Vec<NotificationDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<Notification>> for NotificationPage {
    fn from(p: Page<Notification>) -> Self {
        Self { items: p.items.into_iter().map(Into::into).collect(), next_cursor: p.next_cursor.map(|c| c.to_string()) }
    }
}

/// How many notifications are unread.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct UnreadCountDto {
    /// Unread notifications (for the app's badge).
    pub count: u64,
}

/// What marking everything read did.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct MarkedReadDto {
    /// Notifications that were unread.
    pub marked: u64,
}

/// Who a broadcast goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AudienceKindDto {
    /// Every active customer.
    AllCustomers,
    /// Customers with an address in the area `areaId`.
    Area,
    /// The customers listed in `userIds`.
    Users,
}

impl AudienceKindDto {
    fn as_str(self) -> &'static str {
        match self {
            Self::AllCustomers => "all_customers",
            Self::Area => "area",
            Self::Users => "users",
        }
    }
}

/// The audience of a broadcast.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AudienceInput {
    /// `all_customers`, `area` or `users`.
    pub kind: AudienceKindDto,
    /// The delivery area, with kind `area` only.
    pub area_id: Option<uuid::Uuid>,
    /// 1 to 10000 customer ids, with kind `users` only.
    pub user_ids: Option<Vec<uuid::Uuid>>,
}

/// A broadcast as an admin sends it.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BroadcastInput {
    /// 1 to 100 characters in each language.
    pub title: LocalizedTextDto,
    /// 1 to 1000 characters in each language.
    pub body: LocalizedTextDto,
    /// Who gets it.
    pub audience: AudienceInput,
}

impl BroadcastInput {
    /// The draft, every problem named at once.
    pub fn parse(self) -> Result<BroadcastDraft, Invalid> {
        let mut p = sabil_core::domain::validation::Problems::new();
        let title = p.keep(self.title.parse("title", BROADCAST_TITLE_MAX));
        let body = p.keep(self.body.parse("body", BROADCAST_BODY_MAX));
        let a = &self.audience;
        let audience = p.keep(Audience::parse(a.kind.as_str(), a.area_id, a.user_ids.as_deref()));
        p.finish()?;
        match (title, body, audience) {
            (Some(title), Some(body), Some(audience)) => Ok(BroadcastDraft { title, body, audience }),
            _ => Err(Invalid::field("body", "could not be read", "Check the request against /openapi.json.")),
        }
    }
}

/// Where a broadcast's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum BroadcastStatusDto {
    /// Waiting for the worker.
    Queued,
    /// Being delivered in batches.
    Sending,
    /// Every recipient was handled.
    Done,
    /// Given up: the push provider kept failing (`lastError`).
    Failed,
}

impl From<BroadcastStatus> for BroadcastStatusDto {
    fn from(s: BroadcastStatus) -> Self {
        match s {
            BroadcastStatus::Queued => Self::Queued,
            BroadcastStatus::Sending => Self::Sending,
            BroadcastStatus::Done => Self::Done,
            BroadcastStatus::Failed => Self::Failed,
        }
    }
}

/// The audience of a broadcast as stored.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AudienceDto {
    /// `all_customers`, `area` or `users`.
    pub kind: String,
    /// The area, for kind `area`.
    pub area_id: Option<uuid::Uuid>,
    /// How many customers the list names, for kind `users`.
    pub user_count: Option<u64>,
}

/// A broadcast with its delivery progress.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct BroadcastDto {
    pub id: uuid::Uuid,
    pub title: LocalizedTextDto,
    pub body: LocalizedTextDto,
    pub audience: AudienceDto,
    /// `queued`, `sending`, `done` or `failed`.
    pub status: BroadcastStatusDto,
    /// Recipients (active customers of the audience), counted when delivery starts; absent before.
    pub total: Option<u64>,
    /// Recipients handled so far (in-app notification written, pushes tried).
    pub processed: u64,
    /// Pushes the provider accepted.
    pub sent: u64,
    /// Pushes refused (device no longer registered, or message refused).
    pub failed: u64,
    /// Why the last step failed, while the push provider is unavailable or after giving up.
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// When delivery ended.
    pub finished_at: Option<OffsetDateTime>,
}

impl From<Broadcast> for BroadcastDto {
    fn from(b: Broadcast) -> Self {
        let (area_id, user_count) = match &b.audience {
            Audience::AllCustomers => (None, None),
            Audience::Area(area) => (Some(area.0), None),
            Audience::Users(users) => (None, Some(users.len() as u64)),
        };
        Self {
            id: b.id.0,
            audience: AudienceDto { kind: b.audience.kind().to_owned(), area_id, user_count },
            title: b.title.into(),
            body: b.body.into(),
            status: b.status.into(),
            total: b.total,
            processed: b.processed,
            sent: b.sent,
            failed: b.failed,
            last_error: b.last_error,
            created_at: b.created_at,
            updated_at: b.updated_at,
            finished_at: b.finished_at,
        }
    }
}
