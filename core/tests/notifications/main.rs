//! Behaviour of `NotificationService` on the in-memory fakes: outbox messages become one in-app
//! notification each, pushed to every device in its language; invalid tokens are forgotten; failures
//! are retried without duplicates and dead-lettered in the end; broadcasts go out in resumable batches.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod broadcasts;
mod delivery;

use sabil_core::domain::notifications::{Device, DeviceToken, Platform};
use sabil_core::domain::{AccessClaims, Language, Role, UserId, UserStatus};
use sabil_core::ports::Clock as _;
use sabil_core::services::{NotificationService, NotificationSettings};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::datetime;

pub struct World {
    pub fakes: FakeWorld,
    pub service: NotificationService,
}

pub fn world(settings: NotificationSettings) -> World {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    World { service: NotificationService::new(fakes.ports.clone(), settings), fakes }
}

impl World {
    /// A stored account; returns its id and claims.
    pub async fn user(&self, phone: &str, role: Role, status: UserStatus, language: Language) -> (UserId, AccessClaims) {
        common::signed_in(&self.fakes, phone, role, status, language).await
    }

    pub async fn customer(&self, phone: &str, language: Language) -> (UserId, AccessClaims) {
        self.user(phone, Role::Customer, UserStatus::Active, language).await
    }

    /// Registers a device straight in the store.
    pub async fn device(&self, user: UserId, token: &str, language: Language) {
        let now = self.fakes.clock.now();
        let device = Device {
            token: DeviceToken::parse(token).unwrap(),
            user_id: user,
            platform: Platform::Android,
            language,
            created_at: now,
            updated_at: now,
        };
        self.fakes.ports.devices.register(&device).await.unwrap();
    }

    /// The tokens of the user's devices.
    pub async fn tokens(&self, user: UserId) -> Vec<String> {
        self.fakes.ports.devices.of_user(user).await.unwrap().into_iter().map(|d| d.token.as_str().to_owned()).collect()
    }
}
