//! The control routes under `/__sim` (no login; they work while SAP is "down"): the state snapshot, the
//! fault switches, feeding SAP's change feed, expiring tokens, and reset.
use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Response, handler};
use serde::Deserialize;

use super::faults::{Faults, FaultsPatch};
use super::store::NewFeedItem;
use super::{Shared, error, json, read_json};

/// `GET /__sim/state`.
#[handler]
pub(super) fn state(shared: Data<&Arc<Shared>>) -> Response {
    let snapshot = shared.store().snapshot();
    json(StatusCode::OK, &snapshot)
}

/// `GET /__sim/faults`.
#[handler]
pub(super) fn get_faults(shared: Data<&Arc<Shared>>) -> Response {
    json(StatusCode::OK, &shared.faults())
}

/// `PUT /__sim/faults`: changes the switches named in the body; answers all of them.
#[handler]
pub(super) async fn set_faults(body: Body, shared: Data<&Arc<Shared>>) -> Response {
    let patch: FaultsPatch = match read_json(body).await {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    let next = {
        // One lock for the read and the write, so two patches at once both count.
        let mut faults = shared.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match patch.apply(&faults) {
            Ok(next) => {
                *faults = next.clone();
                next
            }
            Err(message) => return error(StatusCode::BAD_REQUEST, message),
        }
    };
    json(StatusCode::OK, &next)
}

#[derive(Deserialize)]
struct FeedRequest {
    items: Vec<NewFeedItem>,
}

/// `POST /__sim/feed`: appends changes to SAP's feed; answers `{"ids": [...]}` in order.
#[handler]
pub(super) async fn feed(body: Body, shared: Data<&Arc<Shared>>) -> Response {
    let request: FeedRequest = match read_json(body).await {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    if let Some(i) = request.items.iter().position(|item| item.entity.trim().is_empty() || item.operation.trim().is_empty()) {
        return error(StatusCode::BAD_REQUEST, format!("items[{i}]: entity and operation must not be empty"));
    }
    let ids = shared.store().append_feed(request.items);
    json(StatusCode::OK, &serde_json::json!({ "ids": ids }))
}

/// `POST /__sim/reset`: forgets everything received and the feed, and turns the faults off.
#[handler]
pub(super) fn reset(shared: Data<&Arc<Shared>>) -> Response {
    shared.store().reset();
    shared.set_faults(Faults::default());
    json(StatusCode::OK, &serde_json::json!({ "reset": true }))
}

/// `POST /__sim/expire-tokens`: every token issued so far stops working.
#[handler]
pub(super) fn expire_tokens(shared: Data<&Arc<Shared>>) -> Response {
    shared.store().expire_tokens();
    json(StatusCode::OK, &serde_json::json!({ "expired": true }))
}
