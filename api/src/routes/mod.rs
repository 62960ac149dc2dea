//! The OpenAPI service: every operation under `/api`, grouped by tag.
mod admin;
mod auth;
pub mod dto;
mod users;

use poem_openapi::{OpenApiService, Tags};

/// Operation groups in the spec.
#[derive(Tags)]
pub enum ApiTags {
    /// Registration, sign-in and tokens.
    Auth,
    /// The caller's own account.
    Users,
    /// Operations for admins.
    Admin,
}

/// The API as one poem-openapi service.
pub type Api = (auth::AuthApi, users::UsersApi, admin::AdminApi);

/// The service with its title, version and server path.
#[must_use]
pub fn service() -> OpenApiService<Api, ()> {
    OpenApiService::new((auth::AuthApi, users::UsersApi, admin::AdminApi), "Sabil API", env!("CARGO_PKG_VERSION"))
        .description(
            "Backend of Sabil, bottled-water delivery in the Gulf. Every error answers \
             `{\"error\": {\"type\", \"code\", \"message\", \"hint\", \"fields\"}}`.",
        )
        .server("/api")
}
