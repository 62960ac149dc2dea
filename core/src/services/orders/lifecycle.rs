//! Orders after checkout: customers read their own and may cancel before delivery starts; admins list
//! and move any order; every move follows the lifecycle table and is stored with its event, its change
//! record for SAP and its notification. Cancelling gives back the slot place, coupons and promo-code use,
//! and a paid order's money (a refund through the worker).
use crate::domain::orders::{Actor, Order, OrderEvent, OrderId, OrderStatus, TransitionRejected};
use crate::domain::{AccessClaims, Invalid, Page, PageRequest, UserId};
use crate::ports::{CartItem, OrderQuery, OutboxMessage, PaymentAttempt, StatusChange};
use crate::services::authorization::acting_admin;

use super::cart::CartView;
use super::{CheckoutError, OrderError, OrderService};

/// An order with its history and payment attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetails {
    pub order: Order,
    pub events: Vec<OrderEvent>,
    /// Newest first.
    pub payments: Vec<PaymentAttempt>,
}

/// The most characters of a reason given for a move.
const MAX_REASON: usize = 500;

impl OrderService {
    /// The caller's orders, newest first, optionally in one status.
    ///
    /// # Errors
    /// `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn my_orders(&self, actor: &AccessClaims, status: Option<OrderStatus>, page: PageRequest) -> Result<Page<Order>, OrderError> {
        let customer = self.customer(actor).await?;
        Ok(self.ports.orders.list(&OrderQuery { customer: Some(customer), status, from: None, until: None, page }).await?)
    }

    /// One of the caller's orders; another customer's order is `NotFound` like a missing one.
    ///
    /// # Errors
    /// `NotFound`, `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn my_order(&self, actor: &AccessClaims, id: OrderId) -> Result<OrderDetails, OrderError> {
        let customer = self.customer(actor).await?;
        let order = self.owned(customer, id).await?;
        self.details(order).await
    }

    /// Cancels one of the caller's orders, if it has not left for delivery.
    ///
    /// # Errors
    /// `Transition` when the order can no longer be cancelled by its customer, `Concurrent` when it moved
    /// meanwhile, `Invalid` for a too long reason; `NotFound`, `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn cancel_my_order(&self, actor: &AccessClaims, id: OrderId, reason: Option<String>) -> Result<Order, OrderError> {
        let customer = self.customer(actor).await?;
        let order = self.owned(customer, id).await?;
        // Coupons bought with a paid order may already be spent: such an order is cancelled by support, who
        // settle the wallet and the refund together.
        if !matches!(order.status, OrderStatus::PendingPayment | OrderStatus::PaymentFailed) {
            let products: Vec<_> = order.lines.iter().map(|l| l.product_id).collect();
            if !self.ports.coupon_books.for_products(&products).await?.is_empty() {
                return Err(TransitionRejected { from: order.status, to: OrderStatus::Cancelled, allowed: Vec::new() }.into());
            }
        }
        self.move_order(&order, OrderStatus::Cancelled, Actor::customer(customer), reason).await
    }

    /// Fills the caller's cart with an old order's products (those still on sale), in their quantities.
    ///
    /// # Errors
    /// `NotFound` for an unknown or someone else's order, `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn reorder(&self, actor: &AccessClaims, id: OrderId) -> Result<CartView, CheckoutError> {
        let customer = self.customer(actor).await?;
        let order = match self.owned(customer, id).await {
            Ok(order) => order,
            Err(OrderError::Storage(e)) => return Err(CheckoutError::Storage(e)),
            Err(_) => return Err(CheckoutError::OrderNotFound),
        };
        let now = self.ports.clock.now();
        for line in &order.lines {
            let Some(product) = self.ports.products.get(line.product_id).await?.filter(|p| p.active) else { continue };
            let quantity = line.quantity.clamp(product.min_quantity, product.max_quantity);
            self.ports.carts.put(customer, CartItem { product_id: product.id, quantity }, now).await?;
        }
        self.cart_of(customer, None).await
    }

    /// Any order (admins), filtered and paged, newest first.
    ///
    /// # Errors
    /// `Admin` when the caller is not an active admin; `Storage`.
    pub async fn all_orders(&self, actor: &AccessClaims, query: &OrderQuery) -> Result<Page<Order>, OrderError> {
        acting_admin(&self.ports, actor).await?;
        Ok(self.ports.orders.list(query).await?)
    }

    /// Any order with its history (admins).
    ///
    /// # Errors
    /// `Admin`, `NotFound`, `Storage`.
    pub async fn any_order(&self, actor: &AccessClaims, id: OrderId) -> Result<OrderDetails, OrderError> {
        acting_admin(&self.ports, actor).await?;
        let order = self.ports.orders.get(id).await?.ok_or(OrderError::NotFound)?;
        self.details(order).await
    }

    /// Any order with its history, by its human number (admins; `sabil orders show 100001`).
    ///
    /// # Errors
    /// `Admin`, `NotFound`, `Storage`.
    pub async fn any_order_by_number(&self, actor: &AccessClaims, number: i64) -> Result<OrderDetails, OrderError> {
        acting_admin(&self.ports, actor).await?;
        let order = self.ports.orders.get_by_number(number).await?.ok_or(OrderError::NotFound)?;
        self.details(order).await
    }

    /// Moves an order (admins), as the lifecycle allows an admin.
    ///
    /// # Errors
    /// `Admin`, `NotFound`, `Transition` (with the allowed moves), `Concurrent`, `Invalid`, `Storage`.
    pub async fn set_status(
        &self,
        actor: &AccessClaims,
        id: OrderId,
        to: OrderStatus,
        reason: Option<String>,
    ) -> Result<Order, OrderError> {
        let admin = acting_admin(&self.ports, actor).await?;
        let order = self.ports.orders.get(id).await?.ok_or(OrderError::NotFound)?;
        self.move_order(&order, to, Actor::admin(admin.id), reason).await
    }

    /// Moves `order` to `to` for `actor` with everything the move brings: a cancellation gives back the slot
    /// place, the coupons and the promo-code use, and has a captured payment refunded.
    ///
    /// # Errors
    /// `Transition`, `Concurrent` (the order was no longer in the status read), `Invalid`, `Storage`.
    pub async fn move_order(&self, order: &Order, to: OrderStatus, actor: Actor, reason: Option<String>) -> Result<Order, OrderError> {
        let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        if reason.as_deref().is_some_and(|r| r.chars().count() > MAX_REASON) {
            return Err(Invalid::field("reason", format!("is longer than {MAX_REASON} characters"), "Shorten the reason.").into());
        }
        order.status.check_move(to, actor.kind)?;
        let cancelling = to == OrderStatus::Cancelled;
        let mut outbox = vec![OutboxMessage::OrderStatusChanged { order_id: order.id, customer_id: order.customer_id, status: to }];
        if cancelling {
            for payment in self.ports.payments.for_order(order.id).await? {
                if payment.status == "CAPTURED" {
                    outbox.push(OutboxMessage::RefundPayment { order_id: order.id, payment_id: payment.id });
                }
            }
        }
        if let Some(message) = self.coupon_purchase(order, to).await? {
            outbox.push(message);
        }
        let now = self.ports.clock.now();
        let change = StatusChange {
            order_id: order.id,
            from: order.status,
            event: OrderEvent { from: Some(order.status), to, actor, reason, at: now },
            release_slot: cancelling,
            restore_vouchers: cancelling,
            outbox,
        };
        match self.ports.orders.change_status(&change, now).await? {
            Some(moved) => {
                tracing::info!(order = %moved.id.0, from = order.status.as_str(), to = to.as_str(), by = change.event.actor.kind.as_str(), "order moved");
                Ok(moved)
            }
            None => {
                let now_status = self.ports.orders.get(order.id).await?.map_or(order.status, |o| o.status);
                Err(OrderError::Concurrent(now_status))
            }
        }
    }

    /// Moves an order on the payment provider's or the platform's word; `None` when the lifecycle does not
    /// allow it from where the order is now (a late or repeated notification changes nothing).
    pub(super) async fn move_if_allowed(
        &self,
        id: OrderId,
        to: OrderStatus,
        actor: Actor,
        reason: &str,
    ) -> Result<Option<Order>, OrderError> {
        // A concurrent move may win; read again and retry a few times rather than fail a webhook.
        for _ in 0..3 {
            let order = self.ports.orders.get(id).await?.ok_or(OrderError::NotFound)?;
            if order.status == to || order.status.check_move(to, actor.kind).is_err() {
                return Ok(None);
            }
            match self.move_order(&order, to, actor.clone(), Some(reason.to_owned())).await {
                Ok(moved) => return Ok(Some(moved)),
                Err(OrderError::Concurrent(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    async fn owned(&self, customer: UserId, id: OrderId) -> Result<Order, OrderError> {
        self.ports.orders.get(id).await?.filter(|o| o.customer_id == customer).ok_or(OrderError::NotFound)
    }

    async fn details(&self, order: Order) -> Result<OrderDetails, OrderError> {
        let events = self.ports.orders.events(order.id).await?;
        let payments = self.ports.payments.for_order(order.id).await?;
        Ok(OrderDetails { order, events, payments })
    }
}
