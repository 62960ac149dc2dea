//! What the history is made from, read once through the ports: the products customers can order in the
//! business currency (coupon books left out: buying one issues coupons, which a history does not write),
//! the promotions that ran during the period, the areas with their active weekly slots, and the mosques.
use std::collections::BTreeMap;

use sabil_core::domain::PageRequest;
use sabil_core::domain::catalog::{Product, ProductType, Promotion};
use sabil_core::domain::delivery::{DeliveryAreaId, DeliverySlotId};
use sabil_core::domain::mosque::MosqueId;
use sabil_core::domain::orders::{Country, DeliveryTerms};
use sabil_core::ports::{MosqueQuery, ProductQuery};
use time::{Duration, Weekday};

use super::HistoryError;
use super::calendar::Day;
use crate::app::App;

/// A weekly delivery slot.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    pub id: DeliverySlotId,
    pub weekday: Weekday,
    pub starts_minute: u16,
    pub ends_minute: u16,
    pub capacity: u32,
}

/// A delivery area that has slots: its terms, a box to put addresses in, and how popular it is.
#[derive(Debug, Clone)]
pub(super) struct Area {
    pub id: DeliveryAreaId,
    pub terms: DeliveryTerms,
    /// South-west corner and size (degrees) of the box customers' addresses fall in.
    pub corner: (f64, f64),
    pub size: (f64, f64),
    pub slots: Vec<Slot>,
    pub weight: f64,
}

/// A mosque orders can be donated to, and the index of its area in `Catalog::areas`.
#[derive(Debug, Clone)]
pub(super) struct MosqueRef {
    pub id: MosqueId,
    pub area: usize,
}

/// Everything the generator draws from.
#[derive(Debug, Clone)]
pub(super) struct Catalog {
    pub country: Country,
    pub products: Vec<Product>,
    pub promotions: Vec<Promotion>,
    pub areas: Vec<Area>,
    pub mosques: Vec<MosqueRef>,
}

/// Reads the catalog for a history over `days`.
///
/// # Errors
/// `Catalog` when there is nothing to order or nowhere to deliver; storage failures.
pub(super) async fn load(app: &App, country: Country, days: &[Day]) -> Result<Catalog, HistoryError> {
    let currency = country.currency();
    let mut products = Vec::new();
    let mut page = PageRequest { limit: PageRequest::MAX_LIMIT, cursor: None };
    loop {
        let found = app.ports.products.list(&ProductQuery { product_type: None, active_only: true, page }).await?;
        products
            .extend(found.items.into_iter().filter(|p| p.price_per_pack.currency == currency && p.product_type != ProductType::CouponBook));
        match found.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    if products.is_empty() {
        return Err(HistoryError::Catalog(format!(
            "no active product priced in {} to order (load the demo catalog with `sabil demo load`, or set SABIL_COUNTRY)",
            currency.code()
        )));
    }

    // Promotions that were on offer at some point of the period; pricing applies each only inside its window.
    let mut promotions = BTreeMap::new();
    for day in days {
        for p in app.ports.promotions.valid_at(day.midnight + Duration::hours(12)).await? {
            promotions.entry(p.id).or_insert(p);
        }
    }

    let mut areas = Vec::new();
    for area in app.ports.delivery_areas.list(true).await? {
        if area.delivery_fee.currency != currency || area.minimum_order.currency != currency {
            continue;
        }
        let slots: Vec<Slot> = app
            .ports
            .delivery_slots
            .for_area(area.id)
            .await?
            .into_iter()
            .filter(|s| s.active && s.capacity > 0)
            .map(|s| Slot {
                id: s.id,
                weekday: s.weekday,
                starts_minute: minutes(s.starts_at),
                ends_minute: minutes(s.ends_at),
                capacity: s.capacity,
            })
            .collect();
        if slots.is_empty() {
            continue;
        }
        let (corner, size) = area.boundary.as_ref().and_then(|b| bounding_box(b.polygons())).unwrap_or(((24.45, 54.36), (0.03, 0.03)));
        // Earlier areas (by name) a little busier, so the per-area figures differ.
        let weight = 1.0 / (1.0 + 0.3 * areas.len() as f64);
        areas.push(Area {
            id: area.id,
            terms: DeliveryTerms { fee: area.delivery_fee, minimum_order: area.minimum_order },
            corner,
            size,
            slots,
            weight,
        });
    }
    if areas.is_empty() {
        return Err(HistoryError::Catalog(format!(
            "no active delivery area priced in {} with an active slot (load the demo catalog with `sabil demo load`)",
            currency.code()
        )));
    }

    let mosques = app
        .ports
        .mosques
        .list(&MosqueQuery { area: None, active_only: true })
        .await?
        .into_iter()
        .filter_map(|m| areas.iter().position(|a| a.id == m.area_id).map(|area| MosqueRef { id: m.id, area }))
        .collect();
    Ok(Catalog { country, products, promotions: promotions.into_values().collect(), areas, mosques })
}

fn minutes(t: time::Time) -> u16 {
    u16::from(t.hour()) * 60 + u16::from(t.minute())
}

/// The south-west corner and size of the box around the outer rings.
fn bounding_box(polygons: &[Vec<Vec<sabil_core::domain::delivery::MapPoint>>]) -> Option<((f64, f64), (f64, f64))> {
    let points: Vec<_> = polygons.iter().filter_map(|p| p.first()).flatten().collect();
    let first = points.first()?;
    let (mut south, mut west, mut north, mut east) = (first.latitude, first.longitude, first.latitude, first.longitude);
    for p in &points {
        south = south.min(p.latitude);
        north = north.max(p.latitude);
        west = west.min(p.longitude);
        east = east.max(p.longitude);
    }
    Some(((south, west), (north - south, east - west)))
}
