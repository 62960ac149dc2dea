//! `sabil sync ...`: what operators see and do about the SAP sync queue — the backlog per entity,
//! dead letters, putting them back in the queue, or settling one without sending it (audited).
use clap::Subcommand;
use sabil_adapters::app::App;
use sabil_core::domain::RequestMeta;
use sabil_core::domain::sync::ChangeRecord;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Changes waiting per entity type, the oldest one's age, dead letters, and the worker's last
    /// successful push and pull.
    ///
    /// Example: sabil sync status --json
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Changes SAP refused or that failed too often, oldest first, with their last error.
    #[command(name = "dead-letters")]
    DeadLetters {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Put a dead letter (or every one, with --all) back in the queue once its cause is fixed.
    ///
    /// Example: sabil sync retry 0190c0de-... ; sabil sync retry --all
    Retry {
        /// The change id (from `sabil sync dead-letters`).
        id: Option<Uuid>,
        /// Every dead letter.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
    /// Settle a change without sending it to SAP (the later changes of its entity go on). Audited.
    ///
    /// Example: sabil sync skip 0190c0de-... --reason "entered in SAP by hand"
    Skip {
        id: Uuid,
        /// Why it is not sent (kept on the change and in the audit log).
        #[arg(long)]
        reason: String,
    },
}

fn operator() -> String {
    std::env::var("USER").map_or_else(|_| "operator".to_owned(), |u| format!("operator {u}"))
}

fn meta() -> RequestMeta {
    RequestMeta { route: "sabil sync".to_owned(), client_ip: None, request_id: None }
}

fn when(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn change_json(c: &ChangeRecord) -> serde_json::Value {
    serde_json::json!({
        "id": c.id, "seq": c.seq, "entity": c.entity, "entityId": c.entity_id, "operation": c.operation.as_str(),
        "attempts": c.attempts, "lastError": c.last_error, "createdAt": when(c.created_at), "deadAt": c.dead_at.map(when),
    })
}

/// Runs one `sabil sync` command.
///
/// # Errors
/// One line saying what failed.
pub async fn run(app: &App, command: SyncCommand) -> Result<(), String> {
    match command {
        SyncCommand::Status { json } => {
            let status = app.sync.status().await.map_err(|e| e.to_string())?;
            let now = app.ports.clock.now();
            if json {
                let backlog: Vec<_> = status
                    .backlog
                    .iter()
                    .map(|b| {
                        serde_json::json!({"entity": b.entity, "pending": b.pending, "deadLetters": b.dead,
                        "oldestAgeSeconds": b.oldest.map(|o| (now - o).whole_seconds())})
                    })
                    .collect();
                let notes: serde_json::Map<String, serde_json::Value> =
                    status.notes.iter().map(|(k, v, at)| (k.clone(), serde_json::json!({"value": v, "at": when(*at)}))).collect();
                println!("{}", serde_json::json!({"backlog": backlog, "worker": notes}));
                return Ok(());
            }
            println!("{:<16} {:>9} {:>13} {:>12}", "ENTITY", "PENDING", "DEAD LETTERS", "OLDEST AGE");
            if status.backlog.is_empty() {
                println!("(nothing waiting)");
            }
            for b in &status.backlog {
                let age = b.oldest.map_or_else(|| "-".to_owned(), |o| human_age((now - o).whole_seconds()));
                println!("{:<16} {:>9} {:>13} {:>12}", b.entity, b.pending, b.dead, age);
            }
            println!();
            for (name, value, at) in &status.notes {
                println!("{name}: {value} at {} ({} ago)", when(*at), human_age((now - *at).whole_seconds()));
            }
            if !status.notes.iter().any(|(n, _, _)| n == "last_push") {
                println!("last_push: never");
            }
            Ok(())
        }
        SyncCommand::DeadLetters { limit, json } => {
            let dead = app.sync.dead_letters(limit).await.map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::Value::Array(dead.iter().map(change_json).collect()));
                return Ok(());
            }
            if dead.is_empty() {
                println!("no dead letters");
            }
            for c in dead {
                println!(
                    "{}  {} {} {}  attempts {}  dead since {}\n    {}",
                    c.id,
                    c.operation.as_str(),
                    c.entity,
                    c.entity_id,
                    c.attempts,
                    c.dead_at.map(when).unwrap_or_default(),
                    c.last_error.unwrap_or_default()
                );
            }
            Ok(())
        }
        SyncCommand::Retry { id, all } => {
            if id.is_none() && !all {
                return Err("sync retry: give a change id, or --all".to_owned());
            }
            let n = app.sync.retry(id, &operator(), &meta()).await.map_err(|e| format!("sync retry: {e}"))?;
            println!("{n} change(s) back in the queue; the worker sends them on its next pass");
            Ok(())
        }
        SyncCommand::Skip { id, reason } => {
            app.sync.skip(id, &reason, &operator(), &meta()).await.map_err(|e| format!("sync skip: {e}"))?;
            println!("change {id} settled without sending it to SAP");
            Ok(())
        }
    }
}

fn human_age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}
