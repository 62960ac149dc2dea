//! Promo codes as admins manage them: create, change (deactivating is a change of `active`), read
//! and list, every change checked against the rules of [`PromoCode::check`] and audited. Whether a
//! code applies to an order, and the count of its uses, belong to the checkout.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::catalog::ProductId;
use crate::domain::orders::{PromoCode, PromoCodeId, PromoDiscount, normalize_code};
use crate::domain::validation::Problems;
use crate::domain::{AccessClaims, AuditEvent, AuditKind, Currency, Invalid, Money, Page, PageRequest, RequestMeta, User};
use crate::error::RepoError;
use crate::ports::Ports;
use crate::services::authorization::{AdminDenied, acting_admin};

/// A promo code as an admin submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoCodeDraft {
    /// As typed; stored normalized (trimmed, upper-case).
    pub code: String,
    pub description: String,
    pub discount: PromoDiscount,
    /// The goods (after promotions) must reach this.
    pub min_order: Money,
    pub valid_from: OffsetDateTime,
    pub valid_until: OffsetDateTime,
    pub max_uses: Option<u32>,
    pub max_uses_per_customer: Option<u32>,
    /// Empty for every product.
    pub product_ids: Vec<ProductId>,
    pub active: bool,
}

/// Changes to a promo code; `None` keeps a field as it is (for the caps, `Some(None)` removes the cap).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromoCodeChanges {
    pub code: Option<String>,
    pub description: Option<String>,
    pub discount: Option<PromoDiscount>,
    pub min_order: Option<Money>,
    pub valid_from: Option<OffsetDateTime>,
    pub valid_until: Option<OffsetDateTime>,
    pub max_uses: Option<Option<u32>>,
    pub max_uses_per_customer: Option<Option<u32>>,
    pub product_ids: Option<Vec<ProductId>>,
    pub active: Option<bool>,
}

/// Business outcomes of the promo-code use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoCodeError {
    /// The input breaks a rule (named by field, with a hint).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// No promo code has this id.
    #[error("no such promo code")]
    NotFound,
    /// Another promo code has this code.
    #[error("the code {0} is taken")]
    CodeTaken(String),
    /// The caller is not an active admin.
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The store failed; not a business outcome.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The promo-code use cases over the ports.
#[derive(Clone)]
pub struct PromoCodeService {
    ports: Ports,
    currency: Currency,
}

impl PromoCodeService {
    /// The promo-code use cases over these ports; amounts must be in `currency`, the business's.
    #[must_use]
    pub fn new(ports: Ports, currency: Currency) -> Self {
        Self { ports, currency }
    }

    /// The currency every amount of a code is in.
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Creates a promo code (admins only); audited.
    ///
    /// # Errors
    /// `Denied`, `Invalid` (the rules of [`PromoCode::check`], unknown products), `CodeTaken`, `Storage`.
    pub async fn create(&self, actor: &AccessClaims, draft: PromoCodeDraft, meta: &RequestMeta) -> Result<PromoCode, PromoCodeError> {
        let admin = acting_admin(&self.ports, actor).await?;
        let code = PromoCode {
            id: PromoCodeId(Uuid::now_v7()),
            code: normalize_code(&draft.code),
            description: draft.description.trim().to_owned(),
            discount: draft.discount,
            min_order: draft.min_order,
            valid_from: draft.valid_from,
            valid_until: draft.valid_until,
            max_uses: draft.max_uses,
            max_uses_per_customer: draft.max_uses_per_customer,
            product_ids: draft.product_ids,
            uses: 0,
            active: draft.active,
        };
        let code = self.checked(code).await?;
        let now = self.ports.clock.now();
        self.ports.promo_codes.create(&code, now).await.map_err(|e| taken(e, &code))?;
        self.audit(meta, &admin, &code, "created", now).await;
        Ok(code)
    }

    /// Changes a promo code (admins only); its use count stays. Audited.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Invalid` (the rules of [`PromoCode::check`] on the changed code,
    /// unknown products), `CodeTaken`, `Storage`.
    pub async fn update(
        &self,
        actor: &AccessClaims,
        id: PromoCodeId,
        changes: PromoCodeChanges,
        meta: &RequestMeta,
    ) -> Result<PromoCode, PromoCodeError> {
        let admin = acting_admin(&self.ports, actor).await?;
        let existing = self.ports.promo_codes.get(id).await?.ok_or(PromoCodeError::NotFound)?;
        let code = PromoCode {
            id,
            code: changes.code.as_deref().map_or(existing.code, normalize_code),
            description: changes.description.map_or(existing.description, |d| d.trim().to_owned()),
            discount: changes.discount.unwrap_or(existing.discount),
            min_order: changes.min_order.unwrap_or(existing.min_order),
            valid_from: changes.valid_from.unwrap_or(existing.valid_from),
            valid_until: changes.valid_until.unwrap_or(existing.valid_until),
            max_uses: changes.max_uses.unwrap_or(existing.max_uses),
            max_uses_per_customer: changes.max_uses_per_customer.unwrap_or(existing.max_uses_per_customer),
            product_ids: changes.product_ids.unwrap_or(existing.product_ids),
            uses: existing.uses,
            active: changes.active.unwrap_or(existing.active),
        };
        let code = self.checked(code).await?;
        let now = self.ports.clock.now();
        self.ports.promo_codes.update(&code, now).await.map_err(|e| match e {
            RepoError::NotFound => PromoCodeError::NotFound,
            other => taken(other, &code),
        })?;
        self.audit(meta, &admin, &code, "changed", now).await;
        Ok(code)
    }

    /// Deactivates a promo code (admins only): customers can no longer use it; orders that used it
    /// keep it. Audited.
    ///
    /// # Errors
    /// As [`PromoCodeService::update`].
    pub async fn deactivate(&self, actor: &AccessClaims, id: PromoCodeId, meta: &RequestMeta) -> Result<PromoCode, PromoCodeError> {
        self.update(actor, id, PromoCodeChanges { active: Some(false), ..PromoCodeChanges::default() }, meta).await
    }

    /// One promo code, with its live use count (admins only).
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Storage`.
    pub async fn get(&self, actor: &AccessClaims, id: PromoCodeId) -> Result<PromoCode, PromoCodeError> {
        acting_admin(&self.ports, actor).await?;
        self.ports.promo_codes.get(id).await?.ok_or(PromoCodeError::NotFound)
    }

    /// Every promo code, newest first (admins only).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn list(&self, actor: &AccessClaims, page: PageRequest) -> Result<Page<PromoCode>, PromoCodeError> {
        acting_admin(&self.ports, actor).await?;
        Ok(self.ports.promo_codes.list(page).await?)
    }

    /// The code with its products in id order without repeats, once every rule holds.
    async fn checked(&self, mut code: PromoCode) -> Result<PromoCode, PromoCodeError> {
        code.product_ids.sort();
        code.product_ids.dedup();
        let mut p = Problems::new();
        p.keep(code.check(self.currency));
        let mut missing = Vec::new();
        for id in &code.product_ids {
            if self.ports.products.get(*id).await?.is_none() {
                missing.push(id.0.to_string());
            }
        }
        if !missing.is_empty() {
            p.add("productIds", format!("names no product: {}", missing.join(", ")), "Pick ids from GET /api/admin/products.");
        }
        p.finish()?;
        Ok(code)
    }

    async fn audit(&self, meta: &RequestMeta, admin: &User, code: &PromoCode, what: &str, now: OffsetDateTime) {
        let reason = format!("promo code {} ({}) {what} by admin user:{}", code.code, code.id.0, admin.id);
        let event = AuditEvent::new(meta, now, AuditKind::PromoCodeSaved, Some(format!("user:{}", admin.id)), reason);
        if let Err(e) = self.ports.audit.record(&event).await {
            tracing::error!(error = %e, kind = event.kind.as_str(), "could not write audit event");
        }
    }
}

/// The products were checked just before, so a refused write means the code is taken.
fn taken(e: RepoError, code: &PromoCode) -> PromoCodeError {
    match e {
        RepoError::Conflict(_) => PromoCodeError::CodeTaken(code.code.clone()),
        other => PromoCodeError::Storage(other),
    }
}
