//! Cryptography behind the core's ports: argon2id password hashing off the async threads, HS256
//! access tokens, and random codes and tokens with their SHA-256 fingerprints.
use std::collections::HashSet;
use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash as PhcHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng as _;
use sabil_core::domain::{AccessClaims, Password, PasswordHash, Role, SapClientId, Subject, UserId};
use sabil_core::ports::{AccessTokenError, AccessTokens, PasswordHasher, Secrets};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::Semaphore;

/// argon2id (v19, m=19 MiB, t=2, p=1: the OWASP baseline), run on the blocking pool with at most
/// one computation per core at a time, so a flood of sign-ins queues instead of exhausting memory.
#[derive(Debug, Clone)]
pub struct Argon2Passwords {
    permits: Arc<Semaphore>,
}

impl Default for Argon2Passwords {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self { permits: Arc::new(Semaphore::new(cores)) }
    }
}

impl Argon2Passwords {
    /// Runs one argon2 computation when a permit is free.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let _permit = self.permits.acquire().await.ok()?;
        tokio::task::spawn_blocking(work).await.ok()
    }
}

#[async_trait]
impl PasswordHasher for Argon2Passwords {
    async fn hash(&self, password: &Password) -> PasswordHash {
        let password = password.expose().to_owned();
        let hashed = self
            .run(move || {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
            })
            .await;
        match hashed {
            Some(Ok(phc)) => PasswordHash(phc),
            // Unreachable with valid parameters; an empty hash never verifies, so nothing is weakened.
            other => {
                tracing::error!(?other, "argon2 hashing failed");
                PasswordHash(String::new())
            }
        }
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> bool {
        let password = password.expose().to_owned();
        let hash = hash.0.clone();
        tokio::task::spawn_blocking(move || {
            PhcHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        })
        .await
        .unwrap_or(false)
    }
}

const ISSUER: &str = "sabil";
const AUDIENCE: &str = "sabil-api";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// HS256 JSON Web Tokens signed with `SABIL_JWT_SECRET`. Only HS256 is accepted (no `alg: none`,
/// no algorithm confusion); issuer and audience must be ours.
pub struct JwtAccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtAccessTokens {
    #[must_use]
    pub fn new(secret: &SecretString) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the injected clock in `verify`, not the system clock.
        validation.validate_exp = false;
        validation.required_spec_claims = HashSet::from(["exp", "iss", "aud", "sub"].map(str::to_owned));
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        let key = secret.expose_secret().as_bytes();
        Self { encoding: EncodingKey::from_secret(key), decoding: DecodingKey::from_secret(key), validation }
    }
}

impl AccessTokens for JwtAccessTokens {
    fn issue(&self, c: &AccessClaims) -> String {
        let claims = Claims {
            sub: match c.subject {
                Subject::User(id) => format!("user:{}", id.0),
                Subject::SapClient(id) => format!("sap:{}", id.0),
            },
            role: c.role.as_str().to_owned(),
            iat: c.issued_at.unix_timestamp(),
            exp: c.expires_at.unix_timestamp(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).unwrap_or_else(|e| {
            // HMAC signing of a serialisable struct cannot fail; an empty token is rejected everywhere.
            tracing::error!(error = %e, "could not sign an access token");
            String::new()
        })
    }

    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, AccessTokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|_| AccessTokenError::Invalid)?;
        let c = data.claims;
        let at = |t: i64| OffsetDateTime::from_unix_timestamp(t).map_err(|_| AccessTokenError::Invalid);
        let expires_at = at(c.exp)?;
        if expires_at <= now {
            return Err(AccessTokenError::Expired);
        }
        let role = Role::parse(&c.role).ok_or(AccessTokenError::Invalid)?;
        let subject = match c.sub.split_once(':') {
            Some(("user", id)) => Subject::User(UserId(uuid::Uuid::parse_str(id).map_err(|_| AccessTokenError::Invalid)?)),
            Some(("sap", id)) => Subject::SapClient(SapClientId(uuid::Uuid::parse_str(id).map_err(|_| AccessTokenError::Invalid)?)),
            _ => return Err(AccessTokenError::Invalid),
        };
        // A SAP subject always carries the sap role and a user never does.
        if matches!(subject, Subject::SapClient(_)) != (role == Role::Sap) {
            return Err(AccessTokenError::Invalid);
        }
        Ok(AccessClaims { subject, role, issued_at: at(c.iat)?, expires_at })
    }
}

/// 256 random bits from the operating system's CSPRNG (via `rand`'s thread RNG), URL-safe base64.
#[must_use]
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Random codes and tokens; SHA-256 fingerprints for high-entropy secrets (stable across key
/// rotations) and HMAC-SHA256 fingerprints, keyed from the server secret, for one-time codes.
#[derive(Clone)]
pub struct RandomSecrets {
    code_key: Hmac<Sha256>,
}

impl RandomSecrets {
    /// Derives the one-time-code key from the server secret (domain-separated, so it is not the
    /// JWT signing key itself). Rotating the secret voids codes in flight, which live 10 minutes.
    #[must_use]
    pub fn new(server_secret: &SecretString) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"sabil one-time code key v1:");
        hasher.update(server_secret.expose_secret().as_bytes());
        // A key of exactly one SHA-256 block: HMAC's infallible constructor.
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&hasher.finalize());
        Self { code_key: <Hmac<Sha256> as KeyInit>::new(&key.into()) }
    }
}

impl std::fmt::Debug for RandomSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RandomSecrets(<key redacted>)")
    }
}

impl Secrets for RandomSecrets {
    fn otp_code(&self) -> String {
        format!("{:06}", rand::rng().random_range(0..1_000_000u32))
    }

    fn opaque_token(&self) -> String {
        random_token()
    }

    fn fingerprint(&self, secret: &str) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(format!("sabil:v1:{secret}").as_bytes()))
    }

    fn code_fingerprint(&self, code_id: uuid::Uuid, code: &str) -> String {
        let mut mac = self.code_key.clone();
        mac.update(code_id.as_bytes());
        mac.update(code.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    fn request_fingerprint(&self, text: &str) -> String {
        let mut mac = self.code_key.clone();
        mac.update(b"request\0");
        mac.update(text.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(now: OffsetDateTime) -> AccessClaims {
        AccessClaims {
            subject: Subject::User(UserId(uuid::Uuid::now_v7())),
            role: Role::Customer,
            issued_at: now,
            expires_at: now + time::Duration::minutes(15),
        }
    }

    #[test]
    fn tokens_verify_until_they_expire() {
        let jwt = JwtAccessTokens::new(&SecretString::from("k".repeat(32)));
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let c = claims(now);
        let token = jwt.issue(&c);
        assert_eq!(jwt.verify(&token, now), Ok(c));
        assert_eq!(jwt.verify(&token, now + time::Duration::minutes(15)), Err(AccessTokenError::Expired));
    }

    #[test]
    fn tokens_signed_with_another_key_or_unsigned_are_invalid() {
        let ours = JwtAccessTokens::new(&SecretString::from("k".repeat(32)));
        let theirs = JwtAccessTokens::new(&SecretString::from("x".repeat(32)));
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let forged = theirs.issue(&claims(now));
        assert_eq!(ours.verify(&forged, now), Err(AccessTokenError::Invalid));
        // alg: none with the same claims and an empty signature.
        let payload = forged.split('.').nth(1).expect("payload");
        let none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#));
        assert_eq!(ours.verify(&none, now), Err(AccessTokenError::Invalid));
        assert_eq!(ours.verify("not.a.jwt", now), Err(AccessTokenError::Invalid));
    }

    #[tokio::test]
    async fn argon2id_hashes_verify_only_the_right_password() {
        let p = Password::parse("water-for-the-mosque").expect("valid");
        let hasher = Argon2Passwords::default();
        let hash = hasher.hash(&p).await;
        assert!(hash.0.starts_with("$argon2id$v=19$"));
        assert!(hasher.verify(&p, &hash).await);
        assert!(!hasher.verify(&Password::presented("wrong-password"), &hash).await);
        assert!(!hasher.verify(&p, &PasswordHash("garbage".into())).await);
    }

    #[test]
    fn codes_are_six_digits_and_tokens_are_long_and_distinct() {
        let s = RandomSecrets::new(&SecretString::from("k".repeat(32)));
        assert!((0..100).map(|_| s.otp_code()).all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        let (a, b) = (s.opaque_token(), s.opaque_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(s.fingerprint(&a), s.fingerprint(&a));
        assert_ne!(s.fingerprint(&a), s.fingerprint(&b));
    }

    #[test]
    fn code_fingerprints_depend_on_the_server_key_and_the_code_id() {
        let id = uuid::Uuid::now_v7();
        let ours = RandomSecrets::new(&SecretString::from("k".repeat(32)));
        let other_key = RandomSecrets::new(&SecretString::from("x".repeat(32)));
        assert_eq!(ours.code_fingerprint(id, "123456"), ours.code_fingerprint(id, "123456"));
        assert_ne!(
            ours.code_fingerprint(id, "123456"),
            other_key.code_fingerprint(id, "123456"),
            "a database copy alone cannot reveal codes"
        );
        assert_ne!(ours.code_fingerprint(id, "123456"), ours.code_fingerprint(uuid::Uuid::now_v7(), "123456"));
        assert_ne!(ours.code_fingerprint(id, "123456"), ours.code_fingerprint(id, "123457"));
    }
}
