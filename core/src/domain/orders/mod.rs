//! Orders: what a customer bought, where and when it goes, what it cost and where it stands in its
//! lifecycle. The price breakdown comes from `pricing`; the allowed moves between statuses from
//! `lifecycle`; promo codes and the coupon wallet from `promo` and `coupons`.
mod coupons;
mod lifecycle;
pub mod pricing;
mod promo;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub use coupons::{CouponBalance, CouponBatchId, CouponBook, CouponEntry, CouponEntryKind, CouponSource, NewCouponBatch};
pub use lifecycle::{Actor, ActorKind, OrderStatus, Transition, TransitionRejected};
pub use pricing::{
    Country, DeliveryTerms, PromoCodeUse, PromoRejection, Quote, QuoteError, QuoteLine, QuoteRequest, QuotedLine, TaxRule, quote,
};
pub use promo::{
    PROMO_CODE_MAX_CHARS, PROMO_CODE_MIN_CHARS, PROMO_DESCRIPTION_MAX_CHARS, PromoCode, PromoCodeId, PromoDiscount, normalize_code,
    parse_code,
};

use super::account::UserId;
use super::address::AddressId;
use super::catalog::{ProductId, PromotionId};
use super::delivery::{DeliveryAreaId, DeliverySlotId};
use super::localized::LocalizedText;
use super::money::{Currency, Money};
use super::mosque::MosqueId;

/// Identifier of an order (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderId(pub Uuid);

/// How the customer pays what is left after coupons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// A card through the payment provider.
    Card,
    /// KNET (Kuwait's debit network) through the payment provider.
    Knet,
    /// Cash to the driver, when the business allows it.
    Cash,
    /// Nothing to pay: coupons covered the whole order.
    None,
}

impl PaymentMethod {
    /// Stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Knet => "knet",
            Self::Cash => "cash",
            Self::None => "none",
        }
    }

    /// The method with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Card, Self::Knet, Self::Cash, Self::None].into_iter().find(|m| m.as_str() == s)
    }

    /// Whether the payment provider collects it (so the order waits in `pending_payment`).
    #[must_use]
    pub fn is_online(self) -> bool {
        matches!(self, Self::Card | Self::Knet)
    }
}

/// Where an order goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryTarget {
    /// One of the customer's addresses, copied as it was when ordering (the text SAP and the driver get).
    Address { address_id: AddressId, snapshot: String },
    /// A mosque: a donation, with an optional dedication ("on behalf of ...").
    Mosque { mosque_id: MosqueId, dedication: Option<String> },
}

/// The delivery slot an order booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookedSlot {
    pub area_id: DeliveryAreaId,
    pub slot_id: DeliverySlotId,
    pub date: Date,
    /// Minutes after midnight, business time.
    pub starts_minute: u16,
    pub ends_minute: u16,
}

/// One line of a placed order, with every figure SAP's sales-order line needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub product_id: ProductId,
    /// SAP's item code (SKUCode) when known.
    pub product_sap_id: Option<String>,
    pub title: LocalizedText,
    /// Packs paid for (by money or coupons).
    pub quantity: u32,
    /// Packs added free by a promotion.
    pub free_quantity: u32,
    /// Packs paid with coupons from the wallet (at most `quantity`).
    pub coupons: u32,
    /// SalesPrice: list price of one pack.
    pub unit_price: Money,
    /// `quantity × unit_price`.
    pub gross: Money,
    /// PromotionID.
    pub promotion_id: Option<PromotionId>,
    /// What the line's promotion took off (DiscountAmount).
    pub promotion_discount: Money,
    /// This line's share of the promo code's order discount.
    pub order_discount_share: Money,
    /// DiscountPerc, in basis points of `gross`.
    pub discount_bp: u32,
    /// LineTotal: `gross − promotion_discount`.
    pub line_total: Money,
    /// What tax is charged on: `line_total − order_discount_share`.
    pub taxable_amount: Money,
    /// Tax on `taxable_amount`.
    pub tax: Money,
    /// What the line's coupons paid.
    pub coupon_credit: Money,
}

/// The money figures of an order (SAP: SubTotal, OrderDiscount, OrderDiscountPercentage, DeliveryCost,
/// NetAmount, PaidAmount).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderTotals {
    pub currency: Currency,
    /// Σ gross of the lines.
    pub sub_total: Money,
    /// Σ promotion discounts of the lines.
    pub promotion_discount: Money,
    /// The promo code's discount.
    pub order_discount: Money,
    /// `order_discount` in basis points of the goods after promotions.
    pub order_discount_bp: u32,
    pub delivery_fee: Money,
    /// The tax rate applied (basis points; 0 where there is no tax).
    pub tax_rate_bp: u32,
    /// Σ line tax plus the delivery fee's tax.
    pub tax_total: Money,
    /// `sub_total − promotion_discount − order_discount + delivery_fee + tax_total`.
    pub net_amount: Money,
    /// What the coupons paid.
    pub coupon_credit: Money,
    /// PaidAmount: `net_amount − coupon_credit`, what the customer pays by card, KNET or cash.
    pub amount_to_pay: Money,
}

/// A placed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    /// Human order number (100001, ...).
    pub number: i64,
    pub sap_id: Option<String>,
    pub customer_id: UserId,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub lines: Vec<OrderLine>,
    pub totals: OrderTotals,
    /// The promo code used, as the customer typed it (normalized).
    pub promo_code: Option<String>,
    pub delivery: DeliveryTarget,
    pub slot: BookedSlot,
    pub comment: Option<String>,
    /// Raised on every change.
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One move of an order through its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub actor: Actor,
    pub reason: Option<String>,
    pub at: OffsetDateTime,
}
