//! Our record of payment attempts and refunds: which charge at the provider belongs to which order, and
//! what the provider last told us about it. The provider's word is the truth; these rows only remember it.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::money::Money;
use crate::domain::orders::{OrderId, PaymentMethod};
use crate::error::RepoError;

/// One attempt to pay an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAttempt {
    /// Also the idempotency key sent to the provider.
    pub id: Uuid,
    pub order_id: OrderId,
    /// `tap` or `sandbox`.
    pub provider: String,
    pub method: PaymentMethod,
    /// The provider's charge id, once the charge exists.
    pub charge_id: Option<String>,
    pub amount: Money,
    /// `CREATING` before the provider answered, then the provider's charge status (`INITIATED`, `CAPTURED`, ...).
    pub status: String,
    pub payment_url: Option<String>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// When we last asked the provider about it.
    pub checked_at: Option<OffsetDateTime>,
}

/// A refund of a captured payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    pub id: Uuid,
    pub order_id: OrderId,
    pub payment_id: Uuid,
    pub provider_refund_id: Option<String>,
    pub amount: Money,
    pub status: String,
    pub created_at: OffsetDateTime,
}

/// Stores payment attempts and refunds.
#[async_trait]
pub trait PaymentRepository: Send + Sync {
    /// Stores a new attempt.
    ///
    /// # Errors
    /// `Conflict` when the id or charge id is taken or the order does not exist.
    async fn create(&self, attempt: &PaymentAttempt) -> Result<(), RepoError>;

    /// Records what the provider said: charge id, status, payment URL, error, `updated_at` and `checked_at`.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Conflict` when the charge id belongs to another attempt.
    async fn update(&self, attempt: &PaymentAttempt) -> Result<(), RepoError>;

    /// The attempt with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: Uuid) -> Result<Option<PaymentAttempt>, RepoError>;

    /// The attempt for this provider charge.
    ///
    /// # Errors
    /// Storage failures only.
    async fn by_charge(&self, charge_id: &str) -> Result<Option<PaymentAttempt>, RepoError>;

    /// The order's attempts, newest first.
    ///
    /// # Errors
    /// Storage failures only.
    async fn for_order(&self, order: OrderId) -> Result<Vec<PaymentAttempt>, RepoError>;

    /// Attempts in one of `statuses` created before `created_before` and not checked since `checked_before`,
    /// oldest first, at most `limit`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn needing_check(
        &self,
        statuses: &[&str],
        created_before: OffsetDateTime,
        checked_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<PaymentAttempt>, RepoError>;

    /// Stores a refund; one per payment.
    ///
    /// # Errors
    /// `Conflict` when the payment already has one.
    async fn create_refund(&self, refund: &RefundRecord) -> Result<(), RepoError>;

    /// The refund of this payment, if any.
    ///
    /// # Errors
    /// Storage failures only.
    async fn refund_for(&self, payment_id: Uuid) -> Result<Option<RefundRecord>, RepoError>;
}
