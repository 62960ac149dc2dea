//! Importing products by SAP item code (`sabil catalog import`): each row is an admin's product write that
//! creates the product linked to its SAP id or replaces the one already linked, keeping its image (a file
//! carries none). A check alone applies the same rules and writes nothing (a dry run).
use uuid::Uuid;

use super::manage::product_from;
use super::{CatalogError, CatalogService, ProductDraft};
use crate::domain::AccessClaims;
use crate::domain::Invalid;
use crate::domain::catalog::{Product, ProductId};
use crate::services::authorization::acting_admin;

/// What importing one product does: create it, or replace the product already linked to its SAP id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductImport {
    /// No product has the SAP id yet: a new one is created.
    Create,
    /// This product has the SAP id: it is replaced (its image and creation time kept).
    Update(ProductId),
}

impl CatalogService {
    /// Checks an imported product as an admin's write is checked (admin, every field rule, a SAP id
    /// present) and says what importing it would do; writes nothing.
    ///
    /// # Errors
    /// `Denied`, `Invalid` (a missing SAP id included), `Storage`.
    pub async fn check_product_import(&self, actor: &AccessClaims, draft: &ProductDraft) -> Result<ProductImport, CatalogError> {
        acting_admin(&self.ports, actor).await?;
        let sap_id = draft.sap_id.as_deref().filter(|s| !s.trim().is_empty()).ok_or_else(|| {
            Invalid::field("sapId", "is required to import a product", "Give SAP's item code: imported rows are matched by it.")
        })?;
        draft.validate()?;
        Ok(match self.ports.products.find_by_sap_id(sap_id).await? {
            Some(existing) => ProductImport::Update(existing.id),
            None => ProductImport::Create,
        })
    }

    /// Creates the product linked to the draft's SAP id, or replaces the one linked to it (keeping its
    /// image and creation time); read caches are told as after any admin write.
    ///
    /// # Errors
    /// `Denied`, `Invalid`, `Conflict` (another import created the SAP id meanwhile), `NotFound` (the
    /// linked product vanished meanwhile), `Storage`.
    pub async fn import_product(&self, actor: &AccessClaims, draft: ProductDraft) -> Result<(ProductImport, Product), CatalogError> {
        let action = self.check_product_import(actor, &draft).await?;
        let now = self.ports.clock.now();
        let product = match action {
            ProductImport::Create => {
                let product = product_from(ProductId(Uuid::now_v7()), ProductDraft { image_id: None, ..draft }, now, now);
                self.ports.products.create(&product).await?;
                product
            }
            ProductImport::Update(id) => {
                let existing = self.ports.products.get(id).await?.ok_or(CatalogError::NotFound("product"))?;
                let draft = ProductDraft { image_id: existing.image_id, ..draft };
                let product = product_from(id, draft, existing.created_at, now);
                self.ports.products.update(&product).await.map_err(super::manage::not_found("product"))?;
                product
            }
        };
        self.settings.changes.catalog_changed().await;
        Ok((action, product))
    }
}
