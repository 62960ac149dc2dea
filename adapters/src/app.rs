//! The composition root: builds every port and service from the configuration. All three binaries
//! (API, sync-worker, CLI) start from `App::from_config`.
use std::sync::Arc;

use crate::cache::{CatalogCache, CatalogVersion, LocalCatalogChanges, RedisCatalogChanges};
use sabil_core::domain::delivery::SlotRules;
use sabil_core::ports::{CatalogChanges, Clock, FailureCounter, Ports, SmsGateway, SystemClock};
use sabil_core::services::{AccountService, AccountSettings, AddressService, AddressSettings, CatalogService, CatalogSettings};
use secrecy::SecretString;

use crate::config::{Config, JwtSecret};
use crate::files::ObjectFileStore;
use crate::gateways::twilio::TwilioSms;
use crate::security::{Argon2Passwords, JwtAccessTokens, RandomSecrets, random_token};
use crate::store::SqlAddressRepository;
use crate::store::{
    Db, DbSetupError, OutboxSms, SqlAuditRepository, SqlCodeRepository, SqlDeliveryAreaRepository, SqlDeliverySlotRepository,
    SqlProductRepository, SqlPromotionRepository, SqlRefreshTokenRepository, SqlSapClientRepository, SqlUserRepository,
};
use crate::store::{SqlContactRepository, SqlFaqRepository, SqlMosqueRepository, SqlTermsRepository};
use crate::throttle::{LocalFailureCounter, RedisFailureCounter};

/// Why the application could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error("SABIL_JWT_SECRET: cannot read or create the generated key at {path}: {source}")]
    JwtSecretFile { path: String, source: std::io::Error },
    #[error("SABIL_REDIS_URL: {0}")]
    Redis(String),
    #[error("SABIL_FILES_URL: {0}")]
    Files(#[from] crate::files::FileStoreSetupError),
    #[error("SABIL_TIME_ZONE: {0}")]
    TimeZone(String),
    #[error("SABIL_TWILIO_*: {0}")]
    Twilio(String),
    #[error("SABIL_TAP_*: {0}")]
    Payments(String),
    #[error("SABIL_SAP_*: {0}")]
    Sap(String),
    #[error("SABIL_COUNTRY: {0}")]
    Country(String),
    #[error("SABIL_FCM_*: {0}")]
    Push(String),
}

/// Everything a binary needs, wired.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub ports: Ports,
    pub accounts: AccountService,
    pub files: sabil_core::services::FileService,
    pub addresses: AddressService,
    pub catalog: CatalogService,
    /// Cached catalog responses, invalidated by every catalog write on any instance.
    pub catalog_cache: CatalogCache,
    /// Announces catalog writes made outside the services (demo data) to every instance's cache.
    pub catalog_changes: Arc<dyn CatalogChanges>,
    /// Mosques customers donate water to.
    pub mosques: sabil_core::services::MosqueService,
    /// FAQ, contact channels, terms and conditions.
    pub support: sabil_core::services::SupportService,
    /// Customer-support chat; its live events go through the hub (in-process, or Redis across instances).
    pub chat: sabil_core::services::ChatService,
    /// The chat hub behind it (who is connected; the events between instances).
    pub chat_hub: Arc<dyn sabil_core::ports::ChatHub>,
    /// Surveys, ratings of delivered orders and customers' questions to support.
    pub feedback: sabil_core::services::FeedbackService,
    /// Customers' coupon wallets; admins issue coupons, the worker expires them.
    pub coupons: sabil_core::services::CouponService,
    /// Promo codes as admins manage them.
    pub promo_codes: sabil_core::services::PromoCodeService,
    /// The local SMS stand-in, when it is the SMS gateway in use.
    pub sms_outbox: Option<OutboxSms>,
    /// Cart, checkout, orders and payments.
    pub orders: sabil_core::services::OrderService,
    /// The built-in payment sandbox, when it is the payment gateway (its payment page needs it).
    pub payment_sandbox: Option<crate::gateways::sandbox_payments::SandboxPaymentGateway>,
    /// Our change feed for SAP, the worker's push and the operators' view of the queue.
    pub sync: sabil_core::services::SyncService,
    /// SAP's changes to our data.
    pub sap_inbound: sabil_core::services::SapInboundService,
    /// Devices, in-app notifications, their delivery by the worker, and admin broadcasts.
    pub notifications: sabil_core::services::NotificationService,
    /// The business dashboard (`GET /api/admin/stats`, `sabil stats`).
    pub stats: sabil_core::services::StatsService,
}

impl App {
    /// Connects the database (migrating it when `auto_migrate`), Redis when configured, and the
    /// gateways, then builds the services.
    ///
    /// # Errors
    /// `StartError` naming the setting or system at fault.
    pub async fn from_config(config: &Config) -> Result<Self, StartError> {
        let db = Db::connect(&config.database_url, config.db_max_connections).await?;
        if config.auto_migrate {
            db.migrate().await?;
        }
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let failures: Arc<dyn FailureCounter> = match &config.redis_url {
            Some(url) => Arc::new(RedisFailureCounter::connect(url, "sabil:").await.map_err(|e| StartError::Redis(e.to_string()))?),
            None => Arc::new(LocalFailureCounter::new(clock.clone())),
        };
        let (sms, sms_outbox): (Arc<dyn SmsGateway>, Option<OutboxSms>) = match &config.twilio {
            Some(twilio) => (Arc::new(TwilioSms::new(twilio.clone()).map_err(|e| StartError::Twilio(e.to_string()))?), None),
            None => {
                let outbox = OutboxSms::new(db.clone(), clock.clone());
                (Arc::new(outbox.clone()), Some(outbox))
            }
        };
        let jwt_secret = load_jwt_secret(&config.jwt_secret)?;
        let secrets = Arc::new(RandomSecrets::new(&jwt_secret));
        let payments =
            crate::gateways::payment_gateway(config, &db, &jwt_secret, clock.clone()).map_err(|e| StartError::Payments(e.to_string()))?;
        let ports = Ports {
            carts: Arc::new(crate::store::SqlCartRepository::new(db.clone())),
            coupon_books: Arc::new(crate::store::SqlCouponBookRepository::new(db.clone())),
            orders: Arc::new(crate::store::SqlOrderRepository::new(db.clone())),
            payments: Arc::new(crate::store::SqlPaymentRepository::new(db.clone())),
            payment_gateway: payments.gateway.clone(),
            outbox: Arc::new(crate::store::SqlOutboxRepository::new(db.clone())),
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
            chats: Arc::new(crate::store::SqlChatRepository::new(db.clone())),
            codes: Arc::new(SqlCodeRepository::new(db.clone())),
            refresh_tokens: Arc::new(SqlRefreshTokenRepository::new(db.clone())),
            sap_clients: Arc::new(SqlSapClientRepository::new(db.clone())),
            audit: Arc::new(SqlAuditRepository::new(db.clone())),
            coupons: Arc::new(crate::store::SqlCouponRepository::new(db.clone())),
            changes: Arc::new(crate::store::SqlChangeFeedRepository::new(db.clone())),
            sap_links: Arc::new(crate::store::SqlSapLinkRepository::new(db.clone())),
            sync_failures: Arc::new(crate::store::SqlSyncFailureRepository::new(db.clone())),
            // The HTTP SAP adapter replaces the stand-in when SAP is configured.
            erp: crate::gateways::sap::erp_gateway(config).map_err(|e| StartError::Sap(e.to_string()))?,
            promo_codes: Arc::new(crate::store::SqlPromoCodeRepository::new(db.clone())),
            files: Arc::new(crate::store::SqlFileRepository::new(db.clone())),
            file_store: Arc::new(ObjectFileStore::open(&config.files)?),
            sms,
            push: crate::gateways::push_gateway(config, &db, clock.clone()).map_err(|e| StartError::Push(e.to_string()))?,
            devices: Arc::new(crate::store::SqlDeviceRepository::new(db.clone())),
            notifications: Arc::new(crate::store::SqlNotificationRepository::new(db.clone())),
            broadcasts: Arc::new(crate::store::SqlBroadcastRepository::new(db.clone())),
            passwords: Arc::new(Argon2Passwords::default()),
            tokens: Arc::new(JwtAccessTokens::new(&jwt_secret)),
            secrets,
            failures,
            surveys: Arc::new(crate::store::SqlSurveyRepository::new(db.clone())),
            ratings: Arc::new(crate::store::SqlRatingRepository::new(db.clone())),
            customer_questions: Arc::new(crate::store::SqlCustomerQuestionRepository::new(db.clone())),
            stats: Arc::new(crate::store::SqlStatsRepository::new(db.clone())),
            clock,
        };
        let settings = AccountSettings {
            access_ttl: config.access_token_ttl,
            refresh_ttl: config.refresh_token_ttl,
            sap_access_ttl: config.sap_token_ttl,
            ..AccountSettings::default()
        };
        let time_zone = crate::time_zone::IanaTimeZone::named(&config.time_zone).map_err(StartError::TimeZone)?;
        let version = Arc::new(CatalogVersion::default());
        let changes: Arc<dyn CatalogChanges> = match &config.redis_url {
            Some(url) => {
                let client = redis::Client::open(url.as_str()).map_err(|e| StartError::Redis(e.to_string()))?;
                let conn = redis::aio::ConnectionManager::new(client.clone()).await.map_err(|e| StartError::Redis(e.to_string()))?;
                tokio::spawn(crate::cache::listen_for_changes(client, version.clone()));
                Arc::new(RedisCatalogChanges::new(version.clone(), conn))
            }
            None => Arc::new(LocalCatalogChanges(version.clone())),
        };
        let catalog = CatalogService::new(
            ports.clone(),
            CatalogSettings {
                time_zone: Arc::new(time_zone),
                slot_rules: SlotRules { cutoff: config.order_cutoff },
                changes: changes.clone(),
            },
        );
        let catalog_cache = CatalogCache::new(version);
        let addresses = AddressService::new(ports.clone(), AddressSettings::default());
        let files = sabil_core::services::FileService::new(ports.clone());
        let mosques = sabil_core::services::MosqueService::new(ports.clone(), changes.clone());
        let support = sabil_core::services::SupportService::new(ports.clone(), changes.clone());
        let chat_hub: Arc<dyn sabil_core::ports::ChatHub> = match &config.redis_url {
            Some(url) => Arc::new(crate::chat_hub::RedisChatHub::connect(url).await.map_err(StartError::Redis)?),
            None => Arc::new(crate::chat_hub::LocalChatHub::default()),
        };
        let chat = sabil_core::services::ChatService::new(ports.clone(), chat_hub.clone());
        let feedback = sabil_core::services::FeedbackService::new(
            ports.clone(),
            Arc::new(crate::time_zone::IanaTimeZone::named(&config.time_zone).map_err(StartError::TimeZone)?),
        );
        let country =
            sabil_core::domain::orders::pricing::Country::parse(&config.country).map_err(|e| StartError::Country(e.to_string()))?;
        let orders = sabil_core::services::OrderService::new(
            ports.clone(),
            sabil_core::services::OrderSettings {
                country,
                cash_on_delivery: config.payments.cash_on_delivery,
                time_zone: Arc::new(crate::time_zone::IanaTimeZone::named(&config.time_zone).map_err(StartError::TimeZone)?),
                slot_rules: SlotRules { cutoff: config.order_cutoff },
                public_url: config.public_url.clone(),
                payment_check_after: config.payments.check_after,
            },
        );
        let coupons = sabil_core::services::CouponService::new(ports.clone());
        // SABIL_COUNTRY was checked when the configuration was read.
        let currency = sabil_core::domain::orders::Country::parse(&config.country)
            .map_or(sabil_core::domain::Currency::Aed, sabil_core::domain::orders::Country::currency);
        let promo_codes = sabil_core::services::PromoCodeService::new(ports.clone(), currency);
        let stats = sabil_core::services::StatsService::new(
            ports.clone(),
            Arc::new(crate::time_zone::IanaTimeZone::named(&config.time_zone).map_err(StartError::TimeZone)?),
            currency,
        );
        let sync = sabil_core::services::SyncService::new(ports.clone());
        let sap_inbound = sabil_core::services::SapInboundService::new(ports.clone(), catalog.clone(), orders.clone(), addresses.clone());
        Ok(Self {
            notifications: sabil_core::services::NotificationService::new(
                ports.clone(),
                sabil_core::services::NotificationSettings::default(),
            ),
            sync,
            sap_inbound,
            stats,
            accounts: AccountService::new(ports.clone(), settings),
            files,
            addresses,
            catalog,
            catalog_cache,
            catalog_changes: changes,
            mosques,
            support,
            chat,
            chat_hub,
            feedback,
            coupons,
            promo_codes,
            db,
            ports,
            sms_outbox,
            orders,
            payment_sandbox: payments.sandbox,
        })
    }
}

/// The configured key, or the development key kept in the data directory (created on first start,
/// readable by the owner only).
fn load_jwt_secret(source: &JwtSecret) -> Result<SecretString, StartError> {
    let path = match source {
        JwtSecret::Configured(secret) => return Ok(secret.clone()),
        JwtSecret::Persisted(path) => path,
    };
    let fail = |source| StartError::JwtSecretFile { path: path.display().to_string(), source };
    match std::fs::read_to_string(path) {
        Ok(existing) if existing.trim().len() >= 32 => return Ok(SecretString::from(existing.trim().to_owned())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail(e)),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let secret = format!("{}{}", random_token(), random_token());
    write_private(path, &secret).map_err(fail)?;
    tracing::warn!(path = %path.display(), "generated a development JWT signing key; set SABIL_JWT_SECRET in production");
    Ok(SecretString::from(secret))
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}
