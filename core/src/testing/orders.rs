//! In-memory orders. The order fake places and moves orders with the
//! same outcomes as the SQL store: the key is claimed first, then the slot place, the promo-code caps
//! and the coupons, and anything refused undoes what was taken.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;

use super::sync::{InMemoryChanges, change_data};
use super::{InMemoryCarts, InMemoryCouponRepository, InMemoryDeliverySlots, InMemoryOutbox, InMemoryPromoCodeRepository, lock};
use crate::domain::orders::{Order, OrderEvent, OrderId};
use crate::domain::sync::{ChangeOperation, OutboundEntity};
use crate::domain::{Page, UserId};
use crate::error::RepoError;
use crate::ports::{
    CartRepository, DeliverySlotRepository, NewOrder, OrderQuery, OrderRepository, PlaceRefused, Placed, PromoCodeRepository, StatusChange,
};

/// Runs a fake's future to its end without an executor: the fakes never wait, so one poll finishes it.
/// Lets a checkout read other fakes while it holds a lock (which must not be held across an `.await`).
fn at_once<T>(future: impl Future<Output = Result<T, RepoError>>) -> Result<T, RepoError> {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(result) => result,
        std::task::Poll::Pending => Err(RepoError::Internal("an in-memory fake waited".into())),
    }
}

#[derive(Debug, Default)]
struct OrdersState {
    orders: HashMap<OrderId, Order>,
    events: Vec<(OrderId, OrderEvent)>,
    /// (customer, key) → (fingerprint, order; `None` while the checkout holding the key runs).
    keys: HashMap<(UserId, String), (String, Option<OrderId>)>,
    next_number: i64,
}

/// Orders in memory, sharing the slot, coupon, promo-code, cart, outbox and change-feed fakes of the world.
pub struct InMemoryOrders {
    slots: Arc<InMemoryDeliverySlots>,
    coupons: Arc<InMemoryCouponRepository>,
    promo_codes: Arc<InMemoryPromoCodeRepository>,
    carts: Arc<InMemoryCarts>,
    outbox: Arc<InMemoryOutbox>,
    changes: Arc<InMemoryChanges>,
    state: Mutex<OrdersState>,
    /// Held while a checkout checks and takes its vouchers.
    vouchers: Mutex<()>,
}

impl std::fmt::Debug for InMemoryOrders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryOrders").finish_non_exhaustive()
    }
}

impl InMemoryOrders {
    #[must_use]
    pub fn new(
        slots: Arc<InMemoryDeliverySlots>,
        coupons: Arc<InMemoryCouponRepository>,
        promo_codes: Arc<InMemoryPromoCodeRepository>,
        carts: Arc<InMemoryCarts>,
        outbox: Arc<InMemoryOutbox>,
        changes: Arc<InMemoryChanges>,
    ) -> Self {
        Self {
            slots,
            coupons,
            promo_codes,
            carts,
            outbox,
            changes,
            state: Mutex::new(OrdersState { next_number: 100_001, ..OrdersState::default() }),
            vouchers: Mutex::new(()),
        }
    }

    /// The change records written for SAP: (order, operation), in order.
    #[must_use]
    pub fn changes(&self) -> Vec<(OrderId, &'static str)> {
        let order = OutboundEntity::Order.as_str();
        self.changes.all().into_iter().filter(|c| c.entity == order).map(|c| (OrderId(c.entity_id), c.operation.as_str())).collect()
    }

    fn record(&self, order: &Order, operation: ChangeOperation, at: OffsetDateTime) {
        self.changes.append(OutboundEntity::Order, order.id.0, operation, change_data(order.id.0, order.sap_id.as_deref()), at);
    }

    /// Every stored order (for the stats fake, which aggregates over them).
    pub(crate) fn all(&self) -> Vec<Order> {
        lock(&self.state).orders.values().cloned().collect()
    }

    /// Sets the SAP id of an order that has none (`SapLinkRepository::remember_sap_id`).
    pub(crate) fn remember_sap_id(&self, id: uuid::Uuid, sap_id: &str) -> Result<bool, RepoError> {
        let mut state = lock(&self.state);
        if state.orders.get(&OrderId(id)).is_none_or(|o| o.sap_id.is_some()) {
            return Ok(false);
        }
        if state.orders.values().any(|o| o.sap_id.as_deref() == Some(sap_id)) {
            return Err(RepoError::Conflict("orders.sap_id".into()));
        }
        if let Some(order) = state.orders.get_mut(&OrderId(id)) {
            order.sap_id = Some(sap_id.to_owned());
        }
        Ok(true)
    }

    /// Checks the promo code's caps, takes the coupons and counts the use, one checkout at a time (as the
    /// SQL store's row locks serialize them: two checkouts must not both see the last use or coupon left).
    /// Takes nothing when it refuses.
    fn take_vouchers(&self, new: &NewOrder, now: OffsetDateTime) -> Result<(), PlaceRefused> {
        let o = &new.order;
        let _one_at_a_time = lock(&self.vouchers);
        if let Some(claim) = &new.promo_code {
            let code = at_once(self.promo_codes.get(claim.id))?.ok_or(RepoError::Conflict("orders.promo_code_id".into()))?;
            if !code.active || code.max_uses.is_some_and(|m| code.uses >= m) {
                return Err(PlaceRefused::PromoCodeUsedUp);
            }
            if let Some(cap) = code.max_uses_per_customer
                && at_once(self.promo_codes.customer_uses(code.id, o.customer_id))? >= cap
            {
                return Err(PlaceRefused::PromoCodeUsedUpByCustomer);
            }
        }
        let mut redemptions = new.coupons.clone();
        redemptions.sort_by_key(|r| r.product_id);
        for r in redemptions.iter().filter(|r| r.count > 0) {
            if let Err(available) = self.coupons.redeem(o.customer_id, r.product_id, r.count, o.id, now) {
                self.coupons.restore(o.id, now);
                return Err(PlaceRefused::NotEnoughCoupons { product: r.product_id, available });
            }
        }
        if let Some(claim) = &new.promo_code {
            self.promo_codes.record_order(o.id, claim.id, o.customer_id, o.status);
        }
        Ok(())
    }

    async fn place_claimed(&self, new: &NewOrder, now: OffsetDateTime) -> Result<Order, PlaceRefused> {
        let o = &new.order;
        if !self.slots.reserve(o.slot.slot_id, o.slot.date).await? {
            return Err(PlaceRefused::SlotFull);
        }
        if let Err(refusal) = self.take_vouchers(new, now) {
            self.slots.release(o.slot.slot_id, o.slot.date).await?;
            return Err(refusal);
        }
        let stored = {
            let mut state = lock(&self.state);
            let mut stored = o.clone();
            stored.number = state.next_number;
            state.next_number += 1;
            state.orders.insert(stored.id, stored.clone());
            state.events.push((stored.id, new.event.clone()));
            self.record(&stored, ChangeOperation::Create, now);
            stored
        };
        for m in &new.outbox {
            self.outbox.push(m, now);
        }
        self.carts.clear(o.customer_id).await?;
        Ok(stored)
    }
}

#[async_trait]
impl OrderRepository for InMemoryOrders {
    async fn place(&self, new: &NewOrder, now: OffsetDateTime) -> Result<Placed, PlaceRefused> {
        let key = (new.order.customer_id, new.idempotency.key.clone());
        {
            let mut state = lock(&self.state);
            match state.keys.get(&key) {
                Some((fingerprint, _)) if *fingerprint != new.idempotency.request_fingerprint => return Err(PlaceRefused::KeyReused),
                Some((_, Some(order))) => {
                    let order = state.orders.get(order).cloned().ok_or(RepoError::NotFound)?;
                    return Ok(Placed::Replayed(order));
                }
                // Another checkout with this key is running: like the SQL store, the caller would wait; here it is refused
                // as unavailable so the client retries.
                Some((_, None)) => return Err(RepoError::Unavailable("the same checkout is in progress".into()).into()),
                None => {
                    state.keys.insert(key.clone(), (new.idempotency.request_fingerprint.clone(), None));
                }
            }
        }
        match self.place_claimed(new, now).await {
            Ok(order) => {
                lock(&self.state).keys.insert(key, (new.idempotency.request_fingerprint.clone(), Some(order.id)));
                Ok(Placed::New(order))
            }
            Err(e) => {
                lock(&self.state).keys.remove(&key);
                Err(e)
            }
        }
    }

    async fn by_idempotency_key(&self, customer: UserId, key: &str) -> Result<Option<(String, OrderId)>, RepoError> {
        Ok(lock(&self.state).keys.get(&(customer, key.to_owned())).and_then(|(f, o)| o.map(|o| (f.clone(), o))))
    }

    async fn get(&self, id: OrderId) -> Result<Option<Order>, RepoError> {
        Ok(lock(&self.state).orders.get(&id).cloned())
    }

    async fn get_by_number(&self, number: i64) -> Result<Option<Order>, RepoError> {
        Ok(lock(&self.state).orders.values().find(|o| o.number == number).cloned())
    }

    async fn list(&self, q: &OrderQuery) -> Result<Page<Order>, RepoError> {
        let mut found: Vec<Order> = lock(&self.state)
            .orders
            .values()
            .filter(|o| q.customer.is_none_or(|c| o.customer_id == c))
            .filter(|o| q.status.is_none_or(|s| o.status == s))
            .filter(|o| q.from.is_none_or(|f| o.created_at >= f) && q.until.is_none_or(|u| o.created_at < u))
            .filter(|o| q.page.cursor.is_none_or(|c| o.id.0 < c))
            .cloned()
            .collect();
        found.sort_by_key(|o| std::cmp::Reverse(o.id));
        let more = found.len() > q.page.limit as usize;
        found.truncate(q.page.limit as usize);
        let next_cursor = if more { found.last().map(|o| o.id.0) } else { None };
        Ok(Page { items: found, next_cursor })
    }

    async fn events(&self, id: OrderId) -> Result<Vec<OrderEvent>, RepoError> {
        Ok(lock(&self.state).events.iter().filter(|(o, _)| *o == id).map(|(_, e)| e.clone()).collect())
    }

    async fn change_status(&self, c: &StatusChange, now: OffsetDateTime) -> Result<Option<Order>, RepoError> {
        let moved = {
            let mut state = lock(&self.state);
            let order = state.orders.get_mut(&c.order_id).ok_or(RepoError::NotFound)?;
            if order.status != c.from {
                return Ok(None);
            }
            order.status = c.event.to;
            order.version += 1;
            order.updated_at = now;
            let moved = order.clone();
            state.events.push((c.order_id, c.event.clone()));
            self.record(&moved, ChangeOperation::Update, now);
            moved
        };
        if c.release_slot {
            self.slots.release(moved.slot.slot_id, moved.slot.date).await?;
        }
        if c.restore_vouchers {
            self.coupons.restore(moved.id, now);
        }
        if let Some(code) = self.promo_codes_of(&moved).await? {
            self.promo_codes.record_order(moved.id, code, moved.customer_id, moved.status);
        }
        for m in &c.outbox {
            self.outbox.push(m, now);
        }
        Ok(Some(moved))
    }
}

impl InMemoryOrders {
    /// The promo code an order used, found by the code text it stores.
    async fn promo_codes_of(&self, order: &Order) -> Result<Option<crate::domain::orders::PromoCodeId>, RepoError> {
        match &order.promo_code {
            Some(code) => Ok(self.promo_codes.find_by_code(code).await?.map(|c| c.id)),
            None => Ok(None),
        }
    }
}
