//! Cryptographic ports: password hashing, access-token signing, and random secrets with their
//! one-way fingerprints.
use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::{AccessClaims, Password, PasswordHash};

/// Hashes and verifies passwords (argon2id in production). Slow by design; implementations must not
/// block the async runtime.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A salted hash of the password in PHC string form.
    async fn hash(&self, password: &Password) -> PasswordHash;

    /// Whether the password matches the hash; `false` also for a malformed hash.
    async fn verify(&self, password: &Password, hash: &PasswordHash) -> bool;
}

/// Why an access token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessTokenError {
    /// A token this service issued, past its expiry: refresh or sign in again.
    #[error("the token has expired")]
    Expired,
    /// Not a token this service issued: malformed, tampered with, or signed with another key or algorithm.
    #[error("the token is malformed, forged or signed with an unexpected algorithm")]
    Invalid,
}

/// Issues and verifies signed access tokens.
pub trait AccessTokens: Send + Sync {
    /// A signed token carrying the claims.
    fn issue(&self, claims: &AccessClaims) -> String;

    /// The claims of a token this service issued, checked for signature, algorithm and expiry at `now`.
    ///
    /// # Errors
    /// `Expired` or `Invalid`.
    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, AccessTokenError>;
}

/// Random secrets and their keyed fingerprints.
pub trait Secrets: Send + Sync {
    /// A uniformly random 6-digit code.
    fn otp_code(&self) -> String;

    /// A random opaque token with at least 256 bits of entropy, URL-safe.
    fn opaque_token(&self) -> String;

    /// A one-way fingerprint of a high-entropy secret (refresh token, client secret), stable across
    /// restarts and key rotations; what is stored instead of the secret.
    fn fingerprint(&self, secret: &str) -> String;

    /// A keyed fingerprint of a one-time code, bound to the code's id. Codes have few possible
    /// values, so without the server-side key a copy of the database would reveal them.
    fn code_fingerprint(&self, code_id: uuid::Uuid, code: &str) -> String;

    /// A keyed fingerprint of a request's canonical text: equal texts give equal fingerprints, and
    /// different texts practically never do.
    fn request_fingerprint(&self, text: &str) -> String;
}
