//! Registration, phone verification, code resends and password reset.
use std::time::Duration;

use uuid::Uuid;

use super::{AccountError, AccountService};
use crate::domain::{
    CodePurpose, FullName, GeoLocation, Language, NewUser, OtpCode, Password, PasswordHash, Phone, RequestMeta, Role, TokenPair, User,
    UserId, UserStatus,
};
use crate::error::RepoError;

/// A parsed registration request.
#[derive(Debug, Clone)]
pub struct RegisterInput {
    /// The phone to confirm by SMS; it becomes the sign-in name.
    pub phone: Phone,
    /// The customer's name.
    pub full_name: FullName,
    /// The chosen password, already checked against the policy.
    pub password: Password,
    /// The language for the app and the verification text.
    pub language: Language,
    /// Where the customer is while registering; `None` when the app could not tell.
    pub location: Option<GeoLocation>,
}

/// The answer to every request that may send a code: the same whether or not the phone has an
/// account, so the answer reveals nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSent {
    /// How long a texted code works.
    pub code_ttl: Duration,
    /// How long to wait before asking for another code.
    pub resend_after: Duration,
}

impl AccountService {
    fn code_sent(&self) -> CodeSent {
        CodeSent { code_ttl: self.settings.code_ttl, resend_after: self.settings.send_policy.min_interval }
    }

    /// Registers an unverified account and texts a verification code. Registering a phone that is
    /// still unverified replaces the pending details and sends a new code; registering a phone with
    /// a verified account changes nothing and texts its owner a password-reset code instead, with the
    /// same answer as for a new phone.
    ///
    /// # Errors
    /// `TooManyAttempts` when the client IP asked for too many codes, `SendLimited`,
    /// `SmsUndeliverable`, `SmsUnavailable`, `Storage`.
    pub async fn register(&self, input: RegisterInput, meta: &RequestMeta) -> Result<CodeSent, AccountError> {
        self.count_code_request(meta).await?;
        let now = self.ports.clock.now();
        let password_hash = self.ports.passwords.hash(&input.password).await;
        let new_user = |id| NewUser {
            id,
            phone: input.phone.clone(),
            full_name: input.full_name.clone(),
            password_hash: password_hash.clone(),
            role: Role::Customer,
            status: UserStatus::Unverified,
            language: input.language,
            location: input.location,
            now,
        };
        let user = match self.ports.users.find_by_phone(&input.phone).await? {
            None => match self.ports.users.create(&new_user(UserId(Uuid::now_v7()))).await {
                Ok(user) => user,
                // Lost a race with a concurrent registration of the same phone: treat as a re-registration.
                Err(RepoError::Conflict(_)) => match self.ports.users.find_by_phone(&input.phone).await? {
                    Some(existing) if existing.status == UserStatus::Unverified => {
                        return self
                            .reregister_unverified(&existing, &new_user(existing.id))
                            .await
                            .or_else(|e| hide_account_existence(Err(e)).map(|()| self.code_sent()));
                    }
                    _ => return Err(AccountError::PhoneTaken),
                },
                Err(e) => return Err(e.into()),
            },
            Some(existing) if existing.status == UserStatus::Unverified => {
                return self
                    .reregister_unverified(&existing, &new_user(existing.id))
                    .await
                    .or_else(|e| hide_account_existence(Err(e)).map(|()| self.code_sent()));
            }
            Some(existing) => {
                if existing.status == UserStatus::Active {
                    match self.send_code(&existing, &input.phone, CodePurpose::ResetPassword, true).await {
                        // Refusals would tell a stranger that the account exists: answer as for a new phone.
                        Ok(()) | Err(AccountError::SendLimited { .. } | AccountError::SmsUndeliverable) => {}
                        Err(e) => return Err(e),
                    }
                }
                return Ok(self.code_sent());
            }
        };
        self.send_code(&user, &input.phone, CodePurpose::VerifyPhone, false).await?;
        Ok(self.code_sent())
    }

    /// Replaces the pending details of an unverified account and texts a new code. The code is issued
    /// first: a request the send limit refuses must change nothing, or the code already texted to the
    /// phone would activate the account with the refused request's password.
    async fn reregister_unverified(&self, existing: &User, replacement: &NewUser) -> Result<CodeSent, AccountError> {
        let code = self.issue_code(existing, CodePurpose::VerifyPhone).await?;
        let user = self.ports.users.reregister(replacement).await?;
        self.deliver_code(&user, &replacement.phone, CodePurpose::VerifyPhone, &code, false).await?;
        Ok(self.code_sent())
    }

    /// Sends a new verification code to a phone whose account is still unverified. For any other
    /// phone it sends nothing and answers the same; so does a refusal that would tell a stranger the
    /// account exists (sent too soon, undeliverable).
    ///
    /// # Errors
    /// `TooManyAttempts` when the client IP asked for too many codes, `SmsUnavailable`, `Storage`.
    pub async fn resend_code(&self, phone: &Phone, meta: &RequestMeta) -> Result<CodeSent, AccountError> {
        self.count_code_request(meta).await?;
        if let Some(user) = self.ports.users.find_by_phone(phone).await?
            && user.status == UserStatus::Unverified
        {
            hide_account_existence(self.send_code(&user, phone, CodePurpose::VerifyPhone, false).await)?;
        }
        Ok(self.code_sent())
    }

    /// Confirms the phone with the SMS code, activates the account and signs it in. The password
    /// chosen at registration must come with the code: anyone may register a pending phone again
    /// (replacing its details), and only this check stops a stranger's password from being
    /// activated by the owner's code.
    ///
    /// # Errors
    /// `InvalidCredentials` when the password is not the pending registration's, `CodeInvalid`,
    /// `CodeExhausted`, `Storage`.
    pub async fn verify_phone(
        &self,
        phone: &Phone,
        code: &OtpCode,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<TokenPair, AccountError> {
        let Some(user) = self.ports.users.find_by_phone(phone).await?.filter(|u| u.status == UserStatus::Unverified) else {
            return Err(AccountError::CodeInvalid { attempts_left: 0 });
        };
        // Wrong passwords are counted (the code's own 5 guesses bound code guessing): this bounds
        // the argon2 work a stranger can cause and the use of this route as a password oracle.
        let attempts_key = format!("verify:phone:{phone}");
        let (failures, resets_in) = self.ports.failures.failures(&attempts_key).await?;
        if failures >= self.settings.max_failures_per_phone {
            return Err(AccountError::TooManyAttempts { retry_after: resets_in.max(std::time::Duration::from_secs(1)) });
        }
        let registered_with = user.password_hash.clone().unwrap_or_else(|| PasswordHash(String::new()));
        if !self.ports.passwords.verify(password, &registered_with).await {
            self.ports.failures.add_failure(&attempts_key, self.settings.failure_window).await?;
            return Err(AccountError::InvalidCredentials);
        }
        self.check_code(&user, CodePurpose::VerifyPhone, code).await?;
        self.ports.failures.clear(&attempts_key).await?;
        let user = self.ports.users.mark_verified(user.id, self.ports.clock.now()).await.map_err(super::profile::not_found)?;
        let tokens = self.issue_user_tokens(&user).await?;
        self.audit(meta, crate::domain::AuditKind::LoginSucceeded, Some(tokens.subject.to_string()), "phone verified").await;
        Ok(tokens)
    }

    /// Texts a password-reset code to an active account's phone. For any other phone it sends
    /// nothing and answers the same, as it does for refusals that would reveal the account.
    ///
    /// # Errors
    /// `TooManyAttempts` when the client IP asked for too many codes, `SmsUnavailable`, `Storage`.
    pub async fn forgot_password(&self, phone: &Phone, meta: &RequestMeta) -> Result<CodeSent, AccountError> {
        self.count_code_request(meta).await?;
        if let Some(user) = self.ports.users.find_by_phone(phone).await?
            && user.status == UserStatus::Active
        {
            hide_account_existence(self.send_code(&user, phone, CodePurpose::ResetPassword, false).await)?;
        }
        Ok(self.code_sent())
    }

    /// Sets a new password with a reset code and signs the account out everywhere.
    ///
    /// # Errors
    /// `CodeInvalid`, `CodeExhausted`, `Storage`.
    pub async fn reset_password(&self, phone: &Phone, code: &OtpCode, password: &Password, meta: &RequestMeta) -> Result<(), AccountError> {
        let Some(user) = self.ports.users.find_by_phone(phone).await?.filter(|u| u.status == UserStatus::Active) else {
            return Err(AccountError::CodeInvalid { attempts_left: 0 });
        };
        self.check_code(&user, CodePurpose::ResetPassword, code).await?;
        let hash = self.ports.passwords.hash(password).await;
        let now = self.ports.clock.now();
        self.ports.users.set_password(user.id, &hash, now).await?;
        let revoked = self.ports.refresh_tokens.revoke_all_for_user(user.id, now).await?;
        self.audit(
            meta,
            crate::domain::AuditKind::TokenRevoked,
            Some(format!("user:{}", user.id)),
            format!("password reset; {revoked} refresh tokens revoked"),
        )
        .await;
        Ok(())
    }
}

/// Turns the refusals that only an existing account can cause into the ordinary answer.
fn hide_account_existence(sent: Result<(), AccountError>) -> Result<(), AccountError> {
    match sent {
        Err(AccountError::SendLimited { .. } | AccountError::SmsUndeliverable) => Ok(()),
        other => other,
    }
}

impl AccountService {
    /// Counts a request that may text a code against the client IP's hourly allowance (SMS pumping).
    async fn count_code_request(&self, meta: &RequestMeta) -> Result<(), AccountError> {
        match &meta.client_ip {
            Some(ip) => {
                self.take_attempt(&format!("codes:ip:{ip}"), self.settings.max_code_requests_per_ip, self.settings.send_policy.window).await
            }
            None => Ok(()),
        }
    }
}
