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

    /// Counts one attempt against `key` before the attempt is made, so concurrent attempts cannot
    /// slip past the limit; refuses once more than `limit` were counted in the window.
    pub(super) async fn take_attempt(&self, key: &str, limit: u32, window: std::time::Duration) -> Result<(), AccountError> {
        let count = self.ports.failures.add_failure(key, window).await?;
        if count > limit {
            let (_, resets_in) = self.ports.failures.failures(key).await?;
            return Err(AccountError::TooManyAttempts { retry_after: resets_in.max(std::time::Duration::from_secs(1)) });
        }
        Ok(())
    }

    /// Refuses when the client IP has too many recent failures (checked, not counted: a shared
    /// address must not lock out its honest users by their successes).
    async fn check_ip(&self, meta: &RequestMeta) -> Result<(), AccountError> {
        if let Some(key) = Self::ip_key(meta) {
            let (count, resets_in) = self.ports.failures.failures(&key).await?;
            if count >= self.settings.max_failures_per_ip {
                return Err(AccountError::TooManyAttempts { retry_after: resets_in.max(std::time::Duration::from_secs(1)) });
            }
        }
        Ok(())
    }

    async fn count_ip_failure(&self, meta: &RequestMeta) -> Result<(), AccountError> {
        if let Some(key) = Self::ip_key(meta) {
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
        // Every attempt on a phone counts until one succeeds, so parallel guesses share the limit.
        let throttled = match self.check_ip(meta).await {
            Ok(()) => self.take_attempt(&phone_key, self.settings.max_failures_per_phone, self.settings.failure_window).await,
            refused => refused,
        };
        if let Err(e) = throttled {
            self.audit(meta, AuditKind::LoginFailed, Some(phone.masked()), "throttled").await;
            return Err(e);
        }
        let user = self.ports.users.find_by_phone(phone).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone()).unwrap_or_else(|| PasswordHash(DECOY_HASH.to_owned()));
        let matches = self.ports.passwords.verify(password, &hash).await;
        let user = match user {
            Some(user) if matches => user,
            _ => {
                self.count_ip_failure(meta).await?;
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
        let tokens = self.issue_user_tokens(&user).await?;
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
        let user = self.ports.users.get(record.user_id).await?.filter(|u| u.status == UserStatus::Active);
        let Some(user) = user else {
            let revoked = self.ports.refresh_tokens.revoke_family(record.family_id, now).await?;
            self.audit(meta, AuditKind::TokenRevoked, subject, format!("account no longer active; {revoked} tokens revoked")).await;
            return Err(AccountError::RefreshTokenInvalid);
        };
        let (next, next_token) = self.new_refresh_token(&user, Some(record.family_id), now);
        if !self.ports.refresh_tokens.rotate(&fingerprint, &next, now).await? {
            // Not usable: tell reuse (already exchanged, perhaps by a thief racing the owner) from
            // plain expiry or revocation.
            let current = self.ports.refresh_tokens.find(&fingerprint).await?.unwrap_or(record);
            if current.used_at.is_some() {
                let revoked = self.ports.refresh_tokens.revoke_family(current.family_id, now).await?;
                let reason = format!("refresh token presented twice; {revoked} tokens of its family revoked");
                self.audit(meta, AuditKind::RefreshTokenReused, subject, reason).await;
                return Err(AccountError::RefreshTokenReused);
            }
            return Err(AccountError::RefreshTokenInvalid);
        }
        let tokens = self.token_pair(&user, &next, next_token, now);
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
        self.check_ip(meta).await?;
        let client = self.ports.sap_clients.find_by_client_id(client_id).await?.filter(|c| !c.disabled);
        let Some(client) = client.filter(|c| self.ports.secrets.fingerprint(secret) == c.secret_fingerprint) else {
            self.count_ip_failure(meta).await?;
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

    /// A new sign-in for the user: an access token and the first refresh token of a new family.
    pub(super) async fn issue_user_tokens(&self, user: &User) -> Result<TokenPair, AccountError> {
        let now = self.ports.clock.now();
        let (record, token) = self.new_refresh_token(user, None, now);
        self.ports.refresh_tokens.insert(&record).await?;
        Ok(self.token_pair(user, &record, token, now))
    }

    /// A refresh token (record to store, secret to hand out); `family` continues a rotation chain.
    fn new_refresh_token(&self, user: &User, family: Option<Uuid>, now: time::OffsetDateTime) -> (RefreshTokenRecord, String) {
        let token = self.ports.secrets.opaque_token();
        let record = RefreshTokenRecord {
            id: Uuid::now_v7(),
            family_id: family.unwrap_or_else(Uuid::now_v7),
            user_id: user.id,
            token_fingerprint: self.ports.secrets.fingerprint(&token),
            issued_at: now,
            expires_at: now + ttl(self.settings.refresh_ttl),
            used_at: None,
            revoked_at: None,
        };
        (record, token)
    }

    /// The pair handed to the client: a fresh access token with the stored refresh token.
    fn token_pair(&self, user: &User, refresh: &RefreshTokenRecord, refresh_token: String, now: time::OffsetDateTime) -> TokenPair {
        let subject = Subject::User(user.id);
        let claims = AccessClaims { subject, role: user.role, issued_at: now, expires_at: now + ttl(self.settings.access_ttl) };
        TokenPair {
            access_token: self.ports.tokens.issue(&claims),
            access_expires_at: claims.expires_at,
            refresh_token: Some(refresh_token),
            refresh_expires_at: Some(refresh.expires_at),
            role: user.role,
            subject,
        }
    }
}
