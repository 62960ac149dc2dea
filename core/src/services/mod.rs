//! Use cases. Business rules live here and in `domain`; inbound adapters call one method per request.
pub mod accounts;
pub mod authorization;

pub use accounts::{AccountError, AccountService, AccountSettings, CodeSent, NewSapClient, RegisterInput};
