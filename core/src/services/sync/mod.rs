//! SAP synchronisation use cases: our change feed as SAP reads and confirms it, SAP's changes to our
//! data (`inbound`), the sync-worker's push of our changes (`push`), and what operators see and do
//! about the queue (status, dead letters, retry, skip).
mod inbound;
mod products;
mod push;

use uuid::Uuid;

use crate::domain::sync::ChangeRecord;
use crate::domain::{AccessClaims, AuditEvent, AuditKind, Invalid, RequestMeta, Role, Subject};
use crate::error::RepoError;
use crate::ports::{Confirmed, EntityBacklog, Ports};
use crate::services::{AddressService, CatalogService, OrderService};

pub use inbound::{Applied, InboundError, InboundOutcome};
pub use push::{PushReport, PushSettings, backoff, plan_push};

/// The most changes one page of the feed holds.
pub const MAX_PAGE: u32 = 1000;

/// Why a feed or operator call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The caller is not a SAP client.
    #[error("only SAP may read or confirm the change feed")]
    NotSap,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// No change has this id (or it is not in the state the operation needs).
    #[error("no such change")]
    NotFound,
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// What operators see of the sync: the backlog per entity, dead letters, and the worker's notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub backlog: Vec<EntityBacklog>,
    /// `last_push`, `last_pull`, ... with the time noted.
    pub notes: Vec<(String, String, time::OffsetDateTime)>,
}

/// Our change feed, as SAP and operators use it, and the worker's push step.
#[derive(Clone)]
pub struct SyncService {
    ports: Ports,
}

/// SAP's changes to our data.
#[derive(Clone)]
pub struct SapInboundService {
    ports: Ports,
    catalog: CatalogService,
    orders: OrderService,
    addresses: AddressService,
}

impl SapInboundService {
    #[must_use]
    pub fn new(ports: Ports, catalog: CatalogService, orders: OrderService, addresses: AddressService) -> Self {
        Self { ports, catalog, orders, addresses }
    }

    /// Whether the caller is a SAP client.
    ///
    /// # Errors
    /// `NotSap`.
    pub fn check_sap(actor: &AccessClaims) -> Result<(), InboundError> {
        if is_sap(actor) { Ok(()) } else { Err(InboundError::NotSap) }
    }
}

fn is_sap(actor: &AccessClaims) -> bool {
    actor.role == Role::Sap && matches!(actor.subject, Subject::SapClient(_))
}

impl SyncService {
    #[must_use]
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// Our changes SAP has not confirmed, by sequence number, after `after`, at most `limit` (1 to
    /// `MAX_PAGE`). A change made while SAP read may appear with a lower number than one already read,
    /// so SAP reads from the start (no `after`) on every poll and uses `after` only to page.
    ///
    /// # Errors
    /// `NotSap`, `Invalid` (limit), `Storage`.
    pub async fn feed(&self, actor: &AccessClaims, after: Option<i64>, limit: u32) -> Result<Vec<ChangeRecord>, SyncError> {
        if !is_sap(actor) {
            return Err(SyncError::NotSap);
        }
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Invalid::field("limit", format!("must be 1 to {MAX_PAGE}"), "Ask for at most 1000 changes per page.").into());
        }
        Ok(self.ports.changes.unprocessed(after, limit).await?)
    }

    /// Marks the changes SAP applied as completed; repeating is harmless, unknown ids are reported.
    ///
    /// # Errors
    /// `NotSap`, `Invalid` (empty or more than `MAX_PAGE` ids), `Storage`.
    pub async fn confirm(&self, actor: &AccessClaims, ids: &[Uuid]) -> Result<Confirmed, SyncError> {
        if !is_sap(actor) {
            return Err(SyncError::NotSap);
        }
        if ids.is_empty() || ids.len() > MAX_PAGE as usize {
            return Err(Invalid::field("ids", format!("must hold 1 to {MAX_PAGE} ids"), "Send the ids of the changes applied.").into());
        }
        let done = self.ports.changes.confirm(ids, "sap", self.ports.clock.now()).await?;
        tracing::info!(
            completed = done.completed.len(),
            already = done.already.len(),
            unknown = done.unknown.len(),
            "SAP confirmed changes"
        );
        Ok(done)
    }

    /// The backlog per entity and the worker's last successes.
    ///
    /// # Errors
    /// `Storage`.
    pub async fn status(&self) -> Result<SyncStatus, SyncError> {
        Ok(SyncStatus { backlog: self.ports.changes.backlog().await?, notes: self.ports.changes.notes().await? })
    }

    /// Dead-lettered changes, oldest first.
    ///
    /// # Errors
    /// `Storage`.
    pub async fn dead_letters(&self, limit: u32) -> Result<Vec<ChangeRecord>, SyncError> {
        Ok(self.ports.changes.dead_letters(limit).await?)
    }

    /// Puts one dead letter (or all, with `None`) back in the queue; audited.
    ///
    /// # Errors
    /// `NotFound` (the id is not a dead letter), `Storage`.
    pub async fn retry(&self, id: Option<Uuid>, operator: &str, meta: &RequestMeta) -> Result<u64, SyncError> {
        let now = self.ports.clock.now();
        let n = self.ports.changes.retry(id, now).await?;
        if id.is_some() && n == 0 {
            return Err(SyncError::NotFound);
        }
        let what = id.map_or_else(|| "all dead letters".to_owned(), |id| format!("change {id}"));
        self.audit(meta, AuditKind::SyncRetried, id, format!("{operator} put {what} back in the queue ({n})")).await;
        Ok(n)
    }

    /// Settles a change without sending it to SAP (an operator's decision, with the reason); audited.
    ///
    /// # Errors
    /// `Invalid` (no reason), `NotFound` (unknown or already completed), `Storage`.
    pub async fn skip(&self, id: Uuid, reason: &str, operator: &str, meta: &RequestMeta) -> Result<(), SyncError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(Invalid::field("reason", "must be 1 to 500 characters", "Say why the change is not sent to SAP.").into());
        }
        if !self.ports.changes.skip(id, reason, self.ports.clock.now()).await? {
            return Err(SyncError::NotFound);
        }
        self.audit(meta, AuditKind::SyncSkipped, Some(id), format!("{operator} skipped the change: {reason}")).await;
        Ok(())
    }

    async fn audit(&self, meta: &RequestMeta, kind: AuditKind, id: Option<Uuid>, reason: String) {
        tracing::warn!(kind = kind.as_str(), %reason, "sync queue changed by an operator");
        let event = AuditEvent::new(meta, self.ports.clock.now(), kind, id.map(|id| format!("change:{id}")), reason);
        if let Err(e) = self.ports.audit.record(&event).await {
            tracing::error!(error = %e, "could not write audit event");
        }
    }
}
