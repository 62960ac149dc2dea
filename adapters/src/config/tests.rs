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
