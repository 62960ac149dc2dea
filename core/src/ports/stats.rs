//! Aggregates for the business dashboard, computed by the store in one pass per figure.
use async_trait::async_trait;
use time::{OffsetDateTime, UtcOffset};

use crate::domain::stats::OrderAggregates;
use crate::error::RepoError;

/// Counts and sums over orders, customers and ratings. Implementations aggregate in the database:
/// memory use must not grow with the number of orders in the range.
#[async_trait]
pub trait StatsRepository: Send + Sync {
    /// Figures for orders created (and customers and ratings created) in `[from, until)`, with days
    /// bucketed by the business-local date at `offset` (the business zone has no daylight saving).
    /// `days` is sparse and sorted by date; `by_status` sorted by status name; `by_area` by orders
    /// descending, then area id; `top_products` at most `top`, by packs descending, then revenue
    /// descending, then product id. Revenue figures count only orders in
    /// [`REVENUE_STATUSES`](crate::domain::stats::REVENUE_STATUSES).
    ///
    /// # Errors
    /// Storage failures only.
    async fn aggregates(
        &self,
        from: OffsetDateTime,
        until: OffsetDateTime,
        offset: UtcOffset,
        top: u32,
    ) -> Result<OrderAggregates, RepoError>;
}
