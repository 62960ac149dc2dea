//! `/api/admin/promo-codes`: admins create, list, read and change promo codes (deactivating is a
//! change of `active`). Customers use a code at checkout by typing it.
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::orders::{PromoCode, PromoCodeId, PromoDiscount};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Currency, Invalid, Money, PageRequest, Role};
use sabil_core::services::{PromoCodeChanges, PromoCodeDraft};
use serde::Deserialize;
use time::OffsetDateTime;

use super::ApiTags;
use super::catalog_dto::MoneyDto;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::context::ctx;
use crate::error::ApiResult;
use crate::state::AppState;

/// How a promo code lowers the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PromoDiscountKindDto {
    /// A share of the eligible goods (`percentBasisPoints`).
    Percent,
    /// A fixed amount off, never more than the eligible goods (`amountMinor`).
    Fixed,
}

/// A promo code as an admin creates it.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PromoCodeInput {
    /// 3 to 32 letters, digits, `_` or `-`; stored upper-case (customers type it in any case).
    #[oai(validator(max_length = 64))]
    pub code: String,
    /// What the code gives, at most 200 characters.
    #[serde(default)]
    #[oai(validator(max_length = 200))]
    pub description: Option<String>,
    /// `percent` or `fixed`; decides which of `percentBasisPoints` and `amountMinor` is given.
    pub discount_kind: PromoDiscountKindDto,
    /// For `percent`: 1 to 10000 basis points (1000 = 10 %).
    pub percent_basis_points: Option<u32>,
    /// For `fixed`: the amount off in minor units (fils), above zero.
    pub amount_minor: Option<i64>,
    /// The currency of `amountMinor` and `minOrderMinor`: the business's (`KWD` or `AED`).
    #[oai(validator(max_length = 3))]
    pub currency: String,
    /// The goods (after promotions) must reach this, in minor units; default 0.
    pub min_order_minor: Option<i64>,
    /// First instant it applies (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// First instant it no longer applies (RFC 3339), after `validFrom`.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    /// Most orders that may use it in all (at least 1); leave out for no cap.
    pub max_uses: Option<u32>,
    /// Most orders one customer may use it on (at least 1); leave out for no cap.
    pub max_uses_per_customer: Option<u32>,
    /// Only these products are discounted; leave out or empty for every product.
    #[serde(default)]
    pub product_ids: Option<Vec<uuid::Uuid>>,
    /// Whether customers can use it; default true.
    pub active: Option<bool>,
}

/// Changes to a promo code; absent fields stay as they are.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PromoCodePatch {
    /// 3 to 32 letters, digits, `_` or `-`; stored upper-case.
    #[oai(validator(max_length = 64))]
    pub code: Option<String>,
    /// At most 200 characters.
    #[oai(validator(max_length = 200))]
    pub description: Option<String>,
    /// Changes the discount; give it with `percentBasisPoints` or `amountMinor`.
    pub discount_kind: Option<PromoDiscountKindDto>,
    /// For `percent`: 1 to 10000 basis points.
    pub percent_basis_points: Option<u32>,
    /// For `fixed`: the amount off in minor units, above zero.
    pub amount_minor: Option<i64>,
    /// The currency of the amounts in this request (the business's); default the business's.
    #[oai(validator(max_length = 3))]
    pub currency: Option<String>,
    /// The goods (after promotions) must reach this, in minor units.
    pub min_order_minor: Option<i64>,
    /// First instant it applies (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub valid_from: Option<OffsetDateTime>,
    /// First instant it no longer applies (RFC 3339), after `validFrom`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub valid_until: Option<OffsetDateTime>,
    /// At least 1; `null` removes the cap.
    #[serde(default)]
    pub max_uses: MaybeUndefined<u32>,
    /// At least 1; `null` removes the cap.
    #[serde(default)]
    pub max_uses_per_customer: MaybeUndefined<u32>,
    /// Replaces the product restriction; empty for every product.
    pub product_ids: Option<Vec<uuid::Uuid>>,
    /// `false` deactivates the code.
    pub active: Option<bool>,
}

/// A promo code as stored.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PromoCodeDto {
    pub id: uuid::Uuid,
    /// Upper-case; customers type it in any case.
    pub code: String,
    /// What the code gives.
    pub description: String,
    /// `percent` or `fixed`.
    pub discount_kind: PromoDiscountKindDto,
    /// For `percent`: basis points (1000 = 10 %).
    pub percent_basis_points: Option<u32>,
    /// For `fixed`: the amount off.
    pub amount: Option<MoneyDto>,
    /// The goods (after promotions) must reach this.
    pub min_order: MoneyDto,
    /// First instant it applies.
    pub valid_from: OffsetDateTime,
    /// First instant it no longer applies.
    pub valid_until: OffsetDateTime,
    /// Most orders that may use it in all; null for no cap.
    pub max_uses: Option<u32>,
    /// Most orders one customer may use it on; null for no cap.
    pub max_uses_per_customer: Option<u32>,
    /// Only these products are discounted; empty for every product.
    pub product_ids: Vec<uuid::Uuid>,
    /// Placed orders using it that were not cancelled or refunded.
    pub uses: u32,
    /// Whether customers can use it.
    pub active: bool,
}

impl From<PromoCode> for PromoCodeDto {
    fn from(c: PromoCode) -> Self {
        let (discount_kind, percent_basis_points, amount) = match c.discount {
            PromoDiscount::Percent { basis_points } => (PromoDiscountKindDto::Percent, Some(basis_points), None),
            PromoDiscount::Fixed(money) => (PromoDiscountKindDto::Fixed, None, Some(money.into())),
        };
        Self {
            id: c.id.0,
            code: c.code,
            description: c.description,
            discount_kind,
            percent_basis_points,
            amount,
            min_order: c.min_order.into(),
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            max_uses: c.max_uses,
            max_uses_per_customer: c.max_uses_per_customer,
            product_ids: c.product_ids.into_iter().map(|p| p.0).collect(),
            uses: c.uses,
            active: c.active,
        }
    }
}

/// One page of promo codes, newest first.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PromoCodePage {
    /// Up to `limit` codes.
    pub items: Vec<PromoCodeDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// 201 with the new promo code.
#[derive(ApiResponse)]
pub enum PromoCodeCreated {
    /// Stored; `Location` is the new code's URL.
    #[oai(status = 201)]
    Created(Json<PromoCodeDto>, #[oai(header = "Location")] String),
}

/// The discount from its kind and the value the kind needs (the other kind's value must be absent).
fn discount(
    p: &mut Problems,
    kind: PromoDiscountKindDto,
    basis_points: Option<u32>,
    amount_minor: Option<i64>,
    currency: Currency,
) -> Option<PromoDiscount> {
    let (needed, unwanted, unwanted_given, label) = match kind {
        PromoDiscountKindDto::Percent => ("percentBasisPoints", "amountMinor", amount_minor.is_some(), "percent"),
        PromoDiscountKindDto::Fixed => ("amountMinor", "percentBasisPoints", basis_points.is_some(), "fixed"),
    };
    if unwanted_given {
        p.add(unwanted, format!("is not used with a {label} discount"), format!("Leave {unwanted} out."));
    }
    let discount = match kind {
        PromoDiscountKindDto::Percent => basis_points.map(|basis_points| PromoDiscount::Percent { basis_points }),
        PromoDiscountKindDto::Fixed => amount_minor.map(|minor| PromoDiscount::Fixed(Money::new(minor, currency))),
    };
    if discount.is_none() {
        p.add(needed, "is required for this discountKind", format!("Give {needed}."));
    }
    discount
}

impl PromoCodeInput {
    fn parse(self) -> Result<PromoCodeDraft, Invalid> {
        let mut p = Problems::new();
        let currency = p.keep(Currency::parse(&self.currency));
        let discount = currency.and_then(|c| discount(&mut p, self.discount_kind, self.percent_basis_points, self.amount_minor, c));
        p.finish()?;
        let (Some(currency), Some(discount)) = (currency, discount) else { return Err(unreadable()) };
        Ok(PromoCodeDraft {
            code: self.code,
            description: self.description.unwrap_or_default(),
            discount,
            min_order: Money::new(self.min_order_minor.unwrap_or(0), currency),
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            max_uses: self.max_uses,
            max_uses_per_customer: self.max_uses_per_customer,
            product_ids: self.product_ids.unwrap_or_default().into_iter().map(ProductId).collect(),
            active: self.active.unwrap_or(true),
        })
    }
}

fn maybe(v: MaybeUndefined<u32>) -> Option<Option<u32>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

impl PromoCodePatch {
    fn parse(self, business: Currency) -> Result<PromoCodeChanges, Invalid> {
        let mut p = Problems::new();
        let currency = match &self.currency {
            Some(code) => p.keep(Currency::parse(code)),
            None => Some(business),
        };
        if currency.is_some_and(|c| c != business) {
            let code = business.code();
            p.add("currency", format!("is not {code}"), format!("Give amounts in {code}, the business's currency."));
        }
        let discount = match (self.discount_kind, currency) {
            (Some(kind), Some(c)) => discount(&mut p, kind, self.percent_basis_points, self.amount_minor, c),
            (None, _) if self.percent_basis_points.is_some() || self.amount_minor.is_some() => {
                p.add("discountKind", "is required to change the discount", "Give discountKind with its value.");
                None
            }
            _ => None,
        };
        p.finish()?;
        let currency = currency.ok_or_else(unreadable)?;
        Ok(PromoCodeChanges {
            code: self.code,
            description: self.description,
            discount,
            min_order: self.min_order_minor.map(|minor| Money::new(minor, currency)),
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            max_uses: maybe(self.max_uses),
            max_uses_per_customer: maybe(self.max_uses_per_customer),
            product_ids: self.product_ids.map(|ids| ids.into_iter().map(ProductId).collect()),
            active: self.active,
        })
    }
}

/// `Problems::finish` passed, so every parsed value is present; this only satisfies the compiler.
fn unreadable() -> Invalid {
    Invalid::field("body", "could not be read", "Check the request against /openapi.json.")
}

/// Managing promo codes.
#[derive(Default)]
pub struct AdminPromoCodesApi;

#[OpenApi(prefix_path = "/admin", tag = "ApiTags::Admin")]
impl AdminPromoCodesApi {
    /// Create a promo code
    ///
    /// Percent or fixed, with a minimum order, a validity window, caps on uses in all and per
    /// customer, and an optional product restriction; amounts in the business's currency. Audited.
    #[oai(path = "/promo-codes", method = "post", operation_id = "createPromoCode")]
    async fn create(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        body: JsonBody<PromoCodeInput>,
    ) -> ApiResult<PromoCodeCreated> {
        auth.require(&[Role::Admin])?;
        let code = state.app.promo_codes.create(&auth.0, body.0.parse()?, &ctx(req).meta()).await?;
        let location = format!("/api/admin/promo-codes/{}", code.id.0);
        Ok(PromoCodeCreated::Created(Json(code.into()), location))
    }

    /// List promo codes
    ///
    /// Newest first, inactive ones too, each with its live use count.
    #[oai(path = "/promo-codes", method = "get", operation_id = "listPromoCodes")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<PromoCodePage>> {
        auth.require(&[Role::Admin])?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let codes = state.app.promo_codes.list(&auth.0, page).await?;
        Ok(Json(PromoCodePage {
            items: codes.items.into_iter().map(Into::into).collect(),
            next_cursor: codes.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// One promo code
    #[oai(path = "/promo-codes/:id", method = "get", operation_id = "getPromoCode")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<PromoCodeDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.promo_codes.get(&auth.0, PromoCodeId(id.0)).await?.into()))
    }

    /// Change a promo code
    ///
    /// Only the fields sent change (deactivate with `active: false`); its use count stays. The
    /// changed code must meet every rule of a new one. Audited.
    #[oai(path = "/promo-codes/:id", method = "patch", operation_id = "updatePromoCode")]
    async fn update(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<PromoCodePatch>,
    ) -> ApiResult<Json<PromoCodeDto>> {
        auth.require(&[Role::Admin])?;
        let service = &state.app.promo_codes;
        let changes = body.0.parse(service.currency())?;
        Ok(Json(service.update(&auth.0, PromoCodeId(id.0), changes, &ctx(req).meta()).await?.into()))
    }
}
