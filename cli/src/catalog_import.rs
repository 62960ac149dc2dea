//! `sabil catalog import <file.csv>`: products from a CSV file, matched to the catalog by SAP item code
//! and written through the catalog service as the admin given with `--as` (same rules, same cache
//! invalidation as the admin panel). Every row is checked; valid rows are imported, rejected rows are
//! reported with their row number, column and reason; `--dry-run` checks everything and writes nothing.
use std::collections::HashMap;

use clap::Subcommand;
use sabil_adapters::app::App;
use sabil_core::domain::{AccessClaims, FieldProblem};
use sabil_core::services::CatalogError;
use sabil_core::services::catalog::{ProductDraft, ProductImport};

use crate::actor;
use crate::catalog_rows::{self, Columns};
use crate::output::{print_json, progress};

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Create or update products from a CSV file, matched by SAP item code (sapId).
    ///
    /// Header (any column order; UTF-8; the first line):
    ///   sapId,titleEn,titleAr,descriptionEn,descriptionAr,type,volumeMl,bottlesPerPack,price,currency,minQuantity,maxQuantity,active,sortOrder
    ///
    /// type is refill, pack or coupon_book; price is the pack price as a decimal in the currency
    /// (1.250 KWD, 12.50 AED); currency (default: the business's), active (default true) and sortOrder
    /// (default 0) may be left out. An updated product keeps its image.
    ///
    /// Valid rows are imported, each rejected row is listed with its row number, column and reason,
    /// and the exit status is non-zero when any row was rejected (fix them and run again: importing the
    /// same row twice changes nothing more).
    ///
    /// Examples: sabil --as +96550009999 catalog import cli/examples/products.csv --dry-run
    ///           sabil --as +96550009999 catalog import products.csv --json
    #[command(verbatim_doc_comment)]
    Import {
        /// The CSV file.
        file: std::path::PathBuf,
        /// Check every row and say what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the summary as JSON (no progress bar).
        #[arg(long)]
        json: bool,
    },
}

/// One problem of one rejected row.
struct Rejection {
    row: u64,
    sap_id: String,
    problem: FieldProblem,
}

#[derive(Default)]
struct Summary {
    created: u64,
    updated: u64,
    rejected: Vec<Rejection>,
    rejected_rows: u64,
}

/// Runs one `sabil catalog` command.
///
/// # Errors
/// One line: the file or its header is unusable, the admin may not import, the store failed (rows
/// before it were imported), or some rows were rejected.
pub async fn run(app: &App, as_admin: Option<&str>, command: CatalogCommand) -> Result<(), String> {
    let CatalogCommand::Import { file, dry_run, json } = command;
    let admin = actor::admin(app, as_admin).await?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&file)
        .map_err(|e| format!("catalog import: cannot read {}: {e}", file.display()))?;
    let header = reader.headers().map_err(|e| format!("catalog import: {}: {e}", file.display()))?.clone();
    let columns = Columns::from_header(&header).map_err(|e| format!("catalog import: {}: {e}", file.display()))?;
    let records: Vec<csv::StringRecord> =
        reader.records().collect::<Result<_, _>>().map_err(|e| format!("catalog import: {}: {e}", file.display()))?;
    let currency = app.orders.settings().country.currency();

    let bar = progress(Some(records.len() as u64), if dry_run { "rows checked" } else { "rows imported" }, json);
    let mut summary = Summary::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        // The header is line 1; a quoted field may span lines, so the reader's own line is used when known.
        let row = record.position().map_or(i as u64 + 2, csv::Position::line);
        bar.inc(1);
        let sap_id = columns.sap_id(record);
        let draft = match catalog_rows::parse(&columns, record, currency) {
            Ok(draft) => draft,
            Err(invalid) => {
                summary.reject(row, &sap_id, invalid.0);
                continue;
            }
        };
        if let Some(first) = seen.insert(sap_id.clone(), row) {
            let problem = FieldProblem {
                field: "sapId".into(),
                problem: format!("{sap_id:?} is also on row {first}"),
                hint: "Give each product one row.".into(),
            };
            summary.reject(row, &sap_id, vec![problem]);
            continue;
        }
        match import(app, &admin, draft, dry_run).await {
            Ok(ProductImport::Create) => summary.created += 1,
            Ok(ProductImport::Update(_)) => summary.updated += 1,
            Err(CatalogError::Invalid(invalid)) => summary.reject(row, &sap_id, invalid.0),
            Err(CatalogError::Conflict(what)) => {
                let problem = FieldProblem {
                    field: "sapId".into(),
                    problem: format!("conflicts with another product ({what})"),
                    hint: "Run the import again.".into(),
                };
                summary.reject(row, &sap_id, vec![problem]);
            }
            Err(e) => {
                bar.abandon();
                let done =
                    if dry_run { String::new() } else { format!("; {} rows before it were imported", summary.created + summary.updated) };
                return Err(format!("catalog import: stopped at row {row}: {e}{done}"));
            }
        }
    }
    bar.finish_and_clear();
    summary.report(dry_run, json)?;
    if summary.rejected_rows > 0 {
        return Err(format!("catalog import: {} row(s) rejected", summary.rejected_rows));
    }
    Ok(())
}

async fn import(app: &App, admin: &AccessClaims, draft: ProductDraft, dry_run: bool) -> Result<ProductImport, CatalogError> {
    if dry_run {
        app.catalog.check_product_import(admin, &draft).await
    } else {
        app.catalog.import_product(admin, draft).await.map(|(action, _)| action)
    }
}

impl Summary {
    fn reject(&mut self, row: u64, sap_id: &str, problems: Vec<FieldProblem>) {
        self.rejected_rows += 1;
        for mut problem in problems {
            problem.field = catalog_rows::column_of(&problem.field).to_owned();
            self.rejected.push(Rejection { row, sap_id: sap_id.to_owned(), problem });
        }
    }

    fn report(&self, dry_run: bool, json: bool) -> Result<(), String> {
        let accepted = self.created + self.updated;
        if json {
            let rejected: Vec<_> = self
                .rejected
                .iter()
                .map(|r| {
                    serde_json::json!({"row": r.row, "sapId": r.sap_id, "column": r.problem.field, "problem": r.problem.problem,
                        "hint": r.problem.hint})
                })
                .collect();
            return print_json(&serde_json::json!({
                "dryRun": dry_run, "accepted": accepted, "created": self.created, "updated": self.updated,
                "rejectedRows": self.rejected_rows, "rejected": rejected,
            }));
        }
        let (verb, create, update) =
            if dry_run { ("would be accepted", "to create", "to update") } else { ("accepted", "created", "updated") };
        let dry = if dry_run { "dry run, nothing written: " } else { "" };
        println!("{dry}{accepted} {verb} ({} {create}, {} {update}), {} rejected", self.created, self.updated, self.rejected_rows);
        for r in &self.rejected {
            println!("  row {}, {}: {} ({})", r.row, r.problem.field, r.problem.problem, r.problem.hint);
        }
        Ok(())
    }
}
