//! The outbound SAP benchmark (`tests/bench/sap_outbound_bench.sh`): how many of our changes per second the
//! sync-worker pushes to SAP, here the in-process SAP simulator, with and without simulated latency.
//!
//! For each engine asked and each latency: a fresh database (SQLite: a temp file; PostgreSQL: a fresh
//! database on the server named by `SABIL_TEST_POSTGRES_URL`, through `sabil_tests::TestDatabase`), an `App`
//! pointed at a fresh simulator, and `--changes` changes in our feed: `--changes / 5` customers created active
//! (one `create` each), then renamed round after round (one `update` each) until there are `--changes`
//! changes. Then the simulator's latency is set and `SyncWorker::push_until_idle` is timed (quick retry
//! settings, `--concurrency` entities side by side, `--batch` changes per pass). Checked after each run: every
//! change arrived at SAP exactly once, each entity's changes in our order, and nothing is left in our feed.
//! Printed: changes/s per (engine, latency), the CPU this process (worker + simulator) and the PostgreSQL
//! server processes used, and one `RESULT` line per run for the script.
//!
//! Build: `cargo build --release -p sabil-sync-worker --bench outbound` (a `harness = false` bench target;
//! `cargo bench -p sabil-sync-worker --bench outbound` runs it with the defaults). Usage: `outbound --help`.

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::StreamExt as _;
use sabil_adapters::app::App;
use sabil_adapters::config::Config;
use sabil_api::sap_simulator::{Faults, SapSimulator, SimulatorConfig};
use sabil_core::domain::sync::ChangeRecord;
use sabil_core::domain::{FullName, PasswordHash, Phone, ProfileChanges, Role, UserId};
use sabil_core::services::sync::PushSettings;
use sabil_sync_worker::{SyncWorker, WorkerSettings};
use sabil_tests::TestDatabase;
use uuid::Uuid;

type AnyError = Box<dyn Error + Send + Sync>;

#[derive(Parser, Debug)]
#[command(name = "outbound", about = "Changes/s the sync-worker pushes to the SAP simulator (tests/bench/sap_outbound_bench.sh)")]
struct Cli {
    /// sqlite, postgres or both (postgres needs SABIL_TEST_POSTGRES_URL; with `both` it is skipped without it).
    #[arg(long, env = "BENCH_ENGINE", default_value = "both")]
    engine: String,
    /// Changes in our feed per run.
    #[arg(long, env = "BENCH_CHANGES", default_value_t = 5000)]
    changes: u32,
    /// Changes per entity (one create, then renames): the run has changes / this many customers.
    #[arg(long, env = "BENCH_PER_ENTITY", default_value_t = 5)]
    per_entity: u32,
    /// Simulated SAP latency per call, in ms; a comma-separated list, one run each.
    #[arg(long, env = "BENCH_LATENCY_MS", default_value = "0,20")]
    latency_ms: String,
    /// Entities pushed side by side (WorkerSettings::concurrency; SABIL_SAP_PUSH_CONCURRENCY in the daemon).
    #[arg(long, env = "BENCH_CONCURRENCY", default_value_t = 32)]
    concurrency: usize,
    /// Changes read per pass (PushSettings::batch; SABIL_SAP_PUSH_BATCH in the daemon).
    #[arg(long, env = "BENCH_BATCH", default_value_t = 500)]
    batch: u32,
    /// Database connections of the App (SABIL_DB_MAX_CONNECTIONS).
    #[arg(long, env = "BENCH_DB_CONNECTIONS", default_value_t = 10)]
    db_connections: u32,
    /// Diagnosis: push with `push_once` in a loop (what `push_until_idle` does) and print each pass's time,
    /// with the time `SyncService::plan` takes to read and plan the batch.
    #[arg(long)]
    trace_passes: bool,
    /// Given by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A fresh database, App and simulator.
struct World {
    app: App,
    sim: SapSimulator,
    _dir: tempfile::TempDir,
    _pg: Option<TestDatabase>,
}

async fn world(engine: Engine, db_connections: u32) -> Result<World, AnyError> {
    let pg = match engine {
        Engine::Sqlite => None,
        Engine::Postgres => Some(TestDatabase::create().await.ok_or("SABIL_TEST_POSTGRES_URL is not set")?),
    };
    let sim = SapSimulator::start(SimulatorConfig::default()).await?;
    let dir = tempfile::tempdir()?;
    let mut vars: HashMap<String, String> = HashMap::from([
        ("SABIL_DATA_DIR".into(), dir.path().display().to_string()),
        ("SABIL_JWT_SECRET".into(), "bench-signing-key-0123456789abcdef0123456789".into()),
        ("SABIL_AUTO_MIGRATE".into(), "true".into()),
        ("SABIL_DB_MAX_CONNECTIONS".into(), db_connections.to_string()),
        ("SABIL_SAP_BASE_URL".into(), sim.url()),
        ("SABIL_SAP_LOGIN".into(), "sabil".into()),
        ("SABIL_SAP_PASSWORD".into(), "sabil-dev".into()),
        ("SABIL_SAP_TIMEOUT_MS".into(), "10000".into()),
    ]);
    if let Some(pg) = &pg {
        vars.insert("SABIL_DATABASE_URL".into(), pg.url().to_owned());
    }
    let config = Config::from_vars(&vars)?;
    let app = App::from_config(&config).await?;
    Ok(World { app, sim, _dir: dir, _pg: pg })
}

/// `entities` active customers (a `create` each), then renames round by round until `changes` changes.
async fn generate(app: &App, changes: u32, entities: u32) -> Result<Vec<UserId>, AnyError> {
    let created: Vec<Result<UserId, AnyError>> = futures_util::stream::iter(0..entities)
        .map(|n| async move {
            let phone = Phone::parse(&format!("+9655{:07}", 3_000_000 + n)).map_err(|e| format!("{e:?}"))?;
            let name = FullName::parse("Bench Customer").map_err(|e| format!("{e:?}"))?;
            let user = app.accounts.create_active_with_hash(phone, name, PasswordHash("x".into()), Role::Customer).await?;
            Ok(user.id)
        })
        .buffered(16)
        .collect()
        .await;
    let people: Vec<UserId> = created.into_iter().collect::<Result<_, _>>()?;
    let mut made = entities;
    let mut round = 0;
    while made < changes {
        let take = (changes - made).min(entities) as usize;
        let renamed: Vec<Result<(), AnyError>> = futures_util::stream::iter(people.iter().take(take).copied())
            .map(|id| async move {
                let name = FullName::parse(&format!("Bench Customer r{round}")).map_err(|e| format!("{e:?}"))?;
                let changes = ProfileChanges { full_name: Some(name), language: None, location: None };
                app.ports.users.update_profile(id, &changes, app.ports.clock.now()).await?;
                Ok(())
            })
            .buffer_unordered(16)
            .collect()
            .await;
        renamed.into_iter().collect::<Result<Vec<()>, _>>()?;
        made += u32::try_from(take).unwrap_or(u32::MAX);
        round += 1;
    }
    Ok(people)
}

/// Every change in our feed not completed yet, by seq.
async fn pending(app: &App) -> Result<Vec<ChangeRecord>, AnyError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = app.ports.changes.unprocessed(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.seq);
        out.extend(page);
    }
    Ok(out)
}

/// CPU seconds (user + system) of a process from `/proc/<pid>/stat` (100 ticks a second on Linux).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The machine's CPU time so far from the first line of `/proc/stat`: (idle + iowait, steal, total), in ticks.
fn machine_ticks() -> (u64, u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<u64> = stat.lines().next().unwrap_or("").split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    // user nice system idle iowait irq softirq steal (guest time is counted in user already)
    (at(3) + at(4), at(7), (0..8).map(at).sum())
}

/// CPU seconds of every process named `postgres` on this machine (other databases count too).
fn postgres_cpu_seconds() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .filter_map(|pid| cpu_seconds(&pid))
        .sum()
}

/// What one run measured.
struct Run {
    engine: Engine,
    latency_ms: u64,
    changes: usize,
    entities: u32,
    seconds: f64,
    passes: u32,
    own_cpu: f64,
    pg_cpu: f64,
    idle_pct: f64,
    steal_pct: f64,
    generate_seconds: f64,
}

async fn run(engine: Engine, latency_ms: u64, cli: &Cli) -> Result<Run, AnyError> {
    let w = world(engine, cli.db_connections).await?;
    let entities = cli.changes.div_ceil(cli.per_entity.max(1)).max(1);
    let started = Instant::now();
    generate(&w.app, cli.changes, entities).await?;
    let generate_seconds = started.elapsed().as_secs_f64();
    let expected = pending(&w.app).await?;
    if expected.len() != cli.changes as usize {
        return Err(format!("{} changes in the feed, {} generated", expected.len(), cli.changes).into());
    }
    eprintln!("  {} at {latency_ms} ms: {} changes generated in {generate_seconds:.1} s; pushing", engine.name(), expected.len());
    w.sim.set_faults(Faults { latency_ms, ..Faults::default() });
    let push =
        PushSettings { batch: cli.batch, max_attempts: 8, base_delay: Duration::from_millis(10), max_delay: Duration::from_millis(20) };
    let worker =
        SyncWorker::new(w.app.clone(), WorkerSettings { push: push.clone(), concurrency: cli.concurrency, ..WorkerSettings::default() });

    let (own0, pg0, m0) = (cpu_seconds("self").unwrap_or(f64::NAN), postgres_cpu_seconds(), machine_ticks());
    let started = Instant::now();
    let mut passes = 0;
    // push_until_idle stops when a pass pushes nothing; a change waiting for a retry (none expected) is
    // waited out here, within bounds.
    loop {
        let report = if cli.trace_passes { traced_push_until_idle(&worker, &push).await? } else { worker.push_until_idle().await? };
        passes += 1;
        if report.retried + report.dead_lettered > 0 {
            eprintln!("  note: {} retried, {} dead-lettered during the run", report.retried, report.dead_lettered);
        }
        if pending(&w.app).await?.is_empty() || passes >= 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let (own1, pg1, m1) = (cpu_seconds("self").unwrap_or(f64::NAN), postgres_cpu_seconds(), machine_ticks());
    let total = (m1.2 - m0.2).max(1) as f64;
    let (idle_pct, steal_pct) = (100.0 * (m1.0 - m0.0) as f64 / total, 100.0 * (m1.1 - m0.1) as f64 / total);

    let left = pending(&w.app).await?;
    if !left.is_empty() {
        return Err(format!("{} changes still pending after the run", left.len()).into());
    }
    check_exactly_once_in_order(&w.sim, &expected)?;
    Ok(Run {
        engine,
        latency_ms,
        changes: expected.len(),
        entities,
        seconds,
        passes,
        own_cpu: own1 - own0,
        pg_cpu: pg1 - pg0,
        idle_pct,
        steal_pct,
        generate_seconds,
    })
}

/// `push_until_idle`, pass by pass, printing each pass's time and its planning time.
async fn traced_push_until_idle(worker: &SyncWorker, push: &PushSettings) -> Result<sabil_core::services::sync::PushReport, AnyError> {
    let mut total = sabil_core::services::sync::PushReport::default();
    let mut n = 0;
    loop {
        let t0 = Instant::now();
        let (chains, _) = worker.app.sync.plan(push).await?;
        let plan_ms = t0.elapsed().as_secs_f64() * 1000.0;
        let longest = chains.iter().map(Vec::len).max().unwrap_or(0);
        let t1 = Instant::now();
        let r = worker.push_once().await?;
        n += 1;
        eprintln!(
            "  pass {n}: {} chains (longest {longest}), {} pushed in {:.0} ms (plan alone {plan_ms:.1} ms)",
            chains.len(),
            r.pushed,
            t1.elapsed().as_secs_f64() * 1000.0
        );
        total.pushed += r.pushed;
        total.retried += r.retried;
        total.dead_lettered += r.dead_lettered;
        if r.pushed == 0 {
            return Ok(total);
        }
    }
}

/// Every change arrived at SAP exactly once, and each entity's changes in our order.
fn check_exactly_once_in_order(sim: &SapSimulator, expected: &[ChangeRecord]) -> Result<(), AnyError> {
    let state = sim.state();
    let arrived: Vec<Uuid> = state.arrivals.iter().map(|a| a.change_id).collect();
    let unique: HashSet<Uuid> = arrived.iter().copied().collect();
    if unique.len() != arrived.len() {
        return Err("a change was applied twice at SAP".into());
    }
    let wanted: HashSet<Uuid> = expected.iter().map(|c| c.id).collect();
    if unique != wanted {
        return Err(format!(
            "SAP received {} of our {} changes (and {} others)",
            unique.intersection(&wanted).count(),
            wanted.len(),
            unique.difference(&wanted).count()
        )
        .into());
    }
    let mut last_seq: HashMap<Uuid, i64> = HashMap::new();
    for a in &state.arrivals {
        if let Some(p) = last_seq.insert(a.app_id, a.seq)
            && p >= a.seq
        {
            return Err(format!("entity {} got seq {} after {p}", a.app_id, a.seq).into());
        }
    }
    if state.totals.duplicates > 0 {
        eprintln!("  note: {} redeliveries answered as duplicates", state.totals.duplicates);
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), AnyError> {
    let cli = Cli::parse();
    let pg_configured = std::env::var("SABIL_TEST_POSTGRES_URL").is_ok_and(|u| !u.trim().is_empty());
    let engines: Vec<Engine> = match cli.engine.as_str() {
        "sqlite" => vec![Engine::Sqlite],
        "postgres" if pg_configured => vec![Engine::Postgres],
        "postgres" => {
            return Err("--engine postgres needs SABIL_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)".into());
        }
        "both" if pg_configured => vec![Engine::Sqlite, Engine::Postgres],
        "both" => {
            eprintln!("SABIL_TEST_POSTGRES_URL is not set: PostgreSQL skipped");
            vec![Engine::Sqlite]
        }
        other => return Err(format!("--engine {other:?}: sqlite, postgres or both").into()),
    };
    let latencies: Vec<u64> = cli
        .latency_ms
        .split(',')
        .map(|s| s.trim().parse::<u64>().map_err(|_| format!("--latency-ms: {s:?} is not a number of ms")))
        .collect::<Result<_, _>>()?;
    if cli.changes == 0 {
        return Err("--changes must be at least 1".into());
    }
    println!(
        "outbound: {} changes per run ({} per customer: 1 create + renames), concurrency {}, batch {}, {} DB connections; \
         engines {:?}, latencies {:?} ms",
        cli.changes,
        cli.per_entity,
        cli.concurrency,
        cli.batch,
        cli.db_connections,
        engines.iter().map(|e| e.name()).collect::<Vec<_>>(),
        latencies
    );
    for &engine in &engines {
        for &latency in &latencies {
            let r = run(engine, latency, &cli).await.map_err(|e| format!("{} at {latency} ms: {e}", engine.name()))?;
            let rate = r.changes as f64 / r.seconds;
            let per = |s: f64| 1e6 * s / r.changes as f64;
            println!(
                "{:<8} latency {:>3} ms: {} changes ({} customers) pushed in {:.2} s = {rate:.0} changes/s ({} push_until_idle call(s)); \
                 CPU: this process {:.2} s ({:.0} us/change){}, machine idle {:.0} %, steal {:.0} %; generated in {:.1} s; \
                 exactly once, in order: ok",
                r.engine.name(),
                r.latency_ms,
                r.changes,
                r.entities,
                r.seconds,
                r.passes,
                r.own_cpu,
                per(r.own_cpu),
                if r.engine == Engine::Postgres {
                    format!(", PostgreSQL {:.2} s ({:.0} us/change)", r.pg_cpu, per(r.pg_cpu))
                } else {
                    String::new()
                },
                r.idle_pct,
                r.steal_pct,
                r.generate_seconds
            );
            println!(
                "RESULT engine={} latency_ms={} changes={} seconds={:.3} rate={rate:.1} own_cpu_s={:.2} pg_cpu_s={:.2} idle_pct={:.0} steal_pct={:.0}",
                r.engine.name(),
                r.latency_ms,
                r.changes,
                r.seconds,
                r.own_cpu,
                r.pg_cpu,
                r.idle_pct,
                r.steal_pct
            );
        }
    }
    Ok(())
}
