//! The read cache of catalog responses: serialized bytes per route, query and language, valid while
//! the catalog version they were made under is current. A write bumps the version here and, with
//! `SABIL_REDIS_URL`, on every other instance through Redis pub/sub.
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use http::HeaderValue;
use http::header::InvalidHeaderValue;
use redis::aio::ConnectionManager;
use sabil_core::ports::CatalogChanges;
use sha2::{Digest, Sha256};

/// The Redis channel catalog changes are announced on.
const CHANNEL: &str = "sabil:catalog-changed";

/// The catalog version of this instance; every announced change moves it on.
#[derive(Debug, Default)]
pub struct CatalogVersion(AtomicU64);

impl CatalogVersion {
    /// The current version.
    #[must_use]
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// How long an entry serves at most, whatever the version says: a backstop for a change announcement
/// that did not arrive.
const TIME_TO_LIVE: Duration = Duration::from_secs(600);
/// How many entries a worker thread keeps its own copies of, per cache, before it starts over.
const THREAD_COPIES: usize = 256;

/// A cached response, kept in the form it is sent in: the header values made once, the body in
/// bytes that every answer references without a copy.
#[derive(Debug, Clone)]
pub struct CachedResponse {
    /// The catalog version it was made under.
    pub version: u64,
    made_at: Instant,
    /// Strong validator: a hash of the bytes, equal on every instance for equal bytes.
    pub etag: HeaderValue,
    pub content_type: HeaderValue,
    pub body: Bytes,
}

impl CachedResponse {
    /// # Errors
    /// `InvalidHeaderValue` if the validator made from the hash were not a header value (hex digits always are).
    pub fn new(version: u64, content_type: HeaderValue, body: Vec<u8>) -> Result<Self, InvalidHeaderValue> {
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>());
        let etag = HeaderValue::from_maybe_shared(Bytes::from(etag))?;
        Ok(Self { version, made_at: Instant::now(), etag, content_type, body: Bytes::from(body) })
    }

    /// Whether it may still be served while the catalog is at `version`.
    fn current(&self, version: u64) -> bool {
        self.version == version && self.made_at.elapsed() < TIME_TO_LIVE
    }

    /// A copy that shares no reference count with this one.
    fn own_copy(&self) -> Self {
        let copy = |v: &HeaderValue| HeaderValue::from_bytes(v.as_bytes()).unwrap_or_else(|_| v.clone());
        Self {
            version: self.version,
            made_at: self.made_at,
            etag: copy(&self.etag),
            content_type: copy(&self.content_type),
            body: Bytes::copy_from_slice(&self.body),
        }
    }
}

/// Each worker thread's own copies of the entries it served, per cache (see [`CatalogCache::get`]).
type ThreadCopies = HashMap<u64, HashMap<String, CachedResponse>>;

thread_local! {
    static THREAD_COPIES_OF: RefCell<ThreadCopies> = RefCell::default();
}

/// Cached catalog responses and the version that validates them.
#[derive(Clone)]
pub struct CatalogCache {
    /// Tells this cache's thread copies from other caches' (tests run several in one process).
    id: u64,
    version: Arc<CatalogVersion>,
    entries: moka::sync::Cache<String, Arc<CachedResponse>>,
}

impl CatalogCache {
    /// An empty cache tracking `version`; entries also expire after ten minutes as a backstop.
    #[must_use]
    pub fn new(version: Arc<CatalogVersion>) -> Self {
        static IDS: AtomicU64 = AtomicU64::new(0);
        Self {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            version,
            entries: moka::sync::Cache::builder().max_capacity(10_000).time_to_live(TIME_TO_LIVE).build(),
        }
    }

    /// The version to store a response made now under.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version.current()
    }

    /// The cached response for `key`, if it is still current.
    ///
    /// Served from the calling thread's own copy when it has one: every answer clones the body and
    /// header values it sends, and clones of one shared copy would make the API's worker threads take
    /// turns on the same reference counts, request after request. A copy is made on a thread's first
    /// hit of an entry; the version and age are checked on every hit as for the shared entry.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<CachedResponse> {
        let version = self.version.current();
        let local = THREAD_COPIES_OF.with_borrow_mut(|caches| {
            let mine = caches.get_mut(&self.id)?;
            match mine.get(key) {
                Some(copy) if copy.current(version) => Some(copy.clone()),
                Some(_) => {
                    mine.remove(key);
                    None
                }
                None => None,
            }
        });
        if local.is_some() {
            return local;
        }
        let shared = self.entries.get(key).filter(|hit| hit.current(version))?;
        let copy = shared.own_copy();
        THREAD_COPIES_OF.with_borrow_mut(|caches| {
            let mine = caches.entry(self.id).or_default();
            if mine.len() >= THREAD_COPIES {
                mine.clear();
            }
            mine.insert(key.to_owned(), copy.clone());
        });
        Some(copy)
    }

    /// Keeps a response (ignored when the catalog changed while it was being made).
    pub fn put(&self, key: String, response: CachedResponse) -> Arc<CachedResponse> {
        let response = Arc::new(response);
        if response.version == self.version.current() {
            self.entries.insert(key, response.clone());
        }
        response
    }
}

/// Announces changes to this instance only (the embedded default: one instance).
pub struct LocalCatalogChanges(pub Arc<CatalogVersion>);

#[async_trait]
impl CatalogChanges for LocalCatalogChanges {
    async fn catalog_changed(&self) {
        self.0.bump();
    }
}

/// Announces changes to every instance through Redis; each instance's listener (see
/// [`listen_for_changes`]) moves its own version on, this one's included.
pub struct RedisCatalogChanges {
    version: Arc<CatalogVersion>,
    conn: ConnectionManager,
}

impl RedisCatalogChanges {
    #[must_use]
    pub fn new(version: Arc<CatalogVersion>, conn: ConnectionManager) -> Self {
        Self { version, conn }
    }
}

#[async_trait]
impl CatalogChanges for RedisCatalogChanges {
    async fn catalog_changed(&self) {
        // This instance learns at once; the others through the channel.
        self.version.bump();
        let mut conn = self.conn.clone();
        if let Err(e) = redis::cmd("PUBLISH").arg(CHANNEL).arg("1").query_async::<i64>(&mut conn).await {
            tracing::warn!(error = %e, "could not announce a catalog change to other instances; their caches expire within 10 minutes");
        }
    }
}

/// Listens for catalog changes announced by any instance and moves `version` on, reconnecting
/// after failures. Runs until the process ends.
pub async fn listen_for_changes(client: redis::Client, version: Arc<CatalogVersion>) {
    use futures_util::StreamExt as _;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => {
                if let Err(e) = pubsub.subscribe(CHANNEL).await {
                    tracing::warn!(error = %e, "could not subscribe to catalog changes");
                } else {
                    // Anything may have changed while we were not listening.
                    version.bump();
                    let mut messages = pubsub.on_message();
                    while messages.next().await.is_some() {
                        version.bump();
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "catalog change listener cannot reach Redis"),
        }
        version.bump();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(cache: &CatalogCache, body: &str) -> CachedResponse {
        CachedResponse::new(cache.version(), HeaderValue::from_static("application/json"), body.as_bytes().to_vec()).expect("etag")
    }

    #[test]
    fn a_hit_is_served_from_the_threads_own_copy_until_the_catalog_changes() {
        let version = Arc::new(CatalogVersion::default());
        let cache = CatalogCache::new(version.clone());
        let stored = cache.put("/api/products|en".to_owned(), response(&cache, "[1]"));
        let first = cache.get("/api/products|en").expect("first hit");
        let second = cache.get("/api/products|en").expect("second hit, from the copy");
        assert_eq!((&first.body[..], &second.body[..]), (&b"[1]"[..], &b"[1]"[..]));
        assert_eq!(second.etag, stored.etag);
        assert_ne!(first.body.as_ptr(), stored.body.as_ptr(), "the thread's copy shares nothing with the shared entry");
        assert_eq!(first.body.as_ptr(), second.body.as_ptr(), "later hits reuse the thread's copy");

        version.bump();
        assert!(cache.get("/api/products|en").is_none(), "a changed catalog ends the copy too");
        cache.put("/api/products|en".to_owned(), response(&cache, "[2]"));
        assert_eq!(&cache.get("/api/products|en").expect("new entry").body[..], b"[2]");
    }

    #[test]
    fn caches_in_one_thread_keep_their_entries_apart() {
        let (a, b) = (CatalogCache::new(Arc::default()), CatalogCache::new(Arc::default()));
        a.put("k".to_owned(), response(&a, "a"));
        assert_eq!(&a.get("k").expect("a's entry").body[..], b"a");
        assert!(b.get("k").is_none());
        b.put("k".to_owned(), response(&b, "b"));
        assert_eq!((&a.get("k").expect("a").body[..], &b.get("k").expect("b").body[..]), (&b"a"[..], &b"b"[..]));
    }

    #[test]
    fn a_thread_keeps_a_bounded_number_of_copies() {
        let cache = CatalogCache::new(Arc::default());
        for i in 0..THREAD_COPIES * 2 + 1 {
            let key = format!("/api/products?page={i}|en");
            cache.put(key.clone(), response(&cache, "[]"));
            assert!(cache.get(&key).is_some());
        }
        let held = THREAD_COPIES_OF.with_borrow(|caches| caches.get(&cache.id).map_or(0, HashMap::len));
        assert!((1..=THREAD_COPIES).contains(&held), "{held} copies");
        assert!(cache.get("/api/products?page=0|en").is_some(), "an entry whose copy was dropped is copied again");
    }
}
