//! `sabil`: the operators' tool. Every error is one clear line and a non-zero exit.
mod push;
mod sync;

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sabil_adapters::app::App;
use sabil_adapters::config::Config;
use sabil_adapters::store::{Db, OutboxSms};
use sabil_core::domain::{FullName, Password, Phone};
use sabil_core::ports::SystemClock;
use time::format_description::well_known::Rfc3339;

#[derive(Parser)]
#[command(name = "sabil", version, about = "Operate Sabil: database, accounts, SAP clients, local SMS outbox")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Database maintenance.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Admin accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// SAP machine clients.
    #[command(name = "sap-client")]
    SapClient {
        #[command(subcommand)]
        command: SapClientCommand,
    },
    /// The local SMS outbox (used when Twilio is not configured).
    Sms {
        #[command(subcommand)]
        command: SmsCommand,
    },
    /// The local push stand-in (used when Firebase Cloud Messaging is not configured).
    Push {
        #[command(subcommand)]
        command: push::PushCommand,
    },
    /// Demo data (never in production).
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// The SAP sync queue: status, dead letters, retry, skip.
    Sync {
        #[command(subcommand)]
        command: sync::SyncCommand,
    },
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Apply pending migrations to SABIL_DATABASE_URL.
    Migrate,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin who signs in through POST /api/auth/login.
    Create {
        /// E.164 phone, e.g. +96550001234.
        #[arg(long)]
        phone: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum SapClientCommand {
    /// Create a SAP client; prints its client id and secret (shown once).
    Create {
        /// A label, e.g. "SAP production".
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum SmsCommand {
    /// Messages kept by the local outbox, newest first.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Load the demo accounts and catalog into SABIL_DATABASE_URL (once; a second run adds nothing).
    Load,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate the environment and print the effective configuration (secrets redacted).
    Check,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sabil: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    match cli.command {
        Command::Config { command: ConfigCommand::Check } => {
            let rows = config.redacted();
            let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in rows {
                println!("{k:width$}  {v}");
            }
            let db = Db::connect(&config.database_url, 1).await.map_err(|e| format!("SABIL_DATABASE_URL: {e}"))?;
            match db.readiness().await {
                Ok(()) => println!("\nconfiguration is valid; {} database reachable and migrated", db.engine()),
                Err(reason) => println!("\nconfiguration is valid; database: {reason}"),
            }
            Ok(())
        }
        Command::Demo { command: DemoCommand::Load } => {
            if config.environment == sabil_adapters::config::Environment::Production {
                return Err("demo load: refused when SABIL_ENV=production (demo accounts have public passwords)".to_owned());
            }
            let app = App::from_config(&config).await.map_err(|e| e.to_string())?;
            app.db.migrate().await.map_err(|e| e.to_string())?;
            let accounts = sabil_adapters::demo::seed(&app).await.map_err(|e| format!("demo accounts: {e}"))?;
            let catalog = sabil_adapters::demo_catalog::seed_catalog(&app).await.map_err(|e| format!("demo catalog: {e}"))?;
            println!("demo data loaded: {accounts} accounts, {catalog} catalog rows (0 means it was already there)");
            Ok(())
        }
        Command::Db { command: DbCommand::Migrate } => {
            let db = Db::connect(&config.database_url, 1).await.map_err(|e| e.to_string())?;
            db.migrate().await.map_err(|e| e.to_string())?;
            println!("{} database migrated", db.engine());
            Ok(())
        }
        Command::Sms { command: SmsCommand::List { limit } } => {
            let db = Db::connect(&config.database_url, 1).await.map_err(|e| e.to_string())?;
            let outbox = OutboxSms::new(db, std::sync::Arc::new(SystemClock));
            let messages = outbox.list(limit).await.map_err(|e| format!("cannot read the SMS outbox: {e}"))?;
            if messages.is_empty() {
                println!("no messages");
            }
            for m in messages {
                println!("{}  {}  {}", m.created_at.format(&Rfc3339).unwrap_or_default(), m.to, m.body);
            }
            Ok(())
        }
        Command::Push { command } => push::run(&config.database_url, command).await,
        Command::Admin { command: AdminCommand::Create { phone, name, password_stdin } } => {
            let phone = Phone::parse(&phone).map_err(|e| format!("--phone: {}", e.0[0].hint))?;
            let name = FullName::parse(&name).map_err(|e| format!("--name: {} ({})", e.0[0].problem, e.0[0].hint))?;
            let (password, generated) = if password_stdin {
                let mut raw = String::new();
                std::io::stdin().read_to_string(&mut raw).map_err(|e| format!("cannot read the password from stdin: {e}"))?;
                (raw.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (sabil_adapters::security::random_token(), true)
            };
            let password = Password::parse(&password).map_err(|e| format!("password: {} ({})", e.0[0].problem, e.0[0].hint))?;
            let app = App::from_config(&config).await.map_err(|e| e.to_string())?;
            let admin = app.accounts.create_admin(phone, name, &password).await.map_err(|e| e.to_string())?;
            println!("admin created: id {} phone {}", admin.id, admin.phone.map(|p| p.to_string()).unwrap_or_default());
            if generated {
                println!("password (shown once): {}", password.expose());
            }
            Ok(())
        }
        Command::Sync { command } => {
            let app = App::from_config(&config).await.map_err(|e| e.to_string())?;
            sync::run(&app, command).await
        }
        Command::SapClient { command: SapClientCommand::Create { name } } => {
            let app = App::from_config(&config).await.map_err(|e| e.to_string())?;
            let created = app.accounts.create_sap_client(&name).await.map_err(|e| e.to_string())?;
            println!("SAP client created: {}", created.client.name);
            println!("client id:               {}", created.client.client_id);
            println!("client secret (shown once): {}", created.secret);
            Ok(())
        }
    }
}
