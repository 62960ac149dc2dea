//! SAP: the HTTP client of SAP's API (`SapErpGateway`) and the local stand-in (`LocalErp`).
mod local;

pub use local::LocalErp;
