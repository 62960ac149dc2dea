//! Conformance of the `FailureCounter`s: the in-process counter and its fake on a manual clock, and the
//! Redis counter on real time (when `SABIL_TEST_REDIS_URL` is set) under a key prefix of its own.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use sabil_adapters::throttle::LocalFailureCounter;
use sabil_core::ports::FailureCounter;
use sabil_core::testing::{InMemoryFailures, ManualClock};
use sabil_tests::fixtures::T0;
use sabil_tests::redis_failure_counter;

const MINUTE: Duration = Duration::from_secs(60);

/// Behaviour that does not depend on how time passes.
async fn counts_per_key_and_forgets_on_clear(counter: &dyn FailureCounter) {
    assert_eq!(counter.failures("+96550001234").await, Ok((0, Duration::ZERO)));
    for n in 1..=3 {
        assert_eq!(counter.add_failure("+96550001234", MINUTE).await, Ok(n));
    }
    assert_eq!(counter.add_failure("192.0.2.10", MINUTE).await, Ok(1));
    assert_eq!(counter.failures("+96550001234").await.map(|(n, _)| n), Ok(3));
    assert_eq!(counter.failures("192.0.2.10").await.map(|(n, _)| n), Ok(1));
    assert_eq!(counter.failures("+96550009876").await, Ok((0, Duration::ZERO)));

    counter.clear("+96550001234").await.expect("clear");
    assert_eq!(counter.failures("+96550001234").await, Ok((0, Duration::ZERO)));
    assert_eq!(counter.failures("192.0.2.10").await.map(|(n, _)| n), Ok(1));
    assert_eq!(counter.add_failure("+96550001234", MINUTE).await, Ok(1));
    counter.clear("never-counted").await.expect("clearing an unknown key is fine");
}

/// Counters timed by a clock the test moves.
fn manual_counters() -> Vec<(&'static str, Arc<ManualClock>, Box<dyn FailureCounter>)> {
    let local_clock = Arc::new(ManualClock::new(T0));
    let fake_clock = Arc::new(ManualClock::new(T0));
    vec![
        ("local", local_clock.clone(), Box::new(LocalFailureCounter::new(local_clock))),
        ("fake", fake_clock.clone(), Box::new(InMemoryFailures::new(fake_clock))),
    ]
}

#[tokio::test]
async fn failures_are_counted_per_key_and_forgotten_on_clear() {
    for (_, _, counter) in manual_counters() {
        counts_per_key_and_forgets_on_clear(counter.as_ref()).await;
    }
}

#[tokio::test]
async fn the_window_opens_at_the_first_failure_and_is_not_extended_by_later_ones() {
    for (name, clock, counter) in manual_counters() {
        assert_eq!(counter.add_failure("+96550001234", MINUTE).await, Ok(1), "{name}");
        assert_eq!(counter.failures("+96550001234").await, Ok((1, MINUTE)), "{name}");

        clock.advance(time::Duration::seconds(10));
        assert_eq!(counter.add_failure("+96550001234", MINUTE).await, Ok(2), "{name}");
        assert_eq!(counter.failures("+96550001234").await, Ok((2, Duration::from_secs(50))), "{name}");

        clock.advance(time::Duration::milliseconds(49_500));
        assert_eq!(counter.failures("+96550001234").await, Ok((2, Duration::from_millis(500))), "{name}");
    }
}

#[tokio::test]
async fn when_the_window_ends_the_count_starts_again() {
    for (name, clock, counter) in manual_counters() {
        counter.add_failure("+96550001234", MINUTE).await.expect("add");
        counter.add_failure("+96550001234", MINUTE).await.expect("add");

        clock.advance(time::Duration::seconds(60));
        assert_eq!(counter.failures("+96550001234").await, Ok((0, Duration::ZERO)), "{name}");
        assert_eq!(counter.add_failure("+96550001234", MINUTE).await, Ok(1), "{name}");
        assert_eq!(counter.failures("+96550001234").await, Ok((1, MINUTE)), "{name}");
    }
}

#[tokio::test]
async fn redis_counts_per_key_and_forgets_on_clear() {
    let Some(counter) = redis_failure_counter().await else {
        eprintln!("skipped: set SABIL_TEST_REDIS_URL to run it");
        return;
    };
    counts_per_key_and_forgets_on_clear(&counter).await;
    for key in ["+96550001234", "192.0.2.10"] {
        counter.clear(key).await.expect("clean up");
    }
}

#[tokio::test]
async fn redis_reports_the_time_left_in_the_window() {
    let Some(counter) = redis_failure_counter().await else {
        eprintln!("skipped: set SABIL_TEST_REDIS_URL to run it");
        return;
    };
    assert_eq!(counter.add_failure("+96550001234", MINUTE).await, Ok(1));
    assert_eq!(counter.add_failure("+96550001234", MINUTE).await, Ok(2));
    let (count, left) = counter.failures("+96550001234").await.expect("failures");
    assert_eq!(count, 2);
    assert!(left <= MINUTE && left > MINUTE - Duration::from_secs(5), "{left:?} left of a one-minute window");
    counter.clear("+96550001234").await.expect("clean up");
}

#[tokio::test]
async fn redis_starts_the_count_again_when_the_window_ends() {
    let Some(counter) = redis_failure_counter().await else {
        eprintln!("skipped: set SABIL_TEST_REDIS_URL to run it");
        return;
    };
    let short = Duration::from_millis(300);
    assert_eq!(counter.add_failure("+96550001234", short).await, Ok(1));
    assert_eq!(counter.add_failure("+96550001234", short).await, Ok(2));
    // Redis expires keys on its own clock: the one place these tests wait for real time.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(counter.failures("+96550001234").await, Ok((0, Duration::ZERO)));
    assert_eq!(counter.add_failure("+96550001234", MINUTE).await, Ok(1));
    counter.clear("+96550001234").await.expect("clean up");
}
