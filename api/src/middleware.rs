//! The request pipeline around every route: request id and log span, client address, body limit,
//! the one error shape for every failure (including poem-openapi's own), audit of denied requests,
//! Prometheus metrics, and security headers.
use std::sync::Arc;
use std::time::Instant;

use poem::http::{HeaderName, HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::error::{AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError};
use sabil_core::domain::AuditKind;
use tracing::Instrument as _;

use crate::body::BodyLimit;
use crate::context::{RequestCtx, client_ip};
use crate::error::{ApiError, FieldProblemBody};
use crate::state::AppState;

/// The request id header, in requests (a caller's own id) and in every answer.
static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps the whole application.
pub struct Pipeline<E> {
    inner: E,
    state: AppState,
    hsts: bool,
    routes: RouteTemplates,
}

impl<E> Pipeline<E> {
    pub fn new(inner: E, state: AppState) -> Self {
        let hsts = state.config.tls_cert.is_some();
        Self { inner, state, hsts, routes: RouteTemplates::from_spec(|| crate::routes::service().spec()) }
    }
}

/// The declared paths of the API (`/api/admin/users/{id}/block`), to label metrics and audit rows
/// with a bounded set of routes whatever path a client sends.
struct RouteTemplates(&'static RouteTable);

/// The declared paths: those without parameters by name (the label of such a path is the path), the
/// others by segment.
struct RouteTable {
    exact: std::collections::HashSet<&'static str>,
    templated: Vec<(Vec<String>, &'static str)>,
}

impl RouteTemplates {
    /// The API's declared paths, read once per process (the spec never changes while it runs);
    /// labels are `'static` so metrics need no allocation per request.
    fn from_spec(spec_json: impl FnOnce() -> String) -> Self {
        static TABLE: std::sync::OnceLock<RouteTable> = std::sync::OnceLock::new();
        Self(TABLE.get_or_init(|| {
            let spec: serde_json::Value = serde_json::from_str(&spec_json()).unwrap_or_default();
            let mut table = RouteTable { exact: std::collections::HashSet::new(), templated: Vec::new() };
            for path in spec["paths"].as_object().into_iter().flat_map(|paths| paths.keys()) {
                let full: &'static str = Box::leak(format!("/api{path}").into_boxed_str());
                if full.contains('{') {
                    table.templated.push((full.split('/').map(str::to_owned).collect(), full));
                } else {
                    table.exact.insert(full);
                }
            }
            table
        }))
    }

    /// The template a path matches, a fixed route's own path, or `unmatched`.
    fn label(&self, path: &str) -> &'static str {
        match path {
            "/healthz" => return "/healthz",
            "/readyz" => return "/readyz",
            "/metrics" => return "/metrics",
            "/openapi.json" => return "/openapi.json",
            p if p.starts_with("/docs") => return "/docs",
            p if p == "/admin" || p.starts_with("/admin/") => return "/admin",
            _ => {}
        }
        if let Some(exact) = self.0.exact.get(path) {
            return exact;
        }
        let count = path.split('/').count();
        self.0
            .templated
            .iter()
            .find(|(t, _)| t.len() == count && t.iter().zip(path.split('/')).all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty())))
            .map_or("unmatched", |(_, label)| label)
    }
}

/// Counts a request and records its duration under (route, method, status). The counter and
/// histogram of each label set are registered once per worker thread and then reused, found by the
/// labels' addresses: no lock, no string comparison and no allocation per request.
fn record_request(route: &'static str, method: &'static str, status: &'static str, seconds: f64) {
    type Handles = std::collections::HashMap<[(usize, usize); 3], (metrics::Counter, metrics::Histogram)>;
    thread_local! {
        static HANDLES: std::cell::RefCell<Handles> = std::cell::RefCell::default();
    }
    // Address and length: two labels only share both when they are the same bytes.
    let key = [route, method, status].map(|l| (l.as_ptr() as usize, l.len()));
    HANDLES.with_borrow_mut(|handles| {
        let (requests, duration) = handles.entry(key).or_insert_with(|| {
            let labels = [("route", route), ("method", method), ("status", status)];
            (metrics::counter!("http_requests_total", &labels), metrics::histogram!("http_request_duration_seconds", &labels))
        });
        requests.increment(1);
        duration.record(seconds);
    });
}

/// Bounded, allocation-free label values for the methods and statuses the API answers with.
fn method_label(method: &poem::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "HEAD" => "HEAD",
        _ => "other",
    }
}

fn status_label(status: StatusCode) -> &'static str {
    const KNOWN: [&str; 20] = [
        "200", "201", "202", "204", "304", "400", "401", "403", "404", "405", "409", "411", "413", "415", "422", "429", "500", "502",
        "503", "504",
    ];
    let code = status.as_str();
    KNOWN.iter().find(|k| **k == code).copied().unwrap_or("other")
}

fn request_id(req: &Request) -> String {
    req.headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(new_request_id, str::to_owned)
}

/// A request id unique across instances and restarts without a system call per request: a random
/// prefix drawn once per process, then a counter (`<16 hex>-<counter>`).
fn new_request_id() -> String {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static PREFIX: OnceLock<String> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // The last 16 hex digits of a UUIDv7 are random.
    let prefix = PREFIX.get_or_init(|| uuid::Uuid::now_v7().simple().to_string()[16..].to_owned());
    format!("{prefix}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Renders poem's and poem-openapi's own errors in the one error shape.
fn render_error(e: poem::Error) -> Response {
    let api_error = if let Some(p) = e.downcast_ref::<ParseRequestPayloadError>() {
        ApiError::schema(
            "request.invalid_body",
            format!("The body could not be read: {}", p.reason),
            "Send JSON as described in /openapi.json.",
            vec![],
        )
    } else if let Some(p) = e.downcast_ref::<ParseParamError>() {
        ApiError::schema(
            "request.invalid_parameter",
            format!("The parameter `{}` is not valid.", p.name),
            "Fix the named parameter; its type is in /openapi.json.",
            vec![FieldProblemBody { field: p.name.to_owned(), problem: p.reason.clone() }],
        )
    } else if let Some(p) = e.downcast_ref::<ParsePathError>() {
        ApiError::schema(
            "request.invalid_path",
            format!("The path segment `{}` is not valid.", p.name),
            "Use an id exactly as the API returned it.",
            vec![FieldProblemBody { field: p.name.to_owned(), problem: p.reason.clone() }],
        )
    } else if let Some(c) = e.downcast_ref::<ContentTypeError>() {
        match c {
            ContentTypeError::NotSupported { content_type } => ApiError::unsupported_media_type(Some(content_type)),
            _ => ApiError::unsupported_media_type(None),
        }
    } else if e.is::<AuthorizationError>() {
        ApiError::unauthorized(
            "auth.missing_token",
            "This operation needs an access token.",
            "Send `Authorization: Bearer <accessToken>` with the token from POST /api/auth/login.",
        )
    } else {
        let status = e.status();
        let response = e.into_response();
        let is_json =
            response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("application/json"));
        if is_json {
            return response;
        }
        ApiError::for_status(status.as_u16(), status.canonical_reason().unwrap_or("Request failed"))
    };
    api_error.into_response()
}

/// The `code` and `message` of an error body, for the audit trail.
async fn error_reason(resp: &mut Response) -> String {
    let body = resp.take_body();
    let bytes = body.into_bytes().await.unwrap_or_default();
    let reason = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| Some(format!("{}: {}", v["error"]["code"].as_str()?, v["error"]["message"].as_str()?)))
        .unwrap_or_else(|| resp.status().to_string());
    resp.set_body(bytes);
    reason
}

impl<E: Endpoint> Endpoint for Pipeline<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let started = Instant::now();
        if let Some(resp) = crate::cache::hit(&self.state.app.catalog_cache, &req) {
            return Ok(self.cache_hit(&req, resp, started));
        }
        // Boxed: inline, the state of a full request (the route's future, the log span, the audit
        // write) would make every request's future that large, cache hits included.
        Box::pin(self.serve(req, started)).await
    }
}

impl<E: Endpoint> Pipeline<E> {
    /// Everything but a cache hit: the route, the error shape, the audit of denied requests, metrics,
    /// the log line and the security headers.
    async fn serve(&self, mut req: Request, started: Instant) -> poem::Result<Response> {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let route = self.routes.label(&path);
        let ctx = RequestCtx {
            request_id: request_id(&req),
            route: format!("{method} {route}"),
            path_and_query: req.uri().path_and_query().map_or_else(String::new, ToString::to_string),
            client_ip: client_ip(&req, &self.state.config.trusted_proxies),
            subject: Arc::default(),
        };
        req.extensions_mut().insert(ctx.clone());
        req.extensions_mut().insert(BodyLimit(self.state.config.max_body_bytes));
        let span = tracing::info_span!("request", id = %ctx.request_id, method = %method, path = %path);
        let forwarded_https = ctx.client_ip.is_some()
            && req.headers().get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
            && req.remote_addr().as_socket_addr().is_some_and(|a| self.state.config.trusted_proxies.iter().any(|n| n.contains(&a.ip())));

        let mut resp = async {
            match self.inner.call(req).await {
                Ok(out) => {
                    let resp = out.into_response();
                    if resp.status().is_client_error() || resp.status().is_server_error() { fix_plain_error(resp) } else { resp }
                }
                Err(e) => render_error(e),
            }
        }
        .instrument(span.clone())
        .await;

        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let reason = error_reason(&mut resp).await;
            let meta = ctx.meta();
            self.state.app.accounts.audit(&meta, AuditKind::AccessDenied, ctx.subject(), reason).instrument(span.clone()).await;
        }
        let elapsed = started.elapsed().as_secs_f64();
        record_request(route, method_label(&method), status_label(status), elapsed);
        span.in_scope(|| tracing::info!(status = status.as_u16(), duration_ms = (elapsed * 1000.0).round(), "request finished"));

        self.secure_headers(&mut resp, &ctx.request_id, path.starts_with("/api/"), forwarded_https);
        Ok(resp)
    }
}

impl<E> Pipeline<E> {
    /// Finishes a response served from the read cache: counted in the metrics and logged (at debug:
    /// hits are the bulk of the traffic and carry no news) with the same headers as any answer.
    fn cache_hit(&self, req: &Request, mut resp: Response, started: Instant) -> Response {
        let request_id = request_id(req);
        let route = self.routes.label(req.uri().path());
        let status = resp.status();
        record_request(route, "GET", status_label(status), started.elapsed().as_secs_f64());
        tracing::debug!(id = %request_id, path = %req.uri().path(), status = status.as_u16(), "request answered from the read cache");
        // A cache hit is anonymous and never depends on the forwarded protocol for its body.
        self.secure_headers(&mut resp, &request_id, true, false);
        resp
    }

    fn secure_headers(&self, resp: &mut Response, request_id: &str, api: bool, forwarded_https: bool) {
        let headers = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(request_id) {
            headers.insert(X_REQUEST_ID.clone(), v);
        }
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        // API answers are private and fresh unless the operation chose its own lifetime (files, catalog).
        if api && !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if self.hsts || forwarded_https {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
        }
    }
}

/// An error answered as a response that is not in the error shape (e.g. by poem itself).
fn fix_plain_error(resp: Response) -> Response {
    let is_json =
        resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let status = resp.status();
    let mut fixed = ApiError::for_status(status.as_u16(), status.canonical_reason().unwrap_or("Request failed")).into_response();
    for (name, value) in resp.headers() {
        if name == header::ALLOW || name == header::RETRY_AFTER || name == header::WWW_AUTHENTICATE {
            fixed.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fixed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_labelled_by_their_declared_template_or_as_unmatched() {
        let routes = RouteTemplates::from_spec(|| crate::routes::service().spec());
        assert_eq!(routes.label("/api/auth/login"), "/api/auth/login");
        assert_eq!(routes.label("/api/admin/users/0194f0c2-0000-7000-8000-000000000000/block"), "/api/admin/users/{id}/block");
        assert_eq!(routes.label("/api/admin/users//block"), "unmatched");
        assert_eq!(routes.label("/api/random-1234"), "unmatched");
        assert_eq!(routes.label("/healthz"), "/healthz");
        assert_eq!(routes.label("/admin/admin.js"), "/admin");
    }
}
