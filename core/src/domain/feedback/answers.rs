//! A customer's answers to a survey, checked against the survey's questions: every answer fits its
//! question's kind, choices come from the question's list, ratings are 1 to 5, and every required
//! question is answered.
use std::collections::HashSet;

use time::OffsetDateTime;
use uuid::Uuid;

use super::rating::Score;
use super::survey::{ChoiceOptionId, FREE_TEXT_ANSWER_MAX, QuestionKind, Survey, SurveyId, SurveyQuestion, SurveyQuestionId};
use crate::domain::UserId;
use crate::domain::validation::{Invalid, Problems};

/// Identifier of one customer's submission to a survey (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SurveyAnswerId(pub Uuid);

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerValue {
    /// The choices picked (one for a single-choice question), in the question's order.
    Choices(Vec<ChoiceOptionId>),
    Rating(Score),
    /// Trimmed, 1 to [`FREE_TEXT_ANSWER_MAX`] characters.
    Text(String),
}

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionAnswer {
    pub question_id: SurveyQuestionId,
    pub value: AnswerValue,
}

/// One customer's answers to one survey (an entity shared with SAP; a customer answers a survey once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyAnswer {
    pub id: SurveyAnswerId,
    /// SAP's id, once SAP has one.
    pub sap_id: Option<String>,
    pub survey_id: SurveyId,
    pub customer_id: UserId,
    /// In the survey's question order; unanswered optional questions are absent.
    pub answers: Vec<QuestionAnswer>,
    pub created_at: OffsetDateTime,
}

/// An answer as the customer sent it, before it is checked against the survey.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubmittedAnswer {
    pub question_id: Uuid,
    /// For choice questions.
    pub option_ids: Vec<Uuid>,
    /// For rating questions.
    pub rating: Option<i64>,
    /// For free-text questions.
    pub text: Option<String>,
}

impl Survey {
    /// The submitted answers checked against this survey's questions, in question order.
    ///
    /// # Errors
    /// `Invalid` naming every problem: `answers[i].questionId` (not a question of this survey, or
    /// answered twice), `answers[i].optionIds` (not exactly one choice for a single-choice question,
    /// none or a repeated one for a multiple-choice question, or one not in the question's list),
    /// `answers[i].rating` (outside 1 to 5), `answers[i].text` (empty or too long), `answers[i]`
    /// (a value that does not fit the question's kind), and `answers.<questionId>` for each required
    /// question left unanswered.
    pub fn check_answers(&self, submitted: &[SubmittedAnswer]) -> Result<Vec<QuestionAnswer>, Invalid> {
        let mut p = Problems::new();
        let mut seen = HashSet::new();
        let mut answers = Vec::new();
        for (i, s) in submitted.iter().enumerate() {
            let Some(question) = self.question(SurveyQuestionId(s.question_id)) else {
                p.add(&format!("answers[{i}].questionId"), "is not a question of this survey", "Answer the questions of GET /api/surveys.");
                continue;
            };
            if !seen.insert(question.id) {
                p.add(&format!("answers[{i}].questionId"), "answers the same question twice", "Send one answer per question.");
                continue;
            }
            if let Some(value) = p.keep(answer_value(question, s, i)) {
                answers.push(QuestionAnswer { question_id: question.id, value });
            }
        }
        for q in self.questions.iter().filter(|q| q.required && !seen.contains(&q.id)) {
            p.add(&format!("answers.{}", q.id.0), "is required and was not answered", "Answer every required question.");
        }
        p.finish()?;
        let position = |id: SurveyQuestionId| self.questions.iter().position(|q| q.id == id);
        answers.sort_by_key(|a| position(a.question_id));
        Ok(answers)
    }
}

/// The value of one submitted answer for `question`; problems name `answers[i]...`.
fn answer_value(question: &SurveyQuestion, s: &SubmittedAnswer, i: usize) -> Result<AnswerValue, Invalid> {
    let field = |name: &str| format!("answers[{i}].{name}");
    let takes = match question.kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => "optionIds",
        QuestionKind::Rating => "rating",
        QuestionKind::FreeText => "text",
    };
    let given = [("optionIds", !s.option_ids.is_empty()), ("rating", s.rating.is_some()), ("text", s.text.is_some())];
    if let Some((extra, _)) = given.iter().find(|(name, present)| *present && *name != takes) {
        return Err(Invalid::field(
            &format!("answers[{i}]"),
            format!("gives `{extra}` to a {} question", question.kind.as_str()),
            format!("Answer a {} question with `{takes}` only.", question.kind.as_str()),
        ));
    }
    match question.kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            let single = question.kind == QuestionKind::SingleChoice;
            if (single && s.option_ids.len() != 1) || s.option_ids.is_empty() {
                let wanted = if single { "exactly one choice" } else { "at least one choice" };
                return Err(Invalid::field(&field("optionIds"), format!("must name {wanted}"), "Pick from the question's options."));
            }
            let mut picked = HashSet::new();
            for id in &s.option_ids {
                if !question.options.iter().any(|o| o.id.0 == *id) {
                    return Err(Invalid::field(
                        &field("optionIds"),
                        format!("{id} is not a choice of this question"),
                        "Pick from the question's options.",
                    ));
                }
                if !picked.insert(*id) {
                    return Err(Invalid::field(&field("optionIds"), format!("names {id} twice"), "Name each choice once."));
                }
            }
            Ok(AnswerValue::Choices(question.options.iter().filter(|o| picked.contains(&o.id.0)).map(|o| o.id).collect()))
        }
        QuestionKind::Rating => match s.rating {
            Some(r) => Score::parse(r).map(AnswerValue::Rating).map_err(|e| e.at(&field("rating"))),
            None => Err(Invalid::field(&field("rating"), "is missing", "Give a rating from 1 to 5.")),
        },
        QuestionKind::FreeText => {
            let text = s.text.as_deref().unwrap_or("").trim();
            let len = text.chars().count();
            if len == 0 || len > FREE_TEXT_ANSWER_MAX {
                return Err(Invalid::field(
                    &field("text"),
                    format!("must be 1 to {FREE_TEXT_ANSWER_MAX} characters"),
                    "Write an answer, or leave an optional question out.",
                ));
            }
            Ok(AnswerValue::Text(text.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::domain::LocalizedText;
    use crate::domain::feedback::{QuestionDraft, SurveyWindow, build_questions};

    fn text(en: &str) -> LocalizedText {
        LocalizedText { ar: format!("{en} ar"), en: en.to_owned() }
    }

    fn survey() -> Survey {
        let q = |kind, required, options: &[&str]| QuestionDraft {
            kind,
            text: text("Q"),
            required,
            options: options.iter().map(|o| text(o)).collect(),
        };
        Survey {
            id: SurveyId(Uuid::now_v7()),
            sap_id: None,
            title: text("Service"),
            questions: build_questions(vec![
                q(QuestionKind::SingleChoice, true, &["Yes", "No"]),
                q(QuestionKind::MultipleChoice, false, &["Price", "Speed", "Driver"]),
                q(QuestionKind::Rating, true, &[]),
                q(QuestionKind::FreeText, false, &[]),
            ])
            .expect("valid"),
            window: SurveyWindow::new(datetime!(2026-03-01 0:00 UTC), datetime!(2026-04-01 0:00 UTC)).expect("window"),
            after_delivery: false,
            active: true,
            created_at: datetime!(2026-03-01 0:00 UTC),
            updated_at: datetime!(2026-03-01 0:00 UTC),
        }
    }

    fn choice(s: &Survey, q: usize, options: &[usize]) -> SubmittedAnswer {
        let question = &s.questions[q];
        SubmittedAnswer {
            question_id: question.id.0,
            option_ids: options.iter().map(|&o| question.options[o].id.0).collect(),
            ..SubmittedAnswer::default()
        }
    }

    fn rating(s: &Survey, r: i64) -> SubmittedAnswer {
        SubmittedAnswer { question_id: s.questions[2].id.0, rating: Some(r), ..SubmittedAnswer::default() }
    }

    fn fields(e: &Invalid) -> Vec<String> {
        e.0.iter().map(|p| p.field.clone()).collect()
    }

    #[test]
    fn valid_answers_come_back_in_question_order_with_choices_in_list_order() {
        let s = survey();
        let free = SubmittedAnswer { question_id: s.questions[3].id.0, text: Some("  Great  ".into()), ..SubmittedAnswer::default() };
        let answers = s.check_answers(&[free, rating(&s, 5), choice(&s, 1, &[2, 0]), choice(&s, 0, &[1])]).expect("valid");
        let ids: Vec<_> = answers.iter().map(|a| a.question_id).collect();
        assert_eq!(ids, s.questions.iter().map(|q| q.id).collect::<Vec<_>>());
        assert_eq!(answers[1].value, AnswerValue::Choices(vec![s.questions[1].options[0].id, s.questions[1].options[2].id]));
        assert_eq!(answers[2].value, AnswerValue::Rating(Score::parse(5).expect("score")));
        assert_eq!(answers[3].value, AnswerValue::Text("Great".into()));
    }

    #[test]
    fn optional_questions_may_be_left_out_but_required_ones_are_named() {
        let s = survey();
        assert_eq!(s.check_answers(&[choice(&s, 0, &[0]), rating(&s, 1)]).expect("valid").len(), 2);
        let e = s.check_answers(&[choice(&s, 1, &[0])]).expect_err("required missing");
        assert_eq!(fields(&e), [format!("answers.{}", s.questions[0].id.0), format!("answers.{}", s.questions[2].id.0)]);
    }

    #[test]
    fn every_misfit_is_named_by_its_position() {
        let s = survey();
        let stranger = SubmittedAnswer { question_id: Uuid::now_v7(), rating: Some(3), ..SubmittedAnswer::default() };
        let foreign_option = SubmittedAnswer { option_ids: vec![s.questions[1].options[0].id.0], ..choice(&s, 0, &[]) };
        let e = s
            .check_answers(&[
                stranger,
                foreign_option,
                rating(&s, 6),
                rating(&s, 4),
                SubmittedAnswer { question_id: s.questions[3].id.0, text: Some("   ".into()), ..SubmittedAnswer::default() },
                SubmittedAnswer { rating: Some(2), ..choice(&s, 1, &[0]) },
            ])
            .expect_err("invalid");
        assert_eq!(
            fields(&e),
            [
                "answers[0].questionId",
                "answers[1].optionIds",
                "answers[2].rating",
                "answers[3].questionId",
                "answers[4].text",
                "answers[5]"
            ]
        );
    }

    #[test]
    fn a_single_choice_takes_exactly_one_and_a_multiple_choice_no_repeats() {
        let s = survey();
        let two = s.check_answers(&[choice(&s, 0, &[0, 1]), rating(&s, 3)]).expect_err("two choices");
        assert_eq!(fields(&two), ["answers[0].optionIds"]);
        let repeated = s.check_answers(&[choice(&s, 0, &[0]), rating(&s, 3), choice(&s, 1, &[1, 1])]).expect_err("repeat");
        assert_eq!(fields(&repeated), ["answers[2].optionIds"]);
        let none = s.check_answers(&[choice(&s, 0, &[0]), rating(&s, 3), choice(&s, 1, &[])]).expect_err("empty");
        assert_eq!(fields(&none), ["answers[2].optionIds"]);
    }
}
