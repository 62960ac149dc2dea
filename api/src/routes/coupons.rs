//! The coupon wallet: `GET /api/coupons/wallet` for customers, `POST /api/admin/coupons` for admins
//! giving a customer coupons. Coupons are spent and given back by the checkout and cancellations.
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::orders::{CouponBalance, CouponEntryKind};
use sabil_core::domain::{Language, PageRequest, Role, UserId};
use sabil_core::services::CouponGrant;
use sabil_core::services::coupons::{COUPON_NOTE_MAX_CHARS, MAX_COUPONS_PER_ISSUE, WalletBalance, WalletEntry};
use serde::Deserialize;
use time::OffsetDateTime;

use super::ApiTags;
use super::catalog_dto::language;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::context::ctx;
use crate::error::ApiResult;
use crate::state::AppState;

/// What a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CouponEntryKindDto {
    /// Coupons given (positive).
    Issued,
    /// Coupons spent on an order (negative).
    Redeemed,
    /// Coupons given back when their order was cancelled (positive).
    Restored,
    /// Unused coupons of a batch that passed its expiry (negative).
    Expired,
}

impl From<CouponEntryKind> for CouponEntryKindDto {
    fn from(k: CouponEntryKind) -> Self {
        match k {
            CouponEntryKind::Issued => Self::Issued,
            CouponEntryKind::Redeemed => Self::Redeemed,
            CouponEntryKind::Restored => Self::Restored,
            CouponEntryKind::Expired => Self::Expired,
        }
    }
}

/// How many coupons of one product the customer holds.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CouponBalanceDto {
    /// The product each coupon pays one pack of.
    pub product_id: uuid::Uuid,
    /// The product's title in the language asked for; null when the product is gone.
    pub product_title: Option<String>,
    /// Coupons that can be spent now, each paying one pack of the product.
    pub available: u32,
    /// When the next of them expire; null when none expires.
    pub next_expiry: Option<OffsetDateTime>,
}

impl CouponBalanceDto {
    fn shown(b: WalletBalance, lang: Language) -> Self {
        let CouponBalance { product_id, available, next_expiry } = b.balance;
        Self { product_id: product_id.0, product_title: b.product_title.map(|t| t.get(lang).to_owned()), available, next_expiry }
    }
}

/// One entry of the wallet's history.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CouponEntryDto {
    /// What happened.
    pub kind: CouponEntryKindDto,
    /// Coupons added (positive) or taken (negative).
    pub delta: i32,
    /// The product the coupons pay for.
    pub product_id: uuid::Uuid,
    /// The product's title in the language asked for; null when the product is gone.
    pub product_title: Option<String>,
    /// The order that spent or gave back the coupons.
    pub order_id: Option<uuid::Uuid>,
    /// When it happened.
    pub at: OffsetDateTime,
}

impl CouponEntryDto {
    fn shown(e: WalletEntry, lang: Language) -> Self {
        Self {
            kind: e.entry.kind.into(),
            delta: e.entry.delta,
            product_id: e.entry.product_id.0,
            product_title: e.product_title.map(|t| t.get(lang).to_owned()),
            order_id: e.entry.order_id.map(|o| o.0),
            at: e.entry.at,
        }
    }
}

/// One page of the wallet's history, newest first.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CouponHistoryPage {
    /// Up to `limit` entries.
    pub items: Vec<CouponEntryDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The customer's coupon wallet.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct WalletDto {
    /// Every product with coupons left, by product id.
    pub balances: Vec<CouponBalanceDto>,
    /// The page of history asked for.
    pub history: CouponHistoryPage,
}

/// Coupons an admin gives a customer.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueCouponsInput {
    /// The customer's account (GET /api/admin/users).
    pub customer_id: uuid::Uuid,
    /// The product each coupon pays one pack of (GET /api/admin/products).
    pub product_id: uuid::Uuid,
    /// 1 to 1000.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub count: u32,
    /// When unused coupons expire (RFC 3339, in the future); leave out for never.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Why, for other admins; at most 500 characters.
    #[oai(validator(max_length = 500))]
    pub note: Option<String>,
}

/// What an issue did.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct IssuedCouponsDto {
    /// The new batch.
    pub batch_id: uuid::Uuid,
    /// The customer's balance of the product after the issue.
    pub balance: CouponBalanceDto,
}

/// 201 with the new batch.
#[derive(ApiResponse)]
pub enum CouponsIssued {
    /// Issued.
    #[oai(status = 201)]
    Created(Json<IssuedCouponsDto>),
}

/// The customer's wallet.
#[derive(Default)]
pub struct CouponsApi;

#[OpenApi(prefix_path = "/coupons", tag = "ApiTags::Wallet")]
impl CouponsApi {
    /// The caller's coupon wallet
    ///
    /// Balances per product (coupons whose batch has expired are not counted) and the history of
    /// coupons issued, spent on orders, given back and expired, newest first. Customers only.
    #[oai(path = "/wallet", method = "get", operation_id = "getCouponWallet")]
    async fn wallet(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        /// History entries per page, 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `history.nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<WalletDto>> {
        auth.require(&[Role::Customer])?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let wallet = state.app.coupons.wallet(&auth.0, page).await?;
        let lang = language(accept_language.0.as_deref());
        Ok(Json(WalletDto {
            balances: wallet.balances.into_iter().map(|b| CouponBalanceDto::shown(b, lang)).collect(),
            history: CouponHistoryPage {
                items: wallet.history.items.into_iter().map(|e| CouponEntryDto::shown(e, lang)).collect(),
                next_cursor: wallet.history.next_cursor.map(|c| c.to_string()),
            },
        }))
    }
}

/// Giving customers coupons.
#[derive(Default)]
pub struct AdminCouponsApi;

#[OpenApi(prefix_path = "/admin", tag = "ApiTags::Admin")]
impl AdminCouponsApi {
    /// Give a customer coupons
    ///
    /// One batch of 1 to 1000 coupons of one product, optionally expiring; audited with the acting
    /// admin. Answers the customer's new balance of the product.
    #[oai(path = "/coupons", method = "post", operation_id = "issueCoupons")]
    async fn issue(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        body: JsonBody<IssueCouponsInput>,
    ) -> ApiResult<CouponsIssued> {
        auth.require(&[Role::Admin])?;
        let b = body.0;
        let grant = CouponGrant {
            customer_id: UserId(b.customer_id),
            product_id: ProductId(b.product_id),
            count: b.count,
            expires_at: b.expires_at,
            note: b.note,
        };
        let issued = state.app.coupons.issue(&auth.0, grant, &ctx(req).meta()).await?;
        let lang = language(accept_language.0.as_deref());
        let dto = IssuedCouponsDto { batch_id: issued.batch_id.0, balance: CouponBalanceDto::shown(issued.balance, lang) };
        Ok(CouponsIssued::Created(Json(dto)))
    }
}

// The documented limits are the service's.
const _: () = assert!(MAX_COUPONS_PER_ISSUE == 1000 && COUPON_NOTE_MAX_CHARS == 500);
