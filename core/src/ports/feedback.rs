//! Persistence of surveys and their answers (shared with SAP: each write records its change in the same
//! transaction), ratings of delivered orders with their aggregation, and customers' questions (an
//! answer and the notification it asks for are written together).
use async_trait::async_trait;
use time::{OffsetDateTime, UtcOffset};

use super::orders::OutboxMessage;
use crate::domain::delivery::DeliveryAreaId;
use crate::domain::feedback::{
    CustomerQuestion, CustomerQuestionId, QuestionReply, QuestionStatus, RatingSummary, ServiceRating, Survey, SurveyAnswer, SurveyId,
};
use crate::domain::orders::OrderId;
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;

/// Stores surveys and customers' answers to them.
#[async_trait]
pub trait SurveyRepository: Send + Sync {
    /// Stores a new survey with its questions and choices, and its `create` change for SAP, in one
    /// transaction.
    ///
    /// # Errors
    /// `Conflict` when the id (of the survey, a question or a choice) or the SAP id is taken.
    async fn create(&self, survey: &Survey) -> Result<(), RepoError>;

    /// Replaces every field of a survey but its `created_at` and SAP id, and records an `update`
    /// change (the survey as stored) in the same transaction. Questions whose content is unchanged
    /// are kept as they are; when the questions differ they are replaced.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Conflict` when the questions differ and the survey has answers
    /// (nothing is written then).
    async fn update(&self, survey: &Survey) -> Result<Survey, RepoError>;

    /// Deletes a survey that has no answers and records its `delete` change (the survey as it was),
    /// made at `now`, in the same transaction.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Conflict` when it has answers.
    async fn delete(&self, id: SurveyId, now: OffsetDateTime) -> Result<(), RepoError>;

    /// The survey with this id, active or not.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: SurveyId) -> Result<Option<Survey>, RepoError>;

    /// Every survey, newest first, keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, page: PageRequest) -> Result<Page<Survey>, RepoError>;

    /// Active surveys whose window contains `now` and that `customer` has not answered, by start of
    /// the window, then id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn open_unanswered(&self, customer: UserId, now: OffsetDateTime) -> Result<Vec<Survey>, RepoError>;

    /// Stores a customer's answers with their `create` change for SAP in one transaction.
    ///
    /// # Errors
    /// `Conflict` when the customer answered this survey already (nothing is written), or the survey,
    /// the customer, a question or a choice does not exist.
    async fn answer(&self, answer: &SurveyAnswer) -> Result<(), RepoError>;

    /// The customer's answer to the survey, if they answered it.
    ///
    /// # Errors
    /// Storage failures only.
    async fn answer_of(&self, survey: SurveyId, customer: UserId) -> Result<Option<SurveyAnswer>, RepoError>;

    /// The answers to a survey, newest first, keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn answers(&self, survey: SurveyId, page: PageRequest) -> Result<Page<SurveyAnswer>, RepoError>;

    /// How many customers answered the survey.
    ///
    /// # Errors
    /// Storage failures only.
    async fn answer_count(&self, survey: SurveyId) -> Result<u64, RepoError>;
}

/// Which ratings to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingQuery {
    /// Made at or after.
    pub from: Option<OffsetDateTime>,
    /// Made before.
    pub until: Option<OffsetDateTime>,
    /// Only of orders delivered in this area.
    pub area: Option<DeliveryAreaId>,
    pub page: PageRequest,
}

/// Stores ratings of delivered orders.
#[async_trait]
pub trait RatingRepository: Send + Sync {
    /// Stores a rating.
    ///
    /// # Errors
    /// `Conflict` when the order has a rating already (nothing is written), or the order, the customer
    /// or the area does not exist.
    async fn create(&self, rating: &ServiceRating) -> Result<(), RepoError>;

    /// The order's rating, if it has one.
    ///
    /// # Errors
    /// Storage failures only.
    async fn for_order(&self, order: OrderId) -> Result<Option<ServiceRating>, RepoError>;

    /// Ratings matching the query, newest first, keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, query: &RatingQuery) -> Result<Page<ServiceRating>, RepoError>;

    /// Counts and mean scores of the ratings made in `[from, until)`: overall, per area (by area id)
    /// and per ISO week (oldest first), a week being Monday 00:00 to Monday 00:00 at `offset` from UTC.
    /// Computed by the database; areas and weeks without ratings are absent.
    ///
    /// # Errors
    /// Storage failures only.
    async fn summary(&self, from: OffsetDateTime, until: OffsetDateTime, offset: UtcOffset) -> Result<RatingSummary, RepoError>;
}

/// Stores customers' questions and their answers.
#[async_trait]
pub trait CustomerQuestionRepository: Send + Sync {
    /// Stores a new, unanswered question.
    ///
    /// # Errors
    /// `Conflict` when the id is taken or the customer does not exist.
    async fn create(&self, question: &CustomerQuestion) -> Result<(), RepoError>;

    /// The question with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: CustomerQuestionId) -> Result<Option<CustomerQuestion>, RepoError>;

    /// The customer's questions, newest first, keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_for(&self, customer: UserId, page: PageRequest) -> Result<Page<CustomerQuestion>, RepoError>;

    /// Every customer's questions (only those in `status` when given), oldest first (the order support
    /// works through them), keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, status: Option<QuestionStatus>, page: PageRequest) -> Result<Page<CustomerQuestion>, RepoError>;

    /// Answers an open question and writes `notify` to the outbox, in one transaction; returns the
    /// question as answered.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Conflict` when it is answered already or the admin does not exist
    /// (nothing is written then).
    async fn answer(&self, id: CustomerQuestionId, reply: &QuestionReply, notify: &OutboxMessage) -> Result<CustomerQuestion, RepoError>;
}
