//! Orders: the cart, pricing a checkout, placing an order (idempotently, in one transaction), the order
//! lifecycle for customers, admins and SAP, and payments through the payment provider, whose confirmed
//! word alone makes an order paid.
mod cart;
mod checkout;
mod coupon_books;
mod errors;
mod lifecycle;
mod payments;

use std::sync::Arc;

pub use cart::{CartView, PricedItem};
pub use checkout::{Checkout, CheckoutInput, DeliveryChoice, QuoteInput};
pub use errors::{CheckoutError, OrderError, PaymentError};
pub use lifecycle::OrderDetails;
pub use payments::{PaymentStart, WebhookOutcome};

use crate::domain::delivery::SlotRules;
use crate::domain::orders::pricing::Country;
use crate::domain::{AccessClaims, Role, Subject, UserId, UserStatus};
use crate::ports::{BusinessTimeZone, Ports};

/// What the order rules depend on besides the ports.
#[derive(Clone)]
pub struct OrderSettings {
    /// The country sold in: its currency and tax.
    pub country: Country,
    /// Whether customers may pay cash to the driver.
    pub cash_on_delivery: bool,
    /// Business time, for slot dates and cut-offs.
    pub time_zone: Arc<dyn BusinessTimeZone>,
    pub slot_rules: SlotRules,
    /// Our public base URL (no trailing slash): payment redirect and webhook URLs are built on it.
    pub public_url: String,
    /// How long a payment may stay unconfirmed before the worker asks the provider about it.
    pub payment_check_after: std::time::Duration,
}

/// The order use cases over the ports.
#[derive(Clone)]
pub struct OrderService {
    ports: Ports,
    settings: OrderSettings,
}

/// Why the caller may not act as a customer.
enum NotCustomer {
    NotAllowed,
    Blocked,
    Storage(crate::error::RepoError),
}

impl OrderService {
    #[must_use]
    pub fn new(ports: Ports, settings: OrderSettings) -> Self {
        Self { ports, settings }
    }

    /// The settings the service was built with.
    #[must_use]
    pub fn settings(&self) -> &OrderSettings {
        &self.settings
    }

    /// The caller as an active customer, checked against the store.
    async fn customer(&self, actor: &AccessClaims) -> Result<UserId, NotCustomer> {
        let (Subject::User(id), Role::Customer) = (actor.subject, actor.role) else { return Err(NotCustomer::NotAllowed) };
        let user = self.ports.users.get(id).await.map_err(NotCustomer::Storage)?.ok_or(NotCustomer::NotAllowed)?;
        match (user.role, user.status) {
            (Role::Customer, UserStatus::Active) => Ok(id),
            (_, UserStatus::Blocked) => Err(NotCustomer::Blocked),
            _ => Err(NotCustomer::NotAllowed),
        }
    }
}
