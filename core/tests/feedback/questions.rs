//! Questions to support: customers ask (1 to 2000 characters) and read their own; an admin answers
//! each once, and the answer asks for the customer to be notified through the outbox.
use sabil_core::domain::feedback::{CustomerQuestionId, QuestionStatus};
use sabil_core::domain::notifications::NotificationEvent;
use sabil_core::domain::{PageRequest, Subject};
use sabil_core::ports::OutboxMessage;
use sabil_core::services::FeedbackError;
use sabil_core::services::authorization::AdminDenied;
use uuid::Uuid;

use super::world;

const PAGE: PageRequest = PageRequest { limit: 20, cursor: None };

fn field(e: &FeedbackError) -> &str {
    match e {
        FeedbackError::Invalid(i) => &i.0[0].field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn customers_ask_questions_of_sensible_length_and_read_only_their_own() {
    let w = world();
    let (fatima, omar) = (w.customer("+96550098001").await, w.customer("+96550098002").await);
    assert_eq!(field(&w.feedback.ask(&fatima, "   ").await.unwrap_err()), "text");
    assert_eq!(field(&w.feedback.ask(&fatima, &"?".repeat(2_001)).await.unwrap_err()), "text");
    let asked = w.feedback.ask(&fatima, "  Do you deliver on Fridays?  ").await.unwrap();
    assert_eq!((asked.text.as_str(), asked.status()), ("Do you deliver on Fridays?", QuestionStatus::Open));
    w.feedback.ask(&omar, "Can I pay cash?").await.unwrap();
    let mine = w.feedback.my_questions(&fatima, PAGE).await.unwrap();
    assert_eq!(mine.items, [asked]);
    let admin = w.admin().await;
    assert_eq!(w.feedback.ask(&admin, "Hello?").await, Err(FeedbackError::CustomersOnly));
}

#[tokio::test]
async fn an_admin_answers_once_and_the_customer_is_notified() {
    let w = world();
    let fatima = w.customer("+96550099001").await;
    let admin = w.admin().await;
    let q = w.feedback.ask(&fatima, "Do you deliver on Fridays?").await.unwrap();
    assert_eq!(w.feedback.answer_question(&fatima, q.id, "Yes").await, Err(FeedbackError::Denied(AdminDenied::NotAdmin)));
    assert_eq!(field(&w.feedback.answer_question(&admin, q.id, " ").await.unwrap_err()), "answer");
    assert_eq!(
        w.feedback.answer_question(&admin, CustomerQuestionId(Uuid::now_v7()), "Yes").await,
        Err(FeedbackError::NotFound("question"))
    );
    assert!(w.fakes.outbox.messages().is_empty());

    let answered = w.feedback.answer_question(&admin, q.id, "Yes, from 14:00.").await.unwrap();
    let Subject::User(admin_id) = admin.subject else { panic!("a user") };
    let reply = answered.reply.clone().unwrap();
    assert_eq!((reply.text.as_str(), reply.answered_by), ("Yes, from 14:00.", admin_id));
    let Subject::User(customer) = fatima.subject else { panic!("a user") };
    assert_eq!(
        w.fakes.outbox.messages(),
        [OutboxMessage::Notify { user_id: customer, event: NotificationEvent::QuestionAnswered { question_id: q.id.0 } }]
    );
    assert_eq!(w.feedback.answer_question(&admin, q.id, "No").await, Err(FeedbackError::QuestionAlreadyAnswered));
    assert_eq!(w.fakes.outbox.messages().len(), 1);
    let open = w.feedback.questions(&admin, Some(QuestionStatus::Open), PAGE).await.unwrap();
    assert!(open.items.is_empty());
    let done = w.feedback.questions(&admin, Some(QuestionStatus::Answered), PAGE).await.unwrap();
    assert_eq!(done.items, std::slice::from_ref(&answered));
    assert_eq!(w.feedback.my_questions(&fatima, PAGE).await.unwrap().items, [answered]);
}
