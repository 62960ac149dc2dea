//! `sabil-sync-worker`: the background daemon (SAP sync and outbox relay). For now it starts from
//! the same configuration as the API, checks the database, and idles until SIGTERM; the jobs arrive
//! with the SAP integration and notification issues.
use std::process::ExitCode;
use std::time::Duration;

use sabil_adapters::app::App;
use sabil_adapters::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sabil-sync-worker: {e}");
            return ExitCode::from(2);
        }
    };
    sabil_adapters::telemetry::init_logging(config.log_format, &config.log_filter);
    let app = match App::from_config(&config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("sabil-sync-worker: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(database = app.db.engine(), "sync-worker started; no jobs yet, idling");
    let mut heartbeat = tokio::time::interval(Duration::from_secs(60));
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sabil-sync-worker: cannot listen for SIGTERM: {e}");
            return ExitCode::FAILURE;
        }
    };
    loop {
        tokio::select! {
            _ = heartbeat.tick() => {
                if let Err(reason) = app.db.readiness().await {
                    tracing::warn!(%reason, "database not ready");
                }
            }
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    app.db.close().await;
    tracing::info!("sync-worker stopped");
    ExitCode::SUCCESS
}
