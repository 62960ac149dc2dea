//! The chat WebSocket on a real local port: authentication at connect, a live exchange between a
//! customer and support (messages, receipts, typing), bad frames, presence deciding the push, and
//! catching up after a reconnection.
use std::time::Duration;

use serde_json::json;

use super::socket::{Auth, Socket, refused, serve};
use super::{customer, pushes, reply, start};
use crate::harness::api_test;

api_test!(customer_and_support_talk_live_with_receipts_and_typing, |t| {
    let addr = serve(&t).await;
    let fatima = customer(&t, "+96550004001").await;
    let admin = t.admin("+96550004002").await;
    let c = start(&t, &fatima, "Hello?").await;
    let mut her = Socket::bearer(addr, &fatima).await;
    let mut support = Socket::bearer(addr, &admin).await;

    her.send(json!({"type": "send", "conversationId": c, "text": "Are you there?", "clientId": "m-1"})).await;
    let sent = her.expect("sent", |f| f["clientId"] == "m-1").await;
    let message_id = sent["message"]["id"].as_str().expect("stored message").to_owned();
    assert_eq!(sent["message"]["seq"], 2);
    let heard = support.expect("message", |f| f["message"]["id"] == message_id.as_str()).await;
    assert_eq!((heard["message"]["sender"].as_str(), heard["message"]["text"].as_str()), (Some("customer"), Some("Are you there?")));
    let delivered = her.expect("delivered", |f| f["conversationId"] == c.as_str()).await;
    assert_eq!((delivered["side"].as_str(), delivered["upToMessageId"].as_str()), (Some("support"), Some(message_id.as_str())));

    support.send(json!({"type": "typing", "conversationId": c})).await;
    let typing = her.expect("typing", |f| f["conversationId"] == c.as_str()).await;
    assert_eq!(typing["side"], "support");
    support.send(json!({"type": "read", "conversationId": c, "clientId": "r-1"})).await;
    let marked = support.expect("marked", |f| f["clientId"] == "r-1").await;
    assert_eq!((marked["marked"].as_u64(), marked["unread"].as_u64()), (Some(2), Some(0)));
    let receipt = her.expect("read", |f| f["conversationId"] == c.as_str()).await;
    assert_eq!((receipt["side"].as_str(), receipt["upToMessageId"].as_str()), (Some("support"), Some(message_id.as_str())));

    support.send(json!({"type": "send", "conversationId": c, "text": "Yes, how can I help?"})).await;
    let answer = her.expect("message", |f| f["message"]["conversationId"] == c.as_str()).await;
    assert_eq!(answer["message"]["sender"], "support");
    assert_eq!(pushes(&t).await, 0, "she was connected: no push");
    her.close().await;
    support.close().await;
});

api_test!(a_browser_authenticates_with_the_token_as_a_subprotocol, |t| {
    let addr = serve(&t).await;
    let fatima = customer(&t, "+96550004011").await;
    let (socket, protocol) = Socket::connect(addr, Auth::Protocol(&fatima)).await;
    assert_eq!(protocol.as_deref(), Some("sabil.bearer"), "the server names the protocol the browser asked for");
    socket.close().await;
    let (status, body) = refused(addr, Auth::Protocol("not-a-token")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("auth.token_invalid")));
    let (status, body) = refused(addr, Auth::None).await;
    assert_eq!((status, body["error"]["type"].as_str(), body["error"]["code"].as_str()), (401, Some("auth"), Some("auth.missing_token")));
    let (status, body) = refused(addr, Auth::Header("expired.or.forged")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("auth.token_invalid")));
    let plain = t.raw("GET", "/api/chat/ws", None, None, Some(&fatima)).await;
    plain.assert_error(400, "schema");
});

api_test!(a_bad_frame_is_answered_with_an_error_frame_and_the_connection_stays_open, |t| {
    let addr = serve(&t).await;
    let fatima = customer(&t, "+96550004021").await;
    let c = start(&t, &fatima, "hi").await;
    let mut her = Socket::bearer(addr, &fatima).await;
    her.send_text("this is not JSON").await;
    let error = her.expect("error", |_| true).await;
    assert_eq!((error["error"]["type"].as_str(), error["error"]["code"].as_str()), (Some("schema"), Some("chat.invalid_frame")));
    her.send(json!({"type": "shout", "conversationId": c})).await;
    her.expect("error", |f| f["error"]["code"] == "chat.invalid_frame").await;
    her.send(json!({"type": "send", "conversationId": c, "text": "   ", "clientId": "empty"})).await;
    let empty = her.expect("error", |f| f["clientId"] == "empty").await;
    assert_eq!((empty["error"]["type"].as_str(), empty["error"]["fields"][0]["field"].as_str()), (Some("validation"), Some("text")));
    let other = uuid::Uuid::now_v7().to_string();
    her.send(json!({"type": "send", "conversationId": other, "text": "hello", "clientId": "nowhere"})).await;
    let missing = her.expect("error", |f| f["clientId"] == "nowhere").await;
    assert_eq!(missing["error"]["code"], "chat.conversation_not_found");
    her.send(json!({"type": "send", "conversationId": c, "text": "still here", "clientId": "ok"})).await;
    her.expect("sent", |f| f["clientId"] == "ok").await;
});

api_test!(presence_decides_whether_a_reply_is_pushed, |t| {
    let addr = serve(&t).await;
    let fatima = customer(&t, "+96550004031").await;
    let admin = t.admin("+96550004032").await;
    let c = start(&t, &fatima, "hi").await;
    let her = Socket::bearer(addr, &fatima).await;
    reply(&t, &admin, &c, "connected").await;
    assert_eq!(pushes(&t).await, 0);
    her.close().await;
    let conversation = t.get_as(&format!("/api/chat/conversations/{c}"), &fatima).await.body;
    let customer_id = sabil_core::domain::UserId(conversation["customerId"].as_str().unwrap().parse().unwrap());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while t.app.chat_hub.is_online(customer_id).await.unwrap() {
        assert!(tokio::time::Instant::now() < deadline, "the closed connection still counts as online");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    reply(&t, &admin, &c, "gone").await;
    assert_eq!(pushes(&t).await, 1, "offline: the reply is pushed");
});

api_test!(a_reconnecting_client_reads_what_it_missed_after_its_last_message, |t| {
    let addr = serve(&t).await;
    let fatima = customer(&t, "+96550004041").await;
    let admin = t.admin("+96550004042").await;
    let c = start(&t, &fatima, "hi").await;
    let mut her = Socket::bearer(addr, &fatima).await;
    reply(&t, &admin, &c, "first").await;
    let last = her.expect("message", |f| f["message"]["text"] == "first").await["message"]["id"].as_str().unwrap().to_owned();
    her.close().await;
    reply(&t, &admin, &c, "second").await;
    reply(&t, &admin, &c, "third").await;
    let mut again = Socket::bearer(addr, &fatima).await;
    let missed = t.get_as(&format!("/api/chat/conversations/{c}/messages?after={last}"), &fatima).await.body;
    let texts: Vec<&str> = missed["items"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["second", "third"]);
    reply(&t, &admin, &c, "fourth").await;
    again.expect("message", |f| f["message"]["text"] == "fourth").await;
});
