//! What customers browse.
use time::Date;

use super::{CatalogError, CatalogService};
use crate::domain::Page;
use crate::domain::catalog::{Product, ProductId, Promotion};
use crate::domain::delivery::{DeliveryArea, DeliveryAreaId, MAX_SLOT_DAYS, MapPoint, SlotAvailability, available_slots, first_containing};
use crate::ports::ProductQuery;

impl CatalogService {
    /// Products for a list; customers see active ones only (`query.active_only`).
    ///
    /// # Errors
    /// `Storage`.
    pub async fn products(&self, query: &ProductQuery) -> Result<Page<Product>, CatalogError> {
        Ok(self.ports.products.list(query).await?)
    }

    /// Every product, inactive ones too (admins only, checked against the store).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn all_products(
        &self,
        actor: &crate::domain::AccessClaims,
        page: crate::domain::PageRequest,
    ) -> Result<Page<Product>, CatalogError> {
        crate::services::authorization::acting_admin(&self.ports, actor).await?;
        Ok(self.ports.products.list(&ProductQuery { product_type: None, active_only: false, page }).await?)
    }

    /// One product; an inactive one is hidden unless `include_inactive`.
    ///
    /// # Errors
    /// `NotFound`, `Storage`.
    pub async fn product(&self, id: ProductId, include_inactive: bool) -> Result<Product, CatalogError> {
        self.ports.products.get(id).await?.filter(|p| include_inactive || p.active).ok_or(CatalogError::NotFound("product"))
    }

    /// Promotions valid now, soonest ending first.
    ///
    /// # Errors
    /// `Storage`.
    pub async fn promotions_now(&self) -> Result<Vec<Promotion>, CatalogError> {
        Ok(self.ports.promotions.valid_at(self.ports.clock.now()).await?)
    }

    /// Delivery areas (active ones only unless `include_inactive`).
    ///
    /// # Errors
    /// `Storage`.
    pub async fn delivery_areas(&self, include_inactive: bool) -> Result<Vec<DeliveryArea>, CatalogError> {
        Ok(self.ports.delivery_areas.list(!include_inactive).await?)
    }

    /// The active area whose boundary contains the point (boundary counts as inside).
    ///
    /// # Errors
    /// `OutsideDeliveryAreas`, `Storage`.
    pub async fn area_at(&self, point: MapPoint) -> Result<DeliveryArea, CatalogError> {
        let areas = self.ports.delivery_areas.list(true).await?;
        first_containing(&areas, point).cloned().ok_or(CatalogError::OutsideDeliveryAreas)
    }

    /// The slots of an active area on `days` dates from `from` (business time; today when `None`),
    /// with the places left. `days` is capped at 31.
    ///
    /// # Errors
    /// `NotFound` for an unknown or inactive area, `Storage`.
    pub async fn slots(&self, area: DeliveryAreaId, from: Option<Date>, days: u32) -> Result<Vec<SlotAvailability>, CatalogError> {
        self.ports.delivery_areas.get(area).await?.filter(|a| a.active).ok_or(CatalogError::NotFound("delivery area"))?;
        let now = self.ports.clock.now();
        let tz = self.settings.time_zone.clone();
        let from = from.unwrap_or_else(|| tz.today(now));
        let days = days.min(MAX_SLOT_DAYS);
        let until = from.checked_add(time::Duration::days(i64::from(days))).unwrap_or(Date::MAX);
        let slots = self.ports.delivery_slots.for_area(area).await?;
        let reserved = self.ports.delivery_slots.reservations(area, from, until).await?;
        let count = |slot, date| reserved.iter().find(|r| r.slot_id == slot && r.date == date).map_or(0, |r| r.reserved);
        Ok(available_slots(&slots, from, days, |d| tz.offset_on(d), now, self.settings.slot_rules, count))
    }
}
