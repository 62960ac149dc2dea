//! Use cases. Business rules live here and in `domain`; inbound adapters call one method per request.
pub mod accounts;
pub mod addresses;
pub mod authorization;
pub mod catalog;
pub mod files;
pub mod mosques;
pub mod support;

pub use accounts::{AccountError, AccountService, AccountSettings, CodeSent, NewSapClient, RegisterInput};
pub use addresses::{AddressError, AddressInput, AddressService, AddressSettings};
pub use catalog::{CatalogError, CatalogService, CatalogSettings};
pub use files::{FileError, FileService, Uploader};
pub use mosques::{MosqueError, MosqueService};
pub use support::{SupportError, SupportService};
