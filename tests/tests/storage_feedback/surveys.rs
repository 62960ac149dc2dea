//! Surveys and their answers: round trips, the open list, one answer per customer, and a change for
//! SAP with every write of a survey or an answer, none for a refused one.
use sabil_core::domain::feedback::{AnswerValue, QuestionAnswer, Score, Survey, SurveyAnswer, SurveyAnswerId, SurveyId, SurveyWindow};
use sabil_core::domain::{PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_tests::Stores;
use sabil_tests::conformance;
use sabil_tests::fixtures::at;
use sabil_tests::order_fixtures::customer;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{changes, survey, text};

/// A full answer of `who` to `s` (made `seconds` after `T0`): "No", 4, "Price" and "Driver", and a text.
fn answer(s: &Survey, who: UserId, seconds: i64) -> SurveyAnswer {
    let q = &s.questions;
    SurveyAnswer {
        id: SurveyAnswerId(Uuid::now_v7()),
        sap_id: None,
        survey_id: s.id,
        customer_id: who,
        answers: vec![
            QuestionAnswer { question_id: q[0].id, value: AnswerValue::Choices(vec![q[0].options[1].id]) },
            QuestionAnswer { question_id: q[1].id, value: AnswerValue::Rating(Score::parse(4).unwrap()) },
            QuestionAnswer { question_id: q[2].id, value: AnswerValue::Choices(vec![q[2].options[0].id, q[2].options[2].id]) },
            QuestionAnswer { question_id: q[3].id, value: AnswerValue::Text("Fast, and the driver was kind".into()) },
        ],
        created_at: at(seconds),
    }
}

fn page(limit: u32, cursor: Option<Uuid>) -> PageRequest {
    PageRequest { limit, cursor }
}

/// The latest change of `id` as JSON, on SQL (the fakes keep only the ids).
async fn latest_data(stores: &Stores, entity: &str, id: Uuid) -> Option<Value> {
    let last = changes(stores, entity).await.into_iter().rfind(|c| c.entity_id == id).expect("a change");
    let data: Value = serde_json::from_str(&last.data).expect("data is JSON");
    assert_eq!((&data["id"], &data["sapId"]), (&json!(id), &Value::Null), "both ids");
    stores.db.is_some().then_some(data)
}

fn operations(records: &[sabil_core::domain::sync::ChangeRecord], id: Uuid) -> Vec<&'static str> {
    records.iter().filter(|c| c.entity_id == id).map(|c| c.operation.as_str()).collect()
}

conformance!(a_survey_round_trips_with_its_questions_and_each_write_is_recorded_for_sap, |stores| async move {
    let first = survey("Delivery", 1);
    stores.surveys.create(&first).await.expect("create");
    assert_eq!(stores.surveys.get(first.id).await.unwrap(), Some(first.clone()));
    if let Some(data) = latest_data(&stores, "survey", first.id.0).await {
        assert_eq!(data["title"], json!({"ar": "Delivery بالعربية", "en": "Delivery"}));
        assert_eq!(
            (&data["activeFrom"], &data["afterDelivery"], &data["active"]),
            (&json!("2026-03-01T09:00:00.123456Z"), &json!(false), &json!(true))
        );
        let q = &first.questions[0];
        assert_eq!(
            data["questions"][0],
            json!({"id": q.id.0, "kind": "single_choice", "text": {"ar": "How was it? بالعربية", "en": "How was it?"}, "required": true,
                   "options": [{"id": q.options[0].id.0, "label": {"ar": "Yes بالعربية", "en": "Yes"}},
                               {"id": q.options[1].id.0, "label": {"ar": "No بالعربية", "en": "No"}}]})
        );
        assert_eq!(data["questions"][1]["options"], json!([]));
    }
    let second = survey("Water", 2);
    stores.surveys.create(&second).await.expect("create the second");
    let listed = stores.surveys.list(page(1, None)).await.unwrap();
    assert_eq!((listed.items.clone(), listed.next_cursor), (vec![second.clone()], Some(second.id.0)), "newest first");
    let rest = stores.surveys.list(page(1, listed.next_cursor)).await.unwrap();
    assert_eq!((rest.items, rest.next_cursor), (vec![first.clone()], None));

    // New questions (nobody answered) and a new title, window and flags; the SAP id stays the store's.
    let fresh = survey("ignored", 3);
    let changed = Survey {
        title: text("Delivery, again"),
        questions: fresh.questions[1..].to_vec(),
        window: SurveyWindow::new(at(10), at(20)).unwrap(),
        after_delivery: true,
        active: false,
        updated_at: at(4),
        sap_id: Some("ignored".into()),
        created_at: at(99),
        ..first.clone()
    };
    let stored = stores.surveys.update(&changed).await.expect("update");
    let expected = Survey { sap_id: None, created_at: first.created_at, ..changed };
    assert_eq!(stored, expected);
    assert_eq!(stores.surveys.get(first.id).await.unwrap(), Some(expected));
    if let Some(data) = latest_data(&stores, "survey", first.id.0).await {
        assert_eq!((data["questions"].as_array().map(Vec::len), &data["active"]), (Some(3), &json!(false)));
    }
    let records = changes(&stores, "survey").await;
    assert_eq!(operations(&records, first.id.0), ["create", "update"]);
    assert_eq!(operations(&records, second.id.0), ["create"]);
    assert_eq!(records.last().unwrap().created_at, at(4), "an update is recorded when it was made");
});

conformance!(a_customer_answers_a_survey_once_and_the_answer_is_recorded_for_sap, |stores| async move {
    let s = survey("Delivery", 1);
    stores.surveys.create(&s).await.unwrap();
    let (fatima, omar) = (customer(&stores, "+96550061001").await, customer(&stores, "+96550061002").await);
    let mine = answer(&s, fatima, 2);
    stores.surveys.answer(&mine).await.expect("answer");
    assert_eq!(stores.surveys.answer_of(s.id, fatima).await.unwrap(), Some(mine.clone()));
    assert_eq!(stores.surveys.answer_of(s.id, omar).await.unwrap(), None);

    let again = SurveyAnswer { id: SurveyAnswerId(Uuid::now_v7()), created_at: at(3), ..answer(&s, fatima, 3) };
    assert!(matches!(stores.surveys.answer(&again).await, Err(RepoError::Conflict(_))), "once per customer");
    // Only the required questions: the optional ones are absent.
    let short = SurveyAnswer { answers: mine.answers[..2].to_vec(), ..answer(&s, omar, 4) };
    stores.surveys.answer(&short).await.expect("answer the required questions only");
    assert_eq!(stores.surveys.answer_of(s.id, omar).await.unwrap(), Some(short.clone()));
    assert_eq!(stores.surveys.answer_count(s.id).await.unwrap(), 2);
    let answers = stores.surveys.answers(s.id, page(1, None)).await.unwrap();
    assert_eq!((answers.items, answers.next_cursor), (vec![short.clone()], Some(short.id.0)), "newest first");
    let rest = stores.surveys.answers(s.id, page(5, Some(short.id.0))).await.unwrap();
    assert_eq!((rest.items, rest.next_cursor), (vec![mine.clone()], None));

    let records = changes(&stores, "survey_answer").await;
    assert_eq!(operations(&records, mine.id.0), ["create"]);
    assert_eq!(operations(&records, short.id.0), ["create"]);
    assert_eq!(records.len(), 2, "nothing for the refused second answer");
    if let Some(data) = latest_data(&stores, "survey_answer", mine.id.0).await {
        let q = &s.questions;
        assert_eq!(
            data,
            json!({"id": mine.id.0, "sapId": null, "surveyId": s.id.0, "customerId": fatima.0, "answeredAt": "2026-03-01T09:00:02.123456Z",
                   "answers": [
                       {"questionId": q[0].id.0, "optionIds": [q[0].options[1].id.0], "rating": null, "text": null},
                       {"questionId": q[1].id.0, "optionIds": null, "rating": 4, "text": null},
                       {"questionId": q[2].id.0, "optionIds": [q[2].options[0].id.0, q[2].options[2].id.0], "rating": null, "text": null},
                       {"questionId": q[3].id.0, "optionIds": null, "rating": null, "text": "Fast, and the driver was kind"}]})
        );
    }
});

conformance!(open_surveys_are_active_inside_their_window_and_not_answered_by_the_customer, |stores| async move {
    let window = |from: i64, to: i64| SurveyWindow::new(at(from), at(to)).unwrap();
    let later = Survey { window: window(-10, 100), ..survey("Later start", 1) };
    let earlier = Survey { window: window(-20, 100), ..survey("Earlier start", 1) };
    let ends_now = Survey { window: window(-20, 0), ..survey("Ends at T0", 1) };
    let starts_after = Survey { window: window(1, 100), ..survey("Starts after T0", 1) };
    let inactive = Survey { active: false, ..survey("Inactive", 1) };
    for s in [&later, &earlier, &ends_now, &starts_after, &inactive] {
        stores.surveys.create(s).await.unwrap();
    }
    let (fatima, omar) = (customer(&stores, "+96550062001").await, customer(&stores, "+96550062002").await);
    stores.surveys.answer(&answer(&earlier, fatima, 2)).await.unwrap();
    let titles = |list: Vec<Survey>| list.into_iter().map(|s| s.title.en).collect::<Vec<_>>();
    assert_eq!(titles(stores.surveys.open_unanswered(omar, at(0)).await.unwrap()), ["Earlier start", "Later start"]);
    assert_eq!(titles(stores.surveys.open_unanswered(fatima, at(0)).await.unwrap()), ["Later start"]);
    assert_eq!(titles(stores.surveys.open_unanswered(omar, at(1)).await.unwrap()), ["Earlier start", "Later start", "Starts after T0"]);
    assert!(stores.surveys.open_unanswered(omar, at(100)).await.unwrap().is_empty(), "the end is excluded");
});

conformance!(a_refused_survey_write_changes_nothing_and_records_nothing, |stores| async move {
    let s = survey("Delivery", 1);
    stores.surveys.create(&s).await.unwrap();
    let fatima = customer(&stores, "+96550063001").await;
    stores.surveys.answer(&answer(&s, fatima, 2)).await.unwrap();
    let before = stores.changes.unprocessed(None, 1_000).await.unwrap();

    // New questions for an answered survey: the title written first is taken back too.
    let replaced = Survey { title: text("Renamed"), questions: survey("other", 3).questions, updated_at: at(3), ..s.clone() };
    assert!(matches!(stores.surveys.update(&replaced).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.surveys.get(s.id).await.unwrap(), Some(s.clone()));
    assert!(matches!(stores.surveys.delete(s.id, at(3)).await, Err(RepoError::Conflict(_))), "answered surveys stay");
    let ghost = survey("Ghost", 3);
    assert_eq!(stores.surveys.update(&ghost).await, Err(RepoError::NotFound));
    assert_eq!(stores.surveys.delete(ghost.id, at(3)).await, Err(RepoError::NotFound));
    assert!(matches!(stores.surveys.create(&Survey { title: text("Twin"), ..s.clone() }).await, Err(RepoError::Conflict(_))), "id taken");

    // An answer whose choice belongs to another question: the answer row written first is taken back.
    let omar = customer(&stores, "+96550063002").await;
    let mut stray = answer(&s, omar, 4);
    stray.answers[0].value = AnswerValue::Choices(vec![s.questions[2].options[0].id]);
    assert!(matches!(stores.surveys.answer(&stray).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.surveys.answer_of(s.id, omar).await.unwrap(), None);
    let nobody = answer(&s, UserId(Uuid::now_v7()), 4);
    assert!(matches!(stores.surveys.answer(&nobody).await, Err(RepoError::Conflict(_))), "unknown customer");
    let nowhere = SurveyAnswer { survey_id: SurveyId(Uuid::now_v7()), ..answer(&s, omar, 4) };
    assert!(matches!(stores.surveys.answer(&nowhere).await, Err(RepoError::Conflict(_))), "unknown survey");
    assert_eq!(stores.surveys.answer_count(s.id).await.unwrap(), 1);

    assert_eq!(stores.changes.unprocessed(None, 1_000).await.unwrap(), before, "nothing was recorded for SAP");
});

conformance!(an_answered_survey_keeps_its_questions_through_other_changes_and_an_unanswered_one_can_be_deleted, |stores| async move {
    let answered = survey("Delivery", 1);
    let unanswered = survey("Water", 1);
    stores.surveys.create(&answered).await.unwrap();
    stores.surveys.create(&unanswered).await.unwrap();
    let fatima = customer(&stores, "+96550064001").await;
    let mine = answer(&answered, fatima, 2);
    stores.surveys.answer(&mine).await.unwrap();

    let deactivated = Survey { active: false, title: text("Delivery (closed)"), updated_at: at(3), ..answered.clone() };
    assert_eq!(stores.surveys.update(&deactivated).await.expect("deactivate"), deactivated);
    assert_eq!(stores.surveys.answer_of(answered.id, fatima).await.unwrap(), Some(mine), "answers stay");

    stores.surveys.delete(unanswered.id, at(4)).await.expect("delete");
    assert_eq!(stores.surveys.get(unanswered.id).await.unwrap(), None);
    let records = changes(&stores, "survey").await;
    assert_eq!(operations(&records, answered.id.0), ["create", "update"]);
    assert_eq!(operations(&records, unanswered.id.0), ["create", "delete"]);
    assert_eq!(records.last().unwrap().created_at, at(4));
    if let Some(data) = latest_data(&stores, "survey", unanswered.id.0).await {
        assert_eq!(data["title"]["en"], json!("Water"), "a deletion carries the survey as it was");
    }
});
