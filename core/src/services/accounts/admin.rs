//! What operators do with accounts: list and search users, block and unblock them, and create
//! admins and SAP clients (from the CLI).
use uuid::Uuid;

use super::{AccountError, AccountService};
use crate::domain::{
    AccessClaims, AuditKind, FullName, Language, NewUser, Page, PageRequest, Password, PasswordHash, Phone, RequestMeta, Role, SapClient,
    SapClientId, User, UserId, UserStatus,
};
use crate::error::RepoError;
use crate::ports::UserQuery;
use crate::services::authorization::AdminDenied;

/// A newly created SAP client with its secret, shown once.
#[derive(Debug, Clone)]
pub struct NewSapClient {
    /// The stored client, with its public client id.
    pub client: SapClient,
    /// The secret to give to SAP; it cannot be recovered later.
    pub secret: String,
}

impl AccountService {
    /// The acting admin, checked against the store: a blocked or deleted admin loses the right at
    /// once, not when their access token expires.
    async fn acting_admin(&self, actor: &AccessClaims) -> Result<User, AccountError> {
        crate::services::authorization::acting_admin(&self.ports, actor).await.map_err(|e| match e {
            AdminDenied::NotAdmin => AccountError::NotAllowed { required: Role::Admin },
            AdminDenied::Blocked => AccountError::AccountBlocked,
            AdminDenied::Storage(e) => AccountError::Storage(e),
        })
    }

    /// Users newest first, optionally filtered by a phone or name fragment (admins only).
    ///
    /// # Errors
    /// `NotAllowed` for anyone but an active admin, `Storage`.
    pub async fn list_users(&self, actor: &AccessClaims, query: &UserQuery) -> Result<Page<User>, AccountError> {
        self.acting_admin(actor).await?;
        Ok(self.ports.users.list(query).await?)
    }

    /// Blocks (signing the user out everywhere) or unblocks an account (admins only); audited with
    /// the acting admin.
    ///
    /// # Errors
    /// `NotAllowed` for anyone but an active admin; `UserNotFound` for unknown or deleted accounts.
    pub async fn set_blocked(&self, actor: &AccessClaims, id: UserId, blocked: bool, meta: &RequestMeta) -> Result<User, AccountError> {
        let admin = self.acting_admin(actor).await?;
        let now = self.ports.clock.now();
        let user = self.ports.users.get(id).await?.filter(|u| u.status != UserStatus::Deleted).ok_or(AccountError::UserNotFound)?;
        let status = match (blocked, user.status) {
            (true, _) => UserStatus::Blocked,
            // An account blocked before verifying its phone goes back to unverified.
            (false, UserStatus::Blocked) if user.verified_at.is_none() => UserStatus::Unverified,
            (false, UserStatus::Blocked) => UserStatus::Active,
            (false, other) => other,
        };
        let user = self.ports.users.set_status(id, status, now).await.map_err(super::profile::not_found)?;
        let subject = Some(format!("user:{id}"));
        if blocked {
            let revoked = self.ports.refresh_tokens.revoke_all_for_user(id, now).await?;
            let reason = format!("blocked by admin user:{}; {revoked} refresh tokens revoked", admin.id);
            self.audit(meta, AuditKind::UserBlocked, subject, reason).await;
        } else {
            self.audit(meta, AuditKind::UserUnblocked, subject, format!("unblocked by admin user:{}", admin.id)).await;
        }
        Ok(user)
    }

    /// Admin accounts newest first, whatever their status (operators, from the CLI: whoever runs it
    /// holds the database already, so no acting admin is checked, as for `create_admin`).
    ///
    /// # Errors
    /// `Storage`.
    pub async fn admins(&self, page: PageRequest) -> Result<Page<User>, AccountError> {
        Ok(self.ports.users.list(&UserQuery { search: None, role: Some(Role::Admin), page }).await?)
    }

    /// Every SAP client, enabled or revoked, oldest first (operators, from the CLI).
    ///
    /// # Errors
    /// `Storage`.
    pub async fn sap_clients(&self) -> Result<Vec<SapClient>, AccountError> {
        Ok(self.ports.sap_clients.list().await?)
    }

    /// Revokes a SAP client (operators, from the CLI): its sign-ins are refused from now on, and an
    /// access token it already holds stops at its expiry (at most `sap_access_ttl`). Revoking twice
    /// changes nothing. Audited with `operator`.
    ///
    /// # Errors
    /// `SapClientNotFound`, `Storage`.
    pub async fn revoke_sap_client(&self, client_id: &str, operator: &str, meta: &RequestMeta) -> Result<SapClient, AccountError> {
        let now = self.ports.clock.now();
        let client = self.ports.sap_clients.disable(client_id, now).await.map_err(|e| match e {
            RepoError::NotFound => AccountError::SapClientNotFound,
            other => other.into(),
        })?;
        let subject = Some(format!("sap-client:{}", client.client_id));
        self.audit(meta, AuditKind::SapClientRevoked, subject, format!("revoked by {operator}")).await;
        Ok(client)
    }

    /// Creates an active admin account (operators do this from the CLI).
    ///
    /// # Errors
    /// `PhoneTaken`.
    pub async fn create_admin(&self, phone: Phone, full_name: FullName, password: &Password) -> Result<User, AccountError> {
        self.create_active(phone, full_name, password, Role::Admin).await
    }

    async fn create_active(&self, phone: Phone, full_name: FullName, password: &Password, role: Role) -> Result<User, AccountError> {
        let password_hash = self.ports.passwords.hash(password).await;
        self.create_active_with_hash(phone, full_name, password_hash, role).await
    }

    /// Creates an active account whose password is already hashed (seeded demo accounts, whose
    /// hashes are computed once at build time so starting never spends argon2 work on them).
    ///
    /// # Errors
    /// `PhoneTaken`.
    pub async fn create_active_with_hash(
        &self,
        phone: Phone,
        full_name: FullName,
        password_hash: PasswordHash,
        role: Role,
    ) -> Result<User, AccountError> {
        let user = NewUser {
            id: UserId(Uuid::now_v7()),
            phone,
            full_name,
            password_hash,
            role,
            status: UserStatus::Active,
            language: Language::En,
            location: None,
            now: self.ports.clock.now(),
        };
        self.ports.users.create(&user).await.map_err(|e| match e {
            RepoError::Conflict(_) => AccountError::PhoneTaken,
            other => other.into(),
        })
    }

    /// Creates a SAP client with a fresh random secret, stored only as a fingerprint.
    ///
    /// # Errors
    /// `Invalid` for an empty or over-long name, `SapClientTaken`.
    pub async fn create_sap_client(&self, name: &str) -> Result<NewSapClient, AccountError> {
        let name_len = name.trim().chars().count();
        if name_len == 0 || name_len > 100 {
            return Err(
                crate::domain::Invalid::field("name", "must be 1 to 100 characters", "Give a label such as \"SAP production\".").into()
            );
        }
        let secret = self.ports.secrets.opaque_token();
        let id = Uuid::now_v7();
        let client = SapClient {
            id: SapClientId(id),
            client_id: format!("sap-{}", id.simple()),
            secret_fingerprint: self.ports.secrets.fingerprint(&secret),
            name: name.trim().to_owned(),
            created_at: self.ports.clock.now(),
            disabled: false,
        };
        self.ports.sap_clients.create(&client).await.map_err(|e| match e {
            RepoError::Conflict(_) => AccountError::SapClientTaken,
            other => other.into(),
        })?;
        Ok(NewSapClient { client, secret })
    }
}
