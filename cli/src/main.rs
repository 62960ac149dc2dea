//! `sabil`: the operators' tool. Listings print tables for people and JSON with `--json` for scripts;
//! long runs show a progress bar on a terminal; every error is one clear line and a non-zero exit.
mod accounts;
mod actor;
mod catalog_import;
mod catalog_rows;
mod config;
mod db;
mod demo;
mod orders;
mod orders_export;
mod output;
mod push;
mod sms;
mod stats;
mod sync;
mod users;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};
use sabil_adapters::app::App;
use sabil_adapters::config::Config;

const EXAMPLES: &str = "\
Examples:
  sabil db status
  sabil admin create --phone +96550009999 --name \"Operations Lead\"
  sabil --as +96550009999 users find fatima
  sabil --as +96550009999 orders show 100001
  sabil --as +96550009999 orders export --csv --from 2026-11-01 --to 2026-11-30 --output nov.csv
  sabil --as +96550009999 catalog import products.csv --dry-run
  sabil --as +96550009999 stats --from 2026-11-01 --to 2026-11-30
  sabil sms list --limit 1 --json

Settings come from SABIL_* environment variables (see `sabil config check`).";

#[derive(Parser)]
#[command(name = "sabil", version, about = "Operate Sabil: database, accounts, orders, catalog, SAP sync, local stand-ins", after_help = EXAMPLES)]
struct Cli {
    /// Act as this admin (E.164 phone of an active admin account) for commands on business data:
    /// users, orders, catalog import, stats. Audited changes name this admin.
    #[arg(long = "as", global = true, env = "SABIL_ADMIN_PHONE", value_name = "PHONE")]
    as_admin: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Database: apply migrations, show which are applied.
    Db {
        #[command(subcommand)]
        command: db::DbCommand,
    },
    /// Admin accounts: create, list.
    Admin {
        #[command(subcommand)]
        command: accounts::AdminCommand,
    },
    /// SAP machine clients: create, list, revoke.
    #[command(name = "sap-client")]
    SapClient {
        #[command(subcommand)]
        command: accounts::SapClientCommand,
    },
    /// Customer and admin accounts: find, block, unblock (as an admin: --as).
    Users {
        #[command(subcommand)]
        command: users::UsersCommand,
    },
    /// Orders: list, show, set-status, export --csv (as an admin: --as).
    Orders {
        #[command(subcommand)]
        command: orders::OrdersCommand,
    },
    /// The catalog: import products from CSV (as an admin: --as).
    Catalog {
        #[command(subcommand)]
        command: catalog_import::CatalogCommand,
    },
    /// Business figures over a range of days, with a chart of orders per day (as an admin: --as).
    ///
    /// Example: sabil --as +96550009999 stats --from 2026-11-01 --to 2026-11-30
    Stats(stats::StatsArgs),
    /// The SAP sync queue: status, dead letters, retry, skip.
    Sync {
        #[command(subcommand)]
        command: sync::SyncCommand,
    },
    /// The local SMS outbox (used when Twilio is not configured).
    Sms {
        #[command(subcommand)]
        command: sms::SmsCommand,
    },
    /// The local push stand-in (used when Firebase Cloud Messaging is not configured).
    Push {
        #[command(subcommand)]
        command: push::PushCommand,
    },
    /// Demo data (never in production).
    Demo {
        #[command(subcommand)]
        command: demo::DemoCommand,
    },
    /// Configuration: check it.
    Config {
        #[command(subcommand)]
        command: config::ConfigCommand,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == ErrorKind::DisplayHelp || e.kind() == ErrorKind::DisplayVersion => e.exit(),
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => {
            eprintln!("sabil: {}", usage_error(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // One line, whatever the cause's text holds.
            eprintln!("sabil: {}", message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; "));
            ExitCode::FAILURE
        }
    }
}

/// clap's usage error as one line: its message and tips, without the usage block.
fn usage_error(rendered: &str) -> String {
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect();
    format!("{}; see --help", parts.join(" "))
}

/// `sabil ... | head` closes standard output early: end quietly, as a command killed by SIGPIPE does
/// (status 141), instead of printing a panic.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<String>().map_or("", String::as_str);
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

async fn app(config: &Config) -> Result<App, String> {
    App::from_config(config).await.map_err(|e| e.to_string())
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let as_admin = cli.as_admin.as_deref();
    match cli.command {
        Command::Config { command } => config::run(&config, command).await,
        Command::Demo { command } => demo::run(&config, command).await,
        Command::Db { command } => db::run(&config.database_url, command).await,
        Command::Sms { command } => sms::run(&config.database_url, command).await,
        Command::Push { command } => push::run(&config.database_url, command).await,
        Command::Admin { command } => accounts::run_admin(&app(&config).await?, command).await,
        Command::SapClient { command } => accounts::run_sap_client(&app(&config).await?, command).await,
        Command::Users { command } => users::run(&app(&config).await?, as_admin, command).await,
        Command::Orders { command } => orders::run(&app(&config).await?, as_admin, command).await,
        Command::Catalog { command } => catalog_import::run(&app(&config).await?, as_admin, command).await,
        Command::Stats(args) => stats::run(&app(&config).await?, as_admin, args).await,
        Command::Sync { command } => sync::run(&app(&config).await?, command).await,
    }
}
