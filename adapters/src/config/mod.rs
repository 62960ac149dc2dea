//! The one configuration tree, read from `SABIL_*` environment variables over defaults that work
//! on one machine with no services. A bad value stops the start with one line naming the variable,
//! what is wrong and an example of a good value. Secrets never appear in `Debug` output.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use secrecy::SecretString;

use crate::files::FilesLocation;
use crate::gateways::twilio::TwilioConfig;

mod payments;
mod push;
mod sap;

pub use payments::PaymentsConfig;
pub use sap::SapConfig;

/// Development (the embedded default) or production (refuses unsafe defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Where the JWT signing key comes from.
#[derive(Debug, Clone)]
pub enum JwtSecret {
    /// `SABIL_JWT_SECRET`.
    Configured(SecretString),
    /// Generated once and kept in this file (development only).
    Persisted(PathBuf),
}

/// The whole configuration. Its `Debug` output is the redacted view (no passwords or keys).
#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub db_max_connections: u32,
    pub auto_migrate: bool,
    pub redis_url: Option<String>,
    /// Where uploaded files are kept: a local folder or an Azure Blob container.
    pub files: FilesLocation,
    pub jwt_secret: JwtSecret,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub sap_token_ttl: Duration,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub cors_origins: Vec<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub trusted_proxies: Vec<IpNet>,
    pub max_body_bytes: usize,
    pub shutdown_grace: Duration,
    pub docs_enabled: bool,
    /// Seed the demo accounts (development only).
    pub demo_data: bool,
    /// With the demo data, also a 90-day order history (once, into a database without orders).
    pub demo_history: bool,
    /// The IANA zone delivery slots are set in.
    pub time_zone: String,
    /// How long before its start a slot stops taking orders.
    pub order_cutoff: Duration,
    pub twilio: Option<TwilioConfig>,
    /// The country Sabil sells in, as its two-letter code: `AE` or `KW`.
    pub country: String,
    /// Where this service is reached from outside (no trailing slash): the base of the payment
    /// redirect and webhook URLs and of the payment sandbox's page.
    pub public_url: String,
    /// Tap or the built-in payment sandbox, cash on delivery, when to re-check pending payments.
    pub payments: PaymentsConfig,
    /// SAP's API (or the local stand-in), the SAP request log and the sync-worker's pace.
    pub sap: SapConfig,
    /// Firebase Cloud Messaging; `None`: the local push stand-in (`sabil push list`).
    pub fcm: Option<crate::gateways::fcm::FcmConfig>,
}

/// A setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {problem} (example: {var}={example})")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
    pub example: &'static str,
}

/// One documented variable: name, default (as text), example; the README table lists the same.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("SABIL_ENV", "development", "production"),
    ("SABIL_BIND", "127.0.0.1:8080", "0.0.0.0:8080"),
    ("SABIL_DATA_DIR", "./data", "/var/lib/sabil"),
    ("SABIL_DATABASE_URL", "sqlite://$SABIL_DATA_DIR/sabil.db", "postgres://sabil@db:5432/sabil"),
    ("SABIL_DB_MAX_CONNECTIONS", "10", "20"),
    ("SABIL_AUTO_MIGRATE", "true on SQLite, false on PostgreSQL", "true"),
    ("SABIL_REDIS_URL", "(none: in-process counters)", "redis://redis:6379/0"),
    ("SABIL_FILES_URL", "(none: the folder $SABIL_DATA_DIR/files)", "az://sabil-files/images"),
    ("SABIL_JWT_SECRET", "(development: generated into $SABIL_DATA_DIR/jwt-secret)", "a random string of 32+ bytes"),
    ("SABIL_ACCESS_TOKEN_TTL_SECS", "900", "600"),
    ("SABIL_REFRESH_TOKEN_TTL_SECS", "2592000", "1209600"),
    ("SABIL_SAP_TOKEN_TTL_SECS", "3600", "1800"),
    ("SABIL_LOG_FORMAT", "pretty", "json"),
    ("SABIL_LOG", "info", "info,sabil_api=debug"),
    ("SABIL_CORS_ORIGINS", "(none)", "https://admin.sabil.example,https://sabil.example"),
    ("SABIL_TLS_CERT", "(none: plain HTTP)", "/etc/sabil/tls/cert.pem"),
    ("SABIL_TLS_KEY", "(none)", "/etc/sabil/tls/key.pem"),
    ("SABIL_TRUSTED_PROXIES", "(none)", "10.0.0.0/8,127.0.0.1/32"),
    ("SABIL_MAX_BODY_BYTES", "1048576", "2097152"),
    ("SABIL_SHUTDOWN_GRACE_SECS", "30", "10"),
    ("SABIL_DOCS", "true", "false"),
    ("SABIL_DEMO_DATA", "true in development on SQLite bound to loopback, else false; refused in production", "false"),
    ("SABIL_DEMO_HISTORY", "true (with the demo data: a 90-day order history, once, into a database without orders)", "false"),
    ("SABIL_TIME_ZONE", "Asia/Dubai", "Asia/Kuwait"),
    ("SABIL_ORDER_CUTOFF_MINUTES", "120", "90"),
    ("SABIL_TWILIO_ACCOUNT_SID", "(none: local SMS outbox)", "AC0123456789abcdef0123456789abcdef"),
    ("SABIL_TWILIO_AUTH_TOKEN", "(none)", "your-auth-token"),
    ("SABIL_TWILIO_FROM", "(none)", "+15005550006"),
    ("SABIL_TWILIO_MESSAGING_SERVICE_SID", "(none)", "MG0123456789abcdef0123456789abcdef"),
    ("SABIL_TWILIO_BASE_URL", "https://api.twilio.com", "http://127.0.0.1:9999"),
    ("SABIL_TWILIO_TIMEOUT_MS", "10000", "5000"),
    ("SABIL_COUNTRY", "AE", "KW"),
    ("SABIL_PUBLIC_URL", "http://$SABIL_BIND", "https://api.sabil.example"),
    ("SABIL_TAP_SECRET_KEY", "(none: built-in payment sandbox; required in production)", "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX"),
    ("SABIL_TAP_BASE_URL", "https://api.tap.company", "http://127.0.0.1:9999"),
    ("SABIL_TAP_TIMEOUT_MS", "15000", "10000"),
    ("SABIL_CASH_ON_DELIVERY", "false", "true"),
    ("SABIL_PAYMENT_CHECK_AFTER_SECS", "300", "120"),
    ("SABIL_SAP_BASE_URL", "(none: local SAP stand-in)", "https://sap.sabil.example"),
    ("SABIL_SAP_LOGIN", "(none; required with SABIL_SAP_BASE_URL)", "sabil-app"),
    ("SABIL_SAP_PASSWORD", "(none; required with SABIL_SAP_BASE_URL)", "the-password-sap-gave-us"),
    ("SABIL_SAP_TIMEOUT_MS", "10000", "5000"),
    ("SABIL_SAP_LOG_DIR", "$SABIL_DATA_DIR/logs", "/var/log/sabil"),
    ("SABIL_SAP_PUSH_BATCH", "500", "200"),
    ("SABIL_SAP_PUSH_CONCURRENCY", "32", "8"),
    ("SABIL_SAP_MAX_ATTEMPTS", "8", "12"),
    ("SABIL_SAP_PULL_INTERVAL_SECS", "30", "60"),
    ("SABIL_SAP_PUSH_INTERVAL_MS", "1000", "500"),
    ("SABIL_FCM_CREDENTIALS_FILE", "(none: local push stand-in)", "/etc/sabil/firebase-service-account.json"),
    ("SABIL_FCM_CREDENTIALS_JSON", "(none)", "{\"type\":\"service_account\",...}"),
    ("SABIL_FCM_PROJECT_ID", "(the key file's project_id)", "sabil-prod"),
    ("SABIL_FCM_BASE_URL", "https://fcm.googleapis.com", "http://127.0.0.1:9999"),
    ("SABIL_FCM_TIMEOUT_MS", "10000", "5000"),
];

fn example(var: &'static str) -> &'static str {
    VARIABLES.iter().find(|(v, _, _)| *v == var).map_or("", |(_, _, e)| e)
}

struct Env<'a>(&'a HashMap<String, String>);

impl Env<'_> {
    fn get(&self, var: &'static str) -> Option<&str> {
        self.0.get(var).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    fn err(var: &'static str, problem: impl Into<String>) -> ConfigError {
        ConfigError { var, problem: problem.into(), example: example(var) }
    }

    fn parse<T: std::str::FromStr>(&self, var: &'static str, default: T, what: &str) -> Result<T, ConfigError> {
        match self.get(var) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| Self::err(var, format!("{v:?} is not {what}"))),
        }
    }

    fn flag(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(var).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(Self::err(var, format!("{v:?} is not true or false"))),
        }
    }

    fn secs(&self, var: &'static str, default: u64, max: u64) -> Result<Duration, ConfigError> {
        let secs: u64 = self.parse(var, default, "a whole number of seconds")?;
        if secs == 0 || secs > max {
            return Err(Self::err(var, format!("must be between 1 and {max} seconds")));
        }
        Ok(Duration::from_secs(secs))
    }
}

impl Config {
    /// Reads the process environment.
    ///
    /// # Errors
    /// The first unusable setting.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads the given variables (tests pass their own).
    ///
    /// # Errors
    /// The first unusable setting.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let env = Env(vars);
        let environment = match env.get("SABIL_ENV").map(str::to_ascii_lowercase).as_deref() {
            None | Some("development" | "dev") => Environment::Development,
            Some("production" | "prod") => Environment::Production,
            Some(v) => return Err(Env::err("SABIL_ENV", format!("{v:?} is neither development nor production"))),
        };
        let production = environment == Environment::Production;
        let data_dir = PathBuf::from(env.get("SABIL_DATA_DIR").unwrap_or("./data"));
        let database_url = match env.get("SABIL_DATABASE_URL") {
            Some(url) if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") => url.to_owned(),
            Some(url) => {
                return Err(Env::err(
                    "SABIL_DATABASE_URL",
                    format!("{:?} is neither a sqlite: nor a postgres:// URL", url.split(':').next().unwrap_or("")),
                ));
            }
            None => format!("sqlite://{}", data_dir.join("sabil.db").display()),
        };
        let is_sqlite = database_url.starts_with("sqlite:");
        let files = FilesLocation::parse(env.get("SABIL_FILES_URL"), &data_dir).map_err(|problem| Env::err("SABIL_FILES_URL", problem))?;
        let jwt_secret = match env.get("SABIL_JWT_SECRET") {
            Some(s) if s.len() >= 32 => JwtSecret::Configured(SecretString::from(s.to_owned())),
            Some(_) => return Err(Env::err("SABIL_JWT_SECRET", "is shorter than 32 bytes")),
            None if production => return Err(Env::err("SABIL_JWT_SECRET", "is required when SABIL_ENV=production")),
            None => JwtSecret::Persisted(data_dir.join("jwt-secret")),
        };
        let redis_url = match env.get("SABIL_REDIS_URL") {
            Some(u) if u.starts_with("redis://") || u.starts_with("rediss://") => Some(u.to_owned()),
            Some(u) => return Err(Env::err("SABIL_REDIS_URL", format!("{u:?} is not a redis:// URL"))),
            None => None,
        };
        let tls_cert = env.get("SABIL_TLS_CERT").map(PathBuf::from);
        let tls_key = env.get("SABIL_TLS_KEY").map(PathBuf::from);
        match (&tls_cert, &tls_key) {
            (Some(_), None) => return Err(Env::err("SABIL_TLS_KEY", "must be set together with SABIL_TLS_CERT")),
            (None, Some(_)) => return Err(Env::err("SABIL_TLS_CERT", "must be set together with SABIL_TLS_KEY")),
            _ => {}
        }
        let trusted_proxies = env
            .get("SABIL_TRUSTED_PROXIES")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse::<IpNet>().or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from)))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| Env::err("SABIL_TRUSTED_PROXIES", format!("{list:?} is not a comma-separated list of IPs or CIDR ranges")))
            })
            .transpose()?
            .unwrap_or_default();
        let cors_origins: Vec<String> = env
            .get("SABIL_CORS_ORIGINS")
            .map(|l| l.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        if let Some(bad) = cors_origins.iter().find(|o| !(o.starts_with("https://") || o.starts_with("http://")) || o.ends_with('/')) {
            return Err(Env::err("SABIL_CORS_ORIGINS", format!("{bad:?} is not an origin like https://host[:port]")));
        }
        let log_format = match env.get("SABIL_LOG_FORMAT").map(str::to_ascii_lowercase).as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(v) => return Err(Env::err("SABIL_LOG_FORMAT", format!("{v:?} is neither pretty nor json"))),
        };
        let max_body_bytes: usize = env.parse("SABIL_MAX_BODY_BYTES", 1024 * 1024, "a number of bytes")?;
        if max_body_bytes < 1024 {
            return Err(Env::err("SABIL_MAX_BODY_BYTES", "must be at least 1024"));
        }
        let db_max_connections: u32 = env.parse("SABIL_DB_MAX_CONNECTIONS", 10, "a number of connections")?;
        if db_max_connections == 0 {
            return Err(Env::err("SABIL_DB_MAX_CONNECTIONS", "must be at least 1"));
        }
        let bind: SocketAddr = env.parse("SABIL_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)), "a host:port address")?;
        // Demo accounts have published passwords: by default only on the embedded database served
        // to this machine alone; anywhere else only when asked for explicitly, never in production.
        let demo_default = !production && is_sqlite && bind.ip().is_loopback();
        let demo_data = match env.flag("SABIL_DEMO_DATA", demo_default)? {
            true if production => {
                return Err(Env::err("SABIL_DEMO_DATA", "cannot be true when SABIL_ENV=production (demo accounts have public passwords)"));
            }
            flag => flag,
        };
        let sap = sap::sap(&env, &data_dir)?;
        Ok(Self {
            environment,
            bind,
            data_dir,
            db_max_connections,
            auto_migrate: env.flag("SABIL_AUTO_MIGRATE", is_sqlite)?,
            database_url,
            redis_url,
            files,
            jwt_secret,
            access_token_ttl: env.secs("SABIL_ACCESS_TOKEN_TTL_SECS", 900, 24 * 3600)?,
            refresh_token_ttl: env.secs("SABIL_REFRESH_TOKEN_TTL_SECS", 30 * 24 * 3600, 365 * 24 * 3600)?,
            sap_token_ttl: env.secs("SABIL_SAP_TOKEN_TTL_SECS", 3600, 24 * 3600)?,
            log_format,
            log_filter: env.get("SABIL_LOG").unwrap_or("info").to_owned(),
            cors_origins,
            tls_cert,
            tls_key,
            trusted_proxies,
            max_body_bytes,
            shutdown_grace: env.secs("SABIL_SHUTDOWN_GRACE_SECS", 30, 3600)?,
            docs_enabled: env.flag("SABIL_DOCS", true)?,
            demo_data,
            demo_history: env.flag("SABIL_DEMO_HISTORY", true)? && demo_data,
            time_zone: match env.get("SABIL_TIME_ZONE") {
                None => "Asia/Dubai".to_owned(),
                Some(name) if crate::time_zone::IanaTimeZone::named(name).is_ok() => name.to_owned(),
                Some(name) => return Err(Env::err("SABIL_TIME_ZONE", format!("{name:?} is not an IANA time zone name"))),
            },
            order_cutoff: Duration::from_secs(
                60 * env.parse::<u64>("SABIL_ORDER_CUTOFF_MINUTES", 120, "a whole number of minutes")?.min(7 * 24 * 60),
            ),
            twilio: twilio(&env, production)?,
            country: payments::country(&env)?,
            public_url: payments::public_url(&env, bind)?,
            payments: payments::payments(&env, production)?,
            sap,
            fcm: push::fcm(&env)?,
        })
    }

    /// Every effective setting as `(variable, value)`, secrets redacted; for `sabil config check`.
    #[must_use]
    pub fn redacted(&self) -> Vec<(&'static str, String)> {
        let opt = |v: &Option<PathBuf>| v.as_ref().map_or("(none)".to_owned(), |p| p.display().to_string());
        let twilio = self.twilio.as_ref();
        let mut rows = vec![
            ("SABIL_ENV", format!("{:?}", self.environment).to_lowercase()),
            ("SABIL_BIND", self.bind.to_string()),
            ("SABIL_DATA_DIR", self.data_dir.display().to_string()),
            ("SABIL_DATABASE_URL", redact_url(&self.database_url)),
            ("SABIL_DB_MAX_CONNECTIONS", self.db_max_connections.to_string()),
            ("SABIL_AUTO_MIGRATE", self.auto_migrate.to_string()),
            ("SABIL_REDIS_URL", self.redis_url.as_deref().map_or("(none: in-process counters)".to_owned(), redact_url)),
            ("SABIL_FILES_URL", self.files.describe()),
            (
                "SABIL_JWT_SECRET",
                match &self.jwt_secret {
                    JwtSecret::Configured(_) => "(set, redacted)".to_owned(),
                    JwtSecret::Persisted(p) => format!("(generated, kept in {})", p.display()),
                },
            ),
            ("SABIL_ACCESS_TOKEN_TTL_SECS", self.access_token_ttl.as_secs().to_string()),
            ("SABIL_REFRESH_TOKEN_TTL_SECS", self.refresh_token_ttl.as_secs().to_string()),
            ("SABIL_SAP_TOKEN_TTL_SECS", self.sap_token_ttl.as_secs().to_string()),
            ("SABIL_LOG_FORMAT", format!("{:?}", self.log_format).to_lowercase()),
            ("SABIL_LOG", self.log_filter.clone()),
            ("SABIL_CORS_ORIGINS", if self.cors_origins.is_empty() { "(none)".to_owned() } else { self.cors_origins.join(",") }),
            ("SABIL_TLS_CERT", opt(&self.tls_cert)),
            ("SABIL_TLS_KEY", opt(&self.tls_key)),
            (
                "SABIL_TRUSTED_PROXIES",
                if self.trusted_proxies.is_empty() {
                    "(none)".to_owned()
                } else {
                    self.trusted_proxies.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
                },
            ),
            ("SABIL_MAX_BODY_BYTES", self.max_body_bytes.to_string()),
            ("SABIL_SHUTDOWN_GRACE_SECS", self.shutdown_grace.as_secs().to_string()),
            ("SABIL_DOCS", self.docs_enabled.to_string()),
            ("SABIL_DEMO_DATA", self.demo_data.to_string()),
            ("SABIL_DEMO_HISTORY", self.demo_history.to_string()),
            ("SABIL_TIME_ZONE", self.time_zone.clone()),
            ("SABIL_ORDER_CUTOFF_MINUTES", (self.order_cutoff.as_secs() / 60).to_string()),
            ("SABIL_TWILIO_ACCOUNT_SID", twilio.map_or("(none: local SMS outbox)".to_owned(), |t| t.account_sid.clone())),
            ("SABIL_TWILIO_AUTH_TOKEN", twilio.map_or("(none)".to_owned(), |_| "(set, redacted)".to_owned())),
            ("SABIL_TWILIO_FROM", twilio.and_then(|t| t.from.clone()).unwrap_or_else(|| "(none)".to_owned())),
            (
                "SABIL_TWILIO_MESSAGING_SERVICE_SID",
                twilio.and_then(|t| t.messaging_service_sid.clone()).unwrap_or_else(|| "(none)".to_owned()),
            ),
            ("SABIL_TWILIO_BASE_URL", twilio.map_or("(unused)".to_owned(), |t| t.base_url.clone())),
            ("SABIL_TWILIO_TIMEOUT_MS", twilio.map_or("(unused)".to_owned(), |t| t.timeout.as_millis().to_string())),
        ];
        rows.extend(payments::redacted(&self.country, &self.public_url, &self.payments));
        rows.extend(sap::redacted(&self.sap));
        rows.extend(push::redacted(self.fcm.as_ref()));
        rows
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.redacted()).finish()
    }
}

/// Hides the password of a URL's user info.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') { format!("{user}:***") } else { user.to_owned() };
            format!("{}{masked}{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

fn twilio(env: &Env<'_>, production: bool) -> Result<Option<TwilioConfig>, ConfigError> {
    let Some(account_sid) = env.get("SABIL_TWILIO_ACCOUNT_SID") else {
        if production {
            return Err(Env::err("SABIL_TWILIO_ACCOUNT_SID", "is required when SABIL_ENV=production (the local SMS outbox texts nobody)"));
        }
        return Ok(None);
    };
    if !account_sid.starts_with("AC") {
        return Err(Env::err("SABIL_TWILIO_ACCOUNT_SID", "must start with AC"));
    }
    let auth_token = env
        .get("SABIL_TWILIO_AUTH_TOKEN")
        .ok_or_else(|| Env::err("SABIL_TWILIO_AUTH_TOKEN", "is required with SABIL_TWILIO_ACCOUNT_SID"))?;
    let from = env.get("SABIL_TWILIO_FROM").map(str::to_owned);
    let messaging_service_sid = env.get("SABIL_TWILIO_MESSAGING_SERVICE_SID").map(str::to_owned);
    if from.is_none() && messaging_service_sid.is_none() {
        return Err(Env::err("SABIL_TWILIO_FROM", "or SABIL_TWILIO_MESSAGING_SERVICE_SID is required with SABIL_TWILIO_ACCOUNT_SID"));
    }
    let base_url = env.get("SABIL_TWILIO_BASE_URL").unwrap_or("https://api.twilio.com").trim_end_matches('/').to_owned();
    let timeout_ms: u64 = env.parse("SABIL_TWILIO_TIMEOUT_MS", 10_000, "a number of milliseconds")?;
    Ok(Some(TwilioConfig {
        account_sid: account_sid.to_owned(),
        auth_token: SecretString::from(auth_token.to_owned()),
        from,
        messaging_service_sid,
        base_url,
        timeout: Duration::from_millis(timeout_ms.max(1)),
    }))
}

#[cfg(test)]
mod tests;
