//! SAP's side of the contract: login, the pushes of our entities (applied once per change id, keyed by
//! our app id), and SAP's own change feed with its confirmations. Every route passes the fault switches
//! first (`gate`).
use std::sync::Arc;
use std::time::Duration;

use poem::http::{Method, StatusCode};
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::faults::{Faults, MALFORMED_BODY};
use super::store::{PUSH_ENTITIES, Push};
use super::{Shared, error, json, read_json};

/// Default and largest page of `GET /api/changes`.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    Login,
    /// Any other `/api/*` call: random errors apply, a live token is needed.
    Authorized,
}

/// Applies the switches (down, latency, random errors) and, for `Authorized` calls, the token check.
/// Returns the switches the call runs under.
async fn gate(shared: &Shared, req: &Request, call: Call) -> Result<Faults, Response> {
    let faults = shared.faults();
    if faults.down {
        shared.store().totals.unavailable += 1;
        return Err(error(StatusCode::SERVICE_UNAVAILABLE, "SAP is down (simulated)"));
    }
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if call == Call::Authorized {
        if faults.roll_error() {
            shared.store().totals.unavailable += 1;
            return Err(error(StatusCode::SERVICE_UNAVAILABLE, "SAP is unavailable (simulated random error)"));
        }
        let token = req.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        match token {
            None => return Err(error(StatusCode::UNAUTHORIZED, "an Authorization: Bearer <token> header is required")),
            Some(token) if !shared.store().token_live(token.trim()) => {
                return Err(error(StatusCode::UNAUTHORIZED, "the token is unknown or expired; log in again"));
            }
            Some(_) => {}
        }
    }
    Ok(faults)
}

/// A 200 whose body is not JSON (the `malformedJson` switch).
fn malformed() -> Response {
    Response::builder().status(StatusCode::OK).content_type("application/json").body(MALFORMED_BODY)
}

#[derive(Deserialize)]
struct Login {
    login: String,
    password: String,
}

/// `POST /api/login`: a token for the configured credentials.
#[handler]
pub(super) async fn login(req: &Request, body: Body, shared: Data<&Arc<Shared>>) -> Response {
    if let Err(answer) = gate(&shared, req, Call::Login).await {
        return answer;
    }
    let creds: Login = match read_json(body).await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    if creds.login != shared.login || creds.password != shared.password {
        return error(StatusCode::UNAUTHORIZED, "wrong login or password");
    }
    let token = shared.store().issue_token(shared.token_ttl);
    json(StatusCode::OK, &serde_json::json!({"accessToken": token, "expiresIn": shared.token_ttl.as_secs()}))
}

#[derive(Deserialize)]
struct ChangesQuery {
    limit: Option<usize>,
}

/// `GET /api/changes?limit=N`: SAP's changes not confirmed yet, in feed order.
#[handler]
pub(super) async fn changes(req: &Request, shared: Data<&Arc<Shared>>) -> Response {
    let faults = match gate(&shared, req, Call::Authorized).await {
        Ok(f) => f,
        Err(answer) => return answer,
    };
    let limit = match req.params::<ChangesQuery>() {
        Ok(ChangesQuery { limit: None }) => DEFAULT_LIMIT,
        Ok(ChangesQuery { limit: Some(n) }) if (1..=MAX_LIMIT).contains(&n) => n,
        Ok(_) | Err(_) => return error(StatusCode::BAD_REQUEST, format!("limit must be a whole number from 1 to {MAX_LIMIT}")),
    };
    if faults.malformed_json {
        return malformed();
    }
    let items = shared.store().pending(limit);
    json(StatusCode::OK, &serde_json::json!({ "items": items }))
}

#[derive(Deserialize)]
struct ConfirmRequest {
    ids: Vec<String>,
}

/// `POST /api/confirm-changes`: marks changes of SAP's feed as applied by us.
#[handler]
pub(super) async fn confirm_changes(req: &Request, body: Body, shared: Data<&Arc<Shared>>) -> Response {
    if let Err(answer) = gate(&shared, req, Call::Authorized).await {
        return answer;
    }
    let request: ConfirmRequest = match read_json(body).await {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let outcome = shared.store().confirm(request.ids);
    json(StatusCode::OK, &outcome)
}

/// A push as it comes over the wire.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PushBody {
    change_id: Uuid,
    seq: i64,
    app_id: Uuid,
    #[serde(default)]
    sap_id: Option<String>,
    operation: String,
    data: Map<String, Value>,
}

/// The operation each method carries.
fn operation_of(method: &Method) -> Option<&'static str> {
    match *method {
        Method::POST => Some("create"),
        Method::PUT => Some("update"),
        Method::DELETE => Some("delete"),
        _ => None,
    }
}

/// `POST|PUT|DELETE /api/{entity}`: one of our changes, applied once per change id.
#[handler]
pub(super) async fn push(req: &Request, Path(entity): Path<String>, body: Body, shared: Data<&Arc<Shared>>) -> Response {
    let faults = match gate(&shared, req, Call::Authorized).await {
        Ok(f) => f,
        Err(answer) => return answer,
    };
    if !PUSH_ENTITIES.iter().any(|(e, _)| *e == entity) {
        let known: Vec<&str> = PUSH_ENTITIES.iter().map(|(e, _)| *e).collect();
        return error(StatusCode::NOT_FOUND, format!("unknown entity {entity:?}; SAP takes {}", known.join(", ")));
    }
    let Some(expected) = operation_of(req.method()) else {
        return error(StatusCode::METHOD_NOT_ALLOWED, "use POST, PUT or DELETE");
    };
    let change: PushBody = match read_json(body).await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    if !matches!(change.operation.as_str(), "create" | "update" | "delete") {
        return error(StatusCode::BAD_REQUEST, format!("operation: {:?} is not one of create, update, delete", change.operation));
    }
    if change.operation != expected {
        return error(
            StatusCode::BAD_REQUEST,
            format!("operation: {:?} does not match the method {} (which carries {expected:?})", change.operation, req.method()),
        );
    }
    let key = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim);
    match key {
        None => return error(StatusCode::BAD_REQUEST, "an Idempotency-Key header (the changeId) is required"),
        Some(key) if Uuid::parse_str(key).ok() != Some(change.change_id) => {
            return error(StatusCode::BAD_REQUEST, format!("Idempotency-Key {key:?} is not the changeId {}", change.change_id));
        }
        Some(_) => {}
    }
    if faults.rejects(&entity) {
        shared.store().totals.rejected += 1;
        return error(StatusCode::UNPROCESSABLE_ENTITY, format!("SAP refuses {entity} (simulated rejection)"));
    }
    let outcome = shared.store().push(Push {
        entity,
        change_id: change.change_id,
        seq: change.seq,
        app_id: change.app_id,
        sap_id: change.sap_id,
        operation: change.operation,
        data: Value::Object(change.data),
    });
    if faults.malformed_json {
        return malformed();
    }
    let mut answer = json(StatusCode::OK, &serde_json::json!({ "sapId": outcome.sap_id }));
    if outcome.duplicate {
        // Not part of SAP's contract: lets a person reading a trace see the redelivery.
        answer.headers_mut().insert("x-sim-duplicate", poem::http::HeaderValue::from_static("true"));
    }
    answer
}
