//! SAP's wire shapes: the body of a pushed change, SAP's answer to it, its change feed and its answer to a
//! confirmation.
use sabil_core::domain::sync::{ChangeOperation, ChangeRecord, OutboundEntity};
use sabil_core::error::GatewayError;
use sabil_core::ports::{ErpChange, Pushed};
use serde::Deserialize;
use serde_json::{Value, json};

use super::sales_order::sales_order;

/// `{"changeId", "seq", "appId", "sapId", "operation", "data"}`: `data` is the change's entity JSON, or for
/// a created or updated order its `AddNewSalesOrder` document. A change whose data cannot be sent is
/// `Rejected` (code `invalid_change`): sending it again would not help.
pub(super) fn push_body(change: &ChangeRecord, entity: OutboundEntity) -> Result<Vec<u8>, GatewayError> {
    let invalid = |message: String| GatewayError::Rejected { code: "invalid_change".into(), message };
    let data: Value =
        serde_json::from_str(&change.data).map_err(|e| invalid(format!("change {} has data that is not JSON: {e}", change.id)))?;
    let Value::Object(fields) = &data else {
        return Err(invalid(format!("change {} has data that is not a JSON object", change.id)));
    };
    let sap_id = id_text(fields.get("sapId"));
    let data = if entity == OutboundEntity::Order && change.operation != ChangeOperation::Delete {
        sales_order(&data).map_err(|problem| invalid(format!("order change {} cannot be sent to SAP: {problem}", change.id)))?
    } else {
        data
    };
    let body = json!({
        "changeId": change.id,
        "seq": change.seq,
        "appId": change.entity_id,
        "sapId": sap_id,
        "operation": change.operation.as_str(),
        "data": data,
    });
    Ok(body.to_string().into_bytes())
}

/// SAP's answer to a push: empty, or an object with SAP's id of the entity in `sapId`.
pub(super) fn pushed(body: &str) -> Result<Pushed, GatewayError> {
    if body.trim().is_empty() {
        return Ok(Pushed::default());
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(fields)) => Ok(Pushed { sap_id: id_text(fields.get("sapId")) }),
        Ok(_) => Err(GatewayError::Protocol("SAP accepted the change with a body that is not a JSON object".into())),
        Err(e) => Err(GatewayError::Protocol(format!("SAP accepted the change with a body that is not JSON: {e}"))),
    }
}

/// `{"items": [{"id", "entity", "operation", "data", "createdAt"?}]}`.
#[derive(Deserialize)]
struct Feed {
    items: Vec<FeedItem>,
}

#[derive(Deserialize)]
struct FeedItem {
    id: IdText,
    entity: String,
    operation: String,
    data: Value,
}

/// An id SAP may write as a string or a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum IdText {
    Text(String),
    Number(serde_json::Number),
}

/// SAP's change feed; anything but its shape is a protocol error.
pub(super) fn feed(body: &str) -> Result<Vec<ErpChange>, GatewayError> {
    let feed: Feed = serde_json::from_str(body).map_err(|e| GatewayError::Protocol(format!("SAP's change feed is not readable: {e}")))?;
    Ok(feed
        .items
        .into_iter()
        .map(|item| ErpChange {
            id: match item.id {
                IdText::Text(text) => text,
                IdText::Number(number) => number.to_string(),
            },
            entity: item.entity,
            operation: item.operation,
            data: item.data.to_string(),
        })
        .collect())
}

/// The ids SAP did not know in its answer to a confirmation (`{"confirmed": [...], "unknown": [...]}`);
/// the status is what counts, so an answer that does not say is taken as none unknown.
pub(super) fn unknown_confirmations(body: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct Confirmation {
        #[serde(default)]
        unknown: Vec<Value>,
    }
    serde_json::from_str::<Confirmation>(body)
        .map(|c| c.unknown.iter().map(|id| id_text(Some(id)).unwrap_or_else(|| id.to_string())).collect())
        .unwrap_or_default()
}

/// A string or number id as text; `None` for null, empty or anything else.
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
