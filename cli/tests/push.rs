//! `sabil push list` against a real SQLite database that the local push stand-in wrote to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::{Command, Output};

fn sabil(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sabil")).env_clear().env("SABIL_DATA_DIR", dir.path()).args(args).output().expect("sabil runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn push_list_shows_the_local_pushes_newest_first_filtered_by_token() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(sabil(&dir, &["db", "migrate"]).status.success());
    assert_eq!(text(&sabil(&dir, &["push", "list"]).stdout).trim(), "no pushes");

    let url = format!("sqlite://{}", dir.path().join("sabil.db").display());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        use sabil_core::ports::PushGateway as _;
        let db = sabil_adapters::store::Db::connect(&url, 1).await.expect("db");
        let local = sabil_adapters::store::LocalPush::new(db, std::sync::Arc::new(sabil_core::ports::SystemClock));
        for (token, title) in [("device-a", "Order placed"), ("device-b", "Order paid"), ("invalid-device", "Order delivered")] {
            let data = BTreeMap::from([("orderId".to_owned(), "42".to_owned())]);
            let message = sabil_core::ports::PushMessage { token: token.into(), title: title.into(), body: "Sabil".into(), data };
            local.send(&message).await.expect("kept");
        }
    });

    let listed = text(&sabil(&dir, &["push", "list"]).stdout);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "{listed}");
    assert!(lines[0].contains("invalid-device  Order delivered: Sabil") && lines[0].ends_with("[token_invalid]"), "{listed}");
    assert!(lines[2].ends_with(r#"device-a  Order placed: Sabil  {"orderId":"42"}"#), "{listed}");

    let only_b = sabil(&dir, &["push", "list", "--token", "device-b", "--json"]);
    assert!(only_b.status.success(), "{}", text(&only_b.stderr));
    let json: serde_json::Value = serde_json::from_slice(&only_b.stdout).expect("JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!((&json[0]["title"], &json[0]["outcome"], &json[0]["data"]["orderId"]), (&"Order paid".into(), &"sent".into(), &"42".into()));

    let newest = text(&sabil(&dir, &["push", "list", "--limit", "1"]).stdout);
    assert_eq!(newest.lines().count(), 1, "{newest}");
}
