//! The OpenAPI service: every operation under `/api`, grouped by tag.
mod admin;
mod addresses;
mod admin_catalog;
mod auth;
mod catalog;
pub mod catalog_dto;
pub mod dto;
mod files;
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
    /// Operations for admins.
    Admin,
}

/// The API as one poem-openapi service.
pub type Api = (auth::AuthApi, users::UsersApi, addresses::AddressesApi, catalog::CatalogApi, admin::AdminApi, admin_catalog::AdminCatalogApi, files::FilesApi);

/// The service with its title, version and server path.
#[must_use]
pub fn service() -> OpenApiService<Api, ()> {
    OpenApiService::new(
        (auth::AuthApi, users::UsersApi, addresses::AddressesApi, catalog::CatalogApi, admin::AdminApi, admin_catalog::AdminCatalogApi, files::FilesApi),
        "Sabil API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Backend of Sabil, bottled-water delivery in the Gulf. Every error answers \
             `{\"error\": {\"type\", \"code\", \"message\", \"hint\", \"fields\"}}`.",
    )
    .server("/api")
}
