//! The broadcast benchmark (`tests/bench/broadcast_bench.sh`): how many pushes per second the worker's
//! broadcast job delivers with the local push stand-in, each customer with one device.
//!
//! Two steps, so the script can seed in between with plain SQL (`sqlite3` / `psql`):
//! - `broadcast migrate --database-url URL` applies the migrations to an empty database;
//! - `broadcast run --database-url URL --engine NAME` builds the `App` on it (local push stand-in: every push
//!   is a row in `local_pushes`), queues a broadcast to all customers as the seeded admin
//!   (`BENCH_ADMIN_ID`), then times `NotificationService::deliver_broadcasts` step by step until no
//!   broadcast is due. Checked: the broadcast is done, every recipient was handled and every push accepted.
//!   Printed: recipients, pushes, seconds, pushes/s, the slowest step, and one `RESULT` line for the script.
//!
//! Build: `cargo build --release -p sabil-sync-worker --bench broadcast`. Usage: `broadcast --help`.
use std::collections::HashMap;
use std::error::Error;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use sabil_adapters::app::App;
use sabil_adapters::config::Config;
use sabil_core::domain::notifications::{Audience, BroadcastStatus};
use sabil_core::domain::{AccessClaims, LocalizedText, Role, Subject, UserId};
use sabil_core::services::notifications::BroadcastDraft;
use sabil_core::services::{NotificationService, NotificationSettings};
use uuid::Uuid;

type AnyError = Box<dyn Error + Send + Sync>;

/// The admin the script seeds (`role = 'admin'`), who sends the broadcast.
const BENCH_ADMIN_ID: &str = "00000000-0000-7000-8000-000000000001";

#[derive(Parser, Debug)]
#[command(name = "broadcast", about = "Pushes/s of a broadcast with the local push stand-in (tests/bench/broadcast_bench.sh)")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Given by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Apply the migrations to an empty database.
    Migrate {
        #[arg(long)]
        database_url: String,
    },
    /// Queue a broadcast to all customers and deliver it, timed.
    Run {
        #[arg(long)]
        database_url: String,
        /// Engine name for the report.
        #[arg(long)]
        engine: String,
        /// Recipients per step (NotificationSettings::broadcast_batch).
        #[arg(long, default_value_t = 500)]
        batch: u32,
        /// Database connections of the App (SABIL_DB_MAX_CONNECTIONS).
        #[arg(long, default_value_t = 10)]
        db_connections: u32,
    },
}

async fn app(database_url: &str, db_connections: u32, dir: &tempfile::TempDir) -> Result<App, AnyError> {
    let vars: HashMap<String, String> = HashMap::from([
        ("SABIL_DATA_DIR".into(), dir.path().display().to_string()),
        ("SABIL_DATABASE_URL".into(), database_url.to_owned()),
        ("SABIL_JWT_SECRET".into(), "bench-signing-key-0123456789abcdef0123456789".into()),
        ("SABIL_AUTO_MIGRATE".into(), "true".into()),
        ("SABIL_DB_MAX_CONNECTIONS".into(), db_connections.to_string()),
    ]);
    let config = Config::from_vars(&vars)?;
    Ok(App::from_config(&config).await?)
}

async fn run(database_url: &str, engine: &str, batch: u32, db_connections: u32) -> Result<(), AnyError> {
    let dir = tempfile::tempdir()?;
    let app = app(database_url, db_connections, &dir).await?;
    if app.ports.push.name() != "local" {
        return Err(format!("the push gateway is {}, not the local stand-in", app.ports.push.name()).into());
    }
    let service =
        NotificationService::new(app.ports.clone(), NotificationSettings { broadcast_batch: batch, ..NotificationSettings::default() });
    let now = app.ports.clock.now();
    let admin = AccessClaims {
        subject: Subject::User(UserId(Uuid::parse_str(BENCH_ADMIN_ID)?)),
        role: Role::Admin,
        issued_at: now,
        expires_at: now + time::Duration::hours(1),
    };
    let draft = BroadcastDraft {
        title: LocalizedText { ar: "ساعات رمضان".into(), en: "Ramadan hours".into() },
        body: LocalizedText {
            ar: "نوصل حتى الثانية فجراً طوال رمضان.".into(), en: "We deliver until 2 am during Ramadan.".into()
        },
        audience: Audience::AllCustomers,
    };
    let started = Instant::now();
    let queued = service.send_broadcast(&admin, draft).await?;
    let (mut steps, mut slowest) = (0u32, Duration::ZERO);
    loop {
        let step_started = Instant::now();
        match service.deliver_broadcasts().await? {
            Some(_) => {
                steps += 1;
                slowest = slowest.max(step_started.elapsed());
            }
            None => break,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let done = service.broadcast(&admin, queued.id).await?;
    let total = done.total.unwrap_or(0);
    if done.status != BroadcastStatus::Done || done.processed != total || done.sent != total || total == 0 {
        return Err(format!(
            "broadcast not fully delivered: status {:?}, total {total}, processed {}, sent {}, failed {}",
            done.status, done.processed, done.sent, done.failed
        )
        .into());
    }
    let rate = done.sent as f64 / seconds;
    println!(
        "{engine}: {total} recipients, {} pushes in {seconds:.2} s = {rate:.0} pushes/s ({steps} steps of {batch}, slowest {} ms)",
        done.sent,
        slowest.as_millis()
    );
    println!(
        "RESULT engine={engine} recipients={total} pushes={} seconds={seconds:.2} rate={rate:.0} steps={steps} batch={batch}",
        done.sent
    );
    app.db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let cli = Cli::parse();
    match cli.command {
        None => {
            eprintln!("broadcast: run it through tests/bench/broadcast_bench.sh (it seeds the customers with SQL)");
            Ok(())
        }
        Some(Command::Migrate { database_url }) => {
            let dir = tempfile::tempdir()?;
            app(&database_url, 2, &dir).await?.db.close().await;
            Ok(())
        }
        Some(Command::Run { database_url, engine, batch, db_connections }) => run(&database_url, &engine, batch, db_connections).await,
    }
}
