//! Surveys: admins create, change, deactivate, delete and read them with their answers; customers see
//! the surveys open to them and answer each once.
//!
//! Open to a customer means: active, inside its window, not answered by them yet, and, for a survey
//! marked "after delivery", the customer has at least one order in status `delivered`.
use uuid::Uuid;

use super::{FeedbackError, FeedbackService};
use crate::domain::feedback::{
    QuestionDraft, SubmittedAnswer, Survey, SurveyAnswer, SurveyAnswerId, SurveyId, SurveyWindow, build_questions,
};
use crate::domain::orders::OrderStatus;
use crate::domain::{AccessClaims, LocalizedText, Page, PageRequest, UserId};
use crate::error::RepoError;
use crate::ports::OrderQuery;
use crate::services::authorization::acting_admin;

/// A survey as an admin creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyDraft {
    pub title: LocalizedText,
    pub questions: Vec<QuestionDraft>,
    pub window: SurveyWindow,
    /// Offer it only to customers who have had an order delivered.
    pub after_delivery: bool,
    pub active: bool,
}

/// A replacement of a survey; `questions: None` keeps the questions (and their ids) as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyUpdate {
    pub title: LocalizedText,
    /// New questions (with new ids); refused once the survey has answers.
    pub questions: Option<Vec<QuestionDraft>>,
    pub window: SurveyWindow,
    pub after_delivery: bool,
    pub active: bool,
}

/// A survey with how many customers answered it, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSurvey {
    pub survey: Survey,
    pub answer_count: u64,
}

/// `NotFound` from a store names the survey; `Conflict` means answers are in the way.
fn survey_error(e: RepoError) -> FeedbackError {
    match e {
        RepoError::NotFound => FeedbackError::NotFound("survey"),
        RepoError::Conflict(_) => FeedbackError::SurveyHasAnswers,
        other => other.into(),
    }
}

impl FeedbackService {
    /// Creates a survey (admins only); questions and choices get their ids here.
    ///
    /// # Errors
    /// `Denied`, `Invalid` (the questions), `Storage`.
    pub async fn create_survey(&self, actor: &AccessClaims, draft: SurveyDraft) -> Result<Survey, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        let now = self.ports.clock.now();
        let survey = Survey {
            id: SurveyId(Uuid::now_v7()),
            sap_id: None,
            title: draft.title,
            questions: build_questions(draft.questions)?,
            window: draft.window,
            after_delivery: draft.after_delivery,
            active: draft.active,
            created_at: now,
            updated_at: now,
        };
        self.ports.surveys.create(&survey).await?;
        Ok(survey)
    }

    /// Replaces a survey (admins only); its questions only while nobody answered it.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Invalid` (the questions), `SurveyHasAnswers` (new questions for an answered
    /// survey), `Storage`.
    pub async fn update_survey(&self, actor: &AccessClaims, id: SurveyId, update: SurveyUpdate) -> Result<Survey, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        let existing = self.ports.surveys.get(id).await?.ok_or(FeedbackError::NotFound("survey"))?;
        let questions = match update.questions {
            None => existing.questions,
            Some(drafts) => {
                let questions = build_questions(drafts)?;
                if self.ports.surveys.answer_count(id).await? > 0 {
                    return Err(FeedbackError::SurveyHasAnswers);
                }
                questions
            }
        };
        let survey = Survey {
            title: update.title,
            questions,
            window: update.window,
            after_delivery: update.after_delivery,
            active: update.active,
            updated_at: self.ports.clock.now(),
            ..existing
        };
        self.ports.surveys.update(&survey).await.map_err(survey_error)
    }

    /// Deactivates a survey (admins only): no longer offered or answerable; its answers stay. A survey
    /// already inactive is returned unchanged.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Storage`.
    pub async fn deactivate_survey(&self, actor: &AccessClaims, id: SurveyId) -> Result<Survey, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        let existing = self.ports.surveys.get(id).await?.ok_or(FeedbackError::NotFound("survey"))?;
        if !existing.active {
            return Ok(existing);
        }
        let survey = Survey { active: false, updated_at: self.ports.clock.now(), ..existing };
        self.ports.surveys.update(&survey).await.map_err(survey_error)
    }

    /// Deletes a survey nobody answered (admins only); an answered one can only be deactivated.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `SurveyHasAnswers`, `Storage`.
    pub async fn delete_survey(&self, actor: &AccessClaims, id: SurveyId) -> Result<(), FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        self.ports.surveys.delete(id, self.ports.clock.now()).await.map_err(survey_error)
    }

    /// Every survey, newest first, with its answer count (admins only).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn surveys(&self, actor: &AccessClaims, page: PageRequest) -> Result<Page<AdminSurvey>, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        let surveys = self.ports.surveys.list(page).await?;
        let mut items = Vec::with_capacity(surveys.items.len());
        for survey in surveys.items {
            let answer_count = self.ports.surveys.answer_count(survey.id).await?;
            items.push(AdminSurvey { survey, answer_count });
        }
        Ok(Page { items, next_cursor: surveys.next_cursor })
    }

    /// One survey with its answer count (admins only).
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Storage`.
    pub async fn survey(&self, actor: &AccessClaims, id: SurveyId) -> Result<AdminSurvey, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        let survey = self.ports.surveys.get(id).await?.ok_or(FeedbackError::NotFound("survey"))?;
        let answer_count = self.ports.surveys.answer_count(id).await?;
        Ok(AdminSurvey { survey, answer_count })
    }

    /// The answers to a survey, newest first (admins only).
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Storage`.
    pub async fn survey_answers(&self, actor: &AccessClaims, id: SurveyId, page: PageRequest) -> Result<Page<SurveyAnswer>, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        self.ports.surveys.get(id).await?.ok_or(FeedbackError::NotFound("survey"))?;
        Ok(self.ports.surveys.answers(id, page).await?)
    }

    /// The surveys open to the calling customer now, by start of their window.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn open_surveys(&self, actor: &AccessClaims) -> Result<Vec<Survey>, FeedbackError> {
        let customer = self.acting_customer(actor).await?;
        let mut open = self.ports.surveys.open_unanswered(customer, self.ports.clock.now()).await?;
        if open.iter().any(|s| s.after_delivery) && !self.has_delivered_order(customer).await? {
            open.retain(|s| !s.after_delivery);
        }
        Ok(open)
    }

    /// Records the calling customer's answers to a survey open to them, once.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `NotFound`, `SurveyClosed`, `SurveyNotForYou`,
    /// `SurveyAlreadyAnswered`, `Invalid` (the answers, see [`Survey::check_answers`]), `SurveyChanged`,
    /// `Storage`.
    pub async fn answer_survey(
        &self,
        actor: &AccessClaims,
        id: SurveyId,
        submitted: &[SubmittedAnswer],
    ) -> Result<SurveyAnswer, FeedbackError> {
        let customer = self.acting_customer(actor).await?;
        let survey = self.ports.surveys.get(id).await?.ok_or(FeedbackError::NotFound("survey"))?;
        let now = self.ports.clock.now();
        if !survey.is_open_at(now) {
            return Err(FeedbackError::SurveyClosed);
        }
        if survey.after_delivery && !self.has_delivered_order(customer).await? {
            return Err(FeedbackError::SurveyNotForYou);
        }
        if self.ports.surveys.answer_of(id, customer).await?.is_some() {
            return Err(FeedbackError::SurveyAlreadyAnswered);
        }
        let answer = SurveyAnswer {
            id: SurveyAnswerId(Uuid::now_v7()),
            sap_id: None,
            survey_id: id,
            customer_id: customer,
            answers: survey.check_answers(submitted)?,
            created_at: now,
        };
        match self.ports.surveys.answer(&answer).await {
            Ok(()) => Ok(answer),
            // A concurrent answer of the same customer won, or the questions were replaced meanwhile.
            Err(RepoError::Conflict(_)) if self.ports.surveys.answer_of(id, customer).await?.is_some() => {
                Err(FeedbackError::SurveyAlreadyAnswered)
            }
            Err(RepoError::Conflict(_)) => Err(FeedbackError::SurveyChanged),
            Err(e) => Err(e.into()),
        }
    }

    async fn has_delivered_order(&self, customer: UserId) -> Result<bool, FeedbackError> {
        let query = OrderQuery {
            customer: Some(customer),
            status: Some(OrderStatus::Delivered),
            from: None,
            until: None,
            page: PageRequest { limit: 1, cursor: None },
        };
        Ok(!self.ports.orders.list(&query).await?.items.is_empty())
    }
}
