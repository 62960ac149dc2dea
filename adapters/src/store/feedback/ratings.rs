//! The SQL store of ratings of delivered orders (one per order, by a unique key) and their aggregation:
//! counts and mean scores per area and per ISO week are computed by the database, the week start by
//! each engine's date functions.
use async_trait::async_trait;
use sabil_core::domain::UserId;
use sabil_core::domain::delivery::DeliveryAreaId;
use sabil_core::domain::feedback::{AreaRating, RatingAverage, RatingId, RatingSummary, Score, ServiceRating, WeekRating};
use sabil_core::domain::orders::OrderId;
use sabil_core::domain::{Page, PageRequest};
use sabil_core::error::RepoError;
use sabil_core::ports::{RatingQuery, RatingRepository};
use sqlx::AssertSqlSafe;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::store::catalog::corrupt;
use crate::store::users::page_of;
use crate::store::{Db, DbTime, repo_error, with_db};

const RATING_COLUMNS: &str = "id, order_id, user_id, area_id, score, comment, created_at";

/// The filter of every aggregate: ratings made in `[$1, $2)`.
const PERIOD: &str = "FROM service_ratings WHERE created_at >= $1 AND created_at < $2";

#[derive(sqlx::FromRow)]
struct RatingRow {
    id: Uuid,
    order_id: Uuid,
    user_id: Uuid,
    area_id: Uuid,
    score: i32,
    comment: Option<String>,
    created_at: DbTime,
}

impl TryFrom<RatingRow> for ServiceRating {
    type Error = RepoError;

    fn try_from(r: RatingRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: RatingId(r.id),
            order_id: OrderId(r.order_id),
            customer_id: UserId(r.user_id),
            area_id: DeliveryAreaId(r.area_id),
            score: Score::parse(i64::from(r.score)).map_err(|_| corrupt("rating score", &r.score.to_string()))?,
            comment: r.comment,
            created_at: r.created_at.0,
        })
    }
}

fn average(count: i64, mean: Option<f64>) -> RatingAverage {
    RatingAverage { count: u64::try_from(count).unwrap_or(0), average: mean }
}

fn week(text: &str) -> Result<Date, RepoError> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| corrupt("week start", text))
}

/// Ratings in SQL.
#[derive(Clone, Debug)]
pub struct SqlRatingRepository {
    db: Db,
}

impl SqlRatingRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// (week start as `YYYY-MM-DD`, count, mean) per week of business time, oldest first.
    async fn weeks(&self, from: DbTime, until: DbTime, offset: UtcOffset) -> Result<Vec<(String, i64, Option<f64>)>, RepoError> {
        let minutes = offset.whole_minutes();
        match &self.db {
            // Shifted to business time, forward to the week's Sunday (or staying on it), back six days.
            Db::Sqlite(pool) => {
                sqlx::query_as::<sqlx::Sqlite, (String, i64, Option<f64>)>(AssertSqlSafe(format!(
                    "SELECT date(created_at, $3, 'weekday 0', '-6 days') AS week, COUNT(*), CAST(AVG(score) AS DOUBLE PRECISION) \
                 {PERIOD} GROUP BY week ORDER BY week"
                )))
                .bind(from)
                .bind(until)
                .bind(format!("{minutes:+} minutes"))
                .fetch_all(pool)
                .await
            }
            Db::Postgres(pool) => sqlx::query_as::<sqlx::Postgres, (String, i64, Option<f64>)>(AssertSqlSafe(format!(
                "SELECT to_char(date_trunc('week', (created_at AT TIME ZONE 'UTC') + make_interval(mins => $3)), 'YYYY-MM-DD') AS week, \
                 COUNT(*), CAST(AVG(score) AS DOUBLE PRECISION) {PERIOD} GROUP BY week ORDER BY week"
            )))
            .bind(from)
            .bind(until)
            .bind(i32::from(minutes))
            .fetch_all(pool)
            .await,
        }
        .map_err(repo_error)
    }
}

#[async_trait]
impl RatingRepository for SqlRatingRepository {
    async fn create(&self, r: &ServiceRating) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO service_ratings (id, order_id, user_id, area_id, score, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(r.id.0).bind(r.order_id.0).bind(r.customer_id.0).bind(r.area_id.0).bind(i32::from(r.score.get())).bind(&r.comment)
        .bind(DbTime(r.created_at)).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn for_order(&self, order: OrderId) -> Result<Option<ServiceRating>, RepoError> {
        let sql = format!("SELECT {RATING_COLUMNS} FROM service_ratings WHERE order_id = $1");
        let row: Option<RatingRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, RatingRow>(AssertSqlSafe(sql))
            .bind(order.0).fetch_optional(pool).await)
        .map_err(repo_error)?;
        row.map(ServiceRating::try_from).transpose()
    }

    async fn list(&self, q: &RatingQuery) -> Result<Page<ServiceRating>, RepoError> {
        let sql = format!(
            "SELECT {RATING_COLUMNS} FROM service_ratings WHERE ($1 IS NULL OR created_at >= $1) AND ($2 IS NULL OR created_at < $2) \
             AND ($3 IS NULL OR area_id = $3) AND ($4 IS NULL OR id < $4) ORDER BY id DESC LIMIT $5"
        );
        let page: PageRequest = q.page;
        let rows: Vec<RatingRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, RatingRow>(AssertSqlSafe(sql))
            .bind(q.from.map(DbTime)).bind(q.until.map(DbTime)).bind(q.area.map(|a| a.0)).bind(page.cursor)
            .bind(i64::from(page.limit) + 1).fetch_all(pool).await)
        .map_err(repo_error)?;
        let ratings = rows.into_iter().map(ServiceRating::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(ratings, page.limit, |r| r.id.0))
    }

    async fn summary(&self, from: OffsetDateTime, until: OffsetDateTime, offset: UtcOffset) -> Result<RatingSummary, RepoError> {
        let (from, until) = (DbTime(from), DbTime(until));
        let overall_sql = format!("SELECT COUNT(*), CAST(AVG(score) AS DOUBLE PRECISION) {PERIOD}");
        let areas_sql =
            format!("SELECT area_id, COUNT(*), CAST(AVG(score) AS DOUBLE PRECISION) {PERIOD} GROUP BY area_id ORDER BY area_id");
        let (overall, areas) = with_db!(&self.db, pool, E => {
            let overall: (i64, Option<f64>) = sqlx::query_as::<E, (i64, Option<f64>)>(AssertSqlSafe(overall_sql))
                .bind(from).bind(until).fetch_one(pool).await.map_err(repo_error)?;
            let areas: Vec<(Uuid, i64, Option<f64>)> = sqlx::query_as::<E, (Uuid, i64, Option<f64>)>(AssertSqlSafe(areas_sql))
                .bind(from).bind(until).fetch_all(pool).await.map_err(repo_error)?;
            (overall, areas)
        });
        let weeks = self.weeks(from, until, offset).await?;
        Ok(RatingSummary {
            overall: average(overall.0, overall.1),
            by_area: areas.into_iter().map(|(id, n, mean)| AreaRating { area_id: DeliveryAreaId(id), ratings: average(n, mean) }).collect(),
            by_week: weeks
                .into_iter()
                .map(|(start, n, mean)| Ok(WeekRating { week_start: week(&start)?, ratings: average(n, mean) }))
                .collect::<Result<_, RepoError>>()?,
        })
    }
}
