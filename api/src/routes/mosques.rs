//! `/api/mosques` (public: near a point, in an area) and `/api/admin/mosques` (create, replace,
//! deactivate with `active: false`).
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sabil_core::domain::delivery::DeliveryAreaId;
use sabil_core::domain::mosque::{MOSQUE_NAME_MAX, MosqueHit, MosqueId, parse_point};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Invalid, Language, Page, PageRequest, Role};
use sabil_core::services::mosques::{MosqueDraft, MosqueSearch};
use serde::Deserialize;
use time::OffsetDateTime;

use super::ApiTags;
use super::catalog_dto::language;
use super::support_dto::{LocalizedTextDto, MapPointDto, sap_id};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

/// Metres, rounded to whole metres.
fn meters(d: Option<f64>) -> Option<u32> {
    d.map(|m| m.round().clamp(0.0, f64::from(u32::MAX)) as u32)
}

/// A mosque, its name in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct MosqueDto {
    /// The mosque's id, as used in GET /api/mosques/{id}.
    pub id: uuid::Uuid,
    /// Its name in the language asked for.
    pub name: String,
    /// Where it is.
    pub location: MapPointDto,
    /// The delivery area that serves it.
    pub area_id: uuid::Uuid,
    /// Metres from the point asked for (great-circle); absent when no point was given.
    #[oai(skip_serializing_if_is_none)]
    pub distance_meters: Option<u32>,
}

impl MosqueDto {
    pub fn new(h: MosqueHit, lang: Language) -> Self {
        let m = h.mosque;
        Self {
            id: m.id.0,
            name: m.name.get(lang).to_owned(),
            location: m.location.into(),
            area_id: m.area_id.0,
            distance_meters: meters(h.distance_meters),
        }
    }
}

/// One page of mosques.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct MosquePage {
    /// Nearest first when a point was given, otherwise by English name.
    pub items: Vec<MosqueDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A mosque as admins see it: both languages, SAP id, active flag.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AdminMosqueDto {
    /// The mosque's id.
    pub id: uuid::Uuid,
    /// SAP's code for it; null when SAP does not know it.
    pub sap_id: Option<String>,
    /// Its name in both languages.
    pub name: LocalizedTextDto,
    /// Where it is.
    pub location: MapPointDto,
    /// The delivery area that serves it.
    pub area_id: uuid::Uuid,
    /// Inactive mosques are hidden from customers.
    pub active: bool,
    /// Metres from the point asked for; absent when no point was given.
    #[oai(skip_serializing_if_is_none)]
    pub distance_meters: Option<u32>,
    /// When it was added (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: OffsetDateTime,
}

impl From<MosqueHit> for AdminMosqueDto {
    fn from(h: MosqueHit) -> Self {
        let m = h.mosque;
        Self {
            id: m.id.0,
            sap_id: m.sap_id,
            name: m.name.into(),
            location: m.location.into(),
            area_id: m.area_id.0,
            active: m.active,
            distance_meters: meters(h.distance_meters),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One page of mosques, inactive ones too.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AdminMosquePage {
    /// Up to `limit` mosques, in the same order as GET /api/mosques.
    pub items: Vec<AdminMosqueDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A mosque as an admin sends it (create, or full replacement).
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MosqueInput {
    /// SAP's code for it, 1 to 64 characters; absent or null when SAP does not know it.
    pub sap_id: Option<String>,
    /// 1 to 150 characters in each language.
    pub name: LocalizedTextDto,
    /// Where it is.
    pub location: MapPointDto,
    /// The delivery area that serves it (GET /api/delivery-areas).
    pub area_id: uuid::Uuid,
    /// `false` hides it from customers (deactivation); nothing is deleted.
    pub active: bool,
}

impl MosqueInput {
    fn parse(self) -> Result<MosqueDraft, Invalid> {
        let mut p = Problems::new();
        let sap_id = p.keep(sap_id(self.sap_id.as_deref()));
        let name = p.keep(self.name.parse("name", MOSQUE_NAME_MAX));
        let location = p.keep(self.location.parse("location"));
        p.finish()?;
        match (sap_id, name, location) {
            (Some(sap_id), Some(name), Some(location)) => {
                Ok(MosqueDraft { sap_id, name, location, area_id: DeliveryAreaId(self.area_id), active: self.active })
            }
            _ => Err(Invalid::field("body", "could not be read", "Check the request against /openapi.json.")),
        }
    }
}

/// The search from the query parameters; a point needs both coordinates.
fn search(
    area_id: Option<uuid::Uuid>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<MosqueSearch, Invalid> {
    let mut p = Problems::new();
    let page = p.keep(PageRequest::parse(limit, cursor));
    let near = match (latitude, longitude) {
        (Some(lat), Some(lon)) => p.keep(parse_point(None, lat, lon)),
        (None, None) => None,
        (Some(_), None) => p.keep(Err(Invalid::field("longitude", "is missing", "Send latitude and longitude together."))),
        (None, Some(_)) => p.keep(Err(Invalid::field("latitude", "is missing", "Send latitude and longitude together."))),
    };
    p.finish()?;
    let page = page.unwrap_or(PageRequest { limit: PageRequest::DEFAULT_LIMIT, cursor: None });
    Ok(MosqueSearch { area: area_id.map(DeliveryAreaId), near, page })
}

fn next(page: &Page<MosqueHit>) -> Option<String> {
    page.next_cursor.map(|c| c.to_string())
}

/// Mosques water can be donated to.
#[derive(Default)]
pub struct MosquesApi;

#[OpenApi(prefix_path = "/mosques", tag = "ApiTags::Mosques")]
impl MosquesApi {
    /// List mosques
    ///
    /// Active mosques, optionally only those of one delivery area. With `latitude` and `longitude`
    /// the nearest come first, each with its great-circle distance in metres; otherwise they are
    /// ordered by English name. Keyset-paged, at most 50 per page.
    #[oai(path = "/", method = "get", operation_id = "listMosques")]
    // Each query parameter is an argument of the operation.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// `ar` for Arabic names, English otherwise.
        #[oai(name = "Accept-Language")]
        accept_language: Header<Option<String>>,
        /// Only mosques served by this delivery area.
        #[oai(name = "areaId")]
        area_id: Query<Option<uuid::Uuid>>,
        /// Degrees north of the point to sort by nearness (with `longitude`).
        latitude: Query<Option<f64>>,
        /// Degrees east of the point to sort by nearness (with `latitude`).
        longitude: Query<Option<f64>>,
        /// 1 to 50, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<MosquePage>> {
        let search = search(area_id.0, latitude.0, longitude.0, limit.0, cursor.0.as_deref())?;
        let page = state.app.mosques.search(&search).await?;
        let lang = language(accept_language.0.as_deref());
        let next_cursor = next(&page);
        Ok(Json(MosquePage { items: page.items.into_iter().map(|h| MosqueDto::new(h, lang)).collect(), next_cursor }))
    }

    /// Get a mosque
    #[oai(path = "/:id", method = "get", operation_id = "getMosque")]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        id: Path<uuid::Uuid>,
    ) -> ApiResult<Json<MosqueDto>> {
        let mosque = state.app.mosques.mosque(MosqueId(id.0), false).await?;
        Ok(Json(MosqueDto::new(MosqueHit { mosque, distance_meters: None }, language(accept_language.0.as_deref()))))
    }
}

/// Managing mosques.
#[derive(Default)]
pub struct AdminMosquesApi;

#[OpenApi(prefix_path = "/admin/mosques", tag = "ApiTags::Admin")]
impl AdminMosquesApi {
    /// List every mosque, inactive ones too
    ///
    /// Same filters, order and paging as GET /api/mosques, with both languages and the SAP id.
    #[oai(path = "/", method = "get", operation_id = "adminListMosques")]
    // Each query parameter is an argument of the operation.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only mosques served by this delivery area.
        #[oai(name = "areaId")]
        area_id: Query<Option<uuid::Uuid>>,
        /// Degrees north of the point to sort by nearness (with `longitude`).
        latitude: Query<Option<f64>>,
        /// Degrees east of the point to sort by nearness (with `latitude`).
        longitude: Query<Option<f64>>,
        /// 1 to 50, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AdminMosquePage>> {
        auth.require(&[Role::Admin])?;
        let search = search(area_id.0, latitude.0, longitude.0, limit.0, cursor.0.as_deref())?;
        let page = state.app.mosques.search_all(&auth.0, &search).await?;
        let next_cursor = next(&page);
        Ok(Json(AdminMosquePage { items: page.items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// Create a mosque
    #[oai(path = "/", method = "post", operation_id = "createMosque")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<MosqueInput>) -> ApiResult<Json<AdminMosqueDto>> {
        auth.require(&[Role::Admin])?;
        let mosque = state.app.mosques.create(&auth.0, body.0.parse()?).await?;
        Ok(Json(MosqueHit { mosque, distance_meters: None }.into()))
    }

    /// Replace a mosque (deactivate with `active: false`)
    #[oai(path = "/:id", method = "put", operation_id = "updateMosque")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<MosqueInput>,
    ) -> ApiResult<Json<AdminMosqueDto>> {
        auth.require(&[Role::Admin])?;
        let mosque = state.app.mosques.update(&auth.0, MosqueId(id.0), body.0.parse()?).await?;
        Ok(Json(MosqueHit { mosque, distance_meters: None }.into()))
    }
}
