//! SAP's changes to our data (pushed to our `/api/{entity}` endpoints or pulled by the sync-worker from
//! SAP's feed), after the schema check: the business rules, the version order per SAP entity, and the
//! log of every change refused.
use uuid::Uuid;

use super::SapInboundService;
use crate::domain::address::{Address, AddressDetails, AddressId, parse_location};
use crate::domain::catalog::{ProductId, PromotionId};
use crate::domain::orders::{Actor, ActorKind, CouponSource, NewCouponBatch, OrderId, OrderStatus};
use crate::domain::sync::inbound::{CustomerRef, InboundChange, SapAddress, SapCoupon, SapCustomer, SapOrderUpdate, SapRecord};
use crate::domain::sync::{ChangeOperation, InboundEntity, OutboundEntity, SapHeader};
use crate::domain::{Invalid, Language, ProfileChanges, Role, UserId, UserStatus};
use crate::error::RepoError;
use crate::ports::{FailureSource, SapLink, SyncFailure};
use crate::services::AddressError;
use crate::services::catalog::{CatalogError, PromotionDraft};
use crate::services::orders::OrderError;

/// What applying a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Created,
    Updated,
    Deleted,
    /// The same version was applied before: nothing to do (a repeated delivery).
    AlreadyApplied,
}

/// The outcome of an applied change: what happened and our id of the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboundOutcome {
    pub applied: Applied,
    pub app_id: Uuid,
}

/// Why a change from SAP was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    /// The caller is not a SAP client.
    #[error("only SAP may change this")]
    NotSap,
    /// A business rule or constraint refuses the change (422).
    #[error(transparent)]
    Rule(#[from] Invalid),
    /// An older version than the one applied (409).
    #[error("version {sent} is older than version {applied} already applied")]
    Stale { sent: i64, applied: i64 },
    /// The store failed; SAP should send it again later (503).
    #[error(transparent)]
    Storage(RepoError),
}

impl InboundError {
    /// The HTTP status and error type the refusal is answered (and logged in `sync_failures`) with.
    #[must_use]
    pub fn status(&self) -> (u16, &'static str) {
        match self {
            Self::NotSap => (403, "forbidden"),
            Self::Rule(_) => (422, "validation"),
            Self::Stale { .. } => (409, "conflict"),
            Self::Storage(_) => (503, "unavailable"),
        }
    }

    /// The problems as `(field, problem)` pairs: a rule's fields, or the refusal itself.
    #[must_use]
    pub fn problems(&self) -> Vec<crate::domain::FieldProblem> {
        match self {
            Self::Rule(invalid) => invalid.0.clone(),
            other => vec![crate::domain::FieldProblem { field: "version".into(), problem: other.to_string(), hint: String::new() }],
        }
    }
}

impl From<RepoError> for InboundError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Conflict(what) => {
                Self::Rule(Invalid::field("sapId", format!("conflicts with stored data: {what}"), "Check the ids sent."))
            }
            RepoError::NotFound => Self::Rule(Invalid::field("appId", "names nothing stored", "Send the ids of existing entities.")),
            other => Self::Storage(other),
        }
    }
}

impl From<CatalogError> for InboundError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Invalid(i) => Self::Rule(i),
            CatalogError::NotFound(what) => {
                Self::Rule(Invalid::field("appId", format!("names no {what}"), "Send the ids of existing entities."))
            }
            CatalogError::Conflict(what) => {
                Self::Rule(Invalid::field("sapId", format!("is taken: {what}"), "Each SAP id may belong to one entity."))
            }
            CatalogError::OutsideDeliveryAreas => {
                Self::Rule(Invalid::field("latitude", "is outside every delivery area", "Check the location."))
            }
            CatalogError::Denied(_) => Self::NotSap,
            CatalogError::Storage(e) => Self::Storage(e),
        }
    }
}

impl From<OrderError> for InboundError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Storage(e) => Self::Storage(e),
            other => {
                Self::Rule(Invalid::field("status", other.to_string(), "Send a move the order lifecycle allows from where the order is."))
            }
        }
    }
}

impl From<AddressError> for InboundError {
    fn from(e: AddressError) -> Self {
        match e {
            AddressError::Storage(e) => Self::Storage(e),
            other => Self::Rule(Invalid::field("latitude", other.to_string(), "Check the address and its owner.")),
        }
    }
}

fn rule(field: &str, problem: impl Into<String>, hint: &str) -> InboundError {
    InboundError::Rule(Invalid::field(field, problem, hint))
}

impl SapInboundService {
    /// Applies one change from SAP: checks its version against the one applied for the same SAP entity
    /// (older: `Stale`; equal: `AlreadyApplied`, nothing written), applies it by the business rules, and
    /// records the SAP id and version.
    ///
    /// # Errors
    /// `Rule` (422), `Stale` (409), `Storage` (retry later).
    pub async fn apply(&self, change: &InboundChange) -> Result<InboundOutcome, InboundError> {
        let header = &change.header;
        if let (Some(SapRecord::Product(p)), ChangeOperation::Create | ChangeOperation::Update) = (&change.record, change.operation) {
            return self.save_product(change, p).await;
        }
        let link = self.ports.sap_links.find(change.entity, &header.sap_id).await?;
        if let Some(link) = link.clone()
            && let Some(outcome) = check_link(header, link)?
        {
            return Ok(outcome);
        }
        let known = link.map(|l| l.app_id).or(header.app_id);
        let (applied, app_id) = match (&change.record, change.operation) {
            (None, ChangeOperation::Delete) if change.entity == InboundEntity::Product => {
                let id = known.ok_or_else(unknown_sap_id)?;
                self.catalog.deactivate_product_from_sap(ProductId(id)).await?;
                (Applied::Deleted, id)
            }
            (Some(SapRecord::Promotion(p)), ChangeOperation::Create | ChangeOperation::Update) => {
                let mut product_ids = Vec::with_capacity(p.product_sap_ids.len());
                for sap_id in &p.product_sap_ids {
                    let link = self.ports.sap_links.find(InboundEntity::Product, sap_id).await?;
                    let link = link.ok_or_else(|| {
                        rule(
                            "productSapIds",
                            format!("{sap_id} is not a product SAP has sent"),
                            "Send the product (PUT /api/products) before promotions on it.",
                        )
                    })?;
                    product_ids.push(ProductId(link.app_id));
                }
                let draft = PromotionDraft {
                    sap_id: Some(header.sap_id.clone()),
                    title: p.title.clone(),
                    kind: p.kind,
                    valid_from: p.valid_from,
                    valid_until: p.valid_until,
                    product_ids,
                    image_id: None,
                    active: p.active,
                };
                let existed = match known {
                    Some(id) => self.ports.promotions.get(PromotionId(id)).await?.is_some(),
                    None => false,
                };
                let saved = self.catalog.save_promotion_from_sap(known.map(PromotionId), draft).await?;
                (created_or_updated(existed), saved.id.0)
            }
            (None, ChangeOperation::Delete) if change.entity == InboundEntity::Promotion => {
                let id = known.ok_or_else(unknown_sap_id)?;
                self.catalog.deactivate_promotion_from_sap(PromotionId(id)).await?;
                (Applied::Deleted, id)
            }
            (Some(SapRecord::Coupon(c)), ChangeOperation::Create | ChangeOperation::Update) => {
                self.issue_coupons(&header.sap_id, c, known).await?
            }
            (None, ChangeOperation::Delete) if change.entity == InboundEntity::Coupon => {
                return Err(rule(
                    "operation",
                    "coupons given to a customer cannot be taken back",
                    "Let the batch expire (send expiresAt when issuing), or issue a correcting batch.",
                ));
            }
            (Some(SapRecord::Customer(c)), ChangeOperation::Create | ChangeOperation::Update) => {
                let id = self.customer_id(known).await?;
                self.update_customer(id, c, &header.sap_id).await?;
                (Applied::Updated, id.0)
            }
            (None, ChangeOperation::Delete) if change.entity == InboundEntity::Customer => {
                let id = self.customer_id(known).await?;
                self.ports.users.set_status(id, UserStatus::Blocked, self.ports.clock.now()).await?;
                (Applied::Deleted, id.0)
            }
            (Some(SapRecord::DeliveryDetails(a)), ChangeOperation::Create | ChangeOperation::Update) => {
                self.save_address(known, &header.sap_id, a).await?
            }
            (Some(SapRecord::AddressOwner(owner)), ChangeOperation::Delete) => {
                let id = known.ok_or_else(unknown_sap_id)?;
                let owner = self.resolve_customer(owner).await?;
                self.ports.addresses.delete(owner, AddressId(id)).await?;
                (Applied::Deleted, id)
            }
            (Some(SapRecord::Order(o)), ChangeOperation::Create | ChangeOperation::Update) => {
                let id = known
                    .ok_or_else(|| rule("appId", "is required for orders", "Orders are placed in the app; send our order id (appId)."))?;
                self.move_order(OrderId(id), o, &header.sap_id).await?
            }
            (None, ChangeOperation::Delete) if change.entity == InboundEntity::Order => {
                let id = known.ok_or_else(|| rule("appId", "is required for orders", "Send our order id (appId)."))?;
                let update =
                    SapOrderUpdate { status: OrderStatus::Cancelled.as_str().to_owned(), reason: Some("cancelled in SAP".to_owned()) };
                let (_, id) = self.move_order(OrderId(id), &update, &header.sap_id).await?;
                (Applied::Deleted, id)
            }
            _ => {
                return Err(rule(
                    "data",
                    "does not match the entity and operation",
                    "Send the entity's fields on create and update, none on delete.",
                ));
            }
        };
        if !self.ports.sap_links.record(change.entity, &header.sap_id, app_id, header.version, self.ports.clock.now()).await? {
            let applied = self.ports.sap_links.find(change.entity, &header.sap_id).await?.map_or(header.version, |l| l.version);
            return Err(InboundError::Stale { sent: header.version, applied });
        }
        tracing::info!(entity = change.entity.as_str(), operation = change.operation.as_str(), sap_id = %header.sap_id, app_id = %app_id, version = header.version, ?applied, "SAP change applied");
        Ok(InboundOutcome { applied, app_id })
    }

    /// Keeps a refused change (payload and problems) in `sync_failures` and the log; a failure to
    /// store it is logged, never hides the refusal.
    pub async fn refused(&self, mut failure: SyncFailure) {
        failure.created_at = self.ports.clock.now();
        tracing::warn!(
            source = failure.source.as_str(), entity = %failure.entity, operation = %failure.operation,
            sap_id = failure.sap_id.as_deref().unwrap_or(""), status = failure.status, error_type = %failure.error_type,
            errors = %failure.errors, payload = %failure.payload, "SAP change refused"
        );
        if let Err(e) = self.ports.sync_failures.record(&failure).await {
            tracing::error!(error = %e, "could not store a refused SAP change");
        }
    }

    /// A new failure record (its id and time are filled in).
    #[must_use]
    pub fn failure(
        source: FailureSource,
        entity: &str,
        operation: &str,
        status: u16,
        error_type: &str,
        errors: String,
        payload: String,
    ) -> SyncFailure {
        SyncFailure {
            id: Uuid::now_v7(),
            source,
            entity: entity.to_owned(),
            operation: operation.to_owned(),
            sap_id: None,
            change_id: None,
            status,
            error_type: error_type.to_owned(),
            errors,
            payload,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    async fn issue_coupons(&self, sap_id: &str, c: &SapCoupon, known: Option<Uuid>) -> Result<(Applied, Uuid), InboundError> {
        let customer = self.resolve_customer(&c.customer).await?;
        let product = self.ports.sap_links.find(InboundEntity::Product, &c.product_sap_id).await?.ok_or_else(|| {
            rule(
                "productSapId",
                format!("{} is not a product SAP has sent", c.product_sap_id),
                "Send the product (PUT /api/products) first.",
            )
        })?;
        if !(1..=1000).contains(&c.count) {
            return Err(rule("count", "must be 1 to 1000", "Give the number of coupons in the batch."));
        }
        let now = self.ports.clock.now();
        if c.expires_at.is_some_and(|at| at <= now) {
            return Err(rule("expiresAt", "is not in the future", "Give a future expiry, or leave it out for none."));
        }
        let batch = NewCouponBatch {
            customer_id: customer,
            product_id: ProductId(product.app_id),
            count: c.count,
            source: CouponSource::Sap,
            sap_id: Some(sap_id.to_owned()),
            issued_by: None,
            note: c.note.clone(),
            expires_at: c.expires_at,
        };
        let id = self.ports.coupons.issue(&batch, now).await?;
        Ok((if known.is_some() { Applied::Updated } else { Applied::Created }, id.0))
    }

    async fn resolve_customer(&self, r: &CustomerRef) -> Result<UserId, InboundError> {
        let id = match r {
            CustomerRef::App(id) => Some(*id),
            CustomerRef::Sap(sap_id) => self.ports.sap_links.find(InboundEntity::Customer, sap_id).await?.map(|l| l.app_id),
        };
        self.customer_id(id).await
    }

    async fn customer_id(&self, id: Option<Uuid>) -> Result<UserId, InboundError> {
        let hint = "Customers register in the app; send the appId of an existing customer (or a customer SAP id linked before).";
        let id = id.ok_or_else(|| rule("appId", "names no customer we know", hint))?;
        match self.ports.users.get(UserId(id)).await? {
            Some(u) if u.role == Role::Customer && u.status != UserStatus::Deleted && u.status != UserStatus::Unverified => Ok(u.id),
            _ => Err(rule("appId", format!("{id} is not an active customer"), hint)),
        }
    }

    async fn update_customer(&self, id: UserId, c: &SapCustomer, sap_id: &str) -> Result<(), InboundError> {
        let full_name = c.full_name.as_deref().map(crate::domain::FullName::parse).transpose()?;
        let language = match c.language.as_deref() {
            Some(l) => Some(Language::parse(l).ok_or_else(|| rule("language", format!("'{l}' is not ar or en"), "Send ar or en."))?),
            None => None,
        };
        let changes = ProfileChanges { full_name, language, location: None };
        // SAP's id first, so that the change the update writes to our feed carries it.
        self.remember(OutboundEntity::Customer, id.0, sap_id).await?;
        if !changes.is_empty() {
            self.ports.users.update_profile(id, &changes, self.ports.clock.now()).await?;
        }
        Ok(())
    }

    /// Stores SAP's id on our entity unless it has one; another entity holding it is a broken rule.
    async fn remember(&self, entity: OutboundEntity, id: Uuid, sap_id: &str) -> Result<(), InboundError> {
        match self.ports.sap_links.remember_sap_id(entity, id, sap_id).await {
            Ok(_) => Ok(()),
            Err(RepoError::Conflict(_)) => {
                Err(rule("sapId", format!("{sap_id} belongs to another {}", entity.as_str()), "Each SAP id may belong to one entity."))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn save_address(&self, known: Option<Uuid>, sap_id: &str, a: &SapAddress) -> Result<(Applied, Uuid), InboundError> {
        let owner = self.resolve_customer(&a.customer).await?;
        let details = AddressDetails::parse(a.kind, &a.fields)?;
        let location = parse_location(a.latitude, a.longitude)?;
        let area_id = self.addresses.serving_area(location, None).await?;
        let now = self.ports.clock.now();
        let existing = match known {
            Some(id) => self.ports.addresses.get(owner, AddressId(id)).await?,
            None => None,
        };
        if let Some(old) = existing {
            let address = Address { details, location, area_id, updated_at: now, ..old };
            // SAP's id first, so that the change the update writes to our feed carries it.
            self.remember(OutboundEntity::Address, address.id.0, sap_id).await?;
            self.ports.addresses.update(&address).await?;
            return Ok((Applied::Updated, address.id.0));
        }
        if known.is_some() && self.link_exists(InboundEntity::DeliveryDetails, sap_id).await? {
            return Err(rule("customerAppId", "is not the owner of this address", "Addresses never change hands; send the owner."));
        }
        let address = Address {
            id: AddressId(known.unwrap_or_else(Uuid::now_v7)),
            user_id: owner,
            sap_id: Some(sap_id.to_owned()),
            details,
            location,
            area_id,
            created_at: now,
            updated_at: now,
        };
        if !self.ports.addresses.create(&address, self.addresses.settings().max_per_customer).await? {
            return Err(rule(
                "customerAppId",
                "has the most addresses a customer may keep",
                "Delete one of the customer's addresses first.",
            ));
        }
        Ok((Applied::Created, address.id.0))
    }

    async fn link_exists(&self, entity: InboundEntity, sap_id: &str) -> Result<bool, InboundError> {
        Ok(self.ports.sap_links.find(entity, sap_id).await?.is_some())
    }

    async fn move_order(&self, id: OrderId, update: &SapOrderUpdate, sap_id: &str) -> Result<(Applied, Uuid), InboundError> {
        let order = self
            .ports
            .orders
            .get(id)
            .await?
            .ok_or_else(|| rule("appId", format!("{} is not an order", id.0), "Send our order id (appId)."))?;
        let to = OrderStatus::parse(&update.status).ok_or_else(|| {
            rule(
                "status",
                format!("'{}' is not an order status", update.status),
                "Send one of: confirmed, out_for_delivery, delivered, cancelled, ...",
            )
        })?;
        self.remember(OutboundEntity::Order, id.0, sap_id).await?;
        if order.status != to {
            let actor = Actor { kind: ActorKind::Sap, id: Some(sap_id.to_owned()) };
            self.orders.move_order(&order, to, actor, update.reason.clone()).await?;
        }
        Ok((Applied::Updated, id.0))
    }
}

fn created_or_updated(existed: bool) -> Applied {
    if existed { Applied::Updated } else { Applied::Created }
}

/// What the link already applied for SAP's entity says about a change to it: `Stale` when older, a rule
/// broken when SAP names another of our ids, `AlreadyApplied` when equal, `None` when newer (apply it).
pub(super) fn check_link(header: &SapHeader, link: SapLink) -> Result<Option<InboundOutcome>, InboundError> {
    if header.version < link.version {
        return Err(InboundError::Stale { sent: header.version, applied: link.version });
    }
    if let Some(app_id) = header.app_id
        && app_id != link.app_id
    {
        return Err(rule(
            "appId",
            format!("differs from {} already linked to this SAP id", link.app_id),
            "Send our id as we sent it, or leave it out.",
        ));
    }
    Ok((header.version == link.version).then_some(InboundOutcome { applied: Applied::AlreadyApplied, app_id: link.app_id }))
}

fn unknown_sap_id() -> InboundError {
    rule("sapId", "names nothing SAP has sent us", "Send the entity's create first, or our id (appId).")
}
