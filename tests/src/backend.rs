//! The three backends and the bundle of repositories the conformance cases run against, with what
//! keeps the backing database alive (and removes it) for the length of one test.
use std::future::Future;
use std::sync::Arc;

use sabil_adapters::store::SqlAddressRepository;
use sabil_adapters::store::{
    Db, OutboxSms, SqlAuditRepository, SqlCodeRepository, SqlDeliveryAreaRepository, SqlDeliverySlotRepository, SqlProductRepository,
    SqlPromotionRepository, SqlRefreshTokenRepository, SqlSapClientRepository, SqlUserRepository,
};
use sabil_adapters::store::{SqlCartRepository, SqlOrderRepository, SqlOutboxRepository, SqlPaymentRepository};
use sabil_adapters::store::{SqlChangeFeedRepository, SqlSapLinkRepository, SqlSyncFailureRepository};
use sabil_adapters::store::{SqlContactRepository, SqlFaqRepository, SqlMosqueRepository, SqlTermsRepository};
use sabil_core::ports::AddressRepository;
use sabil_core::ports::FileRepository;
use sabil_core::ports::{
    AuditRepository, Clock, DeliveryAreaRepository, DeliverySlotRepository, ProductRepository, PromotionRepository, RefreshTokenRepository,
    SapClientRepository, UserRepository, VerificationCodeRepository,
};
use sabil_core::ports::{CartRepository, OrderRepository, OutboxRepository, PaymentRepository};
use sabil_core::ports::{ChangeFeedRepository, SapLinkRepository, SyncFailureRepository};
use sabil_core::ports::{ContactRepository, FaqRepository, MosqueRepository, TermsRepository};
use sabil_core::ports::{CouponRepository, PromoCodeRepository};
use sabil_core::ports::{CustomerQuestionRepository, RatingRepository, SurveyRepository};
use sabil_core::testing::{InMemoryChanges, InMemoryOrders, InMemoryOutbox, fake_world};
use sabil_core::testing::{InMemoryCouponRepository, InMemoryPromoCodeRepository};
use tempfile::TempDir;

use crate::postgres::TestDatabase;

/// Where the repositories keep their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The in-memory fakes of `sabil_core::testing`.
    Fake,
    /// The SQL stores on a fresh, migrated SQLite file.
    Sqlite,
    /// The SQL stores on a fresh, migrated PostgreSQL database (needs `SABIL_TEST_POSTGRES_URL`).
    Postgres,
}

/// Connections per test pool: enough for the concurrency cases, small enough for many parallel tests.
const POOL_SIZE: u32 = 5;

/// What must outlive the repositories: the SQLite folder, or the PostgreSQL database to drop.
enum Keep {
    Nothing,
    // Held only so the folder (and the database file in it) lives as long as the stores.
    Folder(#[allow(dead_code)] TempDir),
    // Dropped last: removes the database.
    Database(#[allow(dead_code)] TestDatabase),
}

/// Every account repository of one backend, over one shared database.
pub struct Stores {
    pub backend: Backend,
    pub users: Arc<dyn UserRepository>,
    pub addresses: Arc<dyn AddressRepository>,
    pub chats: Arc<dyn sabil_core::ports::ChatRepository>,
    pub codes: Arc<dyn VerificationCodeRepository>,
    pub refresh_tokens: Arc<dyn RefreshTokenRepository>,
    pub sap_clients: Arc<dyn SapClientRepository>,
    pub audit: Arc<dyn AuditRepository>,
    pub files: Arc<dyn FileRepository>,
    pub products: Arc<dyn ProductRepository>,
    pub promotions: Arc<dyn PromotionRepository>,
    pub delivery_areas: Arc<dyn DeliveryAreaRepository>,
    pub delivery_slots: Arc<dyn DeliverySlotRepository>,
    pub mosques: Arc<dyn MosqueRepository>,
    pub faq: Arc<dyn FaqRepository>,
    pub contacts: Arc<dyn ContactRepository>,
    pub terms: Arc<dyn TermsRepository>,
    pub coupons: Arc<dyn CouponRepository>,
    pub promo_codes: Arc<dyn PromoCodeRepository>,
    /// The promo-code fake, to record orders that use a code as the in-memory checkout would (the SQL
    /// cases insert order rows instead); `None` on SQL.
    pub promo_code_fake: Option<Arc<InMemoryPromoCodeRepository>>,
    /// The coupon fake, to redeem coupons as the in-memory checkout would (the SQL cases insert
    /// ledger rows instead); `None` on SQL.
    pub coupon_fake: Option<Arc<InMemoryCouponRepository>>,
    pub carts: Arc<dyn CartRepository>,
    pub orders: Arc<dyn OrderRepository>,
    pub payments: Arc<dyn PaymentRepository>,
    pub outbox: Arc<dyn OutboxRepository>,
    /// The order fake, to read the change records it wrote (the SQL stores keep them in `changes`); `None` on SQL.
    pub fake_orders: Option<Arc<InMemoryOrders>>,
    /// The outbox fake, to read every message written (the SQL stores keep them in `outbox`); `None` on SQL.
    pub fake_outbox: Option<Arc<InMemoryOutbox>>,
    pub changes: Arc<dyn ChangeFeedRepository>,
    pub sap_links: Arc<dyn SapLinkRepository>,
    pub sync_failures: Arc<dyn SyncFailureRepository>,
    pub devices: Arc<dyn sabil_core::ports::DeviceRepository>,
    pub notifications: Arc<dyn sabil_core::ports::NotificationRepository>,
    pub broadcasts: Arc<dyn sabil_core::ports::BroadcastRepository>,
    pub surveys: Arc<dyn SurveyRepository>,
    pub ratings: Arc<dyn RatingRepository>,
    pub customer_questions: Arc<dyn CustomerQuestionRepository>,
    pub stats: Arc<dyn sabil_core::ports::StatsRepository>,
    /// The change-feed fake, to read what only the SQL tables show (who settled a change, an operator's
    /// reason); `None` on SQL.
    pub fake_changes: Option<Arc<InMemoryChanges>>,
    /// The pool behind the SQL stores; `None` on the fakes.
    pub db: Option<Db>,
    // Declared last so it is dropped after the repositories that use it.
    _keep: Keep,
}

impl Stores {
    /// The repositories of `backend` on empty storage; `None` when PostgreSQL is not configured
    /// (and not required).
    ///
    /// # Panics
    /// When the database cannot be created or migrated, or PostgreSQL is required but not configured.
    pub async fn open(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Fake => Some(Self::fakes()),
            Backend::Sqlite => {
                let folder = tempfile::Builder::new().prefix("sabil-test-").tempdir().expect("create a temporary folder");
                let url = format!("sqlite://{}", folder.path().join("sabil.db").display());
                let db = Db::connect(&url, POOL_SIZE).await.expect("open the SQLite test database");
                db.migrate().await.expect("migrate the SQLite test database");
                Some(Self::sql(Backend::Sqlite, db, Keep::Folder(folder)))
            }
            Backend::Postgres => {
                let database = TestDatabase::create().await?;
                let db = Db::connect(database.url(), POOL_SIZE).await.expect("connect to the PostgreSQL test database");
                db.migrate().await.expect("migrate the PostgreSQL test database");
                Some(Self::sql(Backend::Postgres, db, Keep::Database(database)))
            }
        }
    }

    /// The fakes wired as `fake_world` wires them for service tests (the order fake shares the slot, coupon,
    /// promo-code, cart and outbox fakes), so the suite checks the fakes services run on.
    fn fakes() -> Self {
        let world = fake_world(crate::fixtures::T0);
        let p = world.ports;
        Self {
            backend: Backend::Fake,
            users: p.users,
            addresses: p.addresses,
            chats: p.chats,
            codes: p.codes,
            refresh_tokens: p.refresh_tokens,
            sap_clients: p.sap_clients,
            audit: p.audit,
            files: p.files,
            products: p.products,
            promotions: p.promotions,
            delivery_areas: p.delivery_areas,
            delivery_slots: p.delivery_slots,
            mosques: p.mosques,
            faq: p.faq,
            contacts: p.contacts,
            terms: p.terms,
            carts: p.carts,
            orders: p.orders,
            payments: p.payments,
            outbox: p.outbox,
            coupons: p.coupons,
            promo_codes: p.promo_codes,
            promo_code_fake: Some(world.promo_codes),
            coupon_fake: Some(world.coupons),
            fake_orders: Some(world.orders),
            fake_outbox: Some(world.outbox),
            changes: p.changes,
            sap_links: p.sap_links,
            sync_failures: p.sync_failures,
            devices: p.devices,
            notifications: p.notifications,
            broadcasts: p.broadcasts,
            surveys: p.surveys,
            ratings: p.ratings,
            customer_questions: p.customer_questions,
            stats: p.stats,
            fake_changes: Some(world.changes),
            db: None,
            _keep: Keep::Nothing,
        }
    }

    fn sql(backend: Backend, db: Db, keep: Keep) -> Self {
        Self {
            backend,
            products: Arc::new(SqlProductRepository::new(db.clone())),
            promotions: Arc::new(SqlPromotionRepository::new(db.clone())),
            delivery_areas: Arc::new(SqlDeliveryAreaRepository::new(db.clone())),
            delivery_slots: Arc::new(SqlDeliverySlotRepository::new(db.clone())),
            mosques: Arc::new(SqlMosqueRepository::new(db.clone())),
            faq: Arc::new(SqlFaqRepository::new(db.clone())),
            contacts: Arc::new(SqlContactRepository::new(db.clone())),
            terms: Arc::new(SqlTermsRepository::new(db.clone())),
            users: Arc::new(SqlUserRepository::new(db.clone())),
            addresses: Arc::new(SqlAddressRepository::new(db.clone())),
            chats: Arc::new(sabil_adapters::store::SqlChatRepository::new(db.clone())),
            codes: Arc::new(SqlCodeRepository::new(db.clone())),
            refresh_tokens: Arc::new(SqlRefreshTokenRepository::new(db.clone())),
            sap_clients: Arc::new(SqlSapClientRepository::new(db.clone())),
            audit: Arc::new(SqlAuditRepository::new(db.clone())),
            files: Arc::new(sabil_adapters::store::SqlFileRepository::new(db.clone())),
            coupons: Arc::new(sabil_adapters::store::SqlCouponRepository::new(db.clone())),
            promo_codes: Arc::new(sabil_adapters::store::SqlPromoCodeRepository::new(db.clone())),
            promo_code_fake: None,
            coupon_fake: None,
            carts: Arc::new(SqlCartRepository::new(db.clone())),
            orders: Arc::new(SqlOrderRepository::new(db.clone())),
            payments: Arc::new(SqlPaymentRepository::new(db.clone())),
            outbox: Arc::new(SqlOutboxRepository::new(db.clone())),
            fake_orders: None,
            fake_outbox: None,
            changes: Arc::new(SqlChangeFeedRepository::new(db.clone())),
            sap_links: Arc::new(SqlSapLinkRepository::new(db.clone())),
            sync_failures: Arc::new(SqlSyncFailureRepository::new(db.clone())),
            devices: Arc::new(sabil_adapters::store::SqlDeviceRepository::new(db.clone())),
            notifications: Arc::new(sabil_adapters::store::SqlNotificationRepository::new(db.clone())),
            broadcasts: Arc::new(sabil_adapters::store::SqlBroadcastRepository::new(db.clone())),
            surveys: Arc::new(sabil_adapters::store::SqlSurveyRepository::new(db.clone())),
            ratings: Arc::new(sabil_adapters::store::SqlRatingRepository::new(db.clone())),
            customer_questions: Arc::new(sabil_adapters::store::SqlCustomerQuestionRepository::new(db.clone())),
            stats: Arc::new(sabil_adapters::store::SqlStatsRepository::new(db.clone())),
            fake_changes: None,
            db: Some(db),
            _keep: keep,
        }
    }

    /// The local SMS outbox on this backend's database (`None` on the fakes: it has no fake).
    #[must_use]
    pub fn outbox_sms(&self, clock: Arc<dyn Clock>) -> Option<OutboxSms> {
        self.db.clone().map(|db| OutboxSms::new(db, clock))
    }
}

// A case closure that uses only some fields (`stores.users`) would capture just those and drop the
// rest, the database with it, before the case runs; a type with `Drop` is always captured whole.
impl Drop for Stores {
    fn drop(&mut self) {}
}

/// Runs one conformance case on `backend`, or reports it skipped when the backend is not configured.
pub async fn run<F, Fut>(backend: Backend, case: F)
where
    F: FnOnce(Stores) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(stores) = Stores::open(backend).await else {
        eprintln!("skipped on {backend:?}: set SABIL_TEST_POSTGRES_URL to run it");
        return;
    };
    case(stores).await;
}

/// Runs a case that needs a SQL database (a store without a fake) on `backend`.
///
/// # Panics
/// When called with `Backend::Fake`.
pub async fn run_sql<F, Fut>(backend: Backend, case: F)
where
    F: FnOnce(Stores) -> Fut,
    Fut: Future<Output = ()>,
{
    assert_ne!(backend, Backend::Fake, "this case needs a SQL backend");
    run(backend, case).await;
}
