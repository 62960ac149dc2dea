//! The local SMS stand-in: instead of texting, it keeps each message in the database so a developer
//! can read the code (`sabil sms list`) and sign up without a Twilio account.
use async_trait::async_trait;
use sabil_core::error::{GatewayError, RepoError};
use sabil_core::ports::{Clock, SmsGateway, SmsMessage};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Db, DbTime, repo_error, with_db};

/// A message kept by the local stand-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsOutboxEntry {
    pub id: Uuid,
    pub to: String,
    pub body: String,
    pub created_at: OffsetDateTime,
}

/// `SmsGateway` that stores messages locally.
#[derive(Clone)]
pub struct OutboxSms {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl OutboxSms {
    #[must_use]
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// The newest `limit` messages, newest first.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn list(&self, limit: u32) -> Result<Vec<SmsOutboxEntry>, RepoError> {
        let rows: Vec<(Uuid, String, String, DbTime)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (Uuid, String, String, DbTime)>(
            "SELECT id, to_phone, body, created_at FROM sms_outbox ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit)).fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(rows.into_iter().map(|(id, to, body, created_at)| SmsOutboxEntry { id, to, body, created_at: created_at.0 }).collect())
    }
}

#[async_trait]
impl SmsGateway for OutboxSms {
    async fn send(&self, m: &SmsMessage) -> Result<String, GatewayError> {
        let id = Uuid::now_v7();
        with_db!(&self.db, pool, E => sqlx::query::<E>("INSERT INTO sms_outbox (id, to_phone, body, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id).bind(m.to.as_str()).bind(&m.body).bind(DbTime(self.clock.now())).execute(pool).await.map(|_| ()))
        .map_err(|e| GatewayError::Unavailable { message: repo_error(e).to_string(), retry_after: None })?;
        tracing::info!(to = %m.to.masked(), id = %id, "SMS kept in the local outbox (see `sabil sms list`)");
        Ok(format!("local-{id}"))
    }
}
