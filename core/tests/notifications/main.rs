//! Behaviour of `NotificationService` on the in-memory fakes: outbox messages become one in-app
//! notification each, pushed to every device in its language; invalid tokens are forgotten; failures
//! are retried without duplicates and dead-lettered in the end; broadcasts go out in resumable batches.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broadcasts;
mod delivery;

use sabil_core::domain::notifications::{Device, DeviceToken, Platform};
use sabil_core::domain::{AccessClaims, FullName, Language, NewUser, PasswordHash, Phone, Role, Subject, UserId, UserStatus};
use sabil_core::ports::Clock as _;
use sabil_core::services::{NotificationService, NotificationSettings};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::datetime;
use uuid::Uuid;

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
        let now = self.fakes.clock.now();
        let user = NewUser {
            id: UserId(Uuid::now_v7()),
            phone: Phone::parse(phone).unwrap(),
            full_name: FullName::parse("Fatima Al-Sabah").unwrap(),
            password_hash: PasswordHash("hash".into()),
            role,
            status,
            language,
            location: None,
            now,
        };
        let user = self.fakes.ports.users.create(&user).await.unwrap();
        (user.id, AccessClaims { subject: Subject::User(user.id), role, issued_at: now, expires_at: now + time::Duration::minutes(15) })
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
