//! Demo data for the embedded default, so a fresh clone can be tried at once: a demo admin and a demo
//! customer with known passwords. Never seeded in production; seeding twice changes nothing.
use sabil_core::domain::{FullName, Password, Phone};
use sabil_core::services::{AccountError, AccountService};

/// A demo account: phone, password, role.
pub const DEMO_ACCOUNTS: &[(&str, &str, &str, &str)] =
    &[("+96500000001", "sabil-demo-admin", "Demo Admin", "admin"), ("+96500000002", "sabil-demo-customer", "Demo Customer", "customer")];

/// Creates the demo accounts that do not exist yet; returns how many were created.
///
/// # Errors
/// Storage failures.
pub async fn seed(accounts: &AccountService) -> Result<usize, AccountError> {
    let mut created = 0;
    for (phone, password, name, role) in DEMO_ACCOUNTS {
        let (Ok(phone), Ok(name), Ok(password)) = (Phone::parse(phone), FullName::parse(name), Password::parse(password)) else {
            continue;
        };
        let result = if *role == "admin" {
            accounts.create_admin(phone, name, &password).await.map(|_| ())
        } else {
            accounts.create_active_customer(phone, name, &password).await.map(|_| ())
        };
        match result {
            Ok(()) => created += 1,
            Err(AccountError::PhoneTaken) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}
