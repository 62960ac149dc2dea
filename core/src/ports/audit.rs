//! Persistence of the security audit trail.
use async_trait::async_trait;

use crate::domain::AuditEvent;
use crate::error::RepoError;

/// Appends and reads audit events.
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Appends one event.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn record(&self, event: &AuditEvent) -> Result<(), RepoError>;

    /// The newest `limit` events, newest first.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store cannot be read.
    async fn recent(&self, limit: u32) -> Result<Vec<AuditEvent>, RepoError>;
}
