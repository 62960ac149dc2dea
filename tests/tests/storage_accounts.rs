//! Conformance of the account stores: every behaviour of `UserRepository`, `VerificationCodeRepository`,
//! `RefreshTokenRepository`, `SapClientRepository`, `AuditRepository` and the local SMS outbox, stated
//! once and run on the in-memory fakes, SQLite and PostgreSQL (`conformance!`).
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "storage_accounts/audit.rs"]
mod audit;
#[path = "storage_accounts/codes.rs"]
mod codes;
#[path = "storage_accounts/refresh_tokens.rs"]
mod refresh_tokens;
#[path = "storage_accounts/sap_clients.rs"]
mod sap_clients;
#[path = "storage_accounts/user_list.rs"]
mod user_list;
#[path = "storage_accounts/users.rs"]
mod users;
