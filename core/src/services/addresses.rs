//! Customers' delivery addresses: list, read, create, replace and delete their own, each placed in
//! the delivery area that serves its map point (or the area the customer chose, if it contains the
//! point). Another customer's address is answered exactly like one that does not exist.
use uuid::Uuid;

use crate::domain::address::{Address, AddressDetails, AddressId};
use crate::domain::delivery::{DeliveryAreaId, MapPoint, first_containing};
use crate::domain::{AccessClaims, Page, PageRequest, Role, Subject, UserId, UserStatus};
use crate::error::RepoError;
use crate::ports::Ports;

/// Tunables of the address rules; the defaults are the product's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressSettings {
    /// The most addresses one customer may keep (default 20).
    pub max_per_customer: u32,
}

impl Default for AddressSettings {
    fn default() -> Self {
        Self { max_per_customer: 20 }
    }
}

/// An address as the customer submits it, parsed at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressInput {
    /// Label, kind and the fields the kind needs.
    pub details: AddressDetails,
    /// The pin on the map.
    pub location: MapPoint,
    /// The area the customer chose; `None` to have it found from `location`.
    pub area_id: Option<DeliveryAreaId>,
}

/// Business outcomes of the address use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// The caller is not an active customer (an admin, a SAP client, or a deleted account).
    #[error("only an active customer may manage delivery addresses")]
    NotAllowed,
    /// The caller's account is blocked.
    #[error("the account is blocked")]
    AccountBlocked,
    /// No address with this id belongs to the caller (it may not exist, or be someone else's).
    #[error("no such address")]
    AddressNotFound,
    /// No active delivery area contains the location.
    #[error("the location is outside every delivery area")]
    OutsideDeliveryArea,
    /// The chosen area does not exist.
    #[error("no delivery area has this id")]
    AreaUnknown,
    /// The chosen area exists but is no longer served.
    #[error("the chosen delivery area is not active")]
    AreaInactive,
    /// The chosen area has a boundary and the location lies outside it.
    #[error("the location is outside the chosen delivery area")]
    OutsideChosenArea,
    /// The customer already keeps the most addresses allowed.
    #[error("the customer already has {limit} addresses")]
    LimitReached {
        /// The most addresses one customer may keep.
        limit: u32,
    },
    /// The store failed; not a business outcome (answered as unavailable or internal).
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The address use cases over the ports.
#[derive(Clone)]
pub struct AddressService {
    ports: Ports,
    settings: AddressSettings,
}

impl AddressService {
    /// The address use cases over these ports, with these tunables.
    #[must_use]
    pub fn new(ports: Ports, settings: AddressSettings) -> Self {
        Self { ports, settings }
    }

    /// The tunables the service was built with.
    #[must_use]
    pub fn settings(&self) -> &AddressSettings {
        &self.settings
    }

    /// The caller's addresses, oldest first.
    ///
    /// # Errors
    /// `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn list(&self, actor: &AccessClaims, page: PageRequest) -> Result<Page<Address>, AddressError> {
        let owner = self.customer(actor).await?;
        Ok(self.ports.addresses.list(owner, page).await?)
    }

    /// One of the caller's addresses.
    ///
    /// # Errors
    /// `AddressNotFound` for an unknown id or another customer's address; `NotAllowed`,
    /// `AccountBlocked`, `Storage`.
    pub async fn get(&self, actor: &AccessClaims, id: AddressId) -> Result<Address, AddressError> {
        let owner = self.customer(actor).await?;
        self.ports.addresses.get(owner, id).await?.ok_or(AddressError::AddressNotFound)
    }

    /// Stores a new address of the caller in the area that serves it.
    ///
    /// # Errors
    /// `OutsideDeliveryArea`, `AreaUnknown`, `AreaInactive`, `OutsideChosenArea` (see
    /// [`AddressService::serving_area`]); `LimitReached` when the caller already keeps
    /// `max_per_customer` addresses; `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn create(&self, actor: &AccessClaims, input: AddressInput) -> Result<Address, AddressError> {
        let owner = self.customer(actor).await?;
        let area_id = self.serving_area(input.location, input.area_id).await?;
        let now = self.ports.clock.now();
        let address = Address {
            id: AddressId(Uuid::now_v7()),
            user_id: owner,
            sap_id: None,
            details: input.details,
            location: input.location,
            area_id,
            created_at: now,
            updated_at: now,
        };
        let limit = self.settings.max_per_customer;
        if self.ports.addresses.create(&address, limit).await? { Ok(address) } else { Err(AddressError::LimitReached { limit }) }
    }

    /// Replaces one of the caller's addresses (details, location and area); its id, SAP id and
    /// creation time stay.
    ///
    /// # Errors
    /// `AddressNotFound` for an unknown id or another customer's address; the area outcomes of
    /// `create`; `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn update(&self, actor: &AccessClaims, id: AddressId, input: AddressInput) -> Result<Address, AddressError> {
        let owner = self.customer(actor).await?;
        let existing = self.ports.addresses.get(owner, id).await?.ok_or(AddressError::AddressNotFound)?;
        let area_id = self.serving_area(input.location, input.area_id).await?;
        let updated = Address { details: input.details, location: input.location, area_id, updated_at: self.ports.clock.now(), ..existing };
        self.ports.addresses.update(&updated).await.map_err(|e| match e {
            // Deleted by a concurrent request of the same customer.
            RepoError::NotFound => AddressError::AddressNotFound,
            other => AddressError::Storage(other),
        })?;
        Ok(updated)
    }

    /// Deletes one of the caller's addresses.
    ///
    /// # Errors
    /// `AddressNotFound` for an unknown id or another customer's address; `NotAllowed`,
    /// `AccountBlocked`, `Storage`.
    pub async fn delete(&self, actor: &AccessClaims, id: AddressId) -> Result<(), AddressError> {
        let owner = self.customer(actor).await?;
        self.ports.addresses.delete(owner, id).await.map_err(|e| match e {
            RepoError::NotFound => AddressError::AddressNotFound,
            other => AddressError::Storage(other),
        })
    }

    /// The area that serves `location`: the chosen one, when given, which must exist, be active and
    /// (when it has a boundary) contain the point; otherwise the first active area containing the
    /// point, areas taken in the store's stable order.
    ///
    /// # Errors
    /// `AreaUnknown`, `AreaInactive` or `OutsideChosenArea` for a chosen area; `OutsideDeliveryArea`
    /// when none was chosen and no active area contains the point; `Storage`.
    pub async fn serving_area(&self, location: MapPoint, chosen: Option<DeliveryAreaId>) -> Result<DeliveryAreaId, AddressError> {
        match chosen {
            Some(id) => {
                let area = self.ports.delivery_areas.get(id).await?.ok_or(AddressError::AreaUnknown)?;
                if !area.active {
                    return Err(AddressError::AreaInactive);
                }
                // An area without a boundary can only be chosen; there is nothing to check the point against.
                match &area.boundary {
                    Some(boundary) if !boundary.contains(location) => Err(AddressError::OutsideChosenArea),
                    _ => Ok(area.id),
                }
            }
            None => {
                let areas = self.ports.delivery_areas.list(true).await?;
                first_containing(&areas, location).map(|a| a.id).ok_or(AddressError::OutsideDeliveryArea)
            }
        }
    }

    /// The calling customer, checked against the store: a blocked or deleted account loses access
    /// at once, not when its access token expires.
    async fn customer(&self, actor: &AccessClaims) -> Result<UserId, AddressError> {
        let (Subject::User(id), Role::Customer) = (actor.subject, actor.role) else { return Err(AddressError::NotAllowed) };
        let user = self.ports.users.get(id).await?.ok_or(AddressError::NotAllowed)?;
        match (user.role, user.status) {
            (Role::Customer, UserStatus::Active) => Ok(id),
            (_, UserStatus::Blocked) => Err(AddressError::AccountBlocked),
            _ => Err(AddressError::NotAllowed),
        }
    }
}
