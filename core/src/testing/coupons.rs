//! The in-memory coupon wallet, behaving as the SQL store does (checked by the conformance suite),
//! with the redemption and restoration an in-memory order store performs in its checkout.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::catalog::InMemoryProducts;
use super::lock;
use crate::domain::catalog::ProductId;
use crate::domain::orders::{CouponBalance, CouponBatchId, CouponEntry, CouponEntryKind, NewCouponBatch, OrderId};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;
use crate::ports::{CouponRepository, UserRepository};

#[derive(Debug, Clone)]
struct Batch {
    id: CouponBatchId,
    customer: UserId,
    product: ProductId,
    sap_id: Option<String>,
    expires_at: Option<OffsetDateTime>,
}

impl Batch {
    fn live(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_none_or(|e| e > now)
    }
}

#[derive(Debug, Clone)]
struct Row {
    id: Uuid,
    customer: UserId,
    entry: CouponEntry,
}

#[derive(Debug, Default)]
struct Wallets {
    batches: Vec<Batch>,
    ledger: Vec<Row>,
}

impl Wallets {
    fn held(&self, batch: CouponBatchId) -> i64 {
        self.ledger.iter().filter(|r| r.entry.batch_id == batch).map(|r| i64::from(r.entry.delta)).sum()
    }

    fn write(&mut self, batch: &Batch, kind: CouponEntryKind, delta: i64, order_id: Option<OrderId>, at: OffsetDateTime) {
        let delta = i32::try_from(delta).unwrap_or(if delta < 0 { i32::MIN } else { i32::MAX });
        let entry = CouponEntry { batch_id: batch.id, product_id: batch.product, kind, delta, order_id, at };
        self.ledger.push(Row { id: Uuid::now_v7(), customer: batch.customer, entry });
    }
}

/// Coupon batches and their ledger in memory; customers and products must exist in the stores it
/// was built with, as the SQL store's foreign keys demand.
pub struct InMemoryCouponRepository {
    users: Arc<dyn UserRepository>,
    products: Arc<InMemoryProducts>,
    state: Mutex<Wallets>,
}

impl InMemoryCouponRepository {
    /// A wallet store whose customers live in `users` and products in `products`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>, products: Arc<InMemoryProducts>) -> Self {
        Self { users, products, state: Mutex::default() }
    }

    /// What a checkout does in its transaction: takes `count` coupons of `product` from the customer's
    /// live batches, earliest expiry first (never-expiring last), one `redeemed` row per batch touched.
    /// Takes nothing when there are not enough.
    ///
    /// # Errors
    /// The number available, when it is less than `count`.
    pub fn redeem(&self, customer: UserId, product: ProductId, count: u32, order: OrderId, now: OffsetDateTime) -> Result<(), u32> {
        let mut state = lock(&self.state);
        let mut batches: Vec<Batch> =
            state.batches.iter().filter(|b| b.customer == customer && b.product == product && b.live(now)).cloned().collect();
        batches.sort_by_key(|b| (b.expires_at.is_none(), b.expires_at, b.id));
        let available: i64 = batches.iter().map(|b| state.held(b.id).max(0)).sum();
        if available < i64::from(count) {
            return Err(u32::try_from(available).unwrap_or(0));
        }
        let mut missing = i64::from(count);
        for b in batches {
            let take = state.held(b.id).min(missing);
            if take > 0 {
                state.write(&b, CouponEntryKind::Redeemed, -take, Some(order), now);
                missing -= take;
            }
        }
        Ok(())
    }

    /// What a cancellation does in its transaction: gives back to each batch what the order still
    /// holds of it (`restored` rows); a second call restores nothing.
    pub fn restore(&self, order: OrderId, now: OffsetDateTime) {
        let mut state = lock(&self.state);
        let mut held: BTreeMap<CouponBatchId, i64> = BTreeMap::new();
        for r in state.ledger.iter().filter(|r| r.entry.order_id == Some(order)) {
            *held.entry(r.entry.batch_id).or_default() += i64::from(r.entry.delta);
        }
        for (batch, sum) in held.into_iter().filter(|(_, sum)| *sum < 0) {
            if let Some(b) = state.batches.iter().find(|b| b.id == batch).cloned() {
                state.write(&b, CouponEntryKind::Restored, -sum, Some(order), now);
            }
        }
    }
}

impl std::fmt::Debug for InMemoryCouponRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryCouponRepository").field("state", &self.state).finish_non_exhaustive()
    }
}

#[async_trait]
impl CouponRepository for InMemoryCouponRepository {
    async fn issue(&self, batch: &NewCouponBatch, now: OffsetDateTime) -> Result<CouponBatchId, RepoError> {
        // In the SQL store's order: a count the column cannot hold first, then the SAP id, then the rest.
        if i32::try_from(batch.count).is_err() {
            return Err(RepoError::Conflict("coupon_ledger.delta".into()));
        }
        if let Some(sap_id) = &batch.sap_id
            && let Some(existing) = lock(&self.state).batches.iter().find(|b| b.sap_id.as_ref() == Some(sap_id))
        {
            return Ok(existing.id);
        }
        if self.users.get(batch.customer_id).await?.is_none() {
            return Err(RepoError::Conflict("coupon_batches.user_id".into()));
        }
        if !self.products.contains(batch.product_id) {
            return Err(RepoError::Conflict("coupon_batches.product_id".into()));
        }
        if batch.count == 0 {
            return Err(RepoError::Conflict("coupon_ledger.delta".into()));
        }
        let mut state = lock(&self.state);
        // Checked again under the lock: a concurrent issue of the same SAP batch may have won.
        if let Some(sap_id) = &batch.sap_id
            && let Some(existing) = state.batches.iter().find(|b| b.sap_id.as_ref() == Some(sap_id))
        {
            return Ok(existing.id);
        }
        let stored = Batch {
            id: CouponBatchId(Uuid::now_v7()),
            customer: batch.customer_id,
            product: batch.product_id,
            sap_id: batch.sap_id.clone(),
            expires_at: batch.expires_at,
        };
        state.write(&stored, CouponEntryKind::Issued, i64::from(batch.count), None, now);
        state.batches.push(stored.clone());
        Ok(stored.id)
    }

    async fn balances(&self, customer: UserId, now: OffsetDateTime) -> Result<Vec<CouponBalance>, RepoError> {
        let state = lock(&self.state);
        let mut by_product: BTreeMap<ProductId, CouponBalance> = BTreeMap::new();
        for b in state.batches.iter().filter(|b| b.customer == customer && b.live(now)) {
            let held = state.held(b.id);
            if held <= 0 {
                continue;
            }
            let balance = by_product.entry(b.product).or_insert(CouponBalance { product_id: b.product, available: 0, next_expiry: None });
            balance.available = balance.available.saturating_add(u32::try_from(held).unwrap_or(u32::MAX));
            balance.next_expiry = match (balance.next_expiry, b.expires_at) {
                (Some(a), Some(e)) => Some(a.min(e)),
                (a, e) => a.or(e),
            };
        }
        Ok(by_product.into_values().collect())
    }

    async fn history(&self, customer: UserId, page: PageRequest) -> Result<Page<CouponEntry>, RepoError> {
        let state = lock(&self.state);
        let key = |r: &Row| (r.entry.at, r.id);
        let after = match page.cursor {
            None => None,
            Some(c) => match state.ledger.iter().find(|r| r.id == c && r.customer == customer) {
                Some(r) => Some(key(r)),
                None => return Ok(Page { items: vec![], next_cursor: None }),
            },
        };
        let mut rows: Vec<&Row> = state.ledger.iter().filter(|r| r.customer == customer && after.is_none_or(|a| key(r) < a)).collect();
        rows.sort_by_key(|r| std::cmp::Reverse(key(r)));
        let limit = page.limit as usize;
        let next_cursor = if rows.len() > limit { limit.checked_sub(1).and_then(|i| rows.get(i)).map(|r| r.id) } else { None };
        Ok(Page { items: rows.into_iter().take(limit).map(|r| r.entry.clone()).collect(), next_cursor })
    }

    async fn expire_due(&self, now: OffsetDateTime, limit: u32) -> Result<u32, RepoError> {
        let mut state = lock(&self.state);
        let mut due: Vec<Batch> =
            state.batches.iter().filter(|b| b.expires_at.is_some_and(|e| e <= now) && state.held(b.id) > 0).cloned().collect();
        due.sort_by_key(|b| (b.expires_at, b.id));
        due.truncate(limit as usize);
        for b in &due {
            let held = state.held(b.id);
            state.write(b, CouponEntryKind::Expired, -held, None, now);
        }
        Ok(u32::try_from(due.len()).unwrap_or(u32::MAX))
    }
}
