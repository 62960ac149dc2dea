//! Fakes of the clock, SMS, password hashing, token signing and secrets: fast and deterministic,
//! but keeping each port's contract (wrong passwords fail, tampered tokens fail, codes are random enough).
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use time::OffsetDateTime;

use super::lock;
use crate::domain::{AccessClaims, Password, PasswordHash, Role, SapClientId, Subject, UserId};
use crate::error::GatewayError;
use crate::ports::{AccessTokenError, AccessTokens, Clock, PasswordHasher, Secrets, SmsGateway, SmsMessage, truncate_to_micros};

/// A clock that moves only when told.
#[derive(Debug)]
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    /// A clock standing at `now` (truncated to microseconds, as the real clock is).
    #[must_use]
    pub fn new(now: OffsetDateTime) -> Self {
        Self(Mutex::new(truncate_to_micros(now)))
    }

    /// Moves the clock by `by` (backwards for a negative duration).
    pub fn advance(&self, by: time::Duration) {
        *lock(&self.0) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *lock(&self.0)
    }
}

/// Records every SMS; can be told to fail the next sends.
#[derive(Debug, Default)]
pub struct RecordingSms {
    sent: Mutex<Vec<SmsMessage>>,
    fail_with: Mutex<Option<GatewayError>>,
}

impl RecordingSms {
    /// Every message sent so far, oldest first.
    #[must_use]
    pub fn sent(&self) -> Vec<SmsMessage> {
        lock(&self.sent).clone()
    }

    /// The 6-digit code in the newest message to `phone`.
    #[must_use]
    pub fn last_code_to(&self, phone: &str) -> Option<String> {
        lock(&self.sent).iter().rev().find(|m| m.to.as_str() == phone).and_then(|m| extract_code(&m.body))
    }

    /// Makes every following send fail with `error` (or succeed again with `None`).
    pub fn fail_with(&self, error: Option<GatewayError>) {
        *lock(&self.fail_with) = error;
    }
}

/// The first run of exactly six ASCII digits in a text.
#[must_use]
pub fn extract_code(body: &str) -> Option<String> {
    body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).map(str::to_owned)
}

#[async_trait]
impl SmsGateway for RecordingSms {
    async fn send(&self, message: &SmsMessage) -> Result<String, GatewayError> {
        if let Some(e) = lock(&self.fail_with).clone() {
            return Err(e);
        }
        let mut sent = lock(&self.sent);
        sent.push(message.clone());
        Ok(format!("fake-sms-{}", sent.len()))
    }
}

/// "Hashes" by prefixing; verification compares exactly, so wrong passwords fail as with argon2.
#[derive(Debug, Default, Clone, Copy)]
pub struct FakePasswordHasher;

#[async_trait]
impl PasswordHasher for FakePasswordHasher {
    async fn hash(&self, password: &Password) -> PasswordHash {
        PasswordHash(format!("fake${}", password.expose()))
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> bool {
        hash.0.strip_prefix("fake$") == Some(password.expose())
    }
}

/// Unsigned but tamper-evident tokens: `fake|role|kind|id|iat|exp|checksum`.
#[derive(Debug, Default, Clone, Copy)]
pub struct FakeAccessTokens;

fn checksum(s: &str) -> u64 {
    s.bytes().fold(1469598103934665603u64, |h, b| (h ^ u64::from(b)).wrapping_mul(1099511628211))
}

impl AccessTokens for FakeAccessTokens {
    fn issue(&self, c: &AccessClaims) -> String {
        let (kind, id) = match c.subject {
            Subject::User(u) => ("user", u.0),
            Subject::SapClient(s) => ("sap", s.0),
        };
        let body = format!("fake|{}|{kind}|{id}|{}|{}", c.role.as_str(), c.issued_at.unix_timestamp(), c.expires_at.unix_timestamp());
        format!("{body}|{}", checksum(&body))
    }

    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, AccessTokenError> {
        let (body, sum) = token.rsplit_once('|').ok_or(AccessTokenError::Invalid)?;
        if sum != checksum(body).to_string() {
            return Err(AccessTokenError::Invalid);
        }
        let parts: Vec<&str> = body.split('|').collect();
        let [_, role, kind, id, iat, exp] = parts.as_slice() else { return Err(AccessTokenError::Invalid) };
        let id = uuid::Uuid::parse_str(id).map_err(|_| AccessTokenError::Invalid)?;
        let ts = |s: &str| s.parse::<i64>().ok().and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()).ok_or(AccessTokenError::Invalid);
        let claims = AccessClaims {
            subject: if *kind == "sap" { Subject::SapClient(SapClientId(id)) } else { Subject::User(UserId(id)) },
            role: Role::parse(role).ok_or(AccessTokenError::Invalid)?,
            issued_at: ts(iat)?,
            expires_at: ts(exp)?,
        };
        if claims.expires_at <= now {
            return Err(AccessTokenError::Expired);
        }
        Ok(claims)
    }
}

/// Codes and tokens from a counter mixed into a pseudo-random sequence; fingerprints are a
/// keyed checksum. Deterministic per instance, distinct across calls.
#[derive(Debug, Default)]
pub struct FakeSecrets(AtomicU64);

impl FakeSecrets {
    fn next(&self) -> u64 {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
    }
}

impl Secrets for FakeSecrets {
    fn otp_code(&self) -> String {
        format!("{:06}", self.next() % 1_000_000)
    }

    fn opaque_token(&self) -> String {
        format!("tok{:016x}{:016x}", self.next(), self.next())
    }

    fn fingerprint(&self, secret: &str) -> String {
        format!("fp{:016x}", checksum(&format!("key:{secret}")))
    }

    fn code_fingerprint(&self, code_id: uuid::Uuid, code: &str) -> String {
        format!("cfp{:016x}", checksum(&format!("code-key:{code_id}:{code}")))
    }

    fn request_fingerprint(&self, text: &str) -> String {
        // The text itself: exact, and tests can read it.
        format!("req:{text}")
    }
}
