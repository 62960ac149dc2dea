//! Who may act as an admin: the token's role alone is not enough, the account must still be an
//! active admin in the store, so a blocked or demoted admin loses the right at once. Shared by
//! every service with admin operations.
use crate::domain::{AccessClaims, Role, Subject, User, UserStatus};
use crate::error::RepoError;
use crate::ports::Ports;

/// Why someone may not act as an admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminDenied {
    /// Not an admin (or not a user at all).
    #[error("only an active admin may do this")]
    NotAdmin,
    /// An admin whose account is blocked.
    #[error("the admin account is blocked")]
    Blocked,
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The acting admin, checked against the store.
///
/// # Errors
/// `NotAdmin`, `Blocked`, `Storage`.
pub async fn acting_admin(ports: &Ports, actor: &AccessClaims) -> Result<User, AdminDenied> {
    let Subject::User(id) = actor.subject else { return Err(AdminDenied::NotAdmin) };
    if actor.role != Role::Admin {
        return Err(AdminDenied::NotAdmin);
    }
    let admin = ports.users.get(id).await?.ok_or(AdminDenied::NotAdmin)?;
    match (admin.role, admin.status) {
        (Role::Admin, UserStatus::Active) => Ok(admin),
        (_, UserStatus::Blocked) => Err(AdminDenied::Blocked),
        _ => Err(AdminDenied::NotAdmin),
    }
}
