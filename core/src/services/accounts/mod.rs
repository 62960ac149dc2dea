//! Accounts: registration with SMS verification, sign-in with rotating refresh tokens, password
//! reset, SAP machine sign-in, the user's own profile and the admin's view of users.
mod admin;
mod codes;
mod profile;
mod registration;
mod sessions;

use std::time::Duration;

use crate::domain::{AuditEvent, AuditKind, Invalid, RequestMeta};
use crate::error::RepoError;
use crate::ports::{Ports, SendPolicy};

pub use admin::NewSapClient;
pub use registration::{CodeSent, RegisterInput};

/// Tunables of the account rules; the defaults are the product's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSettings {
    /// How long a user's access token is accepted (default 15 minutes).
    pub access_ttl: Duration,
    /// How long an unused refresh token can be exchanged (default 30 days).
    pub refresh_ttl: Duration,
    /// How long a SAP client's access token is accepted (default 1 hour); SAP then signs in again.
    pub sap_access_ttl: Duration,
    /// How long a texted one-time code works (default 10 minutes).
    pub code_ttl: Duration,
    /// Guesses allowed per one-time code before it stops working (default 5).
    pub code_max_attempts: u32,
    /// How often codes may be texted to one account (default one a minute, five an hour).
    pub send_policy: SendPolicy,
    /// Failed sign-ins per phone within `failure_window` before sign-in is refused for the rest of it.
    pub max_failures_per_phone: u32,
    /// Failed sign-ins per client IP within `failure_window` (a NAT may hide many honest users).
    pub max_failures_per_ip: u32,
    /// The window, from a key's first failure, that failed sign-ins are counted in; a phone or IP at its
    /// limit is refused for the rest of it (default 15 minutes).
    pub failure_window: Duration,
    /// Requests that may text a code (register, resend, forgot) per client IP per send-policy
    /// window; generous because mobile carriers put many customers behind one address.
    pub max_code_requests_per_ip: u32,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            sap_access_ttl: Duration::from_secs(3600),
            code_ttl: Duration::from_secs(10 * 60),
            code_max_attempts: 5,
            send_policy: SendPolicy { min_interval: Duration::from_secs(60), max_per_window: 5, window: Duration::from_secs(3600) },
            max_failures_per_phone: 5,
            max_failures_per_ip: 20,
            failure_window: Duration::from_secs(15 * 60),
            max_code_requests_per_ip: 30,
        }
    }
}

/// Business outcomes of the account use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The input breaks a rule of the domain (named by field, with a hint).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Unknown phone or wrong password (indistinguishable on purpose), or an unknown SAP client/secret.
    #[error("the phone number or password is wrong")]
    InvalidCredentials,
    /// The password was right, but the phone has not been confirmed with its SMS code yet.
    #[error("the phone number has not been verified yet")]
    PhoneNotVerified,
    /// An admin blocked the account.
    #[error("the account is blocked")]
    AccountBlocked,
    /// Too many failures (or code requests) for the phone or the client IP; refused until the window ends.
    #[error("too many failed attempts; retry after {retry_after:?}")]
    TooManyAttempts {
        /// How long until the window ends and attempts are allowed again.
        retry_after: Duration,
    },
    /// Wrong, expired or already used code.
    #[error("the code is wrong or has expired")]
    CodeInvalid {
        /// Guesses the current code still allows; 0 when there is no usable code.
        attempts_left: u32,
    },
    /// The code had too many wrong guesses and no longer works.
    #[error("the code had too many wrong attempts")]
    CodeExhausted,
    /// The send policy allows no further code to this account yet.
    #[error("another code cannot be sent yet; retry after {retry_after:?}")]
    SendLimited {
        /// How long until another code may be sent.
        retry_after: Duration,
    },
    /// The SMS provider refused the number (e.g. a landline).
    #[error("the SMS provider cannot deliver to this number")]
    SmsUndeliverable,
    /// The SMS provider is down or throttling us.
    #[error("the SMS provider is unavailable")]
    SmsUnavailable {
        /// How long the provider asked us to wait; `None` when it gave no hint.
        retry_after: Option<Duration>,
    },
    /// Unknown, expired or revoked refresh token.
    #[error("the refresh token is not valid")]
    RefreshTokenInvalid,
    /// A rotated refresh token was presented again: the whole session family was revoked.
    #[error("the refresh token was already used; the session has been revoked")]
    RefreshTokenReused,
    /// No account with this id, or it was deleted.
    #[error("no such user")]
    UserNotFound,
    /// The caller's role (or account state) does not allow this operation.
    #[error("the caller may not do this")]
    NotAllowed {
        /// The role the operation is for.
        required: crate::domain::Role,
    },
    /// Another account already has this phone.
    #[error("the phone number is already registered")]
    PhoneTaken,
    /// Another SAP client already has this client id.
    #[error("the SAP client id is already taken")]
    SapClientTaken,
    /// No SAP client has this client id.
    #[error("no SAP client has this client id")]
    SapClientNotFound,
    /// The store failed; not a business outcome (answered as unavailable or internal).
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The account use cases over the ports.
#[derive(Clone)]
pub struct AccountService {
    ports: Ports,
    settings: AccountSettings,
}

impl AccountService {
    /// The account use cases over these ports, with these tunables.
    #[must_use]
    pub fn new(ports: Ports, settings: AccountSettings) -> Self {
        Self { ports, settings }
    }

    /// The tunables the service was built with.
    #[must_use]
    pub fn settings(&self) -> &AccountSettings {
        &self.settings
    }

    /// Appends an audit event; a failure to audit is logged but never fails the request it describes.
    pub async fn audit(&self, meta: &RequestMeta, kind: AuditKind, subject: Option<String>, reason: impl Into<String>) {
        let event = AuditEvent::new(meta, self.ports.clock.now(), kind, subject, reason);
        if let Err(e) = self.ports.audit.record(&event).await {
            tracing::error!(error = %e, kind = kind.as_str(), "could not write audit event");
        }
    }
}

/// A configured duration as a time span, capped at ten years so adding it to now cannot overflow.
fn ttl(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX).min(time::Duration::days(3650))
}
