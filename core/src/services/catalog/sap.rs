//! Catalog writes on SAP's word (SAP owns products and promotions): the same rules as an admin's
//! writes, without the admin check (the SAP service checks its caller), keeping what SAP does not
//! manage (images).
use uuid::Uuid;

use super::manage::{not_found, product_from, promotion_from};
use super::{CatalogError, CatalogService, ProductDraft, PromotionDraft};
use crate::domain::catalog::{Product, ProductId, Promotion, PromotionId};
use crate::ports::SapProductSave;

impl CatalogService {
    /// Writes SAP's `version` of a product and records it as applied, in one atomic step: the product
    /// linked to its SAP id, else `id` (a new product when `id` is `None`). When `pinned`, SAP named our id
    /// and the SAP id must be linked to it. SAP never sends images, so an existing product keeps its image.
    ///
    /// # Errors
    /// `Invalid`, `Conflict` (SAP id taken by another product), `Storage`.
    pub async fn save_product_from_sap(
        &self,
        id: Option<ProductId>,
        pinned: bool,
        draft: ProductDraft,
        version: i64,
    ) -> Result<SapProductSave, CatalogError> {
        draft.validate()?;
        let now = self.ports.clock.now();
        let product = product_from(id.unwrap_or_else(|| ProductId(Uuid::now_v7())), draft, now, now);
        let saved = self.ports.sap_links.save_product(&product, pinned, version, now).await?;
        if saved != SapProductSave::NotApplied {
            self.settings.changes.catalog_changed().await;
        }
        Ok(saved)
    }

    /// Takes a product off sale (SAP's delete): it stays for the orders that have it.
    ///
    /// # Errors
    /// `NotFound`, `Storage`.
    pub async fn deactivate_product_from_sap(&self, id: ProductId) -> Result<Product, CatalogError> {
        let mut product = self.ports.products.get(id).await?.ok_or(CatalogError::NotFound("product"))?;
        product.active = false;
        product.updated_at = self.ports.clock.now();
        self.ports.products.update(&product).await.map_err(not_found("product"))?;
        self.settings.changes.catalog_changed().await;
        Ok(product)
    }

    /// Creates the promotion (with `id`, or a new one) or replaces it when it exists, keeping its image.
    ///
    /// # Errors
    /// `Invalid` (window, kind, products), `Conflict`, `Storage`.
    pub async fn save_promotion_from_sap(&self, id: Option<PromotionId>, mut draft: PromotionDraft) -> Result<Promotion, CatalogError> {
        let existing = match id {
            Some(id) => self.ports.promotions.get(id).await?,
            None => None,
        };
        if let Some(old) = &existing {
            draft.image_id = old.image_id;
        }
        self.validate_promotion(&draft).await?;
        let promotion = match existing {
            Some(old) => {
                let promotion = promotion_from(old.id, draft);
                self.ports.promotions.update(&promotion).await.map_err(not_found("promotion"))?;
                promotion
            }
            None => {
                let promotion = promotion_from(id.unwrap_or_else(|| PromotionId(Uuid::now_v7())), draft);
                self.ports.promotions.create(&promotion).await?;
                promotion
            }
        };
        self.settings.changes.catalog_changed().await;
        Ok(promotion)
    }

    /// Ends a promotion (SAP's delete) by deactivating it.
    ///
    /// # Errors
    /// `NotFound`, `Storage`.
    pub async fn deactivate_promotion_from_sap(&self, id: PromotionId) -> Result<Promotion, CatalogError> {
        let mut promotion = self.ports.promotions.get(id).await?.ok_or(CatalogError::NotFound("promotion"))?;
        promotion.active = false;
        self.ports.promotions.update(&promotion).await.map_err(not_found("promotion"))?;
        self.settings.changes.catalog_changed().await;
        Ok(promotion)
    }
}
