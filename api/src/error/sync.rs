//! How the SAP feed and SAP's entity changes are answered.
use sabil_core::services::SyncError;
use sabil_core::services::sync::InboundError;

use super::ApiError;

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::NotSap => {
                Self::forbidden("auth.role_forbidden", "Only SAP may use the change feed.", "Sign in with POST /api/auth/sap/login.")
            }
            SyncError::Invalid(invalid) => invalid.into(),
            SyncError::NotFound => Self::not_found(
                "sync.change_not_found",
                "No such change in that state.",
                Some("List dead letters with `sabil sync dead-letters`."),
            ),
            SyncError::Storage(e) => e.into(),
        }
    }
}

impl From<InboundError> for ApiError {
    fn from(e: InboundError) -> Self {
        match e {
            InboundError::NotSap => {
                Self::forbidden("auth.role_forbidden", "Only SAP may change this.", "Sign in with POST /api/auth/sap/login.")
            }
            InboundError::Rule(invalid) => invalid.into(),
            InboundError::Stale { sent, applied } => Self::conflict(
                "sap.stale_version",
                format!("Version {sent} is older than version {applied}, which is already applied."),
                "Send changes of one entity in order; an older version is never applied over a newer one.",
            ),
            InboundError::Storage(e) => e.into(),
        }
    }
}
