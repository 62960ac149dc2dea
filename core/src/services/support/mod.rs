//! Support content: the FAQ, contact channels and the terms and conditions. Customers read them
//! and accept the current terms; admins create, edit and deactivate the content and publish new
//! terms versions.
mod contacts;
mod faq;
mod terms;

use crate::domain::Invalid;
use crate::error::RepoError;
use crate::ports::Ports;
use crate::services::authorization::AdminDenied;

pub use contacts::ContactDraft;
pub use faq::{CategoryDraft, QuestionDraft};
pub use terms::CurrentTerms;

/// Business outcomes of the support use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupportError {
    /// The input breaks a rule (named by field, with a hint).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The addressed FAQ category, FAQ question, contact channel or terms version does not exist.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// No terms have been published yet.
    #[error("no terms have been published yet")]
    NoTerms,
    /// The version is not the current one: a newer version replaced it.
    #[error("terms version {version} is outdated; version {current} is current")]
    TermsOutdated {
        /// The version the caller named.
        version: u32,
        /// The version to accept instead.
        current: u32,
    },
    /// Another admin published a terms version at the same moment.
    #[error("another terms version was published at the same time")]
    TermsPublishedConcurrently,
    /// Only an active customer account may do this (accepting terms).
    #[error("only a customer may do this")]
    CustomersOnly,
    /// The customer's account is blocked.
    #[error("the account is blocked")]
    AccountBlocked,
    /// The caller is not an active admin.
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The store failed; not a business outcome.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// `NotFound` from a store names the record that vanished.
fn not_found(what: &'static str) -> impl Fn(RepoError) -> SupportError {
    move |e| if e == RepoError::NotFound { SupportError::NotFound(what) } else { SupportError::Storage(e) }
}

/// The support use cases over the ports.
#[derive(Clone)]
pub struct SupportService {
    ports: Ports,
    /// Told after every committed write, so cached public reads are dropped.
    changes: std::sync::Arc<dyn crate::ports::CatalogChanges>,
}

impl SupportService {
    /// The support use cases over these ports.
    #[must_use]
    pub fn new(ports: Ports, changes: std::sync::Arc<dyn crate::ports::CatalogChanges>) -> Self {
        Self { ports, changes }
    }
}
