//! The outbox: messages written in the transaction that caused them and delivered afterwards by the
//! sync-worker, at least once, with retries and a dead-letter state. Claims are leases, so several worker
//! replicas never deliver one message at the same time.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::orders::OutboxMessage;
use crate::error::RepoError;

/// A claimed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: Uuid,
    pub message: OutboxMessage,
    /// Deliveries tried before this one.
    pub attempts: u32,
    pub created_at: OffsetDateTime,
}

/// Claims and settles outbox messages.
#[async_trait]
pub trait OutboxRepository: Send + Sync {
    /// Adds a message on its own (outside an order's transaction), unless one with its dedupe key exists;
    /// `true` when added.
    ///
    /// # Errors
    /// Storage failures only.
    async fn enqueue(&self, message: &OutboxMessage, now: OffsetDateTime) -> Result<bool, RepoError>;

    /// Claims up to `limit` due messages of `topic` (available, not done, not dead, not claimed by a live
    /// lease), oldest first, leasing them until `lease_until`. Two concurrent claimers never get the same
    /// message while its lease lasts.
    ///
    /// # Errors
    /// Storage failures only.
    async fn claim(&self, topic: &str, limit: u32, now: OffsetDateTime, lease_until: OffsetDateTime)
    -> Result<Vec<OutboxEntry>, RepoError>;

    /// Marks a message delivered.
    ///
    /// # Errors
    /// Storage failures only.
    async fn complete(&self, id: Uuid, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Records a failed attempt and makes the message due again at `retry_at`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn retry(&self, id: Uuid, error: &str, retry_at: OffsetDateTime) -> Result<(), RepoError>;

    /// Gives up on a message: it stays, visible to operators, and is never claimed again.
    ///
    /// # Errors
    /// Storage failures only.
    async fn dead_letter(&self, id: Uuid, error: &str, now: OffsetDateTime) -> Result<(), RepoError>;

    /// How many messages of `topic` are waiting (not done, not dead).
    ///
    /// # Errors
    /// Storage failures only.
    async fn pending(&self, topic: &str) -> Result<u64, RepoError>;
}
