//! The Tap Payments adapter: charges (`/v2/charges`), their retrieval and refunds (`/v2/refunds`) over
//! Tap's REST API with a bearer secret key, Tap's answers translated into `GatewayError`s once, and the
//! webhook `hashstring` check. The secret key never reaches logs or `Debug` output.
mod webhook;
mod wire;

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use sabil_core::error::GatewayError;
use sabil_core::ports::{Charge, ChargeRequest, PaymentGateway, PaymentMode, Refund, RefundRequest, WebhookRejected};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::{elapsed_ms, error_chain, retry_after, transport_error, unavailable};
pub(crate) use webhook::{WebhookSigner, hmac_hex};
pub(crate) use wire::{TapCharge, TapReference, TapTransaction, TapUrl, amount_number, raw_string};

/// Tap's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.tap.company";

/// How the shared HTTP failure messages name this provider.
const PROVIDER: &str = "Tap";

/// Where and with which key to call Tap.
#[derive(Clone)]
pub struct TapConfig {
    /// The secret API key, `sk_test_…` or `sk_live_…`; also the webhook signing key.
    pub secret_key: SecretString,
    /// The API host, [`DEFAULT_BASE_URL`] in production; tests point it at a local server.
    pub base_url: String,
    /// Limit for connecting and for the whole call.
    pub timeout: Duration,
}

impl fmt::Debug for TapConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TapConfig")
            .field("secret_key", &"[redacted]")
            .field("mode", &mode_of(self.secret_key.expose_secret()).map(PaymentMode::as_str))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The mode a secret key belongs to: `sk_test_` → test, `sk_live_` → live, anything else `None`.
#[must_use]
pub fn mode_of(secret_key: &str) -> Option<PaymentMode> {
    if secret_key.starts_with("sk_test_") {
        Some(PaymentMode::Test)
    } else if secret_key.starts_with("sk_live_") {
        Some(PaymentMode::Live)
    } else {
        None
    }
}

/// [`PaymentGateway`] backed by Tap.
#[derive(Debug)]
pub struct TapPaymentGateway {
    client: reqwest::Client,
    config: TapConfig,
    mode: PaymentMode,
    signer: WebhookSigner,
}

impl TapPaymentGateway {
    /// Builds the HTTP client with the configured timeout.
    ///
    /// # Errors
    /// `Unavailable` when the key is neither `sk_test_…` nor `sk_live_…` or the HTTP client cannot be
    /// built; both are fixed by the operator, not by retrying.
    pub fn new(config: TapConfig) -> Result<Self, GatewayError> {
        let mode = mode_of(config.secret_key.expose_secret())
            .ok_or_else(|| unavailable("the Tap secret key must start with sk_test_ or sk_live_"))?;
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // Tap's API does not redirect; following one would only send our key elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| unavailable(format!("could not build the Tap HTTP client: {}", error_chain(&err))))?;
        let signer = WebhookSigner::new(config.secret_key.expose_secret());
        Ok(Self { client, config, mode, signer })
    }

    /// Calls Tap and returns the body of a 2xx answer.
    async fn call(&self, method: Method, path: &str, body: Option<&impl Serialize>) -> Result<String, GatewayError> {
        let url = format!("{}{path}", self.config.base_url.trim_end_matches('/'));
        let mut request = self
            .client
            .request(method.clone(), &url)
            .bearer_auth(self.config.secret_key.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                let error = transport_error(PROVIDER, &err, self.config.timeout);
                tracing::info!(method = %method, url = %url, duration_ms = elapsed_ms(started), error = %error, "tap call failed");
                return Err(error);
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let text = response.text().await;
        tracing::info!(method = %method, url = %url, status = status.as_u16(), duration_ms = elapsed_ms(started), "tap call");
        let text = text.map_err(|err| transport_error(PROVIDER, &err, self.config.timeout))?;
        interpret(status, retry_after, text)
    }
}

#[async_trait]
impl PaymentGateway for TapPaymentGateway {
    fn mode(&self) -> PaymentMode {
        self.mode
    }

    fn provider(&self) -> &'static str {
        "tap"
    }

    async fn create_charge(&self, req: &ChargeRequest) -> Result<Charge, GatewayError> {
        let body = wire::create_charge_body(req).map_err(|message| GatewayError::Rejected { code: "invalid_request".into(), message })?;
        let text = self.call(Method::POST, "/v2/charges", Some(&body)).await?;
        parse_charge(&text)
    }

    async fn retrieve_charge(&self, charge_id: &str) -> Result<Charge, GatewayError> {
        check_id(charge_id)?;
        let text = self.call(Method::GET, &format!("/v2/charges/{charge_id}"), None::<&()>).await?;
        parse_charge(&text)
    }

    async fn refund(&self, req: &RefundRequest) -> Result<Refund, GatewayError> {
        check_id(&req.charge_id)?;
        let body = wire::create_refund_body(req).map_err(|message| GatewayError::Rejected { code: "invalid_request".into(), message })?;
        let text = self.call(Method::POST, "/v2/refunds", Some(&body)).await?;
        let refund: wire::TapRefund = serde_json::from_str(&text)
            .map_err(|e| GatewayError::Protocol(format!("Tap answered with a body that is not a refund: {e}")))?;
        refund.into_refund(req.amount.currency).map_err(|e| GatewayError::Protocol(format!("Tap's refund is unreadable: {e}")))
    }

    fn verify_webhook(&self, hashstring: Option<&str>, body: &[u8]) -> Result<String, WebhookRejected> {
        self.signer.verify(hashstring, body)
    }
}

fn parse_charge(text: &str) -> Result<Charge, GatewayError> {
    let charge: TapCharge =
        serde_json::from_str(text).map_err(|e| GatewayError::Protocol(format!("Tap answered with a body that is not a charge: {e}")))?;
    charge.into_charge().map_err(|e| GatewayError::Protocol(format!("Tap's charge is unreadable: {e}")))
}

/// A charge id goes into the URL path: refuse anything that could point the call elsewhere.
fn check_id(charge_id: &str) -> Result<(), GatewayError> {
    let fine = !charge_id.is_empty() && charge_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if fine {
        Ok(())
    } else {
        Err(GatewayError::Rejected { code: "invalid_request".into(), message: format!("{charge_id:?} is not a Tap charge id") })
    }
}

/// Maps Tap's answer to the port's contract: 2xx is the body, 429 and 5xx are retryable, any other 4xx
/// is Tap refusing (with its own error code), anything else is a protocol error.
fn interpret(status: StatusCode, retry_after: Option<Duration>, body: String) -> Result<String, GatewayError> {
    if status.is_success() {
        return Ok(body);
    }
    let (code, detail) = tap_error(&body).unwrap_or_else(|| (status.as_u16().to_string(), format!("HTTP {status}")));
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(GatewayError::Unavailable { message: format!("Tap is rate-limiting us ({code}): {detail}"), retry_after });
    }
    if status.is_server_error() {
        return Err(GatewayError::Unavailable { message: format!("Tap failed with HTTP {status} ({code}): {detail}"), retry_after });
    }
    if status.is_client_error() {
        return Err(GatewayError::Rejected { code, message: detail });
    }
    Err(GatewayError::Protocol(format!("Tap answered with unexpected HTTP {status}")))
}

/// The first error's code and every error's description from Tap's error body.
fn tap_error(body: &str) -> Option<(String, String)> {
    let errors = serde_json::from_str::<wire::TapErrors>(body).ok()?.errors;
    let code = errors.iter().find_map(|e| match &e.code {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })?;
    let detail = errors
        .iter()
        .filter_map(|e| e.description.as_deref().or(e.message.as_deref()).or(e.error.as_deref()))
        .filter(|d| !d.trim().is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    Some((code, if detail.is_empty() { "no description".to_owned() } else { detail }))
}

#[cfg(test)]
mod tests;
