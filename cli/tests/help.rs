//! Every command documents itself: `--help` succeeds and names the command, and the leaf commands
//! show an example; a mistyped command is one line on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

const LEAVES: &[&[&str]] = &[
    &["db", "migrate"],
    &["db", "status"],
    &["admin", "create"],
    &["admin", "list"],
    &["sap-client", "create"],
    &["sap-client", "list"],
    &["sap-client", "revoke"],
    &["users", "find"],
    &["users", "block"],
    &["users", "unblock"],
    &["orders", "list"],
    &["orders", "show"],
    &["orders", "set-status"],
    &["orders", "export"],
    &["catalog", "import"],
    &["stats"],
    &["sync", "status"],
    &["sms", "list"],
    &["push", "list"],
    &["config", "check"],
];

const GROUPS: &[&str] = &["db", "admin", "sap-client", "users", "orders", "catalog", "sync", "sms", "push", "config", "demo"];

#[test]
fn every_command_has_help_and_the_leaves_have_an_example() {
    let s = support::Sabil::sqlite();
    let top = s.ok(&["--help"]);
    for group in GROUPS.iter().chain(["stats"].iter()) {
        assert!(top.contains(&format!("  {group} ")), "{group} is listed: {top}");
        let help = s.ok(&[group, "--help"]);
        assert!(help.contains(&format!("Usage: sabil {group}")), "{group}: {help}");
    }
    for leaf in LEAVES {
        let help = s.ok(&[&leaf[..], &["--help"]].concat());
        assert!(help.contains(&format!("Usage: sabil {}", leaf.join(" "))), "{leaf:?}: {help}");
        assert!(help.contains("Example"), "{leaf:?} shows an example: {help}");
    }
    let import = s.ok(&["catalog", "import", "--help"]);
    assert!(import.contains("sapId,titleEn,titleAr,descriptionEn,descriptionAr,type,volumeMl,bottlesPerPack,price"), "{import}");
}

#[test]
fn a_mistyped_command_or_value_is_one_line_and_a_non_zero_exit() {
    let s = support::Sabil::sqlite();
    assert!(s.fails(&["ordres"]).contains("unrecognized subcommand 'ordres'"));
    assert!(s.fails(&["orders", "list", "--status", "lost"]).contains("possible values: pending_payment"));
    assert!(s.fails(&["orders", "list", "--from", "1 May"]).contains("not a date like 2026-11-30"));
    assert!(s.fails(&["stats", "--as", "96550009999"]).contains("--as"));
}
