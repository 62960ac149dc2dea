//! `sabil-sync-worker`: the background daemon. It starts from the same configuration as the API and
//! runs its jobs on an interval until SIGTERM: payment reconciliation (asks the provider about payments
//! still pending after `SABIL_PAYMENT_CHECK_AFTER_SECS`, so a lost webhook never strands a paid order)
//! refunds of cancelled paid orders (from the outbox, with retries and a dead-letter state), the coupons
//! of paid coupon-book orders, and the expiry of coupon batches. SAP
//! sync and notification delivery arrive with their issues.
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
    tracing::info!(database = app.db.engine(), "sync-worker started");
    let mut heartbeat = tokio::time::interval(Duration::from_secs(60));
    let mut payments = tokio::time::interval(Duration::from_secs(20));
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
            _ = payments.tick() => run_payment_jobs(&app).await,
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    app.db.close().await;
    tracing::info!("sync-worker stopped");
    ExitCode::SUCCESS
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
