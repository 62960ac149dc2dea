//! The SQL outbox: messages claimed with leases (row locks skipped by other claimers on PostgreSQL;
//! SQLite's single writer serializes claims), settled as done, retried or dead-lettered.
use async_trait::async_trait;
use sabil_core::error::RepoError;
use sabil_core::ports::{OutboxEntry, OutboxMessage, OutboxRepository};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::orders::{outbox_message, outbox_payload};
use super::{Db, DbTime, Dialect, repo_error, with_db};

/// The outbox in SQL.
#[derive(Clone, Debug)]
pub struct SqlOutboxRepository {
    db: Db,
}

impl SqlOutboxRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    topic: String,
    payload: String,
    attempts: i32,
    created_at: DbTime,
}

#[async_trait]
impl OutboxRepository for SqlOutboxRepository {
    async fn enqueue(&self, message: &OutboxMessage, now: OffsetDateTime) -> Result<bool, RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO outbox (id, topic, dedupe_key, payload, created_at, available_at) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(Uuid::now_v7()).bind(message.topic()).bind(message.dedupe_key()).bind(outbox_payload(message)).bind(DbTime(now))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n == 1)
    }

    async fn claim(
        &self,
        topic: &str,
        limit: u32,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxEntry>, RepoError> {
        let rows: Vec<Row> = with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let select = format!(
                "SELECT id, topic, payload, attempts, created_at FROM outbox WHERE topic = $1 AND done_at IS NULL AND dead_at IS NULL \
                 AND available_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY created_at, id LIMIT $3{}",
                E::SKIP_LOCKED
            );
            let rows: Vec<Row> = sqlx::query_as::<E, Row>(AssertSqlSafe(select))
                .bind(topic).bind(DbTime(now)).bind(i64::from(limit)).fetch_all(&mut *tx).await.map_err(repo_error)?;
            for r in &rows {
                sqlx::query::<E>("UPDATE outbox SET claimed_until = $1 WHERE id = $2")
                    .bind(DbTime(lease_until)).bind(r.id).execute(&mut *tx).await.map_err(repo_error)?;
            }
            tx.commit().await.map_err(repo_error)?;
            rows
        });
        rows.into_iter()
            .map(|r| {
                Ok(OutboxEntry {
                    id: r.id,
                    message: outbox_message(&r.topic, &r.payload)?,
                    attempts: u32::try_from(r.attempts).unwrap_or(0),
                    created_at: r.created_at.0,
                })
            })
            .collect()
    }

    async fn complete(&self, id: Uuid, now: OffsetDateTime) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>("UPDATE outbox SET done_at = $1, claimed_until = NULL WHERE id = $2")
            .bind(DbTime(now)).bind(id).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn retry(&self, id: Uuid, error: &str, retry_at: OffsetDateTime) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, available_at = $2, claimed_until = NULL WHERE id = $3",
        )
        .bind(error).bind(DbTime(retry_at)).bind(id).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn dead_letter(&self, id: Uuid, error: &str, now: OffsetDateTime) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, dead_at = $2, claimed_until = NULL WHERE id = $3",
        )
        .bind(error).bind(DbTime(now)).bind(id).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn pending(&self, topic: &str) -> Result<u64, RepoError> {
        let (n,): (i64,) = with_db!(&self.db, pool, E => sqlx::query_as::<E, (i64,)>(
            "SELECT COUNT(*) FROM outbox WHERE topic = $1 AND done_at IS NULL AND dead_at IS NULL",
        )
        .bind(topic).fetch_one(pool).await)
        .map_err(repo_error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
