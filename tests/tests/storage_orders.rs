//! Conformance of the order stores: placing an order (one transaction with its slot place, coupons,
//! promo-code use, change record, outbox message and emptied cart), checkout keys, the races for slot
//! places, coupons and promo-code uses, refusals that leave nothing behind, compare-and-set status moves,
//! the outbox's leases and the payment records, stated once and run on the in-memory fakes, SQLite and
//! PostgreSQL (`conformance!`).
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "storage_orders/outbox.rs"]
mod outbox;
#[path = "storage_orders/payments.rs"]
mod payments;
#[path = "storage_orders/placing.rs"]
mod placing;
#[path = "storage_orders/races.rs"]
mod races;
#[path = "storage_orders/refusals.rs"]
mod refusals;
#[path = "storage_orders/status.rs"]
mod status;
#[path = "storage_orders/vouchers.rs"]
mod vouchers;
