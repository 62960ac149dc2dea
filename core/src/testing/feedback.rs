//! In-memory surveys (recording their changes in the change-feed fake, as the SQL store writes `changes`
//! rows), ratings with their aggregation, and customers' questions (writing the answer's notification to
//! the outbox fake), behaving as the SQL stores do (checked by the conformance suite).
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use super::accounts::page_of;
use super::sync::{InMemoryChanges, change_data};
use super::{InMemoryOutbox, lock};
use crate::domain::delivery::DeliveryAreaId;
use crate::domain::feedback::{
    AreaRating, CustomerQuestion, CustomerQuestionId, QuestionReply, QuestionStatus, RatingAverage, RatingSummary, ServiceRating, Survey,
    SurveyAnswer, SurveyId, WeekRating,
};
use crate::domain::orders::OrderId;
use crate::domain::sync::{ChangeOperation, OutboundEntity};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;
use crate::ports::{
    CustomerQuestionRepository, DeliveryAreaRepository, OrderRepository, OutboxMessage, RatingQuery, RatingRepository, SurveyRepository,
    UserRepository,
};

/// Newest first after the cursor, cut to a page.
fn newest_first<T: Clone>(mut items: Vec<T>, page: PageRequest, id: impl Fn(&T) -> uuid::Uuid + Copy) -> Page<T> {
    items.sort_by_key(|t| std::cmp::Reverse(id(t)));
    items.retain(|t| page.cursor.is_none_or(|c| id(t) < c));
    items.truncate(page.limit as usize + 1);
    page_of(items, page.limit, id)
}

#[derive(Debug, Default)]
struct SurveyState {
    surveys: BTreeMap<SurveyId, Survey>,
    answers: Vec<SurveyAnswer>,
}

/// Surveys and answers in memory; answers need a stored customer.
pub struct InMemorySurveys {
    users: Arc<dyn UserRepository>,
    changes: Arc<InMemoryChanges>,
    state: Mutex<SurveyState>,
}

impl InMemorySurveys {
    /// Surveys recording their changes in `changes`, answers checked against `users`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>, changes: Arc<InMemoryChanges>) -> Self {
        Self { users, changes, state: Mutex::new(SurveyState::default()) }
    }

    fn record(&self, entity: OutboundEntity, id: uuid::Uuid, sap_id: Option<&str>, operation: ChangeOperation, at: OffsetDateTime) {
        self.changes.append(entity, id, operation, change_data(id, sap_id), at);
    }
}

fn sap_id_taken(state: &SurveyState, s: &Survey) -> bool {
    s.sap_id.is_some() && state.surveys.values().any(|o| o.id != s.id && o.sap_id == s.sap_id)
}

/// The ids of a survey's questions and choices.
fn item_ids(s: &Survey) -> Vec<uuid::Uuid> {
    s.questions.iter().map(|q| q.id.0).chain(s.questions.iter().flat_map(|q| q.options.iter().map(|c| c.id.0))).collect()
}

/// Whether another survey uses one of the ids of `s`'s questions or choices.
fn items_clash(state: &SurveyState, s: &Survey) -> bool {
    let mine = item_ids(s);
    state.surveys.values().filter(|o| o.id != s.id).any(|o| item_ids(o).iter().any(|id| mine.contains(id)))
}

#[async_trait]
impl SurveyRepository for InMemorySurveys {
    async fn create(&self, survey: &Survey) -> Result<(), RepoError> {
        let mut state = lock(&self.state);
        if state.surveys.contains_key(&survey.id) || items_clash(&state, survey) || sap_id_taken(&state, survey) {
            return Err(RepoError::Conflict("surveys".into()));
        }
        state.surveys.insert(survey.id, survey.clone());
        self.record(OutboundEntity::Survey, survey.id.0, survey.sap_id.as_deref(), ChangeOperation::Create, survey.created_at);
        Ok(())
    }

    async fn update(&self, survey: &Survey) -> Result<Survey, RepoError> {
        let mut state = lock(&self.state);
        let stored = state.surveys.get(&survey.id).ok_or(RepoError::NotFound)?.clone();
        let answered = state.answers.iter().any(|a| a.survey_id == survey.id);
        if stored.questions != survey.questions && (answered || items_clash(&state, survey)) {
            return Err(RepoError::Conflict("survey_answer_items.question_id".into()));
        }
        let updated = Survey { created_at: stored.created_at, sap_id: stored.sap_id.clone(), ..survey.clone() };
        state.surveys.insert(survey.id, updated.clone());
        self.record(OutboundEntity::Survey, updated.id.0, updated.sap_id.as_deref(), ChangeOperation::Update, updated.updated_at);
        Ok(updated)
    }

    async fn delete(&self, id: SurveyId, now: OffsetDateTime) -> Result<(), RepoError> {
        let mut state = lock(&self.state);
        if !state.surveys.contains_key(&id) {
            return Err(RepoError::NotFound);
        }
        if state.answers.iter().any(|a| a.survey_id == id) {
            return Err(RepoError::Conflict("survey_answers.survey_id".into()));
        }
        let gone = state.surveys.remove(&id).ok_or(RepoError::NotFound)?;
        self.record(OutboundEntity::Survey, id.0, gone.sap_id.as_deref(), ChangeOperation::Delete, now);
        Ok(())
    }

    async fn get(&self, id: SurveyId) -> Result<Option<Survey>, RepoError> {
        Ok(lock(&self.state).surveys.get(&id).cloned())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Survey>, RepoError> {
        let all: Vec<Survey> = lock(&self.state).surveys.values().cloned().collect();
        Ok(newest_first(all, page, |s| s.id.0))
    }

    async fn open_unanswered(&self, customer: UserId, now: OffsetDateTime) -> Result<Vec<Survey>, RepoError> {
        let state = lock(&self.state);
        let answered = |id: SurveyId| state.answers.iter().any(|a| a.survey_id == id && a.customer_id == customer);
        let mut open: Vec<Survey> = state.surveys.values().filter(|s| s.is_open_at(now) && !answered(s.id)).cloned().collect();
        open.sort_by_key(|s| (s.window.starts_at, s.id));
        Ok(open)
    }

    async fn answer(&self, answer: &SurveyAnswer) -> Result<(), RepoError> {
        if self.users.get(answer.customer_id).await?.is_none() {
            return Err(RepoError::Conflict("survey_answers.user_id".into()));
        }
        let mut state = lock(&self.state);
        let survey = state.surveys.get(&answer.survey_id).ok_or_else(|| RepoError::Conflict("survey_answers.survey_id".into()))?;
        let fits = answer.answers.iter().all(|a| {
            survey.question(a.question_id).is_some_and(|q| match &a.value {
                crate::domain::feedback::AnswerValue::Choices(ids) => ids.iter().all(|id| q.options.iter().any(|o| o.id == *id)),
                _ => true,
            })
        });
        if !fits {
            return Err(RepoError::Conflict("survey_answer_items".into()));
        }
        let taken =
            state.answers.iter().any(|a| a.id == answer.id || (a.survey_id == answer.survey_id && a.customer_id == answer.customer_id));
        if taken {
            return Err(RepoError::Conflict("survey_answers_once".into()));
        }
        state.answers.push(answer.clone());
        self.record(OutboundEntity::SurveyAnswer, answer.id.0, answer.sap_id.as_deref(), ChangeOperation::Create, answer.created_at);
        Ok(())
    }

    async fn answer_of(&self, survey: SurveyId, customer: UserId) -> Result<Option<SurveyAnswer>, RepoError> {
        Ok(lock(&self.state).answers.iter().find(|a| a.survey_id == survey && a.customer_id == customer).cloned())
    }

    async fn answers(&self, survey: SurveyId, page: PageRequest) -> Result<Page<SurveyAnswer>, RepoError> {
        let all: Vec<SurveyAnswer> = lock(&self.state).answers.iter().filter(|a| a.survey_id == survey).cloned().collect();
        Ok(newest_first(all, page, |a| a.id.0))
    }

    async fn answer_count(&self, survey: SurveyId) -> Result<u64, RepoError> {
        Ok(lock(&self.state).answers.iter().filter(|a| a.survey_id == survey).count() as u64)
    }
}

/// Ratings in memory; the order, customer and area must exist in the other fakes.
pub struct InMemoryRatings {
    orders: Arc<dyn OrderRepository>,
    users: Arc<dyn UserRepository>,
    areas: Arc<dyn DeliveryAreaRepository>,
    rows: Mutex<Vec<ServiceRating>>,
}

impl InMemoryRatings {
    /// Ratings whose order, customer and area are looked up in these fakes.
    #[must_use]
    pub fn new(orders: Arc<dyn OrderRepository>, users: Arc<dyn UserRepository>, areas: Arc<dyn DeliveryAreaRepository>) -> Self {
        Self { orders, users, areas, rows: Mutex::new(Vec::new()) }
    }

    /// Every stored rating (for the stats fake).
    pub(crate) fn all(&self) -> Vec<ServiceRating> {
        lock(&self.rows).clone()
    }
}

fn average(scores: &[u8]) -> RatingAverage {
    let count = scores.len() as u64;
    let sum: u64 = scores.iter().map(|s| u64::from(*s)).sum();
    #[allow(clippy::cast_precision_loss)]
    let average = (count > 0).then(|| sum as f64 / count as f64);
    RatingAverage { count, average }
}

/// The Monday of the week `at` falls in, at `offset` from UTC.
fn week_start(at: OffsetDateTime, offset: UtcOffset) -> Date {
    let day = at.to_offset(offset).date();
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

#[async_trait]
impl RatingRepository for InMemoryRatings {
    async fn create(&self, r: &ServiceRating) -> Result<(), RepoError> {
        let known = self.orders.get(r.order_id).await?.is_some()
            && self.users.get(r.customer_id).await?.is_some()
            && self.areas.get(r.area_id).await?.is_some();
        if !known {
            return Err(RepoError::Conflict("service_ratings.references".into()));
        }
        let mut rows = lock(&self.rows);
        if rows.iter().any(|o| o.id == r.id || o.order_id == r.order_id) {
            return Err(RepoError::Conflict("service_ratings.order_id".into()));
        }
        rows.push(r.clone());
        Ok(())
    }

    async fn for_order(&self, order: OrderId) -> Result<Option<ServiceRating>, RepoError> {
        Ok(lock(&self.rows).iter().find(|r| r.order_id == order).cloned())
    }

    async fn list(&self, q: &RatingQuery) -> Result<Page<ServiceRating>, RepoError> {
        let matching: Vec<ServiceRating> = lock(&self.rows)
            .iter()
            .filter(|r| {
                q.from.is_none_or(|f| r.created_at >= f)
                    && q.until.is_none_or(|u| r.created_at < u)
                    && q.area.is_none_or(|a| r.area_id == a)
            })
            .cloned()
            .collect();
        Ok(newest_first(matching, q.page, |r| r.id.0))
    }

    async fn summary(&self, from: OffsetDateTime, until: OffsetDateTime, offset: UtcOffset) -> Result<RatingSummary, RepoError> {
        let rows: Vec<ServiceRating> = lock(&self.rows).iter().filter(|r| r.created_at >= from && r.created_at < until).cloned().collect();
        let mut areas: BTreeMap<DeliveryAreaId, Vec<u8>> = BTreeMap::new();
        let mut weeks: BTreeMap<Date, Vec<u8>> = BTreeMap::new();
        for r in &rows {
            areas.entry(r.area_id).or_default().push(r.score.get());
            weeks.entry(week_start(r.created_at, offset)).or_default().push(r.score.get());
        }
        let all: Vec<u8> = rows.iter().map(|r| r.score.get()).collect();
        Ok(RatingSummary {
            overall: average(&all),
            by_area: areas.into_iter().map(|(area_id, s)| AreaRating { area_id, ratings: average(&s) }).collect(),
            by_week: weeks.into_iter().map(|(week_start, s)| WeekRating { week_start, ratings: average(&s) }).collect(),
        })
    }
}

/// Customers' questions in memory; an answer's notification goes to the outbox fake with it.
pub struct InMemoryCustomerQuestions {
    users: Arc<dyn UserRepository>,
    outbox: Arc<InMemoryOutbox>,
    rows: Mutex<Vec<CustomerQuestion>>,
}

impl InMemoryCustomerQuestions {
    /// Questions whose askers and answerers are looked up in `users`, notifying through `outbox`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>, outbox: Arc<InMemoryOutbox>) -> Self {
        Self { users, outbox, rows: Mutex::new(Vec::new()) }
    }
}

#[async_trait]
impl CustomerQuestionRepository for InMemoryCustomerQuestions {
    async fn create(&self, q: &CustomerQuestion) -> Result<(), RepoError> {
        if self.users.get(q.customer_id).await?.is_none() {
            return Err(RepoError::Conflict("customer_questions.user_id".into()));
        }
        let mut rows = lock(&self.rows);
        if rows.iter().any(|o| o.id == q.id) {
            return Err(RepoError::Conflict("customer_questions.id".into()));
        }
        rows.push(q.clone());
        Ok(())
    }

    async fn get(&self, id: CustomerQuestionId) -> Result<Option<CustomerQuestion>, RepoError> {
        Ok(lock(&self.rows).iter().find(|q| q.id == id).cloned())
    }

    async fn list_for(&self, customer: UserId, page: PageRequest) -> Result<Page<CustomerQuestion>, RepoError> {
        let mine: Vec<CustomerQuestion> = lock(&self.rows).iter().filter(|q| q.customer_id == customer).cloned().collect();
        Ok(newest_first(mine, page, |q| q.id.0))
    }

    async fn list(&self, status: Option<QuestionStatus>, page: PageRequest) -> Result<Page<CustomerQuestion>, RepoError> {
        let mut matching: Vec<CustomerQuestion> = lock(&self.rows)
            .iter()
            .filter(|q| status.is_none_or(|s| q.status() == s) && page.cursor.is_none_or(|c| q.id.0 > c))
            .cloned()
            .collect();
        matching.sort_by_key(|q| q.id);
        matching.truncate(page.limit as usize + 1);
        Ok(page_of(matching, page.limit, |q| q.id.0))
    }

    async fn answer(&self, id: CustomerQuestionId, reply: &QuestionReply, notify: &OutboxMessage) -> Result<CustomerQuestion, RepoError> {
        if self.users.get(reply.answered_by).await?.is_none() {
            return Err(RepoError::Conflict("customer_questions.answered_by".into()));
        }
        let mut rows = lock(&self.rows);
        let q = rows.iter_mut().find(|q| q.id == id).ok_or(RepoError::NotFound)?;
        if q.reply.is_some() {
            return Err(RepoError::Conflict("customer_questions.answered".into()));
        }
        q.reply = Some(reply.clone());
        self.outbox.push(notify, reply.answered_at);
        Ok(q.clone())
    }
}
