//! The load generator of the chat benchmark (`tests/bench/chat_ws_bench.sh`). Two modes:
//!
//! - `seed`: opens the database named by the environment (`SABIL_DATABASE_URL`, `SABIL_JWT_SECRET`, ... as
//!   the server reads them) through the application itself, creates `--customers` customers and `--agents`
//!   admins (one password hash shared by all, so seeding spends no argon2 time), signs an access token for
//!   each (valid `--token-hours`), starts one conversation for each of the first `--conversations`
//!   customers, and writes the tokens and conversation ids to `--out` (JSON). Run it before the server
//!   starts (SQLite) or alongside (PostgreSQL).
//! - `load`: opens one WebSocket per customer and per agent to `--url` (so `--customers` + `--agents`
//!   connections), waits for every `ready`, then for `--duration` seconds each seeded conversation
//!   ping-pongs: its customer sends a message (the customers' first messages spread evenly over one
//!   think time, or with `--lockstep` all at the start, so every round arrives as one burst); the agent that owns it (conversation i belongs to agent
//!   i mod agents) answers `--think-ms` after receiving it; the customer answers the same way. Every
//!   message carries its send time; the delivery latency is send → receipt of the `message` frame at the
//!   other side's socket (same process, same clock). The other customers stay connected and idle. With
//!   `--server-pid`, samples the server's VmRSS from `/proc/<pid>/status` every 200 ms. Prints connect
//!   time, messages/s, latency p50/p90/p99/max (nearest rank), the same for send → the sender's `sent`
//!   answer (the message stored), errors, RSS; the last line is
//!   `RESULT key=value ...`.
//!
//! Build: `cargo build --release -p sabil-api --bench chat_ws_load` (a `harness = false` bench target).
//! Usage: `chat_ws_load <seed|load> --help`.
use std::collections::HashSet;
use std::error::Error;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use futures_util::{SinkExt as _, StreamExt as _};
use sabil_adapters::app::App;
use sabil_adapters::config::Config;
use sabil_core::domain::chat::ChatContent;
use sabil_core::domain::{AccessClaims, FullName, Password, Phone, Role, Subject};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

type AnyError = Box<dyn Error + Send + Sync>;

#[derive(Parser)]
#[command(name = "chat_ws_load", about = "Load generator of tests/bench/chat_ws_bench.sh")]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Create customers, agents and conversations in the database; write their tokens.
    Seed(SeedArgs),
    /// Open the connections, ping-pong in the conversations, print latency and RSS.
    Load(LoadArgs),
}

#[derive(Args)]
struct SeedArgs {
    #[arg(long, default_value_t = 990)]
    customers: usize,
    #[arg(long, default_value_t = 10)]
    agents: usize,
    #[arg(long, default_value_t = 100)]
    conversations: usize,
    #[arg(long, default_value_t = 6)]
    token_hours: i64,
    #[arg(long)]
    out: std::path::PathBuf,
}

#[derive(Args)]
struct LoadArgs {
    #[arg(long)]
    setup: std::path::PathBuf,
    /// e.g. ws://127.0.0.1:18390/api/chat/ws
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Pause before answering a message, per side.
    #[arg(long, default_value_t = 500)]
    think_ms: u64,
    /// Start every conversation at the same instant (the default spreads their first messages evenly over
    /// one think time, as independent users would; in lockstep each round arrives as one burst).
    #[arg(long)]
    lockstep: bool,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 32)]
    connect_concurrency: usize,
    /// The server's process id, for its memory.
    #[arg(long)]
    server_pid: Option<u32>,
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    match Cli::parse().mode {
        Mode::Seed(a) => seed(a).await,
        Mode::Load(a) => load(a).await,
    }
}

async fn seed(a: SeedArgs) -> Result<(), AnyError> {
    let started = Instant::now();
    let app = App::from_config(&Config::from_env()?).await?;
    let hash = app.ports.passwords.hash(&Password::parse("bench-water-for-the-mosque")?).await;
    let now = time::OffsetDateTime::now_utc();
    let hours = a.token_hours;
    let account = |n: usize, role: Role| {
        let (app, hash) = (app.clone(), hash.clone());
        async move {
            let prefix = if role == Role::Admin { 6 } else { 5 };
            let phone = Phone::parse(&format!("+965{prefix}{n:07}"))?;
            let user = app.accounts.create_active_with_hash(phone, FullName::parse("Bench User")?, hash, role).await?;
            let claims =
                AccessClaims { subject: Subject::User(user.id), role, issued_at: now, expires_at: now + time::Duration::hours(hours) };
            Ok::<_, AnyError>((claims.clone(), app.ports.tokens.issue(&claims)))
        }
    };
    let mut customers = Vec::new();
    for n in 0..a.customers {
        let (claims, token) = account(n, Role::Customer).await?;
        let conversation = if n < a.conversations {
            let who = app.chat.participant(&claims).await?;
            let (c, _) = app.chat.start(&who, Some(format!("bench {n}")), ChatContent::parse(Some("hello"), None)?).await?;
            Some(c.id.0.to_string())
        } else {
            None
        };
        customers.push(json!({"token": token, "conversation": conversation}));
    }
    let mut agents = Vec::new();
    for n in 0..a.agents {
        agents.push(json!(account(n, Role::Admin).await?.1));
    }
    std::fs::write(&a.out, json!({"customers": customers, "agents": agents}).to_string())?;
    println!(
        "seeded {} customers ({} with a conversation) and {} agents in {:.1} s",
        a.customers,
        a.conversations.min(a.customers),
        a.agents,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What the sockets share.
struct Shared {
    origin: Instant,
    stop: AtomicBool,
    think: Duration,
    latencies: Mutex<Vec<u64>>,
    /// Send -> the sender's `sent` answer (the message stored), µs.
    acks: Mutex<Vec<u64>>,
    sent: AtomicU64,
    errors: AtomicU64,
}

impl Shared {
    fn micros(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// What a socket does.
enum Part {
    /// A customer in a seeded conversation, who sends the first message this long after the start.
    Customer(String, Duration),
    /// An agent answering the conversations it owns.
    Agent(HashSet<String>),
    /// A connected customer with nothing to say.
    Idle,
}

fn send_frame(conversation: &str, shared: &Shared) -> String {
    shared.sent.fetch_add(1, Ordering::Relaxed);
    json!({"type": "send", "conversationId": conversation, "text": format!("t={}", shared.micros())}).to_string()
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(url: &str, token: &str) -> Result<Socket, AnyError> {
    let mut req = url.into_client_request()?;
    req.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
    let nodelay = std::env::var("BENCH_CLIENT_NODELAY").is_ok_and(|v| v == "1");
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, None, nodelay).await?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) if serde_json::from_str::<Value>(&t)?["type"] == "ready" => return Ok(ws),
            Some(Ok(_)) => {}
            other => return Err(format!("no ready frame: {other:?}").into()),
        }
    }
}

/// Runs one socket until the end of the load.
async fn drive(ws: Socket, part: Part, shared: Arc<Shared>, mut go: tokio::sync::watch::Receiver<bool>) {
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if sink.send(Message::Text(frame.into())).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    if go.wait_for(|started| *started).await.is_err() {
        return;
    }
    if let Part::Customer(c, first) = &part {
        tokio::time::sleep(*first).await;
        let _ = tx.send(send_frame(c, &shared));
    }
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else { continue };
        let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
        match frame["type"].as_str() {
            Some("error") => {
                shared.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            Some("message") => {}
            Some("sent") => {
                if let Some(sent) = frame["message"]["text"].as_str().and_then(|t| t.strip_prefix("t=")).and_then(|t| t.parse::<u64>().ok())
                {
                    let latency = shared.micros().saturating_sub(sent);
                    shared.acks.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(latency);
                }
                continue;
            }
            _ => continue,
        }
        let m = &frame["message"];
        let conversation = m["conversationId"].as_str().unwrap_or_default().to_owned();
        let mine = match &part {
            Part::Customer(c, _) => m["sender"] == "support" && *c == conversation,
            Part::Agent(owned) => m["sender"] == "customer" && owned.contains(&conversation),
            Part::Idle => false,
        };
        if !mine {
            continue;
        }
        if let Some(sent) = m["text"].as_str().and_then(|t| t.strip_prefix("t=")).and_then(|t| t.parse::<u64>().ok()) {
            let latency = shared.micros().saturating_sub(sent);
            shared.latencies.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(latency);
        }
        if shared.stop.load(Ordering::Relaxed) {
            continue;
        }
        let (tx, shared) = (tx.clone(), shared.clone());
        tokio::spawn(async move {
            tokio::time::sleep(shared.think).await;
            if !shared.stop.load(Ordering::Relaxed) {
                let _ = tx.send(send_frame(&conversation, &shared));
            }
        });
    }
    drop(tx);
    let _ = writer.await;
}

/// VmRSS and VmHWM of a process, in KiB.
fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// CPU seconds (user + system) a process has used: /proc reports clock ticks of USER_HZ, 100 on Linux.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn rank(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

async fn load(a: LoadArgs) -> Result<(), AnyError> {
    let setup: Value = serde_json::from_str(&std::fs::read_to_string(&a.setup)?)?;
    let customers = setup["customers"].as_array().ok_or("no customers in the setup")?.clone();
    let agents: Vec<String> = setup["agents"].as_array().ok_or("no agents")?.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect();
    let conversations: Vec<String> = customers.iter().filter_map(|c| c["conversation"].as_str().map(str::to_owned)).collect();
    let shared = Arc::new(Shared {
        origin: Instant::now(),
        stop: AtomicBool::new(false),
        think: Duration::from_millis(a.think_ms),
        latencies: Mutex::new(Vec::new()),
        acks: Mutex::new(Vec::new()),
        sent: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });
    let before = a.server_pid.and_then(memory);
    let (start, go) = tokio::sync::watch::channel(false);
    let gate = Arc::new(Semaphore::new(a.connect_concurrency));
    let mut opening = Vec::new();
    let mut plan: Vec<(String, Part)> = customers
        .iter()
        .map(|c| {
            let token = c["token"].as_str().unwrap_or_default().to_owned();
            let part = c["conversation"].as_str().map_or(Part::Idle, |id| Part::Customer(id.to_owned(), Duration::ZERO));
            (token, part)
        })
        .collect();
    if !a.lockstep {
        let mut k = 0_u32;
        let n = u32::try_from(conversations.len().max(1)).unwrap_or(u32::MAX);
        for (_, part) in &mut plan {
            if let Part::Customer(_, first) = part {
                *first = Duration::from_millis(a.think_ms) * k / n;
                k += 1;
            }
        }
    }
    for (i, token) in agents.iter().enumerate() {
        let owned = conversations.iter().enumerate().filter(|(k, _)| k % agents.len() == i).map(|(_, c)| c.clone()).collect();
        plan.push((token.clone(), Part::Agent(owned)));
    }
    let connect_started = Instant::now();
    for (token, part) in plan {
        let (url, gate, shared, go) = (a.url.clone(), gate.clone(), shared.clone(), go.clone());
        opening.push(tokio::spawn(async move {
            let ws = {
                let _permit = gate.acquire().await?;
                open(&url, &token).await?
            };
            Ok::<_, AnyError>(tokio::spawn(drive(ws, part, shared, go)))
        }));
    }
    let mut running = Vec::new();
    for o in opening {
        running.push(o.await??);
    }
    let connect_s = connect_started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let connected = a.server_pid.and_then(memory);
    println!("connections: {} ({} customers, {} agents) open in {connect_s:.2} s", running.len(), customers.len(), agents.len());

    let peak = Arc::new(AtomicU64::new(0));
    let sampler = a.server_pid.map(|pid| {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                if let Some((rss, _)) = memory(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    });
    let server_pid = a.server_pid.map(|p| p.to_string());
    let cpu_before = (server_pid.as_deref().and_then(cpu_seconds), cpu_seconds("self"));
    let load_started = Instant::now();
    start.send_replace(true);
    tokio::time::sleep(Duration::from_secs(a.duration)).await;
    shared.stop.store(true, Ordering::Relaxed);
    let wall = load_started.elapsed().as_secs_f64();
    let cpu_after = (server_pid.as_deref().and_then(cpu_seconds), cpu_seconds("self"));
    // Messages in flight arrive (and count) during the grace period; nothing new is sent.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = a.server_pid.and_then(memory);
    if let Some(s) = sampler {
        s.abort();
    }
    for r in &running {
        r.abort();
    }

    let mut latencies = std::mem::take(&mut *shared.latencies.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    latencies.sort_unstable();
    let received = latencies.len();
    let sent = shared.sent.load(Ordering::Relaxed);
    let errors = shared.errors.load(Ordering::Relaxed);
    let (p50, p90, p99, max) = (rank(&latencies, 50.0), rank(&latencies, 90.0), rank(&latencies, 99.0), rank(&latencies, 100.0));
    println!(
        "messages: {sent} sent, {received} received by their recipient in {wall:.1} s ({:.0}/s), {errors} error frames",
        received as f64 / wall
    );
    println!(
        "delivery latency (send -> receipt at the other side's socket): p50 {p50:.2} ms, p90 {p90:.2} ms, p99 {p99:.2} ms, max {max:.2} ms"
    );
    let mut acks = std::mem::take(&mut *shared.acks.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    acks.sort_unstable();
    println!(
        "stored (send -> the sender's `sent` answer): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        rank(&acks, 50.0),
        rank(&acks, 90.0),
        rank(&acks, 99.0),
        rank(&acks, 100.0)
    );
    let mut result = format!(
        "RESULT connections={} connect_s={connect_s:.2} sent={sent} received={received} per_s={:.0} errors={errors} p50_ms={p50:.2} p90_ms={p90:.2} p99_ms={p99:.2} max_ms={max:.2}",
        running.len(),
        received as f64 / wall
    );
    if let ((Some(s0), Some(g0)), (Some(s1), Some(g1))) = (cpu_before, cpu_after) {
        println!(
            "CPU during the load: server {:.1} s ({:.0} % of one core), generator {:.1} s ({:.0} %)",
            s1 - s0,
            100.0 * (s1 - s0) / wall,
            g1 - g0,
            100.0 * (g1 - g0) / wall
        );
        result += &format!(" server_cpu_pct={:.0} generator_cpu_pct={:.0}", 100.0 * (s1 - s0) / wall, 100.0 * (g1 - g0) / wall);
    }
    if let (Some((idle, _)), Some((open, _)), Some((end, hwm))) = (before, connected, after) {
        let peak = peak.load(Ordering::Relaxed).max(end);
        println!(
            "server RSS: {} MiB before the connections, {} MiB with them open, {} MiB peak during the load, {} MiB at the end (VmHWM {} MiB)",
            mib(idle),
            mib(open),
            mib(peak),
            mib(end),
            mib(hwm)
        );
        result += &format!(" rss_idle_mib={} rss_open_mib={} rss_peak_mib={} rss_hwm_mib={}", mib(idle), mib(open), mib(peak), mib(hwm));
    }
    println!("{result}");
    Ok(())
}
