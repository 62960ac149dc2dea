//! SAP synchronisation in SQL: the change feed (rows written by the entities' stores through
//! `insert_change!`, inside their own transactions; read, confirmed, retried and settled here), the
//! links between SAP's ids and ours, the log of refused changes from SAP, and the worker's notes.
use async_trait::async_trait;
use sabil_core::domain::catalog::Product;
use sabil_core::domain::sync::{ChangeOperation, ChangeRecord, InboundEntity, OutboundEntity};
use sabil_core::error::RepoError;
use sabil_core::ports::{
    ChangeFeedRepository, Confirmed, EntityBacklog, FailureSource, SapLink, SapLinkRepository, SapProductSave, SyncFailure,
    SyncFailureRepository,
};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Db, DbTime, Dialect, repo_error, with_db};

/// Writes, inside the transaction `$tx`, one change record for SAP: `$entity` (`OutboundEntity`) with our
/// id `$entity_id`, `$operation` (`ChangeOperation`), and the entity's JSON after the change, made at `$now`.
/// Every store of a shared entity calls it in the transaction of the change, so a change that rolls back
/// leaves no record.
macro_rules! insert_change {
    ($E:ty, $tx:ident, $entity:expr, $entity_id:expr, $operation:expr, $data:expr, $now:expr) => {{
        let entity: ::sabil_core::domain::sync::OutboundEntity = $entity;
        let entity_id: ::uuid::Uuid = $entity_id;
        let operation: ::sabil_core::domain::sync::ChangeOperation = $operation;
        let data: ::std::string::String = $data;
        ::sqlx::query::<$E>("INSERT INTO changes (id, entity, entity_id, operation, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(::uuid::Uuid::now_v7())
            .bind(entity.as_str())
            .bind(entity_id)
            .bind(operation.as_str())
            .bind(data)
            .bind($crate::store::DbTime($now))
            .execute(&mut *$tx)
            .await
            .map_err($crate::store::repo_error)?;
    }};
}
pub(crate) use insert_change;

const CHANGE_COLUMNS: &str =
    "seq, id, entity, entity_id, operation, data, created_at, is_completed, attempts, last_error, next_attempt_at, dead_at";

#[derive(sqlx::FromRow)]
struct ChangeRow {
    seq: i64,
    id: Uuid,
    entity: String,
    entity_id: Uuid,
    operation: String,
    data: String,
    created_at: DbTime,
    is_completed: bool,
    attempts: i32,
    last_error: Option<String>,
    next_attempt_at: Option<DbTime>,
    dead_at: Option<DbTime>,
}

impl TryFrom<ChangeRow> for ChangeRecord {
    type Error = RepoError;

    fn try_from(r: ChangeRow) -> Result<Self, RepoError> {
        let operation = ChangeOperation::parse(&r.operation)
            .ok_or_else(|| RepoError::Internal(format!("stored change operation {:?} is not valid", r.operation)))?;
        Ok(Self {
            seq: r.seq,
            id: r.id,
            entity: r.entity,
            entity_id: r.entity_id,
            operation,
            data: r.data,
            created_at: r.created_at.0,
            is_completed: r.is_completed,
            attempts: u32::try_from(r.attempts).unwrap_or(0),
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at.map(|t| t.0),
            dead_at: r.dead_at.map(|t| t.0),
        })
    }
}

fn records(rows: Vec<ChangeRow>) -> Result<Vec<ChangeRecord>, RepoError> {
    rows.into_iter().map(ChangeRecord::try_from).collect()
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The change feed in SQL.
#[derive(Clone, Debug)]
pub struct SqlChangeFeedRepository {
    db: Db,
}

impl SqlChangeFeedRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn select(&self, condition: &str, limit: Option<u32>) -> Result<Vec<ChangeRecord>, RepoError> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM changes c WHERE {condition} ORDER BY seq LIMIT $1");
        let limit = limit.map_or(i64::MAX, i64::from);
        let rows: Vec<ChangeRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, ChangeRow>(AssertSqlSafe(sql)).bind(limit).fetch_all(pool).await)
                .map_err(repo_error)?;
        records(rows)
    }

    async fn execute(&self, sql: &'static str, id: Uuid, text: &str, at: OffsetDateTime) -> Result<u64, RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(sql).bind(id).bind(text).bind(DbTime(at)).execute(pool).await.map(|r| r.rows_affected()))
            .map_err(repo_error)
    }
}

#[async_trait]
impl ChangeFeedRepository for SqlChangeFeedRepository {
    async fn unprocessed(&self, after: Option<i64>, limit: u32) -> Result<Vec<ChangeRecord>, RepoError> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM changes WHERE NOT is_completed AND ($1 IS NULL OR seq > $1) ORDER BY seq LIMIT $2");
        let rows: Vec<ChangeRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, ChangeRow>(AssertSqlSafe(sql))
            .bind(after).bind(i64::from(limit)).fetch_all(pool).await)
        .map_err(repo_error)?;
        records(rows)
    }

    async fn confirm(&self, ids: &[Uuid], by: &str, now: OffsetDateTime) -> Result<Confirmed, RepoError> {
        let mut unique: Vec<Uuid> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        let mut confirmed = Confirmed::default();
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            for id in unique {
                let marked = sqlx::query::<E>(
                    "UPDATE changes SET is_completed = TRUE, completed_at = $2, completed_by = $3 WHERE id = $1 AND NOT is_completed",
                )
                .bind(id).bind(DbTime(now)).bind(by).execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
                if marked > 0 {
                    confirmed.completed.push(id);
                    continue;
                }
                let known: Option<(i64,)> = sqlx::query_as::<E, (i64,)>("SELECT seq FROM changes WHERE id = $1")
                    .bind(id).fetch_optional(&mut *tx).await.map_err(repo_error)?;
                if known.is_some() { confirmed.already.push(id) } else { confirmed.unknown.push(id) }
            }
            tx.commit().await.map_err(repo_error)?;
        });
        Ok(confirmed)
    }

    async fn pushable(&self, limit: u32) -> Result<Vec<ChangeRecord>, RepoError> {
        self.select(
            "NOT c.is_completed AND c.dead_at IS NULL AND NOT EXISTS (SELECT 1 FROM changes d WHERE d.entity = c.entity \
             AND d.entity_id = c.entity_id AND d.seq < c.seq AND d.dead_at IS NOT NULL AND NOT d.is_completed)",
            Some(limit),
        )
        .await
    }

    async fn push_failed(&self, id: Uuid, error: &str, next_attempt_at: OffsetDateTime) -> Result<(), RepoError> {
        self.execute(
            "UPDATE changes SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1",
            id,
            error,
            next_attempt_at,
        )
        .await
        .map(|_| ())
    }

    async fn dead_letter(&self, id: Uuid, error: &str, now: OffsetDateTime) -> Result<(), RepoError> {
        self.execute("UPDATE changes SET attempts = attempts + 1, last_error = $2, dead_at = $3 WHERE id = $1", id, error, now)
            .await
            .map(|_| ())
    }

    async fn dead_letters(&self, limit: u32) -> Result<Vec<ChangeRecord>, RepoError> {
        self.select("c.dead_at IS NOT NULL AND NOT c.is_completed", Some(limit)).await
    }

    async fn retry(&self, id: Option<Uuid>, now: OffsetDateTime) -> Result<u64, RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE changes SET dead_at = NULL, attempts = 0, next_attempt_at = $2 \
             WHERE dead_at IS NOT NULL AND NOT is_completed AND ($1 IS NULL OR id = $1)",
        )
        .bind(id).bind(DbTime(now)).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)
    }

    async fn skip(&self, id: Uuid, reason: &str, now: OffsetDateTime) -> Result<bool, RepoError> {
        let n = self
            .execute(
                "UPDATE changes SET is_completed = TRUE, completed_at = $3, completed_by = 'operator', skip_reason = $2 \
                 WHERE id = $1 AND NOT is_completed",
                id,
                reason,
                now,
            )
            .await?;
        Ok(n > 0)
    }

    async fn get(&self, id: Uuid) -> Result<Option<ChangeRecord>, RepoError> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM changes WHERE id = $1");
        let row: Option<ChangeRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, ChangeRow>(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(ChangeRecord::try_from).transpose()
    }

    async fn backlog(&self) -> Result<Vec<EntityBacklog>, RepoError> {
        type Row = (String, i64, i64, Option<DbTime>);
        let rows: Vec<Row> = with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(
            "SELECT entity, COALESCE(SUM(CASE WHEN dead_at IS NULL THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN dead_at IS NULL THEN 0 ELSE 1 END), 0), MIN(created_at) \
             FROM changes WHERE NOT is_completed GROUP BY entity ORDER BY entity",
        )
        .fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(rows
            .into_iter()
            .map(|(entity, pending, dead, oldest)| EntityBacklog {
                entity,
                pending: count(pending),
                dead: count(dead),
                oldest: oldest.map(|t| t.0),
            })
            .collect())
    }

    async fn note(&self, name: &str, value: &str, now: OffsetDateTime) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO sync_state (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(name).bind(value).bind(DbTime(now)).execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn notes(&self) -> Result<Vec<(String, String, OffsetDateTime)>, RepoError> {
        let rows: Vec<(String, String, DbTime)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (String, String, DbTime)>(
            "SELECT name, value, updated_at FROM sync_state ORDER BY name",
        )
        .fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(rows.into_iter().map(|(name, value, at)| (name, value, at.0)).collect())
    }
}

/// The links between SAP's ids and ours, in SQL; our entities' `sap_id` columns for ours SAP named.
#[derive(Clone, Debug)]
pub struct SqlSapLinkRepository {
    db: Db,
}

impl SqlSapLinkRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl SapLinkRepository for SqlSapLinkRepository {
    async fn find(&self, entity: InboundEntity, sap_id: &str) -> Result<Option<SapLink>, RepoError> {
        let row: Option<(Uuid, i64)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (Uuid, i64)>(
            "SELECT app_id, version FROM sap_links WHERE entity = $1 AND sap_id = $2",
        )
        .bind(entity.as_str()).bind(sap_id).fetch_optional(pool).await)
        .map_err(repo_error)?;
        Ok(row.map(|(app_id, version)| SapLink { app_id, version }))
    }

    async fn record(
        &self,
        entity: InboundEntity,
        sap_id: &str,
        app_id: Uuid,
        version: i64,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError> {
        // The conditional upsert touches no row when a newer version is recorded.
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO sap_links (entity, sap_id, app_id, version, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (entity, sap_id) DO UPDATE SET app_id = excluded.app_id, version = excluded.version, \
             updated_at = excluded.updated_at WHERE sap_links.version <= excluded.version",
        )
        .bind(entity.as_str()).bind(sap_id).bind(app_id).bind(version).bind(DbTime(now)).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n > 0)
    }

    async fn remember_sap_id(&self, entity: OutboundEntity, app_id: Uuid, sap_id: &str) -> Result<bool, RepoError> {
        let sql = match entity {
            OutboundEntity::Order => "UPDATE orders SET sap_id = $2 WHERE id = $1 AND sap_id IS NULL",
            OutboundEntity::Customer => "UPDATE users SET sap_id = $2 WHERE id = $1 AND role = 'customer' AND sap_id IS NULL",
            OutboundEntity::Address => "UPDATE addresses SET sap_id = $2 WHERE id = $1 AND sap_id IS NULL",
            // Their tables do not exist yet.
            OutboundEntity::Survey | OutboundEntity::SurveyAnswer => return Ok(false),
        };
        let n =
            with_db!(&self.db, pool, E => sqlx::query::<E>(sql).bind(app_id).bind(sap_id).execute(pool).await.map(|r| r.rows_affected()))
                .map_err(repo_error)?;
        Ok(n > 0)
    }

    async fn save_product(&self, product: &Product, pinned: bool, version: i64, now: OffsetDateTime) -> Result<SapProductSave, RepoError> {
        super::sap_products::save_product(&self.db, product, pinned, version, now).await
    }
}

/// The log of refused changes from SAP, in SQL.
#[derive(Clone, Debug)]
pub struct SqlSyncFailureRepository {
    db: Db,
}

impl SqlSyncFailureRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct FailureRow {
    id: Uuid,
    source: String,
    entity: String,
    operation: String,
    sap_id: Option<String>,
    change_id: Option<String>,
    status: i32,
    error_type: String,
    errors: String,
    payload: String,
    created_at: DbTime,
}

impl TryFrom<FailureRow> for SyncFailure {
    type Error = RepoError;

    fn try_from(r: FailureRow) -> Result<Self, RepoError> {
        let source = match r.source.as_str() {
            "push" => FailureSource::Push,
            "pull" => FailureSource::Pull,
            other => return Err(RepoError::Internal(format!("stored sync failure source {other:?} is not valid"))),
        };
        Ok(Self {
            id: r.id,
            source,
            entity: r.entity,
            operation: r.operation,
            sap_id: r.sap_id,
            change_id: r.change_id,
            status: u16::try_from(r.status).unwrap_or(0),
            error_type: r.error_type,
            errors: r.errors,
            payload: r.payload,
            created_at: r.created_at.0,
        })
    }
}

#[async_trait]
impl SyncFailureRepository for SqlSyncFailureRepository {
    async fn record(&self, f: &SyncFailure) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO sync_failures (id, source, entity, operation, sap_id, change_id, status, error_type, errors, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(f.id).bind(f.source.as_str()).bind(&f.entity).bind(&f.operation).bind(&f.sap_id).bind(&f.change_id)
        .bind(i32::from(f.status)).bind(&f.error_type).bind(&f.errors).bind(&f.payload).bind(DbTime(f.created_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn recent(&self, limit: u32) -> Result<Vec<SyncFailure>, RepoError> {
        let rows: Vec<FailureRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, FailureRow>(
            "SELECT id, source, entity, operation, sap_id, change_id, status, error_type, errors, payload, created_at \
             FROM sync_failures ORDER BY created_at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(limit)).fetch_all(pool).await)
        .map_err(repo_error)?;
        rows.into_iter().map(SyncFailure::try_from).collect()
    }
}
