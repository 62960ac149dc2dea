//! `sabil db ...`: applying the embedded migrations and showing which are applied and which pending.
use clap::Subcommand;
use sabil_adapters::store::{Db, MigrationState};

use crate::output::{Table, print_json};

#[derive(Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations to SABIL_DATABASE_URL (SQLite also migrates itself on start;
    /// PostgreSQL is migrated by this command, or on start with SABIL_AUTO_MIGRATE=true).
    ///
    /// Example: SABIL_DATABASE_URL=postgres://sabil@db/sabil sabil db migrate
    Migrate,
    /// Every migration this build embeds and its state: applied (with when), pending, changed (an applied
    /// file was edited), failed, or unknown (applied by a newer build).
    ///
    /// Example: sabil db status --json
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one `sabil db` command.
///
/// # Errors
/// One line saying what failed.
pub async fn run(database_url: &str, command: DbCommand) -> Result<(), String> {
    let db = Db::connect(database_url, 1).await.map_err(|e| e.to_string())?;
    match command {
        DbCommand::Migrate => {
            db.migrate().await.map_err(|e| e.to_string())?;
            println!("{} database migrated", db.engine());
        }
        DbCommand::Status { json } => {
            let all = db.migration_status().await.map_err(|e| format!("cannot read the migrations: {e}"))?;
            if json {
                let items: Vec<_> = all
                    .iter()
                    .map(|m| {
                        serde_json::json!({"version": m.version, "description": m.description, "state": m.state.as_str(),
                            "installedOn": m.installed_on})
                    })
                    .collect();
                return print_json(&serde_json::json!({"engine": db.engine(), "migrations": items}));
            }
            let mut table = Table::new(&["VERSION", "DESCRIPTION", "STATE", "APPLIED AT"]);
            for m in &all {
                table.row(vec![
                    format!("{:04}", m.version),
                    m.description.clone(),
                    m.state.as_str().to_owned(),
                    m.installed_on.clone().unwrap_or_else(|| "-".to_owned()),
                ]);
            }
            table.print_or("no migrations");
            let count = |s: MigrationState| all.iter().filter(|m| m.state == s).count();
            let pending = count(MigrationState::Pending);
            println!(
                "\n{} database: {} applied, {pending} pending{}",
                db.engine(),
                count(MigrationState::Applied) + count(MigrationState::Changed),
                if pending > 0 { " (run `sabil db migrate`)" } else { "" }
            );
            for state in [MigrationState::Changed, MigrationState::Failed, MigrationState::Unknown] {
                if count(state) > 0 {
                    println!("warning: {} migration(s) {}", count(state), state.as_str());
                }
            }
        }
    }
    Ok(())
}
