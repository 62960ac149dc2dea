//! Broadcasts in SQL: the broadcast row with its progress and lease, the customers a list broadcast
//! names, and the recipient queries (active customers by id, in an area or in the list).
use async_trait::async_trait;
use sabil_core::domain::delivery::DeliveryAreaId;
use sabil_core::domain::notifications::{Audience, Broadcast, BroadcastId, BroadcastStatus, Recipient};
use sabil_core::domain::{Language, LocalizedText, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::BroadcastRepository;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::catalog::corrupt;
use super::super::{Db, DbTime, Dialect, repo_error, with_db};
use super::value_rows;

const COLUMNS: &str = "id, title_ar, title_en, body_ar, body_en, audience, area_id, status, total, processed, sent, failed, \
                       after_user_id, attempts, last_error, available_at, created_by, created_at, updated_at, finished_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    title_ar: String,
    title_en: String,
    body_ar: String,
    body_en: String,
    audience: String,
    area_id: Option<Uuid>,
    status: String,
    total: Option<i64>,
    processed: i64,
    sent: i64,
    failed: i64,
    after_user_id: Option<Uuid>,
    attempts: i32,
    last_error: Option<String>,
    available_at: DbTime,
    created_by: Uuid,
    created_at: DbTime,
    updated_at: DbTime,
    finished_at: Option<DbTime>,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn stored(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Row {
    fn into_broadcast(self, users: Vec<UserId>) -> Result<Broadcast, RepoError> {
        let audience = match (self.audience.as_str(), self.area_id) {
            ("all_customers", _) => Audience::AllCustomers,
            ("area", Some(area)) => Audience::Area(DeliveryAreaId(area)),
            ("users", _) => Audience::Users(users),
            _ => return Err(corrupt("broadcast audience", &self.audience)),
        };
        Ok(Broadcast {
            id: BroadcastId(self.id),
            title: LocalizedText { ar: self.title_ar, en: self.title_en },
            body: LocalizedText { ar: self.body_ar, en: self.body_en },
            audience,
            status: BroadcastStatus::parse(&self.status).ok_or_else(|| corrupt("broadcast status", &self.status))?,
            total: self.total.map(count),
            processed: count(self.processed),
            sent: count(self.sent),
            failed: count(self.failed),
            after: self.after_user_id.map(UserId),
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            last_error: self.last_error,
            available_at: self.available_at.0,
            created_by: UserId(self.created_by),
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
            finished_at: self.finished_at.map(|t| t.0),
        })
    }
}

/// Broadcasts in SQL.
#[derive(Clone, Debug)]
pub struct SqlBroadcastRepository {
    db: Db,
}

impl SqlBroadcastRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The broadcast of a row, with the customers it names when it has a list audience.
    async fn complete(&self, row: Row) -> Result<Broadcast, RepoError> {
        let users = if row.audience == "users" {
            let ids: Vec<(Uuid,)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (Uuid,)>(
                "SELECT user_id FROM broadcast_users WHERE broadcast_id = $1 ORDER BY user_id",
            )
            .bind(row.id).fetch_all(pool).await)
            .map_err(repo_error)?;
            ids.into_iter().map(|(id,)| UserId(id)).collect()
        } else {
            Vec::new()
        };
        row.into_broadcast(users)
    }
}

/// What narrows `users u` (active customers) to the audience; `mark` is the placeholder of the area's id
/// or the broadcast's id (`audience_param`), unused for all customers.
fn audience_filter(audience: &Audience, mark: &str) -> String {
    match audience {
        Audience::AllCustomers => String::new(),
        Audience::Area(_) => format!(" AND EXISTS (SELECT 1 FROM addresses a WHERE a.user_id = u.id AND a.area_id = {mark})"),
        Audience::Users(_) => format!(" AND u.id IN (SELECT b.user_id FROM broadcast_users b WHERE b.broadcast_id = {mark})"),
    }
}

const ACTIVE_CUSTOMERS: &str = "FROM users u WHERE u.role = 'customer' AND u.status = 'active'";

fn audience_param(id: BroadcastId, audience: &Audience) -> Uuid {
    match audience {
        Audience::Area(area) => area.0,
        _ => id.0,
    }
}

#[async_trait]
impl BroadcastRepository for SqlBroadcastRepository {
    async fn create(&self, b: &Broadcast) -> Result<(), RepoError> {
        let area = match b.audience {
            Audience::Area(area) => Some(area.0),
            _ => None,
        };
        let users: &[UserId] = match &b.audience {
            Audience::Users(users) => users,
            _ => &[],
        };
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            sqlx::query::<E>(
                "INSERT INTO broadcasts (id, title_ar, title_en, body_ar, body_en, audience, area_id, status, total, processed, sent, \
                 failed, after_user_id, attempts, last_error, available_at, created_by, created_at, updated_at, finished_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
            )
            .bind(b.id.0).bind(&b.title.ar).bind(&b.title.en).bind(&b.body.ar).bind(&b.body.en).bind(b.audience.kind()).bind(area)
            .bind(b.status.as_str()).bind(b.total.map(stored)).bind(stored(b.processed)).bind(stored(b.sent)).bind(stored(b.failed))
            .bind(b.after.map(|u| u.0)).bind(i32::try_from(b.attempts).unwrap_or(i32::MAX)).bind(b.last_error.as_deref())
            .bind(DbTime(b.available_at)).bind(b.created_by.0).bind(DbTime(b.created_at)).bind(DbTime(b.updated_at))
            .bind(b.finished_at.map(DbTime))
            .execute(&mut *tx).await.map_err(repo_error)?;
            for chunk in users.chunks(500) {
                let sql = format!("INSERT INTO broadcast_users (broadcast_id, user_id) VALUES {}", value_rows(chunk.len(), 2));
                let mut query = sqlx::query::<E>(AssertSqlSafe(sql));
                for user in chunk {
                    query = query.bind(b.id.0).bind(user.0);
                }
                query.execute(&mut *tx).await.map_err(repo_error)?;
            }
            tx.commit().await.map_err(repo_error)
        })
    }

    async fn get(&self, id: BroadcastId) -> Result<Option<Broadcast>, RepoError> {
        let sql = format!("SELECT {COLUMNS} FROM broadcasts WHERE id = $1");
        let row: Option<Row> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        match row {
            Some(row) => Ok(Some(self.complete(row).await?)),
            None => Ok(None),
        }
    }

    async fn claim_due(&self, now: OffsetDateTime, lease_until: OffsetDateTime) -> Result<Option<Broadcast>, RepoError> {
        let row: Option<Row> = with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let select = format!(
                "SELECT {COLUMNS} FROM broadcasts WHERE status IN ('queued', 'sending') AND available_at <= $1 \
                 AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY created_at, id LIMIT 1{}",
                E::SKIP_LOCKED
            );
            let row: Option<Row> = sqlx::query_as::<E, Row>(AssertSqlSafe(select))
                .bind(DbTime(now)).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            if let Some(r) = &row {
                sqlx::query::<E>("UPDATE broadcasts SET claimed_until = $1 WHERE id = $2")
                    .bind(DbTime(lease_until)).bind(r.id).execute(&mut *tx).await.map_err(repo_error)?;
            }
            tx.commit().await.map_err(repo_error)?;
            row
        });
        match row {
            Some(row) => Ok(Some(self.complete(row).await?)),
            None => Ok(None),
        }
    }

    async fn save_progress(&self, b: &Broadcast) -> Result<(), RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE broadcasts SET status = $2, total = $3, processed = $4, sent = $5, failed = $6, after_user_id = $7, attempts = $8, \
             last_error = $9, available_at = $10, updated_at = $11, finished_at = $12, claimed_until = NULL WHERE id = $1",
        )
        .bind(b.id.0).bind(b.status.as_str()).bind(b.total.map(stored)).bind(stored(b.processed)).bind(stored(b.sent))
        .bind(stored(b.failed)).bind(b.after.map(|u| u.0)).bind(i32::try_from(b.attempts).unwrap_or(i32::MAX))
        .bind(b.last_error.as_deref()).bind(DbTime(b.available_at)).bind(DbTime(b.updated_at)).bind(b.finished_at.map(DbTime))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        if n == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn count_recipients(&self, id: BroadcastId, audience: &Audience) -> Result<u64, RepoError> {
        let sql = format!("SELECT COUNT(*) {ACTIVE_CUSTOMERS}{}", audience_filter(audience, "$1"));
        let param = audience_param(id, audience);
        let (n,): (i64,) = with_db!(&self.db, pool, E => {
            let query = sqlx::query_as::<E, (i64,)>(AssertSqlSafe(sql));
            let query = if matches!(audience, Audience::AllCustomers) { query } else { query.bind(param) };
            query.fetch_one(pool).await
        })
        .map_err(repo_error)?;
        Ok(count(n))
    }

    async fn recipients(
        &self,
        id: BroadcastId,
        audience: &Audience,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Recipient>, RepoError> {
        let sql =
            format!("SELECT u.id, u.language {ACTIVE_CUSTOMERS} AND u.id > $1{} ORDER BY u.id LIMIT $2", audience_filter(audience, "$3"));
        let param = audience_param(id, audience);
        let rows: Vec<(Uuid, String)> = with_db!(&self.db, pool, E => {
            let query = sqlx::query_as::<E, (Uuid, String)>(AssertSqlSafe(sql))
                .bind(after.map_or(Uuid::nil(), |u| u.0)).bind(i64::from(limit));
            let query = if matches!(audience, Audience::AllCustomers) { query } else { query.bind(param) };
            query.fetch_all(pool).await
        })
        .map_err(repo_error)?;
        rows.into_iter()
            .map(|(id, lang)| {
                Ok(Recipient { user_id: UserId(id), language: Language::parse(&lang).ok_or_else(|| corrupt("language", &lang))? })
            })
            .collect()
    }
}
