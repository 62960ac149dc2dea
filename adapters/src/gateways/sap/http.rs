//! One call to SAP: our bearer token attached (logging in first when there is none or it is due, one login
//! at a time), a 401 answered by logging in again once and repeating the call, SAP's answer mapped to the
//! port's errors, and every request and response logged on `sabil::sap` (method, URL, status, duration,
//! sizes at info; bodies at debug, except the login's, which carry the password and the token).
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use sabil_core::error::GatewayError;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::token::{self, Token};
use super::{LOG_TARGET, PROVIDER, SapErpGateway};
use crate::gateways::{elapsed_ms, retry_after, transport_error, unavailable};

/// How much of a refusal's body goes into the error.
const EXCERPT_CHARS: usize = 300;

/// SAP's 2xx answer.
pub(super) struct Answer {
    pub body: String,
}

/// Any HTTP answer.
struct Raw {
    status: StatusCode,
    retry_after: Option<Duration>,
    body: String,
}

/// Whether a call's bodies may be logged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bodies {
    Logged,
    /// The login: its request has the password, its answer the token.
    Secret,
}

impl SapErpGateway {
    /// Calls `{base}{path}` with our token and returns SAP's 2xx answer. A 401 means the token expired:
    /// one new login, one repeat.
    pub(super) async fn call(&self, method: Method, path: &str, body: Option<Vec<u8>>, key: Option<Uuid>) -> Result<Answer, GatewayError> {
        let bearer = self.bearer(None).await?;
        let mut raw = self.exchange(&method, path, body.as_deref(), Some(&bearer), key, Bodies::Logged).await?;
        if raw.status == StatusCode::UNAUTHORIZED {
            tracing::info!(target: LOG_TARGET, method = %method, path, "SAP refused our token; logging in again");
            let bearer = self.bearer(Some(&bearer)).await?;
            raw = self.exchange(&method, path, body.as_deref(), Some(&bearer), key, Bodies::Logged).await?;
            if raw.status == StatusCode::UNAUTHORIZED {
                // The login works but its token does not: SAP's problem or ours, never the change's.
                return Err(unavailable(format!("SAP refused a fresh token for {method} {path} (HTTP 401): {}", excerpt(&raw.body))));
            }
        }
        interpret(raw)
    }

    /// The token to use: the cached one unless it is due for renewal or is `refused` (SAP answered 401 to
    /// it), else a new login. The lock is held during the login, so concurrent callers wait for it and
    /// then share its token instead of logging in again.
    async fn bearer(&self, refused: Option<&SecretString>) -> Result<SecretString, GatewayError> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref() {
            let is_refused = refused.is_some_and(|r| r.expose_secret() == token.value.expose_secret());
            if token.is_fresh(Instant::now()) && !is_refused {
                return Ok(token.value.clone());
            }
        }
        *slot = None;
        let token = self.login().await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    /// `POST /api/login`. A refusal is `Rejected` with code `login_refused` (the operator must fix the
    /// credentials); timeouts, 408, 429 and 5xx are `Unavailable`.
    async fn login(&self) -> Result<Token, GatewayError> {
        let body = serde_json::json!({"login": self.config.login, "password": self.config.password.expose_secret()}).to_string();
        let raw = self.exchange(&Method::POST, "/api/login", Some(body.as_bytes()), None, None, Bodies::Secret).await?;
        let answer = interpret(raw).map_err(|err| match err {
            GatewayError::Rejected { code, .. } => GatewayError::Rejected {
                code: "login_refused".into(),
                message: format!(
                    "SAP refused the login {:?} (HTTP {code}); check SABIL_SAP_LOGIN and SABIL_SAP_PASSWORD",
                    self.config.login
                ),
            },
            other => other,
        })?;
        let token = token::read_login(&answer.body, Instant::now(), SystemTime::now())?;
        tracing::info!(target: LOG_TARGET, login = %self.config.login, "logged in to SAP");
        Ok(token)
    }

    /// Sends one request and reads the whole answer, logging both.
    async fn exchange(
        &self,
        method: &Method,
        path: &str,
        body: Option<&[u8]>,
        bearer: Option<&SecretString>,
        key: Option<Uuid>,
        bodies: Bodies,
    ) -> Result<Raw, GatewayError> {
        let url = format!("{}{path}", self.config.base_url);
        let shown = without_userinfo(&url);
        let idempotency_key = key.map(tracing::field::display);
        let mut request = self.client.request(method.clone(), &url).header(ACCEPT, "application/json");
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer.expose_secret());
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key.to_string());
        }
        let request_bytes = body.map_or(0, <[u8]>::len);
        if let Some(body) = body {
            if bodies == Bodies::Logged {
                let body = String::from_utf8_lossy(body);
                tracing::debug!(target: LOG_TARGET, method = %method, url = %shown, idempotency_key, body = %body, "SAP request body");
            }
            request = request.header(CONTENT_TYPE, "application/json").body(body.to_vec());
        }
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                let error = transport_error(PROVIDER, &err, self.config.timeout);
                tracing::warn!(
                    target: LOG_TARGET, method = %method, url = %shown, idempotency_key, request_bytes,
                    duration_ms = elapsed_ms(started), error = %error, "SAP call failed"
                );
                return Err(error);
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let text = response.text().await;
        let response_bytes = text.as_ref().map_or(0, String::len);
        tracing::info!(
            target: LOG_TARGET, method = %method, url = %shown, idempotency_key, status = status.as_u16(),
            duration_ms = elapsed_ms(started), request_bytes, response_bytes, "SAP call"
        );
        let body = match text {
            Ok(body) => body,
            Err(err) => {
                let error = transport_error(PROVIDER, &err, self.config.timeout);
                tracing::warn!(target: LOG_TARGET, method = %method, url = %shown, idempotency_key, error = %error, "SAP answer unreadable");
                return Err(error);
            }
        };
        if bodies == Bodies::Logged {
            tracing::debug!(target: LOG_TARGET, method = %method, url = %shown, idempotency_key, status = status.as_u16(), body = %body, "SAP response body");
        }
        Ok(Raw { status, retry_after, body })
    }
}

/// Maps SAP's answer to the port's contract: 2xx is the answer; 408, 429 and 5xx are retryable (with
/// SAP's `Retry-After`); any other 4xx is SAP refusing, coded with the status; anything else is a
/// protocol error.
fn interpret(raw: Raw) -> Result<Answer, GatewayError> {
    let Raw { status, retry_after, body } = raw;
    if status.is_success() {
        return Ok(Answer { body });
    }
    if status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Err(GatewayError::Unavailable { message: format!("SAP answered HTTP {status}: {}", excerpt(&body)), retry_after });
    }
    if status.is_client_error() {
        return Err(GatewayError::Rejected { code: status.as_u16().to_string(), message: excerpt(&body) });
    }
    Err(GatewayError::Protocol(format!("SAP answered with unexpected HTTP {status}")))
}

/// The start of a body, on one line, for errors and logs.
fn excerpt(body: &str) -> String {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "(empty body)".to_owned();
    }
    match flat.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// The URL without `user:password@`, for logs.
fn without_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_owned() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(excerpt("  {\"error\":\n  \"bad\"} "), "{\"error\": \"bad\"}");
        assert_eq!(excerpt(""), "(empty body)");
        let long = "é".repeat(400);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn logged_urls_hide_credentials() {
        assert_eq!(without_userinfo("https://u:p@sap.example/api/x?y=1"), "https://sap.example/api/x?y=1");
        assert_eq!(without_userinfo("http://sap.example/api/a@b"), "http://sap.example/api/a@b");
    }
}
