//! `/api/admin/users`: the admin's view of accounts.
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sabil_core::domain::{PageRequest, UserId};
use sabil_core::ports::UserQuery;

use super::ApiTags;
use super::dto::{RoleDto, UserDto};
use crate::auth::BearerAuth;
use crate::context::ctx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// One page of users.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct UserPage {
    /// Up to `limit` users, newest first; empty when nothing matches.
    pub items: Vec<UserDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The `/api/admin` operations.
#[derive(Default)]
pub struct AdminApi;

#[OpenApi(prefix_path = "/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// List users
    ///
    /// Newest first. `search` matches part of the phone number or of the name (any case); `role`
    /// keeps the accounts of one role (e.g. `admin` for the staff).
    #[oai(path = "/users", method = "get", operation_id = "listUsers")]
    async fn list_users(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Part of a phone number or name.
        #[oai(validator(max_length = 100))]
        search: Query<Option<String>>,
        /// Only accounts with this role.
        role: Query<Option<RoleDto>>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<UserPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let search = search.0.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let users = state.app.accounts.list_users(&auth.0, &UserQuery { search, role: role.0.map(Into::into), page }).await?;
        Ok(Json(UserPage {
            items: users.items.into_iter().map(Into::into).collect(),
            next_cursor: users.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// Block a user
    ///
    /// The user cannot sign in and every session ends (access tokens already issued lapse within 15 minutes).
    #[oai(path = "/users/:id/block", method = "post", operation_id = "blockUser")]
    async fn block_user(&self, state: Data<&AppState>, req: &Request, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<UserDto>> {
        self.set_blocked(&state, req, &auth, id.0, true).await
    }

    /// Unblock a user
    #[oai(path = "/users/:id/unblock", method = "post", operation_id = "unblockUser")]
    async fn unblock_user(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
    ) -> ApiResult<Json<UserDto>> {
        self.set_blocked(&state, req, &auth, id.0, false).await
    }
}

impl AdminApi {
    async fn set_blocked(
        &self,
        state: &AppState,
        req: &Request,
        auth: &BearerAuth,
        id: uuid::Uuid,
        blocked: bool,
    ) -> Result<Json<UserDto>, ApiError> {
        Ok(Json(state.app.accounts.set_blocked(&auth.0, UserId(id), blocked, &ctx(req).meta()).await?.into()))
    }
}
