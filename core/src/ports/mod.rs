//! Ports: the traits through which services reach storage and the outside world. Each method documents
//! its contract; the in-memory fakes (`testing`) and the real adapters pass the same conformance suite.
mod accounts;
mod addresses;
mod audit;
mod cache;
mod catalog;
mod chat;
mod clock;
mod coupon_books;
mod coupons;
mod feedback;
mod files;
mod notifications;
mod orders;
mod outbox;
mod payment_records;
mod payments;
mod promo_codes;
mod push;
mod security;
mod sms;
mod stats;
mod support;
mod sync;
mod throttle;

use std::sync::Arc;

pub use accounts::{
    CodeIssue, RefreshTokenRecord, RefreshTokenRepository, SapClientRepository, SendPolicy, StoredCode, UserQuery, UserRepository,
    VerificationCodeRepository,
};
pub use addresses::AddressRepository;
pub use audit::AuditRepository;
pub use cache::CatalogChanges;
pub use catalog::{DeliveryAreaRepository, DeliverySlotRepository, ProductQuery, ProductRepository, PromotionRepository, SlotReservations};
pub use chat::{
    Assignment, ChatEvent, ChatEventKind, ChatFeed, ChatHub, ChatRepository, ConversationQuery, FeedItem, FeedScope, HistoryQuery,
    NewChatMessage, Receipt,
};
pub use clock::{BusinessTimeZone, Clock, FixedOffsetZone, SystemClock, truncate_to_micros};
pub use coupon_books::CouponBookRepository;
pub use coupons::CouponRepository;
pub use feedback::{CustomerQuestionRepository, RatingQuery, RatingRepository, SurveyRepository};
pub use files::{FileRepository, FileStore};
pub use notifications::{BroadcastRepository, DeviceRepository, NotificationRepository};
pub use orders::{
    CartItem, CartRepository, ChangeOperation, CouponRedemption, IdempotencyClaim, NewOrder, OrderQuery, OrderRepository, OutboxMessage,
    PlaceRefused, Placed, PromoCodeClaim, StatusChange,
};
pub use outbox::{OutboxEntry, OutboxRepository};
pub use payment_records::{PaymentAttempt, PaymentRepository, RefundRecord};
pub use payments::{
    Charge, ChargeRequest, ChargeStatus, PaymentGateway, PaymentMode, PaymentSource, Refund, RefundRequest, WebhookRejected,
};
pub use promo_codes::PromoCodeRepository;
pub use push::{PushGateway, PushMessage, PushOutcome};
pub use security::{AccessTokenError, AccessTokens, PasswordHasher, Secrets};
pub use sms::{SmsGateway, SmsMessage};
pub use stats::StatsRepository;
pub use support::{ContactRepository, FaqRepository, MosqueQuery, MosqueRepository, TermsRepository};
pub use sync::{
    ChangeFeedRepository, Confirmed, EntityBacklog, ErpChange, ErpGateway, FailureSource, Pushed, SapLink, SapLinkRepository,
    SapProductSave, SyncFailure, SyncFailureRepository,
};
pub use throttle::FailureCounter;

/// Every port a service may need, shared by reference.
#[derive(Clone)]
pub struct Ports {
    /// Products (owned by SAP).
    pub products: Arc<dyn ProductRepository>,
    /// Promotions on products (owned by SAP).
    pub promotions: Arc<dyn PromotionRepository>,
    /// Delivery areas with their boundaries, fees and minimum orders.
    pub delivery_areas: Arc<dyn DeliveryAreaRepository>,
    /// Weekly delivery slots and the places reserved in them.
    pub delivery_slots: Arc<dyn DeliverySlotRepository>,
    /// Mosques water can be donated to.
    pub mosques: Arc<dyn MosqueRepository>,
    /// FAQ categories and questions.
    pub faq: Arc<dyn FaqRepository>,
    /// Contact channels (phone, WhatsApp, email).
    pub contacts: Arc<dyn ContactRepository>,
    /// Terms versions and customers' acceptances.
    pub terms: Arc<dyn TermsRepository>,
    /// Customer and admin accounts.
    pub users: Arc<dyn UserRepository>,
    /// Coupon-book products and what buying one gives.
    pub coupon_books: Arc<dyn CouponBookRepository>,
    /// Customers' carts.
    pub carts: Arc<dyn CartRepository>,
    /// Orders and their lifecycle.
    pub orders: Arc<dyn OrderRepository>,
    /// Our record of payment attempts and refunds.
    pub payments: Arc<dyn PaymentRepository>,
    /// The payment provider (Tap, or the built-in sandbox).
    pub payment_gateway: Arc<dyn PaymentGateway>,
    /// Messages to deliver after commit.
    pub outbox: Arc<dyn OutboxRepository>,
    /// Customers' delivery addresses.
    pub addresses: Arc<dyn AddressRepository>,
    /// Customer-support chat conversations and their messages.
    pub chats: Arc<dyn ChatRepository>,
    /// One-time SMS codes and their attempts.
    pub codes: Arc<dyn VerificationCodeRepository>,
    /// Refresh tokens and their rotation state.
    pub refresh_tokens: Arc<dyn RefreshTokenRepository>,
    /// SAP machine clients.
    pub sap_clients: Arc<dyn SapClientRepository>,
    /// The security audit trail.
    pub audit: Arc<dyn AuditRepository>,
    /// Coupon batches and their ledger (the customers' coupon wallets).
    pub coupons: Arc<dyn CouponRepository>,
    /// Our change feed for SAP and the sync-worker's delivery state.
    pub changes: Arc<dyn ChangeFeedRepository>,
    /// SAP's ids of its entities, ours, and the versions applied.
    pub sap_links: Arc<dyn SapLinkRepository>,
    /// Changes from SAP we refused.
    pub sync_failures: Arc<dyn SyncFailureRepository>,
    /// The SAP ERP (its HTTP API, or the local stand-in).
    pub erp: Arc<dyn ErpGateway>,
    /// Promo codes and their product restrictions.
    pub promo_codes: Arc<dyn PromoCodeRepository>,
    /// Metadata of uploaded files.
    pub files: Arc<dyn FileRepository>,
    /// The bytes of uploaded files (a local folder or Azure Blob).
    pub file_store: Arc<dyn FileStore>,
    /// Text messages to phones.
    pub sms: Arc<dyn SmsGateway>,
    /// Pushes to customers' devices (Firebase Cloud Messaging, or the local stand-in).
    pub push: Arc<dyn PushGateway>,
    /// Customers' devices (push registration tokens).
    pub devices: Arc<dyn DeviceRepository>,
    /// Users' in-app notifications.
    pub notifications: Arc<dyn NotificationRepository>,
    /// Admin broadcasts and their delivery progress.
    pub broadcasts: Arc<dyn BroadcastRepository>,
    /// Password hashing and verification.
    pub passwords: Arc<dyn PasswordHasher>,
    /// Access-token signing and verification.
    pub tokens: Arc<dyn AccessTokens>,
    /// Random codes and tokens and their fingerprints.
    pub secrets: Arc<dyn Secrets>,
    /// Failed sign-in counts per phone and per client IP.
    pub failures: Arc<dyn FailureCounter>,
    /// Surveys and customers' answers to them (shared with SAP).
    pub surveys: Arc<dyn SurveyRepository>,
    /// Customers' ratings of delivered orders.
    pub ratings: Arc<dyn RatingRepository>,
    /// Customers' questions to support and the answers.
    pub customer_questions: Arc<dyn CustomerQuestionRepository>,
    /// Aggregates for the business dashboard (orders, revenue, customers, ratings per period).
    pub stats: Arc<dyn StatsRepository>,
    /// The current time.
    pub clock: Arc<dyn Clock>,
}
