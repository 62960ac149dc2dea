//! In-memory delivery addresses, behaving as the SQL store does (checked by the conformance suite).
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::accounts::page_of;
use super::lock;
use crate::domain::address::{Address, AddressId};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;
use crate::ports::{AddressRepository, DeliveryAreaRepository, UserRepository};

/// Addresses in memory; owners and areas must exist in the stores it was built with, as the SQL
/// store's foreign keys demand.
pub struct InMemoryAddresses {
    users: Arc<dyn UserRepository>,
    areas: Arc<dyn DeliveryAreaRepository>,
    rows: Mutex<Vec<Address>>,
}

impl InMemoryAddresses {
    /// Addresses whose owners live in `users` and whose areas live in `areas`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>, areas: Arc<dyn DeliveryAreaRepository>) -> Self {
        Self { users, areas, rows: Mutex::default() }
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
        let mut rows = lock(&self.rows);
        let before = rows.len();
        rows.retain(|r| !(r.id == id && r.user_id == owner));
        if rows.len() == before { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn delete_all_for(&self, owner: UserId) -> Result<u64, RepoError> {
        let mut rows = lock(&self.rows);
        let before = rows.len();
        rows.retain(|r| r.user_id != owner);
        Ok((before - rows.len()) as u64)
    }
}
