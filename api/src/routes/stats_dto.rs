//! The JSON of the business dashboard (`GET /api/admin/stats`): totals, every day of the range, orders
//! per status and area, top products, ratings and the SAP sync's health. Money as `MoneyDto` in the
//! business currency; names and titles in the language of `Accept-Language`.
use poem_openapi::Object;
use sabil_core::domain::stats::{AreaFigures, BusinessStats, DayFigures, ProductFigures, SyncHealth};
use sabil_core::domain::{Currency, Language, Money};
use time::OffsetDateTime;

use super::catalog_dto::MoneyDto;
use super::orders_dto::OrderStatusDto;

/// The dashboard of a range of business days.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct StatsDto {
    /// First business day counted, `YYYY-MM-DD`.
    pub from: String,
    /// Last business day counted (included), `YYYY-MM-DD`.
    pub to: String,
    /// ISO 4217 code of every amount (the business's currency).
    pub currency: String,
    /// Orders placed in the range, whatever their status now.
    pub orders: i64,
    /// Of those, the ones in a revenue status (`paid`, `confirmed`, `out_for_delivery`, `delivered`).
    pub revenue_orders: i64,
    /// Sum of `amountToPay` of the revenue orders.
    pub revenue: MoneyDto,
    /// `revenue / revenueOrders` rounded half up; zero when there are none.
    pub average_basket: MoneyDto,
    /// Customer accounts registered in the range that confirmed their phone (admins not counted).
    pub new_customers: i64,
    /// Every day of the range, oldest first, zeros on quiet days.
    pub days: Vec<StatsDayDto>,
    /// Orders per status, by status name; statuses without orders are absent.
    pub by_status: Vec<StatusCountDto>,
    /// Orders and revenue per delivery area, most orders first.
    pub by_area: Vec<AreaStatsDto>,
    /// The ten products sold most (packs, then revenue), from the lines of revenue orders.
    pub top_products: Vec<ProductStatsDto>,
    /// Service ratings given in the range.
    pub ratings: RatingStatsDto,
    /// The SAP synchronisation now (not limited to the range).
    pub sync: SyncHealthDto,
}

/// One business day.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct StatsDayDto {
    /// The business-local date, `YYYY-MM-DD`.
    pub date: String,
    /// Orders placed that day.
    pub orders: i64,
    /// Of those, the ones in a revenue status.
    pub revenue_orders: i64,
    /// Sum of `amountToPay` of that day's revenue orders.
    pub revenue: MoneyDto,
    /// Customers registered that day.
    pub new_customers: i64,
}

/// How many orders of the range are in one status.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct StatusCountDto {
    /// The order status.
    pub status: OrderStatusDto,
    /// Orders in it.
    pub orders: i64,
}

/// One delivery area's orders.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AreaStatsDto {
    /// The delivery area.
    pub area_id: uuid::Uuid,
    /// Its name now, in the language asked for (empty when the area no longer exists).
    pub name: String,
    /// Orders placed for it in the range.
    pub orders: i64,
    /// Revenue of its revenue orders.
    pub revenue: MoneyDto,
}

/// One product's sales.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct ProductStatsDto {
    /// The product.
    pub product_id: uuid::Uuid,
    /// Its title as the latest order line in the range carried, in the language asked for.
    pub title: String,
    /// Packs sold (paid by money or coupons; free packs from promotions not counted).
    pub packs: i64,
    /// Sum of the lines' totals (after promotions, before the promo-code discount and tax).
    pub revenue: MoneyDto,
}

/// Ratings of delivered orders given in the range.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct RatingStatsDto {
    /// How many.
    pub count: i64,
    /// Mean score (1 to 5); absent when there are none.
    pub average: Option<f64>,
}

/// The SAP sync's health at the time of the request.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct SyncHealthDto {
    /// Our changes waiting for SAP (dead letters not included).
    pub pending: i64,
    /// Changes that failed for good and wait for an operator (`sabil sync dead-letters`).
    pub dead_letters: i64,
    /// Age in seconds of the oldest change SAP has not confirmed (a dead letter included); absent when none.
    pub oldest_pending_seconds: Option<i64>,
    /// When the worker last pushed changes to SAP; absent if never.
    pub last_push: Option<OffsetDateTime>,
    /// When the worker last pulled SAP's changes; absent if never.
    pub last_pull: Option<OffsetDateTime>,
}

impl StatsDto {
    /// The dashboard with names and titles in `lang`.
    #[must_use]
    pub fn new(s: BusinessStats, lang: Language) -> Self {
        let currency = s.currency;
        let money = |minor: i64| MoneyDto::from(Money::new(minor, currency));
        Self {
            from: s.from.to_string(),
            to: s.to.to_string(),
            currency: currency.code().to_owned(),
            orders: s.orders,
            revenue_orders: s.revenue_orders,
            revenue: money(s.revenue),
            average_basket: money(s.average_basket),
            new_customers: s.new_customers,
            days: s.days.iter().map(|d| StatsDayDto::new(d, currency)).collect(),
            by_status: s.by_status.into_iter().map(|(status, orders)| StatusCountDto { status: status.into(), orders }).collect(),
            by_area: s.by_area.iter().map(|a| AreaStatsDto::new(a, currency, lang)).collect(),
            top_products: s.top_products.iter().map(|p| ProductStatsDto::new(p, currency, lang)).collect(),
            ratings: RatingStatsDto { count: s.ratings, average: s.average_rating },
            sync: s.sync.into(),
        }
    }
}

impl StatsDayDto {
    fn new(d: &DayFigures, currency: Currency) -> Self {
        Self {
            date: d.date.to_string(),
            orders: d.orders,
            revenue_orders: d.revenue_orders,
            revenue: Money::new(d.revenue, currency).into(),
            new_customers: d.new_customers,
        }
    }
}

impl AreaStatsDto {
    fn new(a: &AreaFigures, currency: Currency, lang: Language) -> Self {
        Self { area_id: a.area_id.0, name: a.name.get(lang).to_owned(), orders: a.orders, revenue: Money::new(a.revenue, currency).into() }
    }
}

impl ProductStatsDto {
    fn new(p: &ProductFigures, currency: Currency, lang: Language) -> Self {
        Self {
            product_id: p.product_id.0,
            title: p.title.get(lang).to_owned(),
            packs: p.packs,
            revenue: Money::new(p.revenue, currency).into(),
        }
    }
}

impl From<SyncHealth> for SyncHealthDto {
    fn from(h: SyncHealth) -> Self {
        Self {
            pending: h.pending,
            dead_letters: h.dead_letters,
            oldest_pending_seconds: h.oldest_pending_seconds,
            last_push: h.last_push,
            last_pull: h.last_pull,
        }
    }
}
