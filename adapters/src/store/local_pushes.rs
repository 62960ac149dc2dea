//! The local push stand-in: instead of calling Firebase, it keeps each push in the database so a
//! developer can see what the customers' phones would have shown (`sabil push list`). Tokens that start
//! with [`INVALID_TOKEN_PREFIX`] are answered as unregistered, as FCM answers for an uninstalled app, so
//! the removal of dead devices can be tried without Firebase.
use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use sabil_core::error::{GatewayError, RepoError};
use sabil_core::ports::{Clock, PushGateway, PushMessage, PushOutcome};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Db, DbTime, repo_error, with_db};
use crate::gateways::fcm::token_prefix;

/// Tokens starting with this are treated as unregistered by the local stand-in (`TokenInvalid`).
pub const INVALID_TOKEN_PREFIX: &str = "invalid-";

/// A push kept by the local stand-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPushEntry {
    pub id: Uuid,
    pub token: String,
    pub title: String,
    pub body: String,
    pub data: BTreeMap<String, String>,
    /// `sent`, or `token_invalid` for a token the stand-in treats as unregistered.
    pub outcome: String,
    pub created_at: OffsetDateTime,
}

/// `PushGateway` that stores pushes locally.
#[derive(Clone)]
pub struct LocalPush {
    db: Db,
    clock: Arc<dyn Clock>,
}

type Row = (Uuid, String, String, String, String, String, DbTime);

impl LocalPush {
    #[must_use]
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// The newest `limit` pushes (to `token` only, when given), newest first.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn list(&self, token: Option<&str>, limit: u32) -> Result<Vec<LocalPushEntry>, RepoError> {
        let limit = i64::from(limit);
        let rows: Vec<Row> = match token {
            None => with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(
                "SELECT id, token, title, body, data, outcome, created_at FROM local_pushes ORDER BY id DESC LIMIT $1",
            )
            .bind(limit).fetch_all(pool).await),
            Some(token) => with_db!(&self.db, pool, E => sqlx::query_as::<E, Row>(
                "SELECT id, token, title, body, data, outcome, created_at FROM local_pushes WHERE token = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(token).bind(limit).fetch_all(pool).await),
        }
        .map_err(repo_error)?;
        rows.into_iter()
            .map(|(id, token, title, body, data, outcome, created_at)| {
                let data =
                    serde_json::from_str(&data).map_err(|e| RepoError::Internal(format!("local push {id}: bad data column: {e}")))?;
                Ok(LocalPushEntry { id, token, title, body, data, outcome, created_at: created_at.0 })
            })
            .collect()
    }
}

#[async_trait]
impl PushGateway for LocalPush {
    async fn send(&self, m: &PushMessage) -> Result<PushOutcome, GatewayError> {
        let id = Uuid::now_v7();
        let invalid = m.token.starts_with(INVALID_TOKEN_PREFIX);
        let outcome = if invalid { "token_invalid" } else { "sent" };
        let data = serde_json::to_string(&m.data).map_err(|e| GatewayError::Protocol(format!("push data: {e}")))?;
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO local_pushes (id, token, title, body, data, outcome, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id).bind(&m.token).bind(&m.title).bind(&m.body).bind(data).bind(outcome).bind(DbTime(self.clock.now()))
        .execute(pool).await.map(|_| ()))
        .map_err(|e| GatewayError::Unavailable { message: repo_error(e).to_string(), retry_after: None })?;
        tracing::info!(token = %token_prefix(&m.token), id = %id, outcome, "push kept by the local stand-in (see `sabil push list`)");
        if invalid {
            return Ok(PushOutcome::TokenInvalid {
                reason: format!("UNREGISTERED (local stand-in: tokens starting with {INVALID_TOKEN_PREFIX:?} are unregistered)"),
            });
        }
        Ok(PushOutcome::Sent { provider_id: format!("local-{id}") })
    }

    fn name(&self) -> &'static str {
        "local"
    }
}
