//! The market and payment settings: the country Sabil sells in, the public URL payment providers
//! send customers and webhooks back to, and Tap (or, without a key, the built-in sandbox).
use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{ConfigError, Env};
use crate::gateways::tap::{DEFAULT_BASE_URL, TapConfig, mode_of};

/// How customers pay.
#[derive(Debug, Clone)]
pub struct PaymentsConfig {
    /// Tap, when `SABIL_TAP_SECRET_KEY` is set; `None` means the built-in payment sandbox.
    pub tap: Option<TapConfig>,
    /// Whether customers may choose to pay the driver in cash.
    pub cash_on_delivery: bool,
    /// How long a payment may stay pending before the worker asks the provider about it.
    pub check_after: Duration,
}

/// `SABIL_COUNTRY`: the validated two-letter code, `AE` or `KW`.
pub(super) fn country(env: &Env<'_>) -> Result<String, ConfigError> {
    match env.get("SABIL_COUNTRY").map(str::to_ascii_uppercase).as_deref() {
        None => Ok("AE".to_owned()),
        Some(code @ ("AE" | "KW")) => Ok(code.to_owned()),
        Some(other) => Err(Env::err("SABIL_COUNTRY", format!("{other:?} is neither AE nor KW"))),
    }
}

/// `SABIL_PUBLIC_URL`: an http(s) URL without a trailing slash, query or fragment; `http://<bind>` by default.
pub(super) fn public_url(env: &Env<'_>, bind: SocketAddr) -> Result<String, ConfigError> {
    let Some(url) = env.get("SABIL_PUBLIC_URL") else {
        return Ok(format!("http://{bind}"));
    };
    let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let problem = match host {
        None => Some("is not an http:// or https:// URL"),
        Some(rest) if rest.is_empty() || rest.starts_with('/') => Some("has no host"),
        Some(_) if url.ends_with('/') => Some("must not end with a slash"),
        Some(_) if url.contains(['?', '#', ' ']) => Some("must not have a query, a fragment or spaces"),
        Some(_) => None,
    };
    match problem {
        Some(problem) => Err(Env::err("SABIL_PUBLIC_URL", format!("{url:?} {problem}"))),
        None => Ok(url.to_owned()),
    }
}

/// `SABIL_TAP_*`, `SABIL_CASH_ON_DELIVERY`, `SABIL_PAYMENT_CHECK_AFTER_SECS`.
pub(super) fn payments(env: &Env<'_>, production: bool) -> Result<PaymentsConfig, ConfigError> {
    let tap = match env.get("SABIL_TAP_SECRET_KEY") {
        None if production => {
            return Err(Env::err("SABIL_TAP_SECRET_KEY", "is required when SABIL_ENV=production (the payment sandbox collects no money)"));
        }
        None => None,
        Some(key) if mode_of(key).is_none() => return Err(Env::err("SABIL_TAP_SECRET_KEY", "must start with sk_test_ or sk_live_")),
        Some(key) => {
            let base_url = env.get("SABIL_TAP_BASE_URL").unwrap_or(DEFAULT_BASE_URL).trim_end_matches('/').to_owned();
            if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                return Err(Env::err("SABIL_TAP_BASE_URL", format!("{base_url:?} is not an http:// or https:// URL")));
            }
            let timeout_ms: u64 = env.parse("SABIL_TAP_TIMEOUT_MS", 15_000, "a number of milliseconds")?;
            if timeout_ms == 0 || timeout_ms > 120_000 {
                return Err(Env::err("SABIL_TAP_TIMEOUT_MS", "must be between 1 and 120000 milliseconds"));
            }
            Some(TapConfig { secret_key: SecretString::from(key.to_owned()), base_url, timeout: Duration::from_millis(timeout_ms) })
        }
    };
    Ok(PaymentsConfig {
        tap,
        cash_on_delivery: env.flag("SABIL_CASH_ON_DELIVERY", false)?,
        check_after: env.secs("SABIL_PAYMENT_CHECK_AFTER_SECS", 300, 24 * 3600)?,
    })
}

/// The effective payment settings for `sabil config check`, the key redacted.
pub(super) fn redacted(country: &str, public_url: &str, p: &PaymentsConfig) -> Vec<(&'static str, String)> {
    let tap = p.tap.as_ref();
    vec![
        ("SABIL_COUNTRY", country.to_owned()),
        ("SABIL_PUBLIC_URL", public_url.to_owned()),
        (
            "SABIL_TAP_SECRET_KEY",
            tap.map_or("(none: built-in payment sandbox)".to_owned(), |t| {
                let mode = mode_of(t.secret_key.expose_secret()).map_or("?", |m| m.as_str());
                format!("(set, {mode} mode, redacted)")
            }),
        ),
        ("SABIL_TAP_BASE_URL", tap.map_or("(unused)".to_owned(), |t| t.base_url.clone())),
        ("SABIL_TAP_TIMEOUT_MS", tap.map_or("(unused)".to_owned(), |t| t.timeout.as_millis().to_string())),
        ("SABIL_CASH_ON_DELIVERY", p.cash_on_delivery.to_string()),
        ("SABIL_PAYMENT_CHECK_AFTER_SECS", p.check_after.as_secs().to_string()),
    ]
}
