//! Public catalog and delivery reads: products, promotions valid now, delivery areas, the area at
//! a point, and delivery slots with places left. Texts follow `Accept-Language`.
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::delivery::{DeliveryAreaId, MapPoint};
use sabil_core::domain::{GeoLocation, PageRequest};
use sabil_core::ports::ProductQuery;

use super::ApiTags;
use super::catalog_dto::{DeliveryAreaDto, ProductDto, ProductPage, ProductTypeDto, PromotionDto, SlotAvailabilityDto, language};
use super::sync::{SapApplied, apply};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use sabil_core::domain::sync::{ChangeOperation, InboundEntity};

/// Products, promotions, delivery areas and slots.
#[derive(Default)]
pub struct CatalogApi;

#[OpenApi(tag = "ApiTags::Catalog")]
impl CatalogApi {
    /// List products
    ///
    /// Active products by their display order, optionally of one type; keyset-paged.
    #[oai(path = "/products", method = "get", operation_id = "listProducts")]
    async fn list_products(
        &self,
        state: Data<&AppState>,
        /// `ar` for Arabic texts, English otherwise.
        #[oai(name = "Accept-Language")]
        accept_language: Header<Option<String>>,
        /// Only products of this type.
        #[oai(name = "type")]
        product_type: Query<Option<ProductTypeDto>>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ProductPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let query = ProductQuery { product_type: product_type.0.map(Into::into), active_only: true, page };
        let products = state.app.catalog.products(&query).await?;
        let lang = language(accept_language.0.as_deref());
        Ok(Json(ProductPage {
            items: products.items.into_iter().map(|p| ProductDto::new(p, lang)).collect(),
            next_cursor: products.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// Get a product
    #[oai(path = "/products/:id", method = "get", operation_id = "getProduct")]
    async fn get_product(
        &self,
        state: Data<&AppState>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        id: Path<uuid::Uuid>,
    ) -> ApiResult<Json<ProductDto>> {
        let product = state.app.catalog.product(ProductId(id.0), false).await?;
        Ok(Json(ProductDto::new(product, language(accept_language.0.as_deref()))))
    }

    /// List the promotions valid now
    #[oai(path = "/promotions", method = "get", operation_id = "listPromotions")]
    async fn list_promotions(
        &self,
        state: Data<&AppState>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<Vec<PromotionDto>>> {
        let lang = language(accept_language.0.as_deref());
        Ok(Json(state.app.catalog.promotions_now().await?.into_iter().map(|p| PromotionDto::new(p, lang)).collect()))
    }

    /// List the delivery areas
    #[oai(path = "/delivery-areas", method = "get", operation_id = "listDeliveryAreas")]
    async fn list_areas(
        &self,
        state: Data<&AppState>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<Vec<DeliveryAreaDto>>> {
        let lang = language(accept_language.0.as_deref());
        Ok(Json(state.app.catalog.delivery_areas(false).await?.into_iter().map(|a| DeliveryAreaDto::new(a, lang)).collect()))
    }

    /// Find the delivery area covering a point
    ///
    /// A point on an area's boundary counts as inside. 404 `delivery.outside_areas` when no area
    /// covers it yet.
    #[oai(path = "/delivery-areas/lookup", method = "get", operation_id = "lookupDeliveryArea")]
    async fn lookup_area(
        &self,
        state: Data<&AppState>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        /// Degrees north, -90..90.
        latitude: Query<f64>,
        /// Degrees east, -180..180.
        longitude: Query<f64>,
    ) -> ApiResult<Json<DeliveryAreaDto>> {
        let point = GeoLocation::parse(latitude.0, longitude.0, None).map_err(strip_location_prefix)?;
        let area = state.app.catalog.area_at(MapPoint { latitude: point.latitude, longitude: point.longitude }).await?;
        Ok(Json(DeliveryAreaDto::new(area, language(accept_language.0.as_deref()))))
    }

    /// List delivery slots with places left
    ///
    /// Each weekly slot of the area on each date from `from` (business time; today when absent)
    /// for `days` days (default 7, at most 31). Slots past their cut-off or full are listed with
    /// `bookable: false`.
    #[oai(path = "/delivery-slots", method = "get", operation_id = "listDeliverySlots")]
    async fn list_slots(
        &self,
        state: Data<&AppState>,
        /// The delivery area.
        #[oai(name = "areaId")]
        area_id: Query<uuid::Uuid>,
        /// First date, `YYYY-MM-DD`.
        from: Query<Option<String>>,
        /// Number of dates, 1 to 31 (default 7).
        days: Query<Option<u32>>,
    ) -> ApiResult<Json<Vec<SlotAvailabilityDto>>> {
        let from = match from.0.as_deref() {
            None => None,
            Some(raw) => Some(time::Date::parse(raw, time::macros::format_description!("[year]-[month]-[day]")).map_err(|_| {
                ApiError::from(sabil_core::domain::Invalid::field("from", "is not a date", "Send the date as YYYY-MM-DD, e.g. 2026-12-06."))
            })?),
        };
        let days = days.0.unwrap_or(7);
        if !(1..=31).contains(&days) {
            return Err(sabil_core::domain::Invalid::field("days", "must be 1 to 31", "Ask for up to a month of dates.").into());
        }
        let slots = state.app.catalog.slots(DeliveryAreaId(area_id.0), from, days).await?;
        Ok(Json(slots.into_iter().map(Into::into).collect()))
    }

    /// SAP creates a product (a repeated SAP id updates it)
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/products", method = "post", operation_id = "sapCreateProduct", tag = "ApiTags::Sap")]
    async fn sap_create_product(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Product, ChangeOperation::Create, body.0).await
    }

    /// SAP updates a product
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/products", method = "put", operation_id = "sapUpdateProduct", tag = "ApiTags::Sap")]
    async fn sap_update_product(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Product, ChangeOperation::Update, body.0).await
    }

    /// SAP takes a product off sale
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/products", method = "delete", operation_id = "sapDeleteProduct", tag = "ApiTags::Sap")]
    async fn sap_delete_product(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Product, ChangeOperation::Delete, body.0).await
    }

    /// SAP creates a promotion
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/promotions", method = "post", operation_id = "sapCreatePromotion", tag = "ApiTags::Sap")]
    async fn sap_create_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Promotion, ChangeOperation::Create, body.0).await
    }

    /// SAP updates a promotion
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/promotions", method = "put", operation_id = "sapUpdatePromotion", tag = "ApiTags::Sap")]
    async fn sap_update_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Promotion, ChangeOperation::Update, body.0).await
    }

    /// SAP ends a promotion
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/promotions", method = "delete", operation_id = "sapDeletePromotion", tag = "ApiTags::Sap")]
    async fn sap_delete_promotion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Promotion, ChangeOperation::Delete, body.0).await
    }
}

/// The query names the fields `latitude`/`longitude`, not `location.latitude`.
fn strip_location_prefix(mut e: sabil_core::domain::Invalid) -> sabil_core::domain::Invalid {
    for p in &mut e.0 {
        if let Some(rest) = p.field.strip_prefix("location.") {
            p.field = rest.to_owned();
        }
    }
    e
}
