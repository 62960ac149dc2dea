//! Persistence of the coupon wallet: batches of coupons given to customers and the ledger of every
//! coupon that came in or went out. Balances are never stored; they are the sums of the ledger.
//!
//! # Ledger semantics (shared with the checkout, which writes redemptions and restorations)
//!
//! - Every batch has exactly one `issued` row (+count), written with the batch.
//! - A batch *holds* the sum of its ledger deltas. It is *live* at `now` while `expires_at` is NULL
//!   (never expires) or later than `now`; a batch whose `expires_at <= now` is expired, even before
//!   `expire_due` has written its `expired` row.
//! - A balance is the sum of what the live batches of (customer, product) hold.
//! - A redemption takes coupons from the live batches of (customer, product), earliest `expires_at`
//!   first (NULL, never, last; ties by batch id), and writes one `redeemed` row (negative, with the
//!   `order_id`) per batch it takes from; it never takes a batch below zero. Writers lock the batch
//!   rows they take from (`SELECT ... FOR UPDATE` on `coupon_batches`) and read what a batch holds
//!   after locking it.
//! - A restoration (a cancelled order) writes `restored` rows (positive, with the `order_id`) back to
//!   the same batches, whatever their expiry: coupons restored to an expired batch are expired again
//!   by the next `expire_due`.
//! - `expire_due` writes one `expired` row (negative) per expired batch that still holds coupons, for
//!   exactly what it holds, so afterwards the batch holds zero.
use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::UserId;
use crate::domain::orders::{CouponBalance, CouponBatchId, CouponEntry, NewCouponBatch};
use crate::domain::{Page, PageRequest};
use crate::error::RepoError;

/// Stores coupon batches and their ledger.
#[async_trait]
pub trait CouponRepository: Send + Sync {
    /// Stores a new batch and its `issued` ledger row (`+count`, at `now`) in one transaction, and
    /// returns the new batch's id. When `batch.sap_id` names a batch already stored, stores nothing
    /// and returns that batch's id, whatever the other fields say (SAP may send the same batch twice).
    ///
    /// # Errors
    /// `Conflict` when the customer or the product does not exist, or `count` is 0.
    async fn issue(&self, batch: &NewCouponBatch, now: OffsetDateTime) -> Result<CouponBatchId, RepoError>;

    /// The customer's balance per product at `now`: what the live batches hold (see the module's
    /// ledger semantics), by product id. Products whose balance is zero are left out. `next_expiry`
    /// is the earliest `expires_at` among the live batches of the product that hold coupons.
    ///
    /// # Errors
    /// Storage failures only.
    async fn balances(&self, customer: UserId, now: OffsetDateTime) -> Result<Vec<CouponBalance>, RepoError>;

    /// The customer's ledger entries, newest first (by time written, then by entry id), keyset-paged:
    /// the cursor is the id of the last entry of the previous page (opaque to callers; entries do not
    /// carry it). A cursor that names no entry of this customer yields an empty page.
    ///
    /// # Errors
    /// Storage failures only.
    async fn history(&self, customer: UserId, page: PageRequest) -> Result<Page<CouponEntry>, RepoError>;

    /// Expires at most `limit` batches whose `expires_at <= now` and that still hold coupons (earliest
    /// expiry first): one `expired` row each, at `now`, for exactly what the batch holds. Running it
    /// again writes nothing more (unless coupons were restored to an expired batch meanwhile).
    /// Returns how many batches it expired; fewer than `limit` means none is left.
    ///
    /// # Errors
    /// Storage failures only.
    async fn expire_due(&self, now: OffsetDateTime, limit: u32) -> Result<u32, RepoError>;
}
