//! Shapes of survey requests: a survey as admins create or replace it, and a customer's answers.
use poem_openapi::Object;
use sabil_core::domain::feedback::{
    QuestionDraft, SURVEY_OPTION_MAX, SURVEY_QUESTION_MAX, SURVEY_TITLE_MAX, SubmittedAnswer, SurveyWindow,
};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Invalid, LocalizedText};
use sabil_core::services::feedback::{SurveyDraft, SurveyUpdate};
use serde::Deserialize;
use time::OffsetDateTime;

use super::support_dto::LocalizedTextDto;
use super::survey_dto::QuestionKindDto;

/// A question as an admin sends it.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurveyQuestionInput {
    /// What kind of answer it takes.
    pub kind: QuestionKindDto,
    /// The question, 1 to 500 characters in each language.
    pub text: LocalizedTextDto,
    /// Whether an answer to the survey must answer it.
    pub required: bool,
    /// For choice questions: 2 to 20 choices, 1 to 200 characters in each language; leave out otherwise.
    #[serde(default)]
    #[oai(validator(max_items = 20))]
    pub options: Option<Vec<LocalizedTextDto>>,
}

fn parse_questions(questions: Vec<SurveyQuestionInput>, p: &mut Problems) -> Vec<QuestionDraft> {
    questions
        .into_iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let text = p.keep(q.text.parse(&format!("questions[{i}].text"), SURVEY_QUESTION_MAX));
            let options: Vec<Option<LocalizedText>> = q
                .options
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(j, o)| p.keep(o.parse(&format!("questions[{i}].options[{j}]"), SURVEY_OPTION_MAX)))
                .collect();
            let options: Option<Vec<LocalizedText>> = options.into_iter().collect();
            Some(QuestionDraft { kind: q.kind.into(), text: text?, required: q.required, options: options? })
        })
        .collect()
}

fn parse_window(from: OffsetDateTime, to: OffsetDateTime, p: &mut Problems) -> Option<SurveyWindow> {
    p.keep(SurveyWindow::new(from, to))
}

fn unreadable() -> Invalid {
    Invalid::field("body", "could not be read", "Check the request against /openapi.json.")
}

/// A new survey.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurveyInput {
    /// 1 to 200 characters in each language.
    pub title: LocalizedTextDto,
    /// 1 to 50 questions, in display order.
    #[oai(validator(max_items = 50))]
    pub questions: Vec<SurveyQuestionInput>,
    /// First instant it may be answered (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub active_from: OffsetDateTime,
    /// First instant it may no longer be answered (RFC 3339), after `activeFrom`.
    #[serde(with = "time::serde::rfc3339")]
    pub active_to: OffsetDateTime,
    /// Offer it only to customers who have had an order delivered; default false.
    pub after_delivery: Option<bool>,
    /// Whether it is offered at all; default true.
    pub active: Option<bool>,
}

impl SurveyInput {
    /// The draft, with every field's problem named.
    pub fn parse(self) -> Result<SurveyDraft, Invalid> {
        let mut p = Problems::new();
        let title = p.keep(self.title.parse("title", SURVEY_TITLE_MAX));
        let count = self.questions.len();
        let questions = parse_questions(self.questions, &mut p);
        let window = parse_window(self.active_from, self.active_to, &mut p);
        p.finish()?;
        let (Some(title), Some(window)) = (title, window) else { return Err(unreadable()) };
        if questions.len() != count {
            return Err(unreadable());
        }
        Ok(SurveyDraft {
            title,
            questions,
            window,
            after_delivery: self.after_delivery.unwrap_or(false),
            active: self.active.unwrap_or(true),
        })
    }
}

/// A replacement of a survey.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurveyUpdateInput {
    /// 1 to 200 characters in each language.
    pub title: LocalizedTextDto,
    /// New questions (they get new ids); refused with 409 once the survey has answers. Leave out to
    /// keep the questions as they are.
    #[serde(default)]
    #[oai(validator(max_items = 50))]
    pub questions: Option<Vec<SurveyQuestionInput>>,
    /// First instant it may be answered (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub active_from: OffsetDateTime,
    /// First instant it may no longer be answered (RFC 3339), after `activeFrom`.
    #[serde(with = "time::serde::rfc3339")]
    pub active_to: OffsetDateTime,
    /// Offer it only to customers who have had an order delivered.
    pub after_delivery: bool,
    /// Whether it is offered at all.
    pub active: bool,
}

impl SurveyUpdateInput {
    /// The update, with every field's problem named.
    pub fn parse(self) -> Result<SurveyUpdate, Invalid> {
        let mut p = Problems::new();
        let title = p.keep(self.title.parse("title", SURVEY_TITLE_MAX));
        let count = self.questions.as_ref().map(Vec::len);
        let questions = self.questions.map(|q| parse_questions(q, &mut p));
        let window = parse_window(self.active_from, self.active_to, &mut p);
        p.finish()?;
        let (Some(title), Some(window)) = (title, window) else { return Err(unreadable()) };
        if questions.as_ref().map(Vec::len) != count {
            return Err(unreadable());
        }
        Ok(SurveyUpdate { title, questions, window, after_delivery: self.after_delivery, active: self.active })
    }
}

/// One answer as a customer sends it: `optionIds` for a choice question, `rating` for a rating
/// question, `text` for a free-text question.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerItemInput {
    /// The question's id (from GET /api/surveys).
    pub question_id: uuid::Uuid,
    /// The ids of the choices picked: exactly one for `single_choice`, one or more for `multiple_choice`.
    #[serde(default)]
    #[oai(validator(max_items = 20))]
    pub option_ids: Option<Vec<uuid::Uuid>>,
    /// 1 to 5, for `rating`.
    pub rating: Option<i64>,
    /// 1 to 2000 characters, for `free_text`.
    pub text: Option<String>,
}

/// A customer's answers to a survey.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurveyAnswersInput {
    /// One per question answered; every required question must be answered.
    #[oai(validator(max_items = 50))]
    pub answers: Vec<AnswerItemInput>,
}

impl SurveyAnswersInput {
    /// The answers as submitted (checked against the survey by the service).
    pub fn submitted(self) -> Vec<SubmittedAnswer> {
        self.answers
            .into_iter()
            .map(|a| SubmittedAnswer {
                question_id: a.question_id,
                option_ids: a.option_ids.unwrap_or_default(),
                rating: a.rating,
                text: a.text,
            })
            .collect()
    }
}
