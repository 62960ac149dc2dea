//! How the survey, rating and question outcomes are answered.
use sabil_core::services::FeedbackError;

use super::ApiError;

impl From<FeedbackError> for ApiError {
    fn from(e: FeedbackError) -> Self {
        match e {
            FeedbackError::Invalid(invalid) => invalid.into(),
            FeedbackError::NotFound(what) => {
                let hint = match what {
                    "survey" => Some("List surveys with GET /api/surveys (customers) or GET /api/admin/surveys (admins)."),
                    "order" => Some("List your orders with GET /api/orders."),
                    _ => None,
                };
                Self::not_found(&format!("{what}.not_found"), format!("No such {what}."), hint)
            }
            FeedbackError::SurveyClosed => Self::unprocessable(
                "survey.closed",
                "This survey is not open: it was deactivated or is outside its active window.",
                "Answer one of the surveys of GET /api/surveys.",
            ),
            FeedbackError::SurveyNotForYou => Self::unprocessable(
                "survey.after_delivery_only",
                "This survey is for customers who have had an order delivered.",
                "Answer one of the surveys of GET /api/surveys.",
            ),
            FeedbackError::SurveyAlreadyAnswered => {
                Self::conflict("survey.already_answered", "You answered this survey already.", "Each survey is answered once.")
            }
            FeedbackError::SurveyChanged => Self::conflict(
                "survey.changed",
                "The survey's questions changed while you answered it.",
                "Load the survey again with GET /api/surveys and answer its current questions.",
            ),
            FeedbackError::SurveyHasAnswers => Self::conflict(
                "survey.has_answers",
                "Customers have answered this survey, so its questions cannot change and it cannot be deleted.",
                "Deactivate it with POST /api/admin/surveys/{id}/deactivate and create a new survey.",
            ),
            FeedbackError::OrderNotDelivered(status) => Self::unprocessable(
                "order.not_delivered",
                format!("The order is {}; only a delivered order can be rated.", status.as_str()),
                "Rate the order once it has been delivered.",
            ),
            FeedbackError::OrderAlreadyRated => {
                Self::conflict("rating.already_given", "You rated this order already.", "Each order is rated once.")
            }
            FeedbackError::QuestionAlreadyAnswered => Self::conflict(
                "question.already_answered",
                "This question has been answered already.",
                "Read the answer with GET /api/admin/questions?status=answered.",
            ),
            FeedbackError::CustomersOnly => {
                Self::forbidden("auth.role_forbidden", "Only a customer account may do this.", "Sign in with an active customer account.")
            }
            FeedbackError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            FeedbackError::Denied(denied) => denied.into(),
            FeedbackError::Storage(e) => e.into(),
        }
    }
}
