//! Demo data for the embedded default, so a fresh clone can be tried at once: a demo admin and a demo
//! customer with known passwords. Never seeded in production; seeding twice changes nothing.
use sabil_core::domain::{FullName, PasswordHash, Phone, Role};
use sabil_core::services::AccountError;

use crate::app::App;

/// A demo account: phone, password, name, role.
pub const DEMO_ACCOUNTS: &[(&str, &str, &str, &str)] =
    &[("+96500000001", "sabil-demo-admin", "Demo Admin", "admin"), ("+96500000002", "sabil-demo-customer", "Demo Customer", "customer")];

/// argon2id hashes of the demo passwords above, in the same order, computed once so that starting
/// never spends argon2 time or its 19 MiB work area on them (a test signs in with each).
const DEMO_HASHES: [&str; 2] = [
    "$argon2id$v=19$m=19456,t=2,p=1$aJnWLUD7KBQB5O0eOt88xA$x1uHBoH0ymXE54NdLBPhYs8UMQu/7OCtz+3lEKrS3OU",
    "$argon2id$v=19$m=19456,t=2,p=1$fu4Xf0bhlGnwhr/U1KB/ZA$v5hOeKaDXEDNbLyyWP6IsDQc6w310NwGosyntIbVHNM",
];

/// Creates the demo accounts that do not exist yet; returns how many were created.
///
/// # Errors
/// Storage failures.
pub async fn seed(app: &App) -> Result<usize, AccountError> {
    let accounts = &app.accounts;
    let mut created = 0;
    for ((phone, _, name, role), hash) in DEMO_ACCOUNTS.iter().zip(DEMO_HASHES) {
        let (Ok(phone), Ok(name), Some(role)) = (Phone::parse(phone), FullName::parse(name), Role::parse(role)) else {
            continue;
        };
        if app.ports.users.find_by_phone(&phone).await?.is_some() {
            continue;
        }
        let result = accounts.create_active_with_hash(phone, name, PasswordHash(hash.to_owned()), role).await.map(|_| ());
        match result {
            Ok(()) => created += 1,
            Err(AccountError::PhoneTaken) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}
