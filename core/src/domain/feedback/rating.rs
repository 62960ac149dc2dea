//! A customer's rating of the service on one delivered order (a score from 1 to 5 and an optional
//! comment), and the averages admins read per delivery area and per ISO week.
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::domain::UserId;
use crate::domain::delivery::DeliveryAreaId;
use crate::domain::orders::OrderId;
use crate::domain::validation::Invalid;

/// Longest comment on a rating.
pub const RATING_COMMENT_MAX: usize = 1_000;

/// A whole score from 1 (poor) to 5 (excellent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Score(u8);

impl Score {
    /// The score `n`.
    ///
    /// # Errors
    /// `Invalid` (field `rating`) outside 1 to 5.
    pub fn parse(n: i64) -> Result<Self, Invalid> {
        match u8::try_from(n) {
            Ok(v @ 1..=5) => Ok(Self(v)),
            _ => Err(Invalid::field("rating", format!("{n} is outside 1 to 5"), "Give a whole number from 1 to 5.")),
        }
    }

    /// The number, 1 to 5.
    #[must_use]
    pub fn get(self) -> u8 {
        self.0
    }
}

/// An optional comment: trimmed, empty means none.
///
/// # Errors
/// `Invalid` (field `comment`) when longer than [`RATING_COMMENT_MAX`] characters.
pub fn parse_comment(raw: Option<&str>) -> Result<Option<String>, Invalid> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if text.chars().count() > RATING_COMMENT_MAX {
        return Err(Invalid::field("comment", format!("is longer than {RATING_COMMENT_MAX} characters"), "Shorten the comment."));
    }
    Ok(Some(text.to_owned()))
}

/// Identifier of a rating (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RatingId(pub Uuid);

/// The customer's rating of one delivered order; one per order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRating {
    pub id: RatingId,
    pub order_id: OrderId,
    pub customer_id: UserId,
    /// The order's delivery area, kept with the rating for the per-area averages.
    pub area_id: DeliveryAreaId,
    pub score: Score,
    pub comment: Option<String>,
    pub created_at: OffsetDateTime,
}

/// How many ratings and their mean score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatingAverage {
    pub count: u64,
    /// The mean score; `None` without ratings.
    pub average: Option<f64>,
}

/// The ratings of one delivery area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaRating {
    pub area_id: DeliveryAreaId,
    pub ratings: RatingAverage,
}

/// The ratings of one ISO week (Monday to Sunday, business time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeekRating {
    /// The Monday the week starts on.
    pub week_start: Date,
    pub ratings: RatingAverage,
}

impl WeekRating {
    /// The ISO week as `2026-W09`.
    #[must_use]
    pub fn iso_week(&self) -> String {
        let (year, week, _) = self.week_start.to_iso_week_date();
        format!("{year}-W{week:02}")
    }
}

/// The ratings of a period: all of them, per area (by area id) and per week (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct RatingSummary {
    pub overall: RatingAverage,
    pub by_area: Vec<AreaRating>,
    pub by_week: Vec<WeekRating>,
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn scores_are_whole_numbers_from_one_to_five() {
        assert_eq!(Score::parse(1).map(Score::get), Ok(1));
        assert_eq!(Score::parse(5).map(Score::get), Ok(5));
        for bad in [0, 6, -1, 256 + 3] {
            assert_eq!(Score::parse(bad).expect_err("out of range").0[0].field, "rating");
        }
    }

    #[test]
    fn a_blank_comment_is_none_and_a_long_one_is_refused() {
        assert_eq!(parse_comment(None), Ok(None));
        assert_eq!(parse_comment(Some("   ")), Ok(None));
        assert_eq!(parse_comment(Some("  Quick  ")), Ok(Some("Quick".into())));
        assert!(parse_comment(Some(&"ب".repeat(RATING_COMMENT_MAX))).is_ok());
        assert_eq!(parse_comment(Some(&"x".repeat(RATING_COMMENT_MAX + 1))).expect_err("long").0[0].field, "comment");
    }

    #[test]
    fn weeks_are_named_by_their_iso_year_and_number() {
        let w = |d| WeekRating { week_start: d, ratings: RatingAverage { count: 0, average: None } };
        assert_eq!(w(date!(2026 - 02 - 23)).iso_week(), "2026-W09");
        assert_eq!(w(date!(2024 - 12 - 30)).iso_week(), "2025-W01");
    }
}
