//! `sabil sms list`: the messages the local SMS stand-in kept instead of texting them (used when Twilio
//! is not configured), so a developer or a test script can read a sign-in code.
use std::sync::Arc;

use clap::Subcommand;
use sabil_adapters::store::{Db, OutboxSms, SmsOutboxEntry};
use sabil_core::ports::SystemClock;

use crate::output::{print_json, when};

#[derive(Subcommand)]
pub enum SmsCommand {
    /// Messages kept by the local outbox, newest first.
    ///
    /// JSON: an array of {"to": "+965...", "body": "...", "createdAt": "RFC 3339"}, newest first.
    ///
    /// Examples: sabil sms list ; sabil sms list --limit 1 --json
    List {
        /// How many messages, newest first.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print a JSON array instead of lines.
        #[arg(long)]
        json: bool,
    },
}

fn entry_json(m: &SmsOutboxEntry) -> serde_json::Value {
    serde_json::json!({"to": m.to, "body": m.body, "createdAt": when(m.created_at)})
}

/// Runs one `sabil sms` command.
///
/// # Errors
/// One line saying what failed.
pub async fn run(database_url: &str, command: SmsCommand) -> Result<(), String> {
    let SmsCommand::List { limit, json } = command;
    let db = Db::connect(database_url, 1).await.map_err(|e| e.to_string())?;
    let messages = OutboxSms::new(db, Arc::new(SystemClock)).list(limit).await.map_err(|e| format!("cannot read the SMS outbox: {e}"))?;
    if json {
        return print_json(&serde_json::Value::Array(messages.iter().map(entry_json).collect()));
    }
    if messages.is_empty() {
        println!("no messages");
    }
    for m in messages {
        println!("{}  {}  {}", when(m.created_at), m.to, m.body);
    }
    Ok(())
}
