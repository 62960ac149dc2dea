//! Shapes of survey responses (requests are in `survey_input`). Customers get texts in the language of
//! `Accept-Language`; admins get both languages, since they edit both.
use poem_openapi::{Enum, Object};
use sabil_core::domain::Language;
use sabil_core::domain::feedback::{AnswerValue, QuestionKind, Survey, SurveyAnswer, SurveyQuestion};
use sabil_core::services::feedback::AdminSurvey;
use serde::Deserialize;
use time::OffsetDateTime;

use super::support_dto::LocalizedTextDto;

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum QuestionKindDto {
    /// Exactly one of `options` (answer with `optionIds` of one id).
    SingleChoice,
    /// One or more of `options` (answer with `optionIds`).
    MultipleChoice,
    /// A whole number from 1 to 5 (answer with `rating`).
    Rating,
    /// Free text, 1 to 2000 characters (answer with `text`).
    FreeText,
}

impl From<QuestionKindDto> for QuestionKind {
    fn from(k: QuestionKindDto) -> Self {
        match k {
            QuestionKindDto::SingleChoice => Self::SingleChoice,
            QuestionKindDto::MultipleChoice => Self::MultipleChoice,
            QuestionKindDto::Rating => Self::Rating,
            QuestionKindDto::FreeText => Self::FreeText,
        }
    }
}

impl From<QuestionKind> for QuestionKindDto {
    fn from(k: QuestionKind) -> Self {
        match k {
            QuestionKind::SingleChoice => Self::SingleChoice,
            QuestionKind::MultipleChoice => Self::MultipleChoice,
            QuestionKind::Rating => Self::Rating,
            QuestionKind::FreeText => Self::FreeText,
        }
    }
}

/// A choice of a question, in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct ChoiceDto {
    /// Send it in `optionIds`.
    pub id: uuid::Uuid,
    /// The choice's label in the language asked for.
    pub label: String,
}

/// A question, in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct SurveyQuestionDto {
    /// Send it as `questionId`.
    pub id: uuid::Uuid,
    /// What kind of answer it takes.
    pub kind: QuestionKindDto,
    /// The question in the language asked for.
    pub text: String,
    /// An answer to the survey must answer it.
    pub required: bool,
    /// The choices of a choice question, in display order; empty otherwise.
    pub options: Vec<ChoiceDto>,
}

/// A survey open to the caller, in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct SurveyDto {
    /// Answer with POST /api/surveys/{id}/answers.
    pub id: uuid::Uuid,
    /// The survey's title in the language asked for.
    pub title: String,
    /// In display order.
    pub questions: Vec<SurveyQuestionDto>,
    /// Answers are accepted until this instant (RFC 3339, UTC).
    pub active_to: OffsetDateTime,
}

impl SurveyDto {
    pub fn new(s: Survey, lang: Language) -> Self {
        let question = |q: SurveyQuestion| SurveyQuestionDto {
            id: q.id.0,
            kind: q.kind.into(),
            text: q.text.get(lang).to_owned(),
            required: q.required,
            options: q.options.into_iter().map(|o| ChoiceDto { id: o.id.0, label: o.label.get(lang).to_owned() }).collect(),
        };
        Self {
            id: s.id.0,
            title: s.title.get(lang).to_owned(),
            questions: s.questions.into_iter().map(question).collect(),
            active_to: s.window.ends_at,
        }
    }
}

/// A choice of a question, in both languages.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminChoiceDto {
    /// The choice's id (what customers send in `optionIds`).
    pub id: uuid::Uuid,
    /// The label in both languages.
    pub label: LocalizedTextDto,
}

/// A question, in both languages.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminSurveyQuestionDto {
    /// The question's id (what customers send as `questionId`).
    pub id: uuid::Uuid,
    /// What kind of answer it takes.
    pub kind: QuestionKindDto,
    /// The question in both languages.
    pub text: LocalizedTextDto,
    /// An answer to the survey must answer it.
    pub required: bool,
    /// Empty unless a choice question.
    pub options: Vec<AdminChoiceDto>,
}

/// A survey as admins see it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AdminSurveyDto {
    /// The survey's id.
    pub id: uuid::Uuid,
    /// SAP's id, once SAP has one.
    pub sap_id: Option<String>,
    /// The title in both languages.
    pub title: LocalizedTextDto,
    /// In display order.
    pub questions: Vec<AdminSurveyQuestionDto>,
    /// First instant it may be answered (RFC 3339, UTC).
    pub active_from: OffsetDateTime,
    /// First instant it may no longer be answered.
    pub active_to: OffsetDateTime,
    /// Offered only to customers who have had an order delivered.
    pub after_delivery: bool,
    /// `false` once deactivated.
    pub active: bool,
    /// How many customers answered it.
    pub answer_count: u64,
    /// When it was created (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: OffsetDateTime,
}

impl AdminSurveyDto {
    pub fn new(s: Survey, answer_count: u64) -> Self {
        let question = |q: SurveyQuestion| AdminSurveyQuestionDto {
            id: q.id.0,
            kind: q.kind.into(),
            text: q.text.into(),
            required: q.required,
            options: q.options.into_iter().map(|o| AdminChoiceDto { id: o.id.0, label: o.label.into() }).collect(),
        };
        Self {
            id: s.id.0,
            sap_id: s.sap_id,
            title: s.title.into(),
            questions: s.questions.into_iter().map(question).collect(),
            active_from: s.window.starts_at,
            active_to: s.window.ends_at,
            after_delivery: s.after_delivery,
            active: s.active,
            answer_count,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

impl From<AdminSurvey> for AdminSurveyDto {
    fn from(a: AdminSurvey) -> Self {
        Self::new(a.survey, a.answer_count)
    }
}

/// A page of surveys.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AdminSurveyPage {
    /// Newest first.
    pub items: Vec<AdminSurveyDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The answer to one question.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AnswerItemDto {
    /// The question answered.
    pub question_id: uuid::Uuid,
    /// The choices picked (choice questions).
    #[oai(skip_serializing_if_is_none)]
    pub option_ids: Option<Vec<uuid::Uuid>>,
    /// 1 to 5 (rating questions).
    #[oai(skip_serializing_if_is_none)]
    pub rating: Option<u8>,
    /// Free-text questions.
    #[oai(skip_serializing_if_is_none)]
    pub text: Option<String>,
}

/// One customer's answers to a survey.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct SurveyAnswerDto {
    /// The answer's id.
    pub id: uuid::Uuid,
    /// The survey answered.
    pub survey_id: uuid::Uuid,
    /// The customer who answered.
    pub customer_id: uuid::Uuid,
    /// In the survey's question order; optional questions left out are absent.
    pub answers: Vec<AnswerItemDto>,
    /// When it was answered (RFC 3339, UTC).
    pub answered_at: OffsetDateTime,
}

impl From<SurveyAnswer> for SurveyAnswerDto {
    fn from(a: SurveyAnswer) -> Self {
        let item = |qa: sabil_core::domain::feedback::QuestionAnswer| {
            let (option_ids, rating, text) = match qa.value {
                AnswerValue::Choices(ids) => (Some(ids.into_iter().map(|i| i.0).collect()), None, None),
                AnswerValue::Rating(s) => (None, Some(s.get()), None),
                AnswerValue::Text(t) => (None, None, Some(t)),
            };
            AnswerItemDto { question_id: qa.question_id.0, option_ids, rating, text }
        };
        Self {
            id: a.id.0,
            survey_id: a.survey_id.0,
            customer_id: a.customer_id.0,
            answers: a.answers.into_iter().map(item).collect(),
            answered_at: a.created_at,
        }
    }
}

/// A page of answers.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct SurveyAnswerPage {
    /// Newest first.
    pub items: Vec<SurveyAnswerDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
