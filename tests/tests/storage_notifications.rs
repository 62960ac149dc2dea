//! Conformance of the notification stores on every backend: devices upserted by token (a token moves
//! between users), in-app notifications (paging, unread count, marking read, one per user and dedupe
//! key), and broadcasts (round trips, recipients by audience and cursor, leases, progress).
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "storage_notifications/broadcasts.rs"]
mod broadcasts;
#[path = "storage_notifications/devices.rs"]
mod devices;
#[path = "storage_notifications/inbox.rs"]
mod inbox;

use std::collections::BTreeMap;

use sabil_core::domain::notifications::{Device, DeviceToken, Notification, NotificationId, NotificationKind, Platform};
use sabil_core::domain::{Language, Role, UserId, UserStatus};
use sabil_tests::Stores;
use sabil_tests::fixtures::{at, new_user};
use time::OffsetDateTime;
use uuid::Uuid;

/// Stores an account with this phone, role, status and language.
pub async fn account(stores: &Stores, raw_phone: &str, role: Role, status: UserStatus, language: Language) -> UserId {
    let mut user = new_user(raw_phone, at(0));
    user.role = role;
    user.status = status;
    user.language = language;
    stores.users.create(&user).await.expect("create the account").id
}

/// An active Arabic-speaking customer.
pub async fn customer(stores: &Stores, raw_phone: &str) -> UserId {
    account(stores, raw_phone, Role::Customer, UserStatus::Active, Language::Ar).await
}

pub fn token(raw: &str) -> DeviceToken {
    DeviceToken::parse(raw).expect("valid token")
}

pub fn device(user: UserId, raw_token: &str, platform: Platform, language: Language, seconds: i64) -> Device {
    Device { token: token(raw_token), user_id: user, platform, language, created_at: at(seconds), updated_at: at(seconds) }
}

pub fn notification(user: UserId, key: &str, created_at: OffsetDateTime) -> Notification {
    Notification {
        id: NotificationId(Uuid::now_v7()),
        user_id: user,
        kind: NotificationKind::OrderPaid,
        title: "تم استلام الدفع".to_owned(),
        body: format!("Body of {key}"),
        data: BTreeMap::from([("orderId".to_owned(), Uuid::nil().to_string()), ("orderNumber".to_owned(), "100001".to_owned())]),
        dedupe_key: key.to_owned(),
        read_at: None,
        created_at,
    }
}
