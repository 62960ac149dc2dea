//! The audit trail in SQL.
use async_trait::async_trait;
use sabil_core::domain::{AuditEvent, AuditKind};
use sabil_core::error::RepoError;
use sabil_core::ports::AuditRepository;
use uuid::Uuid;

use super::{Db, DbTime, repo_error, with_db};

/// Audit events in SQL.
#[derive(Clone, Debug)]
pub struct SqlAuditRepository {
    db: Db,
}

impl SqlAuditRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    occurred_at: DbTime,
    kind: String,
    route: String,
    subject: Option<String>,
    client_ip: Option<String>,
    reason: String,
    request_id: Option<String>,
}

#[async_trait]
impl AuditRepository for SqlAuditRepository {
    async fn record(&self, e: &AuditEvent) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO audit_events (id, occurred_at, kind, route, subject, client_ip, reason, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.id).bind(DbTime(e.occurred_at)).bind(e.kind.as_str()).bind(&e.route).bind(&e.subject).bind(&e.client_ip)
        .bind(&e.reason).bind(&e.request_id).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn recent(&self, limit: u32) -> Result<Vec<AuditEvent>, RepoError> {
        let rows: Vec<AuditRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, AuditRow>(
            "SELECT id, occurred_at, kind, route, subject, client_ip, reason, request_id FROM audit_events ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit)).fetch_all(pool).await)
        .map_err(repo_error)?;
        rows.into_iter()
            .map(|r| {
                Ok(AuditEvent {
                    id: r.id,
                    occurred_at: r.occurred_at.0,
                    kind: AuditKind::parse(&r.kind).ok_or_else(|| RepoError::Internal(format!("unknown audit kind {:?}", r.kind)))?,
                    route: r.route,
                    subject: r.subject,
                    client_ip: r.client_ip,
                    reason: r.reason,
                    request_id: r.request_id,
                })
            })
            .collect()
    }
}
