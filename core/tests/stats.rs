//! Behaviour of `StatsService` on the fakes: only active admins read the dashboard, the range is
//! checked (`to` named), business days become the right UTC interval, every day of the range is
//! present, totals add up, areas get their names, the average basket rounds half up, and the sync's
//! health comes from the change queue and the worker's notes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId};
use sabil_core::domain::orders::OrderStatus;
use sabil_core::domain::stats::{AreaFigures, DayFigures, OrderAggregates, ProductFigures};
use sabil_core::domain::{AccessClaims, Currency, Language, LocalizedText, Money, Role, UserStatus};
use sabil_core::error::RepoError;
use sabil_core::ports::{Clock as _, FixedOffsetZone, StatsRepository};
use sabil_core::services::{StatsError, StatsService};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::{date, datetime, offset};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// What the service asked the store, and the figures it answers.
#[derive(Default)]
struct ScriptedStats {
    asked: Mutex<Vec<(OffsetDateTime, OffsetDateTime, UtcOffset, u32)>>,
    answer: Mutex<OrderAggregates>,
}

#[async_trait]
impl StatsRepository for ScriptedStats {
    async fn aggregates(
        &self,
        from: OffsetDateTime,
        until: OffsetDateTime,
        offset: UtcOffset,
        top: u32,
    ) -> Result<OrderAggregates, RepoError> {
        self.asked.lock().unwrap().push((from, until, offset, top));
        Ok(self.answer.lock().unwrap().clone())
    }
}

struct World {
    fakes: FakeWorld,
    stats: Arc<ScriptedStats>,
    service: StatsService,
    admin: AccessClaims,
}

/// Fakes at 21:30 UTC on 2026-03-01 (01:30 on 2 March in Dubai), with an active admin, the store scripted.
async fn world() -> World {
    let mut fakes = fake_world(datetime!(2026-03-01 21:30 UTC));
    let stats = Arc::new(ScriptedStats::default());
    fakes.ports.stats = stats.clone();
    let service = StatsService::new(fakes.ports.clone(), Arc::new(FixedOffsetZone(offset!(+4))), Currency::Kwd);
    let (_, admin) = common::signed_in(&fakes, "+96550090000", Role::Admin, UserStatus::Active, Language::En).await;
    World { fakes, stats, service, admin }
}

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} (ar)"), en: en.to_owned() }
}

fn no_name() -> LocalizedText {
    LocalizedText { ar: String::new(), en: String::new() }
}

fn day(date: time::Date, orders: i64, revenue_orders: i64, revenue: i64, new_customers: i64) -> DayFigures {
    DayFigures { date, orders, revenue_orders, revenue, new_customers }
}

#[tokio::test]
async fn only_an_active_admin_reads_the_dashboard() {
    let w = world().await;
    let (from, to) = (date!(2026 - 03 - 01), date!(2026 - 03 - 02));
    let (_, customer) = common::signed_in(&w.fakes, "+96550090001", Role::Customer, UserStatus::Active, Language::Ar).await;
    let (_, blocked) = common::signed_in(&w.fakes, "+96550090002", Role::Admin, UserStatus::Blocked, Language::Ar).await;
    assert!(matches!(w.service.stats(&customer, from, to).await, Err(StatsError::Denied(_))));
    assert!(matches!(w.service.stats(&blocked, from, to).await, Err(StatsError::Denied(_))));
    assert!(w.stats.asked.lock().unwrap().is_empty(), "nothing counted for them");
    assert!(w.service.stats(&w.admin, from, to).await.is_ok());
}

#[tokio::test]
async fn a_reversed_or_too_long_range_is_refused_naming_to() {
    let w = world().await;
    let field = |r: Result<_, StatsError>| match r {
        Err(StatsError::Invalid(i)) => i.0.iter().map(|p| p.field.clone()).collect::<Vec<_>>(),
        other => panic!("expected Invalid, got {other:?}"),
    };
    assert_eq!(field(w.service.stats(&w.admin, date!(2026 - 03 - 02), date!(2026 - 03 - 01)).await), ["to"]);
    assert_eq!(field(w.service.stats(&w.admin, date!(2025 - 01 - 01), date!(2026 - 01 - 02)).await), ["to"], "367 days");
    let leap_year = w.service.stats(&w.admin, date!(2024 - 01 - 01), date!(2024 - 12 - 31)).await.unwrap();
    assert_eq!(leap_year.days.len(), 366);
    assert_eq!(w.service.stats(&w.admin, date!(2026 - 03 - 01), date!(2026 - 03 - 01)).await.unwrap().days.len(), 1, "one day");
}

#[tokio::test]
async fn business_days_are_asked_as_a_utc_interval_and_every_day_comes_back_with_names_and_totals() {
    let w = world().await;
    let reem = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: text("Al Reem"),
        boundary: None,
        delivery_fee: Money::new(500, Currency::Kwd),
        minimum_order: Money::new(2_000, Currency::Kwd),
        active: true,
        created_at: w.fakes.clock.now(),
        updated_at: w.fakes.clock.now(),
    };
    w.fakes.ports.delivery_areas.create(&reem).await.unwrap();
    let gone = DeliveryAreaId(Uuid::now_v7());
    let product = ProductFigures { product_id: ProductId(Uuid::now_v7()), title: text("Refill"), packs: 7, revenue: 8_750 };
    *w.stats.answer.lock().unwrap() = OrderAggregates {
        days: vec![day(date!(2026 - 03 - 02), 3, 2, 10, 1), day(date!(2026 - 03 - 04), 1, 2, 15, 2)],
        by_status: vec![(OrderStatus::Cancelled, 1), (OrderStatus::Delivered, 3)],
        by_area: vec![
            AreaFigures { area_id: reem.id, name: no_name(), orders: 3, revenue: 20 },
            AreaFigures { area_id: gone, name: no_name(), orders: 1, revenue: 5 },
        ],
        top_products: vec![product.clone()],
        ratings: 2,
        average_rating: Some(4.5),
    };

    let s = w.service.stats(&w.admin, date!(2026 - 03 - 01), date!(2026 - 03 - 04)).await.unwrap();
    assert_eq!(*w.stats.asked.lock().unwrap(), [(datetime!(2026-02-28 20:00 UTC), datetime!(2026-03-04 20:00 UTC), offset!(+4), 10)]);
    assert_eq!(
        s.days,
        [
            day(date!(2026 - 03 - 01), 0, 0, 0, 0),
            day(date!(2026 - 03 - 02), 3, 2, 10, 1),
            day(date!(2026 - 03 - 03), 0, 0, 0, 0),
            day(date!(2026 - 03 - 04), 1, 2, 15, 2),
        ]
    );
    assert_eq!((s.orders, s.revenue_orders, s.revenue, s.new_customers), (4, 4, 25, 3));
    assert_eq!(s.average_basket, 6, "25 / 4 = 6.25");
    assert_eq!((s.from, s.to, s.currency), (date!(2026 - 03 - 01), date!(2026 - 03 - 04), Currency::Kwd));
    assert_eq!(s.by_area.iter().map(|a| (a.name.en.as_str(), a.orders)).collect::<Vec<_>>(), [("Al Reem", 3), ("", 1)]);
    assert_eq!((s.top_products, s.ratings, s.average_rating), (vec![product], 2, Some(4.5)));
    assert_eq!(s.by_status, [(OrderStatus::Cancelled, 1), (OrderStatus::Delivered, 3)]);
}

#[tokio::test]
async fn the_average_basket_rounds_half_up_and_is_zero_without_revenue_orders() {
    let w = world().await;
    let (from, to) = (date!(2026 - 03 - 01), date!(2026 - 03 - 01));
    let empty = w.service.stats(&w.admin, from, to).await.unwrap();
    assert_eq!((empty.average_basket, empty.revenue, empty.days.len()), (0, 0, 1));
    w.stats.answer.lock().unwrap().days = vec![day(from, 2, 2, 2_501, 0)];
    assert_eq!(w.service.stats(&w.admin, from, to).await.unwrap().average_basket, 1_251, "1250.5 rounds up");
}

#[tokio::test]
async fn the_default_range_is_the_thirty_business_days_ending_today() {
    let w = world().await;
    // 21:30 UTC on 1 March is already 2 March in Dubai.
    assert_eq!(w.service.range_or_default(None, None), (date!(2026 - 02 - 01), date!(2026 - 03 - 02)));
    assert_eq!(w.service.range_or_default(None, Some(date!(2026 - 01 - 30))), (date!(2026 - 01 - 01), date!(2026 - 01 - 30)));
    assert_eq!(w.service.range_or_default(Some(date!(2026 - 02 - 20)), None), (date!(2026 - 02 - 20), date!(2026 - 03 - 02)));
}

#[tokio::test]
async fn the_sync_health_counts_the_queue_and_reads_the_workers_notes() {
    let w = world().await;
    let (from, to) = (date!(2026 - 03 - 01), date!(2026 - 03 - 02));
    let quiet = w.service.stats(&w.admin, from, to).await.unwrap().sync;
    assert_eq!(
        (quiet.pending, quiet.dead_letters, quiet.oldest_pending_seconds, quiet.last_push, quiet.last_pull),
        (0, 0, None, None, None)
    );

    // Verified customers are shared with SAP: each one created writes a change.
    common::signed_in(&w.fakes, "+96550090003", Role::Customer, UserStatus::Active, Language::Ar).await;
    w.fakes.clock.advance(time::Duration::seconds(90));
    common::signed_in(&w.fakes, "+96550090004", Role::Customer, UserStatus::Active, Language::Ar).await;
    let changes = w.fakes.ports.changes.unprocessed(None, 10).await.unwrap();
    w.fakes.ports.changes.dead_letter(changes[1].id, "SAP refused it", w.fakes.clock.now()).await.unwrap();
    w.fakes.clock.advance(time::Duration::seconds(30));
    let pushed_at = w.fakes.clock.now();
    w.fakes.ports.changes.note("last_push", "3 changes", pushed_at).await.unwrap();
    let health = w.service.stats(&w.admin, from, to).await.unwrap().sync;
    assert_eq!((health.pending, health.dead_letters, health.oldest_pending_seconds), (1, 1, Some(120)));
    assert_eq!((health.last_push, health.last_pull), (Some(pushed_at), None));
}
