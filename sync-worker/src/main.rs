//! `sabil-sync-worker`: the background daemon. It starts from the same configuration as the API and,
//! while it is the one active worker (a PostgreSQL advisory lock, or a lock file beside the SQLite
//! database; other replicas wait as standbys), it:
//! - catches up with SAP on start (applies SAP's unconfirmed changes in order, confirms them),
//! - pushes our change feed to SAP continuously (entities side by side, each entity in order, retries
//!   with backoff and jitter, dead letters after `SABIL_SAP_MAX_ATTEMPTS`),
//! - pulls SAP's feed every `SABIL_SAP_PULL_INTERVAL_SECS`,
//! - runs the payment jobs (reconciliation, refunds, bought coupons, coupon expiry) every 20 s,
//! - delivers notifications (outbox messages to in-app notifications and pushes, admin broadcasts in
//!   batches) every second.
//!
//! It serves Prometheus metrics on `SABIL_WORKER_METRICS_ADDR` and touches `SABIL_WORKER_LIVENESS_FILE`
//! after every loop turn (a liveness probe checks the file's age).
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sabil_adapters::app::App;
use sabil_adapters::config::Config;
use sabil_adapters::store::leader::{Leadership, SYNC_WORKER_LOCK, try_lead};
use sabil_sync_worker::{SyncWorker, WorkerSettings};

/// The worker's own settings (everything else comes from the shared `SABIL_*` configuration).
#[derive(Debug, Parser)]
#[command(name = "sabil-sync-worker", about = "Sabil background daemon: SAP sync and outbox relay")]
struct Args {
    /// Where Prometheus metrics are served (`/metrics`); empty to serve none.
    #[arg(long, env = "SABIL_WORKER_METRICS_ADDR", default_value = "127.0.0.1:9465")]
    metrics_addr: String,
    /// A file touched after every loop turn, for liveness probes; empty for none.
    #[arg(long, env = "SABIL_WORKER_LIVENESS_FILE", default_value = "./data/sync-worker.alive")]
    liveness_file: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sabil-sync-worker: {e}");
            return ExitCode::from(2);
        }
    };
    let _sap_log = sabil_adapters::telemetry::init_logging_with_sap_file(config.log_format, &config.log_filter, Some(&config.sap.log_dir));
    if !args.metrics_addr.is_empty() {
        let addr: SocketAddr = match args.metrics_addr.parse() {
            Ok(a) => a,
            Err(_) => {
                eprintln!("sabil-sync-worker: SABIL_WORKER_METRICS_ADDR: '{}' is not host:port; e.g. 127.0.0.1:9465", args.metrics_addr);
                return ExitCode::from(2);
            }
        };
        if let Err(e) = metrics_exporter_prometheus::PrometheusBuilder::new().with_http_listener(addr).install() {
            eprintln!("sabil-sync-worker: cannot serve metrics on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let app = match App::from_config(&config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("sabil-sync-worker: {e}");
            return ExitCode::FAILURE;
        }
    };
    let settings = WorkerSettings {
        push: sabil_core::services::sync::PushSettings {
            batch: config.sap.push_batch,
            max_attempts: config.sap.max_attempts,
            ..Default::default()
        },
        concurrency: config.sap.push_concurrency,
        ..WorkerSettings::default()
    };
    let worker = SyncWorker::new(app, settings);
    let liveness = (!args.liveness_file.is_empty()).then(|| PathBuf::from(&args.liveness_file));
    tracing::info!(database = worker.app.db.engine(), sap = worker.app.ports.erp.name(), "sync-worker started");
    let code = run(&worker, &config, liveness.as_deref()).await;
    worker.app.db.close().await;
    tracing::info!("sync-worker stopped");
    code
}

async fn run(worker: &SyncWorker, config: &Config, liveness: Option<&std::path::Path>) -> ExitCode {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sabil-sync-worker: cannot listen for SIGTERM: {e}");
            return ExitCode::FAILURE;
        }
    };
    loop {
        let leadership = tokio::select! {
            l = wait_for_leadership(worker, liveness) => l,
            _ = term.recv() => return ExitCode::SUCCESS,
            _ = tokio::signal::ctrl_c() => return ExitCode::SUCCESS,
        };
        tracing::info!("this worker is now the active one");
        tokio::select! {
            () = lead(worker, config, leadership, liveness) => tracing::warn!("lost the worker lock; standing by"),
            _ = term.recv() => return ExitCode::SUCCESS,
            _ = tokio::signal::ctrl_c() => return ExitCode::SUCCESS,
        }
    }
}

async fn wait_for_leadership(worker: &SyncWorker, liveness: Option<&std::path::Path>) -> Leadership {
    let mut announced = false;
    loop {
        match try_lead(&worker.app.db, SYNC_WORKER_LOCK).await {
            Ok(Some(l)) => return l,
            Ok(None) if !announced => {
                tracing::info!("another worker is active; standing by");
                announced = true;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot take the worker lock"),
        }
        touch(liveness).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Works while the lock holds; returns when it is lost.
async fn lead(worker: &SyncWorker, config: &Config, mut leadership: Leadership, liveness: Option<&std::path::Path>) {
    match worker.catch_up().await {
        Ok(r) => tracing::info!(applied = r.applied, refused = r.refused, "caught up with SAP"),
        Err(e) => tracing::warn!(error = %e, "catch-up with SAP failed; the next pull tries again"),
    }
    let mut pull = tokio::time::interval(config.sap.pull_interval);
    let mut payments = tokio::time::interval(Duration::from_secs(20));
    let mut notifications = tokio::time::interval(Duration::from_secs(1));
    let mut check = tokio::time::interval(Duration::from_secs(10));
    let push_idle = config.sap.push_interval;
    loop {
        let busy = match worker.push_once().await {
            Ok(r) => {
                if r.pushed + r.retried + r.dead_lettered > 0 {
                    tracing::debug!(pushed = r.pushed, retried = r.retried, dead = r.dead_lettered, waiting = r.waiting, "push pass");
                }
                if r.login_refused {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
                r.pushed > 0
            }
            Err(e) => {
                tracing::warn!(error = %e, "push pass failed");
                false
            }
        };
        touch(liveness).await;
        let idle = tokio::time::sleep(if busy { Duration::ZERO } else { push_idle });
        tokio::select! {
            () = idle => {}
            _ = pull.tick() => match worker.pull_once().await {
                Ok(r) if r.read > 0 => tracing::info!(applied = r.applied, refused = r.refused, waiting = r.waiting, "pulled SAP's changes"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pull from SAP failed"),
            },
            _ = payments.tick() => run_payment_jobs(&worker.app).await,
            _ = notifications.tick() => run_notification_jobs(&worker.app).await,
            _ = check.tick() => {
                if !leadership.still_held().await {
                    return;
                }
                report_backlog(worker).await;
            }
        }
    }
}

async fn report_backlog(worker: &SyncWorker) {
    match worker.app.ports.changes.backlog().await {
        Ok(backlog) => {
            let pending: u64 = backlog.iter().map(|b| b.pending).sum();
            let dead: u64 = backlog.iter().map(|b| b.dead).sum();
            metrics::gauge!("sabil_sync_pending").set(pending as f64);
            metrics::gauge!("sabil_sync_dead_letters").set(dead as f64);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the sync backlog"),
    }
}

async fn touch(path: Option<&std::path::Path>) {
    if let Some(path) = path
        && let Err(e) = tokio::fs::write(
            path,
            format!("{}\n", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())),
        )
        .await
    {
        tracing::warn!(error = %e, path = %path.display(), "cannot touch the liveness file");
    }
}

/// One pass of the notification jobs: due outbox notifications (until none is left, at most ten rounds),
/// then broadcast batches for up to two seconds, so the SAP push loop is never held up for long.
async fn run_notification_jobs(app: &App) {
    const LIMIT: u32 = 50;
    for _ in 0..10 {
        match app.notifications.deliver_due(LIMIT).await {
            Ok(0) => break,
            Ok(n) => {
                tracing::debug!(delivered = n, "notifications delivered");
                if n < LIMIT {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "notification delivery failed");
                break;
            }
        }
    }
    let budget = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < budget {
        match app.notifications.deliver_broadcasts().await {
            Ok(Some(step)) => tracing::debug!(broadcast = %step.broadcast.0, recipients = step.recipients, "broadcast step"),
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "broadcast delivery failed");
                break;
            }
        }
    }
}

/// One pass of the payment jobs; each is safe to run on several replicas (checks are idempotent and
/// refunds are claimed with leases).
async fn run_payment_jobs(app: &App) {
    match app.orders.reconcile_payments(100).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(checked = n, "pending payments checked with the provider"),
        Err(e) => tracing::warn!(error = %e, "payment reconciliation failed"),
    }
    match app.orders.issue_purchased_coupons(50).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(orders = n, "bought coupons issued"),
        Err(e) => tracing::warn!(error = %e, "coupon purchase job failed"),
    }
    match app.coupons.expire_due(app.ports.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(batches = n, "coupon batches expired"),
        Err(e) => tracing::warn!(error = %e, "coupon expiry failed"),
    }
    match app.orders.process_refunds(20).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(refunded = n, "refunds completed"),
        Err(e) => tracing::warn!(error = %e, "refund job failed"),
    }
}
