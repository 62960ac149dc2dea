//! Firebase Cloud Messaging HTTP v1: pushes sent with `POST {base}/v1/projects/{project}/messages:send`
//! under an OAuth access token that a service account's RS256-signed JWT assertion is exchanged for at its
//! `token_uri`. The token is kept until shortly before it expires, fetched by one caller at a time; a 401
//! drops it and the push is tried once more with a new one. The private key, the assertion and the access
//! token never reach logs or `Debug` output; device tokens are logged by their first characters only.
mod credentials;
mod wire;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::StatusCode;
use sabil_core::error::GatewayError;
use sabil_core::ports::{Clock, PushGateway, PushMessage, PushOutcome};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::{elapsed_ms, error_chain, retry_after, transport_error, unavailable};
pub use credentials::{DEFAULT_TOKEN_URI, SCOPE, ServiceAccount};

/// FCM's production API host.
pub const DEFAULT_BASE_URL: &str = "https://fcm.googleapis.com";

/// How the shared HTTP failure messages name the two services.
const PROVIDER: &str = "FCM";
const TOKEN_PROVIDER: &str = "Google's token endpoint";

/// The grant type of a JWT-bearer assertion exchange.
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// How long before it expires a token is renewed (at most a tenth of its lifetime).
const RENEW_MARGIN: Duration = Duration::from_secs(60);

/// Where and as whom to call FCM.
#[derive(Clone)]
pub struct FcmConfig {
    /// The service account pushes are sent as.
    pub account: ServiceAccount,
    /// The Firebase project (from the key file, or `SABIL_FCM_PROJECT_ID`).
    pub project_id: String,
    /// The API host without a trailing slash, [`DEFAULT_BASE_URL`] in production; tests point it at a local server.
    pub base_url: String,
    /// Limit for connecting and for each whole call (token exchange and send alike).
    pub timeout: Duration,
    /// The key file the account was read from; `None` when it came inline (`SABIL_FCM_CREDENTIALS_JSON`).
    pub credentials_file: Option<PathBuf>,
}

impl fmt::Debug for FcmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FcmConfig")
            .field("account", &self.account)
            .field("project_id", &self.project_id)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("credentials_file", &self.credentials_file)
            .finish()
    }
}

/// An access token and when to stop using it.
struct AccessToken {
    value: SecretString,
    renew_at: OffsetDateTime,
}

/// [`PushGateway`] backed by FCM HTTP v1.
pub struct FcmPushGateway {
    client: reqwest::Client,
    config: FcmConfig,
    clock: Arc<dyn Clock>,
    /// The access token in use; the lock is held while fetching one, so only one exchange runs at a time.
    token: Mutex<Option<AccessToken>>,
}

impl fmt::Debug for FcmPushGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FcmPushGateway").field("config", &self.config).finish_non_exhaustive()
    }
}

/// One HTTP answer.
struct Answer {
    status: StatusCode,
    retry_after: Option<Duration>,
    body: String,
}

/// The first characters of a device token, enough to tell devices apart in logs.
pub(crate) fn token_prefix(token: &str) -> &str {
    token.char_indices().nth(12).map_or(token, |(i, _)| &token[..i])
}

impl FcmPushGateway {
    /// Builds the HTTP client with the configured timeouts; nothing is called yet (the first push fetches a token).
    ///
    /// # Errors
    /// `Unavailable` when the HTTP client cannot be built (fixed by the operator, not by retrying).
    pub fn new(config: FcmConfig, clock: Arc<dyn Clock>) -> Result<Self, GatewayError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // Neither endpoint redirects; following one would only send our token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| unavailable(format!("could not build the FCM HTTP client: {}", error_chain(&err))))?;
        Ok(Self { client, config, clock, token: Mutex::new(None) })
    }

    fn send_url(&self) -> String {
        format!("{}/v1/projects/{}/messages:send", self.config.base_url.trim_end_matches('/'), self.config.project_id)
    }

    /// The token to use: the cached one unless it is due for renewal or is `refused` (FCM answered 401 to
    /// it). Callers waiting on the lock while another fetches then share its token instead of fetching again.
    async fn access_token(&self, refused: Option<&SecretString>) -> Result<SecretString, GatewayError> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref() {
            let is_refused = refused.is_some_and(|r| r.expose_secret() == token.value.expose_secret());
            if self.clock.now() < token.renew_at && !is_refused {
                return Ok(token.value.clone());
            }
        }
        *slot = None;
        let token = self.fetch_token().await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    /// Exchanges a fresh assertion for an access token.
    async fn fetch_token(&self) -> Result<AccessToken, GatewayError> {
        let now = self.clock.now();
        let assertion = self
            .config
            .account
            .assertion(now)
            .map_err(|e| unavailable(format!("could not sign the FCM service-account assertion: {e}")))?;
        let url = &self.config.account.token_uri;
        let started = Instant::now();
        let sent = self.client.post(url).form(&[("grant_type", JWT_BEARER), ("assertion", assertion.as_str())]).send().await;
        let answer = self.read(sent, TOKEN_PROVIDER).await;
        // The answer's body holds the token: only its status is logged.
        tracing::info!(
            url = %url,
            status = answer.as_ref().ok().map(|a| a.status.as_u16()),
            duration_ms = elapsed_ms(started),
            "google token exchange for fcm"
        );
        let answer = answer?;
        if answer.status != StatusCode::OK {
            return Err(wire::token_refused(answer.status, answer.retry_after, &answer.body));
        }
        let (value, lifetime) = wire::read_token(&answer.body)?;
        let margin = RENEW_MARGIN.min(lifetime / 10);
        let keep = time::Duration::try_from(lifetime - margin).unwrap_or(time::Duration::ZERO);
        Ok(AccessToken { value: SecretString::from(value), renew_at: now + keep })
    }

    /// One `messages:send` call with `token`.
    async fn post(&self, message: &PushMessage, token: &SecretString) -> Result<Answer, GatewayError> {
        let url = self.send_url();
        let started = Instant::now();
        let sent = self.client.post(&url).bearer_auth(token.expose_secret()).json(&wire::send_body(message)).send().await;
        let answer = self.read(sent, PROVIDER).await;
        match &answer {
            Ok(a) => tracing::info!(
                url = %url,
                token = %token_prefix(&message.token),
                status = a.status.as_u16(),
                duration_ms = elapsed_ms(started),
                "fcm send"
            ),
            Err(e) => tracing::info!(
                url = %url,
                token = %token_prefix(&message.token),
                duration_ms = elapsed_ms(started),
                error = %e,
                "fcm send failed"
            ),
        }
        answer
    }

    async fn read(&self, sent: Result<reqwest::Response, reqwest::Error>, provider: &str) -> Result<Answer, GatewayError> {
        let response = sent.map_err(|err| transport_error(provider, &err, self.config.timeout))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response.text().await.map_err(|err| transport_error(provider, &err, self.config.timeout))?;
        Ok(Answer { status, retry_after, body })
    }
}

/// A 401 that a new access token may cure (not one about the app's APNs or web-push credentials).
fn refuses_our_token(answer: &Answer) -> bool {
    answer.status == StatusCode::UNAUTHORIZED && wire::FcmError::parse(&answer.body).error_code.as_deref() != Some("THIRD_PARTY_AUTH_ERROR")
}

#[async_trait]
impl PushGateway for FcmPushGateway {
    async fn send(&self, message: &PushMessage) -> Result<PushOutcome, GatewayError> {
        let token = self.access_token(None).await?;
        let mut answer = self.post(message, &token).await?;
        if refuses_our_token(&answer) {
            tracing::info!("FCM refused our access token; fetching a new one");
            let fresh = self.access_token(Some(&token)).await?;
            answer = self.post(message, &fresh).await?;
            if refuses_our_token(&answer) {
                // The exchange works but its token does not: our account lacks the permission, never the push's fault.
                let detail = wire::FcmError::parse(&answer.body).message.unwrap_or_else(|| "HTTP 401".to_owned());
                return Err(unavailable(format!(
                    "FCM refused a fresh access token ({detail}); check that the service account may send messages in project {}",
                    self.config.project_id
                )));
            }
        }
        wire::interpret(answer.status, answer.retry_after, &answer.body)
    }

    fn name(&self) -> &'static str {
        "fcm"
    }
}

#[cfg(test)]
mod tests;
