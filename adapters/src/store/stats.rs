//! The dashboard's aggregates in SQL: four `GROUP BY` statements, run at once on separate connections.
//! One pass over the range's orders groups them by business day, status and area and regroups that
//! small result twice (per day and status, per area and status); the lines of revenue orders are summed
//! per product; verified customers per day; ratings. Only grouped rows reach Rust (a few thousand for a
//! year), never one row per order. The business day is the UTC time shifted by the business offset, with
//! each engine's date functions.
//!
//! The statements are not kept prepared (`persistent(false)`): PostgreSQL plans a kept statement once
//! for any range after a few runs, and that plan (a nested loop for a few hundred orders) took 0.6 s for
//! a year; planned with each call's range it picks a hash join for a year, a nested loop for a week.
use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use sabil_core::domain::LocalizedText;
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::delivery::DeliveryAreaId;
use sabil_core::domain::orders::OrderStatus;
use sabil_core::domain::stats::{AreaFigures, DayFigures, OrderAggregates, ProductFigures, REVENUE_STATUSES};
use sabil_core::error::RepoError;
use sabil_core::ports::StatsRepository;
use sqlx::AssertSqlSafe;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::store::catalog::corrupt;
use crate::store::{Db, DbTime, repo_error, with_db};

/// `status IN ('paid', ...)`: the revenue statuses as SQL (our own constants, no input).
fn revenue_status(column: &str) -> String {
    let names: Vec<String> = REVENUE_STATUSES.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("{column} IN ({})", names.join(", "))
}

/// The business-local date of `created_at`, shifted by the offset bound as `$3` (text such as
/// `+240 minutes`, which both engines read), and the same as `YYYY-MM-DD` text once grouped (on
/// PostgreSQL a `DATE` per row is cheaper than formatting every row).
fn local_day(db: &Db) -> (&'static str, &'static str) {
    match db {
        Db::Sqlite(_) => ("date(created_at, $3)", "day"),
        Db::Postgres(_) => ("CAST((created_at AT TIME ZONE 'UTC') + CAST($3 AS INTERVAL) AS DATE)", "to_char(day, 'YYYY-MM-DD')"),
    }
}

fn day(text: &str) -> Result<Date, RepoError> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| corrupt("business day", text))
}

/// (day or `None`, area or `None`, status, orders, sum of `amount_to_pay`): one of the two groupings.
/// From this range on, the products statement merges the order and line indexes instead of hashing.
const MERGE_JOIN_AFTER: time::Duration = time::Duration::days(120);

type OrderGroupRow = (Option<String>, Option<Uuid>, String, i64, i64);
/// (product, packs, revenue, Arabic title, English title).
type ProductRow = (Uuid, i64, i64, Option<String>, Option<String>);

/// Dashboard aggregates in SQL.
#[derive(Clone, Debug)]
pub struct SqlStatsRepository {
    db: Db,
}

impl SqlStatsRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Orders per (business day, status) and per (area, status), from one pass over the range: grouped by
    /// all three first (at most days × statuses × areas rows, kept by the database), then regrouped.
    async fn order_groups(&self, from: DbTime, until: DbTime, shift: &str) -> Result<Vec<OrderGroupRow>, RepoError> {
        let (day, text) = local_day(&self.db);
        let sql = format!(
            "WITH g AS MATERIALIZED (SELECT day, status, area_id, COUNT(*) AS n, SUM(amount_to_pay) AS amount \
             FROM (SELECT {day} AS day, status, area_id, amount_to_pay FROM orders WHERE created_at >= $1 AND created_at < $2) o \
             GROUP BY day, status, area_id) \
             SELECT {text}, NULL, status, CAST(SUM(n) AS BIGINT), CAST(SUM(amount) AS BIGINT) FROM g GROUP BY day, status \
             UNION ALL SELECT NULL, area_id, status, CAST(SUM(n) AS BIGINT), CAST(SUM(amount) AS BIGINT) FROM g GROUP BY area_id, status"
        );
        with_db!(&self.db, pool, E => sqlx::query_as::<E, OrderGroupRow>(AssertSqlSafe(sql))
            .bind(from).bind(until).bind(shift).persistent(false).fetch_all(pool).await)
        .map_err(repo_error)
    }

    /// Customers registered (and verified) per business day.
    async fn new_customers(&self, from: DbTime, until: DbTime, shift: &str) -> Result<Vec<(String, i64)>, RepoError> {
        let (day, text) = local_day(&self.db);
        let sql = format!(
            "SELECT {text}, COUNT(*) FROM (SELECT {day} AS day FROM users WHERE role = 'customer' AND verified_at IS NOT NULL \
             AND created_at >= $1 AND created_at < $2) u GROUP BY day"
        );
        with_db!(&self.db, pool, E => sqlx::query_as::<E, (String, i64)>(AssertSqlSafe(sql))
            .bind(from).bind(until).bind(shift).persistent(false).fetch_all(pool).await)
        .map_err(repo_error)
    }

    /// The top products of revenue orders; each title from the line of the latest such order (by time,
    /// then id) that has the product, found by the orders' time index.
    async fn top_products(&self, from: DbTime, until: DbTime, top: u32) -> Result<Vec<ProductRow>, RepoError> {
        let revenue = revenue_status("o.status");
        let latest_title = |column: &str| {
            format!(
                "(SELECT l2.{column} FROM orders o2 JOIN order_lines l2 ON l2.order_id = o2.id \
                 WHERE o2.created_at = s.latest AND l2.product_id = s.product_id AND {} ORDER BY o2.id DESC, l2.line_no LIMIT 1)",
                revenue_status("o2.status")
            )
        };
        let sql = format!(
            "WITH sold AS (SELECT l.product_id AS product_id, CAST(SUM(l.quantity) AS BIGINT) AS packs, \
             CAST(SUM(l.line_total) AS BIGINT) AS revenue, MAX(o.created_at) AS latest \
             FROM orders o JOIN order_lines l ON l.order_id = o.id \
             WHERE o.created_at >= $1 AND o.created_at < $2 AND {revenue} GROUP BY l.product_id \
             ORDER BY packs DESC, revenue DESC, product_id LIMIT $3) \
             SELECT s.product_id, s.packs, s.revenue, {}, {} FROM sold s ORDER BY s.packs DESC, s.revenue DESC, s.product_id",
            latest_title("title_ar"),
            latest_title("title_en")
        );
        match &self.db {
            // Over a long range nearly every order and line is read. PostgreSQL then picks a (parallel) hash
            // join that costs about three times the CPU of merging the two covering indexes in id order
            // (0015 and 0014), and the statement shares two cores with the other three. Measured on 100,000
            // orders: 227 ms hash vs 127 ms merge on one core. Short ranges keep the planner's choice.
            Db::Postgres(pool) if until.0 - from.0 > MERGE_JOIN_AFTER => {
                let mut tx = pool.begin().await.map_err(repo_error)?;
                sqlx::query("SET LOCAL enable_hashjoin = off").execute(&mut *tx).await.map_err(repo_error)?;
                let rows = sqlx::query_as::<sqlx::Postgres, ProductRow>(AssertSqlSafe(sql))
                    .bind(from)
                    .bind(until)
                    .bind(i64::from(top))
                    .persistent(false)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                tx.commit().await.map_err(repo_error)?;
                Ok(rows)
            }
            _ => with_db!(&self.db, pool, E => sqlx::query_as::<E, ProductRow>(AssertSqlSafe(sql))
                .bind(from).bind(until).bind(i64::from(top)).persistent(false).fetch_all(pool).await)
            .map_err(repo_error),
        }
    }

    async fn ratings(&self, from: DbTime, until: DbTime) -> Result<(i64, Option<f64>), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query_as::<E, (i64, Option<f64>)>(
            "SELECT COUNT(*), CAST(AVG(score) AS DOUBLE PRECISION) FROM service_ratings WHERE created_at >= $1 AND created_at < $2",
        )
        .bind(from).bind(until).persistent(false).fetch_one(pool).await)
        .map_err(repo_error)
    }
}

#[async_trait]
impl StatsRepository for SqlStatsRepository {
    async fn aggregates(
        &self,
        from: OffsetDateTime,
        until: OffsetDateTime,
        offset: UtcOffset,
        top: u32,
    ) -> Result<OrderAggregates, RepoError> {
        let (from, until) = (DbTime(from), DbTime(until));
        let shift = format!("{:+} minutes", offset.whole_minutes());
        // Independent statements on separate connections: the call takes as long as the slowest one.
        let (order_rows, customer_rows, product_rows, (ratings, average_rating)) = tokio::try_join!(
            self.order_groups(from, until, &shift),
            self.new_customers(from, until, &shift),
            self.top_products(from, until, top),
            self.ratings(from, until),
        )?;
        let mut days: BTreeMap<Date, DayFigures> = BTreeMap::new();
        let mut statuses: BTreeMap<&'static str, (OrderStatus, i64)> = BTreeMap::new();
        let mut areas: HashMap<Uuid, (i64, i64)> = HashMap::new();
        for (date, area, status, orders, amount) in order_rows {
            let status = OrderStatus::parse(&status).ok_or_else(|| corrupt("order status", &status))?;
            let revenue = if REVENUE_STATUSES.contains(&status) { (orders, amount) } else { (0, 0) };
            match (date, area) {
                (Some(date), None) => {
                    let date = day(&date)?;
                    let figures = days.entry(date).or_insert_with(|| empty_day(date));
                    figures.orders += orders;
                    figures.revenue_orders += revenue.0;
                    figures.revenue += revenue.1;
                    statuses.entry(status.as_str()).or_insert((status, 0)).1 += orders;
                }
                (None, Some(area)) => {
                    let figures = areas.entry(area).or_default();
                    figures.0 += orders;
                    figures.1 += revenue.1;
                }
                _ => return Err(RepoError::Internal("an order group with neither a day nor an area".into())),
            }
        }
        for (date, customers) in customer_rows {
            let date = day(&date)?;
            days.entry(date).or_insert_with(|| empty_day(date)).new_customers += customers;
        }
        let mut by_area: Vec<AreaFigures> = areas
            .into_iter()
            .map(|(id, (orders, revenue))| AreaFigures { area_id: DeliveryAreaId(id), name: no_name(), orders, revenue })
            .collect();
        by_area.sort_by_key(|a| (std::cmp::Reverse(a.orders), a.area_id));
        let top_products = product_rows
            .into_iter()
            .map(|(id, packs, revenue, ar, en)| ProductFigures {
                product_id: ProductId(id),
                title: LocalizedText { ar: ar.unwrap_or_default(), en: en.unwrap_or_default() },
                packs,
                revenue,
            })
            .collect();
        Ok(OrderAggregates {
            days: days.into_values().collect(),
            by_status: statuses.into_values().collect(),
            by_area,
            top_products,
            ratings,
            average_rating,
        })
    }
}

fn empty_day(date: Date) -> DayFigures {
    DayFigures { date, orders: 0, revenue_orders: 0, revenue: 0, new_customers: 0 }
}

fn no_name() -> LocalizedText {
    LocalizedText { ar: String::new(), en: String::new() }
}
