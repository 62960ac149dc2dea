//! Where and when water is delivered: delivery areas with their map boundary, fee and minimum
//! order, and the weekly slot schedule of each area with a capacity per slot and date.
mod geometry;
mod schedule;

use time::{OffsetDateTime, Time, Weekday};
use uuid::Uuid;

use super::localized::LocalizedText;
use super::money::Money;

pub use geometry::{AreaBoundary, MapPoint};
pub use schedule::{SlotAvailability, SlotRules};

/// Identifier of a delivery area (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryAreaId(pub Uuid);

/// An area the business delivers to.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryArea {
    pub id: DeliveryAreaId,
    pub sap_id: Option<String>,
    pub name: LocalizedText,
    /// Where it is on the map; an area without one can only be chosen, never found by a point.
    pub boundary: Option<AreaBoundary>,
    pub delivery_fee: Money,
    /// Orders below this subtotal are refused.
    pub minimum_order: Money,
    pub active: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Identifier of a weekly slot of an area's schedule (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliverySlotId(pub Uuid);

/// A weekly delivery window of an area, e.g. Sunday 10:00–12:00 business time, with how many
/// orders it takes on each date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySlot {
    pub id: DeliverySlotId,
    pub area_id: DeliveryAreaId,
    pub weekday: Weekday,
    /// Start, in the business time zone.
    pub starts_at: Time,
    /// End, in the business time zone; after `starts_at`.
    pub ends_at: Time,
    /// Orders it takes on each date.
    pub capacity: u32,
    pub active: bool,
}
