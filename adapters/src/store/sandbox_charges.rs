//! The payment sandbox's charges in SQL (table `sandbox_charges`), so every API instance and the
//! sync-worker see the same charges. Each state change is one conditional `UPDATE`, so two requests
//! racing to decide or refund a charge cannot both win.
use sabil_core::domain::{Currency, Money};
use sabil_core::error::RepoError;
use sabil_core::ports::ChargeStatus;
use time::OffsetDateTime;

use super::{Db, DbTime, repo_error, with_db};

/// A sandbox charge as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCharge {
    /// `chg_sandbox_<uuid>`.
    pub id: String,
    /// The payment attempt it was created for (the idempotency key).
    pub attempt_id: String,
    /// The order it pays (Tap's `reference.order`).
    pub order_reference: String,
    pub amount: Money,
    /// How much of it was given back.
    pub refunded: Money,
    pub status: ChargeStatus,
    /// Where its webhook goes.
    pub post_url: String,
    /// Where the customer's browser goes back to.
    pub redirect_url: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    idempotency_key: String,
    order_reference: String,
    amount_minor: i64,
    currency: String,
    status: String,
    refunded_minor: i64,
    post_url: String,
    redirect_url: String,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<Row> for SandboxCharge {
    type Error = RepoError;

    fn try_from(r: Row) -> Result<Self, RepoError> {
        let currency = Currency::parse(&r.currency)
            .map_err(|_| RepoError::Internal(format!("stored sandbox currency {:?} is not valid", r.currency)))?;
        Ok(Self {
            id: r.id,
            attempt_id: r.idempotency_key,
            order_reference: r.order_reference,
            amount: Money::new(r.amount_minor, currency),
            refunded: Money::new(r.refunded_minor, currency),
            status: ChargeStatus::parse(&r.status),
            post_url: r.post_url,
            redirect_url: r.redirect_url,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// The columns of a charge, in `Row`'s order.
macro_rules! select_charge {
    ($where:literal) => {
        concat!(
            "SELECT id, idempotency_key, order_reference, amount_minor, currency, status, refunded_minor, post_url, redirect_url, \
             created_at, updated_at FROM sandbox_charges WHERE ",
            $where
        )
    };
}

/// SQL access to `sandbox_charges`.
#[derive(Clone, Debug)]
pub struct SqlSandboxCharges {
    db: Db,
}

impl SqlSandboxCharges {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Stores `charge` unless a charge for its attempt exists; returns the attempt's charge either way.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn create_once(&self, charge: &SandboxCharge) -> Result<SandboxCharge, RepoError> {
        const INSERT: &str = "INSERT INTO sandbox_charges (id, idempotency_key, order_reference, amount_minor, currency, status, \
                              refunded_minor, post_url, redirect_url, created_at, updated_at) \
                              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (idempotency_key) DO NOTHING";
        let c = charge;
        with_db!(&self.db, pool, E => sqlx::query::<E>(INSERT)
            .bind(&c.id).bind(&c.attempt_id).bind(&c.order_reference).bind(c.amount.minor).bind(c.amount.currency.code())
            .bind(c.status.as_str()).bind(c.refunded.minor).bind(&c.post_url).bind(&c.redirect_url)
            .bind(DbTime(c.created_at)).bind(DbTime(c.updated_at))
            .execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        const SQL: &str = select_charge!("idempotency_key = $1");
        let row: Row =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(SQL).bind(&c.attempt_id).fetch_one(pool).await).map_err(repo_error)?;
        SandboxCharge::try_from(row)
    }

    /// The charge with this id.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn get(&self, id: &str) -> Result<Option<SandboxCharge>, RepoError> {
        const SQL: &str = select_charge!("id = $1");
        let row: Option<Row> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(SQL).bind(id).fetch_optional(pool).await).map_err(repo_error)?;
        row.map(SandboxCharge::try_from).transpose()
    }

    /// Moves the charge from `from` to `to`; `false` when it is not (or no longer) in `from`.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn change_status(&self, id: &str, from: &ChargeStatus, to: &ChargeStatus, at: OffsetDateTime) -> Result<bool, RepoError> {
        const SQL: &str = "UPDATE sandbox_charges SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2";
        let done = with_db!(&self.db, pool, E => sqlx::query::<E>(SQL)
            .bind(id).bind(from.as_str()).bind(to.as_str()).bind(DbTime(at)).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(done == 1)
    }

    /// Records a refund of `amount` minor units on a captured, not yet refunded charge of at least that
    /// amount; `false` when the charge is not in that state (any more).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn record_refund(&self, id: &str, amount: i64, at: OffsetDateTime) -> Result<bool, RepoError> {
        const SQL: &str = "UPDATE sandbox_charges SET refunded_minor = $2, updated_at = $4 \
                           WHERE id = $1 AND status = $3 AND refunded_minor = 0 AND amount_minor >= $2";
        let done = with_db!(&self.db, pool, E => sqlx::query::<E>(SQL)
            .bind(id).bind(amount).bind(ChargeStatus::Captured.as_str()).bind(DbTime(at)).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(done == 1)
    }
}
