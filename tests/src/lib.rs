//! Harness of the storage conformance suite: builds the same bundle of repositories on the in-memory
//! fakes, on a fresh SQLite file and on a fresh PostgreSQL database, so that each repository behaviour
//! is written once (`conformance!`) and checked on all three.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod backend;
pub mod fixtures;
mod macros;
pub mod order_fixtures;
mod postgres;
mod redis;

pub use backend::{Backend, Stores, run, run_sql};
pub use postgres::{TestDatabase, with_database};
pub use redis::redis_failure_counter;
