//! In-memory promo codes, behaving as the SQL store does (checked by the conformance suite), with
//! the use counting an in-memory order store performs in its checkout and cancellations.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;

use super::catalog::InMemoryProducts;
use super::lock;
use crate::domain::orders::{OrderId, OrderStatus, PromoCode, PromoCodeId};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;
use crate::ports::PromoCodeRepository;

/// An order that used a code, as far as use counting cares.
#[derive(Debug, Clone, Copy)]
struct Use {
    code: PromoCodeId,
    customer: UserId,
    status: OrderStatus,
}

fn counts(status: OrderStatus) -> bool {
    !matches!(status, OrderStatus::Cancelled | OrderStatus::Refunded)
}

#[derive(Debug, Default)]
struct State {
    codes: Vec<PromoCode>,
    orders: HashMap<OrderId, Use>,
}

/// Promo codes in memory; listed products must exist in the store it was built with.
#[derive(Debug)]
pub struct InMemoryPromoCodeRepository {
    products: Arc<InMemoryProducts>,
    state: Mutex<State>,
}

impl InMemoryPromoCodeRepository {
    /// Promo codes whose products live in `products`.
    #[must_use]
    pub fn new(products: Arc<InMemoryProducts>) -> Self {
        Self { products, state: Mutex::default() }
    }

    /// What the order store does in the transactions of an order that uses `code`: records the
    /// order's status (first at placing, then at every move) and keeps the code's `uses` equal to
    /// the orders that still count (every status but cancelled and refunded).
    pub fn record_order(&self, order: OrderId, code: PromoCodeId, customer: UserId, status: OrderStatus) {
        let mut state = lock(&self.state);
        let before = state.orders.insert(order, Use { code, customer, status }).is_some_and(|u| counts(u.status));
        let delta = i64::from(counts(status)) - i64::from(before);
        if let Some(stored) = state.codes.iter_mut().find(|c| c.id == code) {
            stored.uses = u32::try_from((i64::from(stored.uses) + delta).max(0)).unwrap_or(u32::MAX);
        }
    }

    fn check_products(&self, code: &PromoCode) -> Result<(), RepoError> {
        if code.product_ids.iter().all(|id| self.products.contains(*id)) {
            Ok(())
        } else {
            Err(RepoError::Conflict("promo_code_products.product_id".into()))
        }
    }
}

fn normalised(code: &PromoCode) -> PromoCode {
    let mut code = code.clone();
    code.product_ids.sort();
    code.product_ids.dedup();
    code
}

#[async_trait]
impl PromoCodeRepository for InMemoryPromoCodeRepository {
    async fn create(&self, code: &PromoCode, _now: OffsetDateTime) -> Result<(), RepoError> {
        self.check_products(code)?;
        let mut state = lock(&self.state);
        if state.codes.iter().any(|c| c.id == code.id || c.code == code.code) {
            return Err(RepoError::Conflict("promo_codes".into()));
        }
        state.codes.push(PromoCode { uses: 0, ..normalised(code) });
        Ok(())
    }

    async fn update(&self, code: &PromoCode, _now: OffsetDateTime) -> Result<(), RepoError> {
        let mut state = lock(&self.state);
        if !state.codes.iter().any(|c| c.id == code.id) {
            return Err(RepoError::NotFound);
        }
        self.check_products(code)?;
        if state.codes.iter().any(|c| c.id != code.id && c.code == code.code) {
            return Err(RepoError::Conflict("promo_codes.code".into()));
        }
        let stored = state.codes.iter_mut().find(|c| c.id == code.id).ok_or(RepoError::NotFound)?;
        *stored = PromoCode { uses: stored.uses, ..normalised(code) };
        Ok(())
    }

    async fn get(&self, id: PromoCodeId) -> Result<Option<PromoCode>, RepoError> {
        Ok(lock(&self.state).codes.iter().find(|c| c.id == id).cloned())
    }

    async fn find_by_code(&self, code: &str) -> Result<Option<PromoCode>, RepoError> {
        Ok(lock(&self.state).codes.iter().find(|c| c.code == code).cloned())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<PromoCode>, RepoError> {
        let mut items: Vec<PromoCode> =
            lock(&self.state).codes.iter().filter(|c| page.cursor.is_none_or(|cursor| c.id.0 < cursor)).cloned().collect();
        items.sort_by_key(|c| std::cmp::Reverse(c.id));
        items.truncate(page.limit as usize + 1);
        Ok(super::accounts::page_of(items, page.limit, |c| c.id.0))
    }

    async fn customer_uses(&self, code: PromoCodeId, customer: UserId) -> Result<u32, RepoError> {
        let state = lock(&self.state);
        let n = state.orders.values().filter(|u| u.code == code && u.customer == customer && counts(u.status)).count();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
