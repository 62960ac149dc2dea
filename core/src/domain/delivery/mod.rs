//! Where and when water is delivered: delivery areas with their map boundary, fee and minimum
//! order, and the weekly slot schedule of each area with a capacity per slot and date.
mod geometry;
mod schedule;

use time::{OffsetDateTime, Time, Weekday};
use uuid::Uuid;

use super::localized::LocalizedText;
use super::money::Money;

pub use geometry::{AreaBoundary, MapPoint};
pub use schedule::{MAX_SLOT_DAYS, SlotAvailability, SlotRules, SlotUnavailable, available_slots, slot_is_bookable};

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

/// The area that serves a map point: the first active area, in the given order, whose boundary
/// contains it (the boundary itself counts as inside). Where areas overlap the order decides, so
/// callers pass areas in a stable order (e.g. by sort order or id) to get the same answer every time.
/// Areas without a boundary are never found this way.
#[must_use]
pub fn first_containing(areas: &[DeliveryArea], p: MapPoint) -> Option<&DeliveryArea> {
    areas.iter().find(|area| area.active && area.boundary.as_ref().is_some_and(|b| b.contains(p)))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::domain::money::Currency;

    fn square(min: f64, max: f64) -> AreaBoundary {
        let ring = [(min, min), (max, min), (max, max), (min, max), (min, min)]
            .map(|(longitude, latitude)| MapPoint { latitude, longitude })
            .to_vec();
        AreaBoundary::parse(vec![vec![ring]]).unwrap()
    }

    fn area(n: u128, boundary: Option<AreaBoundary>, active: bool) -> DeliveryArea {
        DeliveryArea {
            id: DeliveryAreaId(Uuid::from_u128(n)),
            sap_id: None,
            name: LocalizedText { ar: format!("منطقة {n}"), en: format!("Area {n}") },
            boundary,
            delivery_fee: Money::new(500, Currency::Aed),
            minimum_order: Money::new(2000, Currency::Aed),
            active,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    fn at(longitude: f64, latitude: f64) -> MapPoint {
        MapPoint { latitude, longitude }
    }

    #[test]
    fn the_first_of_overlapping_areas_in_the_given_order_serves_the_point() {
        let areas = [area(1, Some(square(0.0, 10.0)), true), area(2, Some(square(5.0, 15.0)), true)];
        assert_eq!(first_containing(&areas, at(7.0, 7.0)).map(|a| a.id), Some(DeliveryAreaId(Uuid::from_u128(1))));
        assert_eq!(first_containing(&areas, at(12.0, 12.0)).map(|a| a.id), Some(DeliveryAreaId(Uuid::from_u128(2))));
        let reversed = [areas[1].clone(), areas[0].clone()];
        assert_eq!(first_containing(&reversed, at(7.0, 7.0)).map(|a| a.id), Some(DeliveryAreaId(Uuid::from_u128(2))));
    }

    #[test]
    fn inactive_areas_and_areas_without_a_boundary_never_serve_a_point() {
        let areas = [area(1, Some(square(0.0, 10.0)), false), area(2, None, true), area(3, Some(square(5.0, 15.0)), true)];
        assert_eq!(first_containing(&areas, at(7.0, 7.0)).map(|a| a.id), Some(DeliveryAreaId(Uuid::from_u128(3))));
        assert_eq!(first_containing(&areas, at(2.0, 2.0)), None);
    }

    #[test]
    fn a_point_on_the_shared_edge_of_two_areas_goes_to_the_first() {
        let left = AreaBoundary::parse(vec![vec![
            [(0.0, 0.0), (5.0, 0.0), (5.0, 5.0), (0.0, 5.0), (0.0, 0.0)].map(|(lon, lat)| at(lon, lat)).to_vec(),
        ]])
        .unwrap();
        let right = AreaBoundary::parse(vec![vec![
            [(5.0, 0.0), (10.0, 0.0), (10.0, 5.0), (5.0, 5.0), (5.0, 0.0)].map(|(lon, lat)| at(lon, lat)).to_vec(),
        ]])
        .unwrap();
        let areas = [area(1, Some(left), true), area(2, Some(right), true)];
        assert_eq!(first_containing(&areas, at(5.0, 2.5)).map(|a| a.id), Some(DeliveryAreaId(Uuid::from_u128(1))));
        assert_eq!(first_containing(&areas, at(10.5, 2.5)), None);
    }
}
