//! The dashboard's aggregates computed in memory from the order, account and rating fakes, with the
//! same definitions (and orderings) as the SQL store (checked by the conformance suite).
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use time::{Date, OffsetDateTime, UtcOffset};

use super::{InMemoryOrders, InMemoryRatings, InMemoryUsers};
use crate::domain::catalog::ProductId;
use crate::domain::delivery::DeliveryAreaId;
use crate::domain::stats::{AreaFigures, DayFigures, OrderAggregates, ProductFigures, REVENUE_STATUSES};
use crate::domain::{LocalizedText, Role};
use crate::error::RepoError;
use crate::ports::StatsRepository;

/// Aggregates over the orders, accounts and ratings of the fakes it was built with.
pub struct InMemoryStats {
    orders: Arc<InMemoryOrders>,
    users: Arc<InMemoryUsers>,
    ratings: Arc<InMemoryRatings>,
}

impl InMemoryStats {
    /// Figures read from these fakes (share them with the world's other ports).
    #[must_use]
    pub fn new(orders: Arc<InMemoryOrders>, users: Arc<InMemoryUsers>, ratings: Arc<InMemoryRatings>) -> Self {
        Self { orders, users, ratings }
    }
}

fn empty_day(date: Date) -> DayFigures {
    DayFigures { date, orders: 0, revenue_orders: 0, revenue: 0, new_customers: 0 }
}

/// A product's running totals and the (order time, order id) its title was taken from.
struct ProductSum {
    packs: i64,
    revenue: i64,
    title: LocalizedText,
    latest: (OffsetDateTime, uuid::Uuid),
}

#[async_trait]
impl StatsRepository for InMemoryStats {
    async fn aggregates(
        &self,
        from: OffsetDateTime,
        until: OffsetDateTime,
        offset: UtcOffset,
        top: u32,
    ) -> Result<OrderAggregates, RepoError> {
        let within = |t: OffsetDateTime| t >= from && t < until;
        let day_of = |t: OffsetDateTime| t.to_offset(offset).date();
        let mut days: BTreeMap<Date, DayFigures> = BTreeMap::new();
        let mut by_status: BTreeMap<&'static str, (crate::domain::orders::OrderStatus, i64)> = BTreeMap::new();
        let mut by_area: HashMap<DeliveryAreaId, (i64, i64)> = HashMap::new();
        let mut products: HashMap<ProductId, ProductSum> = HashMap::new();
        for order in self.orders.all().into_iter().filter(|o| within(o.created_at)) {
            let date = day_of(order.created_at);
            let figures = days.entry(date).or_insert_with(|| empty_day(date));
            figures.orders += 1;
            by_status.entry(order.status.as_str()).or_insert((order.status, 0)).1 += 1;
            let area = by_area.entry(order.slot.area_id).or_default();
            area.0 += 1;
            if !REVENUE_STATUSES.contains(&order.status) {
                continue;
            }
            let amount = order.totals.amount_to_pay.minor;
            figures.revenue_orders += 1;
            figures.revenue += amount;
            area.1 += amount;
            let key = (order.created_at, order.id.0);
            for line in &order.lines {
                let sum = products.entry(line.product_id).or_insert_with(|| ProductSum {
                    packs: 0,
                    revenue: 0,
                    title: line.title.clone(),
                    latest: key,
                });
                sum.packs += i64::from(line.quantity);
                sum.revenue += line.line_total.minor;
                if key > sum.latest {
                    sum.latest = key;
                    sum.title = line.title.clone();
                }
            }
        }
        for user in self.users.all() {
            if user.role == Role::Customer && user.verified_at.is_some() && within(user.created_at) {
                let date = day_of(user.created_at);
                days.entry(date).or_insert_with(|| empty_day(date)).new_customers += 1;
            }
        }
        let mut areas: Vec<AreaFigures> = by_area
            .into_iter()
            .map(|(area_id, (orders, revenue))| AreaFigures {
                area_id,
                name: LocalizedText { ar: String::new(), en: String::new() },
                orders,
                revenue,
            })
            .collect();
        areas.sort_by_key(|a| (std::cmp::Reverse(a.orders), a.area_id));
        let mut top_products: Vec<ProductFigures> = products
            .into_iter()
            .map(|(product_id, s)| ProductFigures { product_id, title: s.title, packs: s.packs, revenue: s.revenue })
            .collect();
        top_products.sort_by_key(|p| (std::cmp::Reverse(p.packs), std::cmp::Reverse(p.revenue), p.product_id));
        top_products.truncate(top as usize);
        let scores: Vec<i64> = self.ratings.all().iter().filter(|r| within(r.created_at)).map(|r| i64::from(r.score.get())).collect();
        let ratings = i64::try_from(scores.len()).unwrap_or(i64::MAX);
        #[allow(clippy::cast_precision_loss)]
        let average_rating = (ratings > 0).then(|| scores.iter().sum::<i64>() as f64 / ratings as f64);
        Ok(OrderAggregates {
            days: days.into_values().collect(),
            by_status: by_status.into_values().collect(),
            by_area: areas,
            top_products,
            ratings,
            average_rating,
        })
    }
}
