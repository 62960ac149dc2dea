//! `/api/cart`: the caller's cart, a quote of it with delivery, promo code and coupons, and checkout.
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::delivery::DeliverySlotId;
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Invalid, Language};
use sabil_core::services::orders::{CartView, CheckoutInput, DeliveryChoice, QuoteInput};
use serde::Deserialize;

use super::ApiTags;
use super::catalog_dto::language;
use super::orders_dto::{CartDto, CouponUseDto, DeliveryDto, OrderDto, PaymentMethodDto, QuoteDto, coupon_uses, parse_date};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

/// A product and how many packs of it.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CartItemRequest {
    pub product_id: uuid::Uuid,
    /// Packs, within the product's minQuantity..maxQuantity.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub quantity: u32,
}

/// A new quantity for a cart line.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuantityRequest {
    /// Packs, within the product's minQuantity..maxQuantity.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub quantity: u32,
}

/// What to price the cart with.
#[derive(Debug, Object, Deserialize, Default)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteRequest {
    /// Where it would go (its area's delivery fee and minimum order apply).
    pub delivery: Option<DeliveryDto>,
    /// A promo code to try.
    #[oai(validator(max_length = 64))]
    pub promo_code: Option<String>,
    /// Packs to pay with wallet coupons.
    #[serde(default)]
    #[oai(default, validator(max_items = 50))]
    pub coupons: Vec<CouponUseDto>,
}

/// Checking out the cart.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckoutRequest {
    /// Where it goes: one of the caller's addresses, or a mosque (a donation).
    pub delivery: DeliveryDto,
    /// A slot of the delivery area (GET /api/delivery-slots?areaId=..).
    pub slot_id: uuid::Uuid,
    /// The delivery date, `YYYY-MM-DD` in the business time zone.
    #[oai(validator(max_length = 10))]
    pub date: String,
    /// `card` or `knet` (online, through the payment provider) or `cash` (where enabled). When coupons cover
    /// everything the order needs no payment whatever is chosen.
    pub payment_method: PaymentMethodDto,
    #[oai(validator(max_length = 64))]
    pub promo_code: Option<String>,
    /// Packs to pay with wallet coupons.
    #[serde(default)]
    #[oai(default, validator(max_items = 50))]
    pub coupons: Vec<CouponUseDto>,
    /// For the driver, up to 500 characters.
    #[oai(validator(max_length = 500))]
    pub comment: Option<String>,
}

impl CheckoutRequest {
    fn parse(&self) -> Result<CheckoutInput, Invalid> {
        let mut problems = Problems::new();
        let delivery = problems.keep(self.delivery.parse("delivery"));
        let date = parse_date("date", &self.date, &mut problems);
        problems.finish()?;
        match (delivery, date) {
            (Some(delivery), Some(date)) => Ok(CheckoutInput {
                delivery,
                slot_id: DeliverySlotId(self.slot_id),
                date,
                payment_method: self.payment_method.into(),
                promo_code: self.promo_code.clone(),
                coupons: coupon_uses(&self.coupons),
                comment: self.comment.clone(),
            }),
            _ => Err(Invalid::field("delivery", "is invalid", "Check the request.")),
        }
    }
}

/// The checkout's answer.
#[derive(ApiResponse)]
pub enum CheckoutResponse {
    /// The order was placed.
    #[oai(status = 201)]
    Placed(Json<OrderDto>, #[oai(header = "Location")] String),
    /// This idempotency key placed this order before; nothing new was stored.
    #[oai(status = 200)]
    Replayed(Json<OrderDto>, #[oai(header = "Idempotent-Replayed")] String),
}

/// The `/api/cart` operations.
#[derive(Default)]
pub struct CartApi;

fn view(cart: &CartView, lang: Language) -> Json<CartDto> {
    Json(CartDto::new(cart, lang))
}

#[OpenApi(tag = "ApiTags::Orders")]
impl CartApi {
    /// Get the caller's cart, priced
    ///
    /// With `addressId` or `mosqueId`, the delivery area's fee and minimum order are included
    /// (`quote.belowMinimum` says how much is missing). Products no longer on sale are left out of the
    /// prices. Customers only.
    #[oai(path = "/cart", method = "get", operation_id = "getCart")]
    async fn get_cart(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// One of the caller's addresses.
        #[oai(name = "addressId")]
        address_id: Query<Option<uuid::Uuid>>,
        /// A mosque, for a donation.
        #[oai(name = "mosqueId")]
        mosque_id: Query<Option<uuid::Uuid>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<CartDto>> {
        let delivery = match (address_id.0, mosque_id.0) {
            (None, None) => None,
            (a, m) => Some(DeliveryDto { address_id: a, mosque_id: m, dedication: None }.parse("addressId")?),
        };
        let cart = state.app.orders.cart(&auth.0, delivery).await?;
        Ok(view(&cart, language(accept_language.0.as_deref())))
    }

    /// Add a product to the cart
    ///
    /// Sets the line's quantity when the product is already in the cart.
    #[oai(path = "/cart/items", method = "post", operation_id = "addToCart")]
    async fn add_to_cart(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CartItemRequest>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<CartDto>> {
        let cart = state.app.orders.put_in_cart(&auth.0, ProductId(body.0.product_id), body.0.quantity).await?;
        Ok(view(&cart, language(accept_language.0.as_deref())))
    }

    /// Change a cart line's quantity
    #[oai(path = "/cart/items/:product_id", method = "put", operation_id = "setCartQuantity")]
    async fn set_quantity(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        product_id: Path<uuid::Uuid>,
        body: JsonBody<QuantityRequest>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<CartDto>> {
        let cart = state.app.orders.put_in_cart(&auth.0, ProductId(product_id.0), body.0.quantity).await?;
        Ok(view(&cart, language(accept_language.0.as_deref())))
    }

    /// Remove a product from the cart
    #[oai(path = "/cart/items/:product_id", method = "delete", operation_id = "removeFromCart")]
    async fn remove_from_cart(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        product_id: Path<uuid::Uuid>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<CartDto>> {
        let cart = state.app.orders.remove_from_cart(&auth.0, ProductId(product_id.0)).await?;
        Ok(view(&cart, language(accept_language.0.as_deref())))
    }

    /// Empty the cart
    #[oai(path = "/cart", method = "delete", operation_id = "clearCart")]
    async fn clear_cart(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<CartDto>> {
        let cart = state.app.orders.clear_cart(&auth.0).await?;
        Ok(view(&cart, language(accept_language.0.as_deref())))
    }

    /// Price the cart for checkout
    ///
    /// The full breakdown (promotions, promo code, coupons, delivery fee, tax) for a delivery choice;
    /// nothing is stored. A promo code that does not apply is refused with the reason.
    #[oai(path = "/cart/quote", method = "post", operation_id = "quoteCart")]
    async fn quote(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<QuoteRequest>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<QuoteDto>> {
        let lang = language(accept_language.0.as_deref());
        let delivery: Option<DeliveryChoice> = body.0.delivery.as_ref().map(|d| d.parse("delivery")).transpose()?;
        let input = QuoteInput { delivery, promo_code: body.0.promo_code.clone(), coupons: coupon_uses(&body.0.coupons) };
        let priced = state.app.orders.quote(&auth.0, &input).await?;
        Ok(Json(CartDto::new(&priced, lang).quote))
    }

    /// Check out the cart
    ///
    /// Places the order in one step: prices, slot place, coupons and promo code are all taken or none.
    /// Requires an `Idempotency-Key` header (a fresh UUID per checkout): sending the same key with the same
    /// body again (after a timeout, say) answers 200 with the order already placed and places nothing new;
    /// the same key with a different body is refused with 422. Card and KNET orders wait in
    /// `pending_payment` until the payment provider confirms (start with POST /api/orders/{id}/payments);
    /// cash orders start `confirmed`, orders fully paid by coupons start `paid`.
    #[oai(path = "/cart/checkout", method = "post", operation_id = "checkout")]
    async fn checkout(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// A unique key per checkout, reused only to retry the same checkout.
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<String>,
        body: JsonBody<CheckoutRequest>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<CheckoutResponse> {
        let input = body.0.parse()?;
        let placed = state.app.orders.checkout(&auth.0, &idempotency_key.0, &input).await?;
        let dto = Json(OrderDto::new(&placed.order, language(accept_language.0.as_deref())));
        if placed.replayed {
            Ok(CheckoutResponse::Replayed(dto, "true".into()))
        } else {
            Ok(CheckoutResponse::Placed(dto, format!("/api/orders/{}", placed.order.id.0)))
        }
    }
}
