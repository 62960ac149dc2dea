//! Running the server: plain HTTP or native TLS (certificate reloaded on SIGHUP), graceful
//! shutdown on SIGTERM/SIGINT letting in-flight requests finish.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use poem::Server;
use poem::http::uri::Scheme;
use poem::listener::{Acceptor, AcceptorExt as _, Listener, RustlsCertificate, RustlsConfig, TcpAcceptor, TcpListener};
use poem::web::{LocalAddr, RemoteAddr};
use sabil_adapters::app::App;
use sabil_adapters::config::Config;

use crate::state::AppState;
use crate::telemetry;

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Start(#[from] sabil_adapters::app::StartError),
    #[error("SABIL_TLS_CERT/SABIL_TLS_KEY: {0}")]
    Tls(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: String, source: std::io::Error },
}

fn load_tls(cert: &PathBuf, key: &PathBuf) -> Result<RustlsConfig, String> {
    let cert_pem = std::fs::read(cert).map_err(|e| format!("cannot read {}: {e}", cert.display()))?;
    let key_pem = std::fs::read(key).map_err(|e| format!("cannot read {}: {e}", key.display()))?;
    Ok(RustlsConfig::new().fallback(RustlsCertificate::new().cert(cert_pem).key(key_pem)))
}

/// Resolves when SIGTERM or Ctrl-C arrives.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

/// Starts everything from the configuration and serves until asked to stop.
///
/// # Errors
/// A start-up failure naming the setting at fault.
pub async fn run(config: Config) -> Result<(), ServeError> {
    let started = Instant::now();
    let app = App::from_config(&config).await?;
    if config.demo_data {
        match sabil_adapters::demo::seed(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(created = n, "demo accounts seeded"),
            Err(e) => tracing::warn!(error = %e, "could not seed demo accounts"),
        }
        // The catalog is loaded beside serving, not before it: the first start is not held up by
        // its inserts, and the read cache is told when it has landed.
        let demo = app.clone();
        let history = config.demo_history.then(|| config.clone());
        tokio::spawn(async move {
            match sabil_adapters::demo_catalog::seed_catalog(&demo).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "demo catalog loaded"),
                Err(e) => tracing::warn!(error = %e, "could not load the demo catalog"),
            }
            // Then the order history behind the admin dashboard, into a database without orders only.
            if let Some(config) = history {
                match sabil_adapters::demo_orders::seed_demo_history(&demo, &config).await {
                    Ok(None) => {}
                    Ok(Some(h)) => tracing::info!(orders = h.orders, customers = h.customers, "demo order history loaded"),
                    Err(e) => tracing::warn!(error = %e, "could not load the demo order history"),
                }
            }
        });
    }
    let config = Arc::new(config);
    let metrics = telemetry::metrics_handle();
    if let Some(handle) = metrics.clone() {
        telemetry::spawn_upkeep(handle);
    }
    let state = AppState::new(app.clone(), config.clone(), metrics);
    let endpoint = crate::app(state);
    let addr = config.bind.to_string();
    let listen_err = |source| ServeError::Listen { addr: addr.clone(), source };
    let server_result = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => {
            let initial = load_tls(cert, key).map_err(ServeError::Tls)?;
            let (cert, key) = (cert.clone(), key.clone());
            let reloads = futures_util::stream::unfold((Some(initial), cert, key), |(initial, cert, key)| async move {
                if let Some(first) = initial {
                    return Some((first, (None, cert, key)));
                }
                let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()?;
                loop {
                    hup.recv().await?;
                    match load_tls(&cert, &key) {
                        Ok(config) => {
                            tracing::info!("TLS certificate reloaded");
                            return Some((config, (None, cert, key)));
                        }
                        Err(e) => tracing::error!(error = %e, "TLS reload failed; keeping the current certificate"),
                    }
                }
            });
            let acceptor = NoDelay(TcpListener::bind(addr.clone()).into_acceptor().await.map_err(listen_err)?).rustls(Box::pin(reloads));
            announce(&config, "https", started);
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(endpoint, shutdown_signal(), Some(config.shutdown_grace)).await
        }
        _ => {
            let acceptor = NoDelay(TcpListener::bind(addr.clone()).into_acceptor().await.map_err(listen_err)?);
            announce(&config, "http", started);
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(endpoint, shutdown_signal(), Some(config.shutdown_grace)).await
        }
    };
    app.db.close().await;
    server_result.map_err(|source| ServeError::Listen { addr, source })
}

fn announce(config: &Config, scheme: &str, started: Instant) {
    if config.trusted_proxies.is_empty() && !config.bind.ip().is_loopback() {
        tracing::warn!(
            "SABIL_TRUSTED_PROXIES is empty: behind a load balancer every client shares its address, so per-address \
             sign-in throttling and the audit trail see only the proxy; list the proxies to read X-Forwarded-For"
        );
    }
    let base = format!("{scheme}://{}", config.bind);
    tracing::info!(
        address = %base,
        database = %config.database_url.split('@').next_back().unwrap_or_default(),
        startup_ms = started.elapsed().as_millis() as u64,
        "Sabil API listening"
    );
    println!("Sabil API listening on {base}  (docs: {base}/docs, spec: {base}/openapi.json, health: {base}/readyz)");
    if config.demo_data {
        for (phone, password, _, role) in sabil_adapters::demo::DEMO_ACCOUNTS {
            println!("  demo {role}: phone {phone}, password {password}");
        }
        println!("  one-time codes go to the local SMS outbox: `sabil sms list`");
    }
}

/// Accepts TCP connections with Nagle's algorithm off: a small write (a chat frame, a short answer)
/// leaves at once instead of waiting for the peer to acknowledge the previous one, which a peer that
/// delays its acknowledgements holds back for up to 40 ms.
pub struct NoDelay(pub TcpAcceptor);

impl Acceptor for NoDelay {
    type Io = tokio::net::TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(&mut self) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, scheme) = self.0.accept().await?;
        if let Err(e) = io.set_nodelay(true) {
            tracing::debug!(error = %e, "could not turn Nagle's algorithm off for a connection");
        }
        Ok((io, local, remote, scheme))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_have_nagles_algorithm_off() {
        let mut acceptor = NoDelay(TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("bind"));
        let addr = *acceptor.local_addr()[0].as_socket_addr().expect("a socket address");
        let client = tokio::spawn(tokio::net::TcpStream::connect(addr));
        let (io, _, remote, scheme) = acceptor.accept().await.expect("accept");
        let client = client.await.expect("join").expect("connect");
        assert!(io.nodelay().expect("read TCP_NODELAY"), "the server's side of the connection sends small writes at once");
        assert_eq!(remote.as_socket_addr().copied(), client.local_addr().ok());
        assert_eq!(scheme, Scheme::HTTP);
    }
}
