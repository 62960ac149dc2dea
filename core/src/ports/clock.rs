//! The current time, behind a port so tests can move it.
use time::{Date, OffsetDateTime, UtcOffset};

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

/// The business's time zone (Asia/Dubai by default): delivery slots are set in it.
pub trait BusinessTimeZone: Send + Sync {
    /// The UTC offset of business time on `date`, taken at midday (Gulf zones have no DST; a zone
    /// that has one changes at night, so midday is right for daytime delivery windows).
    fn offset_on(&self, date: Date) -> UtcOffset;

    /// The business-time date at `now`.
    fn today(&self, now: OffsetDateTime) -> Date {
        now.to_offset(self.offset_on(now.date())).date()
    }
}

/// A time zone with one fixed offset all year (tests, and zones such as Asia/Dubai).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedOffsetZone(pub UtcOffset);

impl BusinessTimeZone for FixedOffsetZone {
    fn offset_on(&self, _date: Date) -> UtcOffset {
        self.0
    }
}
