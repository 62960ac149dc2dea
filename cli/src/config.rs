//! `sabil config check`: the effective configuration with secrets redacted, and whether the database
//! answers and is migrated.
use clap::Subcommand;
use sabil_adapters::config::Config;
use sabil_adapters::store::Db;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Validate the environment and print the effective configuration (secrets redacted), then
    /// whether the database is reachable and migrated. A bad setting is one line naming the variable.
    ///
    /// Example: SABIL_ENV=production sabil config check
    Check,
}

/// Runs `sabil config check`.
///
/// # Errors
/// One line when the database cannot be opened.
pub async fn run(config: &Config, command: ConfigCommand) -> Result<(), String> {
    let ConfigCommand::Check = command;
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
