//! Wire shapes of carts, quotes, orders and payments.
use poem_openapi::{Enum, Object};
use sabil_core::domain::Language;
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::mosque::MosqueId;
use sabil_core::domain::orders::pricing::{Quote, QuotedLine};
use sabil_core::domain::orders::{ActorKind, DeliveryTarget, Order, OrderLine, OrderStatus, OrderTotals, PaymentMethod};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Invalid, address::AddressId};
use sabil_core::ports::{CouponRedemption, PaymentAttempt};
use sabil_core::services::orders::{CartView, DeliveryChoice, OrderDetails};
use serde::Deserialize;
use time::OffsetDateTime;

use super::catalog_dto::MoneyDto;

/// Where an order goes: exactly one of `addressId` (one of the caller's addresses) or `mosqueId` (a donation).
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryDto {
    /// One of the caller's addresses (GET /api/addresses).
    pub address_id: Option<uuid::Uuid>,
    /// A mosque to donate the water to (GET /api/mosques).
    pub mosque_id: Option<uuid::Uuid>,
    /// For mosque orders, an optional dedication, e.g. "on behalf of my parents" (up to 200 characters).
    #[oai(validator(max_length = 200))]
    pub dedication: Option<String>,
}

impl DeliveryDto {
    pub fn parse(&self, field: &str) -> Result<DeliveryChoice, Invalid> {
        match (self.address_id, self.mosque_id) {
            (Some(a), None) if self.dedication.is_none() => Ok(DeliveryChoice::Address(AddressId(a))),
            (Some(_), None) => Err(Invalid::field(&format!("{field}.dedication"), "is only for mosque orders", "Leave it out.")),
            (None, Some(m)) => Ok(DeliveryChoice::Mosque { mosque_id: MosqueId(m), dedication: self.dedication.clone() }),
            _ => Err(Invalid::field(field, "needs exactly one of addressId and mosqueId", "Send addressId, or mosqueId for a donation.")),
        }
    }
}

/// Packs of one product to pay with wallet coupons.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CouponUseDto {
    pub product_id: uuid::Uuid,
    /// Packs of that cart line paid with coupons (at most the line's quantity and the wallet's balance).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub count: u32,
}

pub fn coupon_uses(list: &[CouponUseDto]) -> Vec<CouponRedemption> {
    list.iter().map(|c| CouponRedemption { product_id: ProductId(c.product_id), count: c.count }).collect()
}

/// How the customer pays what coupons do not cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodDto {
    /// A card through the payment provider.
    Card,
    /// KNET (KWD only) through the payment provider.
    Knet,
    /// Cash to the driver, where enabled.
    Cash,
    /// Nothing to pay (coupons covered the order); set by the server.
    None,
}

impl From<PaymentMethodDto> for PaymentMethod {
    fn from(m: PaymentMethodDto) -> Self {
        match m {
            PaymentMethodDto::Card => Self::Card,
            PaymentMethodDto::Knet => Self::Knet,
            PaymentMethodDto::Cash => Self::Cash,
            PaymentMethodDto::None => Self::None,
        }
    }
}

impl From<PaymentMethod> for PaymentMethodDto {
    fn from(m: PaymentMethod) -> Self {
        match m {
            PaymentMethod::Card => Self::Card,
            PaymentMethod::Knet => Self::Knet,
            PaymentMethod::Cash => Self::Cash,
            PaymentMethod::None => Self::None,
        }
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OrderStatusDto {
    PendingPayment,
    Paid,
    Confirmed,
    OutForDelivery,
    Delivered,
    Cancelled,
    PaymentFailed,
    Refunded,
}

impl From<OrderStatus> for OrderStatusDto {
    fn from(s: OrderStatus) -> Self {
        match s {
            OrderStatus::PendingPayment => Self::PendingPayment,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Confirmed => Self::Confirmed,
            OrderStatus::OutForDelivery => Self::OutForDelivery,
            OrderStatus::Delivered => Self::Delivered,
            OrderStatus::Cancelled => Self::Cancelled,
            OrderStatus::PaymentFailed => Self::PaymentFailed,
            OrderStatus::Refunded => Self::Refunded,
        }
    }
}

impl From<OrderStatusDto> for OrderStatus {
    fn from(s: OrderStatusDto) -> Self {
        match s {
            OrderStatusDto::PendingPayment => Self::PendingPayment,
            OrderStatusDto::Paid => Self::Paid,
            OrderStatusDto::Confirmed => Self::Confirmed,
            OrderStatusDto::OutForDelivery => Self::OutForDelivery,
            OrderStatusDto::Delivered => Self::Delivered,
            OrderStatusDto::Cancelled => Self::Cancelled,
            OrderStatusDto::PaymentFailed => Self::PaymentFailed,
            OrderStatusDto::Refunded => Self::Refunded,
        }
    }
}

/// One priced line (the figures of SAP's sales-order line).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PricedLineDto {
    pub product_id: uuid::Uuid,
    /// The product's name in the request's language (orders keep the name they were placed with).
    pub title: String,
    /// Packs paid for (money or coupons).
    pub quantity: u32,
    /// Packs added free by a promotion.
    pub free_quantity: u32,
    /// Packs paid with coupons.
    pub coupons: u32,
    /// SalesPrice: list price of one pack.
    pub unit_price: MoneyDto,
    /// quantity × unitPrice.
    pub gross: MoneyDto,
    /// PromotionID of the promotion applied.
    pub promotion_id: Option<uuid::Uuid>,
    /// DiscountAmount: what the promotion took off.
    pub promotion_discount: MoneyDto,
    /// DiscountPerc in basis points (100 = 1 %).
    pub discount_bp: u32,
    /// LineTotal: gross − promotionDiscount.
    pub line_total: MoneyDto,
    /// This line's share of the promo code's order discount.
    pub order_discount_share: MoneyDto,
    /// What tax is charged on.
    pub taxable_amount: MoneyDto,
    pub tax: MoneyDto,
    /// What the line's coupons paid.
    pub coupon_credit: MoneyDto,
}

impl PricedLineDto {
    fn from_quoted(l: &QuotedLine, title: String) -> Self {
        Self {
            product_id: l.product_id.0,
            title,
            quantity: l.quantity,
            free_quantity: l.free_quantity,
            coupons: l.coupons,
            unit_price: l.unit_price.into(),
            gross: l.gross.into(),
            promotion_id: l.promotion_id.map(|p| p.0),
            promotion_discount: l.promotion_discount.into(),
            discount_bp: l.discount_bp,
            line_total: l.line_total.into(),
            order_discount_share: l.order_discount_share.into(),
            taxable_amount: l.taxable_amount.into(),
            tax: l.tax.into(),
            coupon_credit: l.coupon_credit.into(),
        }
    }

    fn from_order_line(l: &OrderLine, lang: Language) -> Self {
        Self::from_quoted(&QuotedLine::from(l), l.title.get(lang).to_owned())
    }
}

/// The money figures of a quote or an order (SAP: SubTotal, OrderDiscount, OrderDiscountPercentage,
/// DeliveryCost, NetAmount, PaidAmount). Tax is added on VAT-exclusive prices, rounded half up per line.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct TotalsDto {
    /// SubTotal: Σ gross of the lines.
    pub sub_total: MoneyDto,
    /// Σ promotion discounts of the lines.
    pub promotion_discount: MoneyDto,
    /// OrderDiscount: the promo code's discount.
    pub order_discount: MoneyDto,
    /// OrderDiscountPercentage in basis points of the goods after promotions.
    pub order_discount_bp: u32,
    /// DeliveryCost.
    pub delivery_fee: MoneyDto,
    /// The tax rate in basis points (500 = 5 % VAT; 0 where there is no tax).
    pub tax_rate_bp: u32,
    /// Σ line tax plus the delivery fee's tax.
    pub tax_total: MoneyDto,
    /// NetAmount: subTotal − promotionDiscount − orderDiscount + deliveryFee + taxTotal.
    pub net_amount: MoneyDto,
    /// What wallet coupons pay.
    pub coupon_credit: MoneyDto,
    /// PaidAmount: netAmount − couponCredit, paid by card, KNET or cash.
    pub amount_to_pay: MoneyDto,
}

impl From<&OrderTotals> for TotalsDto {
    fn from(t: &OrderTotals) -> Self {
        Self {
            sub_total: t.sub_total.into(),
            promotion_discount: t.promotion_discount.into(),
            order_discount: t.order_discount.into(),
            order_discount_bp: t.order_discount_bp,
            delivery_fee: t.delivery_fee.into(),
            tax_rate_bp: t.tax_rate_bp,
            tax_total: t.tax_total.into(),
            net_amount: t.net_amount.into(),
            coupon_credit: t.coupon_credit.into(),
            amount_to_pay: t.amount_to_pay.into(),
        }
    }
}

/// A priced checkout; nothing is stored.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct QuoteDto {
    pub lines: Vec<PricedLineDto>,
    pub totals: TotalsDto,
    /// Whether a promo code was applied.
    pub promo_code_applied: bool,
    /// How much more the goods need to reach the delivery area's minimum order; absent when reached.
    pub below_minimum: Option<MoneyDto>,
}

impl QuoteDto {
    pub fn new(q: &Quote, title: impl Fn(ProductId) -> String) -> Self {
        Self {
            lines: q.lines.iter().map(|l| PricedLineDto::from_quoted(l, title(l.product_id))).collect(),
            totals: (&q.totals).into(),
            promo_code_applied: q.promo_code.is_some(),
            below_minimum: q.below_minimum.map(Into::into),
        }
    }
}

/// A cart line.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CartItemDto {
    pub product_id: uuid::Uuid,
    pub title: String,
    pub quantity: u32,
    /// Fewest packs of this product per order.
    pub min_quantity: u32,
    /// Most packs of this product per order.
    pub max_quantity: u32,
    /// The product's image, when it has one.
    pub image_url: Option<String>,
}

/// The caller's cart, priced.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct CartDto {
    pub items: Vec<CartItemDto>,
    pub quote: QuoteDto,
}

impl CartDto {
    pub fn new(c: &CartView, lang: Language) -> Self {
        let title =
            |id: ProductId| c.items.iter().find(|i| i.product.id == id).map(|i| i.product.title.get(lang).to_owned()).unwrap_or_default();
        Self {
            items: c
                .items
                .iter()
                .map(|i| CartItemDto {
                    product_id: i.product.id.0,
                    title: i.product.title.get(lang).to_owned(),
                    quantity: i.quantity,
                    min_quantity: i.product.min_quantity,
                    max_quantity: i.product.max_quantity,
                    image_url: i.product.image_id.map(|f| format!("/api/files/{f}")),
                })
                .collect(),
            quote: QuoteDto::new(&c.quote, title),
        }
    }
}

/// Where an order goes, as placed.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OrderDeliveryDto {
    /// `address` or `mosque`.
    pub kind: String,
    pub address_id: Option<uuid::Uuid>,
    /// The address as it was when ordering.
    pub address: Option<String>,
    pub mosque_id: Option<uuid::Uuid>,
    pub dedication: Option<String>,
    pub area_id: uuid::Uuid,
    pub slot_id: uuid::Uuid,
    /// Delivery date (business time zone), `YYYY-MM-DD`.
    pub date: String,
    /// Window start, `HH:MM` business time.
    pub starts: String,
    /// Window end, `HH:MM` business time.
    pub ends: String,
}

/// An order.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OrderDto {
    pub id: uuid::Uuid,
    /// The number customers and support read out.
    pub number: i64,
    pub status: OrderStatusDto,
    pub payment_method: PaymentMethodDto,
    pub lines: Vec<PricedLineDto>,
    pub totals: TotalsDto,
    pub promo_code: Option<String>,
    pub delivery: OrderDeliveryDto,
    pub comment: Option<String>,
    /// Whether the customer may still cancel it.
    pub can_cancel: bool,
    /// Whether it waits for an online payment (start one with POST /api/orders/{id}/payments).
    pub awaits_payment: bool,
    pub sap_id: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl OrderDto {
    pub fn new(o: &Order, lang: Language) -> Self {
        let (kind, address_id, address, mosque_id, dedication) = match &o.delivery {
            DeliveryTarget::Address { address_id, snapshot } => ("address", Some(address_id.0), Some(snapshot.clone()), None, None),
            DeliveryTarget::Mosque { mosque_id, dedication } => ("mosque", None, None, Some(mosque_id.0), dedication.clone()),
        };
        Self {
            id: o.id.0,
            number: o.number,
            status: o.status.into(),
            payment_method: o.payment_method.into(),
            lines: o.lines.iter().map(|l| PricedLineDto::from_order_line(l, lang)).collect(),
            totals: (&o.totals).into(),
            promo_code: o.promo_code.clone(),
            delivery: OrderDeliveryDto {
                kind: kind.to_owned(),
                address_id,
                address,
                mosque_id,
                dedication,
                area_id: o.slot.area_id.0,
                slot_id: o.slot.slot_id.0,
                date: o.slot.date.to_string(),
                starts: hhmm(o.slot.starts_minute),
                ends: hhmm(o.slot.ends_minute),
            },
            comment: o.comment.clone(),
            can_cancel: o.status.check_move(OrderStatus::Cancelled, ActorKind::Customer).is_ok(),
            awaits_payment: matches!(o.status, OrderStatus::PendingPayment | OrderStatus::PaymentFailed) && o.payment_method.is_online(),
            sap_id: o.sap_id.clone(),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// One move of an order.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OrderEventDto {
    pub from: Option<OrderStatusDto>,
    pub to: OrderStatusDto,
    /// `customer`, `admin`, `sap`, `payment_provider` or `system`.
    pub by: String,
    pub reason: Option<String>,
    pub at: OffsetDateTime,
}

/// One attempt to pay.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PaymentDto {
    pub id: uuid::Uuid,
    /// `tap` or `sandbox`.
    pub provider: String,
    pub charge_id: Option<String>,
    pub amount: MoneyDto,
    /// The provider's status (`INITIATED`, `CAPTURED`, `DECLINED`, ...).
    pub status: String,
    pub created_at: OffsetDateTime,
}

/// An order with its history and payment attempts.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct OrderDetailsDto {
    pub order: OrderDto,
    /// Oldest first.
    pub events: Vec<OrderEventDto>,
    /// Newest first.
    pub payments: Vec<PaymentDto>,
}

impl OrderDetailsDto {
    pub fn new(d: &OrderDetails, lang: Language) -> Self {
        Self {
            order: OrderDto::new(&d.order, lang),
            events: d
                .events
                .iter()
                .map(|e| OrderEventDto {
                    from: e.from.map(Into::into),
                    to: e.to.into(),
                    by: e.actor.kind.as_str().to_owned(),
                    reason: e.reason.clone(),
                    at: e.at,
                })
                .collect(),
            payments: d.payments.iter().map(payment).collect(),
        }
    }
}

fn payment(p: &PaymentAttempt) -> PaymentDto {
    PaymentDto {
        id: p.id,
        provider: p.provider.clone(),
        charge_id: p.charge_id.clone(),
        amount: p.amount.into(),
        status: p.status.clone(),
        created_at: p.created_at,
    }
}

/// One page of orders.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct OrderPage {
    /// Newest first.
    pub items: Vec<OrderDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(field: &str, text: &str, problems: &mut Problems) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    problems.keep(
        time::Date::parse(text, &format)
            .map_err(|_| Invalid::field(field, format!("{text:?} is not a date"), "Use YYYY-MM-DD, e.g. 2026-12-01.")),
    )
}
