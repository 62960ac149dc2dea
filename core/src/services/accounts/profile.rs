//! A user's own account: reading, editing and deleting it.
use super::{AccountError, AccountService};
use crate::domain::{AuditKind, ProfileChanges, RequestMeta, User, UserId, UserStatus};
use crate::error::RepoError;

/// `NotFound` from a store means the account vanished or changed state under us.
pub(super) fn not_found(e: RepoError) -> AccountError {
    if e == RepoError::NotFound { AccountError::UserNotFound } else { AccountError::Storage(e) }
}

impl AccountService {
    /// The caller's own account.
    ///
    /// # Errors
    /// `UserNotFound` when it was deleted; `AccountBlocked` when blocked.
    pub async fn me(&self, id: UserId) -> Result<User, AccountError> {
        let user = self.ports.users.get(id).await?.ok_or(AccountError::UserNotFound)?;
        match user.status {
            UserStatus::Deleted => Err(AccountError::UserNotFound),
            UserStatus::Blocked => Err(AccountError::AccountBlocked),
            UserStatus::Active | UserStatus::Unverified => Ok(user),
        }
    }

    /// Changes the caller's name, language or location.
    ///
    /// # Errors
    /// `UserNotFound`, `AccountBlocked`.
    pub async fn update_me(&self, id: UserId, changes: &ProfileChanges) -> Result<User, AccountError> {
        let user = self.me(id).await?;
        if changes.is_empty() {
            return Ok(user);
        }
        self.ports.users.update_profile(id, changes, self.ports.clock.now()).await.map_err(not_found)
    }

    /// Deletes the caller's account: personal data is erased (profile, addresses, push devices, in-app
    /// notifications), every session ends, and the row stays anonymised for the business records that
    /// reference it.
    ///
    /// # Errors
    /// `UserNotFound` when already deleted.
    pub async fn delete_me(&self, id: UserId, meta: &RequestMeta) -> Result<(), AccountError> {
        let now = self.ports.clock.now();
        if !self.ports.users.get(id).await?.is_some_and(|u| u.status != UserStatus::Deleted) {
            return Err(AccountError::UserNotFound);
        }
        // The account's other personal data goes first: if this stops half-way the account still exists
        // and deleting it again finishes the job.
        let devices = self.ports.devices.forget_user(id).await?;
        let notifications = self.ports.notifications.delete_for_user(id).await?;
        self.ports.users.erase(id, now).await.map_err(not_found)?;
        // Home addresses are personal data too.
        self.ports.addresses.delete_all_for(id).await?;
        let revoked = self.ports.refresh_tokens.revoke_all_for_user(id, now).await?;
        self.audit(
            meta,
            AuditKind::TokenRevoked,
            Some(format!("user:{id}")),
            format!("account deleted; {revoked} refresh tokens revoked, {devices} push devices and {notifications} notifications removed"),
        )
        .await;
        Ok(())
    }
}
