//! When the history's orders are placed: the orders shared out over the business days (growing over the
//! period, more on Fridays and Saturdays), and within a day over the hours (mornings and evenings, Thursday
//! evenings busiest, Friday prayer quiet). Nothing is placed after `cap` (now, when the history ends today).
use sabil_core::ports::BusinessTimeZone;
use time::{Date, Duration, OffsetDateTime, UtcOffset, Weekday};

use super::rng::Rng;

/// One business day of the history and how many orders it gets.
#[derive(Debug, Clone, Copy)]
pub(super) struct Day {
    pub date: Date,
    /// Local midnight starting the day.
    pub midnight: OffsetDateTime,
    pub orders: u32,
}

/// Relative orders per local hour of an ordinary day.
const HOURS: [f64; 24] = [
    0.10, 0.05, 0.02, 0.02, 0.02, 0.05, 0.30, 0.80, 1.40, 1.90, 2.00, 1.80, 1.40, 1.20, 1.10, 1.20, 1.40, 1.60, 1.90, 2.10, 2.20, 1.90,
    1.20, 0.50,
];

fn hour_weight(weekday: Weekday, hour: usize) -> f64 {
    let base = HOURS.get(hour).copied().unwrap_or(0.0);
    match weekday {
        // The weekend starts on Thursday evening.
        Weekday::Thursday if hour >= 17 => base * 1.9,
        Weekday::Friday if (11..=13).contains(&hour) => base * 0.5,
        Weekday::Friday | Weekday::Saturday => base * 1.3,
        _ => base,
    }
}

/// How much of local hour `hour` of the day starting at `midnight` lies before `cap`, from 0 to 1.
fn open_part(midnight: OffsetDateTime, hour: usize, cap: OffsetDateTime) -> f64 {
    let start = midnight + Duration::hours(i64::try_from(hour).unwrap_or(0));
    if start + Duration::HOUR <= cap {
        1.0
    } else if start >= cap {
        0.0
    } else {
        (cap - start).as_seconds_f64() / 3600.0
    }
}

/// The `days` business days ending with `end`, sharing `orders` by weight (largest remainder, so the
/// total is exact); `None` when no part of the period lies before `cap`.
pub(super) fn plan_days(
    orders: u32,
    days: u32,
    end: Date,
    zone: &dyn BusinessTimeZone,
    cap: OffsetDateTime,
    rng: &mut Rng,
) -> Option<Vec<Day>> {
    let mut plan = Vec::new();
    let mut weights = Vec::new();
    let last = f64::from(days.saturating_sub(1).max(1));
    for i in 0..days {
        let date = end - Duration::days(i64::from(days - 1 - i));
        let midnight = date.midnight().assume_offset(zone.offset_on(date)).to_offset(UtcOffset::UTC);
        let growth = 0.7 + 0.8 * f64::from(i) / last;
        let noise = 0.85 + 0.3 * rng.unit();
        let open: f64 = (0..24).map(|h| hour_weight(date.weekday(), h) * open_part(midnight, h, cap)).sum();
        weights.push(growth * noise * open);
        plan.push(Day { date, midnight, orders: 0 });
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let shares: Vec<f64> = weights.iter().map(|w| w / total * f64::from(orders)).collect();
    let mut given = 0_u32;
    for (day, share) in plan.iter_mut().zip(&shares) {
        // Truncation is the point: the remainders are handed out below.
        day.orders = share.floor() as u32;
        given += day.orders;
    }
    let mut by_remainder: Vec<usize> = (0..plan.len()).collect();
    by_remainder.sort_by(|a, b| (shares[*b] - shares[*b].floor()).total_cmp(&(shares[*a] - shares[*a].floor())).then(a.cmp(b)));
    for i in by_remainder.into_iter().cycle().take(usize::try_from(orders.saturating_sub(given)).unwrap_or(0)) {
        plan[i].orders += 1;
    }
    Some(plan)
}

/// The creation times of a day's orders, in order: an hour drawn by weight, then a moment in it before `cap`.
pub(super) fn order_times(day: &Day, cap: OffsetDateTime, rng: &mut Rng) -> Vec<OffsetDateTime> {
    let open: Vec<f64> = (0..24).map(|h| open_part(day.midnight, h, cap)).collect();
    let weights: Vec<f64> = (0..24).map(|h| hour_weight(day.date.weekday(), h) * open[h]).collect();
    let mut times: Vec<OffsetDateTime> = (0..day.orders)
        .map(|_| {
            let hour = rng.weighted(&weights);
            let span_ms = (open[hour] * 3_600_000.0) as i64;
            day.midnight + Duration::hours(i64::try_from(hour).unwrap_or(0)) + Duration::milliseconds(rng.between(0, span_ms.max(1) - 1))
        })
        .collect();
    times.sort();
    times
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time_zone::IanaTimeZone;
    use time::macros::{date, datetime};

    fn dubai() -> IanaTimeZone {
        IanaTimeZone::named("Asia/Dubai").expect("known zone")
    }

    #[test]
    fn the_orders_are_shared_out_exactly_and_grow_over_time() {
        let cap = datetime!(2027-01-01 0:00 UTC);
        let days = plan_days(10_000, 364, date!(2026 - 11 - 30), &dubai(), cap, &mut Rng::new(1)).expect("open days");
        assert_eq!(days.len(), 364);
        assert_eq!(days.iter().map(|d| d.orders).sum::<u32>(), 10_000);
        assert_eq!(days.last().map(|d| d.date), Some(date!(2026 - 11 - 30)));
        let first: u32 = days[..91].iter().map(|d| d.orders).sum();
        let last: u32 = days[273..].iter().map(|d| d.orders).sum();
        assert!(last > first * 3 / 2, "first quarter {first}, last quarter {last}");
    }

    #[test]
    fn weekends_are_busier_than_midweek() {
        let cap = datetime!(2027-01-01 0:00 UTC);
        let days = plan_days(50_000, 364, date!(2026 - 11 - 30), &dubai(), cap, &mut Rng::new(2)).expect("open days");
        let total = |w: Weekday| days.iter().filter(|d| d.date.weekday() == w).map(|d| d.orders).sum::<u32>();
        assert!(total(Weekday::Saturday) > total(Weekday::Tuesday));
        assert!(total(Weekday::Thursday) > total(Weekday::Tuesday));
    }

    #[test]
    fn nothing_is_placed_after_the_cap() {
        let cap = datetime!(2026-11-30 06:30 UTC); // 10:30 in Dubai
        let mut rng = Rng::new(3);
        let days = plan_days(1_000, 10, date!(2026 - 11 - 30), &dubai(), cap, &mut rng).expect("open days");
        let today = days.last().expect("a day");
        assert!(today.orders > 0);
        let times = order_times(today, cap, &mut rng);
        assert!(times.iter().all(|t| *t < cap && *t >= today.midnight));
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(plan_days(10, 3, date!(2026 - 12 - 05), &dubai(), datetime!(2026-12-01 0:00 UTC), &mut rng).is_none());
    }
}
