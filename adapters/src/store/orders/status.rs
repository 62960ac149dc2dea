//! Moving an order through its lifecycle: a compare-and-set on its status, with the event, what a
//! cancellation gives back (the slot place, the coupons, the promo-code use), the change record for SAP
//! and the outbox messages, in one transaction.
use sabil_core::domain::orders::Order;
use sabil_core::error::RepoError;
use sabil_core::ports::{ChangeOperation, StatusChange};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::super::{Db, DbTime, Dialect, repo_error, with_db};
use super::{fetch_order, write_effects};

pub(super) async fn change_status(db: &Db, c: &StatusChange, now: OffsetDateTime) -> Result<Option<Order>, RepoError> {
    let id = c.order_id.0;
    with_db!(db, pool, E => {
        let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
        let moved = sqlx::query::<E>(
            "UPDATE orders SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(c.event.to.as_str()).bind(DbTime(now)).bind(id).bind(c.from.as_str())
        .execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
        if moved == 0 {
            let exists: Option<(Uuid,)> = sqlx::query_as::<E, (Uuid,)>("SELECT id FROM orders WHERE id = $1")
                .bind(id).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            return if exists.is_some() { Ok(None) } else { Err(RepoError::NotFound) };
        }
        if c.release_slot {
            let (slot, date): (Uuid, Date) = sqlx::query_as::<E, (Uuid, Date)>("SELECT slot_id, delivery_date FROM orders WHERE id = $1")
                .bind(id).fetch_one(&mut *tx).await.map_err(repo_error)?;
            sqlx::query::<E>(
                "UPDATE slot_reservations SET reserved = reserved - 1 WHERE slot_id = $1 AND delivery_date = $2 AND reserved > 0",
            )
            .bind(slot).bind(date).execute(&mut *tx).await.map_err(repo_error)?;
        }
        if c.restore_vouchers {
            // What the order still holds per batch goes back; after this the order holds nothing, so a
            // second restoration restores nothing.
            let held: Vec<(Uuid, Uuid, Uuid, i64)> = sqlx::query_as::<E, (Uuid, Uuid, Uuid, i64)>(
                "SELECT batch_id, user_id, product_id, SUM(delta) FROM coupon_ledger WHERE order_id = $1 \
                 GROUP BY batch_id, user_id, product_id HAVING SUM(delta) < 0",
            )
            .bind(id).fetch_all(&mut *tx).await.map_err(repo_error)?;
            for (batch, user, product, sum) in held {
                sqlx::query::<E>(
                    "INSERT INTO coupon_ledger (id, batch_id, user_id, product_id, kind, delta, order_id, created_at) \
                     VALUES ($1, $2, $3, $4, 'restored', $5, $6, $7)",
                )
                .bind(Uuid::now_v7()).bind(batch).bind(user).bind(product).bind(i32::try_from(-sum).unwrap_or(i32::MAX)).bind(id)
                .bind(DbTime(now)).execute(&mut *tx).await.map_err(repo_error)?;
            }
            sqlx::query::<E>(
                "UPDATE promo_codes SET uses = uses - 1 WHERE uses > 0 AND id = (SELECT promo_code_id FROM orders WHERE id = $1)",
            )
            .bind(id).execute(&mut *tx).await.map_err(repo_error)?;
        }
        let order = fetch_order!(E, &mut *tx, id).ok_or(RepoError::NotFound)?;
        write_effects!(E, tx, &order, &c.event, ChangeOperation::Update, &c.outbox, now);
        tx.commit().await.map_err(repo_error)?;
        Ok(Some(order))
    })
}
