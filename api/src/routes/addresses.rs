//! `/api/addresses`: the calling customer's own delivery addresses.
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use sabil_core::domain::address::{Address, AddressDetails, AddressFields, AddressId, AddressKind, AddressText, parse_location};
use sabil_core::domain::delivery::DeliveryAreaId;
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Invalid, PageRequest};
use sabil_core::services::AddressInput;
use serde::Deserialize;
use time::OffsetDateTime;

use super::ApiTags;
use super::dto::NoContent;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

/// The kind of place; it decides which of `house`, `building`, `floor`, `apartment` and `office`
/// an address needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum AddressTypeDto {
    /// A house or villa: needs `house`.
    House,
    /// A flat: needs `building`, `floor` and `apartment`.
    Apartment,
    /// An office: needs `building`, `floor` and `office`.
    Office,
}

impl From<AddressTypeDto> for AddressKind {
    fn from(t: AddressTypeDto) -> Self {
        match t {
            AddressTypeDto::House => Self::House,
            AddressTypeDto::Apartment => Self::Apartment,
            AddressTypeDto::Office => Self::Office,
        }
    }
}

impl From<AddressKind> for AddressTypeDto {
    fn from(k: AddressKind) -> Self {
        match k {
            AddressKind::House => Self::House,
            AddressKind::Apartment => Self::Apartment,
            AddressKind::Office => Self::Office,
        }
    }
}

/// The pin of an address on the map (WGS 84 degrees).
#[derive(Debug, Clone, Copy, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressLocationDto {
    /// Degrees north, -90..90, e.g. `24.4539`.
    pub latitude: f64,
    /// Degrees east, -180..180, e.g. `54.3773`.
    pub longitude: f64,
}

/// A delivery address as the customer enters it; the same body creates one and replaces one.
///
/// Required for every type: `type`, `label`, `block`, `street`, `location`. By type: a `house`
/// needs `house`; an `apartment` needs `building`, `floor` and `apartment`; an `office` needs
/// `building`, `floor` and `office`. Fields of another type must be left out (or empty). Texts are
/// trimmed; blank optional texts count as absent.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressRequest {
    /// `house`, `apartment` or `office`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: AddressTypeDto,
    /// The customer's name for the address, 1 to 50 characters, e.g. `Home`.
    pub label: String,
    /// Block (or sector) number, 1 to 50 characters, e.g. `3`.
    pub block: String,
    /// Street name or number, 1 to 100 characters.
    pub street: String,
    /// Avenue (jaddah), where there is one; up to 100 characters.
    pub avenue: Option<String>,
    /// House or villa number, up to 20 characters; required for a `house`, not allowed otherwise.
    pub house: Option<String>,
    /// Building number or name, up to 20 characters; required for an `apartment` or `office`.
    pub building: Option<String>,
    /// Floor, up to 20 characters (e.g. `3`, `G`); required for an `apartment` or `office`.
    pub floor: Option<String>,
    /// Apartment (flat) number, up to 20 characters; required for an `apartment` only.
    pub apartment: Option<String>,
    /// Office number, up to 20 characters; required for an `office` only.
    pub office: Option<String>,
    /// Directions for the driver (landmarks, gate colour), up to 500 characters; may span lines.
    pub directions: Option<String>,
    /// The pin on the map. Without `areaId` the area is the first active delivery area containing it.
    pub location: AddressLocationDto,
    /// A delivery area chosen from GET /api/delivery-areas; it must be active and contain `location`.
    pub area_id: Option<uuid::Uuid>,
}

impl AddressRequest {
    /// The address as the service takes it, every field at fault named at once.
    fn parse(self) -> Result<AddressInput, Invalid> {
        let fields = AddressFields {
            label: Some(self.label),
            block: Some(self.block),
            street: Some(self.street),
            avenue: self.avenue,
            house: self.house,
            building: self.building,
            floor: self.floor,
            apartment: self.apartment,
            office: self.office,
            directions: self.directions,
        };
        let mut problems = Problems::new();
        let details = problems.keep(AddressDetails::parse(self.kind.into(), &fields));
        let location = problems.keep(parse_location(self.location.latitude, self.location.longitude));
        problems.finish()?;
        match (details, location) {
            (Some(details), Some(location)) => Ok(AddressInput { details, location, area_id: self.area_id.map(DeliveryAreaId) }),
            // `finish` returned Ok, so both parsed.
            _ => Err(Invalid::field("body", "could not be checked", "Send the address again.")),
        }
    }
}

/// A delivery address of the caller.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AddressDto {
    /// The address's id (a UUID), as used in `/api/addresses/{id}`.
    pub id: uuid::Uuid,
    /// `house`, `apartment` or `office`.
    #[oai(rename = "type")]
    pub kind: AddressTypeDto,
    /// The customer's name for it, e.g. `Home`.
    pub label: String,
    /// Block (or sector) number.
    pub block: String,
    /// Street name or number.
    pub street: String,
    /// Avenue (jaddah); `null` when none was given.
    pub avenue: Option<String>,
    /// House or villa number (houses only, otherwise `null`).
    pub house: Option<String>,
    /// Building (apartments and offices, otherwise `null`).
    pub building: Option<String>,
    /// Floor (apartments and offices, otherwise `null`).
    pub floor: Option<String>,
    /// Apartment number (apartments only, otherwise `null`).
    pub apartment: Option<String>,
    /// Office number (offices only, otherwise `null`).
    pub office: Option<String>,
    /// Directions for the driver; `null` when none were given.
    pub directions: Option<String>,
    /// The pin on the map.
    pub location: AddressLocationDto,
    /// The delivery area that serves it (see GET /api/delivery-areas for its name, fee and minimum order).
    pub area_id: uuid::Uuid,
    /// When it was created (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: OffsetDateTime,
}

fn text(t: Option<&AddressText>) -> Option<String> {
    t.map(|t| t.as_str().to_owned())
}

impl From<Address> for AddressDto {
    fn from(a: Address) -> Self {
        let d = &a.details;
        let p = &d.premises;
        Self {
            id: a.id.0,
            kind: d.kind().into(),
            label: d.label.as_str().to_owned(),
            block: d.block.as_str().to_owned(),
            street: d.street.as_str().to_owned(),
            avenue: text(d.avenue.as_ref()),
            house: text(p.house()),
            building: text(p.building()),
            floor: text(p.floor()),
            apartment: text(p.apartment()),
            office: text(p.office()),
            directions: text(d.directions.as_ref()),
            location: AddressLocationDto { latitude: a.location.latitude, longitude: a.location.longitude },
            area_id: a.area_id.0,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// One page of the caller's addresses.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AddressPage {
    /// Up to `limit` addresses, oldest first.
    pub items: Vec<AddressDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// 201 with the new address.
#[derive(ApiResponse)]
pub enum AddressCreated {
    /// Stored; `Location` is the new address's URL.
    #[oai(status = 201)]
    Created(Json<AddressDto>, #[oai(header = "Location")] String),
}

/// The `/api/addresses` operations.
#[derive(Default)]
pub struct AddressesApi;

#[OpenApi(tag = "ApiTags::Addresses")]
impl AddressesApi {
    /// List the caller's addresses
    ///
    /// Oldest first. A customer keeps at most 20 addresses, so the default page holds them all.
    /// Customers only.
    #[oai(path = "/addresses", method = "get", operation_id = "listAddresses")]
    async fn list_addresses(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AddressPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let addresses = state.app.addresses.list(&auth.0, page).await?;
        Ok(Json(AddressPage {
            items: addresses.items.into_iter().map(Into::into).collect(),
            next_cursor: addresses.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// Add an address
    ///
    /// The delivery area is the one chosen with `areaId` (it must be active and contain the pin), or
    /// else the first active area containing the pin. A pin outside every area is refused with
    /// `address.outside_delivery_area`. At most 20 addresses per customer. Customers only.
    #[oai(path = "/addresses", method = "post", operation_id = "createAddress")]
    async fn create_address(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<AddressRequest>) -> ApiResult<AddressCreated> {
        let input = body.0.parse()?;
        let address = state.app.addresses.create(&auth.0, input).await?;
        let location = format!("/api/addresses/{}", address.id);
        Ok(AddressCreated::Created(Json(address.into()), location))
    }

    /// Get one of the caller's addresses
    ///
    /// Another customer's address answers 404, exactly like one that does not exist.
    #[oai(path = "/addresses/:id", method = "get", operation_id = "getAddress")]
    async fn get_address(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<AddressDto>> {
        Ok(Json(state.app.addresses.get(&auth.0, AddressId(id.0)).await?.into()))
    }

    /// Replace one of the caller's addresses
    ///
    /// Takes the whole address, as when adding one; the delivery area is found again from the pin
    /// (or checked against `areaId`).
    #[oai(path = "/addresses/:id", method = "put", operation_id = "updateAddress")]
    async fn update_address(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<AddressRequest>,
    ) -> ApiResult<Json<AddressDto>> {
        let input = body.0.parse()?;
        Ok(Json(state.app.addresses.update(&auth.0, AddressId(id.0), input).await?.into()))
    }

    /// Delete one of the caller's addresses
    ///
    /// The address is removed for good; orders already placed keep their own copy of it.
    #[oai(path = "/addresses/:id", method = "delete", operation_id = "deleteAddress")]
    async fn delete_address(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<NoContent> {
        state.app.addresses.delete(&auth.0, AddressId(id.0)).await?;
        Ok(NoContent::Done)
    }
}
