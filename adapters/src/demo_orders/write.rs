//! Writing a history batch in one write transaction with multi-row `INSERT`s (a few hundred rows per
//! statement, under both engines' bind limits): customers and their addresses, order numbers from the
//! orders store's own source, orders, lines, events, ratings and the slot places the orders hold. No
//! change-feed or outbox rows: the history is in SAP already (every row carries a `DEMO-` SAP id).
use std::collections::BTreeMap;

use sabil_core::domain::orders::{DeliveryTarget, OrderStatus};
use sabil_core::error::RepoError;
use sqlx::{Postgres, QueryBuilder, Sqlite};
use time::{Date, Duration};
use uuid::Uuid;

use super::HistorySeeded;
use super::generate::Batch;
use super::people::HISTORY_PHONE_PREFIX;
use crate::store::{Db, DbTime, Dialect, repo_error, with_db};

/// Order numbers for a batch, as `n` rows: PostgreSQL's `order_numbers` sequence, or on SQLite (one writer,
/// inside the write transaction) the numbers after the highest, as the orders store numbers an order.
trait BulkNumbers {
    const NEXT_NUMBERS: &'static str;
}

impl BulkNumbers for Sqlite {
    const NEXT_NUMBERS: &'static str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                                        SELECT (SELECT COALESCE(MAX(number), 100000) FROM orders) + i FROM n";
}

impl BulkNumbers for Postgres {
    const NEXT_NUMBERS: &'static str = "SELECT nextval('order_numbers') FROM generate_series(1, $1)";
}

/// Runs `INSERT` statements of at most `$per` rows each: `$head` then `VALUES` tuples pushed by `$push`.
macro_rules! insert_rows {
    ($E:ty, $tx:ident, $head:expr, $rows:expr, $per:expr, |$b:ident, $r:ident| $push:block) => {
        for chunk in $rows.chunks($per) {
            let mut query = QueryBuilder::<$E>::new($head);
            query.push_values(chunk, |mut $b, $r| $push);
            query.build().persistent(false).execute(&mut *$tx).await.map_err(repo_error)?;
        }
    };
    ($E:ty, $tx:ident, $head:expr, $rows:expr, $per:expr, $tail:expr, |$b:ident, $r:ident| $push:block) => {
        for chunk in $rows.chunks($per) {
            let mut query = QueryBuilder::<$E>::new($head);
            query.push_values(chunk, |mut $b, $r| $push);
            query.push($tail);
            query.build().persistent(false).execute(&mut *$tx).await.map_err(repo_error)?;
        }
    };
}

/// The next free number of the history phone range (0 when none is used).
pub(super) async fn next_history_phone(db: &Db) -> Result<u32, RepoError> {
    let highest: Option<String> = with_db!(db, pool, E => sqlx::query_scalar::<E, Option<String>>(
        "SELECT MAX(phone) FROM users WHERE phone LIKE $1",
    )
    .bind(format!("{HISTORY_PHONE_PREFIX}%")).fetch_one(pool).await)
    .map_err(repo_error)?;
    Ok(highest.and_then(|p| p.strip_prefix(HISTORY_PHONE_PREFIX).and_then(|n| n.parse::<u32>().ok())).map_or(0, |n| n + 1))
}

/// Whether the database has any order or any history customer (the demo history then stays out).
pub(super) async fn has_orders_or_history(db: &Db) -> Result<bool, RepoError> {
    let found: i64 = with_db!(db, pool, E => sqlx::query_scalar::<E, i64>(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM orders LIMIT 1) o) + (SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE phone LIKE $1 LIMIT 1) u)",
    )
    .bind(format!("{HISTORY_PHONE_PREFIX}%")).fetch_one(pool).await)
    .map_err(repo_error)?;
    Ok(found > 0)
}

fn small(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Writes `batch` in one transaction and adds what it wrote to `seeded`.
pub(super) async fn write_batch(db: &Db, batch: &Batch, seeded: &mut HistorySeeded) -> Result<(), RepoError> {
    let live = |s: OrderStatus| !matches!(s, OrderStatus::Cancelled | OrderStatus::Refunded);
    let mut places: BTreeMap<(Uuid, Date), i32> = BTreeMap::new();
    for o in batch.orders.iter().filter(|o| live(o.order.status)) {
        *places.entry((o.order.slot.slot_id.0, o.order.slot.date)).or_insert(0) += 1;
    }
    let places: Vec<((Uuid, Date), i32)> = places.into_iter().collect();
    let events: Vec<_> = batch.orders.iter().flat_map(|o| o.events.iter().map(move |(id, e)| (o.order.id.0, *id, e))).collect();
    let lines: Vec<_> = batch.orders.iter().flat_map(|o| o.order.lines.iter().enumerate().map(move |(i, l)| (o, i + 1, l))).collect();
    let rated: Vec<_> = batch.orders.iter().filter_map(|o| o.rating.as_ref().map(|r| (o, r))).collect();
    let count = i64::try_from(batch.orders.len()).unwrap_or(i64::MAX);

    let numbers = with_db!(db, pool, E => {
        let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
        insert_rows!(E, tx, "INSERT INTO users (id, phone, full_name, full_name_search, password_hash, role, status, language, sap_id, \
            created_at, updated_at, verified_at) ", batch.customers, 1000, |b, c| {
            // No password: history customers cannot sign in (as a customer SAP created before registering).
            b.push_bind(c.id).push_bind(&c.phone).push_bind(&c.full_name).push_bind(c.full_name.to_lowercase()).push_bind(None::<String>)
                .push_bind("customer").push_bind("active").push_bind(c.language).push_bind(format!("DEMO-C-{}", &c.phone[1..]))
                .push_bind(DbTime(c.created_at)).push_bind(DbTime(c.created_at)).push_bind(DbTime(c.created_at + Duration::MINUTE));
        });
        insert_rows!(E, tx, "INSERT INTO addresses (id, user_id, sap_id, kind, label, block, street, house, building, floor, apartment, \
            office, latitude, longitude, area_id, created_at, updated_at) ", batch.customers, 800, |b, c| {
            let a = &c.address;
            let at = DbTime(c.created_at + Duration::minutes(2));
            b.push_bind(a.id).push_bind(c.id).push_bind(format!("DEMO-A-{}", &c.phone[1..])).push_bind(a.kind).push_bind(a.label)
                .push_bind(&a.block).push_bind(&a.street).push_bind(&a.house).push_bind(&a.building).push_bind(&a.floor)
                .push_bind(&a.apartment).push_bind(&a.office).push_bind(a.latitude).push_bind(a.longitude)
                .push_bind(c.area_id.0).push_bind(at).push_bind(at);
        });

        let mut numbers: Vec<i64> = if count == 0 {
            Vec::new()
        } else {
            sqlx::query_scalar::<E, i64>(<E as BulkNumbers>::NEXT_NUMBERS).bind(count).fetch_all(&mut *tx).await.map_err(repo_error)?
        };
        numbers.sort_unstable();
        let numbered: Vec<_> = batch.orders.iter().zip(&numbers).collect();
        insert_rows!(E, tx, "INSERT INTO orders (id, number, sap_id, user_id, status, payment_method, currency, sub_total, \
            promotion_discount, order_discount, order_discount_bp, delivery_fee, tax_rate_bp, tax_total, net_amount, coupon_credit, \
            amount_to_pay, promo_code_id, promo_code, delivery_kind, address_id, address, mosque_id, dedication, area_id, slot_id, \
            delivery_date, slot_starts_minute, slot_ends_minute, comment, version, created_at, updated_at) ", numbered, 400, |b, row| {
            let (h, number) = row;
            let (o, t) = (&h.order, &h.order.totals);
            let (kind, address_id, address, mosque_id, dedication) = match &o.delivery {
                DeliveryTarget::Address { address_id, snapshot } => ("address", Some(address_id.0), Some(snapshot.as_str()), None, None),
                DeliveryTarget::Mosque { mosque_id, dedication } => ("mosque", None, None, Some(mosque_id.0), dedication.as_deref()),
            };
            b.push_bind(o.id.0).push_bind(**number).push_bind(format!("DEMO-SO-{number}")).push_bind(o.customer_id.0)
                .push_bind(o.status.as_str()).push_bind(o.payment_method.as_str()).push_bind(t.currency.code()).push_bind(t.sub_total.minor)
                .push_bind(t.promotion_discount.minor).push_bind(t.order_discount.minor).push_bind(small(t.order_discount_bp))
                .push_bind(t.delivery_fee.minor).push_bind(small(t.tax_rate_bp)).push_bind(t.tax_total.minor).push_bind(t.net_amount.minor)
                .push_bind(t.coupon_credit.minor).push_bind(t.amount_to_pay.minor).push_bind(None::<Uuid>).push_bind(&o.promo_code)
                .push_bind(kind).push_bind(address_id).push_bind(address).push_bind(mosque_id).push_bind(dedication)
                .push_bind(o.slot.area_id.0).push_bind(o.slot.slot_id.0).push_bind(o.slot.date).push_bind(i32::from(o.slot.starts_minute))
                .push_bind(i32::from(o.slot.ends_minute)).push_bind(&o.comment).push_bind(o.version).push_bind(DbTime(o.created_at))
                .push_bind(DbTime(o.updated_at));
        });
        insert_rows!(E, tx, "INSERT INTO order_lines (order_id, line_no, product_id, product_sap_id, title_ar, title_en, quantity, \
            free_quantity, coupons, unit_price, gross, promotion_id, promotion_discount, order_discount_share, discount_bp, line_total, \
            taxable_amount, tax, coupon_credit) ", lines, 800, |b, row| {
            let (h, line_no, l) = row;
            b.push_bind(h.order.id.0).push_bind(i32::try_from(*line_no).unwrap_or(i32::MAX)).push_bind(l.product_id.0)
                .push_bind(&l.product_sap_id).push_bind(&l.title.ar).push_bind(&l.title.en).push_bind(small(l.quantity))
                .push_bind(small(l.free_quantity)).push_bind(small(l.coupons)).push_bind(l.unit_price.minor).push_bind(l.gross.minor)
                .push_bind(l.promotion_id.map(|p| p.0)).push_bind(l.promotion_discount.minor).push_bind(l.order_discount_share.minor)
                .push_bind(small(l.discount_bp)).push_bind(l.line_total.minor).push_bind(l.taxable_amount.minor).push_bind(l.tax.minor)
                .push_bind(l.coupon_credit.minor);
        });
        insert_rows!(E, tx, "INSERT INTO order_events (id, order_id, from_status, to_status, actor_kind, actor_id, reason, created_at) ",
            events, 2000, |b, row| {
            let (order_id, id, e) = row;
            b.push_bind(*id).push_bind(*order_id).push_bind(e.from.map(OrderStatus::as_str)).push_bind(e.to.as_str())
                .push_bind(e.actor.kind.as_str()).push_bind(&e.actor.id).push_bind(&e.reason).push_bind(DbTime(e.at));
        });
        insert_rows!(E, tx, "INSERT INTO service_ratings (id, order_id, user_id, area_id, score, comment, created_at) ", rated, 2000, |b, row| {
            let (h, r) = row;
            b.push_bind(r.id).push_bind(h.order.id.0).push_bind(h.order.customer_id.0).push_bind(h.order.slot.area_id.0)
                .push_bind(i32::from(r.score)).push_bind(r.comment).push_bind(DbTime(r.created_at));
        });
        insert_rows!(E, tx, "INSERT INTO slot_reservations (slot_id, delivery_date, reserved) ", places, 2000,
            " ON CONFLICT (slot_id, delivery_date) DO UPDATE SET reserved = slot_reservations.reserved + excluded.reserved", |b, row| {
            let ((slot, date), n) = row;
            b.push_bind(*slot).push_bind(*date).push_bind(*n);
        });
        tx.commit().await.map_err(repo_error)?;
        numbers
    });

    seeded.customers += batch.customers.len() as u64;
    seeded.orders += batch.orders.len() as u64;
    seeded.lines += lines.len() as u64;
    seeded.events += events.len() as u64;
    seeded.ratings += rated.len() as u64;
    if let (Some(first), Some(last)) = (numbers.first(), numbers.last()) {
        seeded.first_number = if seeded.first_number == 0 { *first } else { seeded.first_number.min(*first) };
        seeded.last_number = seeded.last_number.max(*last);
    }
    Ok(())
}
