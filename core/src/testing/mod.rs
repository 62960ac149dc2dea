//! In-memory fakes of every port, for service tests and as the first target of the storage
//! conformance suite (they must behave exactly like the real stores).
mod accounts;
mod addresses;
mod catalog;
mod files;
mod security;
mod support;

use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

pub use accounts::{InMemoryAudit, InMemoryCodes, InMemoryFailures, InMemoryRefreshTokens, InMemorySapClients, InMemoryUsers};
pub use addresses::InMemoryAddresses;
pub use catalog::{InMemoryDeliveryAreas, InMemoryDeliverySlots, InMemoryProducts, InMemoryPromotions, RecordingCatalogChanges};
pub use files::{InMemoryFileStore, InMemoryFiles, sha256_hex};
pub use security::{FakeAccessTokens, FakePasswordHasher, FakeSecrets, ManualClock, RecordingSms, extract_code};
pub use support::{InMemoryContacts, InMemoryFaq, InMemoryMosques, InMemoryTerms};

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
    /// The file bytes; switch it off to act as an unreachable store.
    pub file_store: Arc<InMemoryFileStore>,
}

/// A world of fakes starting at `now`.
#[must_use]
pub fn fake_world(now: OffsetDateTime) -> FakeWorld {
    let clock = Arc::new(ManualClock::new(now));
    let sms = Arc::new(RecordingSms::default());
    let file_store = Arc::new(InMemoryFileStore::default());
    let codes = Arc::new(InMemoryCodes::default());
    let products = Arc::new(InMemoryProducts::default());
    let areas = Arc::new(InMemoryDeliveryAreas::default());
    let users = Arc::new(InMemoryUsers::new(codes.clone()));
    let ports = Ports {
        products: products.clone(),
        promotions: Arc::new(InMemoryPromotions::new(products)),
        delivery_areas: areas.clone(),
        delivery_slots: Arc::new(InMemoryDeliverySlots::new(areas.clone())),
        mosques: Arc::new(InMemoryMosques::new(areas.clone())),
        faq: Arc::new(InMemoryFaq::default()),
        contacts: Arc::new(InMemoryContacts::default()),
        terms: Arc::new(InMemoryTerms::new(users.clone())),
        users: users.clone(),
        addresses: Arc::new(InMemoryAddresses::new(users.clone(), areas.clone())),
        codes,
        refresh_tokens: Arc::new(InMemoryRefreshTokens::default()),
        sap_clients: Arc::new(InMemorySapClients::default()),
        audit: Arc::new(InMemoryAudit::default()),
        files: Arc::new(InMemoryFiles::default()),
        file_store: file_store.clone(),
        sms: sms.clone(),
        passwords: Arc::new(FakePasswordHasher),
        tokens: Arc::new(FakeAccessTokens),
        secrets: Arc::new(FakeSecrets::default()),
        failures: Arc::new(InMemoryFailures::new(clock.clone())),
        clock: clock.clone(),
    };
    FakeWorld { ports, clock, sms, file_store }
}
