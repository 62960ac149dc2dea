//! End-to-end tests of the HTTP API: the real router in-process (`poem::test::TestClient`) over a
//! real database, SQLite always and PostgreSQL when `SABIL_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod addresses;
mod admin;
mod admin_page;
mod bad_input;
mod cache;
mod catalog;
mod chat;
mod coupons;
mod files;
mod journey;
mod mosques;
mod notifications;
mod orders;
mod platform;
mod promo_codes;
mod sap;
mod stats;
mod support;
mod surveys;
mod tokens;
