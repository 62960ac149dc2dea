//! Sabil's HTTP API: poem-openapi routes under `/api`, the docs, health and metrics endpoints, the
//! `/admin` page, and the request pipeline. `app()` builds the endpoint the server and the tests run.
// `ApiError` carries its JSON body inline (poem-openapi documents each status from it); errors are the
// cold path, so the size of `Result<_, ApiError>` is not worth boxing.
#![allow(clippy::result_large_err)]

mod admin_page;
pub mod auth;
pub mod body;
pub mod cache;
pub mod context;
pub mod error;
mod health;
pub mod middleware;
mod payments_web;
pub mod routes;
pub mod sap_simulator;
pub mod server;
pub mod state;
pub mod telemetry;

use poem::middleware::Cors;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Route, get};

pub use state::AppState;

/// The whole HTTP application for `state`.
pub fn app(state: AppState) -> impl Endpoint<Output = poem::Response> {
    let api = routes::service();
    let spec = api.spec_endpoint();
    let swagger = api.swagger_ui();
    let mut route = Route::new()
        .at("/api/payments/tap/webhook", poem::post(payments_web::tap_webhook))
        .at("/pay/return/:order_id", get(payments_web::payment_return))
        .at("/pay/sandbox/:charge_id", get(payments_web::sandbox_page))
        .at("/pay/sandbox/:charge_id/:decision", poem::post(payments_web::sandbox_decide))
        .at("/admin", get(admin_page::index))
        .at("/admin/", get(admin_page::index))
        .at("/admin/:file", get(admin_page::file))
        .nest("/api", cache::CatalogCacheLayer::new(api.into_endpoint(), state.app.catalog_cache.clone()))
        .at("/openapi.json", spec)
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .at("/metrics", get(health::metrics));
    if state.config.docs_enabled {
        route = route.nest("/docs", swagger);
    }
    let cors = if state.config.cors_origins.is_empty() {
        None
    } else {
        Some(
            Cors::new()
                .allow_origins(state.config.cors_origins.iter().map(String::as_str))
                .allow_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
                .allow_headers(["authorization", "content-type", "idempotency-key", "x-request-id", "accept-language"])
                .expose_headers(["x-request-id", "retry-after"])
                .max_age(600),
        )
    };
    middleware::Pipeline::new(route.with_if(cors.is_some(), cors.unwrap_or_default()).data(state.clone()), state)
}

/// The OpenAPI document as YAML (what `openapi/sabil.yaml` holds).
#[must_use]
pub fn spec_yaml() -> String {
    routes::service().spec_yaml()
}
