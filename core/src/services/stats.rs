//! The business dashboard (admins only): orders, revenue, new customers and ratings over a range of
//! business days, counted by the store, completed here with every day of the range, area names, the
//! average basket and the SAP sync's health.
use std::collections::HashMap;
use std::sync::Arc;

use time::{Date, Duration, OffsetDateTime};

use crate::domain::stats::{BusinessStats, DayFigures, MAX_STATS_DAYS, SyncHealth, TOP_PRODUCTS};
use crate::domain::{AccessClaims, Currency, Invalid};
use crate::error::RepoError;
use crate::ports::{BusinessTimeZone, Ports};
use crate::services::authorization::{AdminDenied, acting_admin};

/// How many business days the dashboard shows when no range is asked for (ending today).
pub const DEFAULT_STATS_DAYS: i64 = 30;

/// Why the dashboard could not be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    /// The range is reversed or too long (fields `from`, `to`).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The caller is not an active admin.
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The store failed; not a business outcome.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The dashboard use case over the ports.
#[derive(Clone)]
pub struct StatsService {
    ports: Ports,
    /// Business time: which day an order belongs to.
    time_zone: Arc<dyn BusinessTimeZone>,
    /// The business's currency, of every money figure.
    currency: Currency,
}

impl StatsService {
    /// The dashboard over these ports, with days in `time_zone` and money in `currency`.
    #[must_use]
    pub fn new(ports: Ports, time_zone: Arc<dyn BusinessTimeZone>, currency: Currency) -> Self {
        Self { ports, time_zone, currency }
    }

    /// The range to report when the caller leaves out one end or both: `to` defaults to today (business
    /// time), `from` to the `DEFAULT_STATS_DAYS`-day range ending on `to`.
    #[must_use]
    pub fn range_or_default(&self, from: Option<Date>, to: Option<Date>) -> (Date, Date) {
        let to = to.unwrap_or_else(|| self.time_zone.today(self.ports.clock.now()));
        let from = from.unwrap_or_else(|| to.saturating_sub(Duration::days(DEFAULT_STATS_DAYS - 1)));
        (from, to)
    }

    /// The figures of business days `from..=to` (both included, at most `MAX_STATS_DAYS` days): orders
    /// placed on those days by status and area, revenue (orders in a revenue status, by `amount_to_pay`),
    /// the average basket rounded half up, the top products, customers who registered (and verified
    /// their phone), ratings given, and the sync's health now. Admins only.
    ///
    /// # Errors
    /// `Denied`, `Invalid` (`to` before `from`, or too long a range), `Storage`.
    pub async fn stats(&self, actor: &AccessClaims, from: Date, to: Date) -> Result<BusinessStats, StatsError> {
        acting_admin(&self.ports, actor).await?;
        check_range(from, to)?;
        let offset = self.time_zone.offset_on(from);
        let (start, end) = (self.day_start(from), self.day_start(to.saturating_add(Duration::DAY)));
        let mut figures = self.ports.stats.aggregates(start, end, offset, TOP_PRODUCTS).await?;
        for area in &mut figures.by_area {
            if let Some(stored) = self.ports.delivery_areas.get(area.area_id).await? {
                area.name = stored.name;
            }
        }
        let days = every_day(from, to, figures.days);
        let orders = days.iter().map(|d| d.orders).sum();
        let revenue_orders: i64 = days.iter().map(|d| d.revenue_orders).sum();
        let revenue: i64 = days.iter().map(|d| d.revenue).sum();
        let new_customers = days.iter().map(|d| d.new_customers).sum();
        Ok(BusinessStats {
            from,
            to,
            currency: self.currency,
            orders,
            revenue_orders,
            revenue,
            average_basket: average_half_up(revenue, revenue_orders),
            new_customers,
            days,
            by_status: figures.by_status,
            by_area: figures.by_area,
            top_products: figures.top_products,
            ratings: figures.ratings,
            average_rating: figures.average_rating,
            sync: self.sync_health().await?,
        })
    }

    /// The change queue's backlog and the worker's last push and pull, as `SyncService::status` reads them.
    async fn sync_health(&self) -> Result<SyncHealth, RepoError> {
        let now = self.ports.clock.now();
        let backlog = self.ports.changes.backlog().await?;
        let notes = self.ports.changes.notes().await?;
        let noted = |name: &str| notes.iter().find(|(n, _, _)| n == name).map(|(_, _, at)| *at);
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(SyncHealth {
            pending: backlog.iter().map(|b| count(b.pending)).sum(),
            dead_letters: backlog.iter().map(|b| count(b.dead)).sum(),
            oldest_pending_seconds: backlog.iter().filter_map(|b| b.oldest).min().map(|t| (now - t).whole_seconds().max(0)),
            last_push: noted("last_push"),
            last_pull: noted("last_pull"),
        })
    }

    /// The instant business day `day` starts.
    fn day_start(&self, day: Date) -> OffsetDateTime {
        day.midnight().assume_offset(self.time_zone.offset_on(day))
    }
}

/// `to` on or after `from`, and at most `MAX_STATS_DAYS` days in all.
fn check_range(from: Date, to: Date) -> Result<(), Invalid> {
    if to < from {
        return Err(Invalid::field("to", "is before from", "Give a last day on or after the first (both are included)."));
    }
    let days = (to - from).whole_days() + 1;
    if days > MAX_STATS_DAYS {
        return Err(Invalid::field(
            "to",
            format!("makes a range of {days} days, more than {MAX_STATS_DAYS}"),
            format!(
                "Ask for at most {MAX_STATS_DAYS} days, e.g. from {from} to {}.",
                from.saturating_add(Duration::days(MAX_STATS_DAYS - 1))
            ),
        ));
    }
    Ok(())
}

/// Every day of `from..=to` in order, with the store's figures where it had any (zero otherwise).
fn every_day(from: Date, to: Date, sparse: Vec<DayFigures>) -> Vec<DayFigures> {
    let mut known: HashMap<Date, DayFigures> = sparse.into_iter().map(|d| (d.date, d)).collect();
    let mut days = Vec::new();
    let mut date = from;
    loop {
        days.push(known.remove(&date).unwrap_or(DayFigures { date, orders: 0, revenue_orders: 0, revenue: 0, new_customers: 0 }));
        match date.next_day() {
            Some(next) if next <= to => date = next,
            _ => return days,
        }
    }
}

/// `total / count` rounded half up (amounts are never negative); 0 when `count` is 0.
fn average_half_up(total: i64, count: i64) -> i64 {
    if count <= 0 {
        return 0;
    }
    let (total, count) = (i128::from(total), i128::from(count));
    i64::try_from((2 * total + count) / (2 * count)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_average_basket_rounds_half_up() {
        assert_eq!(average_half_up(0, 0), 0);
        assert_eq!(average_half_up(10, 4), 3); // 2.5
        assert_eq!(average_half_up(9, 4), 2); // 2.25
        assert_eq!(average_half_up(11, 4), 3); // 2.75
        assert_eq!(average_half_up(137_500, 110), 1250);
    }

    #[test]
    fn every_day_of_the_range_is_present_in_order() {
        let sparse = vec![DayFigures { date: date!(2026 - 11 - 02), orders: 3, revenue_orders: 2, revenue: 900, new_customers: 1 }];
        let days = every_day(date!(2026 - 10 - 31), date!(2026 - 11 - 03), sparse);
        let dates: Vec<Date> = days.iter().map(|d| d.date).collect();
        assert_eq!(dates, vec![date!(2026 - 10 - 31), date!(2026 - 11 - 01), date!(2026 - 11 - 02), date!(2026 - 11 - 03)]);
        assert_eq!(days[2].orders, 3);
        assert_eq!(days[0].orders + days[1].orders + days[3].orders, 0);
    }

    #[test]
    fn ranges_are_checked() {
        assert!(check_range(date!(2026 - 01 - 01), date!(2026 - 01 - 01)).is_ok());
        assert!(check_range(date!(2024 - 01 - 01), date!(2024 - 12 - 31)).is_ok()); // 366 days
        assert_eq!(check_range(date!(2025 - 01 - 01), date!(2026 - 01 - 02)).map_err(|e| e.0[0].field.clone()), Err("to".into()));
        assert_eq!(check_range(date!(2026 - 01 - 02), date!(2026 - 01 - 01)).map_err(|e| e.0[0].field.clone()), Err("to".into()));
    }
}
