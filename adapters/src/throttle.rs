//! Failure counters for sign-in throttling: in-process for a single instance, Redis when several
//! API instances must share the counts.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use sabil_core::error::RepoError;
use sabil_core::ports::{Clock, FailureCounter};
use time::OffsetDateTime;

/// Counts in this process only (the embedded default: one instance).
pub struct LocalFailureCounter {
    clock: Arc<dyn Clock>,
    windows: Mutex<HashMap<String, (u32, OffsetDateTime)>>,
}

impl LocalFailureCounter {
    #[must_use]
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, windows: Mutex::new(HashMap::new()) }
    }

    fn windows(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u32, OffsetDateTime)>> {
        self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl FailureCounter for LocalFailureCounter {
    async fn failures(&self, key: &str) -> Result<(u32, Duration), RepoError> {
        let now = self.clock.now();
        Ok(match self.windows().get(key) {
            Some((count, ends)) if *ends > now => (*count, Duration::try_from(*ends - now).unwrap_or_default()),
            _ => (0, Duration::ZERO),
        })
    }

    async fn add_failure(&self, key: &str, window: Duration) -> Result<u32, RepoError> {
        let now = self.clock.now();
        let mut windows = self.windows();
        // Expired windows are dropped on every write, so memory stays bounded by recent failures.
        windows.retain(|_, (_, ends)| *ends > now);
        let entry = windows.entry(key.to_owned()).or_insert((0, now + window));
        entry.0 += 1;
        Ok(entry.0)
    }

    async fn clear(&self, key: &str) -> Result<(), RepoError> {
        self.windows().remove(key);
        Ok(())
    }
}

/// Counts in Redis, shared by every API instance: one key per counter, expiring with its window.
#[derive(Clone)]
pub struct RedisFailureCounter {
    conn: ConnectionManager,
    prefix: String,
}

fn redis_error(e: &redis::RedisError) -> RepoError {
    RepoError::Unavailable(format!("redis: {e}"))
}

impl RedisFailureCounter {
    /// Connects (and reconnects on its own later).
    ///
    /// # Errors
    /// When the URL is malformed or Redis cannot be reached.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, RepoError> {
        let client = redis::Client::open(url).map_err(|e| redis_error(&e))?;
        let conn = ConnectionManager::new(client).await.map_err(|e| redis_error(&e))?;
        Ok(Self { conn, prefix: prefix.to_owned() })
    }

    fn key(&self, key: &str) -> String {
        format!("{}throttle:{key}", self.prefix)
    }
}

#[async_trait]
impl FailureCounter for RedisFailureCounter {
    async fn failures(&self, key: &str) -> Result<(u32, Duration), RepoError> {
        let mut conn = self.conn.clone();
        let (count, ttl_ms): (Option<u32>, i64) =
            redis::pipe().get(self.key(key)).cmd("PTTL").arg(self.key(key)).query_async(&mut conn).await.map_err(|e| redis_error(&e))?;
        match count {
            Some(n) if ttl_ms > 0 => Ok((n, Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0)))),
            _ => Ok((0, Duration::ZERO)),
        }
    }

    async fn add_failure(&self, key: &str, window: Duration) -> Result<u32, RepoError> {
        let mut conn = self.conn.clone();
        let key = self.key(key);
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        // SET NX opens the window only for a new key; INCR counts. Atomic as one transaction.
        let (_, count): (Option<String>, u32) = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(&key)
            .arg(0)
            .arg("PX")
            .arg(window_ms)
            .arg("NX")
            .incr(&key, 1)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_error(&e))?;
        Ok(count)
    }

    async fn clear(&self, key: &str) -> Result<(), RepoError> {
        let mut conn = self.conn.clone();
        redis::cmd("DEL").arg(self.key(key)).query_async::<i64>(&mut conn).await.map_err(|e| redis_error(&e))?;
        Ok(())
    }
}
