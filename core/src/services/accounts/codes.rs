//! One-time SMS codes: issuing under the send policy, delivering, and checking with bounded guesses.
use uuid::Uuid;

use super::{AccountError, AccountService, ttl};
use crate::domain::{CodePurpose, Language, OtpCode, Phone, User};
use crate::error::GatewayError;
use crate::ports::{CodeIssue, SmsMessage};

/// What the SMS says, in the user's language.
fn code_text(purpose: CodePurpose, language: Language, code: &str, already_registered: bool) -> String {
    match (language, purpose, already_registered) {
        (Language::Ar, CodePurpose::VerifyPhone, _) => format!("رمز التحقق الخاص بك في سبيل: {code}. صالح لمدة 10 دقائق."),
        (Language::En, CodePurpose::VerifyPhone, _) => format!("Your Sabil verification code is {code}. It is valid for 10 minutes."),
        (Language::Ar, CodePurpose::ResetPassword, true) => {
            format!("لديك حساب في سبيل بالفعل. سجّل الدخول، أو استخدم الرمز {code} في \"نسيت كلمة المرور\".")
        }
        (Language::En, CodePurpose::ResetPassword, true) => {
            format!("You already have a Sabil account. Sign in, or use code {code} under 'Forgot password'.")
        }
        (Language::Ar, CodePurpose::ResetPassword, false) => format!("رمز إعادة تعيين كلمة المرور في سبيل: {code}. صالح لمدة 10 دقائق."),
        (Language::En, CodePurpose::ResetPassword, false) => {
            format!("Your Sabil password reset code is {code}. It is valid for 10 minutes.")
        }
    }
}

impl AccountService {
    /// Stores a new code for the user (if the send policy allows) and texts it to `phone`.
    pub(super) async fn send_code(
        &self,
        user: &User,
        phone: &Phone,
        purpose: CodePurpose,
        already_registered: bool,
    ) -> Result<(), AccountError> {
        let code = self.issue_code(user, purpose).await?;
        self.deliver_code(user, phone, purpose, &code, already_registered).await
    }

    /// Stores a new code for the user if the send policy allows, returning it; `SendLimited` otherwise.
    pub(super) async fn issue_code(&self, user: &User, purpose: CodePurpose) -> Result<String, AccountError> {
        let now = self.ports.clock.now();
        let code = self.ports.secrets.otp_code();
        let id = Uuid::now_v7();
        let issue = CodeIssue {
            id,
            user_id: user.id,
            purpose,
            code_fingerprint: self.ports.secrets.code_fingerprint(id, &code),
            created_at: now,
            expires_at: now + ttl(self.settings.code_ttl),
        };
        if let Some(retry_after) = self.ports.codes.issue(&issue, &self.settings.send_policy).await? {
            return Err(AccountError::SendLimited { retry_after });
        }
        Ok(code)
    }

    /// Texts an issued code to `phone` in the user's language.
    pub(super) async fn deliver_code(
        &self,
        user: &User,
        phone: &Phone,
        purpose: CodePurpose,
        code: &str,
        already_registered: bool,
    ) -> Result<(), AccountError> {
        let message = SmsMessage { to: phone.clone(), body: code_text(purpose, user.language, code, already_registered) };
        match self.ports.sms.send(&message).await {
            Ok(provider_id) => {
                tracing::info!(to = %phone.masked(), purpose = purpose.as_str(), provider_id, "one-time code sent");
                Ok(())
            }
            Err(GatewayError::Rejected { code, message }) => {
                tracing::warn!(to = %phone.masked(), code, message, "SMS provider rejected the number");
                Err(AccountError::SmsUndeliverable)
            }
            Err(GatewayError::Unavailable { message, retry_after }) => {
                tracing::warn!(to = %phone.masked(), message, "SMS provider unavailable");
                Err(AccountError::SmsUnavailable { retry_after })
            }
            Err(GatewayError::Protocol(message)) => {
                tracing::error!(to = %phone.masked(), message, "SMS provider answered something unexpected");
                Err(AccountError::SmsUnavailable { retry_after: None })
            }
        }
    }

    /// Checks a code of `purpose` for the user, consuming it on success. At most
    /// `code_max_attempts` guesses are ever compared against one code.
    pub(super) async fn check_code(&self, user: &User, purpose: CodePurpose, code: &OtpCode) -> Result<(), AccountError> {
        let now = self.ports.clock.now();
        let max = self.settings.code_max_attempts;
        let Some(stored) = self.ports.codes.active(user.id, purpose, now).await? else {
            return Err(AccountError::CodeInvalid { attempts_left: 0 });
        };
        let Some(attempt) = self.ports.codes.begin_attempt(stored.id, max).await? else {
            return Err(AccountError::CodeExhausted);
        };
        if self.ports.secrets.code_fingerprint(stored.id, code.expose()) != stored.code_fingerprint {
            return Err(if attempt >= max {
                AccountError::CodeExhausted
            } else {
                AccountError::CodeInvalid { attempts_left: max - attempt }
            });
        }
        if !self.ports.codes.consume(stored.id, now).await? {
            return Err(AccountError::CodeInvalid { attempts_left: 0 });
        }
        Ok(())
    }
}
