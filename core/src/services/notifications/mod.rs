//! Notifications: customers register the devices pushes go to and read their in-app notifications
//! (here); the worker turns outbox messages into notifications and pushes (`delivery`) and delivers
//! admin broadcasts in batches (`broadcast`). Nothing is pushed from inside a request.
mod broadcast;
mod concurrent;
mod delivery;

use std::time::Duration;

pub use broadcast::{BroadcastDraft, BroadcastStep};
pub use delivery::NOTIFICATION_TOPICS;

use crate::domain::notifications::{Device, DeviceToken, Notification, NotificationId, Platform};
use crate::domain::{AccessClaims, Invalid, Language, Page, PageRequest, Role, Subject, UserId, UserStatus};
use crate::error::RepoError;
use crate::ports::Ports;
use crate::services::authorization::AdminDenied;

/// Business outcomes of the notification use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// The input breaks a rule (named by field, with a hint).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The notification does not exist or is another user's.
    #[error("no such notification")]
    NotFound,
    /// The token is not one of the caller's devices.
    #[error("no such device")]
    DeviceNotFound,
    /// The broadcast does not exist.
    #[error("no such broadcast")]
    BroadcastNotFound,
    /// The broadcast names a delivery area that does not exist.
    #[error("no such delivery area")]
    AreaNotFound,
    /// Only an active customer account may do this.
    #[error("only a customer may do this")]
    CustomersOnly,
    /// The customer's account is blocked.
    #[error("the account is blocked")]
    AccountBlocked,
    /// The caller is not an active admin.
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The store failed; not a business outcome.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// How the worker delivers.
#[derive(Debug, Clone, Copy)]
pub struct NotificationSettings {
    /// Deliveries of one outbox message tried before it is dead-lettered.
    pub max_attempts: u32,
    /// How long a claimed message or broadcast step is reserved for the worker that claimed it.
    pub lease: Duration,
    /// Recipients per broadcast step.
    pub broadcast_batch: u32,
    /// Failed broadcast steps in a row (push provider unavailable) before the broadcast is given up.
    pub broadcast_max_attempts: u32,
    /// Outbox messages delivered, or broadcast recipients pushed to, at the same time.
    pub push_concurrency: usize,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self { max_attempts: 8, lease: Duration::from_secs(120), broadcast_batch: 500, broadcast_max_attempts: 10, push_concurrency: 32 }
    }
}

/// The notification use cases over the ports.
#[derive(Clone)]
pub struct NotificationService {
    ports: Ports,
    settings: NotificationSettings,
}

impl NotificationService {
    #[must_use]
    pub fn new(ports: Ports, settings: NotificationSettings) -> Self {
        Self { ports, settings }
    }

    /// Registers the caller's device (or refreshes it; a token another account registered moves to the
    /// caller, as the app was signed in to another account on that phone).
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn register_device(
        &self,
        actor: &AccessClaims,
        token: DeviceToken,
        platform: Platform,
        language: Language,
    ) -> Result<Device, NotificationError> {
        let user_id = self.customer(actor).await?;
        let now = self.ports.clock.now();
        let mut device = Device { token, user_id, platform, language, created_at: now, updated_at: now };
        self.ports.devices.register(&device).await?;
        // Report the first registration time when the token was known already.
        if let Some(stored) = self.ports.devices.of_user(user_id).await?.into_iter().find(|d| d.token == device.token) {
            device = stored;
        }
        Ok(device)
    }

    /// Removes one of the caller's devices (at sign-out): it gets no more pushes.
    ///
    /// # Errors
    /// `DeviceNotFound` for a token that is not one of the caller's devices; `CustomersOnly`,
    /// `AccountBlocked`, `Storage`.
    pub async fn remove_device(&self, actor: &AccessClaims, token: &DeviceToken) -> Result<(), NotificationError> {
        let user_id = self.customer(actor).await?;
        if self.ports.devices.unregister(user_id, token).await? { Ok(()) } else { Err(NotificationError::DeviceNotFound) }
    }

    /// The caller's notifications, newest first.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn my_notifications(&self, actor: &AccessClaims, page: PageRequest) -> Result<Page<Notification>, NotificationError> {
        let user_id = self.customer(actor).await?;
        Ok(self.ports.notifications.list(user_id, page).await?)
    }

    /// How many of the caller's notifications are unread.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn unread_count(&self, actor: &AccessClaims) -> Result<u64, NotificationError> {
        let user_id = self.customer(actor).await?;
        Ok(self.ports.notifications.unread_count(user_id).await?)
    }

    /// Marks one of the caller's notifications read (again is harmless).
    ///
    /// # Errors
    /// `NotFound` for another user's or a missing notification; `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn mark_read(&self, actor: &AccessClaims, id: NotificationId) -> Result<(), NotificationError> {
        let user_id = self.customer(actor).await?;
        if self.ports.notifications.mark_read(user_id, id, self.ports.clock.now()).await? {
            Ok(())
        } else {
            Err(NotificationError::NotFound)
        }
    }

    /// Marks every notification of the caller read; how many were unread.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn mark_all_read(&self, actor: &AccessClaims) -> Result<u64, NotificationError> {
        let user_id = self.customer(actor).await?;
        Ok(self.ports.notifications.mark_all_read(user_id, self.ports.clock.now()).await?)
    }

    /// The caller as an active customer, checked against the store.
    async fn customer(&self, actor: &AccessClaims) -> Result<UserId, NotificationError> {
        let (Subject::User(id), Role::Customer) = (actor.subject, actor.role) else { return Err(NotificationError::CustomersOnly) };
        let user = self.ports.users.get(id).await?.ok_or(NotificationError::CustomersOnly)?;
        match (user.role, user.status) {
            (Role::Customer, UserStatus::Active) => Ok(id),
            (_, UserStatus::Blocked) => Err(NotificationError::AccountBlocked),
            _ => Err(NotificationError::CustomersOnly),
        }
    }
}
