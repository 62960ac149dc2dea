//! What customers tell the business: surveys (admins define them, customers answer each once), ratings
//! of delivered orders (with averages per area and week for admins), and questions to support (an
//! admin's answer notifies the customer through the outbox).
mod questions;
mod ratings;
mod surveys;

use std::sync::Arc;

use crate::domain::orders::OrderStatus;
use crate::domain::{AccessClaims, Invalid, Role, Subject, UserId, UserStatus};
use crate::error::RepoError;
use crate::ports::{BusinessTimeZone, Ports};
use crate::services::authorization::AdminDenied;

pub use ratings::RatingReport;
pub use surveys::{AdminSurvey, SurveyDraft, SurveyUpdate};

/// Business outcomes of the feedback use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    /// The input breaks a rule (named by field, with a hint).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The addressed survey, order or question does not exist (or is another customer's).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The survey is deactivated or outside its active window.
    #[error("the survey is not open")]
    SurveyClosed,
    /// The survey is for customers with a delivered order, and the caller has none.
    #[error("the survey is only for customers with a delivered order")]
    SurveyNotForYou,
    /// The customer answered this survey already.
    #[error("the survey was answered already")]
    SurveyAlreadyAnswered,
    /// The survey's questions changed while the customer answered it.
    #[error("the survey changed while it was being answered")]
    SurveyChanged,
    /// The survey has answers, so its questions cannot change and it cannot be deleted.
    #[error("the survey has answers")]
    SurveyHasAnswers,
    /// Only a delivered order may be rated.
    #[error("the order is {}, not delivered", .0.as_str())]
    OrderNotDelivered(OrderStatus),
    /// The order has a rating already.
    #[error("the order was rated already")]
    OrderAlreadyRated,
    /// The question has an answer already.
    #[error("the question was answered already")]
    QuestionAlreadyAnswered,
    /// Only an active customer account may do this.
    #[error("only a customer may do this")]
    CustomersOnly,
    /// The customer's account is blocked.
    #[error("the account is blocked")]
    AccountBlocked,
    /// The caller is not an active admin.
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The store failed; not a business outcome.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The survey, rating and question use cases over the ports.
#[derive(Clone)]
pub struct FeedbackService {
    ports: Ports,
    /// Business time: the days of a summary's period and the weeks it is grouped in.
    time_zone: Arc<dyn BusinessTimeZone>,
}

impl FeedbackService {
    /// The feedback use cases over these ports, with weeks and days in `time_zone`.
    #[must_use]
    pub fn new(ports: Ports, time_zone: Arc<dyn BusinessTimeZone>) -> Self {
        Self { ports, time_zone }
    }

    /// The calling customer, checked against the store: a blocked or deleted account may do nothing
    /// here, whatever its token says.
    async fn acting_customer(&self, actor: &AccessClaims) -> Result<UserId, FeedbackError> {
        let Subject::User(id) = actor.subject else { return Err(FeedbackError::CustomersOnly) };
        if actor.role != Role::Customer {
            return Err(FeedbackError::CustomersOnly);
        }
        let user = self.ports.users.get(id).await?.ok_or(FeedbackError::CustomersOnly)?;
        match (user.role, user.status) {
            (Role::Customer, UserStatus::Active) => Ok(id),
            (_, UserStatus::Blocked) => Err(FeedbackError::AccountBlocked),
            _ => Err(FeedbackError::CustomersOnly),
        }
    }
}
