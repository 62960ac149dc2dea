//! In-memory devices, in-app notifications and broadcasts, behaving as the SQL stores do (checked by
//! the conformance suite): owners, areas and admins must exist, a token belongs to one user, a user
//! never has two notifications with one dedupe key, and broadcast claims are leases.
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;

use super::accounts::page_of;
use super::lock;
use crate::domain::notifications::{Audience, Broadcast, BroadcastId, Device, DeviceToken, Notification, NotificationId, Recipient};
use crate::domain::{Page, PageRequest, Role, User, UserId, UserStatus};
use crate::error::RepoError;
use crate::ports::{
    AddressRepository, BroadcastRepository, DeliveryAreaRepository, DeviceRepository, NotificationRepository, UserQuery, UserRepository,
};

async fn user_exists(users: &dyn UserRepository, id: UserId) -> Result<(), RepoError> {
    match users.get(id).await? {
        Some(_) => Ok(()),
        None => Err(RepoError::Conflict("users".into())),
    }
}

/// Devices in memory, keyed by token.
pub struct InMemoryDevices {
    users: Arc<dyn UserRepository>,
    rows: Mutex<Vec<Device>>,
}

impl InMemoryDevices {
    /// Devices whose owners live in `users`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>) -> Self {
        Self { users, rows: Mutex::default() }
    }
}

#[async_trait]
impl DeviceRepository for InMemoryDevices {
    async fn register(&self, device: &Device) -> Result<(), RepoError> {
        user_exists(self.users.as_ref(), device.user_id).await?;
        let mut rows = lock(&self.rows);
        match rows.iter_mut().find(|d| d.token == device.token) {
            Some(existing) => *existing = Device { created_at: existing.created_at, ..device.clone() },
            None => rows.push(device.clone()),
        }
        Ok(())
    }

    async fn unregister(&self, user: UserId, token: &DeviceToken) -> Result<bool, RepoError> {
        let mut rows = lock(&self.rows);
        let before = rows.len();
        rows.retain(|d| !(d.user_id == user && &d.token == token));
        Ok(rows.len() < before)
    }

    async fn forget(&self, token: &DeviceToken) -> Result<bool, RepoError> {
        let mut rows = lock(&self.rows);
        let before = rows.len();
        rows.retain(|d| &d.token != token);
        Ok(rows.len() < before)
    }

    async fn forget_user(&self, user: UserId) -> Result<u64, RepoError> {
        let mut rows = lock(&self.rows);
        let before = rows.len();
        rows.retain(|d| d.user_id != user);
        Ok((before - rows.len()) as u64)
    }

    async fn of_user(&self, user: UserId) -> Result<Vec<Device>, RepoError> {
        self.of_users(&[user]).await
    }

    async fn of_users(&self, users: &[UserId]) -> Result<Vec<Device>, RepoError> {
        let wanted: HashSet<UserId> = users.iter().copied().collect();
        let mut found: Vec<Device> = lock(&self.rows).iter().filter(|d| wanted.contains(&d.user_id)).cloned().collect();
        found.sort_by(|a, b| (a.user_id, a.created_at, &a.token).cmp(&(b.user_id, b.created_at, &b.token)));
        Ok(found)
    }
}

/// In-app notifications in memory.
pub struct InMemoryNotifications {
    users: Arc<dyn UserRepository>,
    rows: Mutex<Vec<Notification>>,
}

impl InMemoryNotifications {
    /// Notifications whose users live in `users`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>) -> Self {
        Self { users, rows: Mutex::default() }
    }

    fn put(rows: &mut Vec<Notification>, n: &Notification) -> bool {
        if rows.iter().any(|r| r.id == n.id || (r.user_id == n.user_id && r.dedupe_key == n.dedupe_key)) {
            return false;
        }
        rows.push(n.clone());
        true
    }
}

#[async_trait]
impl NotificationRepository for InMemoryNotifications {
    async fn insert(&self, n: &Notification) -> Result<bool, RepoError> {
        user_exists(self.users.as_ref(), n.user_id).await?;
        Ok(Self::put(&mut lock(&self.rows), n))
    }

    async fn insert_many(&self, notifications: &[Notification]) -> Result<u64, RepoError> {
        let users: HashSet<UserId> = notifications.iter().map(|n| n.user_id).collect();
        for user in users {
            user_exists(self.users.as_ref(), user).await?;
        }
        let mut rows = lock(&self.rows);
        Ok(notifications.iter().filter(|n| Self::put(&mut rows, n)).count() as u64)
    }

    async fn list(&self, user: UserId, page: PageRequest) -> Result<Page<Notification>, RepoError> {
        let mut mine: Vec<Notification> =
            lock(&self.rows).iter().filter(|n| n.user_id == user && page.cursor.is_none_or(|c| n.id.0 < c)).cloned().collect();
        mine.sort_by_key(|n| std::cmp::Reverse(n.id));
        Ok(page_of(mine, page.limit, |n| n.id.0))
    }

    async fn unread_count(&self, user: UserId) -> Result<u64, RepoError> {
        Ok(lock(&self.rows).iter().filter(|n| n.user_id == user && n.read_at.is_none()).count() as u64)
    }

    async fn mark_read(&self, user: UserId, id: NotificationId, now: OffsetDateTime) -> Result<bool, RepoError> {
        let mut rows = lock(&self.rows);
        let Some(n) = rows.iter_mut().find(|n| n.id == id && n.user_id == user) else { return Ok(false) };
        n.read_at.get_or_insert(now);
        Ok(true)
    }

    async fn delete_for_user(&self, user: UserId) -> Result<u64, RepoError> {
        let mut rows = lock(&self.rows);
        let before = rows.len();
        rows.retain(|n| n.user_id != user);
        Ok((before - rows.len()) as u64)
    }

    async fn mark_all_read(&self, user: UserId, now: OffsetDateTime) -> Result<u64, RepoError> {
        let mut rows = lock(&self.rows);
        let mut n = 0;
        for row in rows.iter_mut().filter(|r| r.user_id == user && r.read_at.is_none()) {
            row.read_at = Some(now);
            n += 1;
        }
        Ok(n)
    }
}

struct BroadcastRow {
    broadcast: Broadcast,
    claimed_until: Option<OffsetDateTime>,
}

/// Broadcasts in memory; recipients are read from the account and address stores.
pub struct InMemoryBroadcasts {
    users: Arc<dyn UserRepository>,
    addresses: Arc<dyn AddressRepository>,
    areas: Arc<dyn DeliveryAreaRepository>,
    rows: Mutex<Vec<BroadcastRow>>,
}

impl InMemoryBroadcasts {
    /// Broadcasts to the customers in `users` (and their addresses in `addresses`), areas in `areas`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>, addresses: Arc<dyn AddressRepository>, areas: Arc<dyn DeliveryAreaRepository>) -> Self {
        Self { users, addresses, areas, rows: Mutex::default() }
    }

    /// Every active customer of the audience, by id.
    async fn audience(&self, audience: &Audience) -> Result<Vec<User>, RepoError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.users.list(&UserQuery { search: None, role: None, page: PageRequest { limit: 100, cursor } }).await?;
            all.extend(page.items.into_iter().filter(|u| u.role == Role::Customer && u.status == UserStatus::Active));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let mut chosen = Vec::new();
        for user in all {
            let included = match audience {
                Audience::AllCustomers => true,
                Audience::Users(ids) => ids.contains(&user.id),
                Audience::Area(area) => {
                    let page = self.addresses.list(user.id, PageRequest { limit: 100, cursor: None }).await?;
                    page.items.iter().any(|a| a.area_id == *area)
                }
            };
            if included {
                chosen.push(user);
            }
        }
        chosen.sort_by_key(|u| u.id);
        Ok(chosen)
    }
}

#[async_trait]
impl BroadcastRepository for InMemoryBroadcasts {
    async fn create(&self, b: &Broadcast) -> Result<(), RepoError> {
        user_exists(self.users.as_ref(), b.created_by).await?;
        if let Audience::Area(area) = b.audience
            && self.areas.get(area).await?.is_none()
        {
            return Err(RepoError::Conflict("delivery_areas".into()));
        }
        let mut rows = lock(&self.rows);
        if rows.iter().any(|r| r.broadcast.id == b.id) {
            return Err(RepoError::Conflict("broadcasts.id".into()));
        }
        rows.push(BroadcastRow { broadcast: b.clone(), claimed_until: None });
        Ok(())
    }

    async fn get(&self, id: BroadcastId) -> Result<Option<Broadcast>, RepoError> {
        Ok(lock(&self.rows).iter().find(|r| r.broadcast.id == id).map(|r| r.broadcast.clone()))
    }

    async fn claim_due(&self, now: OffsetDateTime, lease_until: OffsetDateTime) -> Result<Option<Broadcast>, RepoError> {
        let mut rows = lock(&self.rows);
        let due = rows
            .iter_mut()
            .filter(|r| r.broadcast.status.is_open() && r.broadcast.available_at <= now && r.claimed_until.is_none_or(|c| c <= now))
            .min_by_key(|r| (r.broadcast.created_at, r.broadcast.id));
        Ok(due.map(|r| {
            r.claimed_until = Some(lease_until);
            r.broadcast.clone()
        }))
    }

    async fn save_progress(&self, b: &Broadcast) -> Result<(), RepoError> {
        let mut rows = lock(&self.rows);
        let row = rows.iter_mut().find(|r| r.broadcast.id == b.id).ok_or(RepoError::NotFound)?;
        let kept = &row.broadcast;
        row.broadcast = Broadcast {
            title: kept.title.clone(),
            body: kept.body.clone(),
            audience: kept.audience.clone(),
            created_by: kept.created_by,
            created_at: kept.created_at,
            ..b.clone()
        };
        row.claimed_until = None;
        Ok(())
    }

    async fn count_recipients(&self, _id: BroadcastId, audience: &Audience) -> Result<u64, RepoError> {
        Ok(self.audience(audience).await?.len() as u64)
    }

    async fn recipients(
        &self,
        _id: BroadcastId,
        audience: &Audience,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Recipient>, RepoError> {
        Ok(self
            .audience(audience)
            .await?
            .into_iter()
            .filter(|u| after.is_none_or(|a| u.id > a))
            .take(limit as usize)
            .map(|u| Recipient { user_id: u.id, language: u.language })
            .collect())
    }
}
