//! `sabil demo`: demo data for trying Sabil and for benchmarks (never in production): the demo accounts
//! and catalog with a modest order history (`load`), or a history of any size (`history`).
use std::time::Instant;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use sabil_adapters::app::App;
use sabil_adapters::config::{Config, Environment};
use sabil_adapters::demo_orders::{self, HistoryPlan, HistorySeeded, MAX_HISTORY_DAYS};
use time::Date;
use time::macros::format_description;

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Load the demo accounts, catalog and a 90-day order history into SABIL_DATABASE_URL (once; a second run adds nothing).
    Load,
    /// Add an order history: customers, orders, their events and ratings, bulk-inserted (for dashboards and benchmarks).
    History {
        /// How many orders.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        orders: u32,
        /// Over how many business days, ending with --end.
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HISTORY_DAYS)))]
        days: u32,
        /// The last business day, YYYY-MM-DD (default: today in SABIL_TIME_ZONE; no order is placed after now).
        #[arg(long, value_parser = parse_date)]
        end: Option<Date>,
        /// Seed of the random choices: the same seed on the same catalog gives the same history.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn parse_date(raw: &str) -> Result<Date, String> {
    Date::parse(raw, format_description!("[year]-[month]-[day]")).map_err(|_| format!("{raw:?} is not a date like 2026-11-30"))
}

/// Runs a `demo` subcommand.
///
/// # Errors
/// One line saying what went wrong.
pub async fn run(config: &Config, command: DemoCommand) -> Result<(), String> {
    let what = match command {
        DemoCommand::Load => "demo load",
        DemoCommand::History { .. } => "demo history",
    };
    if config.environment == Environment::Production {
        return Err(format!("{what}: refused when SABIL_ENV=production (demo accounts have public passwords)"));
    }
    let app = App::from_config(config).await.map_err(|e| e.to_string())?;
    app.db.migrate().await.map_err(|e| e.to_string())?;
    let accounts = sabil_adapters::demo::seed(&app).await.map_err(|e| format!("demo accounts: {e}"))?;
    let catalog = sabil_adapters::demo_catalog::seed_catalog(&app).await.map_err(|e| format!("demo catalog: {e}"))?;
    match command {
        DemoCommand::Load => {
            let history = demo_orders::seed_demo_history(&app, config).await.map_err(|e| format!("demo history: {e}"))?;
            let orders = history.map_or(0, |h| h.orders);
            println!(
                "demo data loaded: {accounts} accounts, {catalog} catalog rows, {orders} history orders (0 means it was already there)"
            );
        }
        DemoCommand::History { orders, days, end, seed } => {
            let mut plan = HistoryPlan::for_config(config, orders, days, Date::MIN, seed).map_err(|e| format!("demo history: {e}"))?;
            let today = demo_orders::business_today(&app, &plan.time_zone);
            plan.end = end.unwrap_or(today);
            if plan.end > today {
                return Err(format!("--end: {} is after today ({today}); a history ends today at the latest", plan.end));
            }
            if accounts + catalog > 0 {
                println!("demo accounts and catalog loaded first ({accounts} accounts, {catalog} catalog rows)");
            }
            let started = Instant::now();
            let seeded = load_with_progress(&app, &plan).await?;
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "history loaded in {seconds:.1} s: {} orders (numbers {}..{}), {} customers, {} lines, {} events, {} ratings, {} days ending {}",
                seeded.orders,
                seeded.first_number,
                seeded.last_number,
                seeded.customers,
                seeded.lines,
                seeded.events,
                seeded.ratings,
                plan.days,
                plan.end
            );
        }
    }
    Ok(())
}

async fn load_with_progress(app: &App, plan: &HistoryPlan) -> Result<HistorySeeded, String> {
    let bar = ProgressBar::new(u64::from(plan.orders));
    // A bar only on a terminal (indicatif draws nothing otherwise); the template is fixed, so it parses.
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} orders ({per_sec}, eta {eta})") {
        bar.set_style(style);
    }
    let progress = bar.clone();
    let result = demo_orders::seed_order_history(app, plan, &mut move |done| progress.set_position(done)).await;
    bar.finish_and_clear();
    result.map_err(|e| format!("demo history: {e}"))
}
