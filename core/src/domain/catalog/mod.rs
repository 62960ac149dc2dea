//! What the business sells: products (owned by SAP) and the promotions on them.

use time::OffsetDateTime;
use uuid::Uuid;

use super::localized::LocalizedText;
use super::money::Money;

mod pricing;

pub use pricing::{CartLine, PricedLine, PricingError, price_lines};

/// Identifier of a product (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductId(pub Uuid);

/// What kind of product it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductType {
    /// A refillable large bottle (e.g. 5 gallons), sold one bottle per pack.
    Refill,
    /// A carton of small bottles.
    Pack,
    /// A book of prepaid coupons, one coupon per refill.
    CouponBook,
}

impl ProductType {
    /// Stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Refill => "refill",
            Self::Pack => "pack",
            Self::CouponBook => "coupon_book",
        }
    }

    /// The type with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Refill, Self::Pack, Self::CouponBook].into_iter().find(|t| t.as_str() == s)
    }
}

/// A product on sale. Quantities are in packs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    /// SAP's item code, when SAP created or knows it.
    pub sap_id: Option<String>,
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub product_type: ProductType,
    /// Volume of one bottle in millilitres.
    pub volume_ml: u32,
    pub bottles_per_pack: u32,
    /// Price of one pack.
    pub price_per_pack: Money,
    /// Fewest packs per order (at least 1).
    pub min_quantity: u32,
    /// Most packs per order (at least `min_quantity`).
    pub max_quantity: u32,
    /// Image file, when uploaded.
    pub image_id: Option<Uuid>,
    /// Inactive products are hidden from customers and cannot be ordered.
    pub active: bool,
    /// Lower first in lists.
    pub sort_order: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Identifier of a promotion (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PromotionId(pub Uuid);

/// How a promotion lowers the price of its products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromotionKind {
    /// For every `buy` packs paid, `free` more packs of the same product come free.
    BuyGetFree { buy: u32, free: u32 },
    /// Every group of `packs` packs (of one linked product) costs `price` instead of the list price.
    FixedPriceBundle { packs: u32, price: Money },
}

/// A promotion on some products, valid in a window of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    pub id: PromotionId,
    pub sap_id: Option<String>,
    pub title: LocalizedText,
    pub kind: PromotionKind,
    /// First instant it applies.
    pub valid_from: OffsetDateTime,
    /// First instant it no longer applies.
    pub valid_until: OffsetDateTime,
    /// The products it applies to.
    pub product_ids: Vec<ProductId>,
    pub image_id: Option<Uuid>,
    pub active: bool,
}

impl Promotion {
    /// Whether it applies at `now`: active and `valid_from <= now < valid_until`.
    #[must_use]
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        self.active && self.valid_from <= now && now < self.valid_until
    }
}
