//! Liveness, readiness and metrics: plain routes outside the OpenAPI service.
use poem::http::StatusCode;
use poem::web::Data;
use poem::{IntoResponse, Response, handler};

use crate::error::ApiError;
use crate::state::AppState;

/// The process is up.
#[handler]
pub fn healthz() -> Response {
    poem::web::Json(serde_json::json!({"status": "ok"})).into_response()
}

/// The database answers and every migration is applied.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    match state.app.db.readiness().await {
        Ok(()) => {
            let gateway = &state.app.ports.payment_gateway;
            let payments = serde_json::json!({"provider": gateway.provider(), "mode": gateway.mode().as_str()});
            poem::web::Json(serde_json::json!({"status": "ready", "database": state.app.db.engine(), "payments": payments})).into_response()
        }
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            // The reason (database errors) stays in the log; probes only need the status.
            ApiError::unavailable("service.not_ready", "The service is not ready: its database is unreachable or not migrated.", None)
                .into_response()
        }
    }
}

/// Prometheus text exposition.
#[handler]
pub fn metrics(state: Data<&AppState>) -> Response {
    match &state.metrics {
        Some(handle) => Response::builder().content_type("text/plain; version=0.0.4").body(handle.render()),
        None => Response::builder().status(StatusCode::NOT_FOUND).finish(),
    }
}
