//! Persistence of accounts, one-time codes, refresh tokens and SAP clients.
use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{
    CodePurpose, NewUser, Page, PageRequest, PasswordHash, Phone, ProfileChanges, Role, SapClient, User, UserId, UserStatus,
};
use crate::error::RepoError;

/// Filter and page for the admin user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    /// Case-insensitive substring of the phone or the full name.
    pub search: Option<String>,
    /// Only accounts with this role (e.g. the admins, for `sabil admin list`); `None` for every role.
    pub role: Option<Role>,
    /// Which page of the results.
    pub page: PageRequest,
}

/// Stores accounts.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores a new account; an account created `Active` counts as verified at creation.
    ///
    /// # Errors
    /// `Conflict` when the phone belongs to another account.
    async fn create(&self, user: &NewUser) -> Result<User, RepoError>;

    /// The account with this phone, whatever its status (deleted accounts have no phone).
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store cannot be read.
    async fn find_by_phone(&self, phone: &Phone) -> Result<Option<User>, RepoError>;

    /// The account with this id, whatever its status.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store cannot be read.
    async fn get(&self, id: UserId) -> Result<Option<User>, RepoError>;

    /// Overwrites name, password hash and location of an account that is still `Unverified`
    /// (someone registering the same phone again).
    ///
    /// # Errors
    /// `NotFound` when no unverified account has this id.
    async fn reregister(&self, user: &NewUser) -> Result<User, RepoError>;

    /// Moves an `Unverified` account to `Active`, recording when.
    ///
    /// # Errors
    /// `NotFound` when no unverified account has this id.
    async fn mark_verified(&self, id: UserId, now: OffsetDateTime) -> Result<User, RepoError>;

    /// Applies the given profile changes.
    ///
    /// # Errors
    /// `NotFound` when the account does not exist or is deleted.
    async fn update_profile(&self, id: UserId, changes: &ProfileChanges, now: OffsetDateTime) -> Result<User, RepoError>;

    /// Replaces the password hash.
    ///
    /// # Errors
    /// `NotFound` when the account does not exist or is deleted.
    async fn set_password(&self, id: UserId, hash: &PasswordHash, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Sets the status (block/unblock).
    ///
    /// # Errors
    /// `NotFound` when the account does not exist or is deleted.
    async fn set_status(&self, id: UserId, status: UserStatus, now: OffsetDateTime) -> Result<User, RepoError>;

    /// Erases personal data (phone, name, password, location) and marks the account `Deleted`; the row
    /// stays for the orders that reference it. Also removes the account's one-time codes.
    ///
    /// # Errors
    /// `NotFound` when the account does not exist or is already deleted.
    async fn erase(&self, id: UserId, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Accounts newest first, filtered by `query.search` and `query.role`, keyset-paged by id.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store cannot be read.
    async fn list(&self, query: &UserQuery) -> Result<Page<User>, RepoError>;
}

/// Limits on sending one-time codes to one account, evaluated atomically with the send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendPolicy {
    /// The shortest time between two codes.
    pub min_interval: Duration,
    /// At most this many codes per `window`.
    pub max_per_window: u32,
    /// The length of the sliding window `max_per_window` counts in.
    pub window: Duration,
}

impl SendPolicy {
    /// When a new code may be sent, given the send times of earlier codes (any order) and now:
    /// `None` when it may be sent now, otherwise how long to wait.
    #[must_use]
    pub fn wait_before_next(&self, earlier_sends: &[OffsetDateTime], now: OffsetDateTime) -> Option<Duration> {
        if self.max_per_window == 0 {
            return Some(self.window);
        }
        let window_start = now - self.window;
        let mut in_window: Vec<OffsetDateTime> = earlier_sends.iter().copied().filter(|t| *t > window_start).collect();
        in_window.sort();
        let interval_wait = in_window.last().map_or(time::Duration::ZERO, |last| (*last + self.min_interval) - now);
        let window_wait = if in_window.len() >= self.max_per_window as usize {
            let oldest_that_counts = in_window[in_window.len() - self.max_per_window as usize];
            (oldest_that_counts + self.window) - now
        } else {
            time::Duration::ZERO
        };
        let wait = interval_wait.max(window_wait);
        if wait > time::Duration::ZERO {
            Some(Duration::from_secs(wait.whole_seconds().max(0) as u64 + u64::from(wait.subsec_nanoseconds() > 0)))
        } else {
            None
        }
    }
}

/// A one-time code to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeIssue {
    /// The code's identifier; the fingerprint is bound to it.
    pub id: Uuid,
    /// The account the code was texted for.
    pub user_id: UserId,
    /// What the code may be used for.
    pub purpose: CodePurpose,
    /// Keyed fingerprint of the code (`Secrets::code_fingerprint`); the code itself is never stored.
    pub code_fingerprint: String,
    /// When the code was sent; counts towards the send policy.
    pub created_at: OffsetDateTime,
    /// When the code stops working.
    pub expires_at: OffsetDateTime,
}

/// A stored one-time code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    /// The code's identifier.
    pub id: Uuid,
    /// Keyed fingerprint of the code, to compare a guess's fingerprint with.
    pub code_fingerprint: String,
    /// Guesses counted against the code so far.
    pub attempts: u32,
    /// When the code stops working.
    pub expires_at: OffsetDateTime,
}

/// Stores one-time codes (hashed) with their attempts.
#[async_trait]
pub trait VerificationCodeRepository: Send + Sync {
    /// Stores `code` unless `policy` forbids another send to this account for this purpose now; any
    /// earlier unconsumed code of the same purpose stops working. Check and insert are atomic, so
    /// concurrent requests cannot exceed the policy.
    ///
    /// Returns `Ok(None)` when stored, `Ok(Some(wait))` when refused.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn issue(&self, code: &CodeIssue, policy: &SendPolicy) -> Result<Option<Duration>, RepoError>;

    /// The newest unconsumed, unexpired code of this purpose for the account.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store cannot be read.
    async fn active(&self, user_id: UserId, purpose: CodePurpose, now: OffsetDateTime) -> Result<Option<StoredCode>, RepoError>;

    /// Counts one guess against the code before it is compared, atomically: returns the attempt number
    /// (1-based), or `None` when the code is consumed or already has `max_attempts` guesses.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn begin_attempt(&self, code_id: Uuid, max_attempts: u32) -> Result<Option<u32>, RepoError>;

    /// Marks the code used; `false` when it already was (only one caller can consume a code).
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn consume(&self, code_id: Uuid, now: OffsetDateTime) -> Result<bool, RepoError>;
}

/// A stored refresh token (only its fingerprint is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    /// The token's identifier.
    pub id: Uuid,
    /// All tokens descending from one sign-in share a family; reuse of any revokes them all.
    pub family_id: Uuid,
    /// The account the token signs in.
    pub user_id: UserId,
    /// One-way fingerprint of the token (`Secrets::fingerprint`); the token itself is never stored.
    pub token_fingerprint: String,
    /// When the token was handed out.
    pub issued_at: OffsetDateTime,
    /// When the token stops working, used or not.
    pub expires_at: OffsetDateTime,
    /// When the token was exchanged for a new pair; `None` while unused.
    pub used_at: Option<OffsetDateTime>,
    /// When the token was revoked (sign-out, reuse, block, reset, deletion); `None` while not revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

/// Stores refresh tokens and their rotation state.
#[async_trait]
pub trait RefreshTokenRepository: Send + Sync {
    /// Stores the first token of a new family (a new sign-in).
    ///
    /// # Errors
    /// `Conflict` when the fingerprint or the family already exists.
    async fn insert(&self, token: &RefreshTokenRecord) -> Result<(), RepoError>;

    /// The token with this fingerprint, in whatever state.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store cannot be read.
    async fn find(&self, fingerprint: &str) -> Result<Option<RefreshTokenRecord>, RepoError>;

    /// Exchanges the token with fingerprint `presented` for `next` (same family), atomically: the
    /// presented token is marked used and `next` stored only if the presented one is unused,
    /// unrevoked and unexpired at `now` and its family is not revoked. Serialised with
    /// `revoke_family`, so a concurrent revocation either happens first (nothing is stored) or
    /// also revokes `next`. Of two concurrent callers with one token, at most one gets `true`.
    ///
    /// # Errors
    /// `Conflict` when `next`'s fingerprint already exists.
    async fn rotate(&self, presented: &str, next: &RefreshTokenRecord, now: OffsetDateTime) -> Result<bool, RepoError>;

    /// Revokes every not yet revoked token of the family; returns how many.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn revoke_family(&self, family_id: Uuid, now: OffsetDateTime) -> Result<u64, RepoError>;

    /// Revokes every not yet revoked token of the user; returns how many.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn revoke_all_for_user(&self, user_id: UserId, now: OffsetDateTime) -> Result<u64, RepoError>;
}

/// Stores SAP machine clients.
#[async_trait]
pub trait SapClientRepository: Send + Sync {
    /// Stores a new SAP client.
    ///
    /// # Errors
    /// `Conflict` when the client id is taken.
    async fn create(&self, client: &SapClient) -> Result<(), RepoError>;

    /// The client with this public client id, enabled or not.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store cannot be read.
    async fn find_by_client_id(&self, client_id: &str) -> Result<Option<SapClient>, RepoError>;

    /// Every SAP client, enabled or not, oldest first (there are a handful).
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store cannot be read.
    async fn list(&self) -> Result<Vec<SapClient>, RepoError>;

    /// Disables the client from `now` on (its sign-ins are refused); a client disabled before keeps
    /// its first disabling time. Returns the client as stored afterwards.
    ///
    /// # Errors
    /// `NotFound` when no client has this client id.
    async fn disable(&self, client_id: &str, now: OffsetDateTime) -> Result<SapClient, RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const POLICY: SendPolicy = SendPolicy { min_interval: Duration::from_secs(60), max_per_window: 5, window: Duration::from_secs(3600) };

    #[test]
    fn first_send_is_allowed() {
        assert_eq!(POLICY.wait_before_next(&[], datetime!(2026-01-01 10:00 UTC)), None);
    }

    #[test]
    fn resend_within_a_minute_waits_for_the_rest_of_it() {
        let sent = [datetime!(2026-01-01 10:00:00 UTC)];
        assert_eq!(POLICY.wait_before_next(&sent, datetime!(2026-01-01 10:00:20 UTC)), Some(Duration::from_secs(40)));
        assert_eq!(POLICY.wait_before_next(&sent, datetime!(2026-01-01 10:01:00 UTC)), None);
    }

    #[test]
    fn sixth_send_in_an_hour_waits_until_the_oldest_leaves_the_window() {
        let sent: Vec<_> = (0..5).map(|i| datetime!(2026-01-01 10:00 UTC) + time::Duration::minutes(i * 2)).collect();
        let now = datetime!(2026-01-01 10:30 UTC);
        assert_eq!(POLICY.wait_before_next(&sent, now), Some(Duration::from_secs(30 * 60)));
        assert_eq!(POLICY.wait_before_next(&sent, datetime!(2026-01-01 11:00:01 UTC)), None);
    }
}
