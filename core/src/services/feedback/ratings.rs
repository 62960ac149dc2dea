//! Ratings of the service: a customer rates each of their delivered orders once; admins list the
//! ratings and read averages per delivery area and per ISO week of a period of business days.
use std::collections::HashMap;

use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::{FeedbackError, FeedbackService};
use crate::domain::delivery::DeliveryAreaId;
use crate::domain::feedback::{RatingId, RatingSummary, Score, ServiceRating};
use crate::domain::orders::{OrderId, OrderStatus};
use crate::domain::{AccessClaims, Invalid, LocalizedText, Page, PageRequest};
use crate::error::RepoError;
use crate::ports::RatingQuery;
use crate::services::authorization::acting_admin;

/// The averages of a period, with the names of the areas in it.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingReport {
    /// The first business day of the period.
    pub from: Date,
    /// The last business day of the period (included).
    pub to: Date,
    pub summary: RatingSummary,
    /// The name of every area in `summary.by_area` that still exists.
    pub area_names: HashMap<DeliveryAreaId, LocalizedText>,
}

impl FeedbackService {
    /// Records the calling customer's rating of one of their delivered orders, once.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `NotFound` (no such order, or another customer's),
    /// `OrderNotDelivered`, `OrderAlreadyRated`, `Storage`.
    pub async fn rate_order(
        &self,
        actor: &AccessClaims,
        order_id: OrderId,
        score: Score,
        comment: Option<String>,
    ) -> Result<ServiceRating, FeedbackError> {
        let customer = self.acting_customer(actor).await?;
        let order = self.ports.orders.get(order_id).await?.filter(|o| o.customer_id == customer).ok_or(FeedbackError::NotFound("order"))?;
        if order.status != OrderStatus::Delivered {
            return Err(FeedbackError::OrderNotDelivered(order.status));
        }
        if self.ports.ratings.for_order(order_id).await?.is_some() {
            return Err(FeedbackError::OrderAlreadyRated);
        }
        let rating = ServiceRating {
            id: RatingId(Uuid::now_v7()),
            order_id,
            customer_id: customer,
            area_id: order.slot.area_id,
            score,
            comment,
            created_at: self.ports.clock.now(),
        };
        self.ports.ratings.create(&rating).await.map_err(|e| match e {
            // A concurrent rating of the same order won.
            RepoError::Conflict(_) => FeedbackError::OrderAlreadyRated,
            other => other.into(),
        })?;
        Ok(rating)
    }

    /// Averages of the ratings made from the start of business day `from` to the end of `to`: overall,
    /// per area and per ISO week (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid` (`to` before `from`), `Storage`.
    pub async fn rating_summary(&self, actor: &AccessClaims, from: Date, to: Date) -> Result<RatingReport, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        if to < from {
            return Err(Invalid::field("to", "is before from", "Give a last day on or after the first.").into());
        }
        let (start, end) = (self.day_start(from), self.day_start(to.saturating_add(Duration::DAY)));
        let summary = self.ports.ratings.summary(start, end, self.time_zone.offset_on(from)).await?;
        let mut area_names = HashMap::new();
        for a in &summary.by_area {
            if let Some(area) = self.ports.delivery_areas.get(a.area_id).await? {
                area_names.insert(a.area_id, area.name);
            }
        }
        Ok(RatingReport { from, to, summary, area_names })
    }

    /// Ratings made on the business days `from` to `to` (each optional), of one area when given, newest
    /// first (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid` (`to` before `from`), `Storage`.
    pub async fn ratings(
        &self,
        actor: &AccessClaims,
        from: Option<Date>,
        to: Option<Date>,
        area: Option<DeliveryAreaId>,
        page: PageRequest,
    ) -> Result<Page<ServiceRating>, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(Invalid::field("to", "is before from", "Give a last day on or after the first.").into());
        }
        let query = RatingQuery {
            from: from.map(|d| self.day_start(d)),
            until: to.map(|d| self.day_start(d.saturating_add(Duration::DAY))),
            area,
            page,
        };
        Ok(self.ports.ratings.list(&query).await?)
    }

    /// The instant business day `day` starts.
    fn day_start(&self, day: Date) -> OffsetDateTime {
        day.midnight().assume_offset(self.time_zone.offset_on(day))
    }
}
