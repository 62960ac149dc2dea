//! `sabil admin ...` and `sabil sap-client ...`: the accounts operators create outside the app — admins
//! who sign in to the admin panel, and SAP machine clients (listed, and revoked when SAP's secret leaks
//! or a system is retired).
use std::io::Read as _;

use clap::Subcommand;
use sabil_adapters::app::App;
use sabil_core::domain::{FullName, Password, Phone, SapClient};

use crate::actor;
use crate::output::{Table, pages, print_json, when};
use crate::users::{print_users, user_json};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an admin who signs in through POST /api/auth/login; prints a generated password once.
    ///
    /// Examples: sabil admin create --phone +96550009999 --name "Operations Lead"
    ///           echo 'a-long-chosen-password' | sabil admin create --phone +96550009998 --name Ops --password-stdin
    #[command(verbatim_doc_comment)]
    Create {
        /// E.164 phone, e.g. +96550001234.
        #[arg(long)]
        phone: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Admin accounts, newest first, whatever their status.
    ///
    /// Example: sabil admin list --json
    List {
        /// The most accounts to show.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum SapClientCommand {
    /// Create a SAP client; prints its client id and secret (the secret is shown once).
    ///
    /// Example: sabil sap-client create --name "SAP production"
    Create {
        /// A label, e.g. "SAP production".
        #[arg(long)]
        name: String,
    },
    /// Every SAP client, oldest first, with whether it is revoked.
    ///
    /// Example: sabil sap-client list --json
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a SAP client: its sign-ins are refused from now on (an access token it holds stops at its
    /// expiry, within SABIL_SAP_TOKEN_TTL_SECS). Audited (sap_client_revoked). Revoking twice changes nothing.
    ///
    /// Example: sabil sap-client revoke sap-0190c0de...
    Revoke {
        /// The client id (from `sabil sap-client list`).
        client_id: String,
    },
}

/// Runs one `sabil admin` command.
///
/// # Errors
/// One line saying what failed.
pub async fn run_admin(app: &App, command: AdminCommand) -> Result<(), String> {
    match command {
        AdminCommand::Create { phone, name, password_stdin } => create_admin(app, &phone, &name, password_stdin).await,
        AdminCommand::List { limit, json } => {
            let (admins, more) =
                pages(limit, |page| async move { app.accounts.admins(page).await.map_err(|e| format!("admin list: {e}")) }).await?;
            if json {
                return print_json(&serde_json::Value::Array(admins.iter().map(user_json).collect()));
            }
            print_users(&admins, more, "no admins yet: create one with `sabil admin create`");
            Ok(())
        }
    }
}

/// Parses the input first (so a typo fails before the database is touched), then creates the admin.
pub async fn create_admin(app: &App, phone: &str, name: &str, password_stdin: bool) -> Result<(), String> {
    let phone = Phone::parse(phone).map_err(|e| format!("--phone: {}", e.0.first().map_or("", |p| p.hint.as_str())))?;
    let name = FullName::parse(name).map_err(|e| format!("--name: {}", problem(&e)))?;
    let (password, generated) = if password_stdin {
        let mut raw = String::new();
        std::io::stdin().read_to_string(&mut raw).map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        (raw.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (sabil_adapters::security::random_token(), true)
    };
    let password = Password::parse(&password).map_err(|e| format!("password: {}", problem(&e)))?;
    let admin = app.accounts.create_admin(phone, name, &password).await.map_err(|e| format!("admin create: {e}"))?;
    println!("admin created: id {} phone {}", admin.id, admin.phone.map(|p| p.to_string()).unwrap_or_default());
    if generated {
        println!("password (shown once): {}", password.expose());
    }
    Ok(())
}

fn problem(e: &sabil_core::domain::Invalid) -> String {
    e.0.first().map_or_else(|| e.to_string(), |p| format!("{} ({})", p.problem, p.hint))
}

fn client_json(c: &SapClient) -> serde_json::Value {
    serde_json::json!({"id": c.id.0, "clientId": c.client_id, "name": c.name, "createdAt": when(c.created_at), "revoked": c.disabled})
}

/// Runs one `sabil sap-client` command.
///
/// # Errors
/// One line saying what failed.
pub async fn run_sap_client(app: &App, command: SapClientCommand) -> Result<(), String> {
    match command {
        SapClientCommand::Create { name } => {
            let created = app.accounts.create_sap_client(&name).await.map_err(|e| format!("sap-client create: {e}"))?;
            println!("SAP client created: {}", created.client.name);
            println!("client id:               {}", created.client.client_id);
            println!("client secret (shown once): {}", created.secret);
        }
        SapClientCommand::List { json } => {
            let clients = app.accounts.sap_clients().await.map_err(|e| format!("sap-client list: {e}"))?;
            if json {
                return print_json(&serde_json::Value::Array(clients.iter().map(client_json).collect()));
            }
            let mut table = Table::new(&["CLIENT ID", "NAME", "CREATED", "STATE"]);
            for c in &clients {
                let state = if c.disabled { "revoked" } else { "active" };
                table.row(vec![c.client_id.clone(), c.name.clone(), when(c.created_at), state.to_owned()]);
            }
            table.print_or("no SAP clients yet: create one with `sabil sap-client create --name \"SAP production\"`");
        }
        SapClientCommand::Revoke { client_id } => {
            let meta = actor::meta("sap-client revoke");
            let client = app
                .accounts
                .revoke_sap_client(&client_id, &actor::operator(), &meta)
                .await
                .map_err(|e| format!("sap-client revoke: {e}"))?;
            println!("SAP client {} ({}) revoked: its sign-ins are refused from now on", client.client_id, client.name);
        }
    }
    Ok(())
}
