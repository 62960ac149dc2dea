//! Persistence of carts and orders. Placing an order and moving it through its lifecycle are each one
//! transaction: the order, its slot place, coupons and promo-code use, its change record for SAP and its
//! outbox messages are written together or not at all.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::catalog::ProductId;
use crate::domain::orders::{Order, OrderEvent, OrderId, OrderStatus, PromoCodeId};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;

/// One line of a cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartItem {
    pub product_id: ProductId,
    /// Packs, at least 1.
    pub quantity: u32,
}

/// Stores customers' carts.
#[async_trait]
pub trait CartRepository: Send + Sync {
    /// The customer's cart lines, in the order they were first added.
    ///
    /// # Errors
    /// Storage failures only.
    async fn items(&self, customer: UserId) -> Result<Vec<CartItem>, RepoError>;

    /// Sets the quantity of a product in the cart, adding the line when it is not there.
    ///
    /// # Errors
    /// `Conflict` when the customer or the product does not exist.
    async fn put(&self, customer: UserId, item: CartItem, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Removes a product from the cart; `false` when it was not there.
    ///
    /// # Errors
    /// Storage failures only.
    async fn remove(&self, customer: UserId, product: ProductId) -> Result<bool, RepoError>;

    /// Empties the cart.
    ///
    /// # Errors
    /// Storage failures only.
    async fn clear(&self, customer: UserId) -> Result<(), RepoError>;
}

pub use crate::domain::sync::ChangeOperation;

/// A message for the sync-worker to deliver after the transaction commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxMessage {
    /// Tell the customer their order moved (push and in-app notification).
    OrderStatusChanged { order_id: OrderId, customer_id: UserId, status: OrderStatus },
    /// Return the money of a captured payment of a cancelled order.
    RefundPayment { order_id: OrderId, payment_id: Uuid },
    /// Give the buyer the coupons of the coupon books in a paid order.
    IssuePurchasedCoupons { order_id: OrderId },
    /// Tell one customer about something (chat reply, answered question): in-app notification and push.
    Notify { user_id: UserId, event: crate::domain::notifications::NotificationEvent },
}

impl OutboxMessage {
    /// The delivery queue it goes to.
    #[must_use]
    pub fn topic(&self) -> &'static str {
        match self {
            Self::OrderStatusChanged { .. } => "notification.order",
            Self::RefundPayment { .. } => "payment.refund",
            Self::IssuePurchasedCoupons { .. } => "coupons.purchase",
            Self::Notify { .. } => "notification.user",
        }
    }

    /// One event, one message: a second message with the same key is dropped.
    #[must_use]
    pub fn dedupe_key(&self) -> String {
        match self {
            Self::OrderStatusChanged { order_id, status, .. } => format!("order:{}:{}", order_id.0, status.as_str()),
            Self::RefundPayment { payment_id, .. } => format!("refund:{payment_id}"),
            Self::IssuePurchasedCoupons { order_id } => format!("coupons:{}", order_id.0),
            Self::Notify { event, .. } => event.dedupe_key(),
        }
    }
}

/// The checkout's idempotency key: the first answer to (customer, key) is replayed for the same request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    pub key: String,
    /// A fingerprint of the request; the same key with another fingerprint is refused.
    pub request_fingerprint: String,
}

/// Coupons to take from the customer's wallet for one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CouponRedemption {
    pub product_id: ProductId,
    pub count: u32,
}

/// The promo code an order uses, with the caps to enforce atomically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromoCodeClaim {
    pub id: PromoCodeId,
    pub max_uses: Option<u32>,
    pub max_uses_per_customer: Option<u32>,
}

/// Everything `place` writes in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// The order as placed (its `number` is assigned by the store).
    pub order: Order,
    pub idempotency: IdempotencyClaim,
    pub coupons: Vec<CouponRedemption>,
    pub promo_code: Option<PromoCodeClaim>,
    /// The first lifecycle event (from nothing to the initial status).
    pub event: OrderEvent,
    pub outbox: Vec<OutboxMessage>,
}

/// What `place` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// The order was stored now.
    New(Order),
    /// The key was used before with the same request: the order it placed, as it is now.
    Replayed(Order),
}

/// Why `place` stored nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceRefused {
    #[error("the delivery slot is full")]
    SlotFull,
    #[error("not enough coupons for product {}", .product.0)]
    NotEnoughCoupons { product: ProductId, available: u32 },
    #[error("the promo code has been used up")]
    PromoCodeUsedUp,
    #[error("the customer has used the promo code as often as allowed")]
    PromoCodeUsedUpByCustomer,
    #[error("the idempotency key was used for another request")]
    KeyReused,
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// A move of an order from one status to another, with what comes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub order_id: OrderId,
    /// The move happens only if the order is still in this status (compare and set).
    pub from: OrderStatus,
    pub event: OrderEvent,
    /// Give the delivery slot place back (a cancellation).
    pub release_slot: bool,
    /// Give the order's coupons back to the wallet and its promo-code use back (a cancellation).
    pub restore_vouchers: bool,
    pub outbox: Vec<OutboxMessage>,
}

/// Filter and page for order lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    pub customer: Option<UserId>,
    pub status: Option<OrderStatus>,
    /// Placed at or after.
    pub from: Option<OffsetDateTime>,
    /// Placed before.
    pub until: Option<OffsetDateTime>,
    pub page: PageRequest,
}

/// Stores orders and their lifecycle.
#[async_trait]
pub trait OrderRepository: Send + Sync {
    /// Places an order atomically: claims the idempotency key, reserves one place in the slot on the
    /// order's date (never beyond capacity), takes the coupons from the wallet (earliest-expiring batches
    /// first, never below zero), counts the promo-code use (never beyond its caps), stores the order with
    /// its lines and first event, records the change for SAP, writes the outbox messages and empties the
    /// customer's cart. When the key was used before with the same fingerprint, writes nothing and answers
    /// `Placed::Replayed` with that order.
    ///
    /// # Errors
    /// A [`PlaceRefused`] business outcome with nothing written; `Repo` for storage failures (nothing
    /// written either).
    async fn place(&self, new: &NewOrder, now: OffsetDateTime) -> Result<Placed, PlaceRefused>;

    /// The fingerprint and order of a checkout key the customer used before, if any.
    ///
    /// # Errors
    /// Storage failures only.
    async fn by_idempotency_key(&self, customer: UserId, key: &str) -> Result<Option<(String, OrderId)>, RepoError>;

    /// The order with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: OrderId) -> Result<Option<Order>, RepoError>;

    /// The order with this human number (100001, ...); numbers are unique.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get_by_number(&self, number: i64) -> Result<Option<Order>, RepoError>;

    /// Orders newest first, keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, query: &OrderQuery) -> Result<Page<Order>, RepoError>;

    /// The order's lifecycle events, oldest first.
    ///
    /// # Errors
    /// Storage failures only.
    async fn events(&self, id: OrderId) -> Result<Vec<OrderEvent>, RepoError>;

    /// Moves an order if it is still in `change.from`, with the event, the slot release, the voucher
    /// restoration, the change record for SAP and the outbox messages, all in one transaction. `None`
    /// (nothing written) when the order is no longer in `from`.
    ///
    /// # Errors
    /// `NotFound` for an unknown order; storage failures.
    async fn change_status(&self, change: &StatusChange, now: OffsetDateTime) -> Result<Option<Order>, RepoError>;
}
