//! Surveys over HTTP: admins define and manage them, customers list the ones open to them and answer
//! each once (answers checked against the questions, 422 naming the field), and every survey and answer
//! write reaches the change feed for SAP. Ratings and questions are in the submodules.
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Answer, TestApp, api_test, token};
use crate::mosques::put_as;

mod questions;
mod ratings;

fn text(en: &str) -> Value {
    json!({"ar": format!("{en} (ar)"), "en": en})
}

fn status(a: &Answer, expected: StatusCode) -> Value {
    assert_eq!(a.status, expected, "{}", a.body);
    a.body.clone()
}

/// A survey open from a day ago for 30 days: a required single choice, a required rating, an optional
/// multiple choice and an optional free text.
fn survey_body(title: &str, after_delivery: bool) -> Value {
    let now = time::OffsetDateTime::now_utc();
    let rfc = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).expect("format");
    json!({
        "title": text(title),
        "activeFrom": rfc(now - time::Duration::days(1)),
        "activeTo": rfc(now + time::Duration::days(30)),
        "afterDelivery": after_delivery,
        "questions": [
            {"kind": "single_choice", "text": text("Was the driver on time?"), "required": true, "options": [text("Yes"), text("No")]},
            {"kind": "rating", "text": text("How do you rate us?"), "required": true},
            {"kind": "multiple_choice", "text": text("What matters most?"), "required": false,
             "options": [text("Price"), text("Speed"), text("Driver")]},
            {"kind": "free_text", "text": text("Anything else?"), "required": false},
        ],
    })
}

/// Creates a survey as `admin`; returns its body.
async fn create(t: &TestApp, admin: &str, title: &str, after_delivery: bool) -> Value {
    status(&t.post_as("/api/admin/surveys", survey_body(title, after_delivery), admin).await, StatusCode::CREATED)
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A full valid answer to the survey `s` (as admins see it).
fn good_answers(s: &Value) -> Value {
    let q = &s["questions"];
    json!({"answers": [
        {"questionId": q[0]["id"], "optionIds": [q[0]["options"][1]["id"]]},
        {"questionId": q[1]["id"], "rating": 4},
        {"questionId": q[2]["id"], "optionIds": [q[2]["options"][0]["id"], q[2]["options"][2]["id"]]},
        {"questionId": q[3]["id"], "text": "Fast, thank you"},
    ]})
}

/// (entity, operation) of every change for SAP not completed yet, of surveys and their answers.
async fn survey_changes(t: &TestApp) -> Vec<(String, &'static str)> {
    let feed = t.app.ports.changes.unprocessed(None, 1_000).await.expect("feed");
    feed.into_iter().filter(|c| c.entity.starts_with("survey")).map(|c| (c.entity, c.operation.as_str())).collect()
}

api_test!(customers_answer_an_open_survey_once_and_every_write_reaches_the_change_feed, |t| {
    let admin = t.admin("+96550110000").await;
    let me = token(&t.customer("+96550110001").await, "accessToken");
    let s = create(&t, &admin, "Delivery", false).await;
    let survey = id(&s);
    assert_eq!((s["answerCount"].as_u64(), s["active"].as_bool()), (Some(0), Some(true)));
    assert_eq!(s["questions"][0]["options"][1]["label"], text("No"));

    let listed = t.client.get("/api/surveys").header("authorization", format!("Bearer {me}")).header("accept-language", "ar").send().await;
    let listed: Value = serde_json::from_str(&listed.0.into_body().into_string().await.expect("body")).expect("json");
    assert_eq!(listed[0]["id"], json!(survey));
    assert_eq!((&listed[0]["title"], &listed[0]["questions"][0]["kind"]), (&json!("Delivery (ar)"), &json!("single_choice")));
    assert_eq!(listed[0]["questions"][0]["options"][0]["label"], json!("Yes (ar)"));

    let path = format!("/api/surveys/{survey}/answers");
    let q = &s["questions"];
    let bad = json!({"answers": [
        {"questionId": q[0]["id"], "optionIds": [q[2]["options"][0]["id"]]},
        {"questionId": q[1]["id"], "rating": 6},
        {"questionId": q[3]["id"], "rating": 3},
        {"questionId": uuid::Uuid::now_v7(), "text": "?"},
    ]});
    let refused = t.post_as(&path, bad, &me).await;
    refused.assert_error(422, "validation");
    assert_eq!(refused.fields(), ["answers[0].optionIds", "answers[1].rating", "answers[2]", "answers[3].questionId"]);
    let missing = t.post_as(&path, json!({"answers": [{"questionId": q[3]["id"], "text": "Hi"}]}), &me).await;
    missing.assert_error(422, "validation");
    let required: Vec<String> = [&q[0]["id"], &q[1]["id"]].iter().map(|id| format!("answers.{}", id.as_str().expect("id"))).collect();
    assert_eq!(missing.fields(), required);

    let answered = status(&t.post_as(&path, good_answers(&s), &me).await, StatusCode::CREATED);
    assert_eq!((&answered["surveyId"], &answered["answers"][1]["rating"]), (&json!(survey), &json!(4)));
    assert_eq!(answered["answers"][2]["optionIds"], json!([q[2]["options"][0]["id"], q[2]["options"][2]["id"]]));
    assert_eq!(t.post_as(&path, good_answers(&s), &me).await.assert_error(409, "conflict"), "survey.already_answered");
    assert_eq!(status(&t.get_as("/api/surveys", &me).await, StatusCode::OK), json!([]), "answered surveys are not offered");

    let seen = status(&t.get_as(&format!("/api/admin/surveys/{survey}"), &admin).await, StatusCode::OK);
    assert_eq!(seen["answerCount"], 1);
    let answers = status(&t.get_as(&format!("/api/admin/surveys/{survey}/answers"), &admin).await, StatusCode::OK);
    assert_eq!(answers["items"][0]["answers"][3]["text"], "Fast, thank you");
    assert_eq!(
        survey_changes(&t).await,
        [("survey".to_owned(), "create"), ("survey_answer".to_owned(), "create")],
        "the survey and the answer are recorded for SAP"
    );
});

api_test!(admins_manage_surveys_whose_questions_freeze_once_answered, |t| {
    let admin = t.admin("+96550111000").await;
    let me = token(&t.customer("+96550111001").await, "accessToken");
    let s = create(&t, &admin, "Delivery", false).await;
    let survey = id(&s);
    let mut update = survey_body("Delivery, renamed", false);
    update["active"] = json!(true);
    update["questions"] = json!([{"kind": "rating", "text": text("Stars?"), "required": true}]);
    let replaced = status(&put_as(&t, &format!("/api/admin/surveys/{survey}"), update.clone(), &admin).await, StatusCode::OK);
    assert_eq!(replaced["questions"].as_array().map(Vec::len), Some(1), "questions replaced while unanswered");
    let only = replaced["questions"][0]["id"].clone();
    let path = format!("/api/surveys/{survey}/answers");
    status(&t.post_as(&path, json!({"answers": [{"questionId": only, "rating": 5}]}), &me).await, StatusCode::CREATED);

    update["questions"] = json!([{"kind": "free_text", "text": text("Why?"), "required": true}]);
    let frozen = put_as(&t, &format!("/api/admin/surveys/{survey}"), update.clone(), &admin).await;
    assert_eq!(frozen.assert_error(409, "conflict"), "survey.has_answers");
    update.as_object_mut().expect("object").remove("questions");
    update["title"] = text("Delivery, final");
    let renamed = status(&put_as(&t, &format!("/api/admin/surveys/{survey}"), update, &admin).await, StatusCode::OK);
    assert_eq!((&renamed["title"]["en"], &renamed["questions"][0]["id"]), (&json!("Delivery, final"), &only));
    let deleted = t.raw("DELETE", &format!("/api/admin/surveys/{survey}"), None, None, Some(&admin)).await;
    assert_eq!(deleted.assert_error(409, "conflict"), "survey.has_answers");
    let off = status(&t.post_as(&format!("/api/admin/surveys/{survey}/deactivate"), json!({}), &admin).await, StatusCode::OK);
    assert_eq!((&off["active"], &off["answerCount"]), (&json!(false), &json!(1)));

    let spare = id(&create(&t, &admin, "Spare", false).await);
    let gone = t.raw("DELETE", &format!("/api/admin/surveys/{spare}"), None, None, Some(&admin)).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
    assert_eq!(t.get_as(&format!("/api/admin/surveys/{spare}"), &admin).await.assert_error(404, "not_found"), "survey.not_found");
    let list = status(&t.get_as("/api/admin/surveys?limit=1", &admin).await, StatusCode::OK);
    assert_eq!((list["items"][0]["id"].as_str(), list["nextCursor"].is_null()), (Some(survey.as_str()), true));
    let other = token(&t.customer("+96550111002").await, "accessToken");
    assert_eq!(t.post_as(&path, json!({"answers": []}), &other).await.assert_error(422, "validation"), "survey.closed");
    assert_eq!(
        survey_changes(&t).await.into_iter().map(|(e, op)| format!("{e} {op}")).collect::<Vec<_>>(),
        ["survey create", "survey update", "survey_answer create", "survey update", "survey update", "survey create", "survey delete"]
    );
});

api_test!(survey_endpoints_refuse_the_wrong_role_and_bad_input_in_the_error_shape, |t| {
    let admin = t.admin("+96550112000").await;
    let me = token(&t.customer("+96550112001").await, "accessToken");
    let s = create(&t, &admin, "Delivery", false).await;
    let survey = id(&s);
    assert_eq!(
        t.post_as("/api/admin/surveys", survey_body("Mine", false), &me).await.assert_error(403, "forbidden"),
        "auth.role_forbidden"
    );
    t.get_as("/api/admin/surveys", &me).await.assert_error(403, "forbidden");
    t.get_as("/api/surveys", &admin).await.assert_error(403, "forbidden");
    t.post_as(&format!("/api/surveys/{survey}/answers"), good_answers(&s), &admin).await.assert_error(403, "forbidden");
    t.raw("GET", "/api/surveys", None, None, None).await.assert_error(401, "auth");

    let mut reversed = survey_body("Backwards", false);
    reversed["activeTo"] = json!("2020-01-01T00:00:00Z");
    let refused = t.post_as("/api/admin/surveys", reversed, &admin).await;
    refused.assert_error(422, "validation");
    assert_eq!(refused.fields(), ["activeTo"]);
    let mut lonely = survey_body("One choice", false);
    lonely["questions"][0]["options"] = json!([text("Only")]);
    let refused = t.post_as("/api/admin/surveys", lonely, &admin).await;
    refused.assert_error(422, "validation");
    assert_eq!(refused.fields(), ["questions[0].options"]);
    let mut untitled = survey_body("", false);
    untitled["questions"][1]["text"] = json!({"ar": "?", "en": "   "});
    let refused = t.post_as("/api/admin/surveys", untitled, &admin).await;
    refused.assert_error(422, "validation");
    assert_eq!(refused.fields(), ["title.en", "questions[1].text.en"]);
    let mut unknown = survey_body("Unknown kind", false);
    unknown["questions"][0]["kind"] = json!("essay");
    t.post_as("/api/admin/surveys", unknown, &admin).await.assert_error(400, "schema");
    let mut extra = survey_body("Extra", false);
    extra["secret"] = json!(true);
    assert_eq!(t.post_as("/api/admin/surveys", extra, &admin).await.fields(), ["secret"]);
    t.post_as(&format!("/api/surveys/{survey}/answers"), json!({"answers": [{"questionId": "nope"}]}), &me)
        .await
        .assert_error(400, "schema");
    let nowhere = format!("/api/surveys/{}/answers", uuid::Uuid::now_v7());
    assert_eq!(t.post_as(&nowhere, json!({"answers": []}), &me).await.assert_error(404, "not_found"), "survey.not_found");
    t.get_as("/api/admin/surveys/not-a-uuid", &admin).await.assert_error(400, "schema");
    assert!(survey_changes(&t).await.len() == 1, "only the one survey created");
});
