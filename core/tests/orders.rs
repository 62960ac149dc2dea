//! Behaviour of `OrderService` checkout on the in-memory fakes where the HTTP tests cannot reach: a retried
//! checkout that raced its own first attempt (the key lookup ran before the first committed) answers the
//! order the key placed, not the refusal its late pricing met; admins find an order by its number.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use sabil_core::domain::address::{Address, AddressDetails, AddressFields, AddressId, AddressKind};
use sabil_core::domain::catalog::{Product, ProductId, ProductType};
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId, MapPoint, SlotRules};
use sabil_core::domain::orders::pricing::Country;
use sabil_core::domain::orders::{Order, OrderEvent, OrderId, PaymentMethod};
use sabil_core::domain::{
    AccessClaims, Currency, FullName, Language, LocalizedText, Money, NewUser, Page, PasswordHash, Phone, Role, Subject, UserId, UserStatus,
};
use sabil_core::error::RepoError;
use sabil_core::ports::{Clock as _, FixedOffsetZone, NewOrder, OrderQuery, OrderRepository, PlaceRefused, Placed, StatusChange};
use sabil_core::services::orders::{CheckoutInput, DeliveryChoice};
use sabil_core::services::{CheckoutError, OrderError, OrderService, OrderSettings};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::{date, datetime, time};
use time::{Duration, OffsetDateTime, UtcOffset, Weekday};
use uuid::Uuid;

/// The order store, except that the first key lookup misses: as when the first attempt had not committed yet.
struct FirstLookupMisses {
    inner: Arc<dyn OrderRepository>,
    missed: AtomicBool,
}

#[async_trait]
impl OrderRepository for FirstLookupMisses {
    async fn place(&self, new: &NewOrder, now: OffsetDateTime) -> Result<Placed, PlaceRefused> {
        self.inner.place(new, now).await
    }
    async fn by_idempotency_key(&self, customer: UserId, key: &str) -> Result<Option<(String, OrderId)>, RepoError> {
        if !self.missed.swap(true, Ordering::SeqCst) {
            return Ok(None);
        }
        self.inner.by_idempotency_key(customer, key).await
    }
    async fn get(&self, id: OrderId) -> Result<Option<Order>, RepoError> {
        self.inner.get(id).await
    }
    async fn get_by_number(&self, number: i64) -> Result<Option<Order>, RepoError> {
        self.inner.get_by_number(number).await
    }
    async fn list(&self, query: &OrderQuery) -> Result<Page<Order>, RepoError> {
        self.inner.list(query).await
    }
    async fn events(&self, id: OrderId) -> Result<Vec<OrderEvent>, RepoError> {
        self.inner.events(id).await
    }
    async fn change_status(&self, change: &StatusChange, now: OffsetDateTime) -> Result<Option<Order>, RepoError> {
        self.inner.change_status(change, now).await
    }
}

fn settings() -> OrderSettings {
    OrderSettings {
        country: Country::Ae,
        cash_on_delivery: false,
        time_zone: Arc::new(FixedOffsetZone(UtcOffset::from_hms(4, 0, 0).unwrap())),
        slot_rules: SlotRules { cutoff: std::time::Duration::from_secs(7200) },
        public_url: "http://127.0.0.1:8080".into(),
        payment_check_after: std::time::Duration::from_secs(300),
    }
}

/// A customer with 2 packs in the cart, an address in an area with a Sunday slot; returns (claims, input).
async fn shop(w: &FakeWorld) -> (AccessClaims, CheckoutInput) {
    let now = w.clock.now();
    let p = &w.ports;
    let user = NewUser {
        id: UserId(Uuid::now_v7()),
        phone: Phone::parse("+96550030001").unwrap(),
        full_name: FullName::parse("Fatima Al-Sabah").unwrap(),
        password_hash: PasswordHash("hash".into()),
        role: Role::Customer,
        status: UserStatus::Active,
        language: Language::Ar,
        location: None,
        now,
    };
    let user = p.users.create(&user).await.unwrap();
    let claims =
        AccessClaims { subject: Subject::User(user.id), role: Role::Customer, issued_at: now, expires_at: now + Duration::minutes(15) };
    let product = Product {
        id: ProductId(Uuid::now_v7()),
        sap_id: None,
        title: LocalizedText { ar: "ماء".into(), en: "Water".into() },
        description: LocalizedText { ar: "ماء".into(), en: "Water".into() },
        product_type: ProductType::Refill,
        volume_ml: 18_900,
        bottles_per_pack: 1,
        price_per_pack: Money::new(1_250, Currency::Aed),
        min_quantity: 1,
        max_quantity: 10,
        image_id: None,
        active: true,
        sort_order: 1,
        created_at: now,
        updated_at: now,
    };
    p.products.create(&product).await.unwrap();
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: LocalizedText { ar: "الريم".into(), en: "Al Reem".into() },
        boundary: None,
        delivery_fee: Money::new(500, Currency::Aed),
        minimum_order: Money::new(0, Currency::Aed),
        active: true,
        created_at: now,
        updated_at: now,
    };
    p.delivery_areas.create(&area).await.unwrap();
    let slot = DeliverySlot {
        id: DeliverySlotId(Uuid::now_v7()),
        area_id: area.id,
        weekday: Weekday::Sunday,
        starts_at: time!(10:00),
        ends_at: time!(12:00),
        capacity: 5,
        active: true,
    };
    p.delivery_slots.create(&slot).await.unwrap();
    let fields = AddressFields {
        label: Some("Home".into()),
        block: Some("3".into()),
        street: Some("Street 12".into()),
        house: Some("14A".into()),
        ..AddressFields::default()
    };
    let address = Address {
        id: AddressId(Uuid::now_v7()),
        user_id: user.id,
        sap_id: None,
        details: AddressDetails::parse(AddressKind::House, &fields).unwrap(),
        location: MapPoint { latitude: 24.5, longitude: 54.41 },
        area_id: area.id,
        created_at: now,
        updated_at: now,
    };
    assert!(p.addresses.create(&address, 20).await.unwrap());
    let input = CheckoutInput {
        delivery: DeliveryChoice::Address(address.id),
        slot_id: slot.id,
        date: date!(2026 - 03 - 08),
        payment_method: PaymentMethod::Card,
        promo_code: None,
        coupons: Vec::new(),
        comment: None,
    };
    let service = OrderService::new(w.ports.clone(), settings());
    service.put_in_cart(&claims, product.id, 2).await.unwrap();
    (claims, input)
}

#[tokio::test]
async fn a_retry_that_raced_its_first_attempt_gets_the_order_not_an_empty_cart() {
    let w = fake_world(datetime!(2026-03-01 09:00 UTC));
    let (claims, input) = shop(&w).await;
    let first = OrderService::new(w.ports.clone(), settings()).checkout(&claims, "key-1", &input).await.unwrap();
    assert!(!first.replayed);

    let mut ports = w.ports.clone();
    ports.orders = Arc::new(FirstLookupMisses { inner: w.ports.orders.clone(), missed: AtomicBool::new(false) });
    let retry = OrderService::new(ports, settings()).checkout(&claims, "key-1", &input).await.unwrap();
    assert!(retry.replayed, "the retry answers the order its key placed");
    assert_eq!(retry.order.id, first.order.id);
}

#[tokio::test]
async fn a_new_key_on_an_empty_cart_is_still_refused() {
    let w = fake_world(datetime!(2026-03-01 09:00 UTC));
    let (claims, input) = shop(&w).await;
    let service = OrderService::new(w.ports.clone(), settings());
    service.checkout(&claims, "key-1", &input).await.unwrap();
    let other = service.checkout(&claims, "key-2", &input).await.unwrap_err();
    assert_eq!(other, CheckoutError::CartEmpty);
}

#[tokio::test]
async fn an_admin_finds_an_order_by_its_number_and_a_customer_may_not() {
    let w = fake_world(datetime!(2026-03-01 09:00 UTC));
    let (claims, input) = shop(&w).await;
    let service = OrderService::new(w.ports.clone(), settings());
    let placed = service.checkout(&claims, "key-1", &input).await.unwrap().order;
    let now = w.clock.now();
    let admin = NewUser {
        id: UserId(Uuid::now_v7()),
        phone: Phone::parse("+96550030002").unwrap(),
        full_name: FullName::parse("Ops Admin").unwrap(),
        password_hash: PasswordHash("hash".into()),
        role: Role::Admin,
        status: UserStatus::Active,
        language: Language::En,
        location: None,
        now,
    };
    let admin = w.ports.users.create(&admin).await.unwrap();
    let as_admin =
        AccessClaims { subject: Subject::User(admin.id), role: Role::Admin, issued_at: now, expires_at: now + Duration::minutes(15) };

    let found = service.any_order_by_number(&as_admin, placed.number).await.unwrap();
    assert_eq!((found.order.id, found.events.len()), (placed.id, 1));
    assert_eq!(service.any_order_by_number(&as_admin, placed.number + 1).await.unwrap_err(), OrderError::NotFound);
    assert!(matches!(service.any_order_by_number(&claims, placed.number).await, Err(OrderError::Admin(_))));
}
