//! Persistence of customers' delivery addresses. Every read and write is scoped to the owning
//! customer: an address of someone else behaves exactly like one that does not exist.
use async_trait::async_trait;

use crate::domain::address::{Address, AddressId};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;

/// Stores delivery addresses.
#[async_trait]
pub trait AddressRepository: Send + Sync {
    /// Stores a new address unless its owner already has `limit` or more, atomically: concurrent
    /// calls for one owner never leave more than `limit` addresses. `true` when it was stored,
    /// `false` (nothing stored) when the owner was at the limit.
    ///
    /// # Errors
    /// `Conflict` when the id or the SAP id is taken, or the owner (`user_id`) or the delivery
    /// area does not exist.
    async fn create(&self, address: &Address, limit: u32) -> Result<bool, RepoError>;

    /// Replaces what the customer controls (details, location, area) and `updated_at` of the
    /// address with `address.id` owned by `address.user_id`; its owner, SAP id and `created_at`
    /// are kept.
    ///
    /// # Errors
    /// `NotFound` when no address with this id belongs to this owner; `Conflict` when the delivery
    /// area does not exist.
    async fn update(&self, address: &Address) -> Result<(), RepoError>;

    /// The address with this id, if it belongs to `owner`; `None` for an unknown id and for an
    /// address of another customer alike.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, owner: UserId, id: AddressId) -> Result<Option<Address>, RepoError>;

    /// The owner's addresses, oldest first (by id), keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<Address>, RepoError>;

    /// Removes the address with this id if it belongs to `owner` (the row is gone; orders keep
    /// their own copy of the address).
    ///
    /// # Errors
    /// `NotFound` when no address with this id belongs to this owner.
    async fn delete(&self, owner: UserId, id: AddressId) -> Result<(), RepoError>;

    /// Removes every address of `owner` (account deletion erases them); returns how many.
    ///
    /// # Errors
    /// Storage failures only.
    async fn delete_all_for(&self, owner: UserId) -> Result<u64, RepoError>;
}
