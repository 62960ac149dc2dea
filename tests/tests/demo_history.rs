//! The demo order history generator (`sabil_adapters::demo_orders`) on SQLite and PostgreSQL: the planned
//! counts, money that adds up as checkout computes it, lifecycles that end in the order's status, customers
//! in the reserved phone range who cannot sign in, nothing for SAP or the outbox, the demo load happening
//! once, and one seed giving one history.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;

use sabil_adapters::app::App;
use sabil_adapters::config::Config;
use sabil_adapters::demo_orders::{self, HISTORY_PHONE_PREFIX, HistoryPlan, HistorySeeded};
use sabil_adapters::store::Db;
use sabil_core::domain::orders::{Order, OrderStatus, TaxRule};
use sabil_core::domain::{Page, PageRequest, Phone};
use sabil_core::ports::{BusinessTimeZone, OrderQuery};
use sabil_tests::TestDatabase;
use time::macros::date;
use time::{Date, Duration, OffsetDateTime};

/// An application on a fresh database with the demo catalog, and what keeps the database alive.
struct Shop {
    app: App,
    config: Config,
    _dir: tempfile::TempDir,
    _pg: Option<TestDatabase>,
}

#[derive(Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Shop {
    async fn open(engine: Engine) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(TestDatabase::create().await?),
        };
        let mut vars = HashMap::from([
            ("SABIL_DATA_DIR".to_owned(), dir.path().display().to_string()),
            ("SABIL_JWT_SECRET".to_owned(), "history-test-key-0123456789abcdef0123456789".to_owned()),
            ("SABIL_AUTO_MIGRATE".to_owned(), "true".to_owned()),
        ]);
        if let Some(pg) = &pg {
            vars.insert("SABIL_DATABASE_URL".to_owned(), pg.url().to_owned());
        }
        let config = Config::from_vars(&vars).expect("valid configuration");
        let app = App::from_config(&config).await.expect("application starts");
        assert!(sabil_adapters::demo_catalog::seed_catalog(&app).await.expect("demo catalog") > 0);
        Some(Self { app, config, _dir: dir, _pg: pg })
    }

    fn plan(&self, orders: u32, days: u32, end: Date, seed: u64) -> HistoryPlan {
        HistoryPlan::for_config(&self.config, orders, days, end, seed).expect("plan")
    }

    async fn seed(&self, plan: &HistoryPlan) -> HistorySeeded {
        let mut reported = 0;
        let seeded = demo_orders::seed_order_history(&self.app, plan, &mut |n| reported = n).await.expect("history loads");
        assert_eq!(reported, seeded.orders, "the last progress report is the total");
        seeded
    }

    /// One `BIGINT` (`COUNT(*)`) from either engine.
    async fn count(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.app.db {
            Db::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
            Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
        }
        .expect("count query")
    }

    /// Every order, read back through the repository.
    async fn orders(&self) -> Vec<Order> {
        let mut out = Vec::new();
        let mut page = PageRequest { limit: PageRequest::MAX_LIMIT, cursor: None };
        loop {
            let query = OrderQuery { customer: None, status: None, from: None, until: None, page };
            let Page { items, next_cursor } = self.app.ports.orders.list(&query).await.expect("list");
            out.extend(items);
            match next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => return out,
            }
        }
    }

    /// Every order as one line of text, by number (for comparing two histories).
    async fn fingerprint(&self) -> Vec<String> {
        let mut out = Vec::new();
        for o in self.orders().await {
            let phone = self.app.ports.users.get(o.customer_id).await.expect("user").and_then(|u| u.phone).map(|p| p.to_string());
            let lines: Vec<String> = o.lines.iter().map(|l| format!("{}x{}", l.title.en, l.quantity)).collect();
            out.push(format!(
                "{} {} {} {} {} {:?} {} {:?}",
                o.number,
                o.created_at,
                o.status.as_str(),
                o.payment_method.as_str(),
                o.totals.amount_to_pay.minor,
                phone,
                o.slot.date,
                lines
            ));
        }
        out.sort();
        out
    }
}

/// One case run on SQLite, and on PostgreSQL when `SABIL_TEST_POSTGRES_URL` is set.
macro_rules! both_engines {
    ($name:ident, |$shop:ident| $body:block) => {
        mod $name {
            use super::*;

            async fn case($shop: Shop) $body

            #[tokio::test]
            async fn on_sqlite() {
                case(Shop::open(Engine::Sqlite).await.expect("sqlite always runs")).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                if let Some(shop) = Shop::open(Engine::Postgres).await {
                    case(shop).await;
                }
            }
        }
    };
}

both_engines!(a_history_has_the_planned_orders_with_money_that_adds_up, |shop| {
    let end = date!(2026 - 11 - 30);
    let seeded = shop.seed(&shop.plan(600, 30, end, 7)).await;
    assert_eq!(seeded.orders, 600);
    assert_eq!((seeded.first_number, seeded.last_number), (100_001, 100_600), "numbers from the orders store's own source");
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 600);
    assert_eq!(shop.count("SELECT COUNT(DISTINCT number) FROM orders").await, 600);
    assert_eq!(shop.count("SELECT COUNT(*) FROM order_lines").await, i64::try_from(seeded.lines).unwrap());
    assert_eq!(shop.count("SELECT COUNT(*) FROM order_events").await, i64::try_from(seeded.events).unwrap());
    assert_eq!(shop.count("SELECT COUNT(*) FROM service_ratings").await, i64::try_from(seeded.ratings).unwrap());

    // Money, for every order, in SQL.
    for mismatch in [
        "SELECT COUNT(*) FROM orders o WHERE o.sub_total <> (SELECT SUM(l.gross) FROM order_lines l WHERE l.order_id = o.id)",
        "SELECT COUNT(*) FROM orders o WHERE o.promotion_discount <> (SELECT SUM(l.promotion_discount) FROM order_lines l WHERE l.order_id = o.id)",
        "SELECT COUNT(*) FROM orders WHERE net_amount <> sub_total - promotion_discount - order_discount + delivery_fee + tax_total",
        "SELECT COUNT(*) FROM orders WHERE amount_to_pay <> net_amount - coupon_credit OR amount_to_pay <= 0 OR currency <> 'AED'",
        "SELECT COUNT(*) FROM order_lines WHERE gross <> quantity * unit_price OR line_total <> gross - promotion_discount",
    ] {
        assert_eq!(shop.count(mismatch).await, 0, "{mismatch}");
    }
    // ... and for every order read back through the repository, with the tax computed as checkout does.
    let orders = shop.orders().await;
    assert_eq!(orders.len(), 600);
    for o in &orders {
        let t = &o.totals;
        let line_tax: i64 = o.lines.iter().map(|l| l.tax.minor).sum();
        assert_eq!(t.tax_total.minor, line_tax + TaxRule::UAE_VAT.tax_on(t.delivery_fee.minor).unwrap(), "order {}", o.number);
        for l in &o.lines {
            assert_eq!(l.tax.minor, TaxRule::UAE_VAT.tax_on(l.taxable_amount.minor).unwrap());
            assert_eq!(l.taxable_amount.minor, l.line_total.minor - l.order_discount_share.minor);
        }
        assert!(t.sub_total.minor - t.promotion_discount.minor >= 2_000, "at least the area's minimum: {}", o.number);
    }

    // Lifecycles: one creation event, one event per version, the last move is the status.
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM orders o WHERE o.version <> (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id)").await,
        0
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM order_events WHERE from_status IS NULL").await, 600);
    let last_is_status = "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id \
                          AND e.to_status = o.status AND e.created_at = o.updated_at)";
    assert_eq!(shop.count(last_is_status).await, 0);
    let delivered = shop.count("SELECT COUNT(*) FROM orders WHERE status = 'delivered'").await;
    assert!(delivered > 480, "mostly delivered: {delivered}");
    for status in ["cancelled", "refunded", "payment_failed"] {
        assert!(shop.count(&format!("SELECT COUNT(*) FROM orders WHERE status = '{status}'")).await > 0, "some {status}");
    }
    let rated = shop.count("SELECT COUNT(*) FROM service_ratings r JOIN orders o ON o.id = r.order_id WHERE o.status = 'delivered'").await;
    assert_eq!(rated, i64::try_from(seeded.ratings).unwrap(), "only delivered orders are rated");
    assert!((delivered / 5..=delivered * 2 / 5).contains(&rated), "about 30 % rated: {rated} of {delivered}");

    // Customers: in the reserved range, signed up before ordering, without a password.
    let like = format!("phone LIKE '{HISTORY_PHONE_PREFIX}%'");
    assert_eq!(
        shop.count(&format!("SELECT COUNT(*) FROM users WHERE {like} AND password_hash IS NULL")).await,
        i64::try_from(seeded.customers).unwrap()
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE u.created_at >= o.created_at").await, 0);
    assert_eq!(shop.count("SELECT COUNT(*) FROM addresses").await, i64::try_from(seeded.customers).unwrap());
    let customer =
        shop.app.ports.users.find_by_phone(&Phone::parse(&format!("{HISTORY_PHONE_PREFIX}000000")).unwrap()).await.unwrap().unwrap();
    let addresses = shop.app.ports.addresses.list(customer.id, PageRequest { limit: 10, cursor: None }).await.unwrap();
    assert_eq!(addresses.items.len(), 1, "the address reads back");

    // Within the period, in SAP already: nothing queued for SAP or the outbox.
    let zone = shop.plan(1, 1, end, 0).time_zone;
    let first_day = end - Duration::days(29);
    let start = first_day.midnight().assume_offset(zone.offset_on(first_day));
    let stop = (end + Duration::days(1)).midnight().assume_offset(zone.offset_on(end));
    assert!(orders.iter().all(|o| o.created_at >= start && o.created_at < stop && o.updated_at >= o.created_at));
    assert_eq!(shop.count("SELECT COUNT(*) FROM changes WHERE entity IN ('order', 'customer', 'address')").await, 0);
    assert_eq!(shop.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders WHERE sap_id IS NULL").await, 0);
});

both_engines!(the_demo_history_is_loaded_once, |shop| {
    let first = demo_orders::seed_demo_history(&shop.app, &shop.config).await.expect("loads").expect("a fresh database gets it");
    assert_eq!(first.orders, 1_500);
    assert!(demo_orders::seed_demo_history(&shop.app, &shop.config).await.expect("runs").is_none(), "not a second time");
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 1_500);
    // It ends now: nothing later, and the latest orders are still on their way.
    let now = OffsetDateTime::now_utc();
    let orders = shop.orders().await;
    assert!(orders.iter().all(|o| o.created_at <= now && o.updated_at <= now));
    let open = [OrderStatus::PendingPayment, OrderStatus::Paid, OrderStatus::Confirmed, OrderStatus::OutForDelivery];
    assert!(orders[..50].iter().any(|o| open.contains(&o.status)), "recent orders still open");
});

both_engines!(a_second_history_adds_new_customers_after_the_first, |shop| {
    let a = shop.seed(&shop.plan(120, 10, date!(2026 - 10 - 31), 1)).await;
    let b = shop.seed(&shop.plan(120, 10, date!(2026 - 10 - 31), 1)).await;
    assert_eq!((b.first_number, b.last_number), (a.last_number + 1, a.last_number + 120));
    let customers = i64::try_from(a.customers + b.customers).unwrap();
    assert_eq!(shop.count(&format!("SELECT COUNT(*) FROM users WHERE phone LIKE '{HISTORY_PHONE_PREFIX}%'")).await, customers);
});

#[tokio::test]
async fn one_seed_gives_one_history() {
    let (a, b, c) =
        (Shop::open(Engine::Sqlite).await.unwrap(), Shop::open(Engine::Sqlite).await.unwrap(), Shop::open(Engine::Sqlite).await.unwrap());
    let end = date!(2026 - 11 - 15);
    a.seed(&a.plan(300, 20, end, 42)).await;
    b.seed(&b.plan(300, 20, end, 42)).await;
    c.seed(&c.plan(300, 20, end, 43)).await;
    let (fa, fb, fc) = (a.fingerprint().await, b.fingerprint().await, c.fingerprint().await);
    assert_eq!(fa.len(), 300);
    assert_eq!(fa, fb, "same seed, same history");
    assert_ne!(fa, fc, "another seed, another history");
}

#[tokio::test]
async fn a_history_needs_a_catalog_and_a_day_before_now() {
    let shop = Shop::open(Engine::Sqlite).await.unwrap();
    let future = shop.plan(10, 3, date!(2099 - 01 - 01), 1);
    let err = demo_orders::seed_order_history(&shop.app, &future, &mut |_| {}).await.expect_err("all in the future");
    assert!(err.to_string().contains("in the future"), "{err}");
    let mut kuwait = shop.plan(10, 3, date!(2026 - 11 - 01), 1);
    kuwait.country = sabil_core::domain::orders::Country::Kw;
    let err = demo_orders::seed_order_history(&shop.app, &kuwait, &mut |_| {}).await.expect_err("the demo catalog is in AED");
    assert!(err.to_string().contains("no active product priced in KWD"), "{err}");
}
