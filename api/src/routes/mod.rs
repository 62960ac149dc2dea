//! The OpenAPI service: every operation under `/api`, grouped by tag.
mod addresses;
mod admin;
mod admin_catalog;
mod auth;
mod cart;
mod catalog;
pub mod catalog_dto;
mod chat;
mod chat_admin;
pub mod chat_dto;
mod chat_frames;
pub mod chat_ws;
mod coupons;
pub mod dto;
mod feedback;
mod feedback_admin;
pub mod feedback_dto;
mod files;
mod mosques;
mod notifications;
pub mod notifications_dto;
mod orders;
pub mod orders_dto;
mod promo_codes;
mod stats;
pub mod stats_dto;
mod support;
mod support_admin;
pub mod support_dto;
pub mod survey_dto;
pub mod survey_input;
mod sync;
mod upload;
mod users;

use poem_openapi::{OpenApiService, Tags};

/// Operation groups in the spec.
#[derive(Tags)]
pub enum ApiTags {
    /// Registration, sign-in and tokens.
    Auth,
    /// The caller's own account.
    Users,
    /// The customer's own delivery addresses.
    Addresses,
    /// Products, promotions, delivery areas and slots.
    Catalog,
    /// Uploaded images, served to anyone.
    Files,
    /// Mosques water can be donated to.
    Mosques,
    /// FAQ, contact channels, terms and conditions.
    Support,
    /// Cart, checkout, orders and payments.
    Orders,
    /// The customer's coupon wallet.
    Wallet,
    /// Surveys, ratings of delivered orders and questions to support.
    Feedback,
    /// Customer-support chat: conversations, messages and the live WebSocket.
    Chat,
    /// Operations for admins.
    Admin,
    /// The customer's push devices and in-app notifications.
    Notifications,
    /// The SAP integration: our change feed and SAP's changes to our data (role sap).
    Sap,
}

/// The API as one poem-openapi service. Groups are nested tuples: a tuple of more than twelve
/// has no `Default`.
pub type Api = (
    (auth::AuthApi, users::UsersApi, addresses::AddressesApi),
    (cart::CartApi, orders::OrdersApi, orders::AdminOrdersApi),
    (coupons::CouponsApi, coupons::AdminCouponsApi, promo_codes::AdminPromoCodesApi),
    (catalog::CatalogApi, admin::AdminApi, admin_catalog::AdminCatalogApi, files::FilesApi),
    (mosques::MosquesApi, mosques::AdminMosquesApi, support::SupportApi, support_admin::AdminSupportApi),
    (sync::ChangeFeedApi, sync::SapEntitiesApi),
    (feedback::FeedbackApi, feedback_admin::AdminFeedbackApi, stats::AdminStatsApi),
    (notifications::NotificationsApi, notifications::AdminNotificationsApi),
    (chat::ChatApi, chat_admin::AdminChatApi, chat_ws::ChatSocketApi),
);

/// The service with its title, version and server path.
#[must_use]
pub fn service() -> OpenApiService<Api, ()> {
    OpenApiService::new(Api::default(), "Sabil API", env!("CARGO_PKG_VERSION"))
        .description(
            "Backend of Sabil, bottled-water delivery in the Gulf. Every error answers \
             `{\"error\": {\"type\", \"code\", \"message\", \"hint\", \"fields\"}}`.",
        )
        .server("/api")
}
