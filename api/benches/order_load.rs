//! The load generator of the order benchmark (`tests/bench/order_bench.sh`) and of the durability drill
//! (`tests/bench/durability_drill.sh`). It speaks HTTP to a running `sabil-api` only; it never opens the
//! database. Three modes:
//!
//! - `seed`: signs in as an admin and creates, through the admin API, one product (12.50 in the country's
//!   currency, 1..10 packs), one delivery area (a polygon around 24.50 N 54.41 E, fee 5.00, minimum order
//!   20.00), one 10:00-12:00 slot per weekday with `--capacity` places per date, and with `--drill-capacity`
//!   one more 16:00-18:00 slot (on the weekday of the first date) with that capacity. Then it registers
//!   `--customers` customers (POST /api/auth/register, each with its own `X-Forwarded-For` address so the
//!   per-IP code allowance is not hit: the server must trust 127.0.0.1 as a proxy), reads their SMS codes
//!   with `<sabil> sms list` (the local outbox; the database settings come from the environment), verifies
//!   them, and adds one address in the area for each. Writes everything the other modes need to `--out`
//!   (JSON). Dates: `--dates` consecutive days from the UTC date two days ahead (well past the cut-off),
//!   each with the slot of its weekday.
//! - `load`: `--concurrency` customers (one task each, own cart) loop for `--duration` seconds: put 2 packs of
//!   the product in the cart (POST /api/cart/items), check out (POST /api/cart/checkout) with a fresh UUIDv7
//!   `Idempotency-Key`, payment `--payment` (`cash` by default: the order starts `confirmed`; the server needs
//!   SABIL_CASH_ON_DELIVERY=true), delivery to the customer's address, slot and date rotating over the seeded
//!   (slot, date) pairs. Records the latency of every checkout (from send to the full body read), counts 201s,
//!   and counts every other answer by status and error code. Prints orders/s (201s / wall time of the run),
//!   checkout latency p50/p90/p99/max (nearest rank) and the error counts; the last line is
//!   `RESULT key=value ...` for the script.
//! - `drill`: `--concurrency` clients, each with `--orders` idempotency keys fixed up front
//!   (`drill-<run>-c<client>-o<n>`), place their orders one after another in the drill slot (all on one
//!   slot and date, so a capacity below the demand makes the last ones 422 `order.slot_full`). Every request
//!   without an answer (connection error, timeout) or with a 5xx is sent again, unchanged (same key, same
//!   body), after `--retry-sleep-ms`, until an answer comes or `--retry-for` seconds pass; the script kills
//!   and restarts the server meanwhile. Writes one line per key to `--answers` (TSV: key, status, error code,
//!   order id, attempts, customer phone) and prints the counts; the last line is `RESULT key=value ...`.
//!
//! Build: `cargo build --release -p sabil-api --bench order_load` (a `harness = false` bench target: `cargo
//! bench` would start it with only `--bench`, which it refuses with its usage; the scripts start it themselves).
//! Usage: `order_load <seed|load|drill> --help`.
use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime, Weekday};
use tokio::sync::Semaphore;

type AnyError = Box<dyn Error + Send + Sync>;

const CUSTOMER_PASSWORD: &str = "bench-water-for-the-mosque";
const WEEKDAYS: [Weekday; 7] =
    [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday, Weekday::Saturday, Weekday::Sunday];

#[derive(Parser)]
#[command(name = "order_load", about = "Load generator of tests/bench/order_bench.sh and tests/bench/durability_drill.sh")]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Create a shop and customers through the HTTP API; write the setup file.
    Seed(SeedArgs),
    /// Concurrent customers ordering for a fixed time; print orders/s and checkout latency.
    Load(LoadArgs),
    /// Fixed idempotency keys per client, every unanswered request retried unchanged; write the answers.
    Drill(DrillArgs),
}

#[derive(Args)]
struct SeedArgs {
    /// The server, e.g. http://127.0.0.1:18290.
    #[arg(long)]
    base: String,
    #[arg(long, default_value = "+96500000001")]
    admin_phone: String,
    #[arg(long, default_value = "sabil-demo-admin")]
    admin_password: String,
    /// The currency of the server's country (SABIL_COUNTRY; AE by default).
    #[arg(long, default_value = "AED")]
    currency: String,
    /// Customers to register.
    #[arg(long, default_value_t = 32)]
    customers: usize,
    /// Places per date of each weekly slot (the admin API accepts at most 10000).
    #[arg(long, default_value_t = 10_000)]
    capacity: u32,
    /// Consecutive delivery dates to spread the load over (each with the slot of its weekday).
    #[arg(long, default_value_t = 28)]
    dates: u32,
    /// Also create the drill slot with this capacity.
    #[arg(long)]
    drill_capacity: Option<u32>,
    /// The `sabil` CLI, to read the local SMS outbox.
    #[arg(long)]
    sabil: String,
    /// Where to write the setup (JSON).
    #[arg(long)]
    out: String,
}

#[derive(Args)]
struct LoadArgs {
    /// The setup file written by `seed`.
    #[arg(long)]
    setup: String,
    /// Concurrent customers (at most the number seeded).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// `cash` (needs SABIL_CASH_ON_DELIVERY=true on the server) or `card`.
    #[arg(long, default_value = "cash")]
    payment: String,
}

#[derive(Args)]
struct DrillArgs {
    /// The setup file written by `seed --drill-capacity`.
    #[arg(long)]
    setup: String,
    /// Concurrent clients (at most the number of customers seeded).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Orders (idempotency keys) per client.
    #[arg(long, default_value_t = 20)]
    orders: usize,
    /// Part of every key, so keys of different runs never meet.
    #[arg(long, default_value = "run")]
    run: String,
    /// `cash` (needs SABIL_CASH_ON_DELIVERY=true on the server) or `card`.
    #[arg(long, default_value = "cash")]
    payment: String,
    /// Give up on a request that has had no answer for this many seconds.
    #[arg(long, default_value_t = 120)]
    retry_for: u64,
    /// Pause before sending an unanswered request again.
    #[arg(long, default_value_t = 100)]
    retry_sleep_ms: u64,
    /// Where to write one line per key (TSV).
    #[arg(long)]
    answers: String,
}

// ------------------------------------------------------------------------------------------------ HTTP

/// One answer: status, the error code of an error body, and the body.
struct Answer {
    status: u16,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    fn str_field(&self, field: &str) -> Result<String, AnyError> {
        self.body[field].as_str().map(str::to_owned).ok_or_else(|| format!("no {field:?} in {}", self.body).into())
    }
}

#[derive(Clone)]
struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    fn new(base: &str, connections: usize) -> Result<Self, AnyError> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(connections.max(1) * 2)
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self { client, base: base.trim_end_matches('/').to_owned() })
    }

    /// Sends one request; `Err` only when no HTTP answer came (connection refused or reset, timeout).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Answer, reqwest::Error> {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Ok(Answer { status, body })
    }

    async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Result<Answer, AnyError> {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = bearer.as_deref().map(|b| ("authorization", b)).into_iter().collect();
        Ok(self.send(reqwest::Method::POST, path, Some(body), &headers).await?)
    }

    /// POST that must answer one of `ok`; returns the body.
    async fn post_ok(&self, path: &str, body: &Value, token: Option<&str>, ok: &[u16]) -> Result<Answer, AnyError> {
        let a = self.post(path, body, token).await?;
        if ok.contains(&a.status) { Ok(a) } else { Err(format!("POST {path} answered {}: {}", a.status, a.body).into()) }
    }
}

// ------------------------------------------------------------------------------------------------ setup file

fn read_setup(path: &str) -> Result<Value, AnyError> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?)
}

fn text(v: &Value, field: &str) -> Result<String, AnyError> {
    v[field].as_str().map(str::to_owned).ok_or_else(|| format!("setup: no {field:?} in {v}").into())
}

/// A seeded customer.
#[derive(Clone)]
struct Customer {
    phone: String,
    token: String,
    address: String,
}

fn customers(setup: &Value, wanted: usize) -> Result<Vec<Customer>, AnyError> {
    let list = setup["customers"].as_array().ok_or("setup: no customers")?;
    if list.len() < wanted {
        return Err(format!("{wanted} concurrent customers asked for, the setup has {}", list.len()).into());
    }
    list.iter()
        .take(wanted)
        .map(|c| Ok(Customer { phone: text(c, "phone")?, token: text(c, "token")?, address: text(c, "addressId")? }))
        .collect()
}

fn checkout_body(address: &str, slot: &str, date: &str, payment: &str) -> Value {
    json!({"delivery": {"addressId": address}, "slotId": slot, "date": date, "paymentMethod": payment})
}

// ------------------------------------------------------------------------------------------------ seed

async fn seed(a: SeedArgs) -> Result<(), AnyError> {
    let http = Http::new(&a.base, 16)?;
    let started = Instant::now();
    let login = http.post_ok("/api/auth/login", &json!({"phone": a.admin_phone, "password": a.admin_password}), None, &[200]).await?;
    let admin = login.str_field("accessToken")?;
    let currency = a.currency.as_str();
    let product = http
        .post_ok(
            "/api/admin/products",
            &json!({"titleAr": "سبيل ٥ جالون", "titleEn": "Sabil 5 gallon (benchmark)", "descriptionAr": "مياه", "descriptionEn": "Water",
                    "type": "refill", "volumeMl": 18900, "bottlesPerPack": 1, "price": {"amount": 1250, "currency": currency},
                    "minQuantity": 1, "maxQuantity": 10, "active": true, "sortOrder": 1}),
            Some(&admin),
            &[200, 201],
        )
        .await?
        .str_field("id")?;
    let boundary =
        json!({"type": "Polygon", "coordinates": [[[54.40, 24.49], [54.42, 24.49], [54.42, 24.51], [54.40, 24.51], [54.40, 24.49]]]});
    let area = http
        .post_ok(
            "/api/admin/delivery-areas",
            &json!({"nameAr": "الريم", "nameEn": "Al Reem (benchmark)", "boundary": boundary,
                    "deliveryFee": {"amount": 500, "currency": currency}, "minimumOrder": {"amount": 2000, "currency": currency},
                    "active": true}),
            Some(&admin),
            &[200, 201],
        )
        .await?
        .str_field("id")?;
    let mut weekly: HashMap<Weekday, String> = HashMap::new();
    for day in WEEKDAYS {
        let slot = slot(&http, &admin, &area, day, "10:00", "12:00", a.capacity).await?;
        weekly.insert(day, slot);
    }
    let first: Date = OffsetDateTime::now_utc().date().saturating_add(time::Duration::days(2));
    let mut slots = Vec::new();
    for d in 0..a.dates.max(1) {
        let date = first.saturating_add(time::Duration::days(i64::from(d)));
        let slot = weekly.get(&date.weekday()).ok_or("weekday without a slot")?;
        slots.push(json!({"slotId": slot, "date": date.to_string()}));
    }
    let drill = match a.drill_capacity {
        Some(capacity) => {
            let id = slot(&http, &admin, &area, first.weekday(), "16:00", "18:00", capacity).await?;
            json!({"slotId": id, "date": first.to_string(), "capacity": capacity})
        }
        None => Value::Null,
    };
    println!("seed: product, area, {} weekly slots (capacity {} per date), {} dates from {first}", weekly.len(), a.capacity, slots.len());

    // Customers: register all, read the codes once, verify and add an address.
    let phones: Vec<String> = (0..a.customers).map(|i| format!("+9655{:07}", 1_000_000 + i)).collect();
    let limit = Arc::new(Semaphore::new(8));
    let mut tasks = Vec::new();
    for (i, phone) in phones.iter().enumerate() {
        let (http, phone, limit) = (http.clone(), phone.clone(), limit.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await?;
            // A documentation-range address per customer: the code allowance is per client IP.
            let ip = format!("198.18.{}.{}", i / 250, 1 + i % 250);
            let body = json!({"phone": phone, "fullName": "Bench Customer", "password": CUSTOMER_PASSWORD, "language": "en"});
            let a = http.send(reqwest::Method::POST, "/api/auth/register", Some(&body), &[("x-forwarded-for", &ip)]).await?;
            if a.status != 202 {
                return Err(AnyError::from(format!("register {phone}: {} {}", a.status, a.body)));
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let codes = sms_codes(&a.sabil, a.customers * 2 + 20)?;
    let mut tasks = Vec::new();
    for phone in phones {
        let code = codes.get(&phone).cloned().ok_or_else(|| format!("no SMS code for {phone} in `sabil sms list`"))?;
        let (http, limit) = (http.clone(), limit.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await?;
            let verified = http
                .post_ok("/api/auth/verify-phone", &json!({"phone": phone, "code": code, "password": CUSTOMER_PASSWORD}), None, &[200])
                .await?;
            let token = verified.str_field("accessToken")?;
            let address = http
                .post_ok(
                    "/api/addresses",
                    &json!({"type": "house", "label": "Home", "block": "3", "street": "Street 12", "house": "14A",
                            "location": {"latitude": 24.50, "longitude": 54.41}}),
                    Some(&token),
                    &[201],
                )
                .await?
                .str_field("id")?;
            Ok::<_, AnyError>(json!({"phone": phone, "token": token, "addressId": address}))
        }));
    }
    let mut list = Vec::new();
    for t in tasks {
        list.push(t.await??);
    }
    let setup = json!({"base": http.base, "currency": currency, "productId": product, "areaId": area, "slots": slots,
                       "drillSlot": drill, "customers": list});
    std::fs::write(&a.out, serde_json::to_string_pretty(&setup)?).map_err(|e| format!("{}: {e}", a.out))?;
    println!(
        "seed: {} customers registered, verified, each with an address; {:.1} s; setup in {}",
        a.customers,
        started.elapsed().as_secs_f64(),
        a.out
    );
    Ok(())
}

async fn slot(http: &Http, admin: &str, area: &str, day: Weekday, starts: &str, ends: &str, capacity: u32) -> Result<String, AnyError> {
    http.post_ok(
        "/api/admin/delivery-slots",
        &json!({"areaId": area, "weekday": day.to_string().to_lowercase(), "startsAt": starts, "endsAt": ends, "capacity": capacity,
                "active": true}),
        Some(admin),
        &[200, 201],
    )
    .await?
    .str_field("id")
}

/// The newest 6-digit code per phone in the local SMS outbox, from `sabil sms list` (lines
/// `<time>  <phone>  <text>`, newest first).
fn sms_codes(sabil: &str, limit: usize) -> Result<HashMap<String, String>, AnyError> {
    let out = std::process::Command::new(sabil).args(["sms", "list", "--limit", &limit.to_string()]).output()?;
    if !out.status.success() {
        return Err(format!("{sabil} sms list failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let mut codes = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut parts = line.splitn(3, "  ");
        let (Some(_), Some(phone), Some(body)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if let Some(code) = body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6) {
            codes.entry(phone.trim().to_owned()).or_insert_with(|| code.to_owned());
        }
    }
    Ok(codes)
}

// ------------------------------------------------------------------------------------------------ load

/// What one load task saw.
#[derive(Default)]
struct Tally {
    placed: u64,
    checkout_ms: Vec<f64>,
    cart_ms: Vec<f64>,
    /// `"checkout 422 order.slot_full"`, `"cart 500 internal"`, `"checkout no answer"` ... -> count.
    errors: BTreeMap<String, u64>,
}

impl Tally {
    fn error(&mut self, what: &str, answer: &Result<Answer, reqwest::Error>) {
        let key = match answer {
            Ok(a) => format!("{what} {} {}", a.status, a.code()).trim_end().to_owned(),
            Err(e) if e.is_timeout() => format!("{what} timeout"),
            Err(_) => format!("{what} no answer"),
        };
        *self.errors.entry(key).or_default() += 1;
    }
}

/// CPU seconds (user + system) this process has used so far, from `/proc/self/stat` (Linux, 100 ticks a
/// second); `None` elsewhere.
fn own_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // `q` in (0, 1]; the rank is at least 1 and at most len, so the cast stays in range.
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

async fn load(a: LoadArgs) -> Result<(), AnyError> {
    let setup = read_setup(&a.setup)?;
    let base = text(&setup, "base")?;
    let product = text(&setup, "productId")?;
    let people = customers(&setup, a.concurrency)?;
    let pairs: Vec<(String, String)> = setup["slots"]
        .as_array()
        .ok_or("setup: no slots")?
        .iter()
        .map(|s| Ok((text(s, "slotId")?, text(s, "date")?)))
        .collect::<Result<_, AnyError>>()?;
    if pairs.is_empty() {
        return Err("setup: no slots".into());
    }
    let http = Http::new(&base, a.concurrency)?;
    let pairs = Arc::new(pairs);
    println!(
        "load: {} customers for {:.1} s against {base}; each loop: POST /api/cart/items (2 packs), POST /api/cart/checkout \
         (fresh Idempotency-Key, payment {}), over {} (slot, date) pairs",
        a.concurrency,
        a.duration,
        a.payment,
        pairs.len()
    );
    let cpu_before = own_cpu_seconds();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(a.duration);
    let mut tasks = Vec::new();
    for (i, c) in people.into_iter().enumerate() {
        let (http, product, pairs, payment) = (http.clone(), product.clone(), pairs.clone(), a.payment.clone());
        tasks.push(tokio::spawn(async move {
            let mut t = Tally::default();
            let bearer = format!("Bearer {}", c.token);
            let cart_body = json!({"productId": product, "quantity": 2});
            let mut n = i;
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let added = http.send(reqwest::Method::POST, "/api/cart/items", Some(&cart_body), &[("authorization", &bearer)]).await;
                t.cart_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
                if !matches!(&added, Ok(a) if a.status == 200) {
                    t.error("cart", &added);
                    continue;
                }
                let (slot, date) = &pairs[n % pairs.len()];
                n += 1;
                let key = uuid::Uuid::now_v7().to_string();
                let body = checkout_body(&c.address, slot, date, &payment);
                let t1 = Instant::now();
                let placed = http
                    .send(
                        reqwest::Method::POST,
                        "/api/cart/checkout",
                        Some(&body),
                        &[("authorization", &bearer), ("idempotency-key", &key)],
                    )
                    .await;
                t.checkout_ms.push(t1.elapsed().as_secs_f64() * 1000.0);
                match &placed {
                    Ok(a) if a.status == 201 => t.placed += 1,
                    _ => t.error("checkout", &placed),
                }
            }
            t
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await?;
        all.placed += t.placed;
        all.checkout_ms.extend(t.checkout_ms);
        all.cart_ms.extend(t.cart_ms);
        for (k, v) in t.errors {
            *all.errors.entry(k).or_default() += v;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = match (cpu_before, own_cpu_seconds()) {
        (Some(b), Some(a)) => a - b,
        _ => f64::NAN,
    };
    all.checkout_ms.sort_by(f64::total_cmp);
    all.cart_ms.sort_by(f64::total_cmp);
    let rate = all.placed as f64 / wall;
    let errors: u64 = all.errors.values().sum();
    let c = &all.checkout_ms;
    println!("orders placed (201): {} in {wall:.2} s = {rate:.1} orders/s", all.placed);
    println!(
        "checkout latency (ms, {} requests): p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        c.len(),
        percentile(c, 0.50),
        percentile(c, 0.90),
        percentile(c, 0.99),
        c.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "cart add latency (ms, {} requests): p50 {:.2}  p99 {:.2}",
        all.cart_ms.len(),
        percentile(&all.cart_ms, 0.50),
        percentile(&all.cart_ms, 0.99)
    );
    println!("load generator CPU: {cpu:.2} s ({:.0} % of one core)", 100.0 * cpu / wall);
    if all.errors.is_empty() {
        println!("errors: none");
    } else {
        println!("errors ({errors}):");
        for (k, v) in &all.errors {
            println!("  {k}: {v}");
        }
    }
    println!(
        "RESULT orders={} seconds={wall:.3} orders_per_s={rate:.1} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2} checkouts={} errors={errors} generator_cpu_s={cpu:.2}",
        all.placed,
        percentile(c, 0.50),
        percentile(c, 0.90),
        percentile(c, 0.99),
        c.last().copied().unwrap_or(f64::NAN),
        c.len()
    );
    Ok(())
}

// ------------------------------------------------------------------------------------------------ drill

/// The final answer to one key.
struct KeyAnswer {
    key: String,
    status: u16,
    code: String,
    order: String,
    attempts: u32,
    phone: String,
}

/// What a drill client counted besides its answers.
#[derive(Default)]
struct DrillTally {
    answers: Vec<KeyAnswer>,
    /// Requests (cart or checkout) sent again after no answer or a 5xx.
    resent: u64,
    /// Checkouts whose first attempt got no answer (or a 5xx), by how they were finally answered.
    retried_keys: BTreeMap<String, u64>,
    /// Cart additions not answered 200 in the end.
    cart_failures: u64,
    /// Keys still without an answer after `retry_for`.
    unanswered: u64,
}

/// Sends until an answer that is not a 5xx comes, or `give_up` passes; counts resends.
async fn until_answered(
    http: &Http,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
    pause: Duration,
    give_up: Duration,
    resent: &mut u64,
) -> (Option<Answer>, u32) {
    let first = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        match http.send(reqwest::Method::POST, path, Some(body), headers).await {
            Ok(a) if a.status < 500 => return (Some(a), attempts),
            _ if first.elapsed() >= give_up => return (None, attempts),
            _ => {
                *resent += 1;
                tokio::time::sleep(pause).await;
            }
        }
    }
}

async fn drill(a: DrillArgs) -> Result<(), AnyError> {
    let setup = read_setup(&a.setup)?;
    let base = text(&setup, "base")?;
    let product = text(&setup, "productId")?;
    let people = customers(&setup, a.concurrency)?;
    let slot = text(&setup["drillSlot"], "slotId").map_err(|_| "setup: no drill slot (seed with --drill-capacity)")?;
    let date = text(&setup["drillSlot"], "date")?;
    let capacity = setup["drillSlot"]["capacity"].as_u64().unwrap_or(0);
    let http = Http::new(&base, a.concurrency)?;
    let (pause, give_up) = (Duration::from_millis(a.retry_sleep_ms), Duration::from_secs(a.retry_for));
    println!(
        "drill: {} clients x {} orders = {} keys on slot {slot} {date} (capacity {capacity}), payment {}; unanswered \
         requests and 5xx are sent again unchanged every {} ms for up to {} s",
        a.concurrency,
        a.orders,
        a.concurrency * a.orders,
        a.payment,
        a.retry_sleep_ms,
        a.retry_for
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, c) in people.into_iter().enumerate() {
        let keys: Vec<String> = (0..a.orders).map(|n| format!("drill-{}-c{i:02}-o{n:02}", a.run)).collect();
        let (http, product, slot, date, payment) = (http.clone(), product.clone(), slot.clone(), date.clone(), a.payment.clone());
        tasks.push(tokio::spawn(async move {
            let mut t = DrillTally::default();
            let bearer = format!("Bearer {}", c.token);
            let cart_body = json!({"productId": product, "quantity": 2});
            let body = checkout_body(&c.address, &slot, &date, &payment);
            for key in keys {
                let (added, _) =
                    until_answered(&http, "/api/cart/items", &cart_body, &[("authorization", &bearer)], pause, give_up, &mut t.resent)
                        .await;
                if !matches!(&added, Some(a) if a.status == 200) {
                    t.cart_failures += 1;
                }
                let headers = [("authorization", bearer.as_str()), ("idempotency-key", key.as_str())];
                let (answer, attempts) = until_answered(&http, "/api/cart/checkout", &body, &headers, pause, give_up, &mut t.resent).await;
                let (status, code, order) = match &answer {
                    Some(a) => (a.status, a.code().to_owned(), a.body["id"].as_str().unwrap_or("").to_owned()),
                    None => {
                        t.unanswered += 1;
                        (0, "no answer".to_owned(), String::new())
                    }
                };
                if attempts > 1 {
                    let how = match status {
                        0 => "never answered".to_owned(),
                        s => format!("{s} {code}").trim_end().to_owned(),
                    };
                    *t.retried_keys.entry(how).or_default() += 1;
                }
                t.answers.push(KeyAnswer { key, status, code, order, attempts, phone: c.phone.clone() });
            }
            t
        }));
    }
    let mut answers = Vec::new();
    let (mut resent, mut cart_failures, mut unanswered) = (0, 0, 0);
    let mut retried_keys: BTreeMap<String, u64> = BTreeMap::new();
    for task in tasks {
        let t = task.await?;
        answers.extend(t.answers);
        resent += t.resent;
        cart_failures += t.cart_failures;
        unanswered += t.unanswered;
        for (k, v) in t.retried_keys {
            *retried_keys.entry(k).or_default() += v;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let mut tsv = String::from("key\tstatus\tcode\torder_id\tattempts\tphone\n");
    let mut by_answer: BTreeMap<String, u64> = BTreeMap::new();
    for k in &answers {
        tsv.push_str(&format!("{}\t{}\t{}\t{}\t{}\t{}\n", k.key, k.status, k.code, k.order, k.attempts, k.phone));
        *by_answer.entry(format!("{} {}", k.status, k.code).trim_end().to_owned()).or_default() += 1;
    }
    std::fs::write(&a.answers, tsv).map_err(|e| format!("{}: {e}", a.answers))?;
    let count = |s: u16| answers.iter().filter(|k| k.status == s).count();
    let slot_full = answers.iter().filter(|k| k.status == 422 && k.code == "order.slot_full").count();
    let other = answers.len() - count(201) - count(200) - slot_full;
    let retried: u64 = retried_keys.values().sum();
    println!("drill: {} keys answered in {wall:.2} s", answers.len());
    println!("  answers by status: {by_answer:?}");
    println!("  keys needing a resend (first attempt unanswered or 5xx), by final answer: {retried_keys:?}");
    println!("  requests sent again: {resent}; cart additions not answered 200: {cart_failures}; keys never answered: {unanswered}");
    println!(
        "RESULT keys={} placed={} replayed={} slot_full={} other={other} unanswered={unanswered} retried_keys={retried} resent={resent} \
         cart_failures={cart_failures} seconds={wall:.2}",
        answers.len(),
        count(201),
        count(200),
        slot_full
    );
    Ok(())
}

// ------------------------------------------------------------------------------------------------ main

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), AnyError> {
    match Cli::parse().mode {
        Mode::Seed(a) => seed(a).await,
        Mode::Load(a) => load(a).await,
        Mode::Drill(a) => drill(a).await,
    }
}
