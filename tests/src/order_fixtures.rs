//! What the order cases need around an order: a shop (an area, a slot, two products), customers, a
//! hand-built `Order` with every figure set (microsecond times, amounts past 2^53), the `NewOrder` that
//! places it, and readers of what the stores wrote beside it (change records, outbox rows).
use sabil_adapters::store::Db;
use sabil_core::domain::address::AddressId;
use sabil_core::domain::catalog::{Product, ProductId, ProductType};
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId};
use sabil_core::domain::orders::{
    Actor, BookedSlot, DeliveryTarget, Order, OrderEvent, OrderId, OrderLine, OrderStatus, OrderTotals, PaymentMethod, PromoCode,
    PromoCodeId, PromoDiscount,
};
use sabil_core::domain::{Currency, LocalizedText, Money, UserId};
use sabil_core::ports::{IdempotencyClaim, NewOrder, OutboxMessage, PlaceRefused, Placed, PromoCodeClaim, StatusChange};
use time::macros::{date, time};
use time::{Date, Weekday};
use uuid::Uuid;

use crate::Stores;
use crate::fixtures::{T0, at, create_user};

/// A Sunday the shop's slot serves.
pub const SUNDAY: Date = date!(2026 - 12 - 06);
/// The Sunday after.
pub const NEXT_SUNDAY: Date = date!(2026 - 12 - 13);

/// A list price past 2^53 fils, so a store that goes through floating point is caught.
pub const BIG_PRICE: i64 = 9_007_199_254_740_993;

/// One delivery area with one Sunday slot and two products.
#[derive(Debug, Clone, Copy)]
pub struct Shop {
    pub area: DeliveryAreaId,
    pub slot: DeliverySlotId,
    /// A 5-gallon refill at 1.250 KWD.
    pub refill: ProductId,
    /// A case at [`BIG_PRICE`].
    pub case: ProductId,
}

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} بالعربية"), en: en.to_owned() }
}

fn product(price: i64, sort_order: i32) -> Product {
    Product {
        id: ProductId(Uuid::now_v7()),
        sap_id: None,
        title: text("Sabil 5 gallon"),
        description: text("Refill of a 5-gallon bottle"),
        product_type: ProductType::Refill,
        volume_ml: 18_900,
        bottles_per_pack: 1,
        price_per_pack: Money::new(price, Currency::Kwd),
        min_quantity: 1,
        max_quantity: 20,
        image_id: None,
        active: true,
        sort_order,
        created_at: at(0),
        updated_at: at(0),
    }
}

/// Stores a shop whose Sunday 10:00-12:00 slot takes `capacity` orders a date.
pub async fn open_shop(stores: &Stores, capacity: u32) -> Shop {
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: text("Salmiya"),
        boundary: None,
        delivery_fee: Money::new(500, Currency::Kwd),
        minimum_order: Money::new(2_000, Currency::Kwd),
        active: true,
        created_at: at(0),
        updated_at: at(0),
    };
    stores.delivery_areas.create(&area).await.expect("create the area");
    let slot = DeliverySlot {
        id: DeliverySlotId(Uuid::now_v7()),
        area_id: area.id,
        weekday: Weekday::Sunday,
        starts_at: time!(10:00),
        ends_at: time!(12:00),
        capacity,
        active: true,
    };
    stores.delivery_slots.create(&slot).await.expect("create the slot");
    let (refill, case) = (product(1_250, 1), product(BIG_PRICE, 2));
    stores.products.create(&refill).await.expect("create the refill");
    stores.products.create(&case).await.expect("create the case");
    Shop { area: area.id, slot: slot.id, refill: refill.id, case: case.id }
}

/// Stores a customer with this phone.
pub async fn customer(stores: &Stores, raw_phone: &str) -> UserId {
    create_user(stores, raw_phone, T0).await.id
}

fn kwd(minor: i64) -> Money {
    Money::new(minor, Currency::Kwd)
}

/// A card order of `customer` for `day`, placed `seconds` after `T0`: three refills (one free, `coupons`
/// of them paid with coupons, `coupons` at most 3) and one case at [`BIG_PRICE`], to an address.
#[must_use]
pub fn order(customer: UserId, shop: &Shop, day: Date, seconds: i64, coupons: u32) -> Order {
    let coupon_credit = 1_250 * i64::from(coupons);
    let refills = OrderLine {
        product_id: shop.refill,
        product_sap_id: Some("SKU-REFILL-5G".into()),
        title: text("Sabil 5 gallon"),
        quantity: 3,
        free_quantity: 1,
        coupons,
        unit_price: kwd(1_250),
        gross: kwd(3_750),
        promotion_id: None,
        promotion_discount: kwd(0),
        order_discount_share: kwd(375),
        discount_bp: 1_000,
        line_total: kwd(3_750),
        taxable_amount: kwd(3_375),
        tax: kwd(0),
        coupon_credit: kwd(coupon_credit),
    };
    let case = OrderLine {
        product_id: shop.case,
        product_sap_id: None,
        title: text("Case of 24 \"small\" bottles"),
        quantity: 1,
        free_quantity: 0,
        coupons: 0,
        unit_price: kwd(BIG_PRICE),
        gross: kwd(BIG_PRICE),
        promotion_id: None,
        promotion_discount: kwd(7),
        order_discount_share: kwd(0),
        discount_bp: 0,
        line_total: kwd(BIG_PRICE - 7),
        taxable_amount: kwd(BIG_PRICE - 7),
        tax: kwd(0),
        coupon_credit: kwd(0),
    };
    let sub_total = 3_750 + BIG_PRICE;
    let net_amount = sub_total - 7 - 375 + 500;
    let placed_at = at(seconds);
    Order {
        id: OrderId(Uuid::now_v7()),
        number: 0,
        sap_id: None,
        customer_id: customer,
        status: OrderStatus::PendingPayment,
        payment_method: PaymentMethod::Card,
        lines: vec![refills, case],
        totals: OrderTotals {
            currency: Currency::Kwd,
            sub_total: kwd(sub_total),
            promotion_discount: kwd(7),
            order_discount: kwd(375),
            order_discount_bp: 1_000,
            delivery_fee: kwd(500),
            tax_rate_bp: 0,
            tax_total: kwd(0),
            net_amount: kwd(net_amount),
            coupon_credit: kwd(coupon_credit),
            amount_to_pay: kwd(net_amount - coupon_credit),
        },
        promo_code: None,
        delivery: DeliveryTarget::Address {
            address_id: AddressId(Uuid::now_v7()), snapshot: "Block 4, Street 12, House 7\nسلمية".into()
        },
        slot: BookedSlot { area_id: shop.area, slot_id: shop.slot, date: day, starts_minute: 600, ends_minute: 720 },
        comment: Some("Ring twice; it's the 'blue' door".into()),
        version: 1,
        created_at: placed_at,
        updated_at: placed_at,
    }
}

/// The message every placed order sends: "your order is waiting for payment".
#[must_use]
pub fn status_message(order: &Order, status: OrderStatus) -> OutboxMessage {
    OutboxMessage::OrderStatusChanged { order_id: order.id, customer_id: order.customer_id, status }
}

/// Places `order` under checkout key `key` (fingerprint `fp-<key>`), with its first event and message.
#[must_use]
pub fn new_order(order: Order, key: &str) -> NewOrder {
    let event = OrderEvent { from: None, to: order.status, actor: Actor::customer(order.customer_id), reason: None, at: order.created_at };
    NewOrder {
        outbox: vec![status_message(&order, order.status)],
        order,
        idempotency: IdempotencyClaim { key: key.to_owned(), request_fingerprint: format!("fp-{key}") },
        coupons: vec![],
        promo_code: None,
        event,
    }
}

/// Moves `order` from `from` to `to` at `seconds` after `T0`, as the system, telling the customer; a move
/// to `cancelled` gives back the slot place, the coupons and the promo-code use, as the service asks.
#[must_use]
pub fn status_change(order: &Order, from: OrderStatus, to: OrderStatus, seconds: i64) -> StatusChange {
    let cancelling = to == OrderStatus::Cancelled;
    StatusChange {
        order_id: order.id,
        from,
        event: OrderEvent { from: Some(from), to, actor: Actor::system(), reason: Some(format!("to {}", to.as_str())), at: at(seconds) },
        release_slot: cancelling,
        restore_vouchers: cancelling,
        outbox: vec![status_message(order, to)],
    }
}

/// The order a `place` stored now.
///
/// # Panics
/// When it was refused or replayed.
pub fn stored(placed: Result<Placed, PlaceRefused>) -> Order {
    match placed {
        Ok(Placed::New(order)) => order,
        other => panic!("expected a new order, got {other:?}"),
    }
}

/// An active 10 % code, valid around `T0`, with these caps.
#[must_use]
pub fn promo_code(code: &str, max_uses: Option<u32>, max_uses_per_customer: Option<u32>) -> PromoCode {
    PromoCode {
        id: PromoCodeId(Uuid::now_v7()),
        code: code.to_owned(),
        description: "Ten percent off".into(),
        discount: PromoDiscount::Percent { basis_points: 1_000 },
        min_order: kwd(0),
        valid_from: at(-3_600),
        valid_until: at(30 * 86_400),
        max_uses,
        max_uses_per_customer,
        product_ids: vec![],
        uses: 0,
        active: true,
    }
}

/// What an order using `code` claims.
#[must_use]
pub fn promo_claim(code: &PromoCode) -> PromoCodeClaim {
    PromoCodeClaim { id: code.id, max_uses: code.max_uses, max_uses_per_customer: code.max_uses_per_customer }
}

/// Places taken in the shop's slot on `day`.
pub async fn reserved(stores: &Stores, shop: &Shop, day: Date) -> u32 {
    let until = day.next_day().expect("a next day");
    let listed = stores.delivery_slots.reservations(shop.area, day, until).await.expect("reservations");
    listed.iter().filter(|r| r.slot_id == shop.slot).map(|r| r.reserved).sum()
}

/// Runs a query yielding one text column, with `binds` bound, on the SQL backend's pool.
async fn texts(db: &Db, sql: &'static str, binds: &[Uuid]) -> Vec<String> {
    match db {
        Db::Sqlite(pool) => binds.iter().fold(sqlx::query_scalar(sql), |q, id| q.bind(*id)).fetch_all(pool).await,
        Db::Postgres(pool) => binds.iter().fold(sqlx::query_scalar(sql), |q, id| q.bind(*id)).fetch_all(pool).await,
    }
    .expect("query the SQL backend")
}

/// The change records written for SAP about `order`, oldest first: (operation, the order's JSON, on SQL;
/// `Value::Null` on the fakes, which keep no JSON).
pub async fn changes(stores: &Stores, order: OrderId) -> Vec<(String, serde_json::Value)> {
    match (&stores.db, &stores.fake_orders) {
        (Some(db), _) => {
            let ops = texts(db, "SELECT operation FROM changes WHERE entity = 'order' AND entity_id = $1 ORDER BY seq", &[order.0]).await;
            let data = texts(db, "SELECT data FROM changes WHERE entity = 'order' AND entity_id = $1 ORDER BY seq", &[order.0]).await;
            ops.into_iter().zip(data).map(|(op, d)| (op, serde_json::from_str(&d).expect("change data is JSON"))).collect()
        }
        (None, Some(fake)) => {
            fake.changes().into_iter().filter(|(id, _)| *id == order).map(|(_, op)| (op.to_owned(), serde_json::Value::Null)).collect()
        }
        (None, None) => panic!("neither a SQL pool nor the order fake"),
    }
}

/// The operations of [`changes`] alone.
pub async fn change_operations(stores: &Stores, order: OrderId) -> Vec<String> {
    changes(stores, order).await.into_iter().map(|(op, _)| op).collect()
}

/// The dedupe keys of every outbox message written, delivered or not, oldest first.
pub async fn outbox_keys(stores: &Stores) -> Vec<String> {
    match (&stores.db, &stores.fake_outbox) {
        (Some(db), _) => texts(db, "SELECT dedupe_key FROM outbox ORDER BY created_at, id", &[]).await,
        (None, Some(fake)) => fake.messages().iter().map(OutboxMessage::dedupe_key).collect(),
        (None, None) => panic!("neither a SQL pool nor the outbox fake"),
    }
}
