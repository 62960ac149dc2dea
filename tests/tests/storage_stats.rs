//! Conformance of the dashboard aggregates (`StatsRepository`), run on the in-memory fakes, SQLite and
//! PostgreSQL: orders bucketed by business day (an order at 21:30 UTC belongs to the next Dubai day),
//! per status and area, revenue from revenue statuses only, top products with the latest title, new
//! customers (verified customers only, not admins) and ratings, all inside the half-open interval.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::feedback::{RatingId, Score, ServiceRating};
use sabil_core::domain::orders::{Order, OrderLine, OrderStatus};
use sabil_core::domain::stats::{DayFigures, OrderAggregates, ProductFigures};
use sabil_core::domain::{Currency, LocalizedText, Money, Role, UserId, UserStatus};
use sabil_tests::fixtures::new_user;
use sabil_tests::order_fixtures::{BIG_PRICE, SUNDAY, Shop, new_order, open_shop, order, stored};
use sabil_tests::{Stores, conformance};
use time::macros::{date, datetime};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// Dubai: UTC+4, no daylight saving.
const DUBAI: UtcOffset = time::macros::offset!(+4);
/// Business days 2026-03-01 to 2026-03-03 in Dubai, as a UTC half-open interval.
const FROM: OffsetDateTime = datetime!(2026-02-28 20:00:00 UTC);
const UNTIL: OffsetDateTime = datetime!(2026-03-03 20:00:00 UTC);

fn kwd(minor: i64) -> Money {
    Money::new(minor, Currency::Kwd)
}

fn title(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} بالعربية"), en: en.to_owned() }
}

/// A line of `quantity` packs of `product` worth `total` (one more pack free, not counted).
fn line(product: ProductId, name: &str, quantity: u32, total: i64) -> OrderLine {
    OrderLine {
        product_id: product,
        product_sap_id: None,
        title: title(name),
        quantity,
        free_quantity: 1,
        coupons: 0,
        unit_price: kwd(total / i64::from(quantity)),
        gross: kwd(total),
        promotion_id: None,
        promotion_discount: kwd(0),
        order_discount_share: kwd(0),
        discount_bp: 0,
        line_total: kwd(total),
        taxable_amount: kwd(total),
        tax: kwd(0),
        coupon_credit: kwd(0),
    }
}

/// Stores an order of `buyer` in `shop`'s area placed at `when`, in `status`, with these lines, paying `amount`.
async fn sale(
    stores: &Stores,
    buyer: UserId,
    shop: &Shop,
    when: OffsetDateTime,
    status: OrderStatus,
    lines: Vec<OrderLine>,
    amount: i64,
) -> Order {
    let mut o = order(buyer, shop, SUNDAY, 0, 0);
    o.status = status;
    o.lines = lines;
    o.totals.amount_to_pay = kwd(amount);
    o.totals.net_amount = kwd(amount);
    (o.created_at, o.updated_at) = (when, when);
    stored(stores.orders.place(&new_order(o, &format!("k-{}", Uuid::now_v7())), when).await)
}

/// Stores an account registered at `when`.
async fn account(stores: &Stores, phone: &str, when: OffsetDateTime, role: Role, status: UserStatus) -> UserId {
    let mut user = new_user(phone, when);
    (user.role, user.status) = (role, status);
    stores.users.create(&user).await.expect("create the account").id
}

async fn rate(stores: &Stores, o: &Order, score: i64, when: OffsetDateTime) {
    let rating = ServiceRating {
        id: RatingId(Uuid::now_v7()),
        order_id: o.id,
        customer_id: o.customer_id,
        area_id: o.slot.area_id,
        score: Score::parse(score).unwrap(),
        comment: None,
        created_at: when,
    };
    stores.ratings.create(&rating).await.expect("rate");
}

fn day(date: time::Date, orders: i64, revenue_orders: i64, revenue: i64, new_customers: i64) -> DayFigures {
    DayFigures { date, orders, revenue_orders, revenue, new_customers }
}

conformance!(orders_customers_and_ratings_are_aggregated_per_business_day_status_area_and_product, |stores| async move {
    let (north, south) = (open_shop(&stores, 50).await, open_shop(&stores, 50).await);
    let buyer = account(&stores, "+96550081001", datetime!(2026-02-01 08:00 UTC), Role::Customer, UserStatus::Active).await;
    let refill = |n, total| line(north.refill, "Refill", n, total);
    let s = &stores;
    let first = sale(
        s,
        buyer,
        &north,
        datetime!(2026-03-01 09:00 UTC),
        OrderStatus::Delivered,
        vec![refill(3, 3_750), line(north.case, "Case", 1, 5_000)],
        9_000,
    )
    .await;
    let renamed = line(north.refill, "Refill (new name)", 2, 2_500);
    let second = sale(s, buyer, &north, datetime!(2026-03-01 10:00:00.000001 UTC), OrderStatus::Delivered, vec![renamed], 3_000).await;
    sale(
        s,
        buyer,
        &south,
        datetime!(2026-03-01 11:00 UTC),
        OrderStatus::Cancelled,
        vec![line(south.refill, "South refill", 10, 12_500)],
        13_000,
    )
    .await;
    // 21:30 UTC is 01:30 the next day in Dubai.
    sale(
        s,
        buyer,
        &south,
        datetime!(2026-03-01 21:30 UTC),
        OrderStatus::Confirmed,
        vec![line(south.refill, "South refill", 4, 5_000)],
        5_500,
    )
    .await;
    sale(s, buyer, &north, datetime!(2026-03-02 08:00 UTC), OrderStatus::PaymentFailed, vec![refill(1, 1_250)], 1_250).await;
    sale(s, buyer, &north, datetime!(2026-03-03 12:00 UTC), OrderStatus::PendingPayment, vec![line(north.case, "Case", 7, 35_000)], 100)
        .await;
    sale(
        s,
        buyer,
        &south,
        datetime!(2026-03-03 19:59:59.999999 UTC),
        OrderStatus::OutForDelivery,
        vec![line(south.case, "South case", 1, 700)],
        BIG_PRICE,
    )
    .await;
    // Outside the range on both sides: the end is excluded, the start included.
    let late = sale(s, buyer, &north, UNTIL, OrderStatus::Delivered, vec![refill(100, 125_000)], 125_000).await;
    sale(s, buyer, &north, FROM - time::Duration::microseconds(1), OrderStatus::Delivered, vec![refill(100, 125_000)], 125_000).await;

    account(s, "+96550081002", FROM, Role::Customer, UserStatus::Active).await;
    account(s, "+96550081003", datetime!(2026-03-01 21:30 UTC), Role::Customer, UserStatus::Active).await;
    account(s, "+96550081004", datetime!(2026-03-01 10:00 UTC), Role::Customer, UserStatus::Unverified).await;
    account(s, "+96550081005", datetime!(2026-03-01 10:00 UTC), Role::Admin, UserStatus::Active).await;
    account(s, "+96550081006", UNTIL, Role::Customer, UserStatus::Active).await;

    rate(s, &first, 5, datetime!(2026-03-01 12:00 UTC)).await;
    rate(s, &second, 4, datetime!(2026-03-03 08:00 UTC)).await;
    rate(s, &late, 1, UNTIL).await;

    let got = stores.stats.aggregates(FROM, UNTIL, DUBAI, 3).await.unwrap();
    assert_eq!(
        got.days,
        vec![
            day(date!(2026 - 03 - 01), 3, 2, 12_000, 1),
            day(date!(2026 - 03 - 02), 2, 1, 5_500, 1),
            day(date!(2026 - 03 - 03), 2, 1, BIG_PRICE, 0),
        ]
    );
    assert_eq!(
        got.by_status,
        vec![
            (OrderStatus::Cancelled, 1),
            (OrderStatus::Confirmed, 1),
            (OrderStatus::Delivered, 2),
            (OrderStatus::OutForDelivery, 1),
            (OrderStatus::PaymentFailed, 1),
            (OrderStatus::PendingPayment, 1),
        ],
        "by status name, statuses without orders left out"
    );
    let areas: Vec<_> = got.by_area.iter().map(|a| (a.area_id, a.orders, a.revenue)).collect();
    assert_eq!(areas, vec![(north.area, 4, 12_000), (south.area, 3, 5_500 + BIG_PRICE)]);
    assert_eq!(
        got.top_products,
        vec![
            ProductFigures { product_id: north.refill, title: title("Refill (new name)"), packs: 5, revenue: 6_250 },
            ProductFigures { product_id: south.refill, title: title("South refill"), packs: 4, revenue: 5_000 },
            ProductFigures { product_id: north.case, title: title("Case"), packs: 1, revenue: 5_000 },
        ],
        "packs, then revenue; only revenue orders; at most the top asked for"
    );
    assert_eq!((got.ratings, got.average_rating), (2, Some(4.5)));
});

conformance!(products_tied_on_packs_and_revenue_are_ranked_by_id_and_areas_tied_on_orders_too, |stores| async move {
    let shop = open_shop(&stores, 50).await;
    let other = open_shop(&stores, 50).await;
    let buyer = account(&stores, "+96550082001", datetime!(2026-02-01 08:00 UTC), Role::Customer, UserStatus::Active).await;
    let when = datetime!(2026-03-02 09:00 UTC);
    let lines = |s: &Shop| vec![line(s.case, "Case", 2, 900), line(s.refill, "Refill", 2, 900)];
    sale(&stores, buyer, &other, when, OrderStatus::Paid, lines(&other), 1_800).await;
    sale(&stores, buyer, &shop, when, OrderStatus::Paid, lines(&shop), 1_800).await;
    let got = stores.stats.aggregates(FROM, UNTIL, DUBAI, 10).await.unwrap();
    let mut ids = vec![shop.case, shop.refill, other.case, other.refill];
    ids.sort();
    assert_eq!(got.top_products.iter().map(|p| p.product_id).collect::<Vec<_>>(), ids);
    let mut areas = vec![shop.area, other.area];
    areas.sort();
    assert_eq!(got.by_area.iter().map(|a| a.area_id).collect::<Vec<_>>(), areas);
    assert_eq!(stores.stats.aggregates(FROM, UNTIL, DUBAI, 1).await.unwrap().top_products.len(), 1);
    // A year's range takes the long-range plan on PostgreSQL (merged indexes, no hash join): same answer.
    let year = stores.stats.aggregates(UNTIL - time::Duration::days(365), UNTIL, DUBAI, 10).await.unwrap();
    assert_eq!((year.top_products, year.by_area), (got.top_products, got.by_area));
});

conformance!(an_empty_period_has_no_figures, |stores| async move {
    assert_eq!(stores.stats.aggregates(FROM, UNTIL, DUBAI, 10).await.unwrap(), OrderAggregates::default());
});
