//! The `sabil` operators' tool against a real SQLite database in a temporary data directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn sabil(dir: &tempfile::TempDir, args: &[&str], stdin: Option<&str>, extra: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sabil"));
    cmd.env_clear().env("SABIL_DATA_DIR", dir.path()).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("sabil runs");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    }
    child.wait_with_output().expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn migrate_then_create_an_admin_and_a_sap_client() {
    let dir = tempfile::tempdir().expect("dir");
    let migrated = sabil(&dir, &["db", "migrate"], None, &[]);
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    assert!(text(&migrated.stdout).contains("sqlite database migrated"));

    let admin = sabil(&dir, &["admin", "create", "--phone", "+96550009999", "--name", "Operations Lead"], None, &[]);
    assert!(admin.status.success(), "{}", text(&admin.stderr));
    let out = text(&admin.stdout);
    assert!(out.contains("admin created") && out.contains("password (shown once): "), "{out}");

    let again = sabil(&dir, &["admin", "create", "--phone", "+96550009999", "--name", "Someone"], None, &[]);
    assert!(!again.status.success());
    assert_eq!(text(&again.stderr).lines().count(), 1, "one clear line: {}", text(&again.stderr));

    let chosen = sabil(
        &dir,
        &["admin", "create", "--phone", "+96550009998", "--name", "Ops", "--password-stdin"],
        Some("a-long-chosen-password\n"),
        &[],
    );
    assert!(chosen.status.success(), "{}", text(&chosen.stderr));
    assert!(!text(&chosen.stdout).contains("a-long-chosen-password"), "a chosen password is never echoed");

    let weak = sabil(&dir, &["admin", "create", "--phone", "+96550009997", "--name", "Ops", "--password-stdin"], Some("password\n"), &[]);
    assert!(!weak.status.success());
    assert!(text(&weak.stderr).starts_with("sabil: password:"), "{}", text(&weak.stderr));

    let admins = sabil(&dir, &["admin", "list", "--json"], None, &[]);
    let admins: serde_json::Value = serde_json::from_slice(&admins.stdout).expect("JSON");
    let phones: Vec<&str> = admins.as_array().expect("array").iter().map(|a| a["phone"].as_str().expect("phone")).collect();
    assert_eq!(phones, ["+96550009998", "+96550009999"], "newest first, admins only");
    let table = text(&sabil(&dir, &["admin", "list"], None, &[]).stdout);
    assert!(table.starts_with("PHONE") && table.contains("Operations Lead"), "{table}");

    let sap = sabil(&dir, &["sap-client", "create", "--name", "SAP production"], None, &[]);
    assert!(sap.status.success(), "{}", text(&sap.stderr));
    let out = text(&sap.stdout);
    assert!(out.contains("client id:") && out.contains("client secret (shown once):"), "{out}");
}

#[test]
fn sap_clients_are_listed_and_revoked() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(text(&sabil(&dir, &["sap-client", "list"], None, &[]).stdout).starts_with("no SAP clients yet"));
    for name in ["SAP production", "SAP test"] {
        assert!(sabil(&dir, &["sap-client", "create", "--name", name], None, &[]).status.success());
    }
    let listed: serde_json::Value =
        serde_json::from_slice(&sabil(&dir, &["sap-client", "list", "--json"], None, &[]).stdout).expect("JSON");
    let production = listed[0]["clientId"].as_str().expect("client id").to_owned();
    assert_eq!(
        (&listed[0]["name"], &listed[0]["revoked"], &listed[1]["revoked"]),
        (&"SAP production".into(), &false.into(), &false.into())
    );

    let revoked = sabil(&dir, &["sap-client", "revoke", &production], None, &[]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert!(text(&revoked.stdout).contains("revoked"));
    let table = text(&sabil(&dir, &["sap-client", "list"], None, &[]).stdout);
    let states: Vec<&str> = table.lines().skip(1).map(|l| l.rsplit(' ').next().unwrap_or_default()).collect();
    assert_eq!(states, ["revoked", "active"], "{table}");
    let unknown = sabil(&dir, &["sap-client", "revoke", "sap-nobody"], None, &[]);
    assert!(!unknown.status.success());
    assert_eq!(text(&unknown.stderr).trim(), "sabil: sap-client revoke: no SAP client has this client id");
}

#[test]
fn db_status_lists_applied_and_pending_migrations() {
    let dir = tempfile::tempdir().expect("dir");
    let before = text(&sabil(&dir, &["db", "status"], None, &[]).stdout);
    assert!(before.contains("pending") && before.contains("0 applied") && before.contains("run `sabil db migrate`"), "{before}");
    assert!(sabil(&dir, &["db", "migrate"], None, &[]).status.success());
    let after: serde_json::Value = serde_json::from_slice(&sabil(&dir, &["db", "status", "--json"], None, &[]).stdout).expect("JSON");
    assert_eq!(after["engine"], "sqlite");
    let migrations = after["migrations"].as_array().expect("array");
    assert!(migrations.iter().all(|m| m["state"] == "applied" && m["installedOn"].is_string()), "{after}");
    assert_eq!(migrations[0]["version"], 1);
}

#[test]
fn bad_input_is_one_line_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().expect("dir");
    let phone = sabil(&dir, &["admin", "create", "--phone", "96550009999", "--name", "Ops"], None, &[]);
    assert!(!phone.status.success());
    let err = text(&phone.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--phone") && err.contains("E.164"), "{err}");

    let config = sabil(&dir, &["config", "check"], None, &[("SABIL_ENV", "production")]);
    assert!(!config.status.success());
    let err = text(&config.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("SABIL_JWT_SECRET"), "{err}");
}

#[test]
fn config_check_prints_the_effective_settings_with_secrets_redacted() {
    let dir = tempfile::tempdir().expect("dir");
    let secret = "a-jwt-secret-that-must-stay-hidden-0123456789";
    let out = sabil(&dir, &["config", "check"], None, &[("SABIL_JWT_SECRET", secret), ("SABIL_LOG_FORMAT", "json")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(!printed.contains(secret));
    assert!(printed.contains("SABIL_JWT_SECRET") && printed.contains("(set, redacted)"), "{printed}");
    assert!(printed.contains("SABIL_LOG_FORMAT") && printed.contains("json"), "{printed}");
    assert!(printed.contains("configuration is valid"), "{printed}");
}

#[test]
fn sms_list_shows_the_local_outbox_newest_first() {
    let dir = tempfile::tempdir().expect("dir");
    sabil(&dir, &["db", "migrate"], None, &[]);
    let empty = sabil(&dir, &["sms", "list"], None, &[]);
    assert!(empty.status.success());
    assert_eq!(text(&empty.stdout).trim(), "no messages");

    // Two messages through the same stand-in the API uses.
    let url = format!("sqlite://{}", dir.path().join("sabil.db").display());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        use sabil_core::ports::SmsGateway as _;
        let db = sabil_adapters::store::Db::connect(&url, 1).await.expect("db");
        let outbox = sabil_adapters::store::OutboxSms::new(db, std::sync::Arc::new(sabil_core::ports::SystemClock));
        for body in ["first code 111111", "second code 222222"] {
            let to = sabil_core::domain::Phone::parse("+96550001234").expect("phone");
            outbox.send(&sabil_core::ports::SmsMessage { to, body: body.to_owned() }).await.expect("kept");
        }
    });
    let listed = text(&sabil(&dir, &["sms", "list"], None, &[]).stdout);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(lines[0].ends_with("+96550001234  second code 222222") && lines[1].ends_with("first code 111111"), "{listed}");

    let json = sabil(&dir, &["sms", "list", "--json", "--limit", "1"], None, &[]);
    assert!(json.status.success(), "{}", text(&json.stderr));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!((&json[0]["to"], &json[0]["body"]), (&"+96550001234".into(), &"second code 222222".into()), "{json}");
    let created = json[0]["createdAt"].as_str().expect("createdAt");
    assert!(time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339).is_ok(), "{created}");
}

#[test]
fn demo_load_fills_an_empty_database_once() {
    let dir = tempfile::tempdir().expect("dir");
    let first = sabil(&dir, &["demo", "load"], None, &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stdout).contains("demo data loaded: 2 accounts"), "{}", text(&first.stdout));
    let again = sabil(&dir, &["demo", "load"], None, &[]);
    assert!(text(&again.stdout).contains("demo data loaded: 0 accounts, 0 catalog rows"), "{}", text(&again.stdout));
    let refused = sabil(
        &dir,
        &["demo", "load"],
        None,
        &[
            ("SABIL_ENV", "production"),
            ("SABIL_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("SABIL_TWILIO_ACCOUNT_SID", "AC1"),
            ("SABIL_TWILIO_AUTH_TOKEN", "t"),
            ("SABIL_TWILIO_FROM", "+15005550006"),
            ("SABIL_TAP_SECRET_KEY", "sk_live_abcdefabcdefabcdefabcdef"),
        ],
    );
    assert!(!refused.status.success());
}
