//! `sabil demo history` against a real SQLite database in a temporary data directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output, Stdio};

fn sabil(dir: &tempfile::TempDir, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sabil"));
    cmd.env_clear().env("SABIL_DATA_DIR", dir.path()).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().expect("sabil runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn demo_history_loads_the_catalog_first_then_adds_the_orders() {
    let dir = tempfile::tempdir().expect("dir");
    let args = ["demo", "history", "--orders", "300", "--days", "20", "--end", "2026-11-30", "--seed", "3"];
    let loaded = sabil(&dir, &args, &[]);
    assert!(loaded.status.success(), "{}", text(&loaded.stderr));
    let out = text(&loaded.stdout);
    assert!(out.contains("demo accounts and catalog loaded first (2 accounts"), "{out}");
    assert!(out.contains("300 orders (numbers 100001..100300)") && out.contains("20 days ending 2026-11-30"), "{out}");
    // An explicit history is added each time; the demo load then sees orders and adds none.
    let again = sabil(&dir, &args, &[]);
    assert!(text(&again.stdout).contains("300 orders (numbers 100301..100600)"), "{}", text(&again.stdout));
    let demo = sabil(&dir, &["demo", "load"], &[]);
    assert!(text(&demo.stdout).contains("0 history orders"), "{}", text(&demo.stdout));
}

#[test]
fn demo_history_refuses_a_future_end_bad_counts_and_production_in_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    for (args, needle) in [
        (&["demo", "history", "--end", "2999-01-01"][..], "--end: 2999-01-01 is after today"),
        (&["demo", "history", "--end", "30/11/2026"][..], "is not a date like 2026-11-30"),
        (&["demo", "history", "--orders", "0"][..], "--orders"),
        (&["demo", "history", "--days", "5000"][..], "--days"),
    ] {
        let refused = sabil(&dir, args, &[]);
        assert!(!refused.status.success(), "{args:?}");
        assert!(text(&refused.stderr).contains(needle), "{args:?}: {}", text(&refused.stderr));
    }
    let production = [
        ("SABIL_ENV", "production"),
        ("SABIL_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ("SABIL_TWILIO_ACCOUNT_SID", "AC1"),
        ("SABIL_TWILIO_AUTH_TOKEN", "t"),
        ("SABIL_TWILIO_FROM", "+15005550006"),
        ("SABIL_TAP_SECRET_KEY", "sk_live_abcdefabcdefabcdefabcdef"),
    ];
    let refused = sabil(&dir, &["demo", "history", "--orders", "10"], &production);
    assert!(!refused.status.success());
    let err = text(&refused.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("demo history: refused when SABIL_ENV=production"), "{err}");
}
