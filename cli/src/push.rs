//! `sabil push list`: the pushes the local stand-in kept instead of sending them (used when Firebase is
//! not configured), to see what the customers' phones would have shown.
use std::sync::Arc;

use clap::Subcommand;
use sabil_adapters::store::{Db, LocalPush, LocalPushEntry};
use sabil_core::ports::SystemClock;
use time::format_description::well_known::Rfc3339;

#[derive(Subcommand)]
pub enum PushCommand {
    /// Pushes kept by the local stand-in, newest first. Tokens starting with "invalid-" were answered
    /// as unregistered (outcome token_invalid), as FCM answers for an uninstalled app.
    ///
    /// Example: sabil push list --token device-123 --limit 5 --json
    List {
        /// Only the pushes to this device token.
        #[arg(long)]
        token: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
}

fn when(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn entry_json(p: &LocalPushEntry) -> serde_json::Value {
    serde_json::json!({
        "id": p.id, "token": p.token, "title": p.title, "body": p.body, "data": p.data,
        "outcome": p.outcome, "createdAt": when(p.created_at),
    })
}

pub async fn run(database_url: &str, command: PushCommand) -> Result<(), String> {
    let PushCommand::List { token, limit, json } = command;
    let db = Db::connect(database_url, 1).await.map_err(|e| e.to_string())?;
    let pushes = LocalPush::new(db, Arc::new(SystemClock))
        .list(token.as_deref(), limit)
        .await
        .map_err(|e| format!("cannot read the local pushes: {e}"))?;
    if json {
        let all: Vec<_> = pushes.iter().map(entry_json).collect();
        println!("{}", serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?);
        return Ok(());
    }
    if pushes.is_empty() {
        println!("no pushes");
    }
    for p in pushes {
        let data = if p.data.is_empty() { String::new() } else { format!("  {}", serde_json::to_string(&p.data).unwrap_or_default()) };
        let outcome = if p.outcome == "sent" { String::new() } else { format!("  [{}]", p.outcome) };
        println!("{}  {}  {}: {}{data}{outcome}", when(p.created_at), p.token, p.title, p.body);
    }
    Ok(())
}
