//! Cryptography behind the core's ports: argon2id password hashing off the async threads, HS256
//! access tokens, and random codes and tokens with their SHA-256 fingerprints.
use std::collections::HashSet;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash as PhcHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng as _;
use sabil_core::domain::{AccessClaims, Password, PasswordHash, Role, SapClientId, Subject, UserId};
use sabil_core::ports::{AccessTokenError, AccessTokens, PasswordHasher, Secrets};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// argon2id (v19, m=19 MiB, t=2, p=1: the OWASP baseline), run on the blocking pool.
#[derive(Debug, Default, Clone, Copy)]
pub struct Argon2Passwords;

#[async_trait]
impl PasswordHasher for Argon2Passwords {
    async fn hash(&self, password: &Password) -> PasswordHash {
        let password = password.expose().to_owned();
        let hashed = tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
        })
        .await;
        match hashed {
            Ok(Ok(phc)) => PasswordHash(phc),
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

/// Codes and tokens from the operating system's CSPRNG (via `rand`'s thread RNG); fingerprints are
/// SHA-256, stable across restarts and key rotations.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomSecrets;

impl RandomSecrets {
    /// 256 random bits, URL-safe base64.
    #[must_use]
    pub fn opaque_token_text(self) -> String {
        let bytes: [u8; 32] = rand::rng().random();
        URL_SAFE_NO_PAD.encode(bytes)
    }
}

impl Secrets for RandomSecrets {
    fn otp_code(&self) -> String {
        format!("{:06}", rand::rng().random_range(0..1_000_000u32))
    }

    fn opaque_token(&self) -> String {
        self.opaque_token_text()
    }

    fn fingerprint(&self, secret: &str) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(format!("sabil:v1:{secret}").as_bytes()))
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
        let hash = Argon2Passwords.hash(&p).await;
        assert!(hash.0.starts_with("$argon2id$v=19$"));
        assert!(Argon2Passwords.verify(&p, &hash).await);
        assert!(!Argon2Passwords.verify(&Password::presented("wrong-password"), &hash).await);
        assert!(!Argon2Passwords.verify(&p, &PasswordHash("garbage".into())).await);
    }

    #[test]
    fn codes_are_six_digits_and_tokens_are_long_and_distinct() {
        let s = RandomSecrets;
        assert!((0..100).map(|_| s.otp_code()).all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        let (a, b) = (s.opaque_token(), s.opaque_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(s.fingerprint(&a), s.fingerprint(&a));
        assert_ne!(s.fingerprint(&a), s.fingerprint(&b));
    }
}
