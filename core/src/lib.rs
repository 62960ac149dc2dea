//! Sabil's business core: domain types and their validation, the ports the outside world is reached
//! through, and the services (use cases) that hold every business rule. No I/O happens here.
pub mod domain;
pub mod error;
pub mod ports;
pub mod services;

#[cfg(feature = "testing")]
pub mod testing;
