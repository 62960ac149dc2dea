//! Clients of external systems behind the core's gateway ports, and their local stand-ins, with the
//! HTTP failure mapping they share. The local SMS stand-in keeps messages in the database
//! (`store::OutboxSms`), and so does the local push stand-in (`store::LocalPush`); the payment sandbox
//! keeps its charges there too (`sandbox_payments`).
pub mod fcm;
pub mod sandbox_payments;
pub mod sap;
pub mod tap;
pub mod twilio;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use sabil_core::error::GatewayError;
use sabil_core::ports::{Clock, PaymentGateway, PushGateway};
use secrecy::SecretString;

use crate::config::Config;
use crate::store::Db;
use sandbox_payments::SandboxPaymentGateway;
use tap::TapPaymentGateway;

/// The payment gateway in use, and the sandbox again when it is the one (its payment page needs it).
#[derive(Clone)]
pub struct PaymentGateways {
    /// Tap when `SABIL_TAP_SECRET_KEY` is set, else the built-in sandbox.
    pub gateway: Arc<dyn PaymentGateway>,
    /// The built-in sandbox, when it is the gateway in use.
    pub sandbox: Option<SandboxPaymentGateway>,
}

/// Tap when a secret key is configured, otherwise the built-in sandbox on `db`. The sandbox signs its
/// webhooks with a key derived from `server_secret` (the JWT secret), so every instance agrees on it.
///
/// # Errors
/// `Unavailable` when Tap's HTTP client cannot be built (fixed by the operator, not by retrying).
pub fn payment_gateway(
    config: &Config,
    db: &Db,
    server_secret: &SecretString,
    clock: Arc<dyn Clock>,
) -> Result<PaymentGateways, GatewayError> {
    if let Some(tap) = &config.payments.tap {
        return Ok(PaymentGateways { gateway: Arc::new(TapPaymentGateway::new(tap.clone())?), sandbox: None });
    }
    let sandbox = SandboxPaymentGateway::new(db.clone(), clock, sandbox_payments::sandbox_secret(server_secret), config.public_url.clone());
    Ok(PaymentGateways { gateway: Arc::new(sandbox.clone()), sandbox: Some(sandbox) })
}

/// Firebase Cloud Messaging when `SABIL_FCM_CREDENTIALS_*` is configured, otherwise the local stand-in
/// that keeps pushes in the database (`sabil push list`).
///
/// # Errors
/// `Unavailable` when FCM's HTTP client cannot be built (fixed by the operator, not by retrying).
pub fn push_gateway(config: &Config, db: &Db, clock: Arc<dyn Clock>) -> Result<Arc<dyn PushGateway>, GatewayError> {
    if let Some(fcm) = &config.fcm {
        return Ok(Arc::new(fcm::FcmPushGateway::new(fcm.clone(), clock)?));
    }
    if config.environment == crate::config::Environment::Production {
        tracing::warn!(
            "SABIL_FCM_CREDENTIALS_FILE is not set: pushes are only kept in the database (`sabil push list`), no phone gets them"
        );
    }
    Ok(Arc::new(crate::store::LocalPush::new(db.clone(), clock)))
}

/// `Retry-After` in seconds; the HTTP-date form is ignored (Twilio and Tap send seconds).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds))
}

/// A call that got no HTTP answer (timeout, refused connection, broken body): retryable.
pub(crate) fn transport_error(provider: &str, err: &reqwest::Error, timeout: Duration) -> GatewayError {
    let message = if err.is_timeout() {
        format!("{provider} did not answer within {} ms", timeout.as_millis())
    } else if err.is_connect() {
        format!("could not connect to {provider}: {}", error_chain(err))
    } else {
        format!("the call to {provider} failed: {}", error_chain(err))
    };
    unavailable(message)
}

pub(crate) fn unavailable(message: impl Into<String>) -> GatewayError {
    GatewayError::Unavailable { message: message.into(), retry_after: None }
}

/// The error and its causes on one line.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub(crate) fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;
    use sabil_core::ports::{PaymentMode, SystemClock};
    use std::collections::HashMap;

    async fn gateways(vars: &[(&str, &str)]) -> (PaymentGateways, tempfile::TempDir) {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let db = Db::connect(&format!("sqlite://{}", folder.path().join("sabil.db").display()), 1).await.expect("open SQLite");
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let config = Config::from_vars(&vars).expect("valid");
        let secret = SecretString::from("0123456789abcdef0123456789abcdef");
        (payment_gateway(&config, &db, &secret, Arc::new(SystemClock)).expect("built"), folder)
    }

    #[tokio::test]
    async fn without_a_tap_key_payments_go_to_the_sandbox() {
        let (built, _folder) = gateways(&[]).await;
        assert_eq!((built.gateway.provider(), built.gateway.mode()), ("sandbox", PaymentMode::Sandbox));
        assert!(built.sandbox.is_some());
    }

    #[tokio::test]
    async fn a_tap_key_selects_tap_in_its_mode() {
        let (built, _folder) = gateways(&[("SABIL_TAP_SECRET_KEY", "sk_live_abc")]).await;
        assert_eq!((built.gateway.provider(), built.gateway.mode()), ("tap", PaymentMode::Live));
        assert!(built.sandbox.is_none());
    }
}
