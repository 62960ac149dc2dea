//! The SAP integration (role sap): our change feed (`GET /api/changes`, `POST /api/confirm-changes`)
//! and SAP's changes to the entities it shares with us (`POST`/`PUT`/`DELETE /api/{entity}`). Every
//! refused change is kept in `sync_failures` with its payload and problems, and logged.
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sabil_adapters::sap_records::{parse_change, problems_json, sap_id_of};
use sabil_core::domain::Role;
use sabil_core::domain::sync::{ChangeOperation, ChangeRecord, InboundEntity};
use sabil_core::ports::FailureSource;
use sabil_core::services::SapInboundService;
use sabil_core::services::sync::{Applied, InboundError};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, FieldProblemBody};
use crate::state::AppState;

/// One change of ours for SAP.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ChangeDto {
    /// The change's id (what SAP confirms).
    pub id: Uuid,
    /// Position in the feed; changes of one entity come in increasing order.
    pub seq: i64,
    /// The entity: `order`, `customer`, `address`, `survey` or `survey_answer`.
    #[oai(rename = "type")]
    pub entity_type: String,
    /// Our id of the entity.
    pub entity_id: Uuid,
    /// `create`, `update` or `delete`.
    pub operation: String,
    /// The entity after the change, with both ids (`id`, `sapId`).
    pub data: Value,
    pub created_at: OffsetDateTime,
    /// Always false here: the feed lists changes SAP has not confirmed.
    pub is_completed: bool,
}

impl From<ChangeRecord> for ChangeDto {
    fn from(c: ChangeRecord) -> Self {
        let data = serde_json::from_str(&c.data).unwrap_or(Value::String(c.data));
        Self {
            id: c.id,
            seq: c.seq,
            entity_type: c.entity,
            entity_id: c.entity_id,
            operation: c.operation.as_str().to_owned(),
            data,
            created_at: c.created_at,
            is_completed: c.is_completed,
        }
    }
}

/// A page of the feed.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ChangePage {
    pub items: Vec<ChangeDto>,
    /// `after` for the next page; absent when this page is not full (a full page may be the last: the
    /// next read is then empty).
    pub next_cursor: Option<String>,
}

/// The changes SAP applied.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfirmInput {
    /// 1 to 1000 change ids.
    pub ids: Vec<Uuid>,
}

/// What the confirmation did, id by id.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ConfirmResult {
    /// Marked completed now.
    pub confirmed: Vec<Uuid>,
    /// Confirmed before (repeating a confirmation is harmless).
    pub already_confirmed: Vec<Uuid>,
    /// No change has these ids; the others were still confirmed.
    pub unknown: Vec<Uuid>,
}

/// Our change feed for SAP.
#[derive(Default)]
pub struct ChangeFeedApi;

#[OpenApi(tag = "ApiTags::Sap")]
impl ChangeFeedApi {
    /// Our changes SAP has not confirmed
    ///
    /// In sequence order. Changes of one entity always come in the order they were made; a change made
    /// while you read may appear with a lower `seq` than one already read, so read from the start (no
    /// `after`) on every poll, and use `after` only to page through one read.
    #[oai(path = "/changes", method = "get", operation_id = "listChanges")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 1 to 1000, default 100.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        after: Query<Option<i64>>,
    ) -> ApiResult<Json<ChangePage>> {
        auth.require(&[Role::Sap])?;
        let limit = limit.0.unwrap_or(100);
        let items = state.app.sync.feed(&auth.0, after.0, limit).await?;
        let next_cursor = (items.len() == limit as usize).then(|| items.last().map(|c| c.seq.to_string())).flatten();
        Ok(Json(ChangePage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// Confirm changes SAP applied
    ///
    /// Marks them completed so they leave the feed. Idempotent; unknown ids are reported, not failed.
    #[oai(path = "/confirm-changes", method = "post", operation_id = "confirmChanges")]
    async fn confirm(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<ConfirmInput>) -> ApiResult<Json<ConfirmResult>> {
        auth.require(&[Role::Sap])?;
        let done = state.app.sync.confirm(&auth.0, &body.0.ids).await?;
        Ok(Json(ConfirmResult { confirmed: done.completed, already_confirmed: done.already, unknown: done.unknown }))
    }
}

/// What SAP's change did.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SapApplied {
    /// `created`, `updated`, `deleted` or `already_applied` (the same version came before).
    pub result: String,
    /// Our id of the entity (keep it with yours).
    pub app_id: Uuid,
    pub sap_id: String,
    pub version: i64,
}

/// SAP's changes to the entities it shares with us.
#[derive(Default)]
pub struct SapEntitiesApi;

macro_rules! sap_operations {
    ($( $path:literal, $method:literal, $op_id:literal, $fn:ident, $entity:expr, $operation:expr, $doc:literal; )*) => {
        #[OpenApi(tag = "ApiTags::Sap")]
        impl SapEntitiesApi {
            $(
                #[doc = $doc]
                ///
                /// Role sap. The body is the entity's JSON with `sapId`, `version` and, when known, our
                /// `appId` (fields: README, "SAP integration"). 400 lists every field's problem; 422 names
                /// the business rule broken; 409 refuses a version older than the one applied.
                #[oai(path = $path, method = $method, operation_id = $op_id)]
                async fn $fn(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<Value>) -> ApiResult<Json<SapApplied>> {
                    apply(&state, &auth, $entity, $operation, body.0).await
                }
            )*

            /// No such route (the catch-all above must not turn an unknown GET into a 405)
            #[oai(path = "/:entity", method = "get", operation_id = "unknownRoute", hidden)]
            async fn unknown_get(&self, entity: Path<String>) -> ApiResult<Json<SapApplied>> {
                Err(ApiError::for_status(404, &format!("There is no GET /api/{}.", entity.0)))
            }

            /// Any other entity (refused and logged)
            #[oai(path = "/:entity", method = "post", operation_id = "sapUnknownEntity", hidden)]
            async fn unknown(&self, state: Data<&AppState>, auth: BearerAuth, entity: Path<String>, body: JsonBody<Value>) -> ApiResult<Json<SapApplied>> {
                unknown_entity(&state, &auth, &entity.0, "create", &body.0).await
            }

            /// Any other entity (refused and logged)
            #[oai(path = "/:entity", method = "put", operation_id = "sapUnknownEntityPut", hidden)]
            async fn unknown_put(&self, state: Data<&AppState>, auth: BearerAuth, entity: Path<String>, body: JsonBody<Value>) -> ApiResult<Json<SapApplied>> {
                unknown_entity(&state, &auth, &entity.0, "update", &body.0).await
            }

            /// Any other entity (refused and logged)
            #[oai(path = "/:entity", method = "delete", operation_id = "sapUnknownEntityDelete", hidden)]
            async fn unknown_delete(&self, state: Data<&AppState>, auth: BearerAuth, entity: Path<String>, body: JsonBody<Value>) -> ApiResult<Json<SapApplied>> {
                unknown_entity(&state, &auth, &entity.0, "delete", &body.0).await
            }
        }
    };
}

sap_operations! {
    "/coupons", "post", "sapCreateCoupons", create_coupons, InboundEntity::Coupon, ChangeOperation::Create, "SAP gives a customer a batch of coupons";
    "/coupons", "put", "sapUpdateCoupons", update_coupons, InboundEntity::Coupon, ChangeOperation::Update, "SAP sends a coupon batch again (issued once per SAP id)";
    "/coupons", "delete", "sapDeleteCoupons", delete_coupons, InboundEntity::Coupon, ChangeOperation::Delete, "SAP withdraws a coupon batch (refused: coupons given are kept until they expire)";
    "/customers", "post", "sapCreateCustomer", create_customer, InboundEntity::Customer, ChangeOperation::Create, "SAP links its customer to ours";
    "/customers", "put", "sapUpdateCustomer", update_customer, InboundEntity::Customer, ChangeOperation::Update, "SAP updates a customer's name or language";
    "/customers", "delete", "sapDeleteCustomer", delete_customer, InboundEntity::Customer, ChangeOperation::Delete, "SAP closes a customer (the account is blocked)";
    "/delivery-details", "post", "sapCreateDeliveryDetails", create_delivery_details, InboundEntity::DeliveryDetails, ChangeOperation::Create, "SAP adds a delivery address";
    "/delivery-details", "put", "sapUpdateDeliveryDetails", update_delivery_details, InboundEntity::DeliveryDetails, ChangeOperation::Update, "SAP updates a delivery address";
    "/delivery-details", "delete", "sapDeleteDeliveryDetails", delete_delivery_details, InboundEntity::DeliveryDetails, ChangeOperation::Delete, "SAP removes a delivery address";
}

pub(super) async fn apply(
    state: &AppState,
    auth: &BearerAuth,
    entity: InboundEntity,
    operation: ChangeOperation,
    body: Value,
) -> ApiResult<Json<SapApplied>> {
    auth.require(&[Role::Sap])?;
    SapInboundService::check_sap(&auth.0)?;
    let refuse = |status: u16, kind: &str, errors: String| {
        let mut f =
            SapInboundService::failure(FailureSource::Push, entity.as_str(), operation.as_str(), status, kind, errors, body.to_string());
        f.sap_id = sap_id_of(&body);
        f
    };
    let change = match parse_change(entity, operation, &body) {
        Ok(c) => c,
        Err(problems) => {
            let fields: Vec<FieldProblemBody> =
                problems.iter().map(|p| FieldProblemBody { field: p.field.clone(), problem: p.problem.clone() }).collect();
            state.app.sap_inbound.refused(refuse(400, "schema", problems_json(&problems))).await;
            let hint = problems.iter().map(|p| p.hint.as_str()).collect::<Vec<_>>().join(" ");
            let message = format!("The {} change has {} problem(s).", entity.as_str(), problems.len());
            return Err(ApiError::schema("sap.invalid_fields", message, &hint, fields));
        }
    };
    match state.app.sap_inbound.apply(&change).await {
        Ok(done) => Ok(Json(SapApplied {
            result: match done.applied {
                Applied::Created => "created",
                Applied::Updated => "updated",
                Applied::Deleted => "deleted",
                Applied::AlreadyApplied => "already_applied",
            }
            .to_owned(),
            app_id: done.app_id,
            sap_id: change.header.sap_id,
            version: change.header.version,
        })),
        Err(e) => {
            let (status, kind) = e.status();
            if !matches!(e, InboundError::Storage(_)) {
                state.app.sap_inbound.refused(refuse(status, kind, problems_json(&e.problems()))).await;
            }
            Err(e.into())
        }
    }
}

async fn unknown_entity(state: &AppState, auth: &BearerAuth, entity: &str, operation: &str, body: &Value) -> ApiResult<Json<SapApplied>> {
    if auth.0.role != Role::Sap {
        return Err(ApiError::for_status(404, &format!("There is no such route under /api/{entity}.")));
    }
    let errors = serde_json::json!([{"field": "entity", "problem": format!("'{entity}' is not an entity SAP shares with us")}]).to_string();
    let mut failure = SapInboundService::failure(FailureSource::Push, entity, operation, 404, "not_found", errors, body.to_string());
    failure.sap_id = sap_id_of(body);
    state.app.sap_inbound.refused(failure).await;
    Err(ApiError::not_found(
        "sap.unknown_entity",
        format!("'{entity}' is not an entity SAP shares with us."),
        Some("SAP changes coupons, products, promotions, customers, delivery-details and orders."),
    ))
}
