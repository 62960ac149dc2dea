//! Terms and conditions: the current (latest) version, customers accepting it, admins publishing
//! a new version (which asks every customer again).
use super::{SupportError, SupportService};
use crate::domain::support::{TermsAcceptance, TermsVersion};
use crate::domain::{AccessClaims, LocalizedText, Role, Subject, UserId, UserStatus};
use crate::error::RepoError;
use crate::services::authorization::acting_admin;

/// The current terms, and the viewer's acceptance of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentTerms {
    /// The latest version.
    pub terms: TermsVersion,
    /// When the viewer accepted this version; `None` when they have not (or no viewer was named).
    pub acceptance: Option<TermsAcceptance>,
}

impl SupportService {
    /// The current terms (the latest version) with `viewer`'s acceptance of them.
    ///
    /// # Errors
    /// `NoTerms` before the first version, `Storage`.
    pub async fn current_terms(&self, viewer: Option<UserId>) -> Result<CurrentTerms, SupportError> {
        let terms = self.ports.terms.latest().await?.ok_or(SupportError::NoTerms)?;
        let acceptance = match viewer {
            Some(user) => self.ports.terms.acceptance(user, terms.version).await?,
            None => None,
        };
        Ok(CurrentTerms { terms, acceptance })
    }

    /// Records that the calling customer accepts `version`, which must be the current one.
    /// Accepting again is harmless and returns the first acceptance.
    ///
    /// # Errors
    /// `CustomersOnly` for anyone but an active customer, `AccountBlocked`; `NoTerms`;
    /// `NotFound` for a version never published; `TermsOutdated` for one replaced by a newer
    /// version; `Storage`.
    pub async fn accept_terms(&self, actor: &AccessClaims, version: u32) -> Result<TermsAcceptance, SupportError> {
        let user = self.acting_customer(actor).await?;
        let current = self.ports.terms.latest().await?.ok_or(SupportError::NoTerms)?;
        if version > current.version || version == 0 {
            return Err(SupportError::NotFound("terms version"));
        }
        if version < current.version {
            return Err(SupportError::TermsOutdated { version, current: current.version });
        }
        let acceptance = TermsAcceptance { user_id: user, version, accepted_at: self.ports.clock.now() };
        Ok(self.ports.terms.accept(&acceptance).await?)
    }

    /// Publishes the next version of the terms (admins only): one more than the current number,
    /// effective at once; every customer is asked to accept it.
    ///
    /// # Errors
    /// `Denied`, `TermsPublishedConcurrently` when another version went in at the same time, `Storage`.
    pub async fn publish_terms(&self, actor: &AccessClaims, body: LocalizedText) -> Result<TermsVersion, SupportError> {
        acting_admin(&self.ports, actor).await?;
        let next = self.ports.terms.latest().await?.map_or(1, |t| t.version.saturating_add(1));
        let terms = TermsVersion { version: next, body, published_at: self.ports.clock.now() };
        self.ports.terms.publish(&terms).await.map_err(|e| match e {
            RepoError::Conflict(_) => SupportError::TermsPublishedConcurrently,
            other => other.into(),
        })?;
        Ok(terms)
    }

    /// The calling customer, checked against the store: a blocked or deleted account may not
    /// accept anything, whatever its token says.
    async fn acting_customer(&self, actor: &AccessClaims) -> Result<UserId, SupportError> {
        let Subject::User(id) = actor.subject else { return Err(SupportError::CustomersOnly) };
        if actor.role != Role::Customer {
            return Err(SupportError::CustomersOnly);
        }
        let user = self.ports.users.get(id).await?.ok_or(SupportError::CustomersOnly)?;
        match (user.role, user.status) {
            (Role::Customer, UserStatus::Active) => Ok(id),
            (_, UserStatus::Blocked) => Err(SupportError::AccountBlocked),
            _ => Err(SupportError::CustomersOnly),
        }
    }
}
