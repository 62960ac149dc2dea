//! Customer-support chat over REST: a customer and support talking with unread counts on both sides,
//! history paging, images through the files store, closing, and bad input in the error shape. The
//! WebSocket side is in `ws`, two instances over Redis in `instances`.
mod instances;
mod socket;
mod ws;

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Answer, TestApp, api_test, token};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn ok(a: Answer, status: StatusCode) -> Value {
    assert_eq!(a.status, status, "{}", a.body);
    a.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("id in {v}")).to_owned()
}

/// A customer's access token.
pub(crate) async fn customer(t: &TestApp, phone: &str) -> String {
    token(&t.customer(phone).await, "accessToken")
}

/// Starts a conversation; returns its id.
pub(crate) async fn start(t: &TestApp, customer: &str, text: &str) -> String {
    let body = ok(t.post_as("/api/chat/conversations", json!({"subject": "Delivery", "text": text}), customer).await, StatusCode::CREATED);
    id(&body["conversation"])
}

/// Support replies over REST; returns the message.
pub(crate) async fn reply(t: &TestApp, admin: &str, conversation: &str, text: &str) -> Value {
    ok(
        t.post_as(&format!("/api/admin/chat/conversations/{conversation}/messages"), json!({"text": text}), admin).await,
        StatusCode::CREATED,
    )
}

/// Push requests written to the outbox so far.
pub(crate) async fn pushes(t: &TestApp) -> u64 {
    t.app.ports.outbox.pending("notification.user").await.expect("outbox readable")
}

async fn upload(t: &TestApp, path: &str, bearer: &str, bytes: &[u8]) -> Answer {
    let resp = t
        .client
        .post(path)
        .header("content-type", "application/octet-stream")
        .header("authorization", format!("Bearer {bearer}"))
        .body(bytes.to_vec())
        .send()
        .await
        .0;
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.into_body().into_string().await.expect("body");
    Answer { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

api_test!(a_customer_and_support_talk_with_unread_counts_on_both_sides, |t| {
    let fatima = customer(&t, "+96550003001").await;
    let admin = t.admin("+96550003002").await;
    let c = start(&t, &fatima, "My order is late.").await;
    ok(
        t.post_as(&format!("/api/chat/conversations/{c}/messages"), json!({"text": "  Order 100123  "}), &fatima).await,
        StatusCode::CREATED,
    );

    let queue = ok(t.get_as("/api/admin/chat/conversations?unassigned=true", &admin).await, StatusCode::OK);
    let entry = queue["items"].as_array().unwrap().iter().find(|x| x["id"] == c.as_str()).expect("in the queue").clone();
    assert_eq!((entry["supportUnread"].as_u64(), entry["status"].as_str()), (Some(2), Some("open")));

    let answer = reply(&t, &admin, &c, "Your driver is 10 minutes away.").await;
    assert_eq!((answer["sender"].as_str(), answer["seq"].as_u64()), (Some("support"), Some(3)));
    assert_eq!(pushes(&t).await, 1, "the customer had no live connection: a push is queued");
    let mine = ok(t.get_as("/api/admin/chat/conversations?mine=true", &admin).await, StatusCode::OK);
    assert!(mine["items"].as_array().unwrap().iter().any(|x| x["id"] == c.as_str()), "the reply took the conversation");

    let list = ok(t.get_as("/api/chat/conversations", &fatima).await, StatusCode::OK);
    assert_eq!(list["items"][0]["customerUnread"].as_u64(), Some(1));
    let read = ok(t.post_as(&format!("/api/chat/conversations/{c}/read"), json!({}), &fatima).await, StatusCode::OK);
    assert_eq!((read["marked"].as_u64(), read["unread"].as_u64(), read["upToMessageId"].clone()), (Some(1), Some(0), answer["id"].clone()));
    let read = ok(t.post_as(&format!("/api/admin/chat/conversations/{c}/read"), json!({}), &admin).await, StatusCode::OK);
    assert_eq!((read["marked"].as_u64(), read["unread"].as_u64()), (Some(2), Some(0)));

    let newest = ok(t.get_as(&format!("/api/chat/conversations/{c}/messages?limit=2"), &fatima).await, StatusCode::OK);
    let texts: Vec<&str> = newest["items"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Your driver is 10 minutes away.", "Order 100123"]);
    assert!(newest["items"][0]["readAt"].is_string(), "{}", newest["items"][0]);
    let cursor = newest["nextCursor"].as_str().expect("more").to_owned();
    let older = ok(t.get_as(&format!("/api/chat/conversations/{c}/messages?limit=2&cursor={cursor}"), &fatima).await, StatusCode::OK);
    assert_eq!((older["items"].as_array().unwrap().len(), older["nextCursor"].is_null()), (1, true));
    let first = id(&older["items"][0]);
    let missed = ok(t.get_as(&format!("/api/chat/conversations/{c}/messages?after={first}"), &fatima).await, StatusCode::OK);
    let seqs: Vec<u64> = missed["items"].as_array().unwrap().iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [2, 3], "what came after, oldest first");

    let closed = ok(t.post_as(&format!("/api/admin/chat/conversations/{c}/close"), json!({}), &admin).await, StatusCode::OK);
    assert_eq!(closed["status"], "closed");
    let late = t.post_as(&format!("/api/chat/conversations/{c}/messages"), json!({"text": "one more"}), &fatima).await;
    assert_eq!(late.assert_error(409, "conflict"), "chat.conversation_closed");
    let reopened = t.post_as(&format!("/api/admin/chat/conversations/{c}/assign"), json!({}), &admin).await;
    assert_eq!(reopened.assert_error(409, "conflict"), "chat.conversation_closed");
});

api_test!(bad_chat_input_is_answered_in_the_error_shape, |t| {
    let fatima = customer(&t, "+96550003011").await;
    let badr = customer(&t, "+96550003012").await;
    let admin = t.admin("+96550003013").await;
    let empty = t.post_as("/api/chat/conversations", json!({"text": "   "}), &fatima).await;
    empty.assert_error(422, "validation");
    assert_eq!(empty.fields(), ["text"]);
    let long = t.post_as("/api/chat/conversations", json!({"text": "x".repeat(2001), "subject": "s".repeat(121)}), &fatima).await;
    long.assert_error(422, "validation");
    assert_eq!(long.fields(), ["subject", "text"]);
    let unknown = t.post_as("/api/chat/conversations", json!({"text": "hi", "priority": "high"}), &fatima).await;
    unknown.assert_error(400, "schema");
    assert_eq!(unknown.fields(), ["priority"]);
    let mistyped = t.post_as("/api/chat/conversations", json!({"text": 42}), &fatima).await;
    mistyped.assert_error(400, "schema");

    let c = start(&t, &fatima, "hello").await;
    let path = format!("/api/chat/conversations/{c}/messages");
    t.post_as(&path, json!({"text": ""}), &fatima).await.assert_error(422, "validation");
    let image = t.post_as(&path, json!({"imageId": "0194f0c2-0000-7000-8000-000000000000"}), &fatima).await;
    image.assert_error(422, "validation");
    assert_eq!(image.fields(), ["imageId"]);
    assert_eq!(t.get_as(&path, &badr).await.assert_error(404, "not_found"), "chat.conversation_not_found");
    assert_eq!(t.post_as(&path, json!({"text": "mine now"}), &badr).await.assert_error(404, "not_found"), "chat.conversation_not_found");
    let both = t.get_as(&format!("{path}?cursor={c}&after={c}"), &fatima).await;
    both.assert_error(422, "validation");
    let foreign = t.get_as(&format!("{path}?after={c}"), &fatima).await;
    assert_eq!(foreign.fields(), ["after"], "{}", foreign.body);
    t.get_as("/api/chat/conversations/not-a-uuid/messages", &fatima).await.assert_error(400, "schema");
    t.get_as("/api/chat/conversations?limit=0", &fatima).await.assert_error(422, "validation");
    t.get_as("/api/admin/chat/conversations", &fatima).await.assert_error(403, "forbidden");
    t.post_as("/api/chat/conversations", json!({"text": "hi"}), &admin).await.assert_error(403, "forbidden");
    t.raw("GET", "/api/chat/conversations", None, None, None).await.assert_error(401, "auth");
    let queue = t.get_as("/api/admin/chat/conversations?unassigned=true&mine=true", &admin).await;
    assert_eq!(queue.assert_error(422, "validation"), "request.invalid_fields");
    t.get_as("/api/admin/chat/conversations?status=archived", &admin).await.assert_error(400, "schema");
});

api_test!(an_image_goes_into_the_files_store_and_is_sent_as_a_message, |t| {
    let fatima = customer(&t, "+96550003021").await;
    let admin = t.admin("+96550003022").await;
    let c = start(&t, &fatima, "The seal is broken, see photo.").await;
    let sent = ok(upload(&t, &format!("/api/chat/conversations/{c}/images?caption=the%20seal"), &fatima, PNG).await, StatusCode::CREATED);
    assert_eq!(sent["text"], "the seal");
    let url = sent["imageUrl"].as_str().expect("an image url").to_owned();
    let resp = t.client.get(&url).send().await.0;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.into_body().into_vec().await.unwrap(), PNG);
    let again = json!({"imageId": sent["imageId"], "text": "same photo"});
    ok(t.post_as(&format!("/api/admin/chat/conversations/{c}/messages"), again, &admin).await, StatusCode::CREATED);
    let text = upload(&t, &format!("/api/chat/conversations/{c}/images"), &fatima, b"just text, not a photo").await;
    text.assert_error(415, "unsupported_media_type");
    let other = customer(&t, "+96550003023").await;
    upload(&t, &format!("/api/chat/conversations/{c}/images"), &other, PNG).await.assert_error(404, "not_found");
});
