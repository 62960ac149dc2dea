//! Clients of external systems behind the core's gateway ports, and their local stand-ins.
//! The local SMS stand-in keeps messages in the database (`store::OutboxSms`).
pub mod twilio;
