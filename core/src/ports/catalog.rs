//! Persistence of the catalog (products and promotions) and of delivery areas and slots.
use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use crate::domain::catalog::{Product, ProductId, ProductType, Promotion, PromotionId};
use crate::domain::delivery::{DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId};
use crate::domain::{Page, PageRequest};
use crate::error::RepoError;

/// Filter and page for product lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductQuery {
    pub product_type: Option<ProductType>,
    /// Customers see active products only.
    pub active_only: bool,
    pub page: PageRequest,
}

/// Stores products.
#[async_trait]
pub trait ProductRepository: Send + Sync {
    /// Stores a new product.
    ///
    /// # Errors
    /// `Conflict` when the id or the SAP id is taken.
    async fn create(&self, product: &Product) -> Result<(), RepoError>;

    /// Replaces every field of an existing product (its `created_at` is kept).
    ///
    /// # Errors
    /// `NotFound` for an unknown id, `Conflict` when the SAP id belongs to another product.
    async fn update(&self, product: &Product) -> Result<(), RepoError>;

    /// The product with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: ProductId) -> Result<Option<Product>, RepoError>;

    /// The product linked to this SAP item code (SAP ids are unique among products), active or not.
    ///
    /// # Errors
    /// Storage failures only.
    async fn find_by_sap_id(&self, sap_id: &str) -> Result<Option<Product>, RepoError>;

    /// Products by `sort_order`, then id; keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, query: &ProductQuery) -> Result<Page<Product>, RepoError>;
}

/// Stores promotions with the products they apply to.
#[async_trait]
pub trait PromotionRepository: Send + Sync {
    /// Stores a new promotion and its product links.
    ///
    /// # Errors
    /// `Conflict` when the id or SAP id is taken or a linked product does not exist.
    async fn create(&self, promotion: &Promotion) -> Result<(), RepoError>;

    /// Replaces a promotion and its product links, atomically.
    ///
    /// # Errors
    /// `NotFound` for an unknown id, `Conflict` as for `create`.
    async fn update(&self, promotion: &Promotion) -> Result<(), RepoError>;

    /// The promotion with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: PromotionId) -> Result<Option<Promotion>, RepoError>;

    /// Active promotions whose window contains `now` (`valid_from <= now < valid_until`), soonest
    /// ending first.
    ///
    /// # Errors
    /// Storage failures only.
    async fn valid_at(&self, now: OffsetDateTime) -> Result<Vec<Promotion>, RepoError>;
}

/// Stores delivery areas.
#[async_trait]
pub trait DeliveryAreaRepository: Send + Sync {
    /// Stores a new area.
    ///
    /// # Errors
    /// `Conflict` when the id or SAP id is taken.
    async fn create(&self, area: &DeliveryArea) -> Result<(), RepoError>;

    /// Replaces an area (its `created_at` is kept).
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    async fn update(&self, area: &DeliveryArea) -> Result<(), RepoError>;

    /// The area with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: DeliveryAreaId) -> Result<Option<DeliveryArea>, RepoError>;

    /// Every area (active only when asked), by English name.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, active_only: bool) -> Result<Vec<DeliveryArea>, RepoError>;
}

/// Places reserved in one slot on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotReservations {
    pub slot_id: DeliverySlotId,
    pub date: Date,
    pub reserved: u32,
}

/// Stores the weekly slots of areas and the places reserved in them.
#[async_trait]
pub trait DeliverySlotRepository: Send + Sync {
    /// Stores a new weekly slot.
    ///
    /// # Errors
    /// `Conflict` when the id is taken or the area does not exist.
    async fn create(&self, slot: &DeliverySlot) -> Result<(), RepoError>;

    /// Replaces a slot's window, capacity and active flag.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    async fn update(&self, slot: &DeliverySlot) -> Result<(), RepoError>;

    /// The slot with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: DeliverySlotId) -> Result<Option<DeliverySlot>, RepoError>;

    /// The area's slots, by weekday and start.
    ///
    /// # Errors
    /// Storage failures only.
    async fn for_area(&self, area: DeliveryAreaId) -> Result<Vec<DeliverySlot>, RepoError>;

    /// Reservations of the area's slots on dates in `[from, until)`; slots and dates without any
    /// are left out.
    ///
    /// # Errors
    /// Storage failures only.
    async fn reservations(&self, area: DeliveryAreaId, from: Date, until: Date) -> Result<Vec<SlotReservations>, RepoError>;

    /// Takes one place in the slot on `date` if fewer than the slot's capacity are taken, atomically:
    /// concurrent callers never take more places than the capacity. `true` when a place was taken.
    ///
    /// # Errors
    /// `NotFound` for an unknown slot.
    async fn reserve(&self, slot: DeliverySlotId, date: Date) -> Result<bool, RepoError>;

    /// Gives one place back (a cancelled order); never below zero. `true` when a place was freed.
    ///
    /// # Errors
    /// Storage failures only.
    async fn release(&self, slot: DeliverySlotId, date: Date) -> Result<bool, RepoError>;
}
