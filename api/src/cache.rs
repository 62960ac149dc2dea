//! Serves catalog and reference reads (products, promotions, delivery areas, mosques, FAQ,
//! contacts) from the read cache: the serialized
//! bytes per path, query and language, with a strong `ETag` and `304 Not Modified` for
//! `If-None-Match`. Signed-in requests and everything else pass through.
use poem::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use sabil_adapters::cache::{CachedResponse, CatalogCache};

use crate::routes::catalog_dto::language;

/// How long clients and shared caches may reuse a catalog answer before revalidating it.
const CACHE_CONTROL: &str = "public, max-age=60";

/// Wraps the API endpoint.
pub struct CatalogCacheLayer<E> {
    inner: E,
    cache: CatalogCache,
}

impl<E> CatalogCacheLayer<E> {
    pub fn new(inner: E, cache: CatalogCache) -> Self {
        Self { inner, cache }
    }
}

fn cacheable(path: &str) -> bool {
    path.starts_with("/api/products")
        || path == "/api/promotions"
        || path.starts_with("/api/delivery-areas")
        || path.starts_with("/api/mosques")
        || path == "/api/faq"
        || path == "/api/contacts"
}

/// Marks how an answer was made (`hit` from the cached bytes, `miss` made and stored now).
static X_CACHE: HeaderName = HeaderName::from_static("x-cache");

fn answer(hit: &CachedResponse, if_none_match: Option<&str>, source: &'static str) -> Response {
    let etag = hit.etag.as_bytes();
    let matches = if_none_match.is_some_and(|v| v.split(',').any(|tag| tag.trim().as_bytes() == etag || tag.trim() == "*"));
    let mut resp = if matches {
        Response::builder().status(StatusCode::NOT_MODIFIED).finish()
    } else {
        // The cached bytes are shared, not copied into every answer.
        Response::builder().body(poem::Body::from_bytes(hit.body.clone()))
    };
    let headers = resp.headers_mut();
    // Room for these and the pipeline's own (request id, security headers) without growing the map.
    headers.reserve(12);
    if !matches {
        headers.insert(header::CONTENT_TYPE, hit.content_type.clone());
    }
    headers.insert(header::ETAG, hit.etag.clone());
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    headers.insert(X_CACHE.clone(), HeaderValue::from_static(source));
    resp
}

/// The cache key of a request: path, query and language.
fn key(path_and_query: &str, lang: &str) -> String {
    let mut key = String::with_capacity(path_and_query.len() + 1 + lang.len());
    key.push_str(path_and_query);
    key.push('|');
    key.push_str(lang);
    key
}

/// The answer to an anonymous catalog `GET` the cache holds, without running any route: the pipeline
/// calls this first, so a hit costs a key, a map lookup and the headers. Cross-origin requests (with
/// `Origin`) take the normal way, through the CORS layer.
pub fn hit(cache: &CatalogCache, req: &Request) -> Option<Response> {
    if req.method() != Method::GET || req.headers().contains_key(header::AUTHORIZATION) || req.headers().contains_key(header::ORIGIN) {
        return None;
    }
    let received = req.uri().path_and_query()?;
    if !cacheable(received.path()) {
        return None;
    }
    let lang = language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let found = cache.get(&key(received.as_str(), lang.as_str()))?;
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    Some(answer(&found, if_none_match, "hit"))
}

impl<E: Endpoint> Endpoint for CatalogCacheLayer<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let received = crate::context::ctx(&req).path_and_query;
        let path = received.split('?').next().unwrap_or_default().to_owned();
        if req.method() != Method::GET || req.headers().contains_key(header::AUTHORIZATION) || !cacheable(&path) {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let lang = language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
        let key = key(&received, lang.as_str());
        let if_none_match = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
        if let Some(hit) = self.cache.get(&key) {
            return Ok(answer(&hit, if_none_match.as_deref(), "hit"));
        }
        let version = self.cache.version();
        let resp = self.inner.call(req).await?.into_response();
        if resp.status() != StatusCode::OK {
            return Ok(resp);
        }
        let content_type =
            resp.headers().get(header::CONTENT_TYPE).cloned().unwrap_or_else(|| HeaderValue::from_static("application/json"));
        let body = resp.into_body().into_vec().await?;
        let made = CachedResponse::new(version, content_type, body).map_err(|e| poem::Error::new(e, StatusCode::INTERNAL_SERVER_ERROR))?;
        let stored = self.cache.put(key, made);
        Ok(answer(&stored, if_none_match.as_deref(), "miss"))
    }
}
