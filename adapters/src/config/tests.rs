//! Reading the configuration: defaults, refusals with their one-line messages, redaction.
use super::*;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn defaults_run_embedded_on_sqlite_in_the_data_dir() {
    let c = Config::from_vars(&vars(&[])).expect("defaults are valid");
    assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(c.database_url, "sqlite://./data/sabil.db");
    assert!(c.auto_migrate);
    assert!(matches!(c.jwt_secret, JwtSecret::Persisted(_)));
    assert!(c.twilio.is_none());
    assert!(c.demo_data, "demo accounts on the embedded default");
    let exposed = Config::from_vars(&vars(&[("SABIL_BIND", "0.0.0.0:8080")])).expect("valid");
    assert!(!exposed.demo_data, "no demo accounts with published passwords on a public address by default");
}

#[test]
fn token_lifetimes_are_bounded() {
    assert_eq!(
        Config::from_vars(&vars(&[("SABIL_ACCESS_TOKEN_TTL_SECS", "99999999999")])).expect_err("huge").var,
        "SABIL_ACCESS_TOKEN_TTL_SECS"
    );
    assert_eq!(Config::from_vars(&vars(&[("SABIL_REFRESH_TOKEN_TTL_SECS", "0")])).expect_err("zero").var, "SABIL_REFRESH_TOKEN_TTL_SECS");
}

#[test]
fn production_refuses_to_start_without_a_jwt_secret() {
    let err = Config::from_vars(&vars(&[("SABIL_ENV", "production")])).expect_err("must refuse");
    assert_eq!(err.var, "SABIL_JWT_SECRET");
    assert!(err.to_string().contains("example: SABIL_JWT_SECRET="));
}

#[test]
fn bad_values_name_the_variable_and_show_an_example() {
    let err = Config::from_vars(&vars(&[("SABIL_BIND", "localhost")])).expect_err("bad bind");
    assert_eq!(err.to_string(), "SABIL_BIND: \"localhost\" is not a host:port address (example: SABIL_BIND=0.0.0.0:8080)");
    assert_eq!(Config::from_vars(&vars(&[("SABIL_DATABASE_URL", "mysql://x")])).expect_err("mysql").var, "SABIL_DATABASE_URL");
    assert_eq!(Config::from_vars(&vars(&[("SABIL_TLS_CERT", "/c.pem")])).expect_err("half tls").var, "SABIL_TLS_KEY");
    assert_eq!(Config::from_vars(&vars(&[("SABIL_TRUSTED_PROXIES", "10.0.0.0/33")])).expect_err("cidr").var, "SABIL_TRUSTED_PROXIES");
    let prod_demo = [("SABIL_ENV", "production"), ("SABIL_JWT_SECRET", "0123456789abcdef0123456789abcdef"), ("SABIL_DEMO_DATA", "true")];
    assert_eq!(Config::from_vars(&vars(&prod_demo)).expect_err("demo in production").var, "SABIL_DEMO_DATA");
}

#[test]
fn redacted_view_hides_passwords_and_secrets() {
    let c = Config::from_vars(&vars(&[
        ("SABIL_DATABASE_URL", "postgres://sabil:hunter2@db:5432/sabil"),
        ("SABIL_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
    ]))
    .expect("valid");
    let shown = format!("{:?}", c.redacted());
    assert!(!shown.contains("hunter2") && !shown.contains("0123456789abcdef"));
    assert!(shown.contains("postgres://sabil:***@db:5432/sabil"));
    assert!(!format!("{c:?}").contains("0123456789abcdef"), "Debug must not show the JWT secret");
    assert!(!format!("{c:?}").contains("hunter2"), "Debug must not show the database password");
    assert!(!c.auto_migrate, "PostgreSQL is migrated by `sabil db migrate` unless asked");
}

#[test]
fn files_live_in_the_data_folder_unless_an_azure_container_is_named() {
    let c = Config::from_vars(&vars(&[("SABIL_DATA_DIR", "/var/lib/sabil")])).expect("valid");
    assert_eq!(c.files, crate::files::FilesLocation::Local(PathBuf::from("/var/lib/sabil/files")));
    let c = Config::from_vars(&vars(&[("SABIL_FILES_URL", "az://sabil-files/images")])).expect("valid");
    assert!(c.redacted().contains(&("SABIL_FILES_URL", "az://sabil-files/images".to_owned())));
    let err = Config::from_vars(&vars(&[("SABIL_FILES_URL", "s3://bucket")])).expect_err("not supported");
    assert_eq!(
        err.to_string(),
        "SABIL_FILES_URL: \"s3\" is neither az://container/prefix nor file:///path (example: SABIL_FILES_URL=az://sabil-files/images)"
    );
}

const PRODUCTION: [(&str, &str); 6] = [
    ("SABIL_ENV", "production"),
    ("SABIL_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
    ("SABIL_TWILIO_ACCOUNT_SID", "AC1"),
    ("SABIL_TWILIO_AUTH_TOKEN", "t"),
    ("SABIL_TWILIO_FROM", "+15005550006"),
    ("SABIL_TAP_SECRET_KEY", "sk_live_abcdefabcdefabcdefabcdef"),
];

#[test]
fn payments_default_to_the_sandbox_in_the_uae_on_the_bind_address() {
    let c = Config::from_vars(&vars(&[("SABIL_BIND", "0.0.0.0:9090")])).expect("defaults are valid");
    assert_eq!(c.country, "AE");
    assert_eq!(c.public_url, "http://0.0.0.0:9090");
    assert!(c.payments.tap.is_none(), "no key: the built-in payment sandbox");
    assert!(!c.payments.cash_on_delivery);
    assert_eq!(c.payments.check_after, Duration::from_secs(300));
}

#[test]
fn a_tap_key_selects_tap_with_its_mode_base_url_and_timeout() {
    let c = Config::from_vars(&vars(&[
        ("SABIL_TAP_SECRET_KEY", "sk_test_XKokBfNWv6FIYuTMg5sLPjhJ"),
        ("SABIL_TAP_BASE_URL", "http://127.0.0.1:9999/"),
        ("SABIL_TAP_TIMEOUT_MS", "5000"),
        ("SABIL_COUNTRY", "kw"),
        ("SABIL_PUBLIC_URL", "https://api.sabil.example"),
        ("SABIL_CASH_ON_DELIVERY", "true"),
        ("SABIL_PAYMENT_CHECK_AFTER_SECS", "120"),
    ]))
    .expect("valid");
    let tap = c.payments.tap.as_ref().expect("Tap configured");
    assert_eq!((tap.base_url.as_str(), tap.timeout), ("http://127.0.0.1:9999", Duration::from_millis(5000)));
    assert_eq!((c.country.as_str(), c.public_url.as_str()), ("KW", "https://api.sabil.example"));
    assert!(c.payments.cash_on_delivery);
    assert_eq!(c.payments.check_after, Duration::from_secs(120));
    let default_tap = Config::from_vars(&vars(&[("SABIL_TAP_SECRET_KEY", "sk_live_x")])).expect("valid");
    let tap = default_tap.payments.tap.expect("Tap configured");
    assert_eq!((tap.base_url.as_str(), tap.timeout), ("https://api.tap.company", Duration::from_millis(15_000)));
}

#[test]
fn bad_payment_settings_name_the_variable() {
    let err = Config::from_vars(&vars(&[("SABIL_TAP_SECRET_KEY", "pk_test_abc")])).expect_err("a public key");
    assert_eq!(
        err.to_string(),
        "SABIL_TAP_SECRET_KEY: must start with sk_test_ or sk_live_ (example: SABIL_TAP_SECRET_KEY=sk_live_XXXXXXXXXXXXXXXXXXXXXXXX)"
    );
    assert!(!err.to_string().contains("pk_test_abc"), "the key is not echoed");
    for (var, value) in [
        ("SABIL_COUNTRY", "SA"),
        ("SABIL_PUBLIC_URL", "api.sabil.example"),
        ("SABIL_PUBLIC_URL", "https://api.sabil.example/"),
        ("SABIL_PUBLIC_URL", "https://"),
        ("SABIL_PUBLIC_URL", "https://x.example/?a=1"),
        ("SABIL_CASH_ON_DELIVERY", "maybe"),
        ("SABIL_PAYMENT_CHECK_AFTER_SECS", "0"),
    ] {
        assert_eq!(Config::from_vars(&vars(&[(var, value)])).expect_err(value).var, var, "{var}={value}");
    }
    let with_key = |extra: (&'static str, &'static str)| vars(&[("SABIL_TAP_SECRET_KEY", "sk_test_x"), extra]);
    assert_eq!(Config::from_vars(&with_key(("SABIL_TAP_TIMEOUT_MS", "soon"))).expect_err("ms").var, "SABIL_TAP_TIMEOUT_MS");
    assert_eq!(Config::from_vars(&with_key(("SABIL_TAP_BASE_URL", "ftp://x"))).expect_err("scheme").var, "SABIL_TAP_BASE_URL");
}

#[test]
fn production_requires_a_tap_key_and_accepts_a_complete_setup() {
    let without_tap: Vec<_> = PRODUCTION.iter().filter(|(k, _)| *k != "SABIL_TAP_SECRET_KEY").copied().collect();
    let err = Config::from_vars(&vars(&without_tap)).expect_err("the sandbox collects no money");
    assert_eq!(err.var, "SABIL_TAP_SECRET_KEY");
    assert!(err.to_string().contains("SABIL_ENV=production"), "{err}");
    let c = Config::from_vars(&vars(&PRODUCTION)).expect("complete production setup");
    assert!(c.payments.tap.is_some());
}

#[test]
fn the_tap_key_is_redacted_everywhere() {
    let c = Config::from_vars(&vars(&PRODUCTION)).expect("valid");
    let shown = format!("{c:?} {:?}", c.redacted());
    assert!(!shown.contains("abcdefabcdef"), "{shown}");
    assert!(c.redacted().contains(&("SABIL_TAP_SECRET_KEY", "(set, live mode, redacted)".to_owned())));
    let names: Vec<_> = c.redacted().into_iter().map(|(name, _)| name).collect();
    let documented: Vec<_> = VARIABLES.iter().map(|(name, _, _)| *name).collect();
    assert_eq!(names, documented, "every documented variable is shown, in the same order");
}

#[test]
fn without_a_sap_url_the_local_stand_in_is_used_with_the_default_pace() {
    let c = Config::from_vars(&vars(&[])).expect("defaults are valid");
    assert!(c.sap.client.is_none(), "no SAP URL: the local stand-in");
    assert_eq!(c.sap.log_dir, PathBuf::from("./data/logs"));
    assert_eq!((c.sap.push_batch, c.sap.push_concurrency, c.sap.max_attempts), (500, 32, 8));
    assert_eq!((c.sap.pull_interval, c.sap.push_interval), (Duration::from_secs(30), Duration::from_millis(1000)));
    let moved = Config::from_vars(&vars(&[("SABIL_DATA_DIR", "/srv/sabil")])).expect("valid");
    assert_eq!(moved.sap.log_dir, PathBuf::from("/srv/sabil/logs"));
}

#[test]
fn a_sap_url_selects_the_http_client_with_its_login_and_timeout() {
    let c = Config::from_vars(&vars(&[
        ("SABIL_SAP_BASE_URL", "https://sap.sabil.example/"),
        ("SABIL_SAP_LOGIN", "sabil-app"),
        ("SABIL_SAP_PASSWORD", "s3cret-sap-password"),
        ("SABIL_SAP_TIMEOUT_MS", "2500"),
        ("SABIL_SAP_LOG_DIR", "/var/log/sabil"),
        ("SABIL_SAP_PUSH_BATCH", "200"),
        ("SABIL_SAP_PUSH_CONCURRENCY", "4"),
        ("SABIL_SAP_MAX_ATTEMPTS", "12"),
        ("SABIL_SAP_PULL_INTERVAL_SECS", "60"),
        ("SABIL_SAP_PUSH_INTERVAL_MS", "250"),
    ]))
    .expect("valid");
    let client = c.sap.client.as_ref().expect("SAP configured");
    assert_eq!((client.base_url.as_str(), client.login.as_str()), ("https://sap.sabil.example", "sabil-app"));
    assert_eq!(client.timeout, Duration::from_millis(2500));
    assert_eq!(c.sap.log_dir, PathBuf::from("/var/log/sabil"));
    assert_eq!((c.sap.push_batch, c.sap.push_concurrency, c.sap.max_attempts), (200, 4, 12));
    assert_eq!((c.sap.pull_interval, c.sap.push_interval), (Duration::from_secs(60), Duration::from_millis(250)));
    let default_timeout =
        Config::from_vars(&vars(&[("SABIL_SAP_BASE_URL", "http://127.0.0.1:9100"), ("SABIL_SAP_LOGIN", "a"), ("SABIL_SAP_PASSWORD", "b")]))
            .expect("valid");
    assert_eq!(default_timeout.sap.client.expect("SAP configured").timeout, Duration::from_millis(10_000));
}

#[test]
fn bad_sap_settings_name_the_variable() {
    let err = Config::from_vars(&vars(&[("SABIL_SAP_BASE_URL", "https://sap.sabil.example")])).expect_err("no login");
    assert_eq!(err.to_string(), "SABIL_SAP_LOGIN: is required with SABIL_SAP_BASE_URL (example: SABIL_SAP_LOGIN=sabil-app)");
    let without_password = [("SABIL_SAP_BASE_URL", "https://sap.sabil.example"), ("SABIL_SAP_LOGIN", "sabil-app")];
    assert_eq!(Config::from_vars(&vars(&without_password)).expect_err("no password").var, "SABIL_SAP_PASSWORD");
    let with_url = |url: &'static str| vars(&[("SABIL_SAP_BASE_URL", url), ("SABIL_SAP_LOGIN", "a"), ("SABIL_SAP_PASSWORD", "b")]);
    for url in ["sap.sabil.example", "ftp://sap", "https://", "https://sap.example/?x=1"] {
        assert_eq!(Config::from_vars(&with_url(url)).expect_err(url).var, "SABIL_SAP_BASE_URL", "{url}");
    }
    let err = Config::from_vars(&with_url("https://user:hunter2@sap.example")).expect_err("credentials in the URL");
    assert_eq!(err.var, "SABIL_SAP_BASE_URL");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let mut timeout = with_url("https://sap.example");
    timeout.insert("SABIL_SAP_TIMEOUT_MS".into(), "0".into());
    assert_eq!(Config::from_vars(&timeout).expect_err("zero timeout").var, "SABIL_SAP_TIMEOUT_MS");
    for (var, value) in [
        ("SABIL_SAP_PUSH_BATCH", "0"),
        ("SABIL_SAP_PUSH_BATCH", "many"),
        ("SABIL_SAP_PUSH_CONCURRENCY", "0"),
        ("SABIL_SAP_MAX_ATTEMPTS", "1000"),
        ("SABIL_SAP_PULL_INTERVAL_SECS", "0"),
        ("SABIL_SAP_PUSH_INTERVAL_MS", "1"),
    ] {
        assert_eq!(Config::from_vars(&vars(&[(var, value)])).expect_err(value).var, var, "{var}={value}");
    }
}

#[test]
fn the_sap_password_is_redacted_everywhere() {
    let c = Config::from_vars(&vars(&[
        ("SABIL_SAP_BASE_URL", "https://sap.sabil.example"),
        ("SABIL_SAP_LOGIN", "sabil-app"),
        ("SABIL_SAP_PASSWORD", "s3cret-sap-password"),
    ]))
    .expect("valid");
    let shown = format!("{c:?} {:?} {:?}", c.redacted(), c.sap);
    assert!(!shown.contains("s3cret-sap-password"), "{shown}");
    assert!(c.redacted().contains(&("SABIL_SAP_PASSWORD", "(set, redacted)".to_owned())));
    assert!(c.redacted().contains(&("SABIL_SAP_LOGIN", "sabil-app".to_owned())));
}
