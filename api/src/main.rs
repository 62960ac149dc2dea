//! `sabil-api`: serves the HTTP API (default) or prints the OpenAPI spec.
use clap::{Parser, Subcommand};
use sabil_adapters::config::Config;

#[derive(Parser)]
#[command(name = "sabil-api", version, about = "Sabil HTTP API server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Print the OpenAPI spec (YAML) to standard output.
    Openapi,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", sabil_api::spec_yaml());
        return std::process::ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sabil-api: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    sabil_adapters::telemetry::init_logging(config.log_format, &config.log_filter);
    match sabil_api::server::run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "sabil-api stopped");
            eprintln!("sabil-api: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
