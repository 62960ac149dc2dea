//! The current time, behind a port so tests can move it.
use time::OffsetDateTime;

/// Tells the time in UTC.
pub trait Clock: Send + Sync {
    /// Now, in UTC, truncated to whole microseconds (what both databases store exactly).
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        truncate_to_micros(OffsetDateTime::now_utc())
    }
}

/// Drops sub-microsecond precision so a stored and re-read time compares equal.
#[must_use]
pub fn truncate_to_micros(t: OffsetDateTime) -> OffsetDateTime {
    let nanos = t.nanosecond();
    t.replace_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}
