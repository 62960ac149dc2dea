//! Placing an order: one write transaction that claims the idempotency key, reserves the slot place,
//! counts the promo-code use, takes the coupons, stores the order and what goes with it, and empties the
//! cart. Any refusal rolls everything back.
use sabil_core::domain::orders::Order;
use sabil_core::error::RepoError;
use sabil_core::ports::{ChangeOperation, NewOrder, PlaceRefused, Placed};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::{Db, DbTime, Dialect, repo_error, with_db};
use super::rows::delivery_columns;
use super::{fetch_order, write_effects};

pub(super) async fn place(db: &Db, new: &NewOrder, now: OffsetDateTime) -> Result<Placed, PlaceRefused> {
    let o = &new.order;
    let customer = o.customer_id.0;
    with_db!(db, pool, E => {
        let mut tx = E::begin_write(pool).await.map_err(repo_error)?;

        // 1. The key. A concurrent checkout with the same key waits here for the first to commit or roll back.
        let claimed = sqlx::query::<E>(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, order_id, created_at) VALUES ($1, $2, $3, NULL, $4) \
             ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(customer).bind(&new.idempotency.key).bind(&new.idempotency.request_fingerprint).bind(DbTime(now))
        .execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
        if claimed == 0 {
            let (fingerprint, order_id): (String, Option<Uuid>) = sqlx::query_as::<E, (String, Option<Uuid>)>(
                "SELECT request_hash, order_id FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(customer).bind(&new.idempotency.key).fetch_one(&mut *tx).await.map_err(repo_error)?;
            tx.rollback().await.map_err(repo_error)?;
            if fingerprint != new.idempotency.request_fingerprint {
                return Err(PlaceRefused::KeyReused);
            }
            let order_id = order_id.ok_or_else(|| RepoError::Internal("idempotency key without its order".into()))?;
            let order = fetch_order!(E, pool, order_id).ok_or(RepoError::NotFound)?;
            return Ok(Placed::Replayed(order));
        }

        // 2. The slot place: the capacity check and the increment are one statement.
        sqlx::query::<E>("INSERT INTO slot_reservations (slot_id, delivery_date, reserved) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
            .bind(o.slot.slot_id.0).bind(o.slot.date).execute(&mut *tx).await.map_err(repo_error)?;
        let reserved = sqlx::query::<E>(
            "UPDATE slot_reservations SET reserved = reserved + 1 WHERE slot_id = $1 AND delivery_date = $2 \
             AND reserved < (SELECT capacity FROM delivery_slots WHERE id = $1 AND active)",
        )
        .bind(o.slot.slot_id.0).bind(o.slot.date).execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
        if reserved == 0 {
            return Err(PlaceRefused::SlotFull);
        }

        // 3. The promo code: the row update is the lock that serializes every use of the code.
        if let Some(code) = &new.promo_code {
            let counted = sqlx::query::<E>(
                "UPDATE promo_codes SET uses = uses + 1 WHERE id = $1 AND active AND (max_uses IS NULL OR uses < max_uses)",
            )
            .bind(code.id.0).execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
            if counted == 0 {
                return Err(PlaceRefused::PromoCodeUsedUp);
            }
            if let Some(cap) = code.max_uses_per_customer {
                let (used,): (i64,) = sqlx::query_as::<E, (i64,)>(
                    "SELECT COUNT(*) FROM orders WHERE user_id = $1 AND promo_code_id = $2 AND status NOT IN ('cancelled', 'refunded')",
                )
                .bind(customer).bind(code.id.0).fetch_one(&mut *tx).await.map_err(repo_error)?;
                if used >= i64::from(cap) {
                    return Err(PlaceRefused::PromoCodeUsedUpByCustomer);
                }
            }
        }

        // 4. Coupons, product by product in id order (so two checkouts lock batches in the same order),
        // earliest-expiring batch first.
        let mut redemptions = new.coupons.clone();
        redemptions.sort_by_key(|r| r.product_id);
        for r in redemptions.iter().filter(|r| r.count > 0) {
            let lock = format!(
                "SELECT id FROM coupon_batches WHERE user_id = $1 AND product_id = $2 AND (expires_at IS NULL OR expires_at > $3) \
                 ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, id{}",
                E::FOR_UPDATE
            );
            let batches: Vec<(Uuid,)> = sqlx::query_as::<E, (Uuid,)>(AssertSqlSafe(lock))
                .bind(customer).bind(r.product_id.0).bind(DbTime(now)).fetch_all(&mut *tx).await.map_err(repo_error)?;
            let mut takes = Vec::new();
            let mut missing = i64::from(r.count);
            let mut available = 0_i64;
            for (batch,) in batches {
                let (left,): (i64,) = sqlx::query_as::<E, (i64,)>("SELECT COALESCE(SUM(delta), 0) FROM coupon_ledger WHERE batch_id = $1")
                    .bind(batch).fetch_one(&mut *tx).await.map_err(repo_error)?;
                available += left.max(0);
                let take = left.min(missing);
                if take > 0 {
                    takes.push((batch, take));
                    missing -= take;
                }
            }
            if missing > 0 {
                return Err(PlaceRefused::NotEnoughCoupons { product: r.product_id, available: u32::try_from(available).unwrap_or(0) });
            }
            for (batch, take) in takes {
                sqlx::query::<E>(
                    "INSERT INTO coupon_ledger (id, batch_id, user_id, product_id, kind, delta, order_id, created_at) \
                     VALUES ($1, $2, $3, $4, 'redeemed', $5, $6, $7)",
                )
                .bind(Uuid::now_v7()).bind(batch).bind(customer).bind(r.product_id.0).bind(-i32::try_from(take).unwrap_or(i32::MAX))
                .bind(o.id.0).bind(DbTime(now)).execute(&mut *tx).await.map_err(repo_error)?;
            }
        }

        // 5. The order, its lines and its first event.
        let (number,): (i64,) = sqlx::query_as::<E, (i64,)>(E::NEXT_ORDER_NUMBER).fetch_one(&mut *tx).await.map_err(repo_error)?;
        let t = &o.totals;
        let (kind, address_id, address, mosque_id, dedication) = delivery_columns(&o.delivery);
        sqlx::query::<E>(
            "INSERT INTO orders (id, number, sap_id, user_id, status, payment_method, currency, sub_total, promotion_discount, \
             order_discount, order_discount_bp, delivery_fee, tax_rate_bp, tax_total, net_amount, coupon_credit, amount_to_pay, \
             promo_code_id, promo_code, delivery_kind, address_id, address, mosque_id, dedication, area_id, slot_id, delivery_date, \
             slot_starts_minute, slot_ends_minute, comment, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)",
        )
        .bind(o.id.0).bind(number).bind(&o.sap_id).bind(customer).bind(o.status.as_str()).bind(o.payment_method.as_str())
        .bind(t.currency.code()).bind(t.sub_total.minor).bind(t.promotion_discount.minor).bind(t.order_discount.minor)
        .bind(bp(t.order_discount_bp)).bind(t.delivery_fee.minor).bind(bp(t.tax_rate_bp)).bind(t.tax_total.minor)
        .bind(t.net_amount.minor).bind(t.coupon_credit.minor).bind(t.amount_to_pay.minor).bind(new.promo_code.map(|c| c.id.0))
        .bind(&o.promo_code).bind(kind).bind(address_id).bind(address).bind(mosque_id).bind(dedication).bind(o.slot.area_id.0)
        .bind(o.slot.slot_id.0).bind(o.slot.date).bind(i32::from(o.slot.starts_minute)).bind(i32::from(o.slot.ends_minute))
        .bind(&o.comment).bind(o.version).bind(DbTime(o.created_at)).bind(DbTime(o.updated_at))
        .execute(&mut *tx).await.map_err(repo_error)?;
        for (i, l) in o.lines.iter().enumerate() {
            sqlx::query::<E>(
                "INSERT INTO order_lines (order_id, line_no, product_id, product_sap_id, title_ar, title_en, quantity, free_quantity, \
                 coupons, unit_price, gross, promotion_id, promotion_discount, order_discount_share, discount_bp, line_total, \
                 taxable_amount, tax, coupon_credit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
            )
            .bind(o.id.0).bind(i32::try_from(i + 1).unwrap_or(i32::MAX)).bind(l.product_id.0).bind(&l.product_sap_id)
            .bind(&l.title.ar).bind(&l.title.en).bind(bp(l.quantity)).bind(bp(l.free_quantity)).bind(bp(l.coupons))
            .bind(l.unit_price.minor).bind(l.gross.minor).bind(l.promotion_id.map(|p| p.0)).bind(l.promotion_discount.minor)
            .bind(l.order_discount_share.minor).bind(bp(l.discount_bp)).bind(l.line_total.minor).bind(l.taxable_amount.minor)
            .bind(l.tax.minor).bind(l.coupon_credit.minor)
            .execute(&mut *tx).await.map_err(repo_error)?;
        }
        sqlx::query::<E>("UPDATE idempotency_keys SET order_id = $1 WHERE user_id = $2 AND key = $3")
            .bind(o.id.0).bind(customer).bind(&new.idempotency.key).execute(&mut *tx).await.map_err(repo_error)?;

        // 6. The stored order (with its number) goes to SAP's change feed; outbox messages; the cart is done.
        // What was just written, with its number: no need to read it back.
        let stored = Order { number, ..o.clone() };
        write_effects!(E, tx, &stored, &new.event, ChangeOperation::Create, &new.outbox, now);
        sqlx::query::<E>("DELETE FROM cart_items WHERE user_id = $1").bind(customer).execute(&mut *tx).await.map_err(repo_error)?;
        tx.commit().await.map_err(repo_error)?;
        Ok(Placed::New(stored))
    })
}

/// A count or basis-point figure as an INTEGER column (they are far below `i32::MAX`; saturate rather than wrap).
fn bp(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}
