//! Business figures over a range of business days: what the admin dashboard (`GET /api/admin/stats`)
//! and `sabil stats` show. Counted by the database (SQL aggregation), never by loading every order.
use time::Date;

use super::catalog::ProductId;
use super::delivery::DeliveryAreaId;
use super::orders::OrderStatus;
use super::{Currency, LocalizedText};

/// The most business days one report may cover (a year and a day, so a leap year fits).
pub const MAX_STATS_DAYS: i64 = 366;

/// How many products `top_products` lists.
pub const TOP_PRODUCTS: u32 = 10;

/// Orders in these statuses brought money in (or will, for cash on delivery): they count towards
/// revenue, the average basket and the products sold. Cancelled, refunded, unpaid and failed orders
/// count only in `orders` and `by_status`.
pub const REVENUE_STATUSES: [OrderStatus; 4] =
    [OrderStatus::Paid, OrderStatus::Confirmed, OrderStatus::OutForDelivery, OrderStatus::Delivered];

/// One business day's figures. Days come in order, every day of the range present (zero when quiet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFigures {
    /// The business-local date (orders are placed on the business day their creation time falls in).
    pub date: Date,
    /// Orders placed that day, whatever their status now.
    pub orders: i64,
    /// Of those, the ones in a revenue status.
    pub revenue_orders: i64,
    /// Sum of `amount_to_pay` over the revenue orders, in minor units.
    pub revenue: i64,
    /// Customer accounts created that day.
    pub new_customers: i64,
}

/// Orders and revenue of one delivery area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaFigures {
    pub area_id: DeliveryAreaId,
    /// The area's name now (empty when the area is gone).
    pub name: LocalizedText,
    /// Orders placed for this area in the range.
    pub orders: i64,
    /// Revenue of its revenue orders, in minor units.
    pub revenue: i64,
}

/// One product's sales: packs and money from the lines of revenue orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFigures {
    pub product_id: ProductId,
    /// The title the latest line in the range carried.
    pub title: LocalizedText,
    /// Packs sold (paid by money or coupons; free packs from promotions not counted).
    pub packs: i64,
    /// Sum of the lines' totals, in minor units.
    pub revenue: i64,
}

/// What the storage aggregates for a UTC half-open interval. Sparse: only days and groups with data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderAggregates {
    /// Per business-local day (sparse, any order).
    pub days: Vec<DayFigures>,
    /// Orders per status (statuses with none left out).
    pub by_status: Vec<(OrderStatus, i64)>,
    /// Per area, most orders first (names left empty: the service fills them).
    pub by_area: Vec<AreaFigures>,
    /// Top products by packs, then revenue, at most the `top` asked for.
    pub top_products: Vec<ProductFigures>,
    /// Service ratings given in the interval: how many and their mean (None when none).
    pub ratings: i64,
    pub average_rating: Option<f64>,
}

/// The SAP sync's health at the time of the report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncHealth {
    /// Our changes not yet confirmed by SAP.
    pub pending: i64,
    /// Changes in the dead-letter state (an operator must act).
    pub dead_letters: i64,
    /// Age in seconds of the oldest pending change.
    pub oldest_pending_seconds: Option<i64>,
    /// When the worker last pushed successfully (RFC 3339), if ever.
    pub last_push: Option<time::OffsetDateTime>,
    /// When the worker last pulled SAP's changes, if ever.
    pub last_pull: Option<time::OffsetDateTime>,
}

/// The dashboard for business days `from..=to`.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessStats {
    pub from: Date,
    pub to: Date,
    /// The currency of every money figure (the business's currency).
    pub currency: Currency,
    pub orders: i64,
    pub revenue_orders: i64,
    pub revenue: i64,
    /// `revenue / revenue_orders` rounded half up, 0 when none.
    pub average_basket: i64,
    pub new_customers: i64,
    /// Every day of the range in order.
    pub days: Vec<DayFigures>,
    pub by_status: Vec<(OrderStatus, i64)>,
    pub by_area: Vec<AreaFigures>,
    pub top_products: Vec<ProductFigures>,
    pub ratings: i64,
    pub average_rating: Option<f64>,
    pub sync: SyncHealth,
}
