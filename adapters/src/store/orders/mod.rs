//! The SQL store of orders: placing one (a single transaction with its slot place, coupons, promo-code
//! use, change record and outbox messages), reading them, and moving them through their lifecycle.
mod json;
mod place;
mod rows;
mod status;

use async_trait::async_trait;
use sabil_core::domain::orders::{Order, OrderEvent, OrderId};
use sabil_core::domain::{Page, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{NewOrder, OrderQuery, OrderRepository, PlaceRefused, Placed, StatusChange};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) use json::{order_change, outbox_message, outbox_payload};
use rows::{EventRow, LINE_COLUMNS, LineRow, ORDER_COLUMNS, OrderRow};

use super::users::page_of;
use super::{Db, DbTime, repo_error, with_db};

/// Reads one order with its lines through `$exec` (a pool, or `&mut *tx` inside a transaction).
macro_rules! fetch_order {
    ($E:ty, $exec:expr, $id:expr) => {{
        let id: ::uuid::Uuid = $id;
        let row = ::sqlx::query_as::<$E, $crate::store::orders::rows::OrderRow>(::sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM orders WHERE id = $1",
            $crate::store::orders::rows::ORDER_COLUMNS
        )))
        .bind(id)
        .fetch_optional($exec)
        .await
        .map_err($crate::store::repo_error)?;
        match row {
            None => None,
            Some(row) => {
                let lines = ::sqlx::query_as::<$E, $crate::store::orders::rows::LineRow>(::sqlx::AssertSqlSafe(format!(
                    "SELECT {} FROM order_lines WHERE order_id = $1 ORDER BY line_no",
                    $crate::store::orders::rows::LINE_COLUMNS
                )))
                .bind(id)
                .fetch_all($exec)
                .await
                .map_err($crate::store::repo_error)?;
                Some($crate::store::orders::rows::order(row, lines)?)
            }
        }
    }};
}
pub(crate) use fetch_order;

/// Writes, inside the transaction `$tx`, what accompanies every change of an order: its lifecycle event,
/// its change record for SAP (the order as it now is) and its outbox messages (one per event: a repeated
/// dedupe key is dropped).
macro_rules! write_effects {
    ($E:ty, $tx:ident, $order:expr, $event:expr, $operation:expr, $outbox:expr, $now:expr) => {{
        let order: &::sabil_core::domain::orders::Order = $order;
        let event: &::sabil_core::domain::orders::OrderEvent = $event;
        let now = $crate::store::DbTime($now);
        ::sqlx::query::<$E>(
            "INSERT INTO order_events (id, order_id, from_status, to_status, actor_kind, actor_id, reason, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(::uuid::Uuid::now_v7())
        .bind(order.id.0)
        .bind(event.from.map(|s| s.as_str()))
        .bind(event.to.as_str())
        .bind(event.actor.kind.as_str())
        .bind(&event.actor.id)
        .bind(&event.reason)
        .bind($crate::store::DbTime(event.at))
        .execute(&mut *$tx)
        .await
        .map_err($crate::store::repo_error)?;
        $crate::store::sync::insert_change!(
            $E,
            $tx,
            ::sabil_core::domain::sync::OutboundEntity::Order,
            order.id.0,
            $operation,
            $crate::store::orders::order_change(order),
            $now
        );
        for message in $outbox {
            let message: &::sabil_core::ports::OutboxMessage = message;
            ::sqlx::query::<$E>(
                "INSERT INTO outbox (id, topic, dedupe_key, payload, created_at, available_at) VALUES ($1, $2, $3, $4, $5, $5) \
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(::uuid::Uuid::now_v7())
            .bind(message.topic())
            .bind(message.dedupe_key())
            .bind($crate::store::orders::outbox_payload(message))
            .bind(now)
            .execute(&mut *$tx)
            .await
            .map_err($crate::store::repo_error)?;
        }
    }};
}
pub(crate) use write_effects;

/// Orders in SQL.
#[derive(Clone, Debug)]
pub struct SqlOrderRepository {
    db: Db,
}

impl SqlOrderRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl OrderRepository for SqlOrderRepository {
    async fn place(&self, new: &NewOrder, now: OffsetDateTime) -> Result<Placed, PlaceRefused> {
        place::place(&self.db, new, now).await
    }

    async fn by_idempotency_key(&self, customer: UserId, key: &str) -> Result<Option<(String, OrderId)>, RepoError> {
        let row: Option<(String, Option<Uuid>)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (String, Option<Uuid>)>(
            "SELECT request_hash, order_id FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(customer.0).bind(key).fetch_optional(pool).await)
        .map_err(repo_error)?;
        Ok(row.and_then(|(fingerprint, order)| order.map(|o| (fingerprint, OrderId(o)))))
    }

    async fn get(&self, id: OrderId) -> Result<Option<Order>, RepoError> {
        Ok(with_db!(&self.db, pool, E => fetch_order!(E, pool, id.0)))
    }

    async fn get_by_number(&self, number: i64) -> Result<Option<Order>, RepoError> {
        let id: Option<(Uuid,)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (Uuid,)>("SELECT id FROM orders WHERE number = $1")
            .bind(number).fetch_optional(pool).await)
        .map_err(repo_error)?;
        match id {
            Some((id,)) => self.get(OrderId(id)).await,
            None => Ok(None),
        }
    }

    async fn list(&self, q: &OrderQuery) -> Result<Page<Order>, RepoError> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR status = $2) \
             AND ($3 IS NULL OR created_at >= $3) AND ($4 IS NULL OR created_at < $4) AND ($5 IS NULL OR id < $5) \
             ORDER BY id DESC LIMIT $6"
        );
        let customer = q.customer.map(|c| c.0);
        let status = q.status.map(|s| s.as_str());
        let (from, until) = (q.from.map(DbTime), q.until.map(DbTime));
        let limit = i64::from(q.page.limit) + 1;
        let (rows, lines) = with_db!(&self.db, pool, E => {
            let rows: Vec<OrderRow> = sqlx::query_as::<E, OrderRow>(AssertSqlSafe(sql))
                .bind(customer).bind(status).bind(from).bind(until).bind(q.page.cursor).bind(limit)
                .fetch_all(pool).await.map_err(repo_error)?;
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let mut lines = Vec::new();
            // One query per page of orders, not per order.
            for chunk in ids.chunks(100) {
                let marks = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                let sql = format!("SELECT {LINE_COLUMNS} FROM order_lines WHERE order_id IN ({marks})");
                let mut query = sqlx::query_as::<E, LineRow>(AssertSqlSafe(sql));
                for id in chunk {
                    query = query.bind(*id);
                }
                lines.extend(query.fetch_all(pool).await.map_err(repo_error)?);
            }
            (rows, lines)
        });
        let orders = rows::orders(rows, lines)?;
        Ok(page_of(orders, q.page.limit, |o| o.id.0))
    }

    async fn events(&self, id: OrderId) -> Result<Vec<OrderEvent>, RepoError> {
        let rows: Vec<EventRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, EventRow>(
            "SELECT from_status, to_status, actor_kind, actor_id, reason, created_at FROM order_events WHERE order_id = $1 \
             ORDER BY created_at, id",
        )
        .bind(id.0).fetch_all(pool).await)
        .map_err(repo_error)?;
        rows.into_iter().map(rows::event).collect()
    }

    async fn change_status(&self, change: &StatusChange, now: OffsetDateTime) -> Result<Option<Order>, RepoError> {
        status::change_status(&self.db, change, now).await
    }
}
