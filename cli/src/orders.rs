//! `sabil orders ...`: any order as an admin sees it (`--as`): lists filtered by status, customer and
//! business days, one order with its history and payments by number, moving an order through its
//! lifecycle (audited in its events as the admin), and the CSV export (`orders_export`).
use clap::Subcommand;
use sabil_adapters::app::App;
use sabil_core::domain::orders::{DeliveryTarget, Order, OrderStatus};
use sabil_core::domain::{AccessClaims, Phone, UserId};
use sabil_core::ports::{OrderQuery, UserQuery};
use sabil_core::services::OrderError;
use sabil_core::services::orders::OrderDetails;
use time::{Date, OffsetDateTime};

use crate::actor;
use crate::orders_export::{self, ExportArgs};
use crate::output::{Table, money, money_json, pages, print_json, when};

/// The statuses `--status` accepts.
pub const STATUSES: [&str; 8] =
    ["pending_payment", "paid", "confirmed", "out_for_delivery", "delivered", "cancelled", "payment_failed", "refunded"];

#[derive(Subcommand)]
pub enum OrdersCommand {
    /// Orders newest first, filtered by status, customer and the business days they were placed on.
    ///
    /// Examples: sabil --as +96550009999 orders list --status paid --from 2026-11-01 --to 2026-11-30
    ///           sabil orders list --customer +96550001234 --json
    #[command(verbatim_doc_comment)]
    List {
        #[arg(long, value_parser = STATUSES)]
        status: Option<String>,
        /// Only this customer's orders (E.164 phone).
        #[arg(long)]
        customer: Option<String>,
        /// First business day, YYYY-MM-DD (in SABIL_TIME_ZONE).
        #[arg(long, value_parser = parse_date)]
        from: Option<Date>,
        /// Last business day, YYYY-MM-DD, included.
        #[arg(long, value_parser = parse_date)]
        to: Option<Date>,
        /// The most orders to show.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One order by its number: lines, totals, delivery, its status history and payment attempts.
    ///
    /// Example: sabil --as +96550009999 orders show 100001 --json
    Show {
        /// The order number, e.g. 100001.
        number: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Move an order as the lifecycle allows an admin.
    ///
    /// The customer is notified and SAP told; a cancellation frees the slot place, gives coupons back and
    /// refunds a captured payment.
    ///
    /// Example: sabil --as +96550009999 orders set-status 100001 out_for_delivery --reason "driver 7"
    #[command(name = "set-status")]
    SetStatus {
        /// The order number.
        number: i64,
        #[arg(value_parser = STATUSES)]
        status: String,
        /// Why (kept in the order's history, at most 500 characters).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Write orders as CSV, newest first, streamed page by page (never all in memory).
    ///
    /// Columns: number, orderId,
    /// placedAt, status, paymentMethod, customerId, deliveryKind, deliveryDate, slotStart, slotEnd, areaId,
    /// lines, packs, freePacks, then for each of subTotal, promotionDiscount, orderDiscount, deliveryFee,
    /// taxTotal, netAmount, couponCredit, amountToPay the decimal amount (e.g. 1.250) and a ...Minor
    /// column in minor units (fils), then currency, promoCode, sapId.
    ///
    /// Example: sabil --as +96550009999 orders export --csv --from 2026-11-01 --to 2026-11-30 --output nov.csv
    Export(ExportArgs),
}

/// A `YYYY-MM-DD` argument.
///
/// # Errors
/// A line saying what a date looks like.
pub fn parse_date(raw: &str) -> Result<Date, String> {
    Date::parse(raw, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{raw:?} is not a date like 2026-11-30"))
}

/// The UTC instants a range of business days covers: local midnight of `from`, and of the day after `to`.
pub fn day_bounds(app: &App, from: Option<Date>, to: Option<Date>) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let zone = &app.orders.settings().time_zone;
    let midnight = |d: Date| d.midnight().assume_offset(zone.offset_on(d)).to_offset(time::UtcOffset::UTC);
    (from.map(midnight), to.and_then(Date::next_day).map(midnight))
}

/// The customer a phone names (through the admin's user search).
///
/// # Errors
/// A line when no account has the phone.
pub async fn customer_id(app: &App, admin: &AccessClaims, raw: &str) -> Result<UserId, String> {
    let phone = Phone::parse(raw).map_err(|_| format!("--customer: {raw:?} is not an E.164 phone, e.g. +96550001234"))?;
    let query = UserQuery {
        search: Some(phone.as_str().to_owned()),
        role: None,
        page: sabil_core::domain::PageRequest { limit: 100, cursor: None },
    };
    let found = app.accounts.list_users(admin, &query).await.map_err(|e| format!("--customer: {e}"))?;
    found
        .items
        .into_iter()
        .find(|u| u.phone.as_ref() == Some(&phone))
        .map(|u| u.id)
        .ok_or_else(|| format!("--customer: no account has the phone {phone}"))
}

/// Where an order goes, in a few words.
pub fn delivery_text(o: &Order) -> String {
    match &o.delivery {
        DeliveryTarget::Address { snapshot, .. } => snapshot.clone(),
        DeliveryTarget::Mosque { dedication, .. } => {
            dedication.as_ref().map_or_else(|| "mosque donation".to_owned(), |d| format!("mosque donation ({d})"))
        }
    }
}

/// `10:00-12:00`.
pub fn slot_text(start: u16, end: u16) -> String {
    format!("{:02}:{:02}-{:02}:{:02}", start / 60, start % 60, end / 60, end % 60)
}

fn order_json(o: &Order) -> serde_json::Value {
    let t = &o.totals;
    let lines: Vec<_> = o
        .lines
        .iter()
        .map(|l| {
            serde_json::json!({"productId": l.product_id.0, "productSapId": l.product_sap_id, "title": l.title.en,
                "quantity": l.quantity, "freeQuantity": l.free_quantity, "coupons": l.coupons, "unitPrice": money_json(l.unit_price),
                "lineTotal": money_json(l.line_total)})
        })
        .collect();
    let (kind, target) = match &o.delivery {
        DeliveryTarget::Address { address_id, .. } => ("address", address_id.0),
        DeliveryTarget::Mosque { mosque_id, .. } => ("mosque", mosque_id.0),
    };
    serde_json::json!({
        "id": o.id.0, "number": o.number, "sapId": o.sap_id, "customerId": o.customer_id.0, "status": o.status.as_str(),
        "paymentMethod": o.payment_method.as_str(), "promoCode": o.promo_code, "comment": o.comment, "lines": lines,
        "totals": {"subTotal": money_json(t.sub_total), "promotionDiscount": money_json(t.promotion_discount),
            "orderDiscount": money_json(t.order_discount), "deliveryFee": money_json(t.delivery_fee), "taxTotal": money_json(t.tax_total),
            "netAmount": money_json(t.net_amount), "couponCredit": money_json(t.coupon_credit), "amountToPay": money_json(t.amount_to_pay)},
        "delivery": {"kind": kind, "targetId": target, "text": delivery_text(o), "areaId": o.slot.area_id.0, "slotId": o.slot.slot_id.0,
            "date": o.slot.date.to_string(), "window": slot_text(o.slot.starts_minute, o.slot.ends_minute)},
        "createdAt": when(o.created_at), "updatedAt": when(o.updated_at),
    })
}

fn details_json(d: &OrderDetails) -> serde_json::Value {
    let mut value = order_json(&d.order);
    value["events"] = d
        .events
        .iter()
        .map(|e| {
            serde_json::json!({"from": e.from.map(OrderStatus::as_str), "to": e.to.as_str(), "actor": e.actor.kind.as_str(),
                "actorId": e.actor.id, "reason": e.reason, "at": when(e.at)})
        })
        .collect();
    value["payments"] = d
        .payments
        .iter()
        .map(|p| {
            serde_json::json!({"id": p.id, "provider": p.provider, "method": p.method.as_str(), "chargeId": p.charge_id,
                "amount": money_json(p.amount), "status": p.status, "lastError": p.last_error, "createdAt": when(p.created_at)})
        })
        .collect();
    value
}

fn print_details(d: &OrderDetails) {
    let o = &d.order;
    println!("order {}  {}  {} ({})", o.number, o.status.as_str(), when(o.created_at), o.id.0);
    println!("customer  {}", o.customer_id.0);
    println!("delivery  {} {}  {}", o.slot.date, slot_text(o.slot.starts_minute, o.slot.ends_minute), delivery_text(o));
    println!("payment   {}{}", o.payment_method.as_str(), o.promo_code.as_ref().map_or_else(String::new, |c| format!("  promo code {c}")));
    if let Some(comment) = &o.comment {
        println!("comment   {comment}");
    }
    println!();
    let mut lines = Table::new(&["PRODUCT", "QTY", "FREE", "COUPONS", "UNIT", "TOTAL"]);
    for l in &o.lines {
        lines.row(vec![
            l.title.en.clone(),
            l.quantity.to_string(),
            l.free_quantity.to_string(),
            l.coupons.to_string(),
            money(l.unit_price),
            money(l.line_total),
        ]);
    }
    lines.print_or("(no lines)");
    let t = &o.totals;
    println!();
    let width = money(t.sub_total).len().max(money(t.net_amount).len());
    for (label, amount) in [
        ("sub-total", t.sub_total),
        ("promotions", t.promotion_discount),
        ("promo code", t.order_discount),
        ("delivery", t.delivery_fee),
        ("tax", t.tax_total),
        ("net", t.net_amount),
        ("coupons", t.coupon_credit),
        ("to pay", t.amount_to_pay),
    ] {
        println!("{label:>12}  {:>width$}", money(amount));
    }
    println!("\nhistory");
    for e in &d.events {
        let from = e.from.map_or("-", OrderStatus::as_str);
        let reason = e.reason.as_ref().map_or_else(String::new, |r| format!("  \"{r}\""));
        println!("  {}  {from} -> {}  by {}{reason}", when(e.at), e.to.as_str(), e.actor.kind.as_str());
    }
    if !d.payments.is_empty() {
        println!("\npayments");
        for p in &d.payments {
            println!("  {}  {} {} {}  {}", when(p.created_at), p.provider, p.method.as_str(), money(p.amount), p.status);
        }
    }
}

fn order_error(number: i64, e: OrderError) -> String {
    match e {
        OrderError::NotFound => format!("no order has the number {number}"),
        OrderError::Transition(t) => {
            let allowed: Vec<&str> = t.allowed.iter().map(|s| s.as_str()).collect();
            let next = if allowed.is_empty() { "nowhere".to_owned() } else { allowed.join(", ") };
            format!("order {number}: {t}; from {} an admin may move it to: {next}", t.from.as_str())
        }
        other => format!("order {number}: {other}"),
    }
}

/// Runs one `sabil orders` command.
///
/// # Errors
/// One line saying what failed.
pub async fn run(app: &App, as_admin: Option<&str>, command: OrdersCommand) -> Result<(), String> {
    let admin = actor::admin(app, as_admin).await?;
    match command {
        OrdersCommand::List { status, customer, from, to, limit, json } => {
            let customer = match customer {
                Some(raw) => Some(customer_id(app, &admin, &raw).await?),
                None => None,
            };
            let (from, until) = day_bounds(app, from, to);
            let status = status.as_deref().and_then(OrderStatus::parse);
            let (orders, more) = pages(limit, |page| {
                let query = OrderQuery { customer, status, from, until, page };
                let admin = &admin;
                async move { app.orders.all_orders(admin, &query).await.map_err(|e| format!("orders list: {e}")) }
            })
            .await?;
            if json {
                return print_json(&serde_json::Value::Array(orders.iter().map(order_json).collect()));
            }
            let mut table = Table::new(&["NUMBER", "PLACED", "STATUS", "PAYMENT", "DELIVERY", "PACKS", "TO PAY"]);
            for o in &orders {
                let packs: u32 = o.lines.iter().map(|l| l.quantity + l.free_quantity).sum();
                let delivery = format!("{} {}", o.slot.date, slot_text(o.slot.starts_minute, o.slot.ends_minute));
                table.row(vec![
                    o.number.to_string(),
                    when(o.created_at),
                    o.status.as_str().to_owned(),
                    o.payment_method.as_str().to_owned(),
                    delivery,
                    packs.to_string(),
                    money(o.totals.amount_to_pay),
                ]);
            }
            table.print_or("no orders match");
            if more {
                println!("(more orders match: raise --limit, or use `sabil orders export --csv`)");
            }
        }
        OrdersCommand::Show { number, json } => {
            let details = app.orders.any_order_by_number(&admin, number).await.map_err(|e| order_error(number, e))?;
            if json {
                return print_json(&details_json(&details));
            }
            print_details(&details);
        }
        OrdersCommand::SetStatus { number, status, reason } => {
            let to = OrderStatus::parse(&status).ok_or_else(|| format!("{status:?} is not an order status"))?;
            let details = app.orders.any_order_by_number(&admin, number).await.map_err(|e| order_error(number, e))?;
            let from = details.order.status;
            let moved = app.orders.set_status(&admin, details.order.id, to, reason).await.map_err(|e| order_error(number, e))?;
            println!("order {number}: {} -> {}", from.as_str(), moved.status.as_str());
        }
        OrdersCommand::Export(args) => orders_export::run(app, &admin, args).await?,
    }
    Ok(())
}
