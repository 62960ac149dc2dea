//! Shared output helpers: JSON for scripts, aligned tables for people, RFC 3339 times, amounts as decimal
//! text, and progress bars that stay hidden when stderr is not a terminal or JSON was asked for.
use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressStyle};
use sabil_core::domain::Money;
use sabil_core::domain::payment::format_amount;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A time as RFC 3339 text (UTC as stored).
pub fn when(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Prints a JSON value, pretty, on stdout.
///
/// # Errors
/// When it cannot be serialized (never for values built with `json!`).
pub fn print_json(value: &serde_json::Value) -> Result<(), String> {
    println!("{}", serde_json::to_string_pretty(value).map_err(|e| e.to_string())?);
    Ok(())
}

/// Money for scripts: minor units, currency, and the decimal text (`1.250`).
pub fn money_json(m: Money) -> serde_json::Value {
    serde_json::json!({"amount": m.minor, "currency": m.currency.code(), "formatted": m.formatted()})
}

/// Money for people: `1.250 KWD`.
pub fn money(m: Money) -> String {
    m.formatted()
}

/// Money as decimal text in major units without the code (`1.250`), as CSV columns carry it.
pub fn decimal(m: Money) -> String {
    format_amount(m)
}

/// Whether a cell is a number, or an amount with its currency (`12`, `1.250 KWD`): such columns are
/// right-aligned.
fn numeric(cell: &str) -> bool {
    let mut words = cell.split(' ');
    let number = words.next().is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit() || c == '-') && n.parse::<f64>().is_ok());
    number && words.count() <= 1
}

/// A table whose columns are as wide as their widest cell; numeric columns are right-aligned.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Self { headers: headers.to_vec(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Prints the header and the rows, or `empty` alone when there are no rows.
    pub fn print_or(&self, empty: &str) {
        if self.rows.is_empty() {
            println!("{empty}");
            return;
        }
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                let cells = self.rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count());
                cells.chain([self.headers[i].len()]).max().unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..self.headers.len())
            .map(|i| self.rows.iter().filter_map(|r| r.get(i)).all(|c| c.is_empty() || c == "-" || numeric(c)))
            .collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let pad = " ".repeat(widths.get(i).copied().unwrap_or(0).saturating_sub(c.chars().count()));
                    if numeric.get(i).copied().unwrap_or(false) { format!("{pad}{c}") } else { format!("{c}{pad}") }
                })
                .collect();
            println!("{}", padded.join("  ").trim_end());
        };
        line(&self.headers.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
        for row in &self.rows {
            line(row);
        }
    }
}

/// A progress bar on stderr for `len` steps (a spinner counting steps when the total is unknown);
/// hidden when `quiet` (JSON output) or when stderr is not a terminal.
pub fn progress(len: Option<u64>, what: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    match len {
        Some(len) => {
            let bar = ProgressBar::new(len);
            let style = ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {what} ({{eta}} left)"));
            if let Ok(style) = style {
                bar.set_style(style);
            }
            bar
        }
        None => {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template(&format!("{{spinner}} {{pos}} {what} ({{elapsed}})")) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        }
    }
}

/// Up to `limit` items, fetched page by page (100 at a time) through `fetch`; `true` when more follow.
///
/// # Errors
/// The first error `fetch` returns.
pub async fn pages<T, F, Fut>(limit: u32, mut fetch: F) -> Result<(Vec<T>, bool), String>
where
    F: FnMut(sabil_core::domain::PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<sabil_core::domain::Page<T>, String>>,
{
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let want = limit.saturating_sub(u32::try_from(items.len()).unwrap_or(u32::MAX));
        if want == 0 {
            return Ok((items, cursor.is_some()));
        }
        let page = fetch(sabil_core::domain::PageRequest { limit: want.min(100), cursor }).await?;
        items.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() {
            return Ok((items, false));
        }
    }
}
