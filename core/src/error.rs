//! Errors shared by every port: what a repository or a gateway may fail with. Services translate them
//! into their own business outcomes; adapters translate driver errors into these, once.
use std::time::Duration;

/// Failure of a persistence operation.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RepoError {
    /// A uniqueness or state constraint refused the write; the text names the constraint.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The addressed record does not exist.
    #[error("not found")]
    NotFound,
    /// The database could not be reached or timed out; retrying later may succeed.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or corrupted data. Logged, never shown to clients.
    #[error("storage failure: {0}")]
    Internal(String),
}

/// Failure of a call to an external system (SMS, push, payments, SAP).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum GatewayError {
    /// The provider understood the request and refused it (bad recipient, invalid payload). Not retryable.
    #[error("rejected by provider ({code}): {message}")]
    Rejected {
        /// The provider's own error code, e.g. Twilio's `21211`.
        code: String,
        /// The provider's explanation, for logs.
        message: String,
    },
    /// The provider is down, timed out or rate-limited us; `retry_after` is its hint when it gave one.
    #[error("provider unavailable: {message}")]
    Unavailable {
        /// What went wrong, for logs.
        message: String,
        /// How long the provider asked us to wait; `None` when it gave no hint.
        retry_after: Option<Duration>,
    },
    /// The provider answered something we could not understand.
    #[error("provider protocol error: {0}")]
    Protocol(String),
}

impl GatewayError {
    /// Whether sending the same request again later may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unavailability_is_retryable() {
        let unavailable = GatewayError::Unavailable { message: "503".into(), retry_after: None };
        assert!(unavailable.is_retryable());
        assert!(!GatewayError::Protocol("garbage".into()).is_retryable());
        assert!(!GatewayError::Rejected { code: "21211".into(), message: "bad To".into() }.is_retryable());
    }
}
