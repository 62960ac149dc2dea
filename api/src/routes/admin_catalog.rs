//! `/api/admin/...` for the catalog and delivery: products, promotions, delivery areas and slots.
//! Deactivating is an update with `active: false` (rows stay for orders and SAP).
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sabil_core::domain::catalog::{ProductId, PromotionId, PromotionKind};
use sabil_core::domain::delivery::{DeliveryAreaId, DeliverySlotId};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Invalid, PageRequest};
use sabil_core::services::catalog::{AreaDraft, ProductDraft, PromotionDraft, SlotDraft};
use serde::Deserialize;
use time::{OffsetDateTime, Time, Weekday};

use super::ApiTags;
use super::catalog_dto::{
    DeliveryAreaDto, DeliverySlotDto, GeoJsonGeometry, MoneyInput, ProductDto, ProductPage, ProductTypeDto, PromotionDto, PromotionKindDto,
    language, localized,
};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A product as an admin sends it (create or full replacement).
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductInput {
    /// SAP's item code, when known.
    pub sap_id: Option<String>,
    /// Title in Arabic, 1 to 120 characters.
    pub title_ar: String,
    /// Title in English, 1 to 120 characters.
    pub title_en: String,
    /// Description in Arabic, 1 to 2000 characters.
    pub description_ar: String,
    /// Description in English, 1 to 2000 characters.
    pub description_en: String,
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub product_type: ProductTypeDto,
    /// One bottle's volume in millilitres, e.g. 18900.
    pub volume_ml: u32,
    pub bottles_per_pack: u32,
    /// Price of one pack.
    pub price: MoneyInput,
    pub min_quantity: u32,
    pub max_quantity: u32,
    /// An uploaded image (POST /api/admin/files).
    pub image_id: Option<uuid::Uuid>,
    pub active: bool,
    /// Lower first in lists.
    pub sort_order: i32,
}

impl ProductInput {
    fn parse(self) -> Result<ProductDraft, Invalid> {
        let mut p = Problems::new();
        let title = p.keep(localized("title", &self.title_ar, &self.title_en, 120));
        let description = p.keep(localized("description", &self.description_ar, &self.description_en, 2000));
        let price = p.keep(self.price.parse("price"));
        p.finish()?;
        let (Some(title), Some(description), Some(price_per_pack)) = (title, description, price) else { return Err(missing()) };
        Ok(ProductDraft {
            sap_id: self.sap_id,
            title,
            description,
            product_type: self.product_type.into(),
            volume_ml: self.volume_ml,
            bottles_per_pack: self.bottles_per_pack,
            price_per_pack,
            min_quantity: self.min_quantity,
            max_quantity: self.max_quantity,
            image_id: self.image_id,
            active: self.active,
            sort_order: self.sort_order,
        })
    }
}

/// `Problems::finish` passed, so every parsed value is present; this only satisfies the compiler.
fn missing() -> Invalid {
    Invalid::field("body", "could not be read", "Check the request against /openapi.json.")
}

/// A promotion as an admin sends it.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PromotionInput {
    pub sap_id: Option<String>,
    pub title_ar: String,
    pub title_en: String,
    pub kind: PromotionKindDto,
    /// Required for `buy_get_free`.
    pub buy_packs: Option<u32>,
    /// Required for `buy_get_free`.
    pub free_packs: Option<u32>,
    /// Required for `fixed_price_bundle`.
    pub bundle_packs: Option<u32>,
    /// Required for `fixed_price_bundle`.
    pub bundle_price: Option<MoneyInput>,
    /// First instant it applies (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// First instant it no longer applies (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    /// The products it applies to.
    pub product_ids: Vec<uuid::Uuid>,
    pub image_id: Option<uuid::Uuid>,
    pub active: bool,
}

impl PromotionInput {
    fn parse(self) -> Result<PromotionDraft, Invalid> {
        let required = |field: &str| Invalid::field(field, "is required for this kind", "Give every field of the chosen kind.");
        let title = localized("title", &self.title_ar, &self.title_en, 120)?;
        let kind = match self.kind {
            PromotionKindDto::BuyGetFree => PromotionKind::BuyGetFree {
                buy: self.buy_packs.ok_or_else(|| required("buyPacks"))?,
                free: self.free_packs.ok_or_else(|| required("freePacks"))?,
            },
            PromotionKindDto::FixedPriceBundle => PromotionKind::FixedPriceBundle {
                packs: self.bundle_packs.ok_or_else(|| required("bundlePacks"))?,
                price: self.bundle_price.as_ref().ok_or_else(|| required("bundlePrice"))?.parse("bundlePrice")?,
            },
        };
        Ok(PromotionDraft {
            sap_id: self.sap_id,
            title,
            kind,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            product_ids: self.product_ids.into_iter().map(ProductId).collect(),
            image_id: self.image_id,
            active: self.active,
        })
    }
}

/// A delivery area as an admin sends it.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AreaInput {
    pub sap_id: Option<String>,
    pub name_ar: String,
    pub name_en: String,
    /// Where it is; without one the area can only be chosen, not found by a point.
    pub boundary: Option<GeoJsonGeometry>,
    pub delivery_fee: MoneyInput,
    pub minimum_order: MoneyInput,
    pub active: bool,
}

impl AreaInput {
    fn parse(self) -> Result<AreaDraft, Invalid> {
        let mut p = Problems::new();
        let name = p.keep(localized("name", &self.name_ar, &self.name_en, 120));
        let boundary = self.boundary.as_ref().map(|b| p.keep(b.parse()));
        let fee = p.keep(self.delivery_fee.parse("deliveryFee"));
        let minimum = p.keep(self.minimum_order.parse("minimumOrder"));
        p.finish()?;
        let (Some(name), Some(delivery_fee), Some(minimum_order)) = (name, fee, minimum) else { return Err(missing()) };
        Ok(AreaDraft { sap_id: self.sap_id, name, boundary: boundary.flatten(), delivery_fee, minimum_order, active: self.active })
    }
}

/// A weekly slot as an admin sends it.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotInput {
    /// The area (ignored on update: a slot stays in its area).
    pub area_id: uuid::Uuid,
    /// `monday` … `sunday`.
    pub weekday: String,
    /// `HH:MM`, business time.
    pub starts_at: String,
    /// `HH:MM` after `startsAt`; `24:00` for midnight.
    pub ends_at: String,
    /// Orders the slot takes per date.
    pub capacity: u32,
    pub active: bool,
}

fn parse_weekday(raw: &str) -> Result<Weekday, Invalid> {
    let days =
        [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday, Weekday::Saturday, Weekday::Sunday];
    days.into_iter()
        .find(|d| d.to_string().eq_ignore_ascii_case(raw))
        .ok_or_else(|| Invalid::field("weekday", format!("{raw:?} is not a weekday"), "Use monday … sunday."))
}

fn parse_clock(field: &str, raw: &str) -> Result<Time, Invalid> {
    let bad = || Invalid::field(field, format!("{raw:?} is not a time of day"), "Use HH:MM, e.g. 10:00 (24:00 for midnight).");
    if raw == "24:00" {
        return Time::from_hms_milli(23, 59, 59, 999).map_err(|_| bad());
    }
    let (h, m) = raw.split_once(':').ok_or_else(bad)?;
    let (h, m) = (h.parse::<u8>().map_err(|_| bad())?, m.parse::<u8>().map_err(|_| bad())?);
    Time::from_hms(h, m, 0).map_err(|_| bad())
}

impl SlotInput {
    fn parse(self) -> Result<SlotDraft, Invalid> {
        let mut p = Problems::new();
        let weekday = p.keep(parse_weekday(&self.weekday));
        let starts_at = p.keep(parse_clock("startsAt", &self.starts_at));
        let ends_at = p.keep(parse_clock("endsAt", &self.ends_at));
        p.finish()?;
        let (Some(weekday), Some(starts_at), Some(ends_at)) = (weekday, starts_at, ends_at) else { return Err(missing()) };
        Ok(SlotDraft { area_id: DeliveryAreaId(self.area_id), weekday, starts_at, ends_at, capacity: self.capacity, active: self.active })
    }
}

/// Managing products, promotions, delivery areas and slots.
#[derive(Default)]
pub struct AdminCatalogApi;

#[OpenApi(prefix_path = "/admin", tag = "ApiTags::Admin")]
impl AdminCatalogApi {
    /// List every product, inactive ones too
    #[oai(path = "/products", method = "get", operation_id = "adminListProducts")]
    async fn list_products(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        limit: Query<Option<u32>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ProductPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let products = state.app.catalog.all_products(&auth.0, page).await?;
        let lang = language(accept_language.0.as_deref());
        Ok(Json(ProductPage {
            items: products.items.into_iter().map(|p| ProductDto::new(p, lang)).collect(),
            next_cursor: products.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// Create a product
    #[oai(path = "/products", method = "post", operation_id = "createProduct")]
    async fn create_product(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<ProductInput>) -> ApiResult<Json<ProductDto>> {
        let product = state.app.catalog.create_product(&auth.0, body.0.parse()?).await?;
        Ok(Json(ProductDto::new(product, sabil_core::domain::Language::En)))
    }

    /// Replace a product (deactivate with `active: false`)
    #[oai(path = "/products/:id", method = "put", operation_id = "updateProduct")]
    async fn update_product(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<ProductInput>,
    ) -> ApiResult<Json<ProductDto>> {
        let product = state.app.catalog.update_product(&auth.0, ProductId(id.0), body.0.parse()?).await?;
        Ok(Json(ProductDto::new(product, sabil_core::domain::Language::En)))
    }

    /// Create a promotion
    #[oai(path = "/promotions", method = "post", operation_id = "createPromotion")]
    async fn create_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<PromotionInput>,
    ) -> ApiResult<Json<PromotionDto>> {
        let promotion = state.app.catalog.create_promotion(&auth.0, body.0.parse()?).await?;
        Ok(Json(PromotionDto::new(promotion, sabil_core::domain::Language::En)))
    }

    /// Replace a promotion and its products
    #[oai(path = "/promotions/:id", method = "put", operation_id = "updatePromotion")]
    async fn update_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<PromotionInput>,
    ) -> ApiResult<Json<PromotionDto>> {
        let promotion = state.app.catalog.update_promotion(&auth.0, PromotionId(id.0), body.0.parse()?).await?;
        Ok(Json(PromotionDto::new(promotion, sabil_core::domain::Language::En)))
    }

    /// Create a delivery area
    #[oai(path = "/delivery-areas", method = "post", operation_id = "createDeliveryArea")]
    async fn create_area(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<AreaInput>) -> ApiResult<Json<DeliveryAreaDto>> {
        let area = state.app.catalog.create_area(&auth.0, body.0.parse()?).await?;
        Ok(Json(DeliveryAreaDto::new(area, sabil_core::domain::Language::En)))
    }

    /// Replace a delivery area
    #[oai(path = "/delivery-areas/:id", method = "put", operation_id = "updateDeliveryArea")]
    async fn update_area(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<AreaInput>,
    ) -> ApiResult<Json<DeliveryAreaDto>> {
        let area = state.app.catalog.update_area(&auth.0, DeliveryAreaId(id.0), body.0.parse()?).await?;
        Ok(Json(DeliveryAreaDto::new(area, sabil_core::domain::Language::En)))
    }

    /// Add a weekly slot to an area
    #[oai(path = "/delivery-slots", method = "post", operation_id = "createDeliverySlot")]
    async fn create_slot(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<SlotInput>) -> ApiResult<Json<DeliverySlotDto>> {
        Ok(Json(state.app.catalog.create_slot(&auth.0, body.0.parse()?).await?.into()))
    }

    /// Change a weekly slot (its area stays)
    #[oai(path = "/delivery-slots/:id", method = "put", operation_id = "updateDeliverySlot")]
    async fn update_slot(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<SlotInput>,
    ) -> ApiResult<Json<DeliverySlotDto>> {
        Ok(Json(state.app.catalog.update_slot(&auth.0, DeliverySlotId(id.0), body.0.parse()?).await?.into()))
    }
}

impl From<sabil_core::services::CatalogError> for ApiError {
    fn from(e: sabil_core::services::CatalogError) -> Self {
        use sabil_core::services::CatalogError;
        use sabil_core::services::authorization::AdminDenied;
        match e {
            CatalogError::Invalid(invalid) => invalid.into(),
            CatalogError::NotFound(what) => {
                Self::not_found(&format!("{}.not_found", what.replace(' ', "_")), format!("No such {what}."), None)
            }
            CatalogError::OutsideDeliveryAreas => Self::not_found(
                "delivery.outside_areas",
                "We do not deliver there yet.",
                Some("See the areas we serve with GET /api/delivery-areas."),
            ),
            CatalogError::Conflict(what) => {
                Self::conflict("catalog.conflict", format!("A unique value is already used ({what})."), "Use another SAP id.")
            }
            CatalogError::Denied(AdminDenied::NotAdmin) => {
                Self::forbidden("auth.role_forbidden", "Your role may not do this.", "This operation is for an active admin.")
            }
            CatalogError::Denied(AdminDenied::Blocked) => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            CatalogError::Denied(AdminDenied::Storage(e)) | CatalogError::Storage(e) => e.into(),
        }
    }
}
