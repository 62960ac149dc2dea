//! The coupon wallet: prepaid coupons per product, each paying one unit of its product at checkout.
//! Coupons arrive in batches (from SAP, an admin, or a coupon book bought in the app); every issue,
//! redemption, restoration and expiry is a ledger entry, and a balance is the sum of the entries.
use time::OffsetDateTime;
use uuid::Uuid;

use super::OrderId;
use crate::domain::account::UserId;
use crate::domain::catalog::ProductId;

/// Identifier of a coupon batch (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CouponBatchId(pub Uuid);

/// Who gave the customer a batch of coupons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CouponSource {
    Sap,
    Admin,
    /// A coupon book bought in the app.
    Purchase,
}

impl CouponSource {
    /// Stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sap => "sap",
            Self::Admin => "admin",
            Self::Purchase => "purchase",
        }
    }

    /// The source with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Sap, Self::Admin, Self::Purchase].into_iter().find(|k| k.as_str() == s)
    }
}

/// What a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CouponEntryKind {
    /// Coupons given (positive).
    Issued,
    /// Coupons spent on an order (negative).
    Redeemed,
    /// Coupons given back when their order was cancelled (positive).
    Restored,
    /// Unused coupons of a batch that passed its expiry (negative).
    Expired,
}

impl CouponEntryKind {
    /// Stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Redeemed => "redeemed",
            Self::Restored => "restored",
            Self::Expired => "expired",
        }
    }

    /// The kind with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Issued, Self::Redeemed, Self::Restored, Self::Expired].into_iter().find(|k| k.as_str() == s)
    }
}

/// A batch of coupons to give a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCouponBatch {
    pub customer_id: UserId,
    pub product_id: ProductId,
    /// How many coupons (at least 1).
    pub count: u32,
    pub source: CouponSource,
    /// SAP's id for the batch, when SAP issued it (a second issue with the same id is the same batch).
    pub sap_id: Option<String>,
    /// The admin who issued it or the order that bought it.
    pub issued_by: Option<Uuid>,
    pub note: Option<String>,
    /// When unused coupons of the batch expire; `None` for never.
    pub expires_at: Option<OffsetDateTime>,
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponEntry {
    pub batch_id: CouponBatchId,
    pub product_id: ProductId,
    pub kind: CouponEntryKind,
    /// Coupons added (positive) or taken (negative).
    pub delta: i32,
    pub order_id: Option<OrderId>,
    pub at: OffsetDateTime,
}

/// How many coupons of one product a customer holds now, and when the next ones expire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponBalance {
    pub product_id: ProductId,
    pub available: u32,
    /// The earliest expiry among the batches that still hold coupons, if any expires.
    pub next_expiry: Option<OffsetDateTime>,
}

/// A coupon-book product: buying one pack of it gives `coupons_per_pack` coupons of another product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CouponBook {
    /// The coupon-book product sold.
    pub product_id: ProductId,
    /// The product its coupons pay for (e.g. a 5-gallon refill).
    pub coupon_product_id: ProductId,
    /// Coupons per pack bought (1 to 1000).
    pub coupons_per_pack: u32,
    /// Days the coupons stay valid after purchase; `None` for ever.
    pub validity_days: Option<u32>,
}
