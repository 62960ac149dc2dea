//! Surveys: admins manage them, customers are offered the open ones (after-delivery ones only with a
//! delivered order) and answer each once, every answer checked against its question.
use sabil_core::domain::feedback::{QuestionDraft, QuestionKind, SubmittedAnswer, Survey, SurveyId, SurveyWindow};
use sabil_core::domain::orders::OrderStatus;
use sabil_core::domain::{AccessClaims, PageRequest, Role, UserStatus};
use sabil_core::ports::Clock as _;
use sabil_core::services::FeedbackError;
use sabil_core::services::authorization::AdminDenied;
use sabil_core::services::feedback::{SurveyDraft, SurveyUpdate};
use time::Duration;
use uuid::Uuid;

use super::{World, text, world};

fn q(kind: QuestionKind, required: bool, options: &[&str]) -> QuestionDraft {
    QuestionDraft { kind, text: text("How was it?"), required, options: options.iter().map(|o| text(o)).collect() }
}

/// Open from an hour ago for 30 days: a required single choice, a required rating, an optional text.
fn draft(w: &World, title: &str, after_delivery: bool) -> SurveyDraft {
    let now = w.fakes.clock.now();
    SurveyDraft {
        title: text(title),
        questions: vec![
            q(QuestionKind::SingleChoice, true, &["Yes", "No"]),
            q(QuestionKind::Rating, true, &[]),
            q(QuestionKind::FreeText, false, &[]),
        ],
        window: SurveyWindow::new(now - Duration::hours(1), now + Duration::days(30)).unwrap(),
        after_delivery,
        active: true,
    }
}

/// A valid answer to `s`: "Yes" and a 5.
fn good(s: &Survey) -> Vec<SubmittedAnswer> {
    vec![
        SubmittedAnswer {
            question_id: s.questions[0].id.0,
            option_ids: vec![s.questions[0].options[0].id.0],
            ..SubmittedAnswer::default()
        },
        SubmittedAnswer { question_id: s.questions[1].id.0, rating: Some(5), ..SubmittedAnswer::default() },
    ]
}

fn fields(e: &FeedbackError) -> Vec<String> {
    match e {
        FeedbackError::Invalid(i) => i.0.iter().map(|p| p.field.clone()).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn titles(w: &World, who: &AccessClaims) -> Vec<String> {
    w.feedback.open_surveys(who).await.unwrap().into_iter().map(|s| s.title.en).collect()
}

#[tokio::test]
async fn only_active_admins_manage_surveys_and_only_customers_answer_them() {
    let w = world();
    let customer = w.customer("+96550091001").await;
    let blocked = w.user("+96550091002", Role::Admin, UserStatus::Blocked).await;
    assert_eq!(w.feedback.create_survey(&customer, draft(&w, "S", false)).await, Err(FeedbackError::Denied(AdminDenied::NotAdmin)));
    assert_eq!(w.feedback.create_survey(&blocked, draft(&w, "S", false)).await, Err(FeedbackError::Denied(AdminDenied::Blocked)));
    let admin = w.admin().await;
    let s = w.feedback.create_survey(&admin, draft(&w, "S", false)).await.unwrap();
    assert_eq!(w.feedback.open_surveys(&admin).await, Err(FeedbackError::CustomersOnly));
    assert_eq!(w.feedback.answer_survey(&admin, s.id, &good(&s)).await, Err(FeedbackError::CustomersOnly));
    let gone = w.user("+96550091003", Role::Customer, UserStatus::Blocked).await;
    assert_eq!(w.feedback.answer_survey(&gone, s.id, &good(&s)).await, Err(FeedbackError::AccountBlocked));
    assert_eq!(
        w.feedback.surveys(&customer, PageRequest { limit: 5, cursor: None }).await.map(|_| ()),
        Err(FeedbackError::Denied(AdminDenied::NotAdmin))
    );
}

#[tokio::test]
async fn a_survey_with_bad_questions_is_refused_naming_them() {
    let w = world();
    let admin = w.admin().await;
    let mut bad = draft(&w, "S", false);
    bad.questions = vec![q(QuestionKind::SingleChoice, true, &["Only one"]), q(QuestionKind::Rating, true, &["5 stars"])];
    let e = w.feedback.create_survey(&admin, bad).await.unwrap_err();
    assert_eq!(fields(&e), ["questions[0].options", "questions[1].options"]);
    let mut none = draft(&w, "S", false);
    none.questions.clear();
    assert_eq!(fields(&w.feedback.create_survey(&admin, none).await.unwrap_err()), ["questions"]);
    assert!(w.fakes.changes.all().is_empty(), "nothing stored, nothing recorded");
}

#[tokio::test]
async fn customers_are_offered_open_surveys_and_after_delivery_ones_once_something_was_delivered() {
    let w = world();
    let admin = w.admin().await;
    let fatima = w.customer("+96550092001").await;
    w.feedback.create_survey(&admin, draft(&w, "Everyone", false)).await.unwrap();
    w.feedback.create_survey(&admin, draft(&w, "After delivery", true)).await.unwrap();
    w.feedback.create_survey(&admin, SurveyDraft { active: false, ..draft(&w, "Inactive", false) }).await.unwrap();
    let area = w.area("Salmiya").await;
    w.order(&fatima, area, OrderStatus::OutForDelivery);
    assert_eq!(titles(&w, &fatima).await, ["Everyone"]);
    w.order(&fatima, area, OrderStatus::Delivered);
    assert_eq!(titles(&w, &fatima).await, ["Everyone", "After delivery"]);
    w.fakes.clock.advance(Duration::days(31));
    assert!(titles(&w, &fatima).await.is_empty(), "the windows have ended");
}

#[tokio::test]
async fn answers_are_checked_against_the_questions_and_given_once() {
    let w = world();
    let admin = w.admin().await;
    let fatima = w.customer("+96550093001").await;
    let s = w.feedback.create_survey(&admin, draft(&w, "Service", false)).await.unwrap();
    let stranger = SubmittedAnswer { question_id: Uuid::now_v7(), text: Some("?".into()), ..SubmittedAnswer::default() };
    let foreign = SubmittedAnswer { question_id: s.questions[0].id.0, option_ids: vec![Uuid::now_v7()], ..SubmittedAnswer::default() };
    let six = SubmittedAnswer { question_id: s.questions[1].id.0, rating: Some(6), ..SubmittedAnswer::default() };
    let e = w.feedback.answer_survey(&fatima, s.id, &[stranger, foreign, six]).await.unwrap_err();
    assert_eq!(fields(&e), ["answers[0].questionId", "answers[1].optionIds", "answers[2].rating"]);
    let e = w.feedback.answer_survey(&fatima, s.id, &good(&s)[..1]).await.unwrap_err();
    assert_eq!(fields(&e), [format!("answers.{}", s.questions[1].id.0)], "the required rating is missing");
    assert_eq!(w.feedback.open_surveys(&fatima).await.unwrap().len(), 1, "nothing was stored");

    let answer = w.feedback.answer_survey(&fatima, s.id, &good(&s)).await.unwrap();
    assert_eq!((answer.survey_id, answer.answers.len()), (s.id, 2));
    assert_eq!(w.feedback.answer_survey(&fatima, s.id, &good(&s)).await, Err(FeedbackError::SurveyAlreadyAnswered));
    assert!(w.feedback.open_surveys(&fatima).await.unwrap().is_empty(), "an answered survey is no longer offered");
    let kinds: Vec<String> = w
        .fakes
        .changes
        .all()
        .into_iter()
        .filter(|c| c.entity != "customer")
        .map(|c| format!("{} {}", c.entity, c.operation.as_str()))
        .collect();
    assert_eq!(kinds, ["survey create", "survey_answer create"]);
}

#[tokio::test]
async fn a_survey_that_is_not_open_to_the_customer_cannot_be_answered() {
    let w = world();
    let admin = w.admin().await;
    let fatima = w.customer("+96550094001").await;
    let later = SurveyWindow::new(w.fakes.clock.now() + Duration::hours(1), w.fakes.clock.now() + Duration::days(1)).unwrap();
    let future = w.feedback.create_survey(&admin, SurveyDraft { window: later, ..draft(&w, "Future", false) }).await.unwrap();
    assert_eq!(w.feedback.answer_survey(&fatima, future.id, &good(&future)).await, Err(FeedbackError::SurveyClosed));
    let inactive = w.feedback.create_survey(&admin, SurveyDraft { active: false, ..draft(&w, "Off", false) }).await.unwrap();
    assert_eq!(w.feedback.answer_survey(&fatima, inactive.id, &good(&inactive)).await, Err(FeedbackError::SurveyClosed));
    let delivered = w.feedback.create_survey(&admin, draft(&w, "After delivery", true)).await.unwrap();
    assert_eq!(w.feedback.answer_survey(&fatima, delivered.id, &good(&delivered)).await, Err(FeedbackError::SurveyNotForYou));
    let unknown = SurveyId(Uuid::now_v7());
    assert_eq!(w.feedback.answer_survey(&fatima, unknown, &[]).await, Err(FeedbackError::NotFound("survey")));
}

#[tokio::test]
async fn an_answered_survey_keeps_its_questions_but_can_be_renamed_and_deactivated() {
    let w = world();
    let admin = w.admin().await;
    let fatima = w.customer("+96550095001").await;
    let s = w.feedback.create_survey(&admin, draft(&w, "Service", false)).await.unwrap();
    let update =
        |title: &str, questions| SurveyUpdate { title: text(title), questions, window: s.window, after_delivery: false, active: true };
    let unanswered =
        w.feedback.update_survey(&admin, s.id, update("Service v2", Some(vec![q(QuestionKind::Rating, true, &[])]))).await.unwrap();
    assert_eq!(unanswered.questions.len(), 1, "questions are replaced while nobody answered");
    let answer = [SubmittedAnswer { question_id: unanswered.questions[0].id.0, rating: Some(3), ..SubmittedAnswer::default() }];
    w.feedback.answer_survey(&fatima, s.id, &answer).await.unwrap();

    let refused = w.feedback.update_survey(&admin, s.id, update("Service v3", Some(vec![q(QuestionKind::FreeText, true, &[])]))).await;
    assert_eq!(refused, Err(FeedbackError::SurveyHasAnswers));
    let renamed = w.feedback.update_survey(&admin, s.id, update("Service v3", None)).await.unwrap();
    assert_eq!((renamed.title.en.as_str(), renamed.questions.clone()), ("Service v3", unanswered.questions));
    assert_eq!(w.feedback.delete_survey(&admin, s.id).await, Err(FeedbackError::SurveyHasAnswers));

    let before = w.fakes.changes.all().len();
    let off = w.feedback.deactivate_survey(&admin, s.id).await.unwrap();
    assert!(!off.active);
    assert_eq!(w.feedback.deactivate_survey(&admin, s.id).await.unwrap(), off, "deactivating again changes nothing");
    assert_eq!(w.fakes.changes.all().len(), before + 1, "one update recorded for SAP");
    let listed = w.feedback.survey(&admin, s.id).await.unwrap();
    assert_eq!((listed.survey.active, listed.answer_count), (false, 1));
}
