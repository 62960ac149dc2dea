//! Entities and value objects. A value that exists is valid: parse at the edge, never re-check inside.
pub mod account;
pub mod address;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod delivery;
pub mod files;
pub mod localized;
pub mod money;
pub mod mosque;
pub mod orders;
pub mod page;
pub mod password;
pub mod payment;
pub mod phone;
pub mod support;
pub mod sync;
pub mod validation;

pub use account::{FullName, GeoLocation, Language, NewUser, ProfileChanges, Role, User, UserId, UserStatus};
pub use audit::{AuditEvent, AuditKind, RequestMeta};
pub use auth::{AccessClaims, CodePurpose, OtpCode, SapClient, SapClientId, Subject, TokenPair};
pub use localized::LocalizedText;
pub use money::{Currency, Money};
pub use page::{Page, PageRequest};
pub use password::{Password, PasswordHash};
pub use phone::Phone;
pub use validation::{FieldProblem, Invalid};
