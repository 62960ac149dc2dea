//! What admins manage: products, promotions, delivery areas and slots. Every draft is checked
//! against the business rules here, and every operation against the acting admin.
use time::{OffsetDateTime, Time, Weekday};
use uuid::Uuid;

use super::{CatalogError, CatalogService};
use crate::domain::catalog::{Product, ProductId, ProductType, Promotion, PromotionId, PromotionKind};
use crate::domain::delivery::{AreaBoundary, DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId};
use crate::domain::validation::Problems;
use crate::domain::{AccessClaims, Invalid, LocalizedText, Money};
use crate::services::authorization::acting_admin;

/// A product as an admin submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDraft {
    pub sap_id: Option<String>,
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub product_type: ProductType,
    pub volume_ml: u32,
    pub bottles_per_pack: u32,
    pub price_per_pack: Money,
    pub min_quantity: u32,
    pub max_quantity: u32,
    pub image_id: Option<Uuid>,
    pub active: bool,
    pub sort_order: i32,
}

/// A promotion as an admin submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionDraft {
    pub sap_id: Option<String>,
    pub title: LocalizedText,
    pub kind: PromotionKind,
    pub valid_from: OffsetDateTime,
    pub valid_until: OffsetDateTime,
    pub product_ids: Vec<ProductId>,
    pub image_id: Option<Uuid>,
    pub active: bool,
}

/// A delivery area as an admin submits it.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaDraft {
    pub sap_id: Option<String>,
    pub name: LocalizedText,
    pub boundary: Option<AreaBoundary>,
    pub delivery_fee: Money,
    pub minimum_order: Money,
    pub active: bool,
}

/// A weekly slot as an admin submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotDraft {
    pub area_id: DeliveryAreaId,
    pub weekday: Weekday,
    pub starts_at: Time,
    pub ends_at: Time,
    pub capacity: u32,
    pub active: bool,
}

fn check(problems: &mut Problems, ok: bool, field: &str, problem: &str, hint: &str) {
    if !ok {
        problems.check::<()>(field, Err(Invalid::field(field, problem, hint)));
    }
}

fn check_sap_id(problems: &mut Problems, sap_id: Option<&String>) {
    check(
        problems,
        sap_id.is_none_or(|s| !s.trim().is_empty() && s.len() <= 64),
        "sapId",
        "must be 1 to 64 characters",
        "Send SAP's item code, or leave it out.",
    );
}

impl ProductDraft {
    pub(super) fn validate(&self) -> Result<(), Invalid> {
        let mut p = Problems::new();
        check_sap_id(&mut p, self.sap_id.as_ref());
        check(
            &mut p,
            (1..=100_000).contains(&self.volume_ml),
            "volumeMl",
            "must be 1 to 100000",
            "Give one bottle's volume in millilitres, e.g. 18900.",
        );
        check(
            &mut p,
            (1..=1000).contains(&self.bottles_per_pack),
            "bottlesPerPack",
            "must be 1 to 1000",
            "Give the bottles in one pack, e.g. 12.",
        );
        check(&mut p, self.price_per_pack.minor >= 0, "price.amount", "must not be negative", "Give the pack price in minor units (fils).");
        check(
            &mut p,
            (1..=1000).contains(&self.min_quantity),
            "minQuantity",
            "must be 1 to 1000",
            "Give the fewest packs per order, usually 1.",
        );
        check(
            &mut p,
            self.max_quantity >= self.min_quantity && self.max_quantity <= 1000,
            "maxQuantity",
            "must be between minQuantity and 1000",
            "Give the most packs per order.",
        );
        p.finish()
    }
}

impl CatalogService {
    /// An image id must name an uploaded file (POST /api/admin/files).
    async fn check_image(&self, image: Option<Uuid>) -> Result<(), CatalogError> {
        if let Some(id) = image
            && self.ports.files.get(crate::domain::files::FileId(id)).await?.is_none()
        {
            return Err(Invalid::field(
                "imageId",
                "is not an uploaded file",
                "Upload the image with POST /api/admin/files and send its id.",
            )
            .into());
        }
        Ok(())
    }

    /// Creates a product (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid`, `Conflict` (SAP id taken), `Storage`.
    pub async fn create_product(&self, actor: &AccessClaims, draft: ProductDraft) -> Result<Product, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        draft.validate()?;
        self.check_image(draft.image_id).await?;
        let now = self.ports.clock.now();
        let product = product_from(ProductId(Uuid::now_v7()), draft, now, now);
        self.ports.products.create(&product).await?;
        self.settings.changes.catalog_changed().await;
        Ok(product)
    }

    /// Replaces a product (admins only); deactivating is an update with `active: false`.
    ///
    /// # Errors
    /// `Denied`, `Invalid`, `NotFound`, `Conflict`, `Storage`.
    pub async fn update_product(&self, actor: &AccessClaims, id: ProductId, draft: ProductDraft) -> Result<Product, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        draft.validate()?;
        self.check_image(draft.image_id).await?;
        let existing = self.ports.products.get(id).await?.ok_or(CatalogError::NotFound("product"))?;
        let product = product_from(id, draft, existing.created_at, self.ports.clock.now());
        self.ports.products.update(&product).await.map_err(not_found("product"))?;
        self.settings.changes.catalog_changed().await;
        Ok(product)
    }

    /// Creates a promotion (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid` (window, kind, products), `Conflict`, `Storage`.
    pub async fn create_promotion(&self, actor: &AccessClaims, draft: PromotionDraft) -> Result<Promotion, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        self.validate_promotion(&draft).await?;
        let promotion = promotion_from(PromotionId(Uuid::now_v7()), draft);
        self.ports.promotions.create(&promotion).await?;
        self.settings.changes.catalog_changed().await;
        Ok(promotion)
    }

    /// Replaces a promotion and its products (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid`, `NotFound`, `Conflict`, `Storage`.
    pub async fn update_promotion(&self, actor: &AccessClaims, id: PromotionId, draft: PromotionDraft) -> Result<Promotion, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        self.validate_promotion(&draft).await?;
        let promotion = promotion_from(id, draft);
        self.ports.promotions.update(&promotion).await.map_err(not_found("promotion"))?;
        self.settings.changes.catalog_changed().await;
        Ok(promotion)
    }

    pub(super) async fn validate_promotion(&self, d: &PromotionDraft) -> Result<(), CatalogError> {
        let mut p = Problems::new();
        check_sap_id(&mut p, d.sap_id.as_ref());
        check(&mut p, d.valid_until > d.valid_from, "validUntil", "must be after validFrom", "Give an end after the start.");
        check(
            &mut p,
            !d.product_ids.is_empty() && d.product_ids.len() <= 100,
            "productIds",
            "must name 1 to 100 products",
            "Link the products the promotion applies to.",
        );
        match d.kind {
            PromotionKind::BuyGetFree { buy, free } => {
                check(&mut p, (1..=1000).contains(&buy), "buyPacks", "must be 1 to 1000", "E.g. 10 for 'buy 10, get 2 free'.");
                check(&mut p, (1..=1000).contains(&free), "freePacks", "must be 1 to 1000", "E.g. 2 for 'buy 10, get 2 free'.");
            }
            PromotionKind::FixedPriceBundle { packs, price } => {
                check(&mut p, (2..=1000).contains(&packs), "bundlePacks", "must be 2 to 1000", "E.g. 3 for '3 packs for 3.000 KWD'.");
                check(&mut p, price.minor >= 0, "bundlePrice.amount", "must not be negative", "Give the bundle price in minor units.");
            }
        }
        p.finish()?;
        self.check_image(d.image_id).await?;
        for id in &d.product_ids {
            let product = self.ports.products.get(*id).await?.ok_or_else(|| {
                Invalid::field("productIds", format!("{} is not a product", id.0), "Link existing products (GET /api/products).")
            })?;
            if let PromotionKind::FixedPriceBundle { price, .. } = d.kind
                && price.currency != product.price_per_pack.currency
            {
                return Err(Invalid::field(
                    "bundlePrice.currency",
                    "differs from a linked product's currency",
                    "Price the bundle in the products' currency.",
                )
                .into());
            }
        }
        Ok(())
    }

    /// Creates a delivery area (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid`, `Conflict`, `Storage`.
    pub async fn create_area(&self, actor: &AccessClaims, draft: AreaDraft) -> Result<DeliveryArea, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        validate_area(&draft)?;
        let now = self.ports.clock.now();
        let area = area_from(DeliveryAreaId(Uuid::now_v7()), draft, now, now);
        self.ports.delivery_areas.create(&area).await?;
        self.settings.changes.catalog_changed().await;
        Ok(area)
    }

    /// Replaces a delivery area (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid`, `NotFound`, `Conflict`, `Storage`.
    pub async fn update_area(&self, actor: &AccessClaims, id: DeliveryAreaId, draft: AreaDraft) -> Result<DeliveryArea, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        validate_area(&draft)?;
        let existing = self.ports.delivery_areas.get(id).await?.ok_or(CatalogError::NotFound("delivery area"))?;
        let area = area_from(id, draft, existing.created_at, self.ports.clock.now());
        self.ports.delivery_areas.update(&area).await.map_err(not_found("delivery area"))?;
        self.settings.changes.catalog_changed().await;
        Ok(area)
    }

    /// Adds a weekly slot to an area (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid`, `NotFound` (area), `Storage`.
    pub async fn create_slot(&self, actor: &AccessClaims, draft: SlotDraft) -> Result<DeliverySlot, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        validate_slot(&draft)?;
        self.ports.delivery_areas.get(draft.area_id).await?.ok_or(CatalogError::NotFound("delivery area"))?;
        let slot = slot_from(DeliverySlotId(Uuid::now_v7()), draft);
        self.ports.delivery_slots.create(&slot).await?;
        self.settings.changes.catalog_changed().await;
        Ok(slot)
    }

    /// Changes a slot's window, capacity or active flag (admins only); its area stays.
    ///
    /// # Errors
    /// `Denied`, `Invalid`, `NotFound`, `Storage`.
    pub async fn update_slot(&self, actor: &AccessClaims, id: DeliverySlotId, draft: SlotDraft) -> Result<DeliverySlot, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        validate_slot(&draft)?;
        let existing = self.ports.delivery_slots.get(id).await?.ok_or(CatalogError::NotFound("delivery slot"))?;
        let slot = slot_from(id, SlotDraft { area_id: existing.area_id, ..draft });
        self.ports.delivery_slots.update(&slot).await.map_err(not_found("delivery slot"))?;
        self.settings.changes.catalog_changed().await;
        Ok(slot)
    }
}

pub(super) fn not_found(what: &'static str) -> impl Fn(crate::error::RepoError) -> CatalogError {
    move |e| if e == crate::error::RepoError::NotFound { CatalogError::NotFound(what) } else { e.into() }
}

fn validate_area(d: &AreaDraft) -> Result<(), Invalid> {
    let mut p = Problems::new();
    check_sap_id(&mut p, d.sap_id.as_ref());
    check(
        &mut p,
        d.delivery_fee.minor >= 0,
        "deliveryFee.amount",
        "must not be negative",
        "Give the fee in minor units; 0 for free delivery.",
    );
    check(
        &mut p,
        d.minimum_order.minor >= 0,
        "minimumOrder.amount",
        "must not be negative",
        "Give the minimum in minor units; 0 for none.",
    );
    check(
        &mut p,
        d.delivery_fee.currency == d.minimum_order.currency,
        "minimumOrder.currency",
        "differs from the fee's currency",
        "Use one currency per area.",
    );
    p.finish()
}

fn validate_slot(d: &SlotDraft) -> Result<(), Invalid> {
    let mut p = Problems::new();
    check(&mut p, d.ends_at > d.starts_at, "endsAt", "must be after startsAt on the same day", "E.g. startsAt 10:00, endsAt 12:00.");
    check(&mut p, d.capacity <= 10_000, "capacity", "must be at most 10000", "Give the orders the slot takes per date.");
    p.finish()
}

pub(super) fn product_from(id: ProductId, d: ProductDraft, created_at: OffsetDateTime, updated_at: OffsetDateTime) -> Product {
    Product {
        id,
        sap_id: d.sap_id,
        title: d.title,
        description: d.description,
        product_type: d.product_type,
        volume_ml: d.volume_ml,
        bottles_per_pack: d.bottles_per_pack,
        price_per_pack: d.price_per_pack,
        min_quantity: d.min_quantity,
        max_quantity: d.max_quantity,
        image_id: d.image_id,
        active: d.active,
        sort_order: d.sort_order,
        created_at,
        updated_at,
    }
}

pub(super) fn promotion_from(id: PromotionId, d: PromotionDraft) -> Promotion {
    let mut product_ids = d.product_ids;
    product_ids.sort();
    product_ids.dedup();
    Promotion {
        id,
        sap_id: d.sap_id,
        title: d.title,
        kind: d.kind,
        valid_from: d.valid_from,
        valid_until: d.valid_until,
        product_ids,
        image_id: d.image_id,
        active: d.active,
    }
}

fn area_from(id: DeliveryAreaId, d: AreaDraft, created_at: OffsetDateTime, updated_at: OffsetDateTime) -> DeliveryArea {
    DeliveryArea {
        id,
        sap_id: d.sap_id,
        name: d.name,
        boundary: d.boundary,
        delivery_fee: d.delivery_fee,
        minimum_order: d.minimum_order,
        active: d.active,
        created_at,
        updated_at,
    }
}

fn slot_from(id: DeliverySlotId, d: SlotDraft) -> DeliverySlot {
    DeliverySlot {
        id,
        area_id: d.area_id,
        weekday: d.weekday,
        starts_at: d.starts_at,
        ends_at: d.ends_at,
        capacity: d.capacity,
        active: d.active,
    }
}
