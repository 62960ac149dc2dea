//! Authentication values: one-time codes, access-token claims, token pairs and SAP machine clients.
use time::OffsetDateTime;
use uuid::Uuid;

use super::account::{Role, UserId};
use super::validation::Invalid;

/// What a one-time SMS code is for; a code of one purpose never serves another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    /// Confirms a newly registered phone.
    VerifyPhone,
    /// Authorises setting a new password.
    ResetPassword,
}

impl CodePurpose {
    /// The purpose's stored name: `verify_phone` or `reset_password`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyPhone => "verify_phone",
            Self::ResetPassword => "reset_password",
        }
    }
}

/// A 6-digit one-time code as typed by the user.
#[derive(Clone, PartialEq, Eq)]
pub struct OtpCode(String);

impl OtpCode {
    /// A code as typed, surrounding spaces ignored.
    ///
    /// # Errors
    /// `Invalid` unless exactly six ASCII digits.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(Invalid::field("code", "must be exactly 6 digits", "Type the 6-digit code from the SMS, e.g. 482913."))
        }
    }

    /// The six digits, for comparing with the stored fingerprint; never log them.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtpCode(<redacted>)")
    }
}

/// Identifier of a SAP machine client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SapClientId(pub Uuid);

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A customer or admin account.
    User(UserId),
    /// The SAP ERP's machine client.
    SapClient(SapClientId),
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::User(id) => write!(f, "user:{}", id.0),
            Self::SapClient(id) => write!(f, "sap:{}", id.0),
        }
    }
}

/// The verified content of an access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// Whom the token speaks for.
    pub subject: Subject,
    /// The role the subject had when the token was issued.
    pub role: Role,
    /// When the token was issued (UTC).
    pub issued_at: OffsetDateTime,
    /// When the token stops being accepted (UTC).
    pub expires_at: OffsetDateTime,
}

/// What a successful sign-in returns. The refresh token is present for users, absent for SAP clients
/// (they sign in again with their secret).
#[derive(Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// The signed access token, sent as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// When the access token expires.
    pub access_expires_at: OffsetDateTime,
    /// The opaque refresh token, usable once; `None` for SAP clients.
    pub refresh_token: Option<String>,
    /// When the refresh token expires; `None` for SAP clients.
    pub refresh_expires_at: Option<OffsetDateTime>,
    /// The role the tokens carry.
    pub role: Role,
    /// Whom the tokens speak for.
    pub subject: Subject,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair").field("role", &self.role).field("subject", &self.subject).finish_non_exhaustive()
    }
}

/// A SAP machine client: signs in with `client_id` and a secret stored only as a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SapClient {
    /// The client's internal identifier.
    pub id: SapClientId,
    /// The public id SAP signs in with, e.g. `sap-0190...`; unique.
    pub client_id: String,
    /// The keyed fingerprint of the secret (`Secrets::fingerprint`); the secret itself is never stored.
    pub secret_fingerprint: String,
    /// A label for operators, e.g. `SAP S/4HANA production` (1 to 100 characters).
    pub name: String,
    /// When the client was created (UTC).
    pub created_at: OffsetDateTime,
    /// Whether sign-in is refused for this client.
    pub disabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        assert!(OtpCode::parse("012345").is_ok());
        assert!(OtpCode::parse(" 012345 ").is_ok());
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６"] {
            assert!(OtpCode::parse(bad).is_err(), "{bad}");
        }
    }
}
