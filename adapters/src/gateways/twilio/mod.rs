//! The Twilio Messages API adapter: sends SMS through `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! and translates Twilio's answers into `GatewayError`s, once. Message bodies (one-time codes) and the
//! auth token never reach logs or `Debug` output.
use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::StatusCode;
use sabil_core::error::GatewayError;
use sabil_core::ports::{SmsGateway, SmsMessage};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{elapsed_ms, error_chain, retry_after, transport_error, unavailable};

/// Twilio's production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// How the shared HTTP failure messages name this provider.
const PROVIDER: &str = "Twilio";

/// Twilio's own error code for "Too Many Requests", which it may send with a status other than 429.
const TOO_MANY_REQUESTS_CODE: &str = "20429";

const NO_SENDER: &str = "Twilio needs a sender: configure a `from` number or a `messaging_service_sid`";

/// Where and as whom to call Twilio.
#[derive(Clone)]
pub struct TwilioConfig {
    /// The account SID (`AC…`), also the Basic-auth user name.
    pub account_sid: String,
    /// The account's auth token, the Basic-auth password.
    pub auth_token: SecretString,
    /// The sender number in E.164 form; used when no messaging service is configured.
    pub from: Option<String>,
    /// A messaging service (`MG…`); takes precedence over `from`.
    pub messaging_service_sid: Option<String>,
    /// The API host, [`DEFAULT_BASE_URL`] in production; tests point it at a local server.
    pub base_url: String,
    /// Limit for connecting and for the whole call.
    pub timeout: Duration,
}

impl fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"[redacted]")
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// [`SmsGateway`] backed by Twilio's Messages API.
#[derive(Debug)]
pub struct TwilioSms {
    client: reqwest::Client,
    config: TwilioConfig,
}

impl TwilioSms {
    /// Builds the HTTP client with the configured timeouts.
    ///
    /// # Errors
    /// `Unavailable` when neither `from` nor `messaging_service_sid` is set (Twilio would refuse every
    /// message) or when the HTTP client cannot be built; both are fixed by the operator, not by retrying.
    pub fn new(config: TwilioConfig) -> Result<Self, GatewayError> {
        if sender(&config).is_none() {
            return Err(unavailable(NO_SENDER));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // Twilio's API does not redirect; following one would only send our credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| unavailable(format!("could not build the Twilio HTTP client: {}", error_chain(&err))))?;
        Ok(Self { client, config })
    }

    fn messages_url(&self) -> String {
        format!("{}/2010-04-01/Accounts/{}/Messages.json", self.config.base_url.trim_end_matches('/'), self.config.account_sid)
    }
}

#[async_trait]
impl SmsGateway for TwilioSms {
    async fn send(&self, message: &SmsMessage) -> Result<String, GatewayError> {
        let (sender_field, sender_value) = sender(&self.config).ok_or_else(|| unavailable(NO_SENDER))?;
        // The URL holds the account SID only; the token travels in the Authorization header.
        let url = self.messages_url();
        let form = [("To", message.to.as_str()), ("Body", message.body.as_str()), (sender_field, sender_value)];
        let started = Instant::now();
        let sent = self
            .client
            .post(&url)
            .basic_auth(&self.config.account_sid, Some(self.config.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                let error = transport_error(PROVIDER, &err, self.config.timeout);
                tracing::info!(
                    method = "POST",
                    url = %url,
                    to = %message.to.masked(),
                    duration_ms = elapsed_ms(started),
                    error = %error,
                    "twilio call failed"
                );
                return Err(error);
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response.text().await;
        tracing::info!(
            method = "POST",
            url = %url,
            to = %message.to.masked(),
            status = status.as_u16(),
            duration_ms = elapsed_ms(started),
            "twilio call"
        );
        let body = body.map_err(|err| transport_error(PROVIDER, &err, self.config.timeout))?;
        interpret(status, retry_after, &body)
    }
}

/// The message resource Twilio returns on success; only the id matters to us.
#[derive(Deserialize)]
struct MessageResource {
    sid: String,
}

/// Twilio's error body: `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`.
#[derive(Deserialize)]
struct TwilioErrorBody {
    code: Option<serde_json::Value>,
    message: Option<String>,
}

/// Maps Twilio's answer to the port's contract.
fn interpret(status: StatusCode, retry_after: Option<Duration>, body: &str) -> Result<String, GatewayError> {
    if status.is_success() {
        return match serde_json::from_str::<MessageResource>(body) {
            Ok(resource) if !resource.sid.trim().is_empty() => Ok(resource.sid),
            Ok(_) => Err(GatewayError::Protocol(format!("Twilio answered {status} with an empty message sid"))),
            Err(err) => Err(GatewayError::Protocol(format!("Twilio answered {status} with a body that is not a message: {err}"))),
        };
    }

    let error = serde_json::from_str::<TwilioErrorBody>(body).ok();
    let twilio_code = error.as_ref().and_then(|e| e.code.as_ref()).and_then(code_text);
    let detail = error.and_then(|e| e.message).filter(|m| !m.trim().is_empty()).unwrap_or_else(|| format!("HTTP {status}"));
    let code = twilio_code.clone().unwrap_or_else(|| status.as_u16().to_string());

    if status == StatusCode::TOO_MANY_REQUESTS || twilio_code.as_deref() == Some(TOO_MANY_REQUESTS_CODE) {
        return Err(GatewayError::Unavailable { message: format!("Twilio is rate-limiting us ({code}): {detail}"), retry_after });
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        // Our credentials are wrong: an operator problem, not the recipient's, so the message must not be
        // dropped as undeliverable.
        return Err(unavailable(format!(
            "Twilio refused our credentials ({code}: {detail}); check the configured account SID and auth token"
        )));
    }
    if status.is_server_error() {
        return Err(unavailable(format!("Twilio failed ({code}): {detail}")));
    }
    if status.is_client_error() {
        return Err(GatewayError::Rejected { code, message: detail });
    }
    Err(GatewayError::Protocol(format!("Twilio answered with unexpected HTTP {status}")))
}

/// Which sender field to send: a messaging service wins over a plain number.
fn sender(config: &TwilioConfig) -> Option<(&'static str, &str)> {
    if let Some(sid) = non_empty(config.messaging_service_sid.as_deref()) {
        return Some(("MessagingServiceSid", sid));
    }
    non_empty(config.from.as_deref()).map(|from| ("From", from))
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn code_text(code: &serde_json::Value) -> Option<String> {
    match code {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
