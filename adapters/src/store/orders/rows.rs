//! Order rows as stored and their translation to the domain.
use sabil_core::domain::address::AddressId;
use sabil_core::domain::catalog::{ProductId, PromotionId};
use sabil_core::domain::delivery::{DeliveryAreaId, DeliverySlotId};
use sabil_core::domain::money::{Currency, Money};
use sabil_core::domain::mosque::MosqueId;
use sabil_core::domain::orders::{
    Actor, ActorKind, BookedSlot, DeliveryTarget, Order, OrderEvent, OrderId, OrderLine, OrderStatus, OrderTotals, PaymentMethod,
};
use sabil_core::domain::{LocalizedText, UserId};
use sabil_core::error::RepoError;
use time::Date;
use uuid::Uuid;

use super::super::DbTime;
use super::super::catalog::{corrupt, currency};

pub(super) const ORDER_COLUMNS: &str = "id, number, sap_id, user_id, status, payment_method, currency, sub_total, promotion_discount, \
     order_discount, order_discount_bp, delivery_fee, tax_rate_bp, tax_total, net_amount, coupon_credit, amount_to_pay, promo_code, \
     delivery_kind, address_id, address, mosque_id, dedication, area_id, slot_id, delivery_date, slot_starts_minute, slot_ends_minute, \
     comment, version, created_at, updated_at";

pub(super) const LINE_COLUMNS: &str = "order_id, line_no, product_id, product_sap_id, title_ar, title_en, quantity, free_quantity, coupons, \
     unit_price, gross, promotion_id, promotion_discount, order_discount_share, discount_bp, line_total, taxable_amount, tax, coupon_credit";

#[derive(sqlx::FromRow)]
pub(super) struct OrderRow {
    pub id: Uuid,
    pub number: i64,
    pub sap_id: Option<String>,
    pub user_id: Uuid,
    pub status: String,
    pub payment_method: String,
    pub currency: String,
    pub sub_total: i64,
    pub promotion_discount: i64,
    pub order_discount: i64,
    pub order_discount_bp: i32,
    pub delivery_fee: i64,
    pub tax_rate_bp: i32,
    pub tax_total: i64,
    pub net_amount: i64,
    pub coupon_credit: i64,
    pub amount_to_pay: i64,
    pub promo_code: Option<String>,
    pub delivery_kind: String,
    pub address_id: Option<Uuid>,
    pub address: Option<String>,
    pub mosque_id: Option<Uuid>,
    pub dedication: Option<String>,
    pub area_id: Uuid,
    pub slot_id: Uuid,
    pub delivery_date: Date,
    pub slot_starts_minute: i32,
    pub slot_ends_minute: i32,
    pub comment: Option<String>,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

#[derive(sqlx::FromRow)]
pub(super) struct LineRow {
    pub order_id: Uuid,
    pub line_no: i32,
    pub product_id: Uuid,
    pub product_sap_id: Option<String>,
    pub title_ar: String,
    pub title_en: String,
    pub quantity: i32,
    pub free_quantity: i32,
    pub coupons: i32,
    pub unit_price: i64,
    pub gross: i64,
    pub promotion_id: Option<Uuid>,
    pub promotion_discount: i64,
    pub order_discount_share: i64,
    pub discount_bp: i32,
    pub line_total: i64,
    pub taxable_amount: i64,
    pub tax: i64,
    pub coupon_credit: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: DbTime,
}

pub(super) fn status(s: &str) -> Result<OrderStatus, RepoError> {
    OrderStatus::parse(s).ok_or_else(|| corrupt("order status", s))
}

fn count(v: i32, what: &str) -> Result<u32, RepoError> {
    u32::try_from(v).map_err(|_| corrupt(what, &v.to_string()))
}

fn minute(v: i32) -> Result<u16, RepoError> {
    u16::try_from(v).map_err(|_| corrupt("slot minute", &v.to_string()))
}

fn line(r: LineRow, cur: Currency) -> Result<OrderLine, RepoError> {
    let m = |minor| Money::new(minor, cur);
    Ok(OrderLine {
        product_id: ProductId(r.product_id),
        product_sap_id: r.product_sap_id,
        title: LocalizedText { ar: r.title_ar, en: r.title_en },
        quantity: count(r.quantity, "line quantity")?,
        free_quantity: count(r.free_quantity, "line free quantity")?,
        coupons: count(r.coupons, "line coupons")?,
        unit_price: m(r.unit_price),
        gross: m(r.gross),
        promotion_id: r.promotion_id.map(PromotionId),
        promotion_discount: m(r.promotion_discount),
        order_discount_share: m(r.order_discount_share),
        discount_bp: count(r.discount_bp, "line discount")?,
        line_total: m(r.line_total),
        taxable_amount: m(r.taxable_amount),
        tax: m(r.tax),
        coupon_credit: m(r.coupon_credit),
    })
}

/// Builds the order from its row and its lines (in line order).
pub(super) fn order(r: OrderRow, lines: Vec<LineRow>) -> Result<Order, RepoError> {
    let cur = currency(&r.currency)?;
    let m = |minor| Money::new(minor, cur);
    let delivery = match (r.delivery_kind.as_str(), r.address_id, r.address, r.mosque_id) {
        ("address", Some(address_id), Some(snapshot), None) => DeliveryTarget::Address { address_id: AddressId(address_id), snapshot },
        ("mosque", _, None, Some(mosque_id)) => DeliveryTarget::Mosque { mosque_id: MosqueId(mosque_id), dedication: r.dedication },
        _ => return Err(corrupt("order delivery of kind", &r.delivery_kind)),
    };
    Ok(Order {
        id: OrderId(r.id),
        number: r.number,
        sap_id: r.sap_id,
        customer_id: UserId(r.user_id),
        status: status(&r.status)?,
        payment_method: PaymentMethod::parse(&r.payment_method).ok_or_else(|| corrupt("payment method", &r.payment_method))?,
        lines: lines.into_iter().map(|l| line(l, cur)).collect::<Result<_, _>>()?,
        totals: OrderTotals {
            currency: cur,
            sub_total: m(r.sub_total),
            promotion_discount: m(r.promotion_discount),
            order_discount: m(r.order_discount),
            order_discount_bp: count(r.order_discount_bp, "order discount")?,
            delivery_fee: m(r.delivery_fee),
            tax_rate_bp: count(r.tax_rate_bp, "tax rate")?,
            tax_total: m(r.tax_total),
            net_amount: m(r.net_amount),
            coupon_credit: m(r.coupon_credit),
            amount_to_pay: m(r.amount_to_pay),
        },
        promo_code: r.promo_code,
        delivery,
        slot: BookedSlot {
            area_id: DeliveryAreaId(r.area_id),
            slot_id: DeliverySlotId(r.slot_id),
            date: r.delivery_date,
            starts_minute: minute(r.slot_starts_minute)?,
            ends_minute: minute(r.slot_ends_minute)?,
        },
        comment: r.comment,
        version: r.version,
        created_at: r.created_at.0,
        updated_at: r.updated_at.0,
    })
}

/// Groups lines (sorted by order, then line number) under their orders.
pub(super) fn orders(rows: Vec<OrderRow>, lines: Vec<LineRow>) -> Result<Vec<Order>, RepoError> {
    let mut by_order: std::collections::HashMap<Uuid, Vec<LineRow>> = std::collections::HashMap::new();
    for l in lines {
        by_order.entry(l.order_id).or_default().push(l);
    }
    rows.into_iter()
        .map(|r| {
            let mut ls = by_order.remove(&r.id).unwrap_or_default();
            ls.sort_by_key(|l| l.line_no);
            order(r, ls)
        })
        .collect()
}

pub(super) fn event(r: EventRow) -> Result<OrderEvent, RepoError> {
    Ok(OrderEvent {
        from: r.from_status.as_deref().map(status).transpose()?,
        to: status(&r.to_status)?,
        actor: Actor { kind: ActorKind::parse(&r.actor_kind).ok_or_else(|| corrupt("actor kind", &r.actor_kind))?, id: r.actor_id },
        reason: r.reason,
        at: r.created_at.0,
    })
}

/// Column values for the delivery target: kind, address id, address text, mosque id, dedication.
pub(super) fn delivery_columns(d: &DeliveryTarget) -> (&'static str, Option<Uuid>, Option<&str>, Option<Uuid>, Option<&str>) {
    match d {
        DeliveryTarget::Address { address_id, snapshot } => ("address", Some(address_id.0), Some(snapshot.as_str()), None, None),
        DeliveryTarget::Mosque { mosque_id, dedication } => ("mosque", None, None, Some(mosque_id.0), dedication.as_deref()),
    }
}
