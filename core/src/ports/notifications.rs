//! Persistence of customers' devices, in-app notifications and admin broadcasts. Notifications are
//! written at most once per (user, dedupe key), so a delivery retried after a crash adds nothing.
use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::notifications::{Audience, Broadcast, BroadcastId, Device, DeviceToken, Notification, NotificationId, Recipient};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;

/// Stores the devices pushes go to.
#[async_trait]
pub trait DeviceRepository: Send + Sync {
    /// Registers a device, or refreshes it when its token is known: the token belongs to one user at a
    /// time, so a token registered by another user moves to `device.user_id` (the app was signed in to
    /// another account). A refresh keeps the first `created_at` and takes the rest from `device`.
    ///
    /// # Errors
    /// `Conflict` when the user does not exist.
    async fn register(&self, device: &Device) -> Result<(), RepoError>;

    /// Removes one of `user`'s devices; `false` (nothing removed) when the token is unknown or is
    /// another user's.
    ///
    /// # Errors
    /// Storage failures only.
    async fn unregister(&self, user: UserId, token: &DeviceToken) -> Result<bool, RepoError>;

    /// Forgets a token whoever registered it (the push provider says it is no longer valid); `false`
    /// when it was not there.
    ///
    /// # Errors
    /// Storage failures only.
    async fn forget(&self, token: &DeviceToken) -> Result<bool, RepoError>;

    /// Removes every device of `user` (their account is deleted); how many.
    ///
    /// # Errors
    /// Storage failures only.
    async fn forget_user(&self, user: UserId) -> Result<u64, RepoError>;

    /// The user's devices, oldest registration first.
    ///
    /// # Errors
    /// Storage failures only.
    async fn of_user(&self, user: UserId) -> Result<Vec<Device>, RepoError>;

    /// The devices of any of these users, by user then oldest registration first.
    ///
    /// # Errors
    /// Storage failures only.
    async fn of_users(&self, users: &[UserId]) -> Result<Vec<Device>, RepoError>;
}

/// Stores users' in-app notifications.
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// Stores a notification unless one with its id exists, or its user already has one with its
    /// `dedupe_key`; `true` when stored.
    ///
    /// # Errors
    /// `Conflict` when the user does not exist.
    async fn insert(&self, notification: &Notification) -> Result<bool, RepoError>;

    /// Stores many notifications (a broadcast batch) at once, each as `insert` would; how many were stored.
    ///
    /// # Errors
    /// `Conflict` when a user does not exist; then nothing of the call is stored.
    async fn insert_many(&self, notifications: &[Notification]) -> Result<u64, RepoError>;

    /// The user's notifications, newest first, keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, user: UserId, page: PageRequest) -> Result<Page<Notification>, RepoError>;

    /// How many of the user's notifications are unread.
    ///
    /// # Errors
    /// Storage failures only.
    async fn unread_count(&self, user: UserId) -> Result<u64, RepoError>;

    /// Marks one of the user's notifications read at `now` (one already read keeps its first `read_at`).
    /// `false` when it does not exist or is another user's.
    ///
    /// # Errors
    /// Storage failures only.
    async fn mark_read(&self, user: UserId, id: NotificationId, now: OffsetDateTime) -> Result<bool, RepoError>;

    /// Marks every unread notification of the user read at `now`; how many were unread.
    ///
    /// # Errors
    /// Storage failures only.
    async fn mark_all_read(&self, user: UserId, now: OffsetDateTime) -> Result<u64, RepoError>;

    /// Deletes every notification of `user` (their account is deleted); how many.
    ///
    /// # Errors
    /// Storage failures only.
    async fn delete_for_user(&self, user: UserId) -> Result<u64, RepoError>;
}

/// Stores broadcasts, their delivery progress, and finds their recipients.
#[async_trait]
pub trait BroadcastRepository: Send + Sync {
    /// Stores a new broadcast (with its list of users, for a list audience).
    ///
    /// # Errors
    /// `Conflict` when the id is taken, or the area or the admin does not exist.
    async fn create(&self, broadcast: &Broadcast) -> Result<(), RepoError>;

    /// The broadcast with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: BroadcastId) -> Result<Option<Broadcast>, RepoError>;

    /// Claims the oldest open broadcast (queued or sending) that is due at `now` and not claimed by a live
    /// lease, leasing it until `lease_until`. Two claimers never get the same broadcast while its lease
    /// lasts.
    ///
    /// # Errors
    /// Storage failures only.
    async fn claim_due(&self, now: OffsetDateTime, lease_until: OffsetDateTime) -> Result<Option<Broadcast>, RepoError>;

    /// Writes the progress fields of a claimed broadcast (status, total, processed, sent, failed, after,
    /// attempts, last error, available at, updated at, finished at) and releases its lease.
    ///
    /// # Errors
    /// `NotFound` for an unknown broadcast.
    async fn save_progress(&self, broadcast: &Broadcast) -> Result<(), RepoError>;

    /// How many active customer accounts the audience holds.
    ///
    /// # Errors
    /// Storage failures only.
    async fn count_recipients(&self, id: BroadcastId, audience: &Audience) -> Result<u64, RepoError>;

    /// Up to `limit` active customers of the audience with ids above `after`, by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn recipients(
        &self,
        id: BroadcastId,
        audience: &Audience,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Recipient>, RepoError>;
}
