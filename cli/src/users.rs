//! `sabil users ...`: finding accounts by phone or name, blocking (which signs the user out everywhere)
//! and unblocking them, acting as an admin (`--as`) so the audit trail names who did it.
use clap::Subcommand;
use sabil_adapters::app::App;
use sabil_core::domain::{AccessClaims, Phone, Role, User, UserId};
use sabil_core::ports::UserQuery;
use uuid::Uuid;

use crate::actor;
use crate::output::{Table, pages, print_json, when};

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Accounts whose phone or name contains TEXT (any case), newest first; every account without TEXT.
    ///
    /// Examples: sabil --as +96550009999 users find fatima ; sabil users find 5000 --role customer --json
    Find {
        /// A fragment of the phone or the full name.
        text: Option<String>,
        /// Only this role.
        #[arg(long, value_parser = ["customer", "admin"])]
        role: Option<String>,
        /// The most accounts to show.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Block an account: it can no longer sign in and every session ends at once. Audited.
    ///
    /// Example: sabil --as +96550009999 users block +96550001234
    Block {
        /// The account's phone (E.164) or id.
        user: String,
    },
    /// Unblock an account (one blocked before verifying its phone goes back to unverified). Audited.
    ///
    /// Example: sabil --as +96550009999 users unblock +96550001234
    Unblock {
        /// The account's phone (E.164) or id.
        user: String,
    },
}

/// An account for scripts.
pub fn user_json(u: &User) -> serde_json::Value {
    serde_json::json!({
        "id": u.id.0, "phone": u.phone.as_ref().map(Phone::as_str), "fullName": u.full_name.as_str(), "role": u.role.as_str(),
        "status": u.status.as_str(), "sapId": u.sap_id, "createdAt": when(u.created_at), "verifiedAt": u.verified_at.map(when),
    })
}

/// Accounts as a table.
pub fn print_users(users: &[User], more: bool, empty: &str) {
    let mut table = Table::new(&["PHONE", "NAME", "ROLE", "STATUS", "CREATED", "ID"]);
    for u in users {
        table.row(vec![
            u.phone.as_ref().map_or_else(|| "-".to_owned(), ToString::to_string),
            u.full_name.as_str().to_owned(),
            u.role.as_str().to_owned(),
            u.status.as_str().to_owned(),
            when(u.created_at),
            u.id.0.to_string(),
        ]);
    }
    table.print_or(empty);
    if more {
        println!("(more accounts match: raise --limit)");
    }
}

/// Runs one `sabil users` command.
///
/// # Errors
/// One line saying what failed.
pub async fn run(app: &App, as_admin: Option<&str>, command: UsersCommand) -> Result<(), String> {
    let admin = actor::admin(app, as_admin).await?;
    match command {
        UsersCommand::Find { text, role, limit, json } => {
            let role = role.as_deref().and_then(Role::parse);
            let (users, more) = pages(limit, |page| {
                let query = UserQuery { search: text.clone(), role, page };
                let admin = &admin;
                async move { app.accounts.list_users(admin, &query).await.map_err(|e| format!("users find: {e}")) }
            })
            .await?;
            if json {
                return print_json(&serde_json::Value::Array(users.iter().map(user_json).collect()));
            }
            print_users(&users, more, "no account matches");
        }
        UsersCommand::Block { user } => set_blocked(app, &admin, &user, true).await?,
        UsersCommand::Unblock { user } => set_blocked(app, &admin, &user, false).await?,
    }
    Ok(())
}

async fn set_blocked(app: &App, admin: &AccessClaims, who: &str, blocked: bool) -> Result<(), String> {
    let verb = if blocked { "block" } else { "unblock" };
    let id = resolve(app, admin, who).await.map_err(|e| format!("users {verb}: {e}"))?;
    let user = app
        .accounts
        .set_blocked(admin, id, blocked, &actor::meta(&format!("users {verb}")))
        .await
        .map_err(|e| format!("users {verb}: {e}"))?;
    let phone = user.phone.as_ref().map_or_else(|| user.id.0.to_string(), ToString::to_string);
    println!("{phone} ({}) is now {}", user.full_name.as_str(), user.status.as_str());
    Ok(())
}

/// The account a phone or an id names.
async fn resolve(app: &App, admin: &AccessClaims, who: &str) -> Result<UserId, String> {
    if let Ok(id) = Uuid::parse_str(who) {
        return Ok(UserId(id));
    }
    let phone = Phone::parse(who).map_err(|_| format!("{who:?} is neither an E.164 phone (e.g. +96550001234) nor an account id"))?;
    let query = UserQuery {
        search: Some(phone.as_str().to_owned()),
        role: None,
        page: sabil_core::domain::PageRequest { limit: 100, cursor: None },
    };
    let found = app.accounts.list_users(admin, &query).await.map_err(|e| e.to_string())?;
    found
        .items
        .into_iter()
        .find(|u| u.phone.as_ref() == Some(&phone))
        .map(|u| u.id)
        .ok_or_else(|| format!("no account has the phone {phone}"))
}
