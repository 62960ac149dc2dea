//! The commands on business data, acting as an admin (`--as`), on the demo data: users, orders (list,
//! show, set-status, CSV export), catalog import and stats, on SQLite and on PostgreSQL when configured.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{DEMO_ADMIN, Sabil};

const CUSTOMER: &str = "+96500000002";

fn example_products() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/products.csv")
}

/// Migrated, with the demo data and the demo admin to act as.
fn loaded(s: &Sabil) {
    s.ok(&["db", "migrate"]);
    let status = s.json(&["db", "status", "--json"]);
    let states: Vec<&str> = status["migrations"].as_array().unwrap().iter().map(|m| m["state"].as_str().unwrap()).collect();
    assert!(!states.is_empty() && states.iter().all(|st| *st == "applied"), "{status}");
    s.ok(&["demo", "load"]);
}

fn users_are_found_blocked_and_unblocked(s: &Sabil) {
    let missing = s.fails(&["users", "find"]);
    assert!(missing.contains("--as <PHONE>") && missing.contains("SABIL_ADMIN_PHONE"), "{missing}");
    let customer = s.fails(&["--as", CUSTOMER, "users", "find"]);
    assert!(customer.contains("not an admin"), "{customer}");

    let found = s.json(&["--as", DEMO_ADMIN, "users", "find", "demo cust", "--json"]);
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    assert_eq!((&found[0]["phone"], &found[0]["status"]), (&CUSTOMER.into(), &"active".into()));
    let admins = s.json(&["--as", DEMO_ADMIN, "users", "find", "--role", "admin", "--json"]);
    assert!(admins.as_array().unwrap().iter().all(|u| u["role"] == "admin"), "{admins}");

    assert!(s.ok(&["--as", DEMO_ADMIN, "users", "block", CUSTOMER]).contains("is now blocked"));
    let table = s.ok(&["--as", DEMO_ADMIN, "users", "find", CUSTOMER]);
    assert!(table.lines().nth(1).is_some_and(|l| l.contains("blocked")), "{table}");
    assert!(s.ok(&["--as", DEMO_ADMIN, "users", "unblock", CUSTOMER]).contains("is now active"));
    let unknown = s.fails(&["--as", DEMO_ADMIN, "users", "block", "+96599999999"]);
    assert!(unknown.contains("no account has the phone"), "{unknown}");
}

fn orders_are_listed_shown_and_moved(s: &Sabil) {
    let admin = ["--as", DEMO_ADMIN];
    let confirmed = s.json(&[&admin[..], &["orders", "list", "--status", "confirmed", "--limit", "1", "--json"]].concat());
    let number = confirmed[0]["number"].as_i64().expect("a confirmed demo order");
    let number = number.to_string();

    let shown = s.ok(&[&admin[..], &["orders", "show", &number]].concat());
    assert!(shown.starts_with(&format!("order {number}  confirmed")) && shown.contains("to pay") && shown.contains("history"), "{shown}");
    let moved = s.ok(&[&admin[..], &["orders", "set-status", &number, "out_for_delivery", "--reason", "driver 7"]].concat());
    assert_eq!(moved.trim(), format!("order {number}: confirmed -> out_for_delivery"));
    let details = s.json(&[&admin[..], &["orders", "show", &number, "--json"]].concat());
    let last = details["events"].as_array().and_then(|e| e.last()).cloned().unwrap();
    assert_eq!((&last["to"], &last["actor"], &last["reason"]), (&"out_for_delivery".into(), &"admin".into(), &"driver 7".into()));

    let refused = s.fails(&[&admin[..], &["orders", "set-status", &number, "paid"]].concat());
    assert!(refused.contains("cannot move from out_for_delivery to paid") && refused.contains("may move it to: delivered"), "{refused}");
    assert!(s.fails(&[&admin[..], &["orders", "show", "1"]].concat()).contains("no order has the number 1"));
    let list = s.ok(&[&admin[..], &["orders", "list", "--limit", "3"]].concat());
    assert_eq!(
        list.lines().next().map(str::split_whitespace).map(Iterator::collect::<Vec<_>>),
        Some(vec!["NUMBER", "PLACED", "STATUS", "PAYMENT", "DELIVERY", "PACKS", "TO", "PAY"])
    );
    assert!(list.contains("(more orders match"), "{list}");
    let customer = s.json(&[&admin[..], &["users", "find", CUSTOMER, "--json"]].concat());
    let mine = s.json(&[&admin[..], &["orders", "list", "--customer", CUSTOMER, "--json"]].concat());
    assert!(mine.as_array().unwrap().iter().all(|o| o["customerId"] == customer[0]["id"]), "{mine}");
    let nobody = s.fails(&[&admin[..], &["orders", "list", "--customer", "+96599999999"]].concat());
    assert!(nobody.contains("--customer: no account has the phone"), "{nobody}");
}

fn orders_export_as_csv_agrees_with_stats(s: &Sabil) {
    let admin = ["--as", DEMO_ADMIN];
    let stats = s.json(&[&admin[..], &["stats", "--json"]].concat());
    let (from, to) = (stats["from"].as_str().unwrap(), stats["to"].as_str().unwrap());
    let file = s.path("orders.csv");
    let file_arg = file.display().to_string();
    let written = s.ok(&[&admin[..], &["orders", "export", "--csv", "--from", from, "--to", to, "--output", &file_arg]].concat());
    let mut reader = csv::Reader::from_path(&file).expect("a CSV file");
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "number");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as i64, stats["orders"].as_i64().unwrap(), "the export and the dashboard count the same days");
    assert_eq!(written.trim(), format!("{} orders written to {file_arg}", rows.len()));
    let first = &rows[0];
    let minor: i64 = first[col("amountToPayMinor")].parse().unwrap();
    let decimals = if &first[col("currency")] == "KWD" { 3 } else { 2 };
    let whole = minor / 10_i64.pow(decimals);
    assert_eq!(&first[col("amountToPay")], format!("{whole}.{:0width$}", minor % 10_i64.pow(decimals), width = decimals as usize));

    let cancelled = s.ok(&[&admin[..], &["orders", "export", "--csv", "--status", "cancelled"]].concat());
    let mut reader = csv::Reader::from_reader(cancelled.as_bytes());
    assert!(reader.records().map(Result::unwrap).all(|r| &r[col("status")] == "cancelled"));
    assert!(s.fails(&[&admin[..], &["orders", "export", "--from", from]].concat()).contains("--csv"));
}

fn stats_print_figures_and_a_chart(s: &Sabil) {
    let admin = ["--as", DEMO_ADMIN];
    let text = s.ok(&[&admin[..], &["stats", "--from", "2026-01-01", "--to", "2026-01-07"]].concat());
    for part in ["orders", "revenue", "average basket", "top products", "areas", "orders per day"] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let chart: Vec<&str> = text.lines().skip_while(|l| *l != "orders per day").skip(1).take(7).collect();
    assert_eq!(chart.first().map(|l| &l[..14]), Some("Thu 2026-01-01"), "{text}");
    assert_eq!(chart.len(), 7, "{text}");
    let json = s.json(&[&admin[..], &["stats", "--json", "--from", "2026-01-01", "--to", "2026-01-07"]].concat());
    let days = json["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days.iter().map(|d| d["orders"].as_i64().unwrap()).sum::<i64>(), json["orders"].as_i64().unwrap());
    let reversed = s.fails(&[&admin[..], &["stats", "--from", "2026-02-01", "--to", "2026-01-01"]].concat());
    assert!(reversed.starts_with("sabil: stats: --to"), "{reversed}");
}

fn catalog_import_checks_every_row(s: &Sabil) {
    let admin = ["--as", DEMO_ADMIN];
    let dry = s.ok(&[&admin[..], &["catalog", "import", example_products(), "--dry-run"]].concat());
    assert_eq!(dry.trim(), "dry run, nothing written: 4 would be accepted (4 to create, 0 to update), 0 rejected");
    let again = s.json(&[&admin[..], &["catalog", "import", example_products(), "--dry-run", "--json"]].concat());
    assert_eq!((&again["created"], &again["updated"]), (&4.into(), &0.into()), "a dry run writes nothing");

    assert_eq!(
        s.ok(&[&admin[..], &["catalog", "import", example_products()]].concat()).trim(),
        "4 accepted (4 created, 0 updated), 0 rejected"
    );
    let second = s.json(&[&admin[..], &["catalog", "import", example_products(), "--json"]].concat());
    assert_eq!((&second["created"], &second["updated"], &second["rejectedRows"]), (&0.into(), &4.into(), &0.into()));

    let bad = s.path("bad.csv");
    std::fs::write(
        &bad,
        "sapId,titleEn,titleAr,descriptionEn,descriptionAr,type,volumeMl,bottlesPerPack,price,minQuantity,maxQuantity\n\
         SKU-NEW,Good,جيد,Fine,جيد,pack,500,12,1.250,1,10\n\
         ,No id,بلا,Desc,وصف,refill,abc,1,1.2345,1,2\n\
         SKU-NEW,Twice,مرتين,Desc,وصف,pack,500,12,1.000,1,10\n\
         SKU-RANGE,Range,مدى,Desc,وصف,pack,500,12,1.000,5,2\n",
    )
    .unwrap();
    let bad_arg = bad.display().to_string();
    let out = s.run(&[&admin[..], &["catalog", "import", &bad_arg, "--json"]].concat());
    assert!(!out.status.success(), "rejected rows make the exit status non-zero");
    assert_eq!(support::text(&out.stderr).trim(), "sabil: catalog import: 3 row(s) rejected");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((&report["created"], &report["rejectedRows"]), (&1.into(), &3.into()), "{report}");
    let problems: Vec<(i64, &str)> =
        report["rejected"].as_array().unwrap().iter().map(|r| (r["row"].as_i64().unwrap(), r["column"].as_str().unwrap())).collect();
    assert_eq!(problems, [(3, "sapId"), (3, "volumeMl"), (3, "price"), (4, "sapId"), (5, "maxQuantity")], "{report}");

    std::fs::write(&bad, "sapId,name\nX,Y\n").unwrap();
    let header = s.fails(&[&admin[..], &["catalog", "import", &bad_arg]].concat());
    assert!(header.contains("missing column(s) titleEn") && header.contains("unknown column(s) name"), "{header}");
    assert!(s.fails(&[&admin[..], &["catalog", "import", "no-such.csv"]].concat()).contains("cannot read no-such.csv"));
}

fn the_story(s: &Sabil) {
    loaded(s);
    users_are_found_blocked_and_unblocked(s);
    orders_are_listed_shown_and_moved(s);
    orders_export_as_csv_agrees_with_stats(s);
    stats_print_figures_and_a_chart(s);
    catalog_import_checks_every_row(s);
}

#[test]
fn admins_work_on_users_orders_catalog_and_stats_on_sqlite() {
    the_story(&Sabil::sqlite());
}

#[tokio::test]
async fn admins_work_on_users_orders_catalog_and_stats_on_postgres() {
    let Some(s) = Sabil::postgres().await else { return };
    the_story(&s);
}
