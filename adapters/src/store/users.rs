//! The SQL store of accounts. Every change of a customer SAP knows (created active, verified, profile,
//! status, erasure) writes its change record for SAP in the same transaction.
use async_trait::async_trait;
use sabil_core::domain::account::DELETED_NAME;
use sabil_core::domain::sync::{ChangeOperation, OutboundEntity};
use sabil_core::domain::{
    FullName, GeoLocation, Language, NewUser, Page, PasswordHash, Phone, ProfileChanges, Role, User, UserId, UserStatus,
};
use sabil_core::error::RepoError;
use sabil_core::ports::{UserQuery, UserRepository};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::change_json::customer_change;
use super::sync::insert_change;
use super::{Db, DbTime, Dialect, repo_error, with_db};

const USER_COLUMNS: &str = "id, phone, full_name, password_hash, role, status, language, location_latitude, location_longitude, \
     location_accuracy_m, sap_id, created_at, updated_at, verified_at";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    phone: Option<String>,
    full_name: String,
    password_hash: Option<String>,
    role: String,
    status: String,
    language: String,
    location_latitude: Option<f64>,
    location_longitude: Option<f64>,
    location_accuracy_m: Option<f64>,
    sap_id: Option<String>,
    created_at: DbTime,
    updated_at: DbTime,
    verified_at: Option<DbTime>,
}

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Internal(format!("stored {what} {value:?} is not valid"))
}

impl TryFrom<UserRow> for User {
    type Error = RepoError;

    fn try_from(r: UserRow) -> Result<Self, RepoError> {
        let location = match (r.location_latitude, r.location_longitude) {
            (Some(lat), Some(lon)) => Some(GeoLocation { latitude: lat, longitude: lon, accuracy_meters: r.location_accuracy_m }),
            _ => None,
        };
        Ok(Self {
            id: UserId(r.id),
            phone: r.phone.as_deref().map(|p| Phone::parse(p).map_err(|_| corrupt("phone", p))).transpose()?,
            full_name: FullName::from_stored(r.full_name),
            password_hash: r.password_hash.map(PasswordHash),
            role: Role::parse(&r.role).ok_or_else(|| corrupt("role", &r.role))?,
            status: UserStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            language: Language::parse(&r.language).ok_or_else(|| corrupt("language", &r.language))?,
            location,
            sap_id: r.sap_id,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            verified_at: r.verified_at.map(|t| t.0),
        })
    }
}

/// Accounts in SQL.
#[derive(Clone, Debug)]
pub struct SqlUserRepository {
    db: Db,
}

impl SqlUserRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn fetch_where(&self, condition: &'static str, id: Uuid) -> Result<Option<User>, RepoError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND {condition}");
        let row: Option<UserRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(User::try_from).transpose()
    }
}

fn loc(l: Option<GeoLocation>) -> (Option<f64>, Option<f64>, Option<f64>) {
    l.map_or((None, None, None), |l| (Some(l.latitude), Some(l.longitude), l.accuracy_meters))
}

#[async_trait]
impl UserRepository for SqlUserRepository {
    async fn create(&self, u: &NewUser) -> Result<User, RepoError> {
        let (lat, lon, acc) = loc(u.location);
        let verified_at = (u.status == UserStatus::Active).then_some(DbTime(u.now));
        let sql = format!(
            "INSERT INTO users (id, phone, full_name, password_hash, role, status, language, location_latitude, location_longitude, \
             location_accuracy_m, created_at, updated_at, verified_at, full_name_search) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13) RETURNING {USER_COLUMNS}"
        );
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let row: UserRow = sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql))
                .bind(u.id.0).bind(u.phone.as_str()).bind(u.full_name.as_str()).bind(&u.password_hash.0).bind(u.role.as_str())
                .bind(u.status.as_str()).bind(u.language.as_str()).bind(lat).bind(lon).bind(acc).bind(DbTime(u.now)).bind(verified_at)
                .bind(u.full_name.as_str().to_lowercase())
                .fetch_one(&mut *tx).await.map_err(repo_error)?;
            let user = User::try_from(row)?;
            // A customer created active (by staff or SAP) is a customer of the business at once.
            if user.is_sap_customer() {
                insert_change!(E, tx, OutboundEntity::Customer, user.id.0, ChangeOperation::Create, customer_change(&user), u.now);
            }
            tx.commit().await.map_err(repo_error)?;
            Ok(user)
        })
    }

    async fn find_by_phone(&self, phone: &Phone) -> Result<Option<User>, RepoError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE phone = $1");
        let row: Option<UserRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql)).bind(phone.as_str()).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(User::try_from).transpose()
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepoError> {
        self.fetch_where("1 = 1", id.0).await
    }

    async fn reregister(&self, u: &NewUser) -> Result<User, RepoError> {
        let (lat, lon, acc) = loc(u.location);
        let sql = format!(
            "UPDATE users SET full_name = $2, password_hash = $3, language = $4, location_latitude = $5, location_longitude = $6, \
             location_accuracy_m = $7, updated_at = $8, full_name_search = $9 WHERE id = $1 AND status = 'unverified' \
             RETURNING {USER_COLUMNS}"
        );
        let row: Option<UserRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql))
            .bind(u.id.0).bind(u.full_name.as_str()).bind(&u.password_hash.0).bind(u.language.as_str()).bind(lat).bind(lon).bind(acc)
            .bind(DbTime(u.now)).bind(u.full_name.as_str().to_lowercase()).fetch_optional(pool).await)
        .map_err(repo_error)?;
        row.ok_or(RepoError::NotFound)?.try_into()
    }

    async fn mark_verified(&self, id: UserId, now: OffsetDateTime) -> Result<User, RepoError> {
        let sql = format!(
            "UPDATE users SET status = 'active', verified_at = $2, updated_at = $2 WHERE id = $1 AND status = 'unverified' RETURNING {USER_COLUMNS}"
        );
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let row: Option<UserRow> = sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql))
                .bind(id.0).bind(DbTime(now)).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let user = User::try_from(row.ok_or(RepoError::NotFound)?)?;
            // Verifying the phone makes the registration a customer of the business: SAP learns of it now.
            if user.is_sap_customer() {
                insert_change!(E, tx, OutboundEntity::Customer, user.id.0, ChangeOperation::Create, customer_change(&user), now);
            }
            tx.commit().await.map_err(repo_error)?;
            Ok(user)
        })
    }

    async fn update_profile(&self, id: UserId, c: &ProfileChanges, now: OffsetDateTime) -> Result<User, RepoError> {
        let (lat, lon, acc) = loc(c.location);
        // A location is replaced as a whole: the accuracy goes with its coordinates.
        let sql = format!(
            "UPDATE users SET full_name = COALESCE($2, full_name), language = COALESCE($3, language), \
             location_latitude = COALESCE($4, location_latitude), location_longitude = COALESCE($5, location_longitude), \
             location_accuracy_m = CASE WHEN $4 IS NULL THEN location_accuracy_m ELSE $6 END, updated_at = $7, \
             full_name_search = COALESCE($8, full_name_search) \
             WHERE id = $1 AND status <> 'deleted' RETURNING {USER_COLUMNS}"
        );
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let row: Option<UserRow> = sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql))
                .bind(id.0).bind(c.full_name.as_ref().map(FullName::as_str)).bind(c.language.map(Language::as_str)).bind(lat).bind(lon)
                .bind(acc).bind(DbTime(now)).bind(c.full_name.as_ref().map(|n| n.as_str().to_lowercase()))
                .fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let user = User::try_from(row.ok_or(RepoError::NotFound)?)?;
            if user.is_sap_customer() {
                insert_change!(E, tx, OutboundEntity::Customer, user.id.0, ChangeOperation::Update, customer_change(&user), now);
            }
            tx.commit().await.map_err(repo_error)?;
            Ok(user)
        })
    }

    async fn set_password(&self, id: UserId, hash: &PasswordHash, now: OffsetDateTime) -> Result<(), RepoError> {
        let done = with_db!(&self.db, pool, E => sqlx::query::<E>("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1 AND status <> 'deleted'")
            .bind(id.0).bind(&hash.0).bind(DbTime(now)).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        if done == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn set_status(&self, id: UserId, status: UserStatus, now: OffsetDateTime) -> Result<User, RepoError> {
        let sql = format!("UPDATE users SET status = $2, updated_at = $3 WHERE id = $1 AND status <> 'deleted' RETURNING {USER_COLUMNS}");
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let row: Option<UserRow> = sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql))
                .bind(id.0).bind(status.as_str()).bind(DbTime(now)).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let user = User::try_from(row.ok_or(RepoError::NotFound)?)?;
            // Blocking and unblocking a customer SAP knows is an update of its status there.
            if user.is_sap_customer() {
                insert_change!(E, tx, OutboundEntity::Customer, user.id.0, ChangeOperation::Update, customer_change(&user), now);
            }
            tx.commit().await.map_err(repo_error)?;
            Ok(user)
        })
    }

    async fn erase(&self, id: UserId, now: OffsetDateTime) -> Result<(), RepoError> {
        let sql = format!(
            "UPDATE users SET phone = NULL, full_name = $2, full_name_search = LOWER($2), password_hash = NULL, location_latitude = NULL, \
             location_longitude = NULL, location_accuracy_m = NULL, status = 'deleted', updated_at = $3, deleted_at = $3 \
             WHERE id = $1 AND status <> 'deleted' RETURNING {USER_COLUMNS}"
        );
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let erased: Option<UserRow> = sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql))
                .bind(id.0).bind(DELETED_NAME).bind(DbTime(now)).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let user = User::try_from(erased.ok_or(RepoError::NotFound)?)?;
            if user.is_sap_customer() {
                insert_change!(E, tx, OutboundEntity::Customer, user.id.0, ChangeOperation::Delete, customer_change(&user), now);
            }
            sqlx::query::<E>("DELETE FROM verification_codes WHERE user_id = $1").bind(id.0).execute(&mut *tx).await.map_err(repo_error)?;
            tx.commit().await.map_err(repo_error)
        })
    }

    async fn list(&self, q: &UserQuery) -> Result<Page<User>, RepoError> {
        let pattern = q.search.as_ref().map(|s| {
            let escaped = s.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        });
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE ($1 IS NULL OR id < $1) \
             AND ($2 IS NULL OR full_name_search LIKE $2 ESCAPE '\\' OR phone LIKE $2 ESCAPE '\\') \
             AND ($4 IS NULL OR role = $4) ORDER BY id DESC LIMIT $3"
        );
        let role = q.role.map(Role::as_str);
        let rows: Vec<UserRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, UserRow>(AssertSqlSafe(sql))
            .bind(q.page.cursor).bind(pattern).bind(i64::from(q.page.limit) + 1).bind(role).fetch_all(pool).await)
        .map_err(repo_error)?;
        let users = rows.into_iter().map(User::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(users, q.page.limit, |u| u.id.0))
    }
}

/// Cuts a list fetched with one extra row to a page and its cursor.
pub(crate) fn page_of<T>(mut items: Vec<T>, limit: u32, id: impl Fn(&T) -> Uuid) -> Page<T> {
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(&id)
    } else {
        None
    };
    Page { items, next_cursor }
}
