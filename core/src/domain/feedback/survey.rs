//! Surveys as admins define them: a title, questions of four kinds (choices from a list, a rating
//! from 1 to 5, free text), an active window, and optionally only for customers with a delivered order.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::localized::LocalizedText;
use crate::domain::validation::{Invalid, Problems};

/// Longest survey title, per language.
pub const SURVEY_TITLE_MAX: usize = 200;
/// Longest question text, per language.
pub const SURVEY_QUESTION_MAX: usize = 500;
/// Longest label of a choice, per language.
pub const SURVEY_OPTION_MAX: usize = 200;
/// Most questions in one survey.
pub const SURVEY_QUESTIONS_MAX: usize = 50;
/// Most choices of one question.
pub const SURVEY_OPTIONS_MAX: usize = 20;
/// Longest free-text answer.
pub const FREE_TEXT_ANSWER_MAX: usize = 2_000;

/// Identifier of a survey (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SurveyId(pub Uuid);

/// Identifier of a question of a survey (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SurveyQuestionId(pub Uuid);

/// Identifier of a choice of a question (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChoiceOptionId(pub Uuid);

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionKind {
    /// Exactly one of the question's options.
    SingleChoice,
    /// One or more of the question's options.
    MultipleChoice,
    /// A whole number from 1 to 5.
    Rating,
    /// Free text, 1 to [`FREE_TEXT_ANSWER_MAX`] characters.
    FreeText,
}

impl QuestionKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [Self::SingleChoice, Self::MultipleChoice, Self::Rating, Self::FreeText];

    /// Stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleChoice => "single_choice",
            Self::MultipleChoice => "multiple_choice",
            Self::Rating => "rating",
            Self::FreeText => "free_text",
        }
    }

    /// The kind with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether answers pick from the question's options.
    #[must_use]
    pub fn is_choice(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultipleChoice)
    }
}

/// One choice of a choice question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyOption {
    pub id: ChoiceOptionId,
    pub label: LocalizedText,
}

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyQuestion {
    pub id: SurveyQuestionId,
    pub kind: QuestionKind,
    pub text: LocalizedText,
    /// A submission without an answer to it is refused.
    pub required: bool,
    /// The choices, in display order; empty unless the kind is a choice.
    pub options: Vec<SurveyOption>,
}

/// When a survey may be answered: from `starts_at` (inclusive) to `ends_at` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyWindow {
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

impl SurveyWindow {
    /// A window that ends after it starts.
    ///
    /// # Errors
    /// `Invalid` naming `activeTo` when it is not after `activeFrom`.
    pub fn new(starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> Result<Self, Invalid> {
        if ends_at <= starts_at {
            return Err(Invalid::field("activeTo", "is not after activeFrom", "Give an end later than the start."));
        }
        Ok(Self { starts_at, ends_at })
    }

    /// Whether `now` falls inside.
    #[must_use]
    pub fn contains(&self, now: OffsetDateTime) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

/// A survey (an entity shared with SAP: every change is recorded for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub id: SurveyId,
    /// SAP's id, once SAP has one.
    pub sap_id: Option<String>,
    pub title: LocalizedText,
    /// In display order.
    pub questions: Vec<SurveyQuestion>,
    pub window: SurveyWindow,
    /// Offered only to customers who have had an order delivered.
    pub after_delivery: bool,
    /// `false` once an admin deactivated it: no longer offered or answerable.
    pub active: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Survey {
    /// Whether it can be answered at `now` (active and inside its window); who may answer is the
    /// service's question.
    #[must_use]
    pub fn is_open_at(&self, now: OffsetDateTime) -> bool {
        self.active && self.window.contains(now)
    }

    /// The question with this id.
    #[must_use]
    pub fn question(&self, id: SurveyQuestionId) -> Option<&SurveyQuestion> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// A question as an admin submits it; ids are given when the survey is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionDraft {
    pub kind: QuestionKind,
    pub text: LocalizedText,
    pub required: bool,
    /// Choice labels in display order (only for choice kinds).
    pub options: Vec<LocalizedText>,
}

/// Builds the questions of a survey from drafts, giving each question and choice a fresh id.
///
/// # Errors
/// `Invalid` naming `questions` (none, or more than [`SURVEY_QUESTIONS_MAX`]) or
/// `questions[i].options` (a choice question with fewer than 2 or more than [`SURVEY_OPTIONS_MAX`]
/// choices or two with the same English or Arabic label; options on a rating or free-text question).
pub fn build_questions(drafts: Vec<QuestionDraft>) -> Result<Vec<SurveyQuestion>, Invalid> {
    if drafts.is_empty() || drafts.len() > SURVEY_QUESTIONS_MAX {
        return Err(Invalid::field(
            "questions",
            format!("has {} questions", drafts.len()),
            format!("Give 1 to {SURVEY_QUESTIONS_MAX} questions."),
        ));
    }
    let mut p = Problems::new();
    for (i, d) in drafts.iter().enumerate() {
        let field = format!("questions[{i}].options");
        if d.kind.is_choice() {
            if d.options.len() < 2 || d.options.len() > SURVEY_OPTIONS_MAX {
                p.add(
                    &field,
                    format!("has {} choices", d.options.len()),
                    format!("A choice question needs 2 to {SURVEY_OPTIONS_MAX} choices."),
                );
            }
            let duplicate =
                d.options.iter().enumerate().any(|(j, o)| {
                    d.options[..j].iter().any(|earlier| earlier.en.to_lowercase() == o.en.to_lowercase() || earlier.ar == o.ar)
                });
            if duplicate {
                p.add(&field, "has two choices with the same label", "Give every choice its own label in both languages.");
            }
        } else if !d.options.is_empty() {
            p.add(&field, format!("is not allowed for a {} question", d.kind.as_str()), "Leave options out, or make it a choice question.");
        }
    }
    p.finish()?;
    Ok(drafts
        .into_iter()
        .map(|d| SurveyQuestion {
            id: SurveyQuestionId(Uuid::now_v7()),
            kind: d.kind,
            text: d.text,
            required: d.required,
            options: d.options.into_iter().map(|label| SurveyOption { id: ChoiceOptionId(Uuid::now_v7()), label }).collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn text(en: &str) -> LocalizedText {
        LocalizedText { ar: format!("{en} ar"), en: en.to_owned() }
    }

    fn draft(kind: QuestionKind, options: &[&str]) -> QuestionDraft {
        QuestionDraft { kind, text: text("How was it?"), required: true, options: options.iter().map(|o| text(o)).collect() }
    }

    fn fields(e: &Invalid) -> Vec<&str> {
        e.0.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn questions_get_fresh_ids_and_keep_their_order() {
        let built = build_questions(vec![
            draft(QuestionKind::SingleChoice, &["Yes", "No"]),
            draft(QuestionKind::Rating, &[]),
            draft(QuestionKind::FreeText, &[]),
        ])
        .expect("valid");
        assert_eq!(
            built.iter().map(|q| q.kind).collect::<Vec<_>>(),
            [QuestionKind::SingleChoice, QuestionKind::Rating, QuestionKind::FreeText]
        );
        assert_ne!(built[0].options[0].id, built[0].options[1].id);
        assert_eq!(built[0].options[1].label.en, "No");
    }

    #[test]
    fn choice_questions_need_two_distinct_choices_and_others_none() {
        let e = build_questions(vec![
            draft(QuestionKind::MultipleChoice, &["Only"]),
            draft(QuestionKind::SingleChoice, &["Same", "same"]),
            draft(QuestionKind::Rating, &["5 stars"]),
            draft(QuestionKind::FreeText, &[]),
        ])
        .expect_err("invalid");
        assert_eq!(fields(&e), ["questions[0].options", "questions[1].options", "questions[2].options"]);
        let none = build_questions(vec![]).expect_err("no questions");
        assert_eq!(fields(&none), ["questions"]);
    }

    #[test]
    fn a_window_must_end_after_it_starts_and_excludes_its_end() {
        let start = datetime!(2026-03-01 00:00 UTC);
        assert_eq!(fields(&SurveyWindow::new(start, start).expect_err("empty")), ["activeTo"]);
        let w = SurveyWindow::new(start, datetime!(2026-04-01 00:00 UTC)).expect("valid");
        assert!(w.contains(start));
        assert!(!w.contains(datetime!(2026-04-01 00:00 UTC)));
        assert!(!w.contains(datetime!(2026-02-28 23:59:59 UTC)));
    }
}
