//! The payment routes that are not part of the mobile API: the provider's webhook
//! (`POST /api/payments/tap/webhook`), the page the provider sends customers back to
//! (`GET /pay/return/{orderId}`), and the built-in sandbox's payment page (`/pay/sandbox/{chargeId}`),
//! whose approve and decline buttons deliver a signed webhook through the same code as the real one.
use poem::http::StatusCode;
use poem::web::{Data, Html, Path, Query};
use poem::{Body, IntoResponse, Request, Response, handler};
use sabil_adapters::gateways::sandbox_payments::SandboxError;
use sabil_core::domain::orders::OrderId;
use sabil_core::services::orders::WebhookOutcome;
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

/// Webhook bodies are charge objects of a few kilobytes.
const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

/// The provider's webhook: the `hashstring` header must sign the body; then the charge it names is
/// retrieved from the provider and applied. A repeated or late webhook changes nothing.
#[handler]
pub async fn tap_webhook(req: &Request, body: Body, state: Data<&AppState>) -> Response {
    let signature = req.headers().get("hashstring").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = match body.into_bytes_limit(MAX_WEBHOOK_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::too_large(MAX_WEBHOOK_BYTES).into_response(),
    };
    match state.app.orders.payment_webhook(signature.as_deref(), &bytes).await {
        Ok(outcome) => webhook_answer(outcome),
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn webhook_answer(outcome: WebhookOutcome) -> Response {
    let (order, result) = match outcome {
        WebhookOutcome::Paid(o) => (o, "paid"),
        WebhookOutcome::Failed(o) => (o, "payment_failed"),
        WebhookOutcome::Unchanged(o) => (o, "unchanged"),
    };
    let json = serde_json::json!({"received": true, "orderId": order.0, "result": result});
    Response::builder().content_type("application/json").body(json.to_string())
}

#[derive(Deserialize)]
pub struct ReturnQuery {
    tap_id: Option<String>,
}

/// Where the provider sends the customer's browser after paying. The charge named by `tap_id` is
/// retrieved from the provider (never trusted from the URL) before the page says anything.
#[handler]
pub async fn payment_return(Path(order_id): Path<uuid::Uuid>, Query(q): Query<ReturnQuery>, state: Data<&AppState>) -> Html<String> {
    if let Some(charge) = q.tap_id.as_deref().filter(|c| c.len() <= 128)
        && let Err(e) = state.app.orders.check_charge(charge).await
    {
        tracing::warn!(order = %order_id, charge, error = %e, "payment return: charge check failed");
    }
    let status = match state.app.ports.orders.get(OrderId(order_id)).await {
        Ok(Some(order)) => order.status.as_str().replace('_', " "),
        _ => "unknown".to_owned(),
    };
    Html(page("Payment", &format!("<p>Your order is now: <strong>{}</strong>.</p><p>You can return to the app.</p>", escape(&status))))
}

/// The sandbox's payment page for one charge: the amount and two buttons.
#[handler]
pub async fn sandbox_page(Path(charge_id): Path<String>, state: Data<&AppState>) -> Response {
    let Some(sandbox) = &state.app.payment_sandbox else { return not_found() };
    let charge = match sandbox.charge(&charge_id).await {
        Ok(Some(charge)) => charge,
        Ok(None) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let id = escape(&charge.id);
    let decided = if charge.status.is_pending() {
        format!(
            "<form method=\"post\" action=\"/pay/sandbox/{id}/approve\"><button>Approve payment</button></form>\
             <form method=\"post\" action=\"/pay/sandbox/{id}/decline\"><button>Decline payment</button></form>"
        )
    } else {
        format!("<p>This charge is already {}.</p>", escape(charge.status.as_str()))
    };
    let body = format!(
        "<p>Sabil payment sandbox: no real money moves.</p><p>Charge <code>{id}</code> for <strong>{}</strong>.</p>{decided}",
        escape(&charge.amount.formatted())
    );
    Html(page("Sandbox payment", &body)).into_response()
}

/// Approves or declines a sandbox charge, then delivers its signed webhook through the same code as the
/// provider's, and sends the browser back as the provider would.
#[handler]
pub async fn sandbox_decide(Path((charge_id, decision)): Path<(String, String)>, state: Data<&AppState>) -> Response {
    let Some(sandbox) = &state.app.payment_sandbox else { return not_found() };
    let approve = match decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return not_found(),
    };
    let webhook = match sandbox.decide(&charge_id, approve).await {
        Ok(webhook) => webhook,
        Err(SandboxError::NotFound(_)) => return not_found(),
        Err(SandboxError::AlreadyDecided(status)) => {
            return ApiError::conflict("sandbox.already_decided", format!("This charge is already {status}."), "Start a new payment.")
                .into_response();
        }
        Err(SandboxError::Storage(e)) => return ApiError::from(e).into_response(),
    };
    if let Err(e) = state.app.orders.payment_webhook(Some(&webhook.hashstring), &webhook.body).await {
        return ApiError::from(e).into_response();
    }
    Response::builder().status(StatusCode::SEE_OTHER).header("Location", webhook.return_url).finish()
}

fn not_found() -> Response {
    ApiError::not_found("payment.not_found", "No such payment page.", None).into_response()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>body{{font-family:sans-serif;max-width:30em;margin:2em auto}}button{{font-size:1.1em;margin:.3em}}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>"
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
