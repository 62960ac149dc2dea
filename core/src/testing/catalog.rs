//! In-memory catalog and delivery stores, behaving as the SQL stores do (checked by the
//! conformance suite).
use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use super::accounts::page_of;
use super::lock;
use crate::domain::Page;
use crate::domain::catalog::{Product, ProductId, Promotion, PromotionId};
use crate::domain::delivery::{DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId};
use crate::error::RepoError;
use crate::ports::{
    DeliveryAreaRepository, DeliverySlotRepository, ProductQuery, ProductRepository, PromotionRepository, SlotReservations,
};

/// Products in memory.
#[derive(Debug, Default)]
pub struct InMemoryProducts(Mutex<Vec<Product>>);

impl InMemoryProducts {
    /// Whether a product exists (the promotion fake checks links against it).
    #[must_use]
    pub fn contains(&self, id: ProductId) -> bool {
        lock(&self.0).iter().any(|p| p.id == id)
    }

    /// Creates the product, or replaces the one with its id keeping its image and creation time; `true`
    /// when created.
    pub(crate) fn save(&self, p: &Product) -> Result<bool, RepoError> {
        let mut rows = lock(&self.0);
        if sap_taken(&rows, p.sap_id.as_ref(), |r| (r.id.0, r.sap_id.as_ref()), p.id.0) {
            return Err(RepoError::Conflict("products.sap_id".into()));
        }
        match rows.iter_mut().find(|r| r.id == p.id) {
            Some(row) => {
                *row = Product { created_at: row.created_at, image_id: row.image_id, ..p.clone() };
                Ok(false)
            }
            None => {
                rows.push(p.clone());
                Ok(true)
            }
        }
    }
}

fn sap_taken<T>(rows: &[T], sap_id: Option<&String>, id_of: impl Fn(&T) -> (uuid::Uuid, Option<&String>), own: uuid::Uuid) -> bool {
    sap_id.is_some()
        && rows.iter().any(|r| {
            let (id, sap) = id_of(r);
            id != own && sap == sap_id
        })
}

#[async_trait]
impl ProductRepository for InMemoryProducts {
    async fn create(&self, p: &Product) -> Result<(), RepoError> {
        let mut rows = lock(&self.0);
        if rows.iter().any(|r| r.id == p.id) || sap_taken(&rows, p.sap_id.as_ref(), |r| (r.id.0, r.sap_id.as_ref()), p.id.0) {
            return Err(RepoError::Conflict("products".into()));
        }
        rows.push(p.clone());
        Ok(())
    }

    async fn update(&self, p: &Product) -> Result<(), RepoError> {
        let mut rows = lock(&self.0);
        if sap_taken(&rows, p.sap_id.as_ref(), |r| (r.id.0, r.sap_id.as_ref()), p.id.0) {
            return Err(RepoError::Conflict("products.sap_id".into()));
        }
        let row = rows.iter_mut().find(|r| r.id == p.id).ok_or(RepoError::NotFound)?;
        let created_at = row.created_at;
        *row = Product { created_at, ..p.clone() };
        Ok(())
    }

    async fn get(&self, id: ProductId) -> Result<Option<Product>, RepoError> {
        Ok(lock(&self.0).iter().find(|p| p.id == id).cloned())
    }

    async fn find_by_sap_id(&self, sap_id: &str) -> Result<Option<Product>, RepoError> {
        Ok(lock(&self.0).iter().find(|p| p.sap_id.as_deref() == Some(sap_id)).cloned())
    }

    async fn list(&self, q: &ProductQuery) -> Result<Page<Product>, RepoError> {
        let rows = lock(&self.0);
        let after = q.page.cursor.and_then(|c| rows.iter().find(|p| p.id.0 == c).map(|p| (p.sort_order, p.id)));
        let mut items: Vec<Product> = rows
            .iter()
            .filter(|p| q.product_type.is_none_or(|t| p.product_type == t) && (!q.active_only || p.active))
            .filter(|p| match (q.page.cursor, after) {
                (None, _) => true,
                (Some(_), Some(key)) => (p.sort_order, p.id) > key,
                // The SQL store compares against a cursor row that no longer exists: nothing follows.
                (Some(_), None) => false,
            })
            .cloned()
            .collect();
        items.sort_by_key(|p| (p.sort_order, p.id));
        Ok(page_of(items, q.page.limit, |p| p.id.0))
    }
}

/// Promotions in memory; links must point at products of `products`.
#[derive(Debug)]
pub struct InMemoryPromotions {
    products: std::sync::Arc<InMemoryProducts>,
    rows: Mutex<Vec<Promotion>>,
}

impl InMemoryPromotions {
    #[must_use]
    pub fn new(products: std::sync::Arc<InMemoryProducts>) -> Self {
        Self { products, rows: Mutex::new(Vec::new()) }
    }

    fn check_links(&self, p: &Promotion) -> Result<(), RepoError> {
        if p.product_ids.iter().all(|id| self.products.contains(*id)) {
            Ok(())
        } else {
            Err(RepoError::Conflict("promotion_products.product_id".into()))
        }
    }
}

fn normalised(p: &Promotion) -> Promotion {
    let mut p = p.clone();
    p.product_ids.sort();
    p.product_ids.dedup();
    p
}

#[async_trait]
impl PromotionRepository for InMemoryPromotions {
    async fn create(&self, p: &Promotion) -> Result<(), RepoError> {
        self.check_links(p)?;
        let mut rows = lock(&self.rows);
        if rows.iter().any(|r| r.id == p.id) || sap_taken(&rows, p.sap_id.as_ref(), |r| (r.id.0, r.sap_id.as_ref()), p.id.0) {
            return Err(RepoError::Conflict("promotions".into()));
        }
        rows.push(normalised(p));
        Ok(())
    }

    async fn update(&self, p: &Promotion) -> Result<(), RepoError> {
        self.check_links(p)?;
        let mut rows = lock(&self.rows);
        if sap_taken(&rows, p.sap_id.as_ref(), |r| (r.id.0, r.sap_id.as_ref()), p.id.0) {
            return Err(RepoError::Conflict("promotions.sap_id".into()));
        }
        let row = rows.iter_mut().find(|r| r.id == p.id).ok_or(RepoError::NotFound)?;
        *row = normalised(p);
        Ok(())
    }

    async fn get(&self, id: PromotionId) -> Result<Option<Promotion>, RepoError> {
        Ok(lock(&self.rows).iter().find(|p| p.id == id).cloned())
    }

    async fn valid_at(&self, now: OffsetDateTime) -> Result<Vec<Promotion>, RepoError> {
        let mut valid: Vec<Promotion> = lock(&self.rows).iter().filter(|p| p.is_valid_at(now)).cloned().collect();
        valid.sort_by_key(|p| (p.valid_until, p.id));
        Ok(valid)
    }
}

/// Delivery areas in memory.
#[derive(Debug, Default)]
pub struct InMemoryDeliveryAreas(Mutex<Vec<DeliveryArea>>);

#[async_trait]
impl DeliveryAreaRepository for InMemoryDeliveryAreas {
    async fn create(&self, a: &DeliveryArea) -> Result<(), RepoError> {
        let mut rows = lock(&self.0);
        let currency_mismatch = a.delivery_fee.currency != a.minimum_order.currency;
        if currency_mismatch
            || rows.iter().any(|r| r.id == a.id)
            || sap_taken(&rows, a.sap_id.as_ref(), |r| (r.id.0, r.sap_id.as_ref()), a.id.0)
        {
            return Err(RepoError::Conflict("delivery_areas".into()));
        }
        rows.push(a.clone());
        Ok(())
    }

    async fn update(&self, a: &DeliveryArea) -> Result<(), RepoError> {
        if a.delivery_fee.currency != a.minimum_order.currency {
            return Err(RepoError::Conflict("delivery_areas.currency".into()));
        }
        let mut rows = lock(&self.0);
        let row = rows.iter_mut().find(|r| r.id == a.id).ok_or(RepoError::NotFound)?;
        let created_at = row.created_at;
        *row = DeliveryArea { created_at, ..a.clone() };
        Ok(())
    }

    async fn get(&self, id: DeliveryAreaId) -> Result<Option<DeliveryArea>, RepoError> {
        Ok(lock(&self.0).iter().find(|a| a.id == id).cloned())
    }

    async fn list(&self, active_only: bool) -> Result<Vec<DeliveryArea>, RepoError> {
        let mut areas: Vec<DeliveryArea> = lock(&self.0).iter().filter(|a| !active_only || a.active).cloned().collect();
        areas.sort_by(|a, b| (a.name.en.as_str(), a.id).cmp(&(b.name.en.as_str(), b.id)));
        Ok(areas)
    }
}

/// Delivery slots and reservations in memory; slots must belong to an area of `areas`.
#[derive(Debug)]
pub struct InMemoryDeliverySlots {
    areas: std::sync::Arc<InMemoryDeliveryAreas>,
    slots: Mutex<Vec<DeliverySlot>>,
    reserved: Mutex<HashMap<(DeliverySlotId, Date), u32>>,
}

impl InMemoryDeliverySlots {
    #[must_use]
    pub fn new(areas: std::sync::Arc<InMemoryDeliveryAreas>) -> Self {
        Self { areas, slots: Mutex::new(Vec::new()), reserved: Mutex::new(HashMap::new()) }
    }
}

#[async_trait]
impl DeliverySlotRepository for InMemoryDeliverySlots {
    async fn create(&self, s: &DeliverySlot) -> Result<(), RepoError> {
        let area_exists = lock(&self.areas.0).iter().any(|a| a.id == s.area_id);
        let mut slots = lock(&self.slots);
        if !area_exists || slots.iter().any(|r| r.id == s.id) {
            return Err(RepoError::Conflict("delivery_slots".into()));
        }
        slots.push(s.clone());
        Ok(())
    }

    async fn update(&self, s: &DeliverySlot) -> Result<(), RepoError> {
        let mut slots = lock(&self.slots);
        let row = slots.iter_mut().find(|r| r.id == s.id).ok_or(RepoError::NotFound)?;
        *row = DeliverySlot { area_id: row.area_id, ..s.clone() };
        Ok(())
    }

    async fn get(&self, id: DeliverySlotId) -> Result<Option<DeliverySlot>, RepoError> {
        Ok(lock(&self.slots).iter().find(|s| s.id == id).cloned())
    }

    async fn for_area(&self, area: DeliveryAreaId) -> Result<Vec<DeliverySlot>, RepoError> {
        let mut slots: Vec<DeliverySlot> = lock(&self.slots).iter().filter(|s| s.area_id == area).cloned().collect();
        slots.sort_by_key(|s| (s.weekday.number_from_monday(), s.starts_at, s.id));
        Ok(slots)
    }

    async fn reservations(&self, area: DeliveryAreaId, from: Date, until: Date) -> Result<Vec<SlotReservations>, RepoError> {
        let in_area: Vec<DeliverySlotId> = lock(&self.slots).iter().filter(|s| s.area_id == area).map(|s| s.id).collect();
        let mut out: Vec<SlotReservations> = lock(&self.reserved)
            .iter()
            .filter(|((slot, date), n)| in_area.contains(slot) && *date >= from && *date < until && **n > 0)
            .map(|((slot, date), n)| SlotReservations { slot_id: *slot, date: *date, reserved: *n })
            .collect();
        out.sort_by_key(|r| (r.date, r.slot_id));
        Ok(out)
    }

    async fn reserve(&self, slot: DeliverySlotId, date: Date) -> Result<bool, RepoError> {
        let capacity = lock(&self.slots).iter().find(|s| s.id == slot).map(|s| s.capacity).ok_or(RepoError::NotFound)?;
        let mut reserved = lock(&self.reserved);
        let taken = reserved.entry((slot, date)).or_insert(0);
        if *taken < capacity {
            *taken += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    async fn release(&self, slot: DeliverySlotId, date: Date) -> Result<bool, RepoError> {
        let mut reserved = lock(&self.reserved);
        match reserved.get_mut(&(slot, date)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// Counts catalog-change announcements.
#[derive(Debug, Default)]
pub struct RecordingCatalogChanges(std::sync::atomic::AtomicU64);

impl RecordingCatalogChanges {
    /// How many changes were announced.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[async_trait]
impl crate::ports::CatalogChanges for RecordingCatalogChanges {
    async fn catalog_changed(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}
