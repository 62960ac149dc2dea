//! The business time zone by IANA name (`SABIL_TIME_ZONE`, default Asia/Dubai), from the system's
//! zoneinfo or, where a slim image has none, the copy of the tz database built into the binary.
use sabil_core::ports::BusinessTimeZone;
use time::{Date, UtcOffset};

/// An IANA time zone.
#[derive(Debug, Clone)]
pub struct IanaTimeZone {
    zone: jiff::tz::TimeZone,
}

impl IanaTimeZone {
    /// The zone with this name.
    ///
    /// # Errors
    /// A message when the name is not a known zone.
    pub fn named(name: &str) -> Result<Self, String> {
        jiff::tz::TimeZone::get(name).map(|zone| Self { zone }).map_err(|e| format!("{name:?} is not a known time zone: {e}"))
    }
}

impl BusinessTimeZone for IanaTimeZone {
    fn offset_on(&self, date: Date) -> UtcOffset {
        let midday = date.midnight().assume_utc().unix_timestamp() + 12 * 3600;
        let seconds = jiff::Timestamp::from_second(midday).map(|ts| self.zone.to_offset(ts).seconds()).unwrap_or(0);
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn gulf_zones_have_their_fixed_offsets() {
        let dubai = IanaTimeZone::named("Asia/Dubai").expect("known");
        assert_eq!(dubai.offset_on(date!(2026 - 12 - 06)), UtcOffset::from_hms(4, 0, 0).expect("offset"));
        let kuwait = IanaTimeZone::named("Asia/Kuwait").expect("known");
        assert_eq!(kuwait.offset_on(date!(2026 - 07 - 01)), UtcOffset::from_hms(3, 0, 0).expect("offset"));
    }

    #[test]
    fn zones_with_daylight_saving_follow_the_date() {
        let london = IanaTimeZone::named("Europe/London").expect("known");
        assert_eq!(london.offset_on(date!(2026 - 01 - 15)), UtcOffset::UTC);
        assert_eq!(london.offset_on(date!(2026 - 07 - 15)), UtcOffset::from_hms(1, 0, 0).expect("offset"));
    }

    #[test]
    fn unknown_names_are_refused() {
        assert!(IanaTimeZone::named("Mars/Olympus_Mons").is_err());
    }
}
