//! Behaviour of `FeedbackService` on the in-memory fakes: who may manage and answer surveys, the rules
//! answers must meet, which surveys a customer is offered, ratings of delivered orders and their period
//! in business days, and questions answered once with a notification.
//! This file holds the `World` the stories share; each topic's stories are a module.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod questions;
mod ratings;
mod surveys;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sabil_core::domain::address::AddressId;
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, DeliverySlotId};
use sabil_core::domain::orders::{BookedSlot, DeliveryTarget, Order, OrderEvent, OrderId, OrderStatus, OrderTotals, PaymentMethod};
use sabil_core::domain::{AccessClaims, Currency, Language, LocalizedText, Money, Page, Role, Subject, UserId, UserStatus};
use sabil_core::error::RepoError;
use sabil_core::ports::{Clock as _, FixedOffsetZone, NewOrder, OrderQuery, OrderRepository, PlaceRefused, Placed, StatusChange};
use sabil_core::services::FeedbackService;
use sabil_core::testing::{FakeWorld, InMemoryRatings, fake_world};
use time::macros::{date, datetime};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// Orders the stories put in place directly, in any status (placing one through checkout is the
/// order service's business, tested there).
#[derive(Default)]
struct GivenOrders(Mutex<Vec<Order>>);

#[async_trait]
impl OrderRepository for GivenOrders {
    async fn place(&self, _: &NewOrder, _: OffsetDateTime) -> Result<Placed, PlaceRefused> {
        Err(PlaceRefused::Repo(RepoError::Internal("not placed in these stories".into())))
    }
    async fn by_idempotency_key(&self, _: UserId, _: &str) -> Result<Option<(String, OrderId)>, RepoError> {
        Ok(None)
    }
    async fn get(&self, id: OrderId) -> Result<Option<Order>, RepoError> {
        Ok(self.0.lock().unwrap().iter().find(|o| o.id == id).cloned())
    }
    async fn get_by_number(&self, number: i64) -> Result<Option<Order>, RepoError> {
        Ok(self.0.lock().unwrap().iter().find(|o| o.number == number).cloned())
    }
    async fn list(&self, q: &OrderQuery) -> Result<Page<Order>, RepoError> {
        let all = self.0.lock().unwrap();
        let mut items: Vec<Order> = all
            .iter()
            .filter(|o| q.customer.is_none_or(|c| o.customer_id == c) && q.status.is_none_or(|s| o.status == s))
            .cloned()
            .collect();
        items.truncate(q.page.limit as usize);
        Ok(Page { items, next_cursor: None })
    }
    async fn events(&self, _: OrderId) -> Result<Vec<OrderEvent>, RepoError> {
        Ok(vec![])
    }
    async fn change_status(&self, _: &StatusChange, _: OffsetDateTime) -> Result<Option<Order>, RepoError> {
        Ok(None)
    }
}

/// The service over a fresh world of fakes (business time UTC+3), with the orders the stories give.
struct World {
    fakes: FakeWorld,
    orders: Arc<GivenOrders>,
    feedback: FeedbackService,
}

fn world() -> World {
    let mut fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    let orders = Arc::new(GivenOrders::default());
    fakes.ports.orders = orders.clone();
    fakes.ports.ratings = Arc::new(InMemoryRatings::new(orders.clone(), fakes.ports.users.clone(), fakes.ports.delivery_areas.clone()));
    let zone = Arc::new(FixedOffsetZone(UtcOffset::from_hms(3, 0, 0).unwrap()));
    let feedback = FeedbackService::new(fakes.ports.clone(), zone);
    World { fakes, orders, feedback }
}

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} ar"), en: en.to_owned() }
}

impl World {
    /// A stored account with this role and status, and claims for it.
    async fn user(&self, phone: &str, role: Role, status: UserStatus) -> AccessClaims {
        common::signed_in(&self.fakes, phone, role, status, Language::Ar).await.1
    }

    async fn customer(&self, phone: &str) -> AccessClaims {
        self.user(phone, Role::Customer, UserStatus::Active).await
    }

    async fn admin(&self) -> AccessClaims {
        self.user("+96550000001", Role::Admin, UserStatus::Active).await
    }

    /// A stored delivery area.
    async fn area(&self, name: &str) -> DeliveryAreaId {
        let now = self.fakes.clock.now();
        let area = DeliveryArea {
            id: DeliveryAreaId(Uuid::now_v7()),
            sap_id: None,
            name: text(name),
            boundary: None,
            delivery_fee: Money::new(500, Currency::Kwd),
            minimum_order: Money::new(2_000, Currency::Kwd),
            active: true,
            created_at: now,
            updated_at: now,
        };
        self.fakes.ports.delivery_areas.create(&area).await.unwrap();
        area.id
    }

    /// An order of `who` in `area`, now in `status`.
    fn order(&self, who: &AccessClaims, area: DeliveryAreaId, status: OrderStatus) -> OrderId {
        let Subject::User(customer_id) = who.subject else { panic!("a user") };
        let zero = Money::zero(Currency::Kwd);
        let now = datetime!(2026-02-20 09:00 UTC);
        let order = Order {
            id: OrderId(Uuid::now_v7()),
            number: 100_001,
            sap_id: None,
            customer_id,
            status,
            payment_method: PaymentMethod::Cash,
            lines: vec![],
            totals: OrderTotals {
                currency: Currency::Kwd,
                sub_total: zero,
                promotion_discount: zero,
                order_discount: zero,
                order_discount_bp: 0,
                delivery_fee: zero,
                tax_rate_bp: 0,
                tax_total: zero,
                net_amount: zero,
                coupon_credit: zero,
                amount_to_pay: zero,
            },
            promo_code: None,
            delivery: DeliveryTarget::Address { address_id: AddressId(Uuid::now_v7()), snapshot: "Block 4".into() },
            slot: BookedSlot {
                area_id: area,
                slot_id: DeliverySlotId(Uuid::now_v7()),
                date: date!(2026 - 02 - 22),
                starts_minute: 600,
                ends_minute: 720,
            },
            comment: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let id = order.id;
        self.orders.0.lock().unwrap().push(order);
        id
    }
}
