//! How the mosque and support-content outcomes are answered (kept beside `error.rs`, which would
//! otherwise outgrow one file).
use sabil_core::services::{MosqueError, SupportError};

use super::ApiError;

impl From<MosqueError> for ApiError {
    fn from(e: MosqueError) -> Self {
        match e {
            MosqueError::Invalid(invalid) => invalid.into(),
            MosqueError::NotFound => Self::not_found("mosque.not_found", "No such mosque.", Some("List mosques with GET /api/mosques.")),
            MosqueError::SapIdTaken => {
                Self::conflict("mosque.sap_id_taken", "Another mosque has this SAP id.", "Check the SAP id, or leave it out.")
            }
            MosqueError::Denied(denied) => denied.into(),
            MosqueError::Storage(e) => e.into(),
        }
    }
}

impl From<SupportError> for ApiError {
    fn from(e: SupportError) -> Self {
        match e {
            SupportError::Invalid(invalid) => invalid.into(),
            SupportError::NotFound(what) => {
                let code = format!("{}.not_found", what.to_ascii_lowercase().replace(' ', "_"));
                Self::not_found(&code, format!("No such {what}."), None)
            }
            SupportError::NoTerms => Self::not_found("terms.none_published", "No terms and conditions have been published yet.", None),
            SupportError::TermsOutdated { version, current } => Self::conflict(
                "terms.outdated",
                format!("Version {version} of the terms has been replaced by version {current}."),
                &format!("Read the current terms with GET /api/terms, then accept version {current}."),
            ),
            SupportError::TermsPublishedConcurrently => Self::conflict(
                "terms.published_concurrently",
                "Another version of the terms was published at the same moment.",
                "Read GET /api/terms and publish again if your text is still needed.",
            ),
            SupportError::CustomersOnly => {
                Self::forbidden("auth.role_forbidden", "Only a customer account may do this.", "Sign in with an active customer account.")
            }
            SupportError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            SupportError::Denied(denied) => denied.into(),
            SupportError::Storage(e) => e.into(),
        }
    }
}
