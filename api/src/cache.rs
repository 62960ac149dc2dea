//! Serves catalog and reference reads (products, promotions, delivery areas, mosques, FAQ,
//! contacts) from the read cache: the serialized
//! bytes per path, query and language, with a strong `ETag` and `304 Not Modified` for
//! `If-None-Match`. Signed-in requests and everything else pass through.
use poem::http::{Method, StatusCode, header};
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

fn answer(hit: &CachedResponse, if_none_match: Option<&str>, source: &'static str) -> Response {
    let matches = if_none_match.is_some_and(|v| v.split(',').any(|tag| tag.trim() == hit.etag || tag.trim() == "*"));
    let builder = Response::builder()
        .header(header::ETAG, hit.etag.as_str())
        .header(header::CACHE_CONTROL, CACHE_CONTROL)
        .header(header::VARY, "Accept-Language")
        .header("x-cache", source);
    if matches {
        builder.status(StatusCode::NOT_MODIFIED).finish()
    } else {
        // Shares the cached bytes instead of copying them into every answer.
        builder.content_type(hit.content_type.as_str()).body(poem::Body::from_bytes(bytes::Bytes::from_owner(hit.body.clone())))
    }
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
    let key = format!("{}|{}", received.as_str(), lang.as_str());
    let found = cache.get(&key)?;
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
        let key = format!("{received}|{}", lang.as_str());
        let if_none_match = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
        if let Some(hit) = self.cache.get(&key) {
            return Ok(answer(&hit, if_none_match.as_deref(), "hit"));
        }
        let version = self.cache.version();
        let resp = self.inner.call(req).await?.into_response();
        if resp.status() != StatusCode::OK {
            return Ok(resp);
        }
        let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json").to_owned();
        let body = resp.into_body().into_vec().await?;
        let stored = self.cache.put(key, CachedResponse::new(version, content_type, body));
        Ok(answer(&stored, if_none_match.as_deref(), "miss"))
    }
}
