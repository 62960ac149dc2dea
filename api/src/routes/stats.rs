//! `GET /api/admin/stats`: the business dashboard for a range of business days (role admin).
use poem::web::Data;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use sabil_core::domain::Role;
use sabil_core::domain::validation::Problems;

use super::ApiTags;
use super::catalog_dto::language;
use super::orders_dto::parse_date;
use super::stats_dto::StatsDto;
use crate::auth::BearerAuth;
use crate::error::ApiResult;
use crate::state::AppState;

/// The dashboard, never cached.
#[derive(ApiResponse)]
pub enum StatsResponse {
    /// The figures of the range.
    #[oai(status = 200)]
    Ok(
        Json<StatsDto>,
        /// `no-store`: the figures change with every order.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// The business dashboard, for admins.
#[derive(Default)]
pub struct AdminStatsApi;

#[OpenApi(prefix_path = "/admin", tag = "ApiTags::Admin")]
impl AdminStatsApi {
    /// Business statistics
    ///
    /// Figures for the business days `from` to `to` (`YYYY-MM-DD` in the business time zone,
    /// `SABIL_TIME_ZONE`, both included, at most 366 days; by default the 30 days ending today),
    /// counted by the database:
    ///
    /// - an order belongs to the business day it was placed on (its creation time in business time),
    ///   whatever its status now; `orders`, `byStatus` and `byArea.orders` count every order;
    /// - revenue is the sum of `amountToPay` (what the customer pays by card, KNET or cash, after
    ///   coupons) of the orders now in `paid`, `confirmed`, `out_for_delivery` or `delivered`
    ///   (`revenueOrders`); `averageBasket` is revenue / revenueOrders rounded half up;
    /// - `topProducts`: the ten products with the most packs (then revenue) in the lines of revenue
    ///   orders, free promotion packs not counted, revenue being the lines' totals;
    /// - `newCustomers`: customer accounts registered that day that confirmed their phone;
    /// - `ratings`: service ratings given in the range; `sync`: the SAP change queue now.
    ///
    /// Area names and product titles follow `Accept-Language` (`ar` → Arabic, English otherwise).
    /// `to` before `from` or a range over 366 days answers 422 naming the field.
    #[oai(path = "/stats", method = "get", operation_id = "adminGetStats")]
    async fn stats(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// First business day, `YYYY-MM-DD`; default: 29 days before `to`.
        #[oai(validator(max_length = 10))]
        from: Query<Option<String>>,
        /// Last business day (included), `YYYY-MM-DD`; default: today in business time.
        #[oai(validator(max_length = 10))]
        to: Query<Option<String>>,
        /// `ar` for Arabic names and titles, English otherwise.
        #[oai(name = "Accept-Language")]
        accept_language: Header<Option<String>>,
    ) -> ApiResult<StatsResponse> {
        auth.require(&[Role::Admin])?;
        let mut p = Problems::new();
        let from = from.0.as_deref().and_then(|f| parse_date("from", f, &mut p));
        let to = to.0.as_deref().and_then(|t| parse_date("to", t, &mut p));
        p.finish()?;
        let (from, to) = state.app.stats.range_or_default(from, to);
        let stats = state.app.stats.stats(&auth.0, from, to).await?;
        Ok(StatsResponse::Ok(Json(StatsDto::new(stats, language(accept_language.0.as_deref()))), "no-store".to_owned()))
    }
}
