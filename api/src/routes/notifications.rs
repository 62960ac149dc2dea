//! `/api/devices` and `/api/notifications`: the caller's push devices and in-app notifications
//! (customers only), and, under `/api/admin/notifications`, broadcasts to many customers.
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use sabil_core::domain::PageRequest;
use sabil_core::domain::Role;
use sabil_core::domain::notifications::{BroadcastId, DeviceToken, NotificationId};

use super::ApiTags;
use super::dto::NoContent;
use super::notifications_dto::{BroadcastDto, BroadcastInput, DeviceDto, DeviceInput, MarkedReadDto, NotificationPage, UnreadCountDto};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

/// The caller's devices and notifications.
#[derive(Default)]
pub struct NotificationsApi;

#[OpenApi(tag = "ApiTags::Notifications")]
impl NotificationsApi {
    /// Register the caller's device for pushes
    ///
    /// Send it after sign-in and whenever the FCM token or the app's language changes; registering a
    /// known token again refreshes it. A token another account registered moves to the caller (the app
    /// was signed in to another account on that phone). A customer may have many devices. Customers only.
    #[oai(path = "/devices", method = "post", operation_id = "registerDevice")]
    async fn register_device(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<DeviceInput>) -> ApiResult<Json<DeviceDto>> {
        let input = body.0;
        let token = DeviceToken::parse(&input.token)?;
        let device = state.app.notifications.register_device(&auth.0, token, input.platform.into(), input.language.into()).await?;
        Ok(Json(device.into()))
    }

    /// Remove one of the caller's devices
    ///
    /// At sign-out: the device gets no more pushes. Another customer's token answers 404.
    #[oai(path = "/devices/:token", method = "delete", operation_id = "removeDevice")]
    async fn remove_device(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The registration token, URL-encoded.
        #[oai(validator(max_length = 4096))]
        token: Path<String>,
    ) -> ApiResult<NoContent> {
        let token = DeviceToken::parse(&token.0)?;
        state.app.notifications.remove_device(&auth.0, &token).await?;
        Ok(NoContent::Done)
    }

    /// List the caller's notifications
    ///
    /// Newest first, each written in the customer's language when it was created. Customers only.
    #[oai(path = "/notifications", method = "get", operation_id = "listMyNotifications")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<NotificationPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        Ok(Json(state.app.notifications.my_notifications(&auth.0, page).await?.into()))
    }

    /// Count the caller's unread notifications
    #[oai(path = "/notifications/unread-count", method = "get", operation_id = "countUnreadNotifications")]
    async fn unread_count(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<UnreadCountDto>> {
        Ok(Json(UnreadCountDto { count: state.app.notifications.unread_count(&auth.0).await? }))
    }

    /// Mark one of the caller's notifications read
    ///
    /// Marking it again is harmless (it keeps its first read time). Another customer's notification answers 404.
    #[oai(path = "/notifications/:id/read", method = "post", operation_id = "markNotificationRead")]
    async fn mark_read(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<NoContent> {
        state.app.notifications.mark_read(&auth.0, NotificationId(id.0)).await?;
        Ok(NoContent::Done)
    }

    /// Mark all the caller's notifications read
    #[oai(path = "/notifications/read-all", method = "post", operation_id = "markAllNotificationsRead")]
    async fn mark_all_read(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<MarkedReadDto>> {
        Ok(Json(MarkedReadDto { marked: state.app.notifications.mark_all_read(&auth.0).await? }))
    }
}

/// 202 with the queued broadcast.
#[derive(ApiResponse)]
pub enum BroadcastQueued {
    /// Queued: the worker delivers it in batches; follow its progress with GET /api/admin/notifications/{id}.
    #[oai(status = 202)]
    Accepted(Json<BroadcastDto>),
}

/// Broadcasts for admins.
#[derive(Default)]
pub struct AdminNotificationsApi;

#[OpenApi(prefix_path = "/admin", tag = "ApiTags::Admin")]
impl AdminNotificationsApi {
    /// Send a notification to many customers
    ///
    /// To all active customers, the customers with an address in one delivery area, or a list of
    /// customers. The request only queues it (202); the sync-worker writes each recipient's in-app
    /// notification in their language and pushes it to their devices, in batches of 500.
    #[oai(path = "/notifications", method = "post", operation_id = "sendBroadcast")]
    async fn send(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<BroadcastInput>) -> ApiResult<BroadcastQueued> {
        auth.require(&[Role::Admin])?;
        let draft = body.0.parse()?;
        Ok(BroadcastQueued::Accepted(Json(state.app.notifications.send_broadcast(&auth.0, draft).await?.into())))
    }

    /// Get a broadcast with its progress
    ///
    /// Status, recipients in total and handled so far, pushes sent and failed.
    #[oai(path = "/notifications/:id", method = "get", operation_id = "getBroadcast")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<BroadcastDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.notifications.broadcast(&auth.0, BroadcastId(id.0)).await?.into()))
    }
}
