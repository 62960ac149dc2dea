//! In-memory delivery addresses, behaving as the SQL store does (checked by the conformance suite),
//! with a change for SAP appended to the feed on every creation, update and deletion.
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::accounts::page_of;
use super::lock;
use super::sync::{InMemoryChanges, change_data};
use crate::domain::address::{Address, AddressId};
use crate::domain::sync::{ChangeOperation, OutboundEntity};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;
use crate::ports::{AddressRepository, DeliveryAreaRepository, UserRepository, truncate_to_micros};

/// Addresses in memory; owners and areas must exist in the stores it was built with, as the SQL
/// store's foreign keys demand.
pub struct InMemoryAddresses {
    users: Arc<dyn UserRepository>,
    areas: Arc<dyn DeliveryAreaRepository>,
    changes: Arc<InMemoryChanges>,
    rows: Mutex<Vec<Address>>,
}

impl InMemoryAddresses {
    /// Addresses whose owners live in `users`, whose areas live in `areas`, and whose changes go to `changes`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>, areas: Arc<dyn DeliveryAreaRepository>, changes: Arc<InMemoryChanges>) -> Self {
        Self { users, areas, changes, rows: Mutex::default() }
    }

    fn record(&self, a: &Address, operation: ChangeOperation, at: OffsetDateTime) {
        self.changes.append(OutboundEntity::Address, a.id.0, operation, change_data(a.id.0, a.sap_id.as_deref()), at);
    }

    /// Deletes the owner's addresses that `matches`, each with its deletion change (by id); returns how many.
    fn delete_where(&self, owner: UserId, matches: impl Fn(&Address) -> bool) -> u64 {
        let now = truncate_to_micros(OffsetDateTime::now_utc());
        let mut rows = lock(&self.rows);
        let (mut deleted, kept): (Vec<Address>, Vec<Address>) = rows.drain(..).partition(|r| r.user_id == owner && matches(r));
        *rows = kept;
        deleted.sort_by_key(|a| a.id);
        for a in &deleted {
            self.record(a, ChangeOperation::Delete, now);
        }
        deleted.len() as u64
    }

    /// Sets the SAP id of an address that has none (`SapLinkRepository::remember_sap_id`).
    pub(crate) fn remember_sap_id(&self, id: Uuid, sap_id: &str) -> Result<bool, RepoError> {
        let mut rows = lock(&self.rows);
        let Some(index) = rows.iter().position(|r| r.id.0 == id && r.sap_id.is_none()) else {
            return Ok(false);
        };
        if rows.iter().any(|r| r.sap_id.as_deref() == Some(sap_id)) {
            return Err(RepoError::Conflict("addresses.sap_id".into()));
        }
        rows[index].sap_id = Some(sap_id.to_owned());
        Ok(true)
    }

    async fn area_exists(&self, a: &Address) -> Result<bool, RepoError> {
        Ok(self.areas.get(a.area_id).await?.is_some())
    }
}

impl std::fmt::Debug for InMemoryAddresses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryAddresses").field("rows", &self.rows).finish_non_exhaustive()
    }
}

#[async_trait]
impl AddressRepository for InMemoryAddresses {
    async fn create(&self, a: &Address, limit: u32) -> Result<bool, RepoError> {
        // In the SQL store's order: the owner is locked first, then counted, then the row inserted.
        if self.users.get(a.user_id).await?.is_none() {
            return Err(RepoError::Conflict("addresses.user_id".into()));
        }
        let area_exists = self.area_exists(a).await?;
        let mut rows = lock(&self.rows);
        if rows.iter().filter(|r| r.user_id == a.user_id).count() >= limit as usize {
            return Ok(false);
        }
        if !area_exists {
            return Err(RepoError::Conflict("addresses.area_id".into()));
        }
        if rows.iter().any(|r| r.id == a.id || (a.sap_id.is_some() && r.sap_id == a.sap_id)) {
            return Err(RepoError::Conflict("addresses".into()));
        }
        rows.push(a.clone());
        self.record(a, ChangeOperation::Create, a.created_at);
        Ok(true)
    }

    async fn update(&self, a: &Address) -> Result<(), RepoError> {
        let area_exists = self.area_exists(a).await?;
        let mut rows = lock(&self.rows);
        let row = rows.iter_mut().find(|r| r.id == a.id && r.user_id == a.user_id).ok_or(RepoError::NotFound)?;
        if !area_exists {
            return Err(RepoError::Conflict("addresses.area_id".into()));
        }
        row.details = a.details.clone();
        row.location = a.location;
        row.area_id = a.area_id;
        row.updated_at = a.updated_at;
        let stored = row.clone();
        self.record(&stored, ChangeOperation::Update, a.updated_at);
        Ok(())
    }

    async fn get(&self, owner: UserId, id: AddressId) -> Result<Option<Address>, RepoError> {
        Ok(lock(&self.rows).iter().find(|r| r.id == id && r.user_id == owner).cloned())
    }

    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<Address>, RepoError> {
        let mut items: Vec<Address> =
            lock(&self.rows).iter().filter(|r| r.user_id == owner && page.cursor.is_none_or(|c| r.id.0 > c)).cloned().collect();
        items.sort_by_key(|r| r.id);
        Ok(page_of(items, page.limit, |r| r.id.0))
    }

    async fn delete(&self, owner: UserId, id: AddressId) -> Result<(), RepoError> {
        if self.delete_where(owner, |r| r.id == id) == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn delete_all_for(&self, owner: UserId) -> Result<u64, RepoError> {
        Ok(self.delete_where(owner, |_| true))
    }
}
