//! A fake SAP ERP for development, staging drills and tests: it speaks SAP's side of the integration
//! contract (`POST /api/login`, pushes to `/api/{entity}`, its own feed at `GET /api/changes` and
//! `POST /api/confirm-changes`) over an in-memory store, with fault switches and control routes under
//! `/__sim`. `SapSimulator::start` serves it in a spawned task; the `sabil-sap-simulator` binary runs one.
mod api;
mod control;
mod faults;
mod store;
#[cfg(test)]
mod tests;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use poem::listener::TcpAcceptor;
use poem::{EndpointExt, Route, Server, get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Faults, FaultsPatch};
pub use store::{
    Arrival, ConfirmOutcome, FEED_ENTITIES, FeedItem, FeedState, NewFeedItem, PUSH_ENTITIES, SimRecord, SimState, SimTotals, seed_products,
};

use store::Store;

/// How long in-flight requests may run on after a shutdown is asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// How a simulator starts.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The address to listen on (127.0.0.1 by default).
    pub host: IpAddr,
    /// 0 (the default) picks a free port.
    pub port: u16,
    /// The credentials `POST /api/login` accepts.
    pub login: String,
    pub password: String,
    /// How long a token from `POST /api/login` works (`expiresIn`); one hour by default.
    pub token_ttl: Duration,
    /// The switches at start.
    pub faults: Faults,
    /// Product changes put in SAP's feed at start (`seed_products(n, "update")`).
    pub seed_products: u32,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            login: "sabil".to_owned(),
            password: "sabil-dev".to_owned(),
            token_ttl: Duration::from_secs(3600),
            faults: Faults::default(),
            seed_products: 0,
        }
    }
}

/// What the handlers share: the store, the switches and the credentials.
pub(crate) struct Shared {
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    login: String,
    password: String,
    token_ttl: Duration,
}

impl Shared {
    /// The store (a panic in another handler while it held the lock leaves the data usable).
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn faults(&self) -> Faults {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(PoisonError::into_inner) = faults.clamped();
    }
}

/// A running simulator. Dropping it stops the server (as `shutdown` does, without waiting).
pub struct SapSimulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl SapSimulator {
    /// Binds `config.host:config.port` and serves the simulator in a spawned task.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn start(config: SimulatorConfig) -> io::Result<SapSimulator> {
        let listener = tokio::net::TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let acceptor = TcpAcceptor::from_tokio(listener)?;
        let mut store = Store::default();
        if config.seed_products > 0 {
            store.append_feed(seed_products(config.seed_products, "update"));
        }
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            faults: Mutex::new(config.faults.clamped()),
            login: config.login,
            password: config.password,
            token_ttl: config.token_ttl,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let app = routes(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let signal = async move {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            };
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(app, signal, Some(SHUTDOWN_GRACE)).await
        });
        Ok(SapSimulator { addr, shared, stop: Some(stop), task: Some(task) })
    }

    /// The base URL (`http://127.0.0.1:PORT`; a wildcard listen address is shown as 127.0.0.1).
    #[must_use]
    pub fn url(&self) -> String {
        let ip = if self.addr.ip().is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { self.addr.ip() };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// The address listened on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces every switch (`error_rate` is brought into 0..=1).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// The switches now.
    #[must_use]
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Appends changes to SAP's feed; returns their ids, in order.
    pub fn push_feed(&self, items: impl IntoIterator<Item = NewFeedItem>) -> Vec<String> {
        self.shared.store().append_feed(items.into_iter().collect())
    }

    /// A snapshot of what was received and of the feed.
    #[must_use]
    pub fn state(&self) -> SimState {
        self.shared.store().snapshot()
    }

    /// Forgets records, arrivals, counters and the feed, and turns every fault off (tokens stay valid).
    pub fn reset(&self) {
        self.shared.store().reset();
        self.shared.set_faults(Faults::default());
    }

    /// Makes every token issued so far stop working (the next call with one gets 401).
    pub fn expire_tokens(&self) {
        self.shared.store().expire_tokens();
    }

    /// Stops the server and waits for it (in-flight requests get up to a second).
    ///
    /// # Errors
    /// The server failed while running.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for SapSimulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl std::fmt::Debug for SapSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SapSimulator").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// The simulator's routes: SAP's contract under `/api`, the control routes under `/__sim`.
fn routes(shared: Arc<Shared>) -> impl poem::Endpoint<Output = poem::Response> {
    Route::new()
        .at("/api/login", post(api::login))
        .at("/api/changes", get(api::changes))
        .at("/api/confirm-changes", post(api::confirm_changes))
        .at("/api/:entity", post(api::push).put(api::push).delete(api::push))
        .at("/__sim/state", get(control::state))
        .at("/__sim/faults", get(control::get_faults).put(control::set_faults))
        .at("/__sim/feed", post(control::feed))
        .at("/__sim/reset", post(control::reset))
        .at("/__sim/expire-tokens", post(control::expire_tokens))
        .data(shared)
        .map_to_response()
}

/// A JSON answer.
fn json(status: poem::http::StatusCode, body: &impl serde::Serialize) -> poem::Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => poem::Response::builder().status(status).content_type("application/json").body(bytes),
        Err(e) => poem::Response::builder().status(poem::http::StatusCode::INTERNAL_SERVER_ERROR).body(e.to_string()),
    }
}

/// An error answer: `{"error": message}`.
fn error(status: poem::http::StatusCode, message: impl Into<String>) -> poem::Response {
    json(status, &serde_json::json!({ "error": message.into() }))
}

/// The JSON body read as `T`; a 400 naming the field otherwise.
async fn read_json<T: serde::de::DeserializeOwned>(body: poem::Body) -> Result<T, poem::Response> {
    const MAX_BODY: usize = 4 * 1024 * 1024;
    let bytes = body
        .into_bytes_limit(MAX_BODY)
        .await
        .map_err(|e| error(poem::http::StatusCode::BAD_REQUEST, format!("cannot read the body: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(error(poem::http::StatusCode::BAD_REQUEST, "the body is empty; a JSON object is expected"));
    }
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let message = if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) };
        error(poem::http::StatusCode::BAD_REQUEST, message)
    })
}
