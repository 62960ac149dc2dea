//! JSON of the change records SAP reads for surveys and survey answers: the entity as it is after the
//! change (as it was, for a deletion), with our id and SAP's, in our field names.
use sabil_core::domain::feedback::{AnswerValue, Survey, SurveyAnswer};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn instant(t: OffsetDateTime) -> Value {
    t.format(&Rfc3339).map_or(Value::Null, Value::String)
}

/// The survey as its change record carries it.
pub(crate) fn survey_change(s: &Survey) -> String {
    let questions: Vec<Value> = s
        .questions
        .iter()
        .map(|q| {
            let options: Vec<Value> =
                q.options.iter().map(|o| json!({"id": o.id.0, "label": {"ar": o.label.ar, "en": o.label.en}})).collect();
            json!({"id": q.id.0, "kind": q.kind.as_str(), "text": {"ar": q.text.ar, "en": q.text.en}, "required": q.required,
                   "options": options})
        })
        .collect();
    json!({
        "id": s.id.0, "sapId": s.sap_id, "title": {"ar": s.title.ar, "en": s.title.en}, "activeFrom": instant(s.window.starts_at),
        "activeTo": instant(s.window.ends_at), "afterDelivery": s.after_delivery, "active": s.active, "questions": questions,
    })
    .to_string()
}

/// The survey answer as its change record carries it.
pub(crate) fn answer_change(a: &SurveyAnswer) -> String {
    let answers: Vec<Value> = a
        .answers
        .iter()
        .map(|qa| {
            let (options, rating, text) = match &qa.value {
                AnswerValue::Choices(ids) => (Some(ids.iter().map(|id| id.0).collect::<Vec<_>>()), None, None),
                AnswerValue::Rating(s) => (None, Some(s.get()), None),
                AnswerValue::Text(t) => (None, None, Some(t.as_str())),
            };
            json!({"questionId": qa.question_id.0, "optionIds": options, "rating": rating, "text": text})
        })
        .collect();
    json!({
        "id": a.id.0, "sapId": a.sap_id, "surveyId": a.survey_id.0, "customerId": a.customer_id.0,
        "answeredAt": instant(a.created_at), "answers": answers,
    })
    .to_string()
}
