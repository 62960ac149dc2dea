//! `sabil stats`: the business dashboard in the terminal (as the admin given with `--as`): orders,
//! revenue, average basket, top products and areas, and a bar chart of orders per day.
use clap::Args;
use sabil_adapters::app::App;
use sabil_core::domain::Money;
use sabil_core::domain::stats::{BusinessStats, DayFigures};
use time::Date;

use crate::actor;
use crate::orders::parse_date;
use crate::output::{Table, money, money_json, print_json, when};

#[derive(Args)]
pub struct StatsArgs {
    /// First business day, YYYY-MM-DD (default: 30 days ending with --to).
    #[arg(long, value_parser = parse_date)]
    from: Option<Date>,
    /// Last business day, YYYY-MM-DD, included (default: today in SABIL_TIME_ZONE).
    #[arg(long, value_parser = parse_date)]
    to: Option<Date>,
    /// Print the figures as JSON instead of text and charts.
    #[arg(long)]
    json: bool,
}

/// The widest bar of the chart, in character cells.
const BAR_WIDTH: usize = 40;

/// A bar `value / max` of `BAR_WIDTH` cells, in eighths of a cell (Unicode block elements).
fn bar(value: i64, max: i64) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if max <= 0 || value <= 0 {
        return String::new();
    }
    let eighths = usize::try_from(value.saturating_mul(BAR_WIDTH as i64 * 8) / max).unwrap_or(0).max(1);
    let mut s = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        s.push(PARTS[eighths % 8]);
    }
    s
}

/// Orders per day as horizontal bars, one line per day (weekday, date, bar, count).
fn chart(days: &[DayFigures]) {
    let max = days.iter().map(|d| d.orders).max().unwrap_or(0);
    for d in days {
        let weekday = d.date.weekday().to_string();
        println!("{} {}  {:<width$} {}", &weekday[..3.min(weekday.len())], d.date, bar(d.orders, max), d.orders, width = BAR_WIDTH + 1);
    }
}

fn stats_json(s: &BusinessStats) -> serde_json::Value {
    let m = |minor: i64| money_json(Money::new(minor, s.currency));
    serde_json::json!({
        "from": s.from.to_string(), "to": s.to.to_string(), "currency": s.currency.code(),
        "orders": s.orders, "revenueOrders": s.revenue_orders, "revenue": m(s.revenue), "averageBasket": m(s.average_basket),
        "newCustomers": s.new_customers,
        "days": s.days.iter().map(|d| serde_json::json!({"date": d.date.to_string(), "orders": d.orders,
            "revenueOrders": d.revenue_orders, "revenue": m(d.revenue), "newCustomers": d.new_customers})).collect::<Vec<_>>(),
        "byStatus": s.by_status.iter().map(|(st, n)| serde_json::json!({"status": st.as_str(), "orders": n})).collect::<Vec<_>>(),
        "byArea": s.by_area.iter().map(|a| serde_json::json!({"areaId": a.area_id.0, "name": a.name.en, "nameAr": a.name.ar,
            "orders": a.orders, "revenue": m(a.revenue)})).collect::<Vec<_>>(),
        "topProducts": s.top_products.iter().map(|p| serde_json::json!({"productId": p.product_id.0, "title": p.title.en,
            "titleAr": p.title.ar, "packs": p.packs, "revenue": m(p.revenue)})).collect::<Vec<_>>(),
        "ratings": s.ratings, "averageRating": s.average_rating,
        "sync": {"pending": s.sync.pending, "deadLetters": s.sync.dead_letters, "oldestPendingSeconds": s.sync.oldest_pending_seconds,
            "lastPush": s.sync.last_push.map(when), "lastPull": s.sync.last_pull.map(when)},
    })
}

fn print_stats(s: &BusinessStats) {
    let m = |minor: i64| money(Money::new(minor, s.currency));
    println!("{} to {} ({} days)\n", s.from, s.to, s.days.len());
    println!("orders          {}", s.orders);
    println!("paid orders     {}", s.revenue_orders);
    println!("revenue         {}", m(s.revenue));
    println!("average basket  {}", m(s.average_basket));
    println!("new customers   {}", s.new_customers);
    let rating = s.average_rating.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}"));
    println!("ratings         {} (average {rating})", s.ratings);
    if !s.by_status.is_empty() {
        let statuses: Vec<String> = s.by_status.iter().map(|(st, n)| format!("{} {n}", st.as_str())).collect();
        println!("by status       {}", statuses.join(", "));
    }
    println!("\ntop products");
    let mut products = Table::new(&["PRODUCT", "PACKS", "REVENUE"]);
    for p in &s.top_products {
        products.row(vec![p.title.en.clone(), p.packs.to_string(), m(p.revenue)]);
    }
    products.print_or("(none sold)");
    println!("\nareas");
    let mut areas = Table::new(&["AREA", "ORDERS", "REVENUE"]);
    for a in &s.by_area {
        let name = if a.name.en.is_empty() { a.area_id.0.to_string() } else { a.name.en.clone() };
        areas.row(vec![name, a.orders.to_string(), m(a.revenue)]);
    }
    areas.print_or("(no orders)");
    println!("\norders per day");
    chart(&s.days);
    let sync = &s.sync;
    println!(
        "\nSAP sync: {} pending, {} dead letters, last push {}",
        sync.pending,
        sync.dead_letters,
        sync.last_push.map_or_else(|| "never".to_owned(), when)
    );
}

/// Runs `sabil stats`.
///
/// # Errors
/// One line saying what failed (a reversed or too long range names the option).
pub async fn run(app: &App, as_admin: Option<&str>, args: StatsArgs) -> Result<(), String> {
    let admin = actor::admin(app, as_admin).await?;
    let (from, to) = app.stats.range_or_default(args.from, args.to);
    let stats = app.stats.stats(&admin, from, to).await.map_err(|e| match e {
        sabil_core::services::StatsError::Invalid(invalid) => {
            let p = invalid.0.first();
            format!(
                "stats: --{}: {}",
                p.map_or("from", |p| p.field.as_str()),
                p.map_or_else(|| invalid.to_string(), |p| format!("{} ({})", p.problem, p.hint))
            )
        }
        other => format!("stats: {other}"),
    })?;
    if args.json {
        return print_json(&stats_json(&stats));
    }
    print_stats(&stats);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_scale_to_the_widest_in_eighths_of_a_cell() {
        assert_eq!(bar(0, 10), "");
        assert_eq!(bar(10, 10).chars().count(), 40);
        assert_eq!(bar(5, 10), "█".repeat(20));
        assert_eq!(bar(1, 320), "▏", "the smallest non-zero day still shows");
        assert_eq!(bar(3, 64), "█▉");
    }
}
