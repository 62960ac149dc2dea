//! What the middleware learns about a request and shares with handlers: its id, the client's
//! address (after trusted-proxy resolution), the declared route and, once authenticated, the subject.
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use ipnet::IpNet;
use poem::Request;
use poem::web::RemoteAddr;
use sabil_core::domain::RequestMeta;

/// Per-request facts, put into the request's extensions by the middleware.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub request_id: String,
    /// Method and declared route, e.g. `POST /api/admin/users/{id}/block`.
    pub route: String,
    /// The path and query as received (nested routes see only the rest of the path).
    pub path_and_query: String,
    pub client_ip: Option<IpAddr>,
    /// The authenticated subject, filled in by the bearer checker.
    pub subject: Arc<Mutex<Option<String>>>,
}

impl RequestCtx {
    /// The request as services see it (the declared route, never with ids filled in).
    #[must_use]
    pub fn meta(&self) -> RequestMeta {
        RequestMeta {
            route: self.route.clone(),
            client_ip: self.client_ip.map(|ip| ip.to_string()),
            request_id: Some(self.request_id.clone()),
        }
    }

    pub fn set_subject(&self, subject: String) {
        *self.subject.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(subject);
    }

    #[must_use]
    pub fn subject(&self) -> Option<String> {
        self.subject.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// The request's context; a default one when the middleware did not run (never in the server).
#[must_use]
pub fn ctx(req: &Request) -> RequestCtx {
    req.extensions().get::<RequestCtx>().cloned().unwrap_or_else(|| RequestCtx {
        request_id: String::new(),
        route: format!("{} {}", req.method(), req.uri().path()),
        path_and_query: req.uri().path_and_query().map_or_else(String::new, ToString::to_string),
        client_ip: peer_ip(req),
        subject: Arc::default(),
    })
}

fn peer_ip(req: &Request) -> Option<IpAddr> {
    match req.remote_addr() {
        RemoteAddr(poem::Addr::SocketAddr(addr)) => Some(addr.ip()),
        _ => None,
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which case the right-most
/// address of `X-Forwarded-For` that is not itself a trusted proxy.
#[must_use]
pub fn client_ip(req: &Request, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer_ip(req)?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    Some(forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer))
}
