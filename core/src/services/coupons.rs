//! The coupon wallet: customers read their balances and the history of their coupons; admins give
//! coupons to customers (audited); the sync-worker expires what passed its date. Redeeming coupons
//! and giving them back happen inside the checkout's and the cancellation's transactions.
use std::collections::HashMap;

use time::OffsetDateTime;

use crate::domain::catalog::ProductId;
use crate::domain::orders::{CouponBalance, CouponBatchId, CouponEntry, CouponSource, NewCouponBatch};
use crate::domain::validation::Problems;
use crate::domain::{
    AccessClaims, AuditEvent, AuditKind, Invalid, LocalizedText, Page, PageRequest, RequestMeta, Role, Subject, UserId, UserStatus,
};
use crate::error::RepoError;
use crate::ports::Ports;
use crate::services::authorization::{AdminDenied, acting_admin};

/// The most coupons one issue may give.
pub const MAX_COUPONS_PER_ISSUE: u32 = 1000;
/// The most characters of an issue's note.
pub const COUPON_NOTE_MAX_CHARS: usize = 500;
/// Batches expired per store call by [`CouponService::expire_due`].
const EXPIRY_CHUNK: u32 = 500;

/// Coupons an admin gives a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponGrant {
    /// Must be a customer's account (not deleted).
    pub customer_id: UserId,
    /// Must be an existing product.
    pub product_id: ProductId,
    /// 1 to [`MAX_COUPONS_PER_ISSUE`].
    pub count: u32,
    /// When unused coupons expire (in the future); `None` for never.
    pub expires_at: Option<OffsetDateTime>,
    /// Why, for other admins (at most 500 characters; blank is none).
    pub note: Option<String>,
}

/// A balance with the title of its product (when the product is still there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletBalance {
    pub balance: CouponBalance,
    pub product_title: Option<LocalizedText>,
}

/// A ledger entry with the title of its product (when the product is still there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletEntry {
    pub entry: CouponEntry,
    pub product_title: Option<LocalizedText>,
}

/// What a customer's wallet shows: every balance and one page of history, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Wallet {
    /// Per product with coupons left, by product id.
    pub balances: Vec<WalletBalance>,
    /// The newest entries first.
    pub history: Page<WalletEntry>,
}

/// What an admin's issue did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCoupons {
    pub batch_id: CouponBatchId,
    /// The customer's balance of the product after the issue.
    pub balance: WalletBalance,
}

/// Business outcomes of the wallet use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CouponError {
    /// The input breaks a rule (named by field, with a hint).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Only an active customer has a wallet.
    #[error("only a customer has a coupon wallet")]
    CustomersOnly,
    /// The customer's account is blocked.
    #[error("the account is blocked")]
    AccountBlocked,
    /// The caller is not an active admin.
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The store failed; not a business outcome.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The wallet use cases over the ports.
#[derive(Clone)]
pub struct CouponService {
    ports: Ports,
}

impl CouponService {
    /// The wallet use cases over these ports.
    #[must_use]
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// The caller's wallet: balances now, and the page of history asked for.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn wallet(&self, actor: &AccessClaims, page: PageRequest) -> Result<Wallet, CouponError> {
        let customer = self.customer(actor).await?;
        let balances = self.ports.coupons.balances(customer, self.ports.clock.now()).await?;
        let history = self.ports.coupons.history(customer, page).await?;
        let mut titles = Titles::default();
        let mut shown = Vec::with_capacity(balances.len());
        for balance in balances {
            shown.push(WalletBalance { product_title: titles.of(&self.ports, balance.product_id).await?, balance });
        }
        Ok(Wallet { balances: shown, history: titles.entries(&self.ports, history).await? })
    }

    /// One page of the caller's coupon history, newest first.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn history(&self, actor: &AccessClaims, page: PageRequest) -> Result<Page<WalletEntry>, CouponError> {
        let customer = self.customer(actor).await?;
        let history = self.ports.coupons.history(customer, page).await?;
        Titles::default().entries(&self.ports, history).await
    }

    /// Gives a customer a batch of coupons (admins only); audited with the acting admin.
    ///
    /// # Errors
    /// `Denied`; `Invalid` naming `customerId` (no such customer), `productId` (no such product),
    /// `count` (outside 1..=1000), `expiresAt` (not in the future) or `note` (too long); `Storage`.
    pub async fn issue(&self, actor: &AccessClaims, grant: CouponGrant, meta: &RequestMeta) -> Result<IssuedCoupons, CouponError> {
        let admin = acting_admin(&self.ports, actor).await?;
        let now = self.ports.clock.now();
        let (note, product_title) = self.check_grant(&grant, now).await?;
        let batch = NewCouponBatch {
            customer_id: grant.customer_id,
            product_id: grant.product_id,
            count: grant.count,
            source: CouponSource::Admin,
            sap_id: None,
            issued_by: Some(admin.id.0),
            note,
            expires_at: grant.expires_at,
        };
        let batch_id = self.ports.coupons.issue(&batch, now).await?;
        let reason =
            format!("{} coupons of product {} issued by admin user:{} (batch {})", grant.count, grant.product_id.0, admin.id, batch_id.0);
        let event = AuditEvent::new(meta, now, AuditKind::CouponsIssued, Some(format!("user:{}", grant.customer_id)), reason);
        if let Err(e) = self.ports.audit.record(&event).await {
            tracing::error!(error = %e, kind = event.kind.as_str(), "could not write audit event");
        }
        let balance = self
            .ports
            .coupons
            .balances(grant.customer_id, now)
            .await?
            .into_iter()
            .find(|b| b.product_id == grant.product_id)
            .unwrap_or(CouponBalance { product_id: grant.product_id, available: 0, next_expiry: None });
        Ok(IssuedCoupons { batch_id, balance: WalletBalance { balance, product_title } })
    }

    /// Expires every batch whose expiry is at or before `now` and that still holds coupons (the
    /// sync-worker's step); returns how many batches it expired. Safe to run again and on several
    /// workers: a batch is expired once, for exactly what it holds.
    ///
    /// # Errors
    /// `Storage` (batches expired before the failure stay expired).
    pub async fn expire_due(&self, now: OffsetDateTime) -> Result<u32, CouponError> {
        let mut total = 0_u32;
        loop {
            let expired = self.ports.coupons.expire_due(now, EXPIRY_CHUNK).await?;
            total = total.saturating_add(expired);
            if expired < EXPIRY_CHUNK {
                return Ok(total);
            }
        }
    }

    /// Checks a grant, naming every field at fault; returns the note as stored and the product's title.
    async fn check_grant(&self, grant: &CouponGrant, now: OffsetDateTime) -> Result<(Option<String>, Option<LocalizedText>), CouponError> {
        let mut p = Problems::new();
        let customer = self.ports.users.get(grant.customer_id).await?;
        if !customer.is_some_and(|u| u.role == Role::Customer && u.status != UserStatus::Deleted) {
            p.add("customerId", "is not a customer's account", "Find the customer with GET /api/admin/users.");
        }
        let product = self.ports.products.get(grant.product_id).await?;
        if product.is_none() {
            p.add("productId", "is not a product", "Pick an id from GET /api/admin/products.");
        }
        if !(1..=MAX_COUPONS_PER_ISSUE).contains(&grant.count) {
            p.add(
                "count",
                format!("{} is outside 1..={MAX_COUPONS_PER_ISSUE}", grant.count),
                format!("Give 1 to {MAX_COUPONS_PER_ISSUE} coupons at a time."),
            );
        }
        if grant.expires_at.is_some_and(|e| e <= now) {
            p.add("expiresAt", "is not in the future", "Give a later expiry, or leave it out for never.");
        }
        let note = grant.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        if note.as_ref().is_some_and(|n| n.chars().count() > COUPON_NOTE_MAX_CHARS) {
            p.add("note", format!("is longer than {COUPON_NOTE_MAX_CHARS} characters"), "Shorten the note.");
        }
        p.finish()?;
        Ok((note, product.map(|p| p.title)))
    }

    /// The calling customer, checked against the store: a blocked or deleted account loses its
    /// wallet at once, not when its access token expires.
    async fn customer(&self, actor: &AccessClaims) -> Result<UserId, CouponError> {
        let (Subject::User(id), Role::Customer) = (actor.subject, actor.role) else { return Err(CouponError::CustomersOnly) };
        let user = self.ports.users.get(id).await?.ok_or(CouponError::CustomersOnly)?;
        match (user.role, user.status) {
            (Role::Customer, UserStatus::Active) => Ok(id),
            (_, UserStatus::Blocked) => Err(CouponError::AccountBlocked),
            _ => Err(CouponError::CustomersOnly),
        }
    }
}

/// Product titles looked up once per product.
#[derive(Default)]
struct Titles(HashMap<ProductId, Option<LocalizedText>>);

impl Titles {
    async fn of(&mut self, ports: &Ports, product: ProductId) -> Result<Option<LocalizedText>, RepoError> {
        if let Some(title) = self.0.get(&product) {
            return Ok(title.clone());
        }
        let title = ports.products.get(product).await?.map(|p| p.title);
        self.0.insert(product, title.clone());
        Ok(title)
    }

    async fn entries(&mut self, ports: &Ports, page: Page<CouponEntry>) -> Result<Page<WalletEntry>, CouponError> {
        let mut items = Vec::with_capacity(page.items.len());
        for entry in page.items {
            items.push(WalletEntry { product_title: self.of(ports, entry.product_id).await?, entry });
        }
        Ok(Page { items, next_cursor: page.next_cursor })
    }
}
