//! `/api/users/me`: the caller's own account.
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{FullName, ProfileChanges};
use serde::Deserialize;

use super::ApiTags;
use super::dto::{LanguageDto, LocationDto, NoContent, UserDto};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::context::ctx;
use crate::error::ApiResult;
use crate::state::AppState;

/// Profile changes; absent fields stay as they are.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// 2 to 100 characters.
    pub full_name: Option<String>,
    /// The language for the app and text messages.
    pub language: Option<LanguageDto>,
    /// A new location, replacing the one captured at registration.
    pub location: Option<LocationDto>,
}

/// The `/api/users/me` operations.
#[derive(Default)]
pub struct UsersApi;

#[OpenApi(prefix_path = "/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// The caller's account
    #[oai(path = "/me", method = "get", operation_id = "getMe")]
    async fn get_me(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<UserDto>> {
        Ok(Json(state.app.accounts.me(auth.user()?).await?.into()))
    }

    /// Change the caller's name, language or location
    #[oai(path = "/me", method = "patch", operation_id = "updateMe")]
    async fn update_me(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<UpdateMeRequest>) -> ApiResult<Json<UserDto>> {
        let id = auth.user()?;
        let b = body.0;
        let mut problems = Problems::new();
        let changes = ProfileChanges {
            full_name: b.full_name.and_then(|n| problems.check("fullName", FullName::parse(&n))),
            language: b.language.map(Into::into),
            location: b.location.and_then(|l| problems.keep(l.parse())),
        };
        problems.finish()?;
        Ok(Json(state.app.accounts.update_me(id, &changes).await?.into()))
    }

    /// Delete the caller's account
    ///
    /// Erases name, phone, password and location, the saved addresses, the registered push devices
    /// and the in-app notifications, and ends every session. Orders stay on record for the business,
    /// no longer linked to a person.
    #[oai(path = "/me", method = "delete", operation_id = "deleteMe")]
    async fn delete_me(&self, state: Data<&AppState>, req: &Request, auth: BearerAuth) -> ApiResult<NoContent> {
        state.app.accounts.delete_me(auth.user()?, &ctx(req).meta()).await?;
        Ok(NoContent::Done)
    }
}
