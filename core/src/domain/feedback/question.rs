//! A customer's question to support and the answer an admin gives it (once).
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::UserId;
use crate::domain::validation::Invalid;

/// Longest question a customer may send.
pub const QUESTION_TEXT_MAX: usize = 2_000;
/// Longest answer an admin may give.
pub const QUESTION_ANSWER_MAX: usize = 4_000;

/// Identifier of a customer's question (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerQuestionId(pub Uuid);

/// Whether a question still waits for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionStatus {
    Open,
    Answered,
}

impl QuestionStatus {
    /// Wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
        }
    }
}

/// An admin's answer to a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionReply {
    pub text: String,
    pub answered_by: UserId,
    pub answered_at: OffsetDateTime,
}

/// A question from a customer, with its answer once given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerQuestion {
    pub id: CustomerQuestionId,
    pub customer_id: UserId,
    pub text: String,
    pub reply: Option<QuestionReply>,
    pub created_at: OffsetDateTime,
}

impl CustomerQuestion {
    /// Open until answered.
    #[must_use]
    pub fn status(&self) -> QuestionStatus {
        if self.reply.is_some() { QuestionStatus::Answered } else { QuestionStatus::Open }
    }
}

/// The text of a question or an answer: trimmed, 1 to `max` characters.
///
/// # Errors
/// `Invalid` naming `field` when empty or too long.
pub fn parse_question_text(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let text = raw.trim();
    let len = text.chars().count();
    if len == 0 || len > max {
        return Err(Invalid::field(field, format!("must be 1 to {max} characters"), "Write the text, shorter if it is too long."));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_must_be_one_to_max_characters() {
        assert_eq!(parse_question_text("text", "  When do you deliver?  ", 50), Ok("When do you deliver?".into()));
        assert_eq!(parse_question_text("text", " \n ", 50).expect_err("blank").0[0].field, "text");
        assert!(parse_question_text("text", &"م".repeat(50), 50).is_ok());
        assert_eq!(parse_question_text("answer", &"m".repeat(51), 50).expect_err("long").0[0].field, "answer");
    }
}
