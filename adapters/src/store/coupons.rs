//! The SQL store of the coupon wallet: batches and their ledger. Balances are sums of the ledger,
//! computed on every read; see `sabil_core::ports::CouponRepository` for the ledger's rules, which
//! the checkout's redemption (`orders::place`) follows too.
use std::collections::BTreeMap;

use async_trait::async_trait;
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::orders::{CouponBalance, CouponBatchId, CouponEntry, CouponEntryKind, NewCouponBatch, OrderId};
use sabil_core::domain::{Page, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::CouponRepository;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Db, DbTime, Dialect, repo_error, with_db};

/// Coupon batches and their ledger in SQL.
#[derive(Clone, Debug)]
pub struct SqlCouponRepository {
    db: Db,
}

impl SqlCouponRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: Uuid,
    batch_id: Uuid,
    product_id: Uuid,
    kind: String,
    delta: i32,
    order_id: Option<Uuid>,
    created_at: DbTime,
}

impl TryFrom<EntryRow> for CouponEntry {
    type Error = RepoError;

    fn try_from(r: EntryRow) -> Result<Self, RepoError> {
        Ok(Self {
            batch_id: CouponBatchId(r.batch_id),
            product_id: ProductId(r.product_id),
            kind: CouponEntryKind::parse(&r.kind)
                .ok_or_else(|| RepoError::Internal(format!("stored coupon entry kind {:?} is not valid", r.kind)))?,
            delta: r.delta,
            order_id: r.order_id.map(OrderId),
            at: r.created_at.0,
        })
    }
}

/// What one live batch holds, for the balance.
#[derive(sqlx::FromRow)]
struct HeldRow {
    product_id: Uuid,
    expires_at: Option<DbTime>,
    held: i64,
}

#[async_trait]
impl CouponRepository for SqlCouponRepository {
    async fn issue(&self, b: &NewCouponBatch, now: OffsetDateTime) -> Result<CouponBatchId, RepoError> {
        let count = i32::try_from(b.count).map_err(|_| RepoError::Conflict("coupon_ledger.delta".into()))?;
        let id = Uuid::now_v7();
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            // A batch SAP sent before is the same batch: nothing is written, its id is the answer. On
            // PostgreSQL a concurrent insert of the same SAP id waits for the first to commit, then
            // inserts nothing, and the select below finds the winner.
            let inserted: Option<(Uuid,)> = sqlx::query_as::<E, (Uuid,)>(
                "INSERT INTO coupon_batches (id, user_id, product_id, source, sap_id, issued_by, note, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sap_id) DO NOTHING RETURNING id",
            )
            .bind(id).bind(b.customer_id.0).bind(b.product_id.0).bind(b.source.as_str()).bind(&b.sap_id).bind(b.issued_by)
            .bind(&b.note).bind(b.expires_at.map(DbTime)).bind(DbTime(now))
            .fetch_optional(&mut *tx).await.map_err(repo_error)?;
            if inserted.is_none() {
                let (existing,): (Uuid,) = sqlx::query_as::<E, (Uuid,)>("SELECT id FROM coupon_batches WHERE sap_id = $1")
                    .bind(&b.sap_id).fetch_one(&mut *tx).await.map_err(repo_error)?;
                tx.rollback().await.map_err(repo_error)?;
                return Ok(CouponBatchId(existing));
            }
            sqlx::query::<E>(
                "INSERT INTO coupon_ledger (id, batch_id, user_id, product_id, kind, delta, order_id, created_at) \
                 VALUES ($1, $2, $3, $4, 'issued', $5, NULL, $6)",
            )
            .bind(Uuid::now_v7()).bind(id).bind(b.customer_id.0).bind(b.product_id.0).bind(count).bind(DbTime(now))
            .execute(&mut *tx).await.map_err(repo_error)?;
            tx.commit().await.map_err(repo_error)?;
        });
        Ok(CouponBatchId(id))
    }

    async fn balances(&self, customer: UserId, now: OffsetDateTime) -> Result<Vec<CouponBalance>, RepoError> {
        const SQL: &str = "SELECT b.product_id, b.expires_at, SUM(l.delta) AS held \
             FROM coupon_batches b JOIN coupon_ledger l ON l.batch_id = b.id \
             WHERE b.user_id = $1 AND (b.expires_at IS NULL OR b.expires_at > $2) \
             GROUP BY b.id, b.product_id, b.expires_at HAVING SUM(l.delta) > 0";
        let rows: Vec<HeldRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, HeldRow>(SQL)
            .bind(customer.0).bind(DbTime(now)).fetch_all(pool).await)
        .map_err(repo_error)?;
        let mut by_product: BTreeMap<ProductId, CouponBalance> = BTreeMap::new();
        for r in rows {
            let product_id = ProductId(r.product_id);
            let balance = by_product.entry(product_id).or_insert(CouponBalance { product_id, available: 0, next_expiry: None });
            let held = u32::try_from(r.held).map_err(|_| RepoError::Internal(format!("a coupon batch holds {}", r.held)))?;
            balance.available = balance.available.saturating_add(held);
            balance.next_expiry = match (balance.next_expiry, r.expires_at.map(|t| t.0)) {
                (Some(a), Some(e)) => Some(a.min(e)),
                (a, e) => a.or(e),
            };
        }
        Ok(by_product.into_values().collect())
    }

    async fn history(&self, customer: UserId, page: PageRequest) -> Result<Page<CouponEntry>, RepoError> {
        // Keyset on (created_at, id), the order of the `coupon_ledger_by_owner` index; the cursor row
        // must be the customer's own, else nothing follows it.
        const SQL: &str = "SELECT id, batch_id, product_id, kind, delta, order_id, created_at FROM coupon_ledger \
             WHERE user_id = $1 AND ($2 IS NULL OR (created_at, id) < \
                 (SELECT c.created_at, c.id FROM coupon_ledger c WHERE c.id = $2 AND c.user_id = $1)) \
             ORDER BY created_at DESC, id DESC LIMIT $3";
        let mut rows: Vec<EntryRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, EntryRow>(SQL)
            .bind(customer.0).bind(page.cursor).bind(i64::from(page.limit) + 1).fetch_all(pool).await)
        .map_err(repo_error)?;
        let limit = page.limit as usize;
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| r.id)
        } else {
            None
        };
        let items = rows.into_iter().map(CouponEntry::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, next_cursor })
    }

    async fn expire_due(&self, now: OffsetDateTime, limit: u32) -> Result<u32, RepoError> {
        const DUE: &str = "SELECT b.id FROM coupon_batches b JOIN coupon_ledger l ON l.batch_id = b.id \
             WHERE b.expires_at IS NOT NULL AND b.expires_at <= $1 \
             GROUP BY b.id, b.expires_at HAVING SUM(l.delta) > 0 ORDER BY b.expires_at, b.id LIMIT $2";
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let due: Vec<(Uuid,)> = sqlx::query_as::<E, (Uuid,)>(DUE)
                .bind(DbTime(now)).bind(i64::from(limit)).fetch_all(&mut *tx).await.map_err(repo_error)?;
            let mut expired = 0_u32;
            for (batch,) in due {
                // Locked, then read again: a concurrent expiry (another worker) or redemption that
                // committed first is seen, so the batch is expired once, for exactly what it holds.
                let lock = format!("SELECT user_id, product_id FROM coupon_batches WHERE id = $1{}", E::FOR_UPDATE);
                let (user, product): (Uuid, Uuid) =
                    sqlx::query_as::<E, (Uuid, Uuid)>(AssertSqlSafe(lock)).bind(batch).fetch_one(&mut *tx).await.map_err(repo_error)?;
                let (held,): (i64,) = sqlx::query_as::<E, (i64,)>("SELECT COALESCE(SUM(delta), 0) FROM coupon_ledger WHERE batch_id = $1")
                    .bind(batch).fetch_one(&mut *tx).await.map_err(repo_error)?;
                if held <= 0 {
                    continue;
                }
                let delta = i32::try_from(-held).map_err(|_| RepoError::Internal(format!("a coupon batch holds {held}")))?;
                sqlx::query::<E>(
                    "INSERT INTO coupon_ledger (id, batch_id, user_id, product_id, kind, delta, order_id, created_at) \
                     VALUES ($1, $2, $3, $4, 'expired', $5, NULL, $6)",
                )
                .bind(Uuid::now_v7()).bind(batch).bind(user).bind(product).bind(delta).bind(DbTime(now))
                .execute(&mut *tx).await.map_err(repo_error)?;
                expired += 1;
            }
            tx.commit().await.map_err(repo_error)?;
            Ok(expired)
        })
    }
}
