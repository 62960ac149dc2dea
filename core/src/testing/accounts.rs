//! In-memory account stores, behaving as the SQL stores do (checked by the conformance suite).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::lock;
use super::sync::{InMemoryChanges, change_data};
use crate::domain::sync::{ChangeOperation, OutboundEntity};
use crate::domain::{
    AuditEvent, CodePurpose, FullName, NewUser, Page, PasswordHash, Phone, ProfileChanges, Role, User, UserId, UserStatus,
};
use crate::error::RepoError;
use crate::ports::{
    AuditRepository, Clock, CodeIssue, FailureCounter, RefreshTokenRecord, RefreshTokenRepository, SendPolicy, StoredCode, UserQuery,
    UserRepository, VerificationCodeRepository,
};

/// Accounts in memory. `erase` removes the account's codes from the codes store it was built with, and
/// changes of customers SAP knows are appended to the change feed it was built with, so build it with
/// `new` and the `InMemoryCodes` and `InMemoryChanges` the services use (`default` links private ones).
#[derive(Debug, Default)]
pub struct InMemoryUsers {
    users: Mutex<Vec<User>>,
    codes: Arc<InMemoryCodes>,
    changes: Arc<InMemoryChanges>,
}

fn user_from(new: &NewUser) -> User {
    User {
        id: new.id,
        phone: Some(new.phone.clone()),
        full_name: new.full_name.clone(),
        password_hash: Some(new.password_hash.clone()),
        role: new.role,
        status: new.status,
        language: new.language,
        location: new.location,
        sap_id: None,
        created_at: new.now,
        updated_at: new.now,
        verified_at: (new.status == UserStatus::Active).then_some(new.now),
    }
}

impl InMemoryUsers {
    /// Accounts whose erasure also removes their codes from `codes`, as the SQL store does.
    #[must_use]
    pub fn new(codes: Arc<InMemoryCodes>, changes: Arc<InMemoryChanges>) -> Self {
        Self { users: Mutex::default(), codes, changes }
    }

    /// Changes the account with `id` if `allowed`, and records the change as `operation` (at `now`) when
    /// it is a customer SAP knows, as the SQL store does in the same transaction.
    fn modify(
        &self,
        id: UserId,
        allowed: impl Fn(&User) -> bool,
        operation: Option<(ChangeOperation, OffsetDateTime)>,
        f: impl FnOnce(&mut User),
    ) -> Result<User, RepoError> {
        let mut users = lock(&self.users);
        let user = users.iter_mut().find(|u| u.id == id && allowed(u)).ok_or(RepoError::NotFound)?;
        f(user);
        if let Some((operation, now)) = operation {
            self.record(user, operation, now);
        }
        Ok(user.clone())
    }

    fn record(&self, user: &User, operation: ChangeOperation, at: OffsetDateTime) {
        if user.is_sap_customer() {
            self.changes.append(OutboundEntity::Customer, user.id.0, operation, change_data(user.id.0, user.sap_id.as_deref()), at);
        }
    }

    /// Every stored account (for the stats fake, which counts new customers).
    pub(crate) fn all(&self) -> Vec<User> {
        lock(&self.users).clone()
    }

    /// Sets the SAP id of a customer that has none (`SapLinkRepository::remember_sap_id`).
    pub(crate) fn remember_sap_id(&self, id: Uuid, sap_id: &str) -> Result<bool, RepoError> {
        let mut users = lock(&self.users);
        let Some(index) = users.iter().position(|u| u.id.0 == id && u.role == Role::Customer && u.sap_id.is_none()) else {
            return Ok(false);
        };
        if users.iter().any(|u| u.sap_id.as_deref() == Some(sap_id)) {
            return Err(RepoError::Conflict("users.sap_id".into()));
        }
        users[index].sap_id = Some(sap_id.to_owned());
        Ok(true)
    }
}

fn not_deleted(u: &User) -> bool {
    u.status != UserStatus::Deleted
}

#[async_trait]
impl UserRepository for InMemoryUsers {
    async fn create(&self, new: &NewUser) -> Result<User, RepoError> {
        let mut users = lock(&self.users);
        if users.iter().any(|u| u.phone.as_ref() == Some(&new.phone)) {
            return Err(RepoError::Conflict("users.phone".into()));
        }
        let user = user_from(new);
        users.push(user.clone());
        self.record(&user, ChangeOperation::Create, new.now);
        Ok(user)
    }

    async fn find_by_phone(&self, phone: &Phone) -> Result<Option<User>, RepoError> {
        Ok(lock(&self.users).iter().find(|u| u.phone.as_ref() == Some(phone)).cloned())
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepoError> {
        Ok(lock(&self.users).iter().find(|u| u.id == id).cloned())
    }

    async fn reregister(&self, new: &NewUser) -> Result<User, RepoError> {
        self.modify(
            new.id,
            |u| u.status == UserStatus::Unverified,
            None,
            |u| {
                u.full_name = new.full_name.clone();
                u.password_hash = Some(new.password_hash.clone());
                u.language = new.language;
                u.location = new.location;
                u.updated_at = new.now;
            },
        )
    }

    async fn mark_verified(&self, id: UserId, now: OffsetDateTime) -> Result<User, RepoError> {
        self.modify(
            id,
            |u| u.status == UserStatus::Unverified,
            Some((ChangeOperation::Create, now)),
            |u| {
                u.status = UserStatus::Active;
                u.verified_at = Some(now);
                u.updated_at = now;
            },
        )
    }

    async fn update_profile(&self, id: UserId, changes: &ProfileChanges, now: OffsetDateTime) -> Result<User, RepoError> {
        self.modify(id, not_deleted, Some((ChangeOperation::Update, now)), |u| {
            if let Some(name) = &changes.full_name {
                u.full_name = name.clone();
            }
            if let Some(language) = changes.language {
                u.language = language;
            }
            if let Some(location) = changes.location {
                u.location = Some(location);
            }
            u.updated_at = now;
        })
    }

    async fn set_password(&self, id: UserId, hash: &PasswordHash, now: OffsetDateTime) -> Result<(), RepoError> {
        self.modify(id, not_deleted, None, |u| {
            u.password_hash = Some(hash.clone());
            u.updated_at = now;
        })
        .map(|_| ())
    }

    async fn set_status(&self, id: UserId, status: UserStatus, now: OffsetDateTime) -> Result<User, RepoError> {
        self.modify(id, not_deleted, Some((ChangeOperation::Update, now)), |u| {
            u.status = status;
            u.updated_at = now;
        })
    }

    async fn erase(&self, id: UserId, now: OffsetDateTime) -> Result<(), RepoError> {
        self.modify(id, not_deleted, Some((ChangeOperation::Delete, now)), |u| {
            u.phone = None;
            u.full_name = FullName::from_stored(crate::domain::account::DELETED_NAME.to_owned());
            u.password_hash = None;
            u.location = None;
            u.status = UserStatus::Deleted;
            u.updated_at = now;
        })?;
        self.codes.remove_for_user(id);
        Ok(())
    }

    async fn list(&self, query: &UserQuery) -> Result<Page<User>, RepoError> {
        let needle = query.search.as_ref().map(|s| s.to_lowercase());
        let mut users: Vec<User> = lock(&self.users)
            .iter()
            .filter(|u| query.page.cursor.is_none_or(|c| u.id.0 < c))
            .filter(|u| query.role.is_none_or(|r| u.role == r))
            .filter(|u| {
                needle.as_ref().is_none_or(|n| {
                    u.full_name.as_str().to_lowercase().contains(n.as_str())
                        || u.phone.as_ref().is_some_and(|p| p.as_str().contains(n.as_str()))
                })
            })
            .cloned()
            .collect();
        users.sort_by_key(|u| std::cmp::Reverse(u.id));
        Ok(page_of(users, query.page.limit, |u| u.id.0))
    }
}

/// Cuts a newest-first list to one page.
pub(crate) fn page_of<T>(mut items: Vec<T>, limit: u32, id: impl Fn(&T) -> Uuid) -> Page<T> {
    let limit = limit as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&id)
    } else {
        None
    };
    Page { items, next_cursor }
}

#[derive(Debug, Clone)]
struct CodeRow {
    issue: CodeIssue,
    attempts: u32,
    consumed: bool,
}

/// One-time codes in memory.
#[derive(Debug, Default)]
pub struct InMemoryCodes(Mutex<Vec<CodeRow>>);

impl InMemoryCodes {
    /// Forgets every code of the account (when it is erased).
    fn remove_for_user(&self, user_id: UserId) {
        lock(&self.0).retain(|r| r.issue.user_id != user_id);
    }
}

#[async_trait]
impl VerificationCodeRepository for InMemoryCodes {
    async fn issue(&self, code: &CodeIssue, policy: &SendPolicy) -> Result<Option<Duration>, RepoError> {
        let mut rows = lock(&self.0);
        let earlier: Vec<OffsetDateTime> = rows
            .iter()
            .filter(|r| r.issue.user_id == code.user_id && r.issue.purpose == code.purpose)
            .map(|r| r.issue.created_at)
            .collect();
        if let Some(wait) = policy.wait_before_next(&earlier, code.created_at) {
            return Ok(Some(wait));
        }
        for r in rows.iter_mut().filter(|r| r.issue.user_id == code.user_id && r.issue.purpose == code.purpose) {
            r.consumed = true;
        }
        rows.push(CodeRow { issue: code.clone(), attempts: 0, consumed: false });
        Ok(None)
    }

    async fn active(&self, user_id: UserId, purpose: CodePurpose, now: OffsetDateTime) -> Result<Option<StoredCode>, RepoError> {
        Ok(lock(&self.0)
            .iter()
            .filter(|r| r.issue.user_id == user_id && r.issue.purpose == purpose && !r.consumed && r.issue.expires_at > now)
            .max_by_key(|r| r.issue.created_at)
            .map(|r| StoredCode {
                id: r.issue.id,
                code_fingerprint: r.issue.code_fingerprint.clone(),
                attempts: r.attempts,
                expires_at: r.issue.expires_at,
            }))
    }

    async fn begin_attempt(&self, code_id: Uuid, max_attempts: u32) -> Result<Option<u32>, RepoError> {
        let mut rows = lock(&self.0);
        Ok(rows.iter_mut().find(|r| r.issue.id == code_id && !r.consumed && r.attempts < max_attempts).map(|r| {
            r.attempts += 1;
            r.attempts
        }))
    }

    async fn consume(&self, code_id: Uuid, _now: OffsetDateTime) -> Result<bool, RepoError> {
        let mut rows = lock(&self.0);
        Ok(rows.iter_mut().find(|r| r.issue.id == code_id && !r.consumed).map(|r| r.consumed = true).is_some())
    }
}

/// Refresh tokens in memory, rotated under one lock as the SQL stores do in one transaction.
#[derive(Debug, Default)]
pub struct InMemoryRefreshTokens(Mutex<Vec<RefreshTokenRecord>>);

impl InMemoryRefreshTokens {
    fn revoke_where(&self, now: OffsetDateTime, f: impl Fn(&RefreshTokenRecord) -> bool) -> u64 {
        let mut n = 0;
        for t in lock(&self.0).iter_mut().filter(|t| t.revoked_at.is_none() && f(t)) {
            t.revoked_at = Some(now);
            n += 1;
        }
        n
    }
}

#[async_trait]
impl RefreshTokenRepository for InMemoryRefreshTokens {
    async fn insert(&self, token: &RefreshTokenRecord) -> Result<(), RepoError> {
        let mut rows = lock(&self.0);
        if rows.iter().any(|t| t.token_fingerprint == token.token_fingerprint || t.id == token.id || t.family_id == token.family_id) {
            return Err(RepoError::Conflict("refresh_tokens.token_fingerprint".into()));
        }
        rows.push(token.clone());
        Ok(())
    }

    async fn find(&self, fingerprint: &str) -> Result<Option<RefreshTokenRecord>, RepoError> {
        Ok(lock(&self.0).iter().find(|t| t.token_fingerprint == fingerprint).cloned())
    }

    async fn rotate(&self, presented: &str, next: &RefreshTokenRecord, now: OffsetDateTime) -> Result<bool, RepoError> {
        // One lock for check, mark and insert: the same atomicity the SQL stores get from a transaction.
        let mut rows = lock(&self.0);
        if rows.iter().any(|t| t.token_fingerprint == next.token_fingerprint || t.id == next.id) {
            return Err(RepoError::Conflict("refresh_tokens.token_fingerprint".into()));
        }
        let family_revoked = rows.iter().any(|t| t.family_id == next.family_id && t.revoked_at.is_some());
        let usable = rows.iter_mut().find(|t| {
            t.token_fingerprint == presented
                && t.family_id == next.family_id
                && t.used_at.is_none()
                && t.revoked_at.is_none()
                && t.expires_at > now
        });
        match usable {
            Some(t) if !family_revoked => {
                t.used_at = Some(now);
                rows.push(next.clone());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn revoke_family(&self, family_id: Uuid, now: OffsetDateTime) -> Result<u64, RepoError> {
        Ok(self.revoke_where(now, |t| t.family_id == family_id))
    }

    async fn revoke_all_for_user(&self, user_id: UserId, now: OffsetDateTime) -> Result<u64, RepoError> {
        Ok(self.revoke_where(now, |t| t.user_id == user_id))
    }
}

/// The audit trail in memory.
#[derive(Debug, Default)]
pub struct InMemoryAudit(Mutex<Vec<AuditEvent>>);

#[async_trait]
impl AuditRepository for InMemoryAudit {
    async fn record(&self, event: &AuditEvent) -> Result<(), RepoError> {
        lock(&self.0).push(event.clone());
        Ok(())
    }

    async fn recent(&self, limit: u32) -> Result<Vec<AuditEvent>, RepoError> {
        // Newest by id (UUIDv7, so creation time) as the SQL store orders, not by arrival: concurrent
        // requests may record a later event first.
        let mut events = lock(&self.0).clone();
        events.sort_by_key(|e| std::cmp::Reverse(e.id));
        events.truncate(limit as usize);
        Ok(events)
    }
}

/// Failure windows in memory, timed by the given clock.
pub struct InMemoryFailures {
    clock: Arc<dyn Clock>,
    windows: Mutex<HashMap<String, (u32, OffsetDateTime)>>,
}

impl InMemoryFailures {
    /// Failure windows timed by `clock` (share the world's clock so tests can let windows pass).
    #[must_use]
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, windows: Mutex::new(HashMap::new()) }
    }
}

#[async_trait]
impl FailureCounter for InMemoryFailures {
    async fn failures(&self, key: &str) -> Result<(u32, Duration), RepoError> {
        let now = self.clock.now();
        Ok(match lock(&self.windows).get(key) {
            Some((count, ends)) if *ends > now => (*count, Duration::try_from(*ends - now).unwrap_or_default()),
            _ => (0, Duration::ZERO),
        })
    }

    async fn add_failure(&self, key: &str, window: Duration) -> Result<u32, RepoError> {
        let now = self.clock.now();
        let mut windows = lock(&self.windows);
        windows.retain(|_, (_, ends)| *ends > now);
        let entry = windows.entry(key.to_owned()).or_insert((0, now + window));
        entry.0 += 1;
        Ok(entry.0)
    }

    async fn clear(&self, key: &str) -> Result<(), RepoError> {
        lock(&self.windows).remove(key);
        Ok(())
    }
}
