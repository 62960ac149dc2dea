//! Implementations of Sabil's ports: SQLite/PostgreSQL stores, gateways to Twilio and the local
//! stand-ins, cryptography, throttling, plus the configuration and the composition root that every
//! binary starts from.
pub mod app;
pub mod cache;
pub mod chat_hub;
pub mod config;
pub mod demo;
pub mod demo_catalog;
pub mod demo_orders;
pub mod demo_support;
pub mod files;
pub mod gateways;
pub mod sap_records;
pub mod security;
pub mod store;
pub mod telemetry;
pub mod throttle;
pub mod time_zone;
