//! SAP's access token: read from the login answer, kept until shortly before it expires (`expiresIn`, else
//! the JWT's `exp` claim read without verifying it, else five minutes).
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sabil_core::error::GatewayError;
use secrecy::SecretString;
use serde::Deserialize;

/// How long before it expires a token is renewed.
const RENEW_MARGIN: Duration = Duration::from_secs(30);
/// The lifetime assumed when SAP states none.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// A shorter stated lifetime (or a clock that disagrees with SAP's) still keeps the token this long, so a
/// tiny lifetime cannot turn every call into a login; a token that really expired earlier gets a 401,
/// which logs in again.
const MIN_LIFETIME: Duration = Duration::from_secs(10);

/// A token and when to stop using it.
pub(super) struct Token {
    pub value: SecretString,
    pub renew_at: Instant,
}

impl Token {
    /// Whether it may still be used at `now`.
    pub fn is_fresh(&self, now: Instant) -> bool {
        now < self.renew_at
    }
}

/// `{"accessToken": "<JWT>", "expiresIn": <seconds, optional>}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
}

/// The token of a successful login's body, received at `issued` (`now` on the wall clock).
pub(super) fn read_login(body: &str, issued: Instant, now: SystemTime) -> Result<Token, GatewayError> {
    let answer: LoginAnswer = serde_json::from_str(body)
        .map_err(|e| GatewayError::Protocol(format!("SAP answered its login with a body that is not a token: {e}")))?;
    let token = answer.access_token.trim();
    if token.is_empty() {
        return Err(GatewayError::Protocol("SAP answered its login with an empty accessToken".into()));
    }
    let stated = answer.expires_in.filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64);
    let lifetime = stated.or_else(|| jwt_lifetime(token, now)).unwrap_or(DEFAULT_LIFETIME).max(MIN_LIFETIME);
    let margin = RENEW_MARGIN.min(lifetime / 2);
    Ok(Token { value: SecretString::from(token.to_owned()), renew_at: issued + (lifetime - margin) })
}

/// The time left until the JWT's `exp` claim; `None` when the token is no JWT or has no `exp`. The
/// signature is not checked: SAP checks its own tokens, this only schedules the renewal.
fn jwt_lifetime(token: &str, now: SystemTime) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_f64().filter(|e| e.is_finite() && *e >= 0.0)?;
    let exp = UNIX_EPOCH.checked_add(Duration::from_secs_f64(exp))?;
    Some(exp.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    fn jwt(claims: &serde_json::Value) -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}.c2lnbmF0dXJl", URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    fn renews_after(body: &str, now: SystemTime) -> Duration {
        let issued = Instant::now();
        read_login(body, issued, now).expect("a token").renew_at - issued
    }

    #[test]
    fn a_stated_lifetime_is_renewed_thirty_seconds_early() {
        let body = serde_json::json!({"accessToken": "opaque", "expiresIn": 3600}).to_string();
        assert_eq!(renews_after(&body, SystemTime::now()), Duration::from_secs(3570));
    }

    #[test]
    fn without_a_stated_lifetime_the_jwt_expiry_is_used() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let body = serde_json::json!({"accessToken": jwt(&serde_json::json!({"sub": "sabil", "exp": 1_800_000_600}))}).to_string();
        assert_eq!(renews_after(&body, now), Duration::from_secs(570));
    }

    #[test]
    fn an_opaque_token_without_a_lifetime_is_kept_five_minutes_less_the_margin() {
        let body = serde_json::json!({"accessToken": "not-a-jwt"}).to_string();
        assert_eq!(renews_after(&body, SystemTime::now()), Duration::from_secs(270));
    }

    #[test]
    fn an_expired_or_tiny_lifetime_still_keeps_the_token_a_few_seconds() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let body = serde_json::json!({"accessToken": jwt(&serde_json::json!({"exp": 1_700_000_000}))}).to_string();
        assert_eq!(renews_after(&body, now), Duration::from_secs(5));
    }

    #[test]
    fn a_login_answer_without_a_token_is_a_protocol_error() {
        for body in ["", "{}", r#"{"accessToken": ""}"#, "<html>"] {
            let err = read_login(body, Instant::now(), SystemTime::now()).err().expect("no token");
            assert!(matches!(err, GatewayError::Protocol(_)), "{body}: {err:?}");
        }
    }
}
