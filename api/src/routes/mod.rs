//! The OpenAPI service: every operation under `/api`, grouped by tag.
mod addresses;
mod admin;
mod admin_catalog;
mod auth;
mod cart;
mod catalog;
pub mod catalog_dto;
mod coupons;
pub mod dto;
mod files;
mod mosques;
mod orders;
pub mod orders_dto;
mod promo_codes;
mod support;
mod support_admin;
pub mod support_dto;
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
    /// Operations for admins.
    Admin,
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
