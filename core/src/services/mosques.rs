//! Mosques: customers list them (near a point, in an area) to donate water; admins create, edit
//! and deactivate them. A mosque is always served by an existing delivery area.
use uuid::Uuid;

use crate::domain::delivery::{DeliveryAreaId, MapPoint};
use crate::domain::mosque::{Mosque, MosqueHit, MosqueId, order_mosques};
use crate::domain::{AccessClaims, Invalid, LocalizedText, Page, PageRequest};
use crate::error::RepoError;
use crate::ports::{MosqueQuery, Ports};
use crate::services::authorization::{AdminDenied, acting_admin};

/// The most mosques one page holds.
pub const MOSQUE_PAGE_MAX: u32 = 50;

/// A mosque as an admin submits it (create, or full replacement).
#[derive(Debug, Clone, PartialEq)]
pub struct MosqueDraft {
    /// SAP's code for it, already checked (`parse_sap_id`).
    pub sap_id: Option<String>,
    /// Its name in both languages.
    pub name: LocalizedText,
    /// Where it is.
    pub location: MapPoint,
    /// Must be an existing delivery area.
    pub area_id: DeliveryAreaId,
    /// `false` hides it from customers.
    pub active: bool,
}

/// Which mosques to list, in which order, and which page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MosqueSearch {
    /// Only mosques served by this area.
    pub area: Option<DeliveryAreaId>,
    /// Nearest to this point first, each with its distance; by English name when `None`.
    pub near: Option<MapPoint>,
    /// At most `MOSQUE_PAGE_MAX` items per page.
    pub page: PageRequest,
}

/// Business outcomes of the mosque use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MosqueError {
    /// The input breaks a rule (named by field, with a hint).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// No mosque has this id.
    #[error("no such mosque")]
    NotFound,
    /// Another mosque has this SAP id.
    #[error("the SAP id belongs to another mosque")]
    SapIdTaken,
    /// The caller is not an active admin.
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The store failed; not a business outcome.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The mosque use cases over the ports.
#[derive(Clone)]
pub struct MosqueService {
    ports: Ports,
    /// Told after every committed write, so cached public reads are dropped.
    changes: std::sync::Arc<dyn crate::ports::CatalogChanges>,
}

impl MosqueService {
    /// The mosque use cases over these ports.
    #[must_use]
    pub fn new(ports: Ports, changes: std::sync::Arc<dyn crate::ports::CatalogChanges>) -> Self {
        Self { ports, changes }
    }

    /// Active mosques for customers, filtered by area, nearest first when a point is given.
    ///
    /// # Errors
    /// `Invalid` for a page over 50, `Storage`.
    pub async fn search(&self, search: &MosqueSearch) -> Result<Page<MosqueHit>, MosqueError> {
        self.list(search, true).await
    }

    /// Every mosque, inactive ones too (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid` for a page over 50, `Storage`.
    pub async fn search_all(&self, actor: &AccessClaims, search: &MosqueSearch) -> Result<Page<MosqueHit>, MosqueError> {
        acting_admin(&self.ports, actor).await?;
        self.list(search, false).await
    }

    async fn list(&self, search: &MosqueSearch, active_only: bool) -> Result<Page<MosqueHit>, MosqueError> {
        if search.page.limit > MOSQUE_PAGE_MAX {
            return Err(
                Invalid::field("limit", format!("{} is over {MOSQUE_PAGE_MAX}", search.page.limit), "Ask for 1 to 50 mosques.").into()
            );
        }
        let mosques = self.ports.mosques.list(&MosqueQuery { area: search.area, active_only }).await?;
        Ok(page_after(order_mosques(mosques, search.near), search.page))
    }

    /// One mosque; an inactive one only for `include_inactive`.
    ///
    /// # Errors
    /// `NotFound`, `Storage`.
    pub async fn mosque(&self, id: MosqueId, include_inactive: bool) -> Result<Mosque, MosqueError> {
        self.ports.mosques.get(id).await?.filter(|m| include_inactive || m.active).ok_or(MosqueError::NotFound)
    }

    /// Creates a mosque (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid` (unknown area), `SapIdTaken`, `Storage`.
    pub async fn create(&self, actor: &AccessClaims, draft: MosqueDraft) -> Result<Mosque, MosqueError> {
        acting_admin(&self.ports, actor).await?;
        self.check_area(draft.area_id).await?;
        let now = self.ports.clock.now();
        let mosque = mosque_from(MosqueId(Uuid::now_v7()), draft, now, now);
        self.ports.mosques.create(&mosque).await.map_err(|e| conflict(e, &mosque))?;
        self.changes.catalog_changed().await;
        Ok(mosque)
    }

    /// Replaces a mosque (admins only); deactivating is an update with `active: false`, so orders
    /// that name it keep pointing at it.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Invalid` (unknown area), `SapIdTaken`, `Storage`.
    pub async fn update(&self, actor: &AccessClaims, id: MosqueId, draft: MosqueDraft) -> Result<Mosque, MosqueError> {
        acting_admin(&self.ports, actor).await?;
        let existing = self.ports.mosques.get(id).await?.ok_or(MosqueError::NotFound)?;
        self.check_area(draft.area_id).await?;
        let mosque = mosque_from(id, draft, existing.created_at, self.ports.clock.now());
        self.ports.mosques.update(&mosque).await.map_err(|e| match e {
            RepoError::NotFound => MosqueError::NotFound,
            other => conflict(other, &mosque),
        })?;
        self.changes.catalog_changed().await;
        Ok(mosque)
    }

    async fn check_area(&self, area: DeliveryAreaId) -> Result<(), MosqueError> {
        match self.ports.delivery_areas.get(area).await? {
            Some(_) => Ok(()),
            None => Err(Invalid::field("areaId", "is not a delivery area", "Pick an id from GET /api/delivery-areas.").into()),
        }
    }
}

fn mosque_from(id: MosqueId, d: MosqueDraft, created_at: time::OffsetDateTime, updated_at: time::OffsetDateTime) -> Mosque {
    Mosque { id, sap_id: d.sap_id, name: d.name, location: d.location, area_id: d.area_id, active: d.active, created_at, updated_at }
}

/// The area was checked just before, so a refused write with a SAP id means the SAP id is taken.
fn conflict(e: RepoError, mosque: &Mosque) -> MosqueError {
    match e {
        RepoError::Conflict(_) if mosque.sap_id.is_some() => MosqueError::SapIdTaken,
        other => MosqueError::Storage(other),
    }
}

/// The page of `hits` (already in list order) after the cursor's mosque; when that mosque is no
/// longer in the list, nothing follows (as for every keyset-paged list).
fn page_after(hits: Vec<MosqueHit>, page: PageRequest) -> Page<MosqueHit> {
    let start = match page.cursor {
        None => 0,
        Some(c) => hits.iter().position(|h| h.mosque.id.0 == c).map_or(hits.len(), |i| i + 1),
    };
    let limit = page.limit as usize;
    let mut items: Vec<MosqueHit> = hits.into_iter().skip(start).take(limit + 1).collect();
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|h| h.mosque.id.0)
    } else {
        None
    };
    Page { items, next_cursor }
}
