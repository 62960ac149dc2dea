//! `sabil-sap-simulator`: a fake SAP ERP for development and staging drills (see
//! `sabil_api::sap_simulator`). Point the sync-worker at the URL it prints (`SABIL_SAP_BASE_URL`), then
//! steer it through `/__sim` (`GET /__sim/state`, `PUT /__sim/faults`, `POST /__sim/feed`).
use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sabil_api::sap_simulator::{Faults, SapSimulator, SimulatorConfig};

#[derive(Parser)]
#[command(name = "sabil-sap-simulator", version, about = "A fake SAP ERP for development, staging drills and tests")]
struct Cli {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 9090)]
    port: u16,
    /// Address to listen on (0.0.0.0 to be reachable from other containers).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The login `POST /api/login` accepts.
    #[arg(long, default_value = "sabil")]
    login: String,
    /// The password `POST /api/login` accepts.
    #[arg(long, default_value = "sabil-dev")]
    password: String,
    /// Seconds a token works (`expiresIn`).
    #[arg(long, default_value_t = 3600)]
    token_ttl_secs: u64,
    /// Delay before each /api/* call is handled, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of /api/* calls (login aside) answered 503, from 0 to 1.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    error_rate: f64,
    /// Answer 422 to pushes of this entity (orders, customers, delivery-details, surveys, survey-answers).
    #[arg(long)]
    reject_entity: Option<String>,
    /// Start "down": every /api/* call answers 503 until `PUT /__sim/faults {"down": false}`.
    #[arg(long)]
    down: bool,
    /// Answer 200 with broken JSON to GET /api/changes and pushes.
    #[arg(long)]
    malformed_json: bool,
    /// Put this many product updates in SAP's feed at start.
    #[arg(long, default_value_t = 0)]
    seed_products: u32,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s.parse().map_err(|_| format!("{s:?} is not a number (example: 0.1)"))?;
    if (0.0..=1.0).contains(&rate) { Ok(rate) } else { Err(format!("{rate} is not between 0 and 1 (example: 0.1)")) }
}

/// Ctrl-C, or SIGTERM (as a container's first process gets from `docker stop`).
async fn stop_signal() {
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
            Err(e) => eprintln!("sabil-sap-simulator: cannot watch SIGTERM: {e}"),
        }
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("sabil-sap-simulator: cannot wait for Ctrl-C: {e}");
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = SimulatorConfig {
        host: cli.host,
        port: cli.port,
        login: cli.login,
        password: cli.password,
        token_ttl: Duration::from_secs(cli.token_ttl_secs),
        faults: Faults {
            down: cli.down,
            latency_ms: cli.latency_ms,
            error_rate: cli.error_rate,
            reject_entity: cli.reject_entity,
            malformed_json: cli.malformed_json,
        },
        seed_products: cli.seed_products,
    };
    let simulator = match SapSimulator::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sabil-sap-simulator: cannot listen on {}:{}: {e}", cli.host, cli.port);
            return ExitCode::FAILURE;
        }
    };
    println!("SAP simulator listening on {} (control routes under {0}/__sim)", simulator.url());
    stop_signal().await;
    match simulator.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sabil-sap-simulator: {e}");
            ExitCode::FAILURE
        }
    }
}
