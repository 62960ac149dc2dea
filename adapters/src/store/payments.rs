//! The SQL store of payment attempts and refunds.
use async_trait::async_trait;
use sabil_core::domain::money::Money;
use sabil_core::domain::orders::{OrderId, PaymentMethod};
use sabil_core::error::RepoError;
use sabil_core::ports::{PaymentAttempt, PaymentRepository, RefundRecord};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::catalog::{corrupt, currency};
use super::{Db, DbTime, repo_error, with_db};

const COLUMNS: &str = "id, order_id, provider, method, charge_id, amount_minor, currency, status, payment_url, last_error, created_at, updated_at, checked_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    order_id: Uuid,
    provider: String,
    method: String,
    charge_id: Option<String>,
    amount_minor: i64,
    currency: String,
    status: String,
    payment_url: Option<String>,
    last_error: Option<String>,
    created_at: DbTime,
    updated_at: DbTime,
    checked_at: Option<DbTime>,
}

impl TryFrom<Row> for PaymentAttempt {
    type Error = RepoError;

    fn try_from(r: Row) -> Result<Self, RepoError> {
        Ok(Self {
            id: r.id,
            order_id: OrderId(r.order_id),
            provider: r.provider,
            method: PaymentMethod::parse(&r.method).ok_or_else(|| corrupt("payment method", &r.method))?,
            charge_id: r.charge_id,
            amount: Money::new(r.amount_minor, currency(&r.currency)?),
            status: r.status,
            payment_url: r.payment_url,
            last_error: r.last_error,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            checked_at: r.checked_at.map(|t| t.0),
        })
    }
}

/// Payment attempts and refunds in SQL.
#[derive(Clone, Debug)]
pub struct SqlPaymentRepository {
    db: Db,
}

impl SqlPaymentRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn select(&self, filter: &str, key: &str) -> Result<Vec<PaymentAttempt>, RepoError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE {filter} ORDER BY created_at DESC, id DESC");
        let rows: Vec<Row> = with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(AssertSqlSafe(sql)).bind(key).fetch_all(pool).await)
            .map_err(repo_error)?;
        rows.into_iter().map(PaymentAttempt::try_from).collect()
    }
}

#[async_trait]
impl PaymentRepository for SqlPaymentRepository {
    async fn create(&self, a: &PaymentAttempt) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO payments (id, order_id, provider, method, charge_id, amount_minor, currency, status, payment_url, last_error, \
             created_at, updated_at, checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(a.id).bind(a.order_id.0).bind(&a.provider).bind(a.method.as_str()).bind(&a.charge_id).bind(a.amount.minor)
        .bind(a.amount.currency.code()).bind(&a.status).bind(&a.payment_url).bind(&a.last_error).bind(DbTime(a.created_at))
        .bind(DbTime(a.updated_at)).bind(a.checked_at.map(DbTime)).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn update(&self, a: &PaymentAttempt) -> Result<(), RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE payments SET charge_id = $1, status = $2, payment_url = $3, last_error = $4, updated_at = $5, checked_at = $6 \
             WHERE id = $7",
        )
        .bind(&a.charge_id).bind(&a.status).bind(&a.payment_url).bind(&a.last_error).bind(DbTime(a.updated_at))
        .bind(a.checked_at.map(DbTime)).bind(a.id).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        if n == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn get(&self, id: Uuid) -> Result<Option<PaymentAttempt>, RepoError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
        let row: Option<Row> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(PaymentAttempt::try_from).transpose()
    }

    async fn by_charge(&self, charge_id: &str) -> Result<Option<PaymentAttempt>, RepoError> {
        Ok(self.select("charge_id = $1", charge_id).await?.into_iter().next())
    }

    async fn for_order(&self, order: OrderId) -> Result<Vec<PaymentAttempt>, RepoError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE order_id = $1 ORDER BY created_at DESC, id DESC");
        let rows: Vec<Row> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(AssertSqlSafe(sql)).bind(order.0).fetch_all(pool).await)
                .map_err(repo_error)?;
        rows.into_iter().map(PaymentAttempt::try_from).collect()
    }

    async fn needing_check(
        &self,
        statuses: &[&str],
        created_before: OffsetDateTime,
        checked_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<PaymentAttempt>, RepoError> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        let marks = (4..4 + statuses.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {COLUMNS} FROM payments WHERE created_at < $1 AND (checked_at IS NULL OR checked_at < $2) AND status IN ({marks}) \
             ORDER BY created_at, id LIMIT $3"
        );
        let rows: Vec<Row> = with_db!(&self.db, pool, E => {
            let mut q = sqlx::query_as::<E, Row>(AssertSqlSafe(sql)).bind(DbTime(created_before)).bind(DbTime(checked_before)).bind(i64::from(limit));
            for s in statuses {
                q = q.bind(*s);
            }
            q.fetch_all(pool).await
        })
        .map_err(repo_error)?;
        rows.into_iter().map(PaymentAttempt::try_from).collect()
    }

    async fn create_refund(&self, r: &RefundRecord) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO refunds (id, order_id, payment_id, provider_refund_id, amount_minor, currency, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(r.id).bind(r.order_id.0).bind(r.payment_id).bind(&r.provider_refund_id).bind(r.amount.minor)
        .bind(r.amount.currency.code()).bind(&r.status).bind(DbTime(r.created_at)).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn refund_for(&self, payment_id: Uuid) -> Result<Option<RefundRecord>, RepoError> {
        let row: Option<(Uuid, Uuid, Option<String>, i64, String, String, DbTime)> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, (Uuid, Uuid, Option<String>, i64, String, String, DbTime)>(
            "SELECT id, order_id, provider_refund_id, amount_minor, currency, status, created_at FROM refunds WHERE payment_id = $1",
        )
        .bind(payment_id).fetch_optional(pool).await)
            .map_err(repo_error)?;
        row.map(|(id, order, provider_refund_id, amount, cur, status, at)| {
            Ok(RefundRecord {
                id,
                order_id: OrderId(order),
                payment_id,
                provider_refund_id,
                amount: Money::new(amount, currency(&cur)?),
                status,
                created_at: at.0,
            })
        })
        .transpose()
    }
}
