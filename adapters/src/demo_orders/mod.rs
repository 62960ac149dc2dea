//! A realistic order history for demos and benchmarks: customers who signed up over the period, orders
//! spread over the business days (growing, busier at weekends and on Thursday evenings), priced from the
//! catalog by checkout's own rules, moved through their lifecycle (recent ones still open), a share of the
//! delivered ones rated. Bulk-inserted with multi-row statements in large transactions, with no change-feed
//! or outbox rows (the history counts as already in SAP). One seed on one catalog gives one history.
mod calendar;
mod catalog;
mod generate;
mod lifecycle;
mod people;
mod rng;
mod write;

use sabil_core::domain::orders::Country;
use sabil_core::error::RepoError;
use sabil_core::ports::BusinessTimeZone;
use time::{Date, Duration, UtcOffset};

pub use people::HISTORY_PHONE_PREFIX;

use crate::app::App;
use crate::config::Config;
use crate::time_zone::IanaTimeZone;

/// Orders written per transaction (on SQLite other writers wait for it: about 0.25 s in a release build).
const ORDERS_PER_TRANSACTION: usize = 2_000;

/// The most days one history may span (ten years).
pub const MAX_HISTORY_DAYS: u32 = 3_660;

/// What history to make.
#[derive(Debug, Clone)]
pub struct HistoryPlan {
    /// How many orders, at least 1.
    pub orders: u32,
    /// Over how many business days (1 to [`MAX_HISTORY_DAYS`]), the last one being `end`.
    pub days: u32,
    /// The last business day; orders are never placed after now, so a history ending today stops at now.
    pub end: Date,
    /// The same seed (on the same catalog) gives the same history.
    pub seed: u64,
    /// The business's country: its currency prices the orders and its tax is charged.
    pub country: Country,
    /// The business time zone the days and slots are in.
    pub time_zone: IanaTimeZone,
}

impl HistoryPlan {
    /// The history the demo data carries: about 1,500 orders over the 90 business days ending `end`.
    #[must_use]
    pub fn demo(end: Date, country: Country, time_zone: IanaTimeZone) -> Self {
        Self { orders: 1_500, days: 90, end, seed: 20_261_203, country, time_zone }
    }

    /// A plan from the configuration's country and time zone.
    ///
    /// # Errors
    /// `Plan` when `SABIL_COUNTRY` or `SABIL_TIME_ZONE` is not one Sabil knows (the configuration checks both).
    pub fn for_config(config: &Config, orders: u32, days: u32, end: Date, seed: u64) -> Result<Self, HistoryError> {
        let country = Country::parse(&config.country).map_err(|e| HistoryError::Plan(format!("SABIL_COUNTRY: {}", e.0[0].problem)))?;
        let time_zone = IanaTimeZone::named(&config.time_zone).map_err(|e| HistoryError::Plan(format!("SABIL_TIME_ZONE: {e}")))?;
        Ok(Self { orders, days, end, seed, country, time_zone })
    }
}

/// What a history load wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistorySeeded {
    pub customers: u64,
    pub orders: u64,
    pub lines: u64,
    pub events: u64,
    pub ratings: u64,
    /// The order numbers given, first and last (0 when no order was written).
    pub first_number: i64,
    pub last_number: i64,
}

/// Why a history could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The plan cannot be carried out (no day before now, a bad count, the phone range full).
    #[error("{0}")]
    Plan(String),
    /// The catalog has nothing to order or nowhere to deliver to.
    #[error("{0}")]
    Catalog(String),
    #[error("storage: {0}")]
    Storage(#[from] RepoError),
}

/// The business date of now in `zone`.
#[must_use]
pub fn business_today(app: &App, zone: &IanaTimeZone) -> Date {
    let now = app.ports.clock.now();
    now.to_offset(zone.offset_on(now.date())).date()
}

/// Writes the history `plan` describes, `progress` told the number of orders written after each transaction.
/// Every run adds a history (new customers, numbers after the existing ones); see [`seed_demo_history`] for
/// the load that happens once.
///
/// # Errors
/// `Plan` for a plan that cannot be carried out, `Catalog` when there is nothing to order or nowhere to deliver
/// (load the demo catalog first), `Storage` on database failures (what earlier transactions wrote stays).
pub async fn seed_order_history(
    app: &App,
    plan: &HistoryPlan,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<HistorySeeded, HistoryError> {
    if plan.orders == 0 || !(1..=MAX_HISTORY_DAYS).contains(&plan.days) {
        return Err(HistoryError::Plan(format!("a history needs at least one order and 1 to {MAX_HISTORY_DAYS} days")));
    }
    let zone = &plan.time_zone;
    let now = app.ports.clock.now();
    let after_end = plan.end + Duration::days(1);
    let cap = after_end.midnight().assume_offset(zone.offset_on(after_end)).to_offset(UtcOffset::UTC).min(now);
    let mut rng = rng::Rng::new(plan.seed);
    let days = calendar::plan_days(plan.orders, plan.days, plan.end, zone, cap, &mut rng)
        .ok_or_else(|| HistoryError::Plan(format!("the {} days ending {} are all in the future", plan.days, plan.end)))?;
    let catalog = catalog::load(app, plan.country, &days).await?;
    let first_phone = write::next_history_phone(&app.db).await?;
    let today = business_today(app, zone);
    let mut generator = generate::Generator::new(&catalog, zone, plan.seed, cap, first_phone, plan.orders, today);

    let mut seeded = HistorySeeded::default();
    let start = days.first().map_or(cap, |d| d.midnight);
    let mut batch = generate::Batch { customers: generator.early_customers(start)?, orders: Vec::new() };
    for day in &days {
        for at in calendar::order_times(day, cap, &mut rng) {
            generator.order(at, &mut batch)?;
            if batch.orders.len() >= ORDERS_PER_TRANSACTION {
                write::write_batch(&app.db, &batch, &mut seeded).await?;
                progress(seeded.orders);
                batch = generate::Batch::default();
            }
        }
    }
    if !batch.orders.is_empty() || !batch.customers.is_empty() {
        write::write_batch(&app.db, &batch, &mut seeded).await?;
        progress(seeded.orders);
    }
    Ok(seeded)
}

/// Loads the demo history ([`HistoryPlan::demo`], ending today) unless the database already has orders or
/// a history; `None` when it was left out.
///
/// # Errors
/// As [`seed_order_history`].
pub async fn seed_demo_history(app: &App, config: &Config) -> Result<Option<HistorySeeded>, HistoryError> {
    if write::has_orders_or_history(&app.db).await? {
        return Ok(None);
    }
    let HistoryPlan { country, time_zone, .. } = HistoryPlan::for_config(config, 1, 1, Date::MIN, 0)?;
    let plan = HistoryPlan::demo(business_today(app, &time_zone), country, time_zone);
    seed_order_history(app, &plan, &mut |_| {}).await.map(Some)
}
