//! `sabil orders export --csv`: orders as CSV for accounting and spreadsheets, streamed page by page
//! through the admin's order list (never all in memory), money as decimal text plus minor units.
use std::io::Write;

use clap::Args;
use sabil_adapters::app::App;
use sabil_core::domain::orders::{DeliveryTarget, Order, OrderStatus};
use sabil_core::domain::{AccessClaims, Money, PageRequest};
use sabil_core::ports::OrderQuery;
use time::Date;

use crate::orders::{STATUSES, day_bounds, parse_date};
use crate::output::{decimal, progress, when};

#[derive(Args)]
pub struct ExportArgs {
    /// Write CSV (the one format; required so scripts say what they expect).
    #[arg(long, required = true)]
    csv: bool,
    #[arg(long, value_parser = STATUSES)]
    status: Option<String>,
    /// First business day, YYYY-MM-DD (in SABIL_TIME_ZONE).
    #[arg(long, value_parser = parse_date)]
    from: Option<Date>,
    /// Last business day, YYYY-MM-DD, included.
    #[arg(long, value_parser = parse_date)]
    to: Option<Date>,
    /// Write to this file (replaced only once the export is complete) instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

const MONEY_COLUMNS: [&str; 8] =
    ["subTotal", "promotionDiscount", "orderDiscount", "deliveryFee", "taxTotal", "netAmount", "couponCredit", "amountToPay"];

fn header() -> Vec<String> {
    let mut h: Vec<String> = [
        "number",
        "orderId",
        "placedAt",
        "status",
        "paymentMethod",
        "customerId",
        "deliveryKind",
        "deliveryDate",
        "slotStart",
        "slotEnd",
        "areaId",
        "lines",
        "packs",
        "freePacks",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for m in MONEY_COLUMNS {
        h.push(m.to_owned());
        h.push(format!("{m}Minor"));
    }
    h.extend(["currency", "promoCode", "sapId"].map(str::to_owned));
    h
}

fn minutes(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn record(o: &Order) -> Vec<String> {
    let t = &o.totals;
    let kind = match o.delivery {
        DeliveryTarget::Address { .. } => "address",
        DeliveryTarget::Mosque { .. } => "mosque",
    };
    let mut r = vec![
        o.number.to_string(),
        o.id.0.to_string(),
        when(o.created_at),
        o.status.as_str().to_owned(),
        o.payment_method.as_str().to_owned(),
        o.customer_id.0.to_string(),
        kind.to_owned(),
        o.slot.date.to_string(),
        minutes(o.slot.starts_minute),
        minutes(o.slot.ends_minute),
        o.slot.area_id.0.to_string(),
        o.lines.len().to_string(),
        o.lines.iter().map(|l| u64::from(l.quantity)).sum::<u64>().to_string(),
        o.lines.iter().map(|l| u64::from(l.free_quantity)).sum::<u64>().to_string(),
    ];
    let amounts: [Money; 8] =
        [t.sub_total, t.promotion_discount, t.order_discount, t.delivery_fee, t.tax_total, t.net_amount, t.coupon_credit, t.amount_to_pay];
    for m in amounts {
        r.push(decimal(m));
        r.push(m.minor.to_string());
    }
    r.extend([t.currency.code().to_owned(), o.promo_code.clone().unwrap_or_default(), o.sap_id.clone().unwrap_or_default()]);
    r
}

/// Runs `sabil orders export`.
///
/// # Errors
/// One line saying what failed; a file being written is removed.
pub async fn run(app: &App, admin: &AccessClaims, args: ExportArgs) -> Result<(), String> {
    if !args.csv {
        return Err("orders export: pass --csv (the one format)".to_owned());
    }
    let partial = args.output.as_ref().map(|p| p.with_extension("partial"));
    let sink: Box<dyn Write> = match &partial {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| format!("--output {}: {e}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let result = write(app, admin, &args, sink).await;
    match (result, &partial, &args.output) {
        (Ok(n), Some(partial), Some(output)) => {
            std::fs::rename(partial, output).map_err(|e| format!("--output {}: {e}", output.display()))?;
            println!("{n} orders written to {}", output.display());
            Ok(())
        }
        (Ok(n), _, _) => {
            eprintln!("{n} orders exported");
            Ok(())
        }
        (Err(e), Some(partial), _) => {
            let _ = std::fs::remove_file(partial);
            Err(e)
        }
        (Err(e), None, _) => Err(e),
    }
}

async fn write(app: &App, admin: &AccessClaims, args: &ExportArgs, sink: Box<dyn Write>) -> Result<u64, String> {
    let mut out = csv::Writer::from_writer(sink);
    let fail = |e: csv::Error| format!("orders export: cannot write: {e}");
    out.write_record(header()).map_err(fail)?;
    let (from, until) = day_bounds(app, args.from, args.to);
    let status = args.status.as_deref().and_then(OrderStatus::parse);
    let bar = progress(None, "orders exported", false);
    let mut cursor = None;
    let mut written = 0_u64;
    loop {
        let query = OrderQuery { customer: None, status, from, until, page: PageRequest { limit: PageRequest::MAX_LIMIT, cursor } };
        let page = app.orders.all_orders(admin, &query).await.map_err(|e| format!("orders export: {e}"))?;
        for order in &page.items {
            out.write_record(record(order)).map_err(fail)?;
        }
        written += page.items.len() as u64;
        bar.set_position(written);
        // Each page reaches the file before the next is read: memory stays at one page.
        out.flush().map_err(|e| format!("orders export: cannot write: {e}"))?;
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    bar.finish_and_clear();
    Ok(written)
}
