//! Shapes of rating and customer-question requests and responses.
use poem_openapi::{Enum, Object};
use sabil_core::domain::Language;
use sabil_core::domain::feedback::{CustomerQuestion, QuestionStatus, RatingAverage, ServiceRating};
use sabil_core::services::feedback::RatingReport;
use serde::Deserialize;
use time::OffsetDateTime;

/// A rating of a delivered order.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RatingInput {
    /// A whole number from 1 (poor) to 5 (excellent).
    pub rating: i64,
    /// What the customer wants to add, at most 1000 characters; blank means none.
    pub comment: Option<String>,
}

/// A customer's rating of one delivered order.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct RatingDto {
    /// The rating's id.
    pub id: uuid::Uuid,
    /// The order rated.
    pub order_id: uuid::Uuid,
    /// The customer who rated it.
    pub customer_id: uuid::Uuid,
    /// The order's delivery area.
    pub area_id: uuid::Uuid,
    /// 1 to 5.
    pub rating: u8,
    /// The customer's comment, if any.
    pub comment: Option<String>,
    /// When it was given (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
}

impl From<ServiceRating> for RatingDto {
    fn from(r: ServiceRating) -> Self {
        Self {
            id: r.id.0,
            order_id: r.order_id.0,
            customer_id: r.customer_id.0,
            area_id: r.area_id.0,
            rating: r.score.get(),
            comment: r.comment,
            created_at: r.created_at,
        }
    }
}

/// A page of ratings.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct RatingPage {
    /// Newest first.
    pub items: Vec<RatingDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// How many ratings and their mean.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct RatingAverageDto {
    /// Ratings counted.
    pub count: u64,
    /// Their mean score (1 to 5); absent without ratings.
    pub average: Option<f64>,
}

impl From<RatingAverage> for RatingAverageDto {
    fn from(a: RatingAverage) -> Self {
        Self { count: a.count, average: a.average }
    }
}

/// The ratings of one delivery area.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AreaRatingDto {
    /// The area's id.
    pub area_id: uuid::Uuid,
    /// Its name in the language asked for; absent if the area no longer exists.
    pub area_name: Option<String>,
    /// Ratings of orders delivered there.
    pub ratings: RatingAverageDto,
}

/// The ratings of one ISO week (Monday to Sunday, business time).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct WeekRatingDto {
    /// The ISO week, e.g. `2026-W09`.
    pub week: String,
    /// Its Monday, `YYYY-MM-DD`.
    pub week_start: String,
    /// Ratings given that week.
    pub ratings: RatingAverageDto,
}

/// Averages of the ratings of a period.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct RatingSummaryDto {
    /// First business day counted, `YYYY-MM-DD`.
    pub from: String,
    /// Last business day counted (included), `YYYY-MM-DD`.
    pub to: String,
    /// Every rating of the period.
    pub overall: RatingAverageDto,
    /// Per delivery area, by area id; areas without ratings are absent.
    pub by_area: Vec<AreaRatingDto>,
    /// Per ISO week, oldest first; weeks without ratings are absent.
    pub by_week: Vec<WeekRatingDto>,
}

impl RatingSummaryDto {
    pub fn new(r: RatingReport, lang: Language) -> Self {
        Self {
            from: r.from.to_string(),
            to: r.to.to_string(),
            overall: r.summary.overall.into(),
            by_area: r
                .summary
                .by_area
                .iter()
                .map(|a| AreaRatingDto {
                    area_id: a.area_id.0,
                    area_name: r.area_names.get(&a.area_id).map(|n| n.get(lang).to_owned()),
                    ratings: a.ratings.into(),
                })
                .collect(),
            by_week: r
                .summary
                .by_week
                .iter()
                .map(|w| WeekRatingDto { week: w.iso_week(), week_start: w.week_start.to_string(), ratings: w.ratings.into() })
                .collect(),
        }
    }
}

/// A question for support.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuestionInput {
    /// The question, 1 to 2000 characters.
    pub text: String,
}

/// An admin's answer to a question.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuestionAnswerInput {
    /// The answer, 1 to 4000 characters; the customer is notified.
    pub answer: String,
}

/// Whether a question waits for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatusDto {
    /// Not answered yet.
    Open,
    /// Answered by support.
    Answered,
}

impl From<QuestionStatusDto> for QuestionStatus {
    fn from(s: QuestionStatusDto) -> Self {
        match s {
            QuestionStatusDto::Open => Self::Open,
            QuestionStatusDto::Answered => Self::Answered,
        }
    }
}

impl From<QuestionStatus> for QuestionStatusDto {
    fn from(s: QuestionStatus) -> Self {
        match s {
            QuestionStatus::Open => Self::Open,
            QuestionStatus::Answered => Self::Answered,
        }
    }
}

/// A customer's question and its answer.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct QuestionDto {
    /// The question's id.
    pub id: uuid::Uuid,
    /// The customer who asked.
    pub customer_id: uuid::Uuid,
    /// The question.
    pub text: String,
    /// `open` until answered.
    pub status: QuestionStatusDto,
    /// Support's answer, once given.
    pub answer: Option<String>,
    /// When it was answered (RFC 3339, UTC).
    pub answered_at: Option<OffsetDateTime>,
    /// The admin who answered (admins only).
    #[oai(skip_serializing_if_is_none)]
    pub answered_by: Option<uuid::Uuid>,
    /// When it was asked (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
}

impl QuestionDto {
    /// The question as its customer sees it (without who answered) or as admins do.
    pub fn new(q: CustomerQuestion, for_admin: bool) -> Self {
        let status = q.status().into();
        Self {
            id: q.id.0,
            customer_id: q.customer_id.0,
            text: q.text,
            status,
            answered_by: q.reply.as_ref().filter(|_| for_admin).map(|r| r.answered_by.0),
            answered_at: q.reply.as_ref().map(|r| r.answered_at),
            answer: q.reply.map(|r| r.text),
            created_at: q.created_at,
        }
    }
}

/// A page of questions.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct QuestionPage {
    /// Newest first for a customer's own questions; oldest first for admins.
    pub items: Vec<QuestionDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
