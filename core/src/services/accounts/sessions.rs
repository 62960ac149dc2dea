//! Sign-in (users and SAP clients), refresh-token rotation with reuse detection, sign-out, and
//! verifying access tokens.
use uuid::Uuid;

use super::{AccountError, AccountService, ttl};
use crate::domain::{
    AccessClaims, AuditKind, Password, PasswordHash, Phone, RequestMeta, Role, SapClientId, Subject, TokenPair, User, UserStatus,
};
use crate::ports::{AccessTokenError, RefreshTokenRecord};

/// A fixed argon2id hash compared against when the phone is unknown, so both answers take as long.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FiaWwtZGVjb3ktc2FsdA$0cJ0kMDn3mUXvbWO3E6kHDV8b9kOmPzWkpVx0E3xu3E";

impl AccountService {
    fn phone_key(phone: &Phone) -> String {
        format!("login:phone:{phone}")
    }

    fn ip_key(meta: &RequestMeta) -> Option<String> {
        meta.client_ip.as_ref().map(|ip| format!("login:ip:{ip}"))
    }

    /// Refuses when the phone or the client IP has too many recent failures.
    async fn check_throttle(&self, phone_key: Option<&str>, meta: &RequestMeta) -> Result<(), AccountError> {
        let checks =
            [(phone_key.map(str::to_owned), self.settings.max_failures_per_phone), (Self::ip_key(meta), self.settings.max_failures_per_ip)];
        for (key, limit) in checks {
            if let Some(key) = key {
                let (count, resets_in) = self.ports.failures.failures(&key).await?;
                if count >= limit {
                    return Err(AccountError::TooManyAttempts { retry_after: resets_in.max(std::time::Duration::from_secs(1)) });
                }
            }
        }
        Ok(())
    }

    async fn count_failure(&self, phone_key: Option<&str>, meta: &RequestMeta) -> Result<(), AccountError> {
        for key in [phone_key.map(str::to_owned), Self::ip_key(meta)].into_iter().flatten() {
            self.ports.failures.add_failure(&key, self.settings.failure_window).await?;
        }
        Ok(())
    }

    /// Signs a customer or admin in with phone and password.
    ///
    /// # Errors
    /// `TooManyAttempts` after repeated failures for the phone or the IP; `InvalidCredentials` for
    /// an unknown phone or a wrong password alike; `PhoneNotVerified` and `AccountBlocked` only once
    /// the password was right.
    pub async fn login(&self, phone: &Phone, password: &Password, meta: &RequestMeta) -> Result<TokenPair, AccountError> {
        let phone_key = Self::phone_key(phone);
        if let Err(e) = self.check_throttle(Some(&phone_key), meta).await {
            self.audit(meta, AuditKind::LoginFailed, Some(phone.masked()), "throttled").await;
            return Err(e);
        }
        let user = self.ports.users.find_by_phone(phone).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone()).unwrap_or_else(|| PasswordHash(DECOY_HASH.to_owned()));
        let matches = self.ports.passwords.verify(password, &hash).await;
        let user = match user {
            Some(user) if matches => user,
            _ => {
                self.count_failure(Some(&phone_key), meta).await?;
                self.audit(meta, AuditKind::LoginFailed, Some(phone.masked()), "wrong phone or password").await;
                return Err(AccountError::InvalidCredentials);
            }
        };
        let subject = Some(format!("user:{}", user.id));
        match user.status {
            UserStatus::Active => {}
            UserStatus::Unverified => {
                self.audit(meta, AuditKind::LoginFailed, subject, "phone not verified").await;
                return Err(AccountError::PhoneNotVerified);
            }
            UserStatus::Blocked | UserStatus::Deleted => {
                self.audit(meta, AuditKind::LoginFailed, subject, "account blocked").await;
                return Err(AccountError::AccountBlocked);
            }
        }
        self.ports.failures.clear(&phone_key).await?;
        let tokens = self.issue_user_tokens(&user, None).await?;
        self.audit(meta, AuditKind::LoginSucceeded, subject, "password").await;
        Ok(tokens)
    }

    /// Exchanges a refresh token for a new pair. The presented token stops working; presenting a
    /// token that was already exchanged revokes every token of its sign-in (theft detection).
    ///
    /// # Errors
    /// `RefreshTokenInvalid` for unknown, expired or revoked tokens and for accounts no longer
    /// active; `RefreshTokenReused` on reuse.
    pub async fn refresh(&self, refresh_token: &str, meta: &RequestMeta) -> Result<TokenPair, AccountError> {
        let now = self.ports.clock.now();
        let fingerprint = self.ports.secrets.fingerprint(refresh_token);
        // Plain refusals are audited as denied requests by the API; reuse gets its own event.
        let Some(record) = self.ports.refresh_tokens.find(&fingerprint).await? else {
            return Err(AccountError::RefreshTokenInvalid);
        };
        let subject = Some(format!("user:{}", record.user_id));
        if !self.ports.refresh_tokens.mark_used(&fingerprint, now).await? {
            // Not usable: tell reuse (used, or lost a race to another use) from plain expiry or revocation.
            let current = self.ports.refresh_tokens.find(&fingerprint).await?.unwrap_or(record);
            if current.used_at.is_some() {
                let revoked = self.ports.refresh_tokens.revoke_family(current.family_id, now).await?;
                self.audit(
                    meta,
                    AuditKind::RefreshTokenReused,
                    subject,
                    format!("refresh token presented twice; {revoked} tokens of its family revoked"),
                )
                .await;
                return Err(AccountError::RefreshTokenReused);
            }
            return Err(AccountError::RefreshTokenInvalid);
        }
        let user = self.ports.users.get(record.user_id).await?.filter(|u| u.status == UserStatus::Active);
        let Some(user) = user else {
            let revoked = self.ports.refresh_tokens.revoke_family(record.family_id, now).await?;
            self.audit(meta, AuditKind::TokenRevoked, subject, format!("account no longer active; {revoked} tokens revoked")).await;
            return Err(AccountError::RefreshTokenInvalid);
        };
        let tokens = self.issue_user_tokens(&user, Some(record.family_id)).await?;
        self.audit(meta, AuditKind::TokenRefreshed, subject, "rotated").await;
        Ok(tokens)
    }

    /// Signs out the session the refresh token belongs to (the whole family). Unknown tokens are
    /// accepted silently so the call can be repeated.
    ///
    /// # Errors
    /// `Storage`.
    pub async fn logout(&self, refresh_token: &str, meta: &RequestMeta) -> Result<(), AccountError> {
        let fingerprint = self.ports.secrets.fingerprint(refresh_token);
        if let Some(record) = self.ports.refresh_tokens.find(&fingerprint).await? {
            let revoked = self.ports.refresh_tokens.revoke_family(record.family_id, self.ports.clock.now()).await?;
            if revoked > 0 {
                self.audit(meta, AuditKind::TokenRevoked, Some(format!("user:{}", record.user_id)), "logout").await;
            }
        }
        Ok(())
    }

    /// Signs a SAP machine client in with its client id and secret.
    ///
    /// # Errors
    /// `TooManyAttempts` after repeated failures from the IP; `InvalidCredentials`.
    pub async fn sap_login(&self, client_id: &str, secret: &str, meta: &RequestMeta) -> Result<TokenPair, AccountError> {
        self.check_throttle(None, meta).await?;
        let client = self.ports.sap_clients.find_by_client_id(client_id).await?.filter(|c| !c.disabled);
        let Some(client) = client.filter(|c| self.ports.secrets.fingerprint(secret) == c.secret_fingerprint) else {
            self.count_failure(None, meta).await?;
            self.audit(
                meta,
                AuditKind::LoginFailed,
                Some(format!("sap-client:{}", client_id.chars().take(64).collect::<String>())),
                "wrong client id or secret",
            )
            .await;
            return Err(AccountError::InvalidCredentials);
        };
        let now = self.ports.clock.now();
        let subject = Subject::SapClient(SapClientId(client.id.0));
        let claims = AccessClaims { subject, role: Role::Sap, issued_at: now, expires_at: now + ttl(self.settings.sap_access_ttl) };
        let access_token = self.ports.tokens.issue(&claims);
        self.audit(meta, AuditKind::LoginSucceeded, Some(subject.to_string()), "sap client secret").await;
        Ok(TokenPair {
            access_token,
            access_expires_at: claims.expires_at,
            refresh_token: None,
            refresh_expires_at: None,
            role: Role::Sap,
            subject,
        })
    }

    /// The claims of a valid access token.
    ///
    /// # Errors
    /// `Expired` or `Invalid`.
    pub fn authenticate(&self, access_token: &str) -> Result<AccessClaims, AccessTokenError> {
        self.ports.tokens.verify(access_token, self.ports.clock.now())
    }

    /// A new access token and refresh token for the user; `family` continues a rotation chain.
    pub(super) async fn issue_user_tokens(&self, user: &User, family: Option<Uuid>) -> Result<TokenPair, AccountError> {
        let now = self.ports.clock.now();
        let subject = Subject::User(user.id);
        let claims = AccessClaims { subject, role: user.role, issued_at: now, expires_at: now + ttl(self.settings.access_ttl) };
        let refresh_token = self.ports.secrets.opaque_token();
        let record = RefreshTokenRecord {
            id: Uuid::now_v7(),
            family_id: family.unwrap_or_else(Uuid::now_v7),
            user_id: user.id,
            token_fingerprint: self.ports.secrets.fingerprint(&refresh_token),
            issued_at: now,
            expires_at: now + ttl(self.settings.refresh_ttl),
            used_at: None,
            revoked_at: None,
        };
        self.ports.refresh_tokens.insert(&record).await?;
        Ok(TokenPair {
            access_token: self.ports.tokens.issue(&claims),
            access_expires_at: claims.expires_at,
            refresh_token: Some(refresh_token),
            refresh_expires_at: Some(record.expires_at),
            role: user.role,
            subject,
        })
    }
}
