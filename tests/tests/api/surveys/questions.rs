//! Questions to support over HTTP: customers ask and read their own, admins work through the open ones
//! and answer each once, and the answer leaves a notification for the customer in the outbox.
use poem::http::StatusCode;
use serde_json::json;

use super::{id, status};
use crate::harness::{api_test, token};

api_test!(a_customer_asks_support_answers_once_and_the_customer_is_notified, |t| {
    let admin = t.admin("+96550114000").await;
    let me = token(&t.customer("+96550114001").await, "accessToken");
    let other = token(&t.customer("+96550114002").await, "accessToken");
    let asked = status(&t.post_as("/api/questions", json!({"text": "  Do you deliver on Fridays?  "}), &me).await, StatusCode::CREATED);
    assert_eq!((&asked["text"], &asked["status"], &asked["answer"]), (&json!("Do you deliver on Fridays?"), &json!("open"), &json!(null)));
    let question = id(&asked);
    status(&t.post_as("/api/questions", json!({"text": "Can I pay cash?"}), &other).await, StatusCode::CREATED);

    let mine = status(&t.get_as("/api/questions", &me).await, StatusCode::OK);
    assert_eq!((mine["items"].as_array().map(Vec::len), &mine["items"][0]["id"]), (Some(1), &json!(question)));
    let open = status(&t.get_as("/api/admin/questions?status=open", &admin).await, StatusCode::OK);
    assert_eq!(open["items"][0]["id"], json!(question), "oldest first");
    assert_eq!(open["items"].as_array().map(Vec::len), Some(2));

    let path = format!("/api/admin/questions/{question}/answer");
    let answered = status(&t.post_as(&path, json!({"answer": "Yes, from 14:00 to 22:00."}), &admin).await, StatusCode::OK);
    assert_eq!((&answered["status"], &answered["answer"]), (&json!("answered"), &json!("Yes, from 14:00 to 22:00.")));
    assert!(answered["answeredBy"].is_string(), "admins see who answered: {answered}");
    assert_eq!(t.app.ports.outbox.pending("notification.user").await.expect("outbox"), 1, "one notification for the customer");
    assert_eq!(t.post_as(&path, json!({"answer": "No."}), &admin).await.assert_error(409, "conflict"), "question.already_answered");
    assert_eq!(t.app.ports.outbox.pending("notification.user").await.expect("outbox"), 1);

    let mine = status(&t.get_as("/api/questions", &me).await, StatusCode::OK);
    assert_eq!((&mine["items"][0]["answer"], mine["items"][0].get("answeredBy")), (&json!("Yes, from 14:00 to 22:00."), None));
    let still_open = status(&t.get_as("/api/admin/questions?status=open", &admin).await, StatusCode::OK);
    assert_eq!(still_open["items"].as_array().map(Vec::len), Some(1));
    let done = status(&t.get_as("/api/admin/questions?status=answered", &admin).await, StatusCode::OK);
    assert_eq!(done["items"][0]["id"], json!(question));
});

api_test!(question_endpoints_refuse_the_wrong_role_and_bad_input_in_the_error_shape, |t| {
    let admin = t.admin("+96550115000").await;
    let me = token(&t.customer("+96550115001").await, "accessToken");
    let empty = t.post_as("/api/questions", json!({"text": "   "}), &me).await;
    empty.assert_error(422, "validation");
    assert_eq!(empty.fields(), ["text"]);
    assert_eq!(t.post_as("/api/questions", json!({"text": "?".repeat(2_001)}), &me).await.fields(), ["text"]);
    assert_eq!(t.post_as("/api/questions", json!({}), &me).await.assert_error(400, "schema"), "request.invalid_json");
    t.post_as("/api/questions", json!({"text": "Hello"}), &admin).await.assert_error(403, "forbidden");
    t.get_as("/api/questions", &admin).await.assert_error(403, "forbidden");
    t.get_as("/api/admin/questions", &me).await.assert_error(403, "forbidden");
    t.get_as("/api/admin/questions?status=closed", &admin).await.assert_error(400, "schema");
    assert_eq!(t.get_as("/api/questions?cursor=abc", &me).await.fields(), ["cursor"]);

    let q = id(&status(&t.post_as("/api/questions", json!({"text": "Hello"}), &me).await, StatusCode::CREATED));
    let path = format!("/api/admin/questions/{q}/answer");
    t.post_as(&path, json!({"answer": "Hi"}), &me).await.assert_error(403, "forbidden");
    assert_eq!(t.post_as(&path, json!({"answer": ""}), &admin).await.fields(), ["answer"]);
    let nowhere = format!("/api/admin/questions/{}/answer", uuid::Uuid::now_v7());
    assert_eq!(t.post_as(&nowhere, json!({"answer": "Hi"}), &admin).await.assert_error(404, "not_found"), "question.not_found");
    assert_eq!(t.app.ports.outbox.pending("notification.user").await.expect("outbox"), 0, "nothing answered, nobody notified");
});
