//! The SAP settings: where SAP's API is and as whom we log in (none: the local stand-in), where the SAP
//! request log goes, and the pace of the sync-worker's pushes and pulls.
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;

use super::{ConfigError, Env};
use crate::gateways::sap::SapClientConfig;

/// SAP synchronisation.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SABIL_SAP_BASE_URL` | none: the local stand-in | SAP's API (`http(s)://host[:port][/prefix]`, no trailing slash needed) |
/// | `SABIL_SAP_LOGIN` | none | the login SAP gave us; required with `SABIL_SAP_BASE_URL` |
/// | `SABIL_SAP_PASSWORD` | none | its password (never shown); required with `SABIL_SAP_BASE_URL` |
/// | `SABIL_SAP_TIMEOUT_MS` | `10000` | limit for connecting and for each whole call, 1..=120000 |
/// | `SABIL_SAP_LOG_DIR` | `$SABIL_DATA_DIR/logs` | folder of the daily `sap-requests.YYYY-MM-DD.log` files |
/// | `SABIL_SAP_PUSH_BATCH` | `500` | changes read per push round, 1..=10000 |
/// | `SABIL_SAP_PUSH_CONCURRENCY` | `32` | pushes in flight at once, 1..=256 |
/// | `SABIL_SAP_MAX_ATTEMPTS` | `8` | failed pushes of a change before it is dead-lettered, 1..=100 |
/// | `SABIL_SAP_PULL_INTERVAL_SECS` | `30` | pause between reads of SAP's change feed, 1..=86400 |
/// | `SABIL_SAP_PUSH_INTERVAL_MS` | `1000` | pause between push rounds that found nothing to do, 10..=3600000 |
#[derive(Debug, Clone)]
pub struct SapConfig {
    /// SAP's API, when `SABIL_SAP_BASE_URL` is set; `None` means the local stand-in (`LocalErp`).
    pub client: Option<SapClientConfig>,
    /// `SABIL_SAP_LOG_DIR`: where the daily-rotated SAP request log is written.
    pub log_dir: PathBuf,
    /// `SABIL_SAP_PUSH_BATCH`: how many changes one push round reads.
    pub push_batch: u32,
    /// `SABIL_SAP_PUSH_CONCURRENCY`: how many pushes run at once (changes of one entity stay in order).
    pub push_concurrency: usize,
    /// `SABIL_SAP_MAX_ATTEMPTS`: failed pushes of one change before it is dead-lettered.
    pub max_attempts: u32,
    /// `SABIL_SAP_PULL_INTERVAL_SECS`: the pause between reads of SAP's change feed.
    pub pull_interval: Duration,
    /// `SABIL_SAP_PUSH_INTERVAL_MS`: the pause between push rounds that found nothing to send.
    pub push_interval: Duration,
}

/// `SABIL_SAP_*` (other than `SABIL_SAP_TOKEN_TTL_SECS`, the lifetime of the tokens we give SAP).
pub(super) fn sap(env: &Env<'_>, data_dir: &Path) -> Result<SapConfig, ConfigError> {
    let client = match env.get("SABIL_SAP_BASE_URL") {
        None => None,
        Some(url) => {
            let base_url = url.trim_end_matches('/').to_owned();
            let host = base_url.strip_prefix("https://").or_else(|| base_url.strip_prefix("http://"));
            let problem = match host {
                None => Some("is not an http:// or https:// URL"),
                Some(rest) if rest.is_empty() || rest.starts_with('/') => Some("has no host"),
                Some(_) if base_url.contains(['?', '#', ' ']) => Some("must not have a query, a fragment or spaces"),
                Some(rest) if rest.split('/').next().is_some_and(|authority| authority.contains('@')) => {
                    Some("must not hold credentials (use SABIL_SAP_LOGIN and SABIL_SAP_PASSWORD)")
                }
                Some(_) => None,
            };
            if let Some(problem) = problem {
                return Err(Env::err("SABIL_SAP_BASE_URL", format!("{:?} {problem}", redact_userinfo(url))));
            }
            let login = env.get("SABIL_SAP_LOGIN").ok_or_else(|| Env::err("SABIL_SAP_LOGIN", "is required with SABIL_SAP_BASE_URL"))?;
            let password =
                env.get("SABIL_SAP_PASSWORD").ok_or_else(|| Env::err("SABIL_SAP_PASSWORD", "is required with SABIL_SAP_BASE_URL"))?;
            let timeout_ms: u64 = env.parse("SABIL_SAP_TIMEOUT_MS", 10_000, "a number of milliseconds")?;
            if timeout_ms == 0 || timeout_ms > 120_000 {
                return Err(Env::err("SABIL_SAP_TIMEOUT_MS", "must be between 1 and 120000 milliseconds"));
            }
            Some(SapClientConfig {
                base_url,
                login: login.to_owned(),
                password: SecretString::from(password.to_owned()),
                timeout: Duration::from_millis(timeout_ms),
            })
        }
    };
    let log_dir = env.get("SABIL_SAP_LOG_DIR").map_or_else(|| data_dir.join("logs"), PathBuf::from);
    let push_interval_ms = bounded(env, "SABIL_SAP_PUSH_INTERVAL_MS", 1000, 10, 3_600_000, "a number of milliseconds")?;
    Ok(SapConfig {
        client,
        log_dir,
        push_batch: u32::try_from(bounded(env, "SABIL_SAP_PUSH_BATCH", 500, 1, 10_000, "a number of changes")?).unwrap_or(500),
        push_concurrency: usize::try_from(bounded(env, "SABIL_SAP_PUSH_CONCURRENCY", 32, 1, 256, "a number of pushes")?).unwrap_or(32),
        max_attempts: u32::try_from(bounded(env, "SABIL_SAP_MAX_ATTEMPTS", 8, 1, 100, "a number of attempts")?).unwrap_or(8),
        pull_interval: env.secs("SABIL_SAP_PULL_INTERVAL_SECS", 30, 24 * 3600)?,
        push_interval: Duration::from_millis(push_interval_ms),
    })
}

/// A whole number in `min..=max`.
fn bounded(env: &Env<'_>, var: &'static str, default: u64, min: u64, max: u64, what: &str) -> Result<u64, ConfigError> {
    let value: u64 = env.parse(var, default, what)?;
    if value < min || value > max {
        return Err(Env::err(var, format!("must be between {min} and {max}")));
    }
    Ok(value)
}

/// The URL with any `user:password@` replaced, for error messages.
fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => format!("{}***{}", &url[..scheme_end + 3], &url[at..]),
        _ => url.to_owned(),
    }
}

/// The effective SAP settings for `sabil config check`, the password redacted.
pub(super) fn redacted(s: &SapConfig) -> Vec<(&'static str, String)> {
    let client = s.client.as_ref();
    vec![
        ("SABIL_SAP_BASE_URL", client.map_or("(none: local SAP stand-in)".to_owned(), |c| c.base_url.clone())),
        ("SABIL_SAP_LOGIN", client.map_or("(unused)".to_owned(), |c| c.login.clone())),
        ("SABIL_SAP_PASSWORD", client.map_or("(unused)".to_owned(), |_| "(set, redacted)".to_owned())),
        ("SABIL_SAP_TIMEOUT_MS", client.map_or("(unused)".to_owned(), |c| c.timeout.as_millis().to_string())),
        ("SABIL_SAP_LOG_DIR", s.log_dir.display().to_string()),
        ("SABIL_SAP_PUSH_BATCH", s.push_batch.to_string()),
        ("SABIL_SAP_PUSH_CONCURRENCY", s.push_concurrency.to_string()),
        ("SABIL_SAP_MAX_ATTEMPTS", s.max_attempts.to_string()),
        ("SABIL_SAP_PULL_INTERVAL_SECS", s.pull_interval.as_secs().to_string()),
        ("SABIL_SAP_PUSH_INTERVAL_MS", s.push_interval.as_millis().to_string()),
    ]
}
