//! SQL stores of notifications: devices (upserted by token), in-app notifications (inserted once per
//! user and dedupe key) and, in `broadcasts`, admin broadcasts with their progress and recipients.
mod broadcasts;

use std::collections::BTreeMap;

use async_trait::async_trait;
use sabil_core::domain::notifications::{Device, DeviceToken, Notification, NotificationId, NotificationKind, Platform};
use sabil_core::domain::{Language, Page, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{DeviceRepository, NotificationRepository};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::catalog::corrupt;
use super::users::page_of;
use super::{Db, DbTime, Dialect, repo_error, with_db};

pub use broadcasts::SqlBroadcastRepository;

/// `$first, $first+1, ...` for `n` values, as one parenthesized row per `width` columns.
fn value_rows(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

const DEVICE_COLUMNS: &str = "token, user_id, platform, language, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct DeviceRow {
    token: String,
    user_id: Uuid,
    platform: String,
    language: String,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<DeviceRow> for Device {
    type Error = RepoError;

    fn try_from(r: DeviceRow) -> Result<Self, RepoError> {
        Ok(Self {
            platform: Platform::parse(&r.platform).ok_or_else(|| corrupt("platform", &r.platform))?,
            language: Language::parse(&r.language).ok_or_else(|| corrupt("language", &r.language))?,
            token: DeviceToken::from_stored(r.token),
            user_id: UserId(r.user_id),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// Devices in SQL.
#[derive(Clone, Debug)]
pub struct SqlDeviceRepository {
    db: Db,
}

impl SqlDeviceRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl DeviceRepository for SqlDeviceRepository {
    async fn register(&self, d: &Device) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO devices (token, user_id, platform, language, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, platform = excluded.platform, \
             language = excluded.language, updated_at = excluded.updated_at",
        )
        .bind(d.token.as_str()).bind(d.user_id.0).bind(d.platform.as_str()).bind(d.language.as_str())
        .bind(DbTime(d.created_at)).bind(DbTime(d.updated_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn unregister(&self, user: UserId, token: &DeviceToken) -> Result<bool, RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>("DELETE FROM devices WHERE token = $1 AND user_id = $2")
            .bind(token.as_str()).bind(user.0).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n > 0)
    }

    async fn forget(&self, token: &DeviceToken) -> Result<bool, RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>("DELETE FROM devices WHERE token = $1")
            .bind(token.as_str()).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n > 0)
    }

    async fn forget_user(&self, user: UserId) -> Result<u64, RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>("DELETE FROM devices WHERE user_id = $1")
            .bind(user.0).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)
    }

    async fn of_user(&self, user: UserId) -> Result<Vec<Device>, RepoError> {
        self.of_users(&[user]).await
    }

    async fn of_users(&self, users: &[UserId]) -> Result<Vec<Device>, RepoError> {
        let mut rows: Vec<DeviceRow> = Vec::new();
        for chunk in users.chunks(500) {
            let marks = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id IN ({marks})");
            let found: Vec<DeviceRow> = with_db!(&self.db, pool, E => {
                let mut query = sqlx::query_as::<E, DeviceRow>(AssertSqlSafe(sql));
                for user in chunk {
                    query = query.bind(user.0);
                }
                query.fetch_all(pool).await
            })
            .map_err(repo_error)?;
            rows.extend(found);
        }
        let mut devices = rows.into_iter().map(Device::try_from).collect::<Result<Vec<_>, _>>()?;
        devices.sort_by(|a, b| (a.user_id, a.created_at, &a.token).cmp(&(b.user_id, b.created_at, &b.token)));
        Ok(devices)
    }
}

const NOTIFICATION_COLUMNS: &str = "id, user_id, kind, title, body, data, dedupe_key, read_at, created_at";

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: Uuid,
    user_id: Uuid,
    kind: String,
    title: String,
    body: String,
    data: String,
    dedupe_key: String,
    read_at: Option<DbTime>,
    created_at: DbTime,
}

impl TryFrom<NotificationRow> for Notification {
    type Error = RepoError;

    fn try_from(r: NotificationRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: NotificationId(r.id),
            user_id: UserId(r.user_id),
            kind: NotificationKind::parse(&r.kind).ok_or_else(|| corrupt("notification kind", &r.kind))?,
            data: serde_json::from_str::<BTreeMap<String, String>>(&r.data).map_err(|_| corrupt("notification data", &r.data))?,
            title: r.title,
            body: r.body,
            dedupe_key: r.dedupe_key,
            read_at: r.read_at.map(|t| t.0),
            created_at: r.created_at.0,
        })
    }
}

fn data_json(n: &Notification) -> Result<String, RepoError> {
    serde_json::to_string(&n.data).map_err(|e| RepoError::Internal(format!("notification data: {e}")))
}

/// In-app notifications in SQL.
#[derive(Clone, Debug)]
pub struct SqlNotificationRepository {
    db: Db,
}

impl SqlNotificationRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

const INSERT_NOTIFICATIONS: &str =
    "INSERT INTO notifications (id, user_id, kind, title, body, data, dedupe_key, read_at, created_at) VALUES ";
// Any uniqueness: the id (a retried delivery) or (user, dedupe key) (the same event again).
const ONCE: &str = " ON CONFLICT DO NOTHING";
/// Rows per statement of `insert_many` (9 parameters each).
const ROWS_PER_INSERT: usize = 100;

#[async_trait]
impl NotificationRepository for SqlNotificationRepository {
    async fn insert(&self, n: &Notification) -> Result<bool, RepoError> {
        Ok(self.insert_many(std::slice::from_ref(n)).await? == 1)
    }

    async fn insert_many(&self, notifications: &[Notification]) -> Result<u64, RepoError> {
        if notifications.is_empty() {
            return Ok(0);
        }
        let data = notifications.iter().map(data_json).collect::<Result<Vec<_>, _>>()?;
        let inserted = with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let mut inserted = 0;
            for (chunk, data) in notifications.chunks(ROWS_PER_INSERT).zip(data.chunks(ROWS_PER_INSERT)) {
                let sql = format!("{INSERT_NOTIFICATIONS}{}{ONCE}", value_rows(chunk.len(), 9));
                let mut query = sqlx::query::<E>(AssertSqlSafe(sql));
                for (n, data) in chunk.iter().zip(data) {
                    query = query.bind(n.id.0).bind(n.user_id.0).bind(n.kind.as_str()).bind(&n.title).bind(&n.body).bind(data)
                        .bind(&n.dedupe_key).bind(n.read_at.map(DbTime)).bind(DbTime(n.created_at));
                }
                inserted += query.execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
            }
            tx.commit().await.map_err(repo_error)?;
            inserted
        });
        Ok(inserted)
    }

    async fn list(&self, user: UserId, page: PageRequest) -> Result<Page<Notification>, RepoError> {
        let sql = format!("SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3");
        let before = page.cursor.unwrap_or(Uuid::max());
        let rows: Vec<NotificationRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, NotificationRow>(AssertSqlSafe(sql))
            .bind(user.0).bind(before).bind(i64::from(page.limit) + 1).fetch_all(pool).await)
        .map_err(repo_error)?;
        let items = rows.into_iter().map(Notification::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(items, page.limit, |n| n.id.0))
    }

    async fn unread_count(&self, user: UserId) -> Result<u64, RepoError> {
        let (n,): (i64,) = with_db!(&self.db, pool, E => sqlx::query_as::<E, (i64,)>(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user.0).fetch_one(pool).await)
        .map_err(repo_error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn mark_read(&self, user: UserId, id: NotificationId, now: OffsetDateTime) -> Result<bool, RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2",
        )
        .bind(id.0).bind(user.0).bind(DbTime(now)).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n > 0)
    }

    async fn mark_all_read(&self, user: UserId, now: OffsetDateTime) -> Result<u64, RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0).bind(DbTime(now)).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)
    }

    async fn delete_for_user(&self, user: UserId) -> Result<u64, RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>("DELETE FROM notifications WHERE user_id = $1")
            .bind(user.0).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)
    }
}
