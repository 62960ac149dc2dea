//! In-memory fakes of every port, for service tests and as the first target of the storage
//! conformance suite (they must behave exactly like the real stores).
mod accounts;
mod addresses;
mod catalog;
mod chat;
mod chat_hub;
mod coupon_books;
mod coupons;
mod feedback;
mod files;
mod notifications;
mod order_records;
mod orders;
mod payments;
mod promo_codes;
mod push;
mod sap_clients;
mod security;
mod stats;
mod support;
mod sync;

use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

pub use accounts::{InMemoryAudit, InMemoryCodes, InMemoryFailures, InMemoryRefreshTokens, InMemoryUsers};
pub use addresses::InMemoryAddresses;
pub use catalog::{InMemoryDeliveryAreas, InMemoryDeliverySlots, InMemoryProducts, InMemoryPromotions, RecordingCatalogChanges};
pub use chat::InMemoryChats;
pub use chat_hub::RecordingChatHub;
pub use coupon_books::InMemoryCouponBooks;
pub use coupons::InMemoryCouponRepository;
pub use feedback::{InMemoryCustomerQuestions, InMemoryRatings, InMemorySurveys};
pub use files::{InMemoryFileStore, InMemoryFiles, sha256_hex};
pub use notifications::{InMemoryBroadcasts, InMemoryDevices, InMemoryNotifications};
pub use order_records::{InMemoryCarts, InMemoryOutbox, InMemoryPayments};
pub use orders::InMemoryOrders;
pub use payments::FakePaymentGateway;
pub use promo_codes::InMemoryPromoCodeRepository;
pub use push::RecordingPush;
pub use sap_clients::InMemorySapClients;
pub use security::{FakeAccessTokens, FakePasswordHasher, FakeSecrets, ManualClock, RecordingSms, extract_code};
pub use stats::InMemoryStats;
pub use support::{InMemoryContacts, InMemoryFaq, InMemoryMosques, InMemoryTerms};
pub use sync::{ErpOutcome, InMemoryChanges, InMemorySapLinks, InMemorySyncFailures, RecordingErp};

use crate::ports::Ports;

/// Locks a fake's state; a poisoned lock (a panicking test) still yields the data.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Ports backed entirely by fakes, with handles to the ones tests steer or inspect.
pub struct FakeWorld {
    /// Every port, for building services.
    pub ports: Ports,
    /// The clock the ports share; advance it to let time pass.
    pub clock: Arc<ManualClock>,
    /// The SMS gateway; read the texts sent, or make sends fail.
    pub sms: Arc<RecordingSms>,
    /// The push gateway; read the pushes sent, mark tokens unregistered, or make sends fail.
    pub push: Arc<RecordingPush>,
    /// The file bytes; switch it off to act as an unreachable store.
    pub file_store: Arc<InMemoryFileStore>,
    /// The coupon wallets; redeem and restore coupons as a checkout would.
    pub coupons: Arc<InMemoryCouponRepository>,
    /// The promo codes; record orders that use them as a checkout would.
    pub promo_codes: Arc<InMemoryPromoCodeRepository>,
    /// The orders, with the change records they wrote.
    pub orders: Arc<InMemoryOrders>,
    /// The outbox messages written.
    pub outbox: Arc<InMemoryOutbox>,
    /// The payment provider; decide charges' outcomes.
    pub payment_gateway: Arc<FakePaymentGateway>,
    /// The change feed for SAP the order, account and address fakes write to.
    pub changes: Arc<InMemoryChanges>,
    /// The SAP ERP; script its answers, read what it was sent.
    pub erp: Arc<RecordingErp>,
}

/// A world of fakes starting at `now`.
#[must_use]
pub fn fake_world(now: OffsetDateTime) -> FakeWorld {
    let clock = Arc::new(ManualClock::new(now));
    let sms = Arc::new(RecordingSms::default());
    let push = Arc::new(RecordingPush::default());
    let file_store = Arc::new(InMemoryFileStore::default());
    let codes = Arc::new(InMemoryCodes::default());
    let products = Arc::new(InMemoryProducts::default());
    let areas = Arc::new(InMemoryDeliveryAreas::default());
    let changes = Arc::new(InMemoryChanges::default());
    let users = Arc::new(InMemoryUsers::new(codes.clone(), changes.clone()));
    let coupons = Arc::new(InMemoryCouponRepository::new(users.clone(), products.clone()));
    let promo_codes = Arc::new(InMemoryPromoCodeRepository::new(products.clone()));
    let slots = Arc::new(InMemoryDeliverySlots::new(areas.clone()));
    let carts = Arc::new(InMemoryCarts::default());
    let outbox = Arc::new(InMemoryOutbox::default());
    let orders =
        Arc::new(InMemoryOrders::new(slots.clone(), coupons.clone(), promo_codes.clone(), carts.clone(), outbox.clone(), changes.clone()));
    let addresses = Arc::new(InMemoryAddresses::new(users.clone(), areas.clone(), changes.clone()));
    let files = Arc::new(InMemoryFiles::default());
    let chats = Arc::new(InMemoryChats::new(users.clone(), files.clone(), outbox.clone()));
    let sap_links = Arc::new(InMemorySapLinks::new(users.clone(), addresses.clone(), orders.clone(), products.clone()));
    let erp = Arc::new(RecordingErp::default());
    let payment_gateway = Arc::new(FakePaymentGateway::default());
    let ratings = Arc::new(InMemoryRatings::new(orders.clone(), users.clone(), areas.clone()));
    let stats = Arc::new(InMemoryStats::new(orders.clone(), users.clone(), ratings.clone()));
    let ports = Ports {
        products: products.clone(),
        promotions: Arc::new(InMemoryPromotions::new(products.clone())),
        delivery_areas: areas.clone(),
        delivery_slots: slots,
        carts,
        coupon_books: Arc::new(InMemoryCouponBooks::new(products.clone())),
        orders: orders.clone(),
        payments: Arc::new(InMemoryPayments::default()),
        payment_gateway: payment_gateway.clone(),
        outbox: outbox.clone(),
        mosques: Arc::new(InMemoryMosques::new(areas.clone())),
        faq: Arc::new(InMemoryFaq::default()),
        contacts: Arc::new(InMemoryContacts::default()),
        terms: Arc::new(InMemoryTerms::new(users.clone())),
        users: users.clone(),
        addresses: addresses.clone(),
        chats,
        codes,
        refresh_tokens: Arc::new(InMemoryRefreshTokens::default()),
        sap_clients: Arc::new(InMemorySapClients::default()),
        audit: Arc::new(InMemoryAudit::default()),
        coupons: coupons.clone(),
        changes: changes.clone(),
        sap_links,
        sync_failures: Arc::new(InMemorySyncFailures::default()),
        erp: erp.clone(),
        promo_codes: promo_codes.clone(),
        files,
        file_store: file_store.clone(),
        sms: sms.clone(),
        push: push.clone(),
        devices: Arc::new(InMemoryDevices::new(users.clone())),
        notifications: Arc::new(InMemoryNotifications::new(users.clone())),
        broadcasts: Arc::new(InMemoryBroadcasts::new(users.clone(), addresses.clone(), areas.clone())),
        passwords: Arc::new(FakePasswordHasher),
        tokens: Arc::new(FakeAccessTokens),
        secrets: Arc::new(FakeSecrets::default()),
        failures: Arc::new(InMemoryFailures::new(clock.clone())),
        surveys: Arc::new(InMemorySurveys::new(users.clone(), changes.clone())),
        ratings,
        stats,
        customer_questions: Arc::new(InMemoryCustomerQuestions::new(users.clone(), outbox.clone())),
        clock: clock.clone(),
    };
    FakeWorld { ports, clock, sms, push, file_store, coupons, promo_codes, orders, outbox, payment_gateway, changes, erp }
}
