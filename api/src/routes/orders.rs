//! `/api/orders`: the caller's orders (read, cancel, reorder, pay) and, under `/api/admin/orders`, every
//! order for admins.
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sabil_core::domain::PageRequest;
use sabil_core::domain::orders::OrderId;
use sabil_core::ports::OrderQuery;
use serde::Deserialize;
use time::OffsetDateTime;

use super::ApiTags;
use super::catalog_dto::{MoneyDto, language};
use super::orders_dto::{CartDto, OrderDetailsDto, OrderDto, OrderPage, OrderStatusDto};
use super::sync::{SapApplied, apply};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;
use sabil_core::domain::sync::{ChangeOperation, InboundEntity};

/// Why the customer cancels.
#[derive(Debug, Object, Deserialize, Default)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelRequest {
    /// Optional, up to 500 characters.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// An admin's move of an order.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusRequest {
    /// The status to move to; the lifecycle decides what is allowed (a refusal lists the allowed moves).
    pub status: OrderStatusDto,
    /// Why, kept in the order's history (up to 500 characters).
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// What one pack of a coupon-book product gives.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CouponBookDto {
    /// The product the coupons pay for (a refill or pack product).
    pub coupon_product_id: uuid::Uuid,
    /// Coupons per pack bought, 1 to 1000 (e.g. 22).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub coupons_per_pack: u32,
    /// Days the coupons stay valid after purchase (1 to 3650); absent for ever.
    #[oai(validator(minimum(value = "1"), maximum(value = "3650")))]
    pub validity_days: Option<u32>,
}

/// Where to pay.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct PaymentStartDto {
    pub payment_id: uuid::Uuid,
    /// The provider's charge id.
    pub charge_id: String,
    /// Open this page for the customer to pay; the order becomes `paid` when the provider confirms.
    pub payment_url: String,
    pub amount: MoneyDto,
}

/// 201 with the payment page.
#[derive(ApiResponse)]
pub enum PaymentStarted {
    #[oai(status = 201)]
    Created(Json<PaymentStartDto>),
}

fn page(p: sabil_core::domain::Page<sabil_core::domain::orders::Order>, lang: sabil_core::domain::Language) -> Json<OrderPage> {
    Json(OrderPage { items: p.items.iter().map(|o| OrderDto::new(o, lang)).collect(), next_cursor: p.next_cursor.map(|c| c.to_string()) })
}

/// The customer's `/api/orders` operations.
#[derive(Default)]
pub struct OrdersApi;

#[OpenApi(tag = "ApiTags::Orders")]
impl OrdersApi {
    /// List the caller's orders
    ///
    /// Newest first, optionally in one status. Customers only.
    #[oai(path = "/orders", method = "get", operation_id = "listMyOrders")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<OrderStatusDto>>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<OrderPage>> {
        let p = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let orders = state.app.orders.my_orders(&auth.0, status.0.map(Into::into), p).await?;
        Ok(page(orders, language(accept_language.0.as_deref())))
    }

    /// Get one of the caller's orders
    ///
    /// With its history and payment attempts. Another customer's order answers 404.
    #[oai(path = "/orders/:id", method = "get", operation_id = "getMyOrder")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<OrderDetailsDto>> {
        let details = state.app.orders.my_order(&auth.0, OrderId(id.0)).await?;
        Ok(Json(OrderDetailsDto::new(&details, language(accept_language.0.as_deref()))))
    }

    /// Cancel one of the caller's orders
    ///
    /// Allowed until the order is out for delivery. The slot place, coupons and promo-code use are given
    /// back; a paid order is refunded (the order becomes `refunded` when the provider returns the money).
    #[oai(path = "/orders/:id/cancel", method = "post", operation_id = "cancelMyOrder")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<CancelRequest>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<OrderDto>> {
        let order = state.app.orders.cancel_my_order(&auth.0, OrderId(id.0), body.0.reason).await?;
        Ok(Json(OrderDto::new(&order, language(accept_language.0.as_deref()))))
    }

    /// Order again
    ///
    /// Puts the old order's products (those still on sale) into the cart in the same quantities.
    #[oai(path = "/orders/:id/reorder", method = "post", operation_id = "reorder")]
    async fn reorder(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<CartDto>> {
        let cart = state.app.orders.reorder(&auth.0, OrderId(id.0)).await?;
        Ok(Json(CartDto::new(&cart, language(accept_language.0.as_deref()))))
    }

    /// Pay an order online
    ///
    /// Creates (or resumes, within 15 minutes) a charge at the payment provider for an order waiting in
    /// `pending_payment` or `payment_failed`, and answers its payment page. The order becomes `paid` only
    /// when the provider confirms the payment to the server; nothing the client sends can mark it paid.
    #[oai(path = "/orders/:id/payments", method = "post", operation_id = "startPayment")]
    async fn start_payment(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<PaymentStarted> {
        let start = state.app.orders.start_payment(&auth.0, OrderId(id.0)).await?;
        Ok(PaymentStarted::Created(Json(PaymentStartDto {
            payment_id: start.payment_id,
            charge_id: start.charge_id,
            payment_url: start.payment_url,
            amount: start.amount.into(),
        })))
    }

    /// SAP acknowledges an order (its id, and a status)
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/orders", method = "post", operation_id = "sapCreateOrder", tag = "ApiTags::Sap")]
    async fn sap_create_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Order, ChangeOperation::Create, body.0).await
    }

    /// SAP moves an order (status and delivery)
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/orders", method = "put", operation_id = "sapUpdateOrder", tag = "ApiTags::Sap")]
    async fn sap_update_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Order, ChangeOperation::Update, body.0).await
    }

    /// SAP cancels an order
    ///
    /// Role sap: SAP's change (see "SAP integration" in the README for the body). 400 lists every
    /// field's problem, 422 names the business rule broken, 409 refuses a version older than the one
    /// applied; every refusal is kept in `sync_failures`.
    #[oai(path = "/orders", method = "delete", operation_id = "sapDeleteOrder", tag = "ApiTags::Sap")]
    async fn sap_delete_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<Json<SapApplied>> {
        apply(&state, &auth, InboundEntity::Order, ChangeOperation::Delete, body.0).await
    }
}

/// The admins' `/api/admin/orders` operations.
#[derive(Default)]
pub struct AdminOrdersApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminOrdersApi {
    /// List all orders
    ///
    /// Newest first; filter by status, customer and placement time (`from` inclusive, `until` exclusive,
    /// RFC 3339). Admins only.
    #[oai(path = "/admin/orders", method = "get", operation_id = "adminListOrders")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<OrderStatusDto>>,
        #[oai(name = "customerId")] customer_id: Query<Option<uuid::Uuid>>,
        from: Query<Option<OffsetDateTime>>,
        until: Query<Option<OffsetDateTime>>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<OrderPage>> {
        let query = OrderQuery {
            customer: customer_id.0.map(sabil_core::domain::UserId),
            status: status.0.map(Into::into),
            from: from.0,
            until: until.0,
            page: PageRequest::parse(limit.0, cursor.0.as_deref())?,
        };
        let orders = state.app.orders.all_orders(&auth.0, &query).await?;
        Ok(page(orders, language(accept_language.0.as_deref())))
    }

    /// Get any order
    #[oai(path = "/admin/orders/:id", method = "get", operation_id = "adminGetOrder")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<OrderDetailsDto>> {
        let details = state.app.orders.any_order(&auth.0, OrderId(id.0)).await?;
        Ok(Json(OrderDetailsDto::new(&details, language(accept_language.0.as_deref()))))
    }

    /// Make a product a coupon book
    ///
    /// Buying one pack of the product (type `coupon_book`) then gives the buyer `couponsPerPack` coupons of
    /// `couponProductId` in their wallet, once the order is paid (cash orders: once delivered).
    #[oai(path = "/admin/products/:id/coupon-book", method = "put", operation_id = "adminSetCouponBook")]
    async fn set_coupon_book(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<CouponBookDto>,
    ) -> ApiResult<Json<CouponBookDto>> {
        let book = sabil_core::domain::orders::CouponBook {
            product_id: sabil_core::domain::catalog::ProductId(id.0),
            coupon_product_id: sabil_core::domain::catalog::ProductId(body.0.coupon_product_id),
            coupons_per_pack: body.0.coupons_per_pack,
            validity_days: body.0.validity_days,
        };
        let set = state.app.orders.set_coupon_book(&auth.0, book).await?;
        Ok(Json(CouponBookDto {
            coupon_product_id: set.coupon_product_id.0,
            coupons_per_pack: set.coupons_per_pack,
            validity_days: set.validity_days,
        }))
    }

    /// Move an order through its lifecycle
    ///
    /// Admins may confirm a paid order, send it out for delivery, mark it delivered, or cancel it. Any other
    /// move is refused with 409 and the allowed moves in the hint. Only the payment provider makes an
    /// order paid.
    #[oai(path = "/admin/orders/:id/status", method = "post", operation_id = "adminSetOrderStatus")]
    async fn set_status(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<StatusRequest>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<OrderDto>> {
        let order = state.app.orders.set_status(&auth.0, OrderId(id.0), body.0.status.into(), body.0.reason).await?;
        Ok(Json(OrderDto::new(&order, language(accept_language.0.as_deref()))))
    }
}
