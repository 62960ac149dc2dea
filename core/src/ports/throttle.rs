//! Counting failures per key (phone, client IP) in a sliding time window, shared by all API
//! instances in production.
use std::time::Duration;

use async_trait::async_trait;

use crate::error::RepoError;

/// Counts failures per key within a fixed window that starts at the key's first failure.
#[async_trait]
pub trait FailureCounter: Send + Sync {
    /// Failures counted for `key` in its current window and the time until that window ends;
    /// `(0, ZERO)` when there is none.
    ///
    /// # Errors
    /// `Unavailable` when the shared counter store cannot be reached.
    async fn failures(&self, key: &str) -> Result<(u32, Duration), RepoError>;

    /// Adds one failure; a key without a current window opens one of length `window`. Returns the new count.
    ///
    /// # Errors
    /// `Unavailable` when the shared counter store cannot be reached.
    async fn add_failure(&self, key: &str, window: Duration) -> Result<u32, RepoError>;

    /// Forgets the key (after a success).
    ///
    /// # Errors
    /// `Unavailable` when the shared counter store cannot be reached.
    async fn clear(&self, key: &str) -> Result<(), RepoError>;
}
