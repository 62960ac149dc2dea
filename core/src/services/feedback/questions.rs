//! Customers' questions to support: customers ask and read their own; admins work through them and
//! answer each once, which notifies the customer (an outbox message written with the answer).
use uuid::Uuid;

use super::{FeedbackError, FeedbackService};
use crate::domain::AccessClaims;
use crate::domain::feedback::{
    CustomerQuestion, CustomerQuestionId, QUESTION_ANSWER_MAX, QUESTION_TEXT_MAX, QuestionReply, QuestionStatus, parse_question_text,
};
use crate::domain::notifications::NotificationEvent;
use crate::domain::{Page, PageRequest};
use crate::error::RepoError;
use crate::ports::OutboxMessage;
use crate::services::authorization::acting_admin;

impl FeedbackService {
    /// Stores the calling customer's question for support.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Invalid` (`text` empty or longer than 2000 characters),
    /// `Storage`.
    pub async fn ask(&self, actor: &AccessClaims, text: &str) -> Result<CustomerQuestion, FeedbackError> {
        let customer = self.acting_customer(actor).await?;
        let text = parse_question_text("text", text, QUESTION_TEXT_MAX)?;
        let question = CustomerQuestion {
            id: CustomerQuestionId(Uuid::now_v7()),
            customer_id: customer,
            text,
            reply: None,
            created_at: self.ports.clock.now(),
        };
        self.ports.customer_questions.create(&question).await?;
        Ok(question)
    }

    /// The calling customer's questions with their answers, newest first.
    ///
    /// # Errors
    /// `CustomersOnly`, `AccountBlocked`, `Storage`.
    pub async fn my_questions(&self, actor: &AccessClaims, page: PageRequest) -> Result<Page<CustomerQuestion>, FeedbackError> {
        let customer = self.acting_customer(actor).await?;
        Ok(self.ports.customer_questions.list_for(customer, page).await?)
    }

    /// Every customer's questions (open or answered ones only, when asked), oldest first (admins only).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn questions(
        &self,
        actor: &AccessClaims,
        status: Option<QuestionStatus>,
        page: PageRequest,
    ) -> Result<Page<CustomerQuestion>, FeedbackError> {
        acting_admin(&self.ports, actor).await?;
        Ok(self.ports.customer_questions.list(status, page).await?)
    }

    /// Answers an open question (admins only) and, in the same write, asks for the customer to be
    /// notified.
    ///
    /// # Errors
    /// `Denied`, `Invalid` (`answer` empty or longer than 4000 characters), `NotFound`,
    /// `QuestionAlreadyAnswered`, `Storage`.
    pub async fn answer_question(
        &self,
        actor: &AccessClaims,
        id: CustomerQuestionId,
        answer: &str,
    ) -> Result<CustomerQuestion, FeedbackError> {
        let admin = acting_admin(&self.ports, actor).await?;
        let text = parse_question_text("answer", answer, QUESTION_ANSWER_MAX)?;
        let question = self.ports.customer_questions.get(id).await?.ok_or(FeedbackError::NotFound("question"))?;
        if question.reply.is_some() {
            return Err(FeedbackError::QuestionAlreadyAnswered);
        }
        let reply = QuestionReply { text, answered_by: admin.id, answered_at: self.ports.clock.now() };
        let notify =
            OutboxMessage::Notify { user_id: question.customer_id, event: NotificationEvent::QuestionAnswered { question_id: id.0 } };
        self.ports.customer_questions.answer(id, &reply, &notify).await.map_err(|e| match e {
            RepoError::NotFound => FeedbackError::NotFound("question"),
            // Another admin answered it first.
            RepoError::Conflict(_) => FeedbackError::QuestionAlreadyAnswered,
            other => other.into(),
        })
    }
}
