//! sqlx repositories for SQLite (the embedded default) and PostgreSQL (production). One SQL text
//! serves both engines: each repository method is written once and compiled for both pools by
//! `with_db!`; where the dialects differ, `Dialect` supplies the engine's text.
mod addresses;
mod audit;
mod carts;
mod catalog;
mod change_json;
mod chat;
mod coupon_books;
mod coupons;
mod credentials;
mod delivery;
mod feedback;
mod files;
pub mod leader;
mod local_pushes;
mod migrations;
mod mosques;
mod notifications;
mod orders;
mod outbox;
mod payments;
mod promo_codes;
mod sandbox_charges;
mod sap_products;
mod sms_outbox;
mod stats;
mod support;
mod sync;
mod time_column;
mod users;

use std::str::FromStr;
use std::time::Duration;

use sabil_core::error::RepoError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, Postgres};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite, Transaction};

pub use addresses::SqlAddressRepository;
pub use audit::SqlAuditRepository;
pub use carts::SqlCartRepository;
pub use catalog::{SqlProductRepository, SqlPromotionRepository};
pub use chat::SqlChatRepository;
pub use coupon_books::SqlCouponBookRepository;
pub use coupons::SqlCouponRepository;
pub use credentials::{SqlCodeRepository, SqlRefreshTokenRepository, SqlSapClientRepository};
pub use delivery::{SqlDeliveryAreaRepository, SqlDeliverySlotRepository};
pub use feedback::{SqlCustomerQuestionRepository, SqlRatingRepository, SqlSurveyRepository};
pub use files::SqlFileRepository;
pub use local_pushes::{INVALID_TOKEN_PREFIX, LocalPush, LocalPushEntry};
pub use migrations::{MigrationState, MigrationStatus};
pub use mosques::SqlMosqueRepository;
pub use notifications::{SqlBroadcastRepository, SqlDeviceRepository, SqlNotificationRepository};
pub use orders::SqlOrderRepository;
pub use outbox::SqlOutboxRepository;
pub use payments::SqlPaymentRepository;
pub use promo_codes::SqlPromoCodeRepository;
pub use sandbox_charges::{SandboxCharge, SqlSandboxCharges};
pub use sms_outbox::{OutboxSms, SmsOutboxEntry};
pub use stats::SqlStatsRepository;
pub use support::{SqlContactRepository, SqlFaqRepository, SqlTermsRepository};
pub use sync::{SqlChangeFeedRepository, SqlSapLinkRepository, SqlSyncFailureRepository};
pub use time_column::DbTime;
pub use users::SqlUserRepository;

/// A connection pool on one of the two engines.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(Pool<Sqlite>),
    Postgres(Pool<Postgres>),
}

/// Runs `$body` with `$pool` bound to the engine's pool and `$db` naming the engine type.
macro_rules! with_db {
    ($db:expr, $pool:ident, $engine:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => {
                #[allow(dead_code)]
                type $engine = ::sqlx::Sqlite;
                $body
            }
            $crate::store::Db::Postgres($pool) => {
                #[allow(dead_code)]
                type $engine = ::sqlx::Postgres;
                $body
            }
        }
    };
}
pub(crate) use with_db;

/// What differs between the engines.
pub(crate) trait Dialect: sqlx::Database {
    /// Locks the row selected by the statement it is appended to until the transaction ends
    /// (SQLite needs nothing: its write transactions are exclusive).
    const FOR_UPDATE: &'static str;

    /// Yields the next order number as one `BIGINT` column: a sequence on PostgreSQL (no lock held
    /// to the end of the transaction), the highest number plus one under SQLite's single writer.
    const NEXT_ORDER_NUMBER: &'static str;

    /// Appended to a claiming `SELECT`: skip rows another transaction holds (PostgreSQL); nothing on
    /// SQLite, whose write transactions are exclusive.
    const SKIP_LOCKED: &'static str;

    /// Opens a write transaction: `BEGIN IMMEDIATE` on SQLite so a read-then-write cannot fail with
    /// SQLITE_BUSY halfway, a plain `BEGIN` on PostgreSQL.
    async fn begin_write(pool: &Pool<Self>) -> Result<Transaction<'static, Self>, sqlx::Error>;
}

impl Dialect for Sqlite {
    const FOR_UPDATE: &'static str = "";
    const NEXT_ORDER_NUMBER: &'static str = "SELECT COALESCE(MAX(number), 100000) + 1 FROM orders";
    const SKIP_LOCKED: &'static str = "";

    async fn begin_write(pool: &Pool<Self>) -> Result<Transaction<'static, Self>, sqlx::Error> {
        pool.begin_with("BEGIN IMMEDIATE").await
    }
}

impl Dialect for Postgres {
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const NEXT_ORDER_NUMBER: &'static str = "SELECT nextval('order_numbers')";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    async fn begin_write(pool: &Pool<Self>) -> Result<Transaction<'static, Self>, sqlx::Error> {
        pool.begin().await
    }
}

/// Translates a driver error into the port's error, once for every repository.
pub(crate) fn repo_error(e: sqlx::Error) -> RepoError {
    match &e {
        sqlx::Error::RowNotFound => RepoError::NotFound,
        sqlx::Error::Database(db) => match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => RepoError::Conflict(db.constraint().unwrap_or("unique").to_owned()),
            sqlx::error::ErrorKind::ForeignKeyViolation | sqlx::error::ErrorKind::CheckViolation => {
                RepoError::Conflict(db.constraint().unwrap_or("constraint").to_owned())
            }
            // SQLITE_BUSY (5) / SQLITE_LOCKED (6); PostgreSQL serialization failure and deadlock.
            _ if matches!(db.code().as_deref(), Some("5" | "6" | "40001" | "40P01" | "57P01")) => RepoError::Unavailable(db.to_string()),
            _ => RepoError::Internal(e.to_string()),
        },
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            RepoError::Unavailable(e.to_string())
        }
        _ => RepoError::Internal(e.to_string()),
    }
}

/// Errors opening or migrating the database.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("SABIL_DATABASE_URL is not a sqlite:// or postgres:// URL: {0}")]
    Scheme(String),
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens a pool for the URL; a SQLite file (and its folder) is created if missing.
    ///
    /// # Errors
    /// `Scheme` for other URLs, `Connect` when the database cannot be reached.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbSetupError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(DbSetupError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if let Some(parent) = std::path::Path::new(options.get_filename()).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| DbSetupError::Connect(sqlx::Error::Io(e)))?;
            }
            let pool =
                // No ping before each checkout: a broken connection shows up as the query's own
                // error, and the ping doubled the thread round trips of every request.
                SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await
                    .map_err(DbSetupError::Connect)?;
            Ok(Self::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(DbSetupError::Connect)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await
                .map_err(DbSetupError::Connect)?;
            Ok(Self::Postgres(pool))
        } else {
            Err(DbSetupError::Scheme(url.split(':').next().unwrap_or_default().to_owned()))
        }
    }

    /// Applies the embedded migrations of this engine that are not applied yet.
    ///
    /// # Errors
    /// `Migrate` when a migration fails or an applied one was changed.
    pub async fn migrate(&self) -> Result<(), DbSetupError> {
        match self {
            Self::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await.map_err(DbSetupError::Migrate),
            Self::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await.map_err(DbSetupError::Migrate),
        }
    }

    /// Whether the database answers and every embedded migration is applied.
    ///
    /// # Errors
    /// A description of what is not ready.
    pub async fn readiness(&self) -> Result<(), String> {
        const APPLIED: &str = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success";
        let applied: (i64,) = with_db!(self, pool, E => sqlx::query_as::<E, (i64,)>(APPLIED).fetch_one(pool).await)
            .map_err(|e| format!("database not reachable or not migrated: {e}"))?;
        let applied = applied.0;
        let expected = match self {
            Self::Sqlite(_) => sqlx::migrate!("../migrations/sqlite").iter().count(),
            Self::Postgres(_) => sqlx::migrate!("../migrations/postgres").iter().count(),
        };
        if usize::try_from(applied).unwrap_or(0) < expected {
            return Err(format!("{applied} of {expected} migrations applied; run `sabil db migrate`"));
        }
        Ok(())
    }

    /// The engine's name, for logs.
    #[must_use]
    pub fn engine(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        with_db!(self, pool, _E => pool.close().await);
    }
}
