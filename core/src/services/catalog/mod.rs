//! The catalog and delivery use cases: what customers browse (products, promotions valid now,
//! delivery areas, the area covering a point, slots with places left) and what admins manage.
mod browse;
mod import;
mod manage;
mod sap;

use std::sync::Arc;

use crate::domain::Invalid;
use crate::domain::delivery::SlotRules;
use crate::error::RepoError;
use crate::ports::{BusinessTimeZone, CatalogChanges, Ports};
use crate::services::authorization::AdminDenied;

pub use import::ProductImport;
pub use manage::{AreaDraft, ProductDraft, PromotionDraft, SlotDraft};

/// Tunables of the catalog rules.
#[derive(Clone)]
pub struct CatalogSettings {
    /// The zone delivery slots are set in.
    pub time_zone: Arc<dyn BusinessTimeZone>,
    /// How close to its start a slot stops taking orders.
    pub slot_rules: SlotRules,
    /// Told after every committed catalog write, so read caches drop what they hold.
    pub changes: Arc<dyn CatalogChanges>,
}

/// Business outcomes of the catalog use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The addressed product, promotion, area or slot does not exist (or is hidden from customers).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// No active delivery area covers the point.
    #[error("we do not deliver there yet")]
    OutsideDeliveryAreas,
    /// A SAP id or another unique value is already used.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    #[error(transparent)]
    Storage(RepoError),
}

impl From<RepoError> for CatalogError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Conflict(what) => Self::Conflict(what),
            other => Self::Storage(other),
        }
    }
}

/// The catalog use cases over the ports.
#[derive(Clone)]
pub struct CatalogService {
    ports: Ports,
    settings: CatalogSettings,
}

impl CatalogService {
    #[must_use]
    pub fn new(ports: Ports, settings: CatalogSettings) -> Self {
        Self { ports, settings }
    }
}
