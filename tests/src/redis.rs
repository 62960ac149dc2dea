//! The Redis failure counter for tests: connected to `SABIL_TEST_REDIS_URL` under a key prefix of its
//! own, so parallel tests never see each other's counts.
use sabil_adapters::throttle::RedisFailureCounter;
use uuid::Uuid;

/// A counter on the Redis named by `SABIL_TEST_REDIS_URL`, with a fresh key prefix; `None` when unset.
///
/// # Panics
/// When the variable is set but Redis cannot be reached.
pub async fn redis_failure_counter() -> Option<RedisFailureCounter> {
    let url = std::env::var("SABIL_TEST_REDIS_URL").ok().filter(|u| !u.trim().is_empty())?;
    let prefix = format!("sabil-test-{}:", Uuid::now_v7().simple());
    Some(RedisFailureCounter::connect(&url, &prefix).await.unwrap_or_else(|e| panic!("cannot reach SABIL_TEST_REDIS_URL: {e}")))
}
