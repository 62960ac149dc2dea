//! The read cache of catalog responses: serialized bytes per route, query and language, valid while
//! the catalog version they were made under is current. A write bumps the version here and, with
//! `SABIL_REDIS_URL`, on every other instance through Redis pub/sub.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
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

/// A cached response.
#[derive(Debug, Clone)]
pub struct CachedResponse {
    /// The catalog version it was made under.
    pub version: u64,
    /// Strong validator: a hash of the bytes, equal on every instance for equal bytes.
    pub etag: String,
    pub content_type: String,
    pub body: Arc<[u8]>,
}

impl CachedResponse {
    #[must_use]
    pub fn new(version: u64, content_type: String, body: Vec<u8>) -> Self {
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>());
        Self { version, etag, content_type, body: body.into() }
    }
}

/// Cached catalog responses and the version that validates them.
#[derive(Clone)]
pub struct CatalogCache {
    version: Arc<CatalogVersion>,
    entries: moka::sync::Cache<String, Arc<CachedResponse>>,
}

impl CatalogCache {
    /// An empty cache tracking `version`; entries also expire after ten minutes as a backstop.
    #[must_use]
    pub fn new(version: Arc<CatalogVersion>) -> Self {
        Self { version, entries: moka::sync::Cache::builder().max_capacity(10_000).time_to_live(Duration::from_secs(600)).build() }
    }

    /// The version to store a response made now under.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version.current()
    }

    /// The cached response for `key`, if it is still current.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<Arc<CachedResponse>> {
        self.entries.get(key).filter(|hit| hit.version == self.version.current())
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
