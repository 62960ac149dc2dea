//! Who a command acts as. Commands that read or change business data through services that require an
//! admin act as an active admin account (`--as <PHONE>` or `SABIL_ADMIN_PHONE`), for authorization and
//! for the audit trail; the claims are built in memory, no token is issued.
use sabil_adapters::app::App;
use sabil_core::domain::{AccessClaims, Phone, RequestMeta, Role, Subject, UserStatus};

/// What to pass when `--as` is missing, as one line.
const MISSING: &str = "this command acts as an admin: pass --as <PHONE> (or set SABIL_ADMIN_PHONE) with the phone of an active admin, \
                       e.g. --as +96550009999 (create one with `sabil admin create`)";

/// The claims of the active admin with this phone.
///
/// # Errors
/// One line: `--as` missing, not a phone, no such account, not an admin, or not active.
pub async fn admin(app: &App, phone: Option<&str>) -> Result<AccessClaims, String> {
    let raw = phone.ok_or(MISSING)?;
    let phone = Phone::parse(raw).map_err(|e| format!("--as: {}", e.0.first().map_or("not a phone number", |p| p.hint.as_str())))?;
    let user = app.ports.users.find_by_phone(&phone).await.map_err(|e| format!("--as: cannot read the accounts: {e}"))?;
    let user = user.ok_or_else(|| format!("--as {phone}: no account has this phone; create an admin with `sabil admin create`"))?;
    if user.role != Role::Admin {
        return Err(format!("--as {phone}: this account is a {}, not an admin", user.role.as_str()));
    }
    if user.status != UserStatus::Active {
        return Err(format!("--as {phone}: this admin is {}, not active", user.status.as_str()));
    }
    let now = app.ports.clock.now();
    Ok(AccessClaims { subject: Subject::User(user.id), role: Role::Admin, issued_at: now, expires_at: now + time::Duration::hours(1) })
}

/// Where an audited change came from: the command line, e.g. `sabil users block`.
pub fn meta(command: &str) -> RequestMeta {
    RequestMeta { route: format!("sabil {command}"), client_ip: None, request_id: None }
}

/// The operator running the tool, as audit reasons name them.
pub fn operator() -> String {
    std::env::var("USER").map_or_else(|_| "operator".to_owned(), |u| format!("operator {u}"))
}
