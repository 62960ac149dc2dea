//! SQL stores of sign-in credentials: one-time codes, refresh tokens (with their families) and SAP
//! clients.
use std::time::Duration;

use async_trait::async_trait;
use sabil_core::domain::{CodePurpose, SapClient, SapClientId, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{
    CodeIssue, RefreshTokenRecord, RefreshTokenRepository, SapClientRepository, SendPolicy, StoredCode, VerificationCodeRepository,
};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Db, DbTime, Dialect, repo_error, with_db};

/// One-time codes in SQL.
#[derive(Clone, Debug)]
pub struct SqlCodeRepository {
    db: Db,
}

impl SqlCodeRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: Uuid,
    code_fingerprint: String,
    // `INTEGER` is 32 bits on PostgreSQL (64 on SQLite, which decodes into i32 as well).
    attempts: i32,
    expires_at: DbTime,
}

#[async_trait]
impl VerificationCodeRepository for SqlCodeRepository {
    async fn issue(&self, code: &CodeIssue, policy: &SendPolicy) -> Result<Option<Duration>, RepoError> {
        let since = DbTime(code.created_at - policy.window);
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            // Serialise sends per account, so concurrent requests see each other's codes.
            let lock = format!("SELECT id FROM users WHERE id = $1{}", E::FOR_UPDATE);
            sqlx::query::<E>(AssertSqlSafe(lock)).bind(code.user_id.0).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let earlier: Vec<(DbTime,)> = sqlx::query_as::<E, (DbTime,)>(
                "SELECT created_at FROM verification_codes WHERE user_id = $1 AND purpose = $2 AND created_at > $3",
            )
            .bind(code.user_id.0).bind(code.purpose.as_str()).bind(since).fetch_all(&mut *tx).await.map_err(repo_error)?;
            let earlier: Vec<OffsetDateTime> = earlier.into_iter().map(|(t,)| t.0).collect();
            if let Some(wait) = policy.wait_before_next(&earlier, code.created_at) {
                return Ok(Some(wait));
            }
            sqlx::query::<E>("UPDATE verification_codes SET consumed_at = $3 WHERE user_id = $1 AND purpose = $2 AND consumed_at IS NULL")
                .bind(code.user_id.0).bind(code.purpose.as_str()).bind(DbTime(code.created_at)).execute(&mut *tx).await.map_err(repo_error)?;
            sqlx::query::<E>(
                "INSERT INTO verification_codes (id, user_id, purpose, code_fingerprint, attempts, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, 0, $5, $6)",
            )
            .bind(code.id).bind(code.user_id.0).bind(code.purpose.as_str()).bind(&code.code_fingerprint).bind(DbTime(code.created_at))
            .bind(DbTime(code.expires_at)).execute(&mut *tx).await.map_err(repo_error)?;
            tx.commit().await.map_err(repo_error)?;
            Ok(None)
        })
    }

    async fn active(&self, user_id: UserId, purpose: CodePurpose, now: OffsetDateTime) -> Result<Option<StoredCode>, RepoError> {
        let row: Option<CodeRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, CodeRow>(
            "SELECT id, code_fingerprint, attempts, expires_at FROM verification_codes \
             WHERE user_id = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > $3 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(user_id.0).bind(purpose.as_str()).bind(DbTime(now)).fetch_optional(pool).await)
        .map_err(repo_error)?;
        Ok(row.map(|r| StoredCode {
            id: r.id,
            code_fingerprint: r.code_fingerprint,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            expires_at: r.expires_at.0,
        }))
    }

    async fn begin_attempt(&self, code_id: Uuid, max_attempts: u32) -> Result<Option<u32>, RepoError> {
        let row: Option<(i32,)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (i32,)>(
            "UPDATE verification_codes SET attempts = attempts + 1 WHERE id = $1 AND consumed_at IS NULL AND attempts < $2 RETURNING attempts",
        )
        .bind(code_id).bind(i64::from(max_attempts)).fetch_optional(pool).await)
        .map_err(repo_error)?;
        Ok(row.map(|(n,)| u32::try_from(n).unwrap_or(u32::MAX)))
    }

    async fn consume(&self, code_id: Uuid, now: OffsetDateTime) -> Result<bool, RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>("UPDATE verification_codes SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL")
            .bind(code_id).bind(DbTime(now)).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n == 1)
    }
}

/// Refresh tokens in SQL.
#[derive(Clone, Debug)]
pub struct SqlRefreshTokenRepository {
    db: Db,
}

impl SqlRefreshTokenRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct RefreshRow {
    id: Uuid,
    family_id: Uuid,
    user_id: Uuid,
    token_fingerprint: String,
    issued_at: DbTime,
    expires_at: DbTime,
    used_at: Option<DbTime>,
    revoked_at: Option<DbTime>,
}

/// Inserts one refresh token inside the transaction `$tx` of engine `$engine`.
macro_rules! insert_token {
    ($engine:ty, $tx:expr, $t:expr) => {
        sqlx::query::<$engine>(
            "INSERT INTO refresh_tokens (id, family_id, user_id, token_fingerprint, issued_at, expires_at, used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($t.id)
        .bind($t.family_id)
        .bind($t.user_id.0)
        .bind(&$t.token_fingerprint)
        .bind(DbTime($t.issued_at))
        .bind(DbTime($t.expires_at))
        .bind($t.used_at.map(DbTime))
        .bind($t.revoked_at.map(DbTime))
        .execute(&mut *$tx)
        .await
        .map_err(repo_error)
    };
}

#[async_trait]
impl RefreshTokenRepository for SqlRefreshTokenRepository {
    async fn insert(&self, t: &RefreshTokenRecord) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            sqlx::query::<E>("INSERT INTO refresh_token_families (id, user_id, created_at, revoked_at) VALUES ($1, $2, $3, $4)")
                .bind(t.family_id).bind(t.user_id.0).bind(DbTime(t.issued_at)).bind(t.revoked_at.map(DbTime))
                .execute(&mut *tx).await.map_err(repo_error)?;
            insert_token!(E, tx, t)?;
            tx.commit().await.map_err(repo_error)
        })
    }

    async fn find(&self, fingerprint: &str) -> Result<Option<RefreshTokenRecord>, RepoError> {
        let row: Option<RefreshRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, RefreshRow>(
            "SELECT id, family_id, user_id, token_fingerprint, issued_at, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_fingerprint = $1",
        )
        .bind(fingerprint).fetch_optional(pool).await)
        .map_err(repo_error)?;
        Ok(row.map(|r| RefreshTokenRecord {
            id: r.id,
            family_id: r.family_id,
            user_id: UserId(r.user_id),
            token_fingerprint: r.token_fingerprint,
            issued_at: r.issued_at.0,
            expires_at: r.expires_at.0,
            used_at: r.used_at.map(|t| t.0),
            revoked_at: r.revoked_at.map(|t| t.0),
        }))
    }

    async fn rotate(&self, presented: &str, next: &RefreshTokenRecord, now: OffsetDateTime) -> Result<bool, RepoError> {
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            // The family row is the lock shared with revoke_family.
            let lock = format!("SELECT revoked_at FROM refresh_token_families WHERE id = $1{}", E::FOR_UPDATE);
            let family: Option<(Option<DbTime>,)> = sqlx::query_as::<E, (Option<DbTime>,)>(AssertSqlSafe(lock))
                .bind(next.family_id).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            if !matches!(family, Some((None,))) {
                return Ok(false);
            }
            let used = sqlx::query::<E>(
                "UPDATE refresh_tokens SET used_at = $3 WHERE token_fingerprint = $1 AND family_id = $2 \
                 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
            )
            .bind(presented).bind(next.family_id).bind(DbTime(now)).execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
            if used != 1 {
                return Ok(false);
            }
            insert_token!(E, tx, next)?;
            tx.commit().await.map_err(repo_error)?;
            Ok(true)
        })
    }

    async fn revoke_family(&self, family_id: Uuid, now: OffsetDateTime) -> Result<u64, RepoError> {
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            sqlx::query::<E>("UPDATE refresh_token_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(family_id).bind(DbTime(now)).execute(&mut *tx).await.map_err(repo_error)?;
            let revoked = sqlx::query::<E>("UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL")
                .bind(family_id).bind(DbTime(now)).execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
            tx.commit().await.map_err(repo_error)?;
            Ok(revoked)
        })
    }

    async fn revoke_all_for_user(&self, user_id: UserId, now: OffsetDateTime) -> Result<u64, RepoError> {
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            sqlx::query::<E>("UPDATE refresh_token_families SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                .bind(user_id.0).bind(DbTime(now)).execute(&mut *tx).await.map_err(repo_error)?;
            let revoked = sqlx::query::<E>("UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                .bind(user_id.0).bind(DbTime(now)).execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
            tx.commit().await.map_err(repo_error)?;
            Ok(revoked)
        })
    }
}

/// SAP clients in SQL.
#[derive(Clone, Debug)]
pub struct SqlSapClientRepository {
    db: Db,
}

impl SqlSapClientRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct SapClientRow {
    id: Uuid,
    client_id: String,
    secret_fingerprint: String,
    name: String,
    created_at: DbTime,
    disabled_at: Option<DbTime>,
}

#[async_trait]
impl SapClientRepository for SqlSapClientRepository {
    async fn create(&self, c: &SapClient) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO sap_clients (id, client_id, secret_fingerprint, name, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.id.0).bind(&c.client_id).bind(&c.secret_fingerprint).bind(&c.name).bind(DbTime(c.created_at))
        .bind(c.disabled.then_some(DbTime(c.created_at))).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn find_by_client_id(&self, client_id: &str) -> Result<Option<SapClient>, RepoError> {
        let row: Option<SapClientRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, SapClientRow>(
            "SELECT id, client_id, secret_fingerprint, name, created_at, disabled_at FROM sap_clients WHERE client_id = $1",
        )
        .bind(client_id).fetch_optional(pool).await)
        .map_err(repo_error)?;
        Ok(row.map(SapClient::from))
    }

    async fn list(&self) -> Result<Vec<SapClient>, RepoError> {
        let rows: Vec<SapClientRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, SapClientRow>(
            "SELECT id, client_id, secret_fingerprint, name, created_at, disabled_at FROM sap_clients ORDER BY id",
        )
        .fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(rows.into_iter().map(SapClient::from).collect())
    }

    async fn disable(&self, client_id: &str, now: OffsetDateTime) -> Result<SapClient, RepoError> {
        let row: Option<SapClientRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, SapClientRow>(
            "UPDATE sap_clients SET disabled_at = COALESCE(disabled_at, $2) WHERE client_id = $1 \
             RETURNING id, client_id, secret_fingerprint, name, created_at, disabled_at",
        )
        .bind(client_id).bind(DbTime(now)).fetch_optional(pool).await)
        .map_err(repo_error)?;
        row.map(SapClient::from).ok_or(RepoError::NotFound)
    }
}

impl From<SapClientRow> for SapClient {
    fn from(r: SapClientRow) -> Self {
        Self {
            id: SapClientId(r.id),
            client_id: r.client_id,
            secret_fingerprint: r.secret_fingerprint,
            name: r.name,
            created_at: r.created_at.0,
            disabled: r.disabled_at.is_some(),
        }
    }
}
