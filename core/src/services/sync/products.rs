//! SAP's product changes: the fast path of the inbound service, where the version check, the product
//! write and the version record are one atomic repository step (products are SAP's busiest entity).
use super::SapInboundService;
use super::inbound::{Applied, InboundError, InboundOutcome, check_link};
use crate::domain::catalog::ProductId;
use crate::domain::sync::inbound::{InboundChange, SapProduct};
use crate::error::RepoError;
use crate::ports::SapProductSave;
use crate::services::catalog::ProductDraft;

impl SapInboundService {
    /// Creates or replaces SAP's product unless an equal or newer version is applied (then reads the link
    /// to answer `AlreadyApplied`, `Stale` or a mismatched `appId`).
    pub(super) async fn save_product(&self, change: &InboundChange, p: &SapProduct) -> Result<InboundOutcome, InboundError> {
        let header = &change.header;
        let draft = ProductDraft {
            sap_id: Some(header.sap_id.clone()),
            title: p.title.clone(),
            description: p.description.clone(),
            product_type: p.product_type,
            volume_ml: p.volume_ml,
            bottles_per_pack: p.bottles_per_pack,
            price_per_pack: p.price_per_pack,
            min_quantity: p.min_quantity,
            max_quantity: p.max_quantity,
            image_id: None,
            active: p.active,
            sort_order: p.sort_order,
        };
        let pinned = header.app_id.is_some();
        let saved = self.catalog.save_product_from_sap(header.app_id.map(ProductId), pinned, draft, header.version).await?;
        let (applied, id) = match saved {
            SapProductSave::Created(id) => (Applied::Created, id),
            SapProductSave::Updated(id) => (Applied::Updated, id),
            SapProductSave::NotApplied => {
                let link = self.ports.sap_links.find(change.entity, &header.sap_id).await?;
                let decided = match link {
                    Some(link) => check_link(header, link)?,
                    None => None,
                };
                // Not applied yet no newer link: a concurrent delete of the link, which never happens;
                // answer as a storage failure so SAP sends it again.
                return decided
                    .ok_or_else(|| InboundError::Storage(RepoError::Unavailable("the product's SAP link changed meanwhile".into())));
            }
        };
        tracing::info!(entity = change.entity.as_str(), operation = change.operation.as_str(), sap_id = %header.sap_id, app_id = %id.0, version = header.version, ?applied, "SAP change applied");
        Ok(InboundOutcome { applied, app_id: id.0 })
    }
}
