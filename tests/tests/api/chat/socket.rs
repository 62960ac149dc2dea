//! A real server for a test application (on a free local port), and a WebSocket client for the chat
//! socket that waits for the frames a test expects.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use poem::EndpointExt as _;
use poem::listener::{Acceptor as _, Listener as _, TcpListener};
use sabil_adapters::config::Config;
use sabil_api::AppState;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::harness::{JWT_SECRET, TestApp};

/// The longest a test waits for one frame.
const WAIT: Duration = Duration::from_secs(5);

/// Serves `t`'s application on 127.0.0.1 (a free port) until the test ends; returns the address.
pub async fn serve(t: &TestApp) -> SocketAddr {
    // The application is built already; the server's own settings read nothing from the data folder.
    let vars = HashMap::from([
        ("SABIL_DATA_DIR".to_owned(), std::env::temp_dir().display().to_string()),
        ("SABIL_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
    ]);
    let config = Config::from_vars(&vars).expect("server configuration");
    let state = AppState::new(t.app.clone(), Arc::new(config), None);
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("bind a local port");
    let addr = *acceptor.local_addr()[0].as_socket_addr().expect("a TCP address");
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(sabil_api::app(state).boxed()));
    addr
}

/// An open chat connection.
pub struct Socket(WebSocketStream<MaybeTlsStream<TcpStream>>);

/// How the client authenticates.
pub enum Auth<'a> {
    Header(&'a str),
    Protocol(&'a str),
    None,
}

/// The server's answer to an upgrade it refused: status and JSON body.
pub async fn refused(addr: SocketAddr, auth: Auth<'_>) -> (u16, Value) {
    match open(addr, auth).await {
        Err(WsError::Http(resp)) => {
            let body = resp.body().as_deref().map(|b| serde_json::from_slice(b).unwrap_or(Value::Null)).unwrap_or(Value::Null);
            (resp.status().as_u16(), body)
        }
        Err(other) => panic!("unexpected failure: {other}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

async fn open(addr: SocketAddr, auth: Auth<'_>) -> Result<(Socket, Option<String>), WsError> {
    let mut req = format!("ws://{addr}/api/chat/ws").into_client_request()?;
    match auth {
        Auth::Header(token) => {
            req.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
        }
        Auth::Protocol(token) => {
            req.headers_mut().insert("sec-websocket-protocol", format!("sabil.bearer, {token}").parse().expect("header"));
        }
        Auth::None => {}
    }
    let (ws, resp) = tokio_tungstenite::connect_async(req).await?;
    let protocol = resp.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok((Socket(ws), protocol))
}

impl Socket {
    /// Connects and waits for `ready`; returns the socket and the subprotocol the server chose.
    pub async fn connect(addr: SocketAddr, auth: Auth<'_>) -> (Self, Option<String>) {
        let (mut socket, protocol) = open(addr, auth).await.expect("the upgrade is accepted");
        socket.expect("ready", |_| true).await;
        (socket, protocol)
    }

    /// Connects with a bearer header and waits for `ready`.
    pub async fn bearer(addr: SocketAddr, token: &str) -> Self {
        Self::connect(addr, Auth::Header(token)).await.0
    }

    pub async fn send(&mut self, frame: Value) {
        self.0.send(Message::Text(frame.to_string().into())).await.expect("frame sent");
    }

    pub async fn send_text(&mut self, text: &str) {
        self.0.send(Message::Text(text.to_owned().into())).await.expect("frame sent");
    }

    /// The next JSON frame, whatever it is.
    pub async fn next(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(WAIT, self.0.next()).await.expect("a frame in time").expect("open").expect("readable");
            if let Message::Text(text) = msg {
                return serde_json::from_str(&text).expect("JSON frame");
            }
        }
    }

    /// The first frame of `kind` that satisfies `pred`, skipping others (events of other tests'
    /// conversations may pass by on a shared Redis).
    pub async fn expect(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = tokio::time::timeout(left, self.next()).await.unwrap_or_else(|_| panic!("no {kind} frame in time"));
            if frame["type"] == kind && pred(&frame) {
                return frame;
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.0.close(None).await;
    }
}
