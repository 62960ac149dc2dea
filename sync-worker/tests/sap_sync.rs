//! End to end: our application and the sync-worker against the SAP simulator, on SQLite always and on
//! PostgreSQL when `SABIL_TEST_POSTGRES_URL` is set. The worker's steps are called one at a time
//! (`push_once`, `catch_up`), except in the `kill -9` drill, which runs the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use sabil_adapters::app::App;
use sabil_adapters::config::Config;
use sabil_api::sap_simulator::{Faults, NewFeedItem, SapSimulator, SimState, SimulatorConfig};
use sabil_core::domain::catalog::{Product, ProductId, ProductType};
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId};
use sabil_core::domain::orders::{Order, OrderStatus};
use sabil_core::domain::sync::{ChangeRecord, InboundEntity};
use sabil_core::domain::{Currency, FullName, LocalizedText, Money, PasswordHash, Phone, ProfileChanges, Role, UserId};
use sabil_core::services::sync::PushSettings;
use sabil_sync_worker::{SyncWorker, WorkerSettings};
use sabil_tests::TestDatabase;
use sabil_tests::order_fixtures::{SUNDAY, Shop, new_order, order, status_change, stored};
use serde_json::json;
use uuid::Uuid;

#[derive(Clone, Copy, Debug)]
enum Engine {
    Sqlite,
    Postgres,
}

struct World {
    app: App,
    worker: SyncWorker,
    sim: SapSimulator,
    vars: HashMap<String, String>,
    _dir: tempfile::TempDir,
    _pg: Option<TestDatabase>,
}

/// Retries come back after 5 to 10 ms here, so a test can wait them out.
fn quick_retries(max_attempts: u32) -> PushSettings {
    PushSettings { batch: 500, max_attempts, base_delay: Duration::from_millis(10), max_delay: Duration::from_millis(20) }
}

async fn world(engine: Engine, max_attempts: u32) -> Option<World> {
    let pg = match engine {
        Engine::Sqlite => None,
        Engine::Postgres => Some(TestDatabase::create().await?),
    };
    let sim = SapSimulator::start(SimulatorConfig::default()).await.expect("simulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut vars: HashMap<String, String> = HashMap::from([
        ("SABIL_DATA_DIR".into(), dir.path().display().to_string()),
        ("SABIL_JWT_SECRET".into(), "test-signing-key-0123456789abcdef0123456789".into()),
        ("SABIL_AUTO_MIGRATE".into(), "true".into()),
        ("SABIL_SAP_BASE_URL".into(), sim.url()),
        ("SABIL_SAP_LOGIN".into(), "sabil".into()),
        ("SABIL_SAP_PASSWORD".into(), "sabil-dev".into()),
        ("SABIL_SAP_TIMEOUT_MS".into(), "2000".into()),
    ]);
    if let Some(pg) = &pg {
        vars.insert("SABIL_DATABASE_URL".into(), pg.url().to_owned());
    }
    let config = Config::from_vars(&vars).expect("test configuration is valid");
    vars.insert("SABIL_DATABASE_URL".into(), config.database_url.clone());
    let app = App::from_config(&config).await.expect("application starts");
    let settings = WorkerSettings { push: quick_retries(max_attempts), concurrency: 8, ..WorkerSettings::default() };
    let worker = SyncWorker::new(app.clone(), settings);
    Some(World { app, worker, sim, vars, _dir: dir, _pg: pg })
}

macro_rules! both_engines {
    ($name:ident, |$w:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn case($w: World) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                case(world(Engine::Sqlite, 8).await.expect("sqlite always runs")).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(w) = world(Engine::Postgres, 8).await {
                    case(w).await;
                }
            }
        }
    };
}

/// An active customer (SAP hears of it: one `create` change).
async fn customer(app: &App, n: u32) -> UserId {
    let phone = Phone::parse(&format!("+9655{n:07}")).expect("phone");
    let name = FullName::parse("Fatima Al-Sabah").expect("name");
    app.accounts.create_active_with_hash(phone, name, PasswordHash("x".into()), Role::Customer).await.expect("customer").id
}

/// Renames a customer (one `update` change).
async fn rename(app: &App, id: UserId, name: &str) {
    let changes = ProfileChanges { full_name: Some(FullName::parse(name).expect("name")), language: None, location: None };
    app.ports.users.update_profile(id, &changes, app.ports.clock.now()).await.expect("renamed");
}

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} ar"), en: en.to_owned() }
}

/// An area, a Sunday slot and two products, stored through the ports.
async fn shop(app: &App) -> Shop {
    let now = app.ports.clock.now();
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: text("Salmiya"),
        boundary: None,
        delivery_fee: Money::new(500, Currency::Kwd),
        minimum_order: Money::new(0, Currency::Kwd),
        active: true,
        created_at: now,
        updated_at: now,
    };
    app.ports.delivery_areas.create(&area).await.expect("area");
    let slot = DeliverySlot {
        id: DeliverySlotId(Uuid::now_v7()),
        area_id: area.id,
        weekday: time::Weekday::Sunday,
        starts_at: time::macros::time!(10:00),
        ends_at: time::macros::time!(12:00),
        capacity: 1000,
        active: true,
    };
    app.ports.delivery_slots.create(&slot).await.expect("slot");
    let mut ids = Vec::new();
    for (i, price) in [1_250_i64, 3_000].into_iter().enumerate() {
        let product = Product {
            id: ProductId(Uuid::now_v7()),
            sap_id: None,
            title: text("Water"),
            description: text("Water"),
            product_type: ProductType::Refill,
            volume_ml: 18_900,
            bottles_per_pack: 1,
            price_per_pack: Money::new(price, Currency::Kwd),
            min_quantity: 1,
            max_quantity: 20,
            image_id: None,
            active: true,
            sort_order: i32::try_from(i).expect("small"),
            created_at: now,
            updated_at: now,
        };
        app.ports.products.create(&product).await.expect("product");
        ids.push(product.id);
    }
    Shop { area: area.id, slot: slot.id, refill: ids[0], case: ids[1] }
}

async fn place(app: &App, shop: &Shop, customer: UserId, key: &str) -> Order {
    stored(app.ports.orders.place(&new_order(order(customer, shop, SUNDAY, 1, 0), key), app.ports.clock.now()).await)
}

/// Every change in our feed, completed or not, by seq.
async fn all_changes(app: &App) -> Vec<ChangeRecord> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = app.ports.changes.unprocessed(after, 1000).await.expect("feed readable");
        let Some(last) = page.last() else { break };
        after = Some(last.seq);
        out.extend(page);
    }
    out
}

/// Pushes, letting retry times pass, until nothing is waiting (at most `rounds` passes).
async fn drain(w: &World, rounds: u32) {
    for _ in 0..rounds {
        w.worker.push_until_idle().await.expect("push pass");
        let backlog = w.app.ports.changes.backlog().await.expect("backlog");
        if backlog.iter().all(|b| b.pending == 0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("changes still pending after {rounds} rounds: {:?}", w.app.ports.changes.backlog().await);
}

/// Every change arrived at SAP exactly once, and each entity's changes in our order.
fn assert_exactly_once_in_order(state: &SimState, expected: &[ChangeRecord]) {
    let arrived: Vec<Uuid> = state.arrivals.iter().map(|a| a.change_id).collect();
    let unique: HashSet<Uuid> = arrived.iter().copied().collect();
    assert_eq!(unique.len(), arrived.len(), "a change was applied twice at SAP");
    let wanted: HashSet<Uuid> = expected.iter().map(|c| c.id).collect();
    assert_eq!(unique, wanted, "SAP did not receive exactly our changes");
    let mut last_seq: HashMap<Uuid, i64> = HashMap::new();
    for a in &state.arrivals {
        let previous = last_seq.insert(a.app_id, a.seq);
        assert!(previous.is_none_or(|p| p < a.seq), "entity {} got seq {} after {:?}", a.app_id, a.seq, previous);
    }
}

both_engines!(changes_made_while_sap_is_down_all_arrive_once_and_in_order, |w| {
    w.sim.set_faults(Faults { down: true, ..Faults::default() });
    let shop = shop(&w.app).await;
    let first = customer(&w.app, 1).await;
    let order = place(&w.app, &shop, first, "while-down").await;
    // 40 customers with 4 renames each: 200 changes, besides the order's.
    let mut people = Vec::new();
    for n in 0..40 {
        people.push(customer(&w.app, 100 + n).await);
    }
    for round in 0..4 {
        for (i, id) in people.iter().enumerate() {
            rename(&w.app, *id, &format!("Customer {i} v{round}")).await;
            if round == 0 && i % 10 == 0 {
                // SAP is down: passes fail and schedule retries, counting attempts.
                w.worker.push_once().await.expect("push pass");
            }
        }
    }
    let expected = all_changes(&w.app).await;
    assert!(expected.len() >= 202, "{} changes", expected.len());
    assert!(w.sim.state().arrivals.is_empty(), "nothing can arrive while SAP is down");
    assert!(expected.iter().any(|c| c.attempts > 0), "the failed passes were counted");
    assert!(w.app.ports.changes.dead_letters(10).await.unwrap().is_empty(), "an outage is not a reason to give up");

    w.sim.set_faults(Faults::default());
    drain(&w, 200).await;
    let state = w.sim.state();
    assert_exactly_once_in_order(&state, &expected);
    let at_sap = state.record("orders", order.id.0).expect("the order reached SAP");
    assert_eq!(at_sap.applied, 1);
    // SAP's id came back and is kept on the order (without a new change for SAP).
    let kept = w.app.ports.orders.get(order.id).await.unwrap().unwrap();
    assert_eq!(kept.sap_id.as_deref(), Some(at_sap.sap_id.as_str()));
    assert!(w.app.ports.changes.unprocessed(None, 10).await.unwrap().is_empty());
});

both_engines!(a_poison_change_is_dead_lettered_while_other_entities_flow_and_retry_delivers_it, |w| {
    let shop = shop(&w.app).await;
    let buyer = customer(&w.app, 1).await;
    w.sim.set_faults(Faults { reject_entity: Some("orders".into()), ..Faults::default() });
    let order = place(&w.app, &shop, buyer, "poison").await;
    w.worker.push_until_idle().await.unwrap();
    let dead = w.app.sync.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1, "SAP's 422 dead-letters the order's change at once");
    assert_eq!(dead[0].entity_id, order.id.0);
    assert!(dead[0].last_error.as_deref().unwrap_or_default().contains("422"), "{:?}", dead[0].last_error);
    // The order's next change waits behind it; other entities keep flowing.
    w.app
        .ports
        .orders
        .change_status(&status_change(&order, order.status, OrderStatus::Cancelled, 5), w.app.ports.clock.now())
        .await
        .unwrap();
    rename(&w.app, buyer, "Fatima Renamed").await;
    w.worker.push_until_idle().await.unwrap();
    let state = w.sim.state();
    assert!(state.record("orders", order.id.0).is_none());
    assert_eq!(state.record("customers", buyer.0).expect("customer flowed").applied, 2);
    assert_eq!(w.app.ports.changes.unprocessed(None, 10).await.unwrap().len(), 2, "the dead letter and the change behind it");

    // The cause is fixed at SAP; an operator puts it back.
    w.sim.set_faults(Faults::default());
    let meta = sabil_core::domain::RequestMeta::default();
    assert_eq!(w.app.sync.retry(Some(dead[0].id), "test operator", &meta).await.unwrap(), 1);
    drain(&w, 50).await;
    let state = w.sim.state();
    let arrivals: Vec<&str> = state.arrivals_of("orders").map(|a| a.operation.as_str()).collect();
    assert_eq!(arrivals, ["create", "update"], "delivered, then the change that waited");
    assert!(w.app.sync.dead_letters(10).await.unwrap().is_empty());
});

mod a_change_failing_n_times_is_dead_lettered {
    use super::*;

    async fn case(w: World) {
        let id = customer(&w.app, 7).await;
        w.sim.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
        for _ in 0..20 {
            w.worker.push_once().await.unwrap();
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let dead = w.app.sync.dead_letters(10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!((dead[0].entity_id, dead[0].attempts), (id.0, 3), "dead after exactly 3 failed tries");
        let skipped = w.app.sync.skip(dead[0].id, "entered in SAP by hand", "test operator", &Default::default()).await;
        assert!(skipped.is_ok());
        assert!(w.app.ports.changes.unprocessed(None, 10).await.unwrap().is_empty());
        assert!(w.app.ports.audit.recent(10).await.unwrap().iter().any(|e| e.kind.as_str() == "sync_skipped"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        case(world(Engine::Sqlite, 3).await.unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        if let Some(w) = world(Engine::Postgres, 3).await {
            case(w).await;
        }
    }
}

fn product_change(sap_id: &str, version: i64, price: i64) -> NewFeedItem {
    NewFeedItem {
        entity: "product".into(),
        operation: "update".into(),
        data: json!({"sapId": sap_id, "version": version, "titleEn": format!("Water {sap_id}"), "titleAr": "ماء",
            "type": "refill", "volumeMl": 18900, "bottlesPerPack": 1, "price": price, "currency": "KWD"}),
    }
}

both_engines!(catch_up_applies_sap_queued_changes_in_order_and_confirms_exactly_the_applied_ones, |w| {
    // 100 products, 5 versions each, queued in version order: 500 changes.
    let mut items = Vec::new();
    for version in 1..=5 {
        for p in 0..100 {
            items.push(product_change(&format!("P-{p:03}"), version, 1000 + version * 10 + p));
        }
    }
    let mut good = w.sim.push_feed(items);
    // An obsolete change (older than the version applied by then): logged, confirmed as processed.
    good.extend(w.sim.push_feed([product_change("P-000", 3, 1)]));
    // A change that cannot be applied (a wrong type), and a later one of the same product behind it.
    let mut bad = product_change("P-BAD", 1, 500);
    bad.data["price"] = json!("five hundred");
    let held = w.sim.push_feed([bad, product_change("P-BAD", 2, 600)]);
    let report = w.worker.catch_up().await.unwrap();
    assert_eq!(report.applied, 500);
    assert_eq!(report.superseded, 1);
    assert!(report.refused >= 1, "{report:?}");
    let state = w.sim.state();
    let confirmed: HashSet<String> = state.feed.confirmed.iter().cloned().collect();
    assert_eq!(confirmed, good.into_iter().collect::<HashSet<_>>(), "exactly the applied ones are confirmed");
    assert_eq!(state.feed.pending, held, "the refused change and the one behind it stay in SAP's feed");
    for p in [0, 42, 99] {
        let link = w.app.ports.sap_links.find(InboundEntity::Product, &format!("P-{p:03}")).await.unwrap().expect("linked");
        assert_eq!(link.version, 5);
        let product = w.app.ports.products.get(ProductId(link.app_id)).await.unwrap().unwrap();
        assert_eq!(product.price_per_pack.minor, 1000 + 50 + p, "the last version won");
    }
    let failures = w.app.ports.sync_failures.recent(10).await.unwrap();
    let mut statuses: Vec<(u16, &str)> = failures.iter().map(|f| (f.status, f.error_type.as_str())).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [(400, "schema"), (409, "conflict")]);
    assert!(failures.iter().any(|f| f.status == 400 && f.errors.contains("price")), "{failures:?}");
});

mod killed_mid_push_and_restarted_loses_nothing_and_applies_nothing_twice {
    use super::*;
    use std::process::{Child, Command, Stdio};

    fn spawn_worker(w: &World, dir: &std::path::Path) -> Child {
        Command::new(env!("CARGO_BIN_EXE_sabil-sync-worker"))
            .env_clear()
            .envs(&w.vars)
            .env("SABIL_WORKER_METRICS_ADDR", "")
            .env("SABIL_WORKER_LIVENESS_FILE", dir.join("alive").display().to_string())
            .env("SABIL_SAP_PUSH_CONCURRENCY", "4")
            .env("SABIL_SAP_PUSH_INTERVAL_MS", "50")
            .env("SABIL_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the worker binary starts")
    }

    async fn case(w: World) {
        // 50 customers with 5 renames each: 300 changes; at 20 ms per call and 4 at a time SAP needs
        // about 1.5 s, so the kill lands mid-push.
        let mut people = Vec::new();
        for n in 0..50 {
            people.push(customer(&w.app, 500 + n).await);
        }
        for round in 0..5 {
            for id in &people {
                rename(&w.app, *id, &format!("Renamed v{round}")).await;
            }
        }
        let expected = all_changes(&w.app).await;
        w.sim.set_faults(Faults { latency_ms: 20, ..Faults::default() });
        let dir = tempfile::tempdir().unwrap();
        let mut child = spawn_worker(&w, dir.path());
        let mut waited = 0;
        while w.sim.state().arrivals.len() < 60 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += 1;
            assert!(waited < 1500, "the worker pushed nothing in 30 s");
        }
        child.kill().expect("kill -9");
        child.wait().unwrap();
        let at_kill = w.sim.state().arrivals.len();
        assert!(at_kill < expected.len(), "killed mid-push ({at_kill} of {})", expected.len());

        let mut child = spawn_worker(&w, dir.path());
        let mut waited = 0;
        while !w.app.ports.changes.unprocessed(None, 1).await.unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
            assert!(waited < 1200, "the restarted worker did not finish in 60 s");
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let state = w.sim.state();
        assert_exactly_once_in_order(&state, &expected);
        eprintln!("kill -9 drill: {at_kill} applied before the kill, {} re-deliveries answered as duplicates", state.totals.duplicates);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        case(world(Engine::Sqlite, 8).await.unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        if let Some(w) = world(Engine::Postgres, 8).await {
            case(w).await;
        }
    }
}

both_engines!(only_one_worker_leads_at_a_time_and_a_standby_takes_over, |w| {
    use sabil_adapters::store::Db;
    use sabil_adapters::store::leader::{SYNC_WORKER_LOCK, try_lead};
    // The standby is another process: a pool of its own on the same database.
    let standby = Db::connect(&w.vars["SABIL_DATABASE_URL"], 2).await.unwrap();
    let first = try_lead(&w.app.db, SYNC_WORKER_LOCK).await.unwrap();
    assert!(first.is_some(), "the first worker leads");
    assert!(try_lead(&standby, SYNC_WORKER_LOCK).await.unwrap().is_none(), "a second one stands by");
    let mut first = first.unwrap();
    assert!(first.still_held().await);
    drop(first);
    let mut taken = None;
    for _ in 0..50 {
        taken = try_lead(&standby, SYNC_WORKER_LOCK).await.unwrap();
        if taken.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(taken.is_some(), "the standby takes over once the leader is gone");
    assert!(try_lead(&w.app.db, SYNC_WORKER_LOCK).await.unwrap().is_none(), "and the old leader's pool holds nothing");
});
