//! Two API instances on one database with Redis (`SABIL_TEST_REDIS_URL`): a message sent through one
//! reaches a socket connected to the other, and a customer connected to one counts as online for the
//! other (no push), until the connection closes.
use std::time::Duration;

use serde_json::json;

use super::socket::{Socket, serve};
use super::{customer, pushes, reply, start};
use crate::harness::{Engine, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_through_one_instance_reaches_a_socket_on_another() {
    let Ok(redis) = std::env::var("SABIL_TEST_REDIS_URL") else {
        eprintln!("SABIL_TEST_REDIS_URL is not set: skipping the two-instance chat test");
        return;
    };
    let extra = [("SABIL_REDIS_URL", redis.as_str())];
    let a = TestApp::start(Engine::Sqlite, &extra).await.expect("instance a");
    let b = TestApp::another_instance(&a, &extra).await;
    let (addr_a, addr_b) = (serve(&a).await, serve(&b).await);
    let fatima = customer(&a, "+96550005001").await;
    let admin = a.admin("+96550005002").await;
    let c = start(&a, &fatima, "Anyone on the other server?").await;

    let mut her = Socket::bearer(addr_b, &fatima).await;
    let mut support = Socket::bearer(addr_a, &admin).await;
    reply(&a, &admin, &c, "Replying through instance a.").await;
    let heard = her.expect("message", |f| f["message"]["conversationId"] == c.as_str()).await;
    assert_eq!(heard["message"]["text"], "Replying through instance a.");
    assert_eq!(pushes(&a).await, 0, "she is connected to b, and a knows it");

    her.send(json!({"type": "send", "conversationId": c, "text": "Got it, from b.", "clientId": "b-1"})).await;
    her.expect("sent", |f| f["clientId"] == "b-1").await;
    let there = support.expect("message", |f| f["message"]["conversationId"] == c.as_str() && f["message"]["sender"] == "customer").await;
    assert_eq!(there["message"]["text"], "Got it, from b.");
    her.expect("delivered", |f| f["conversationId"] == c.as_str()).await;

    her.close().await;
    let conversation = a.get_as(&format!("/api/chat/conversations/{c}"), &fatima).await.body;
    let customer_id = sabil_core::domain::UserId(conversation["customerId"].as_str().expect("customer").parse().expect("uuid"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while a.app.chat_hub.is_online(customer_id).await.expect("redis") {
        assert!(tokio::time::Instant::now() < deadline, "a still sees her online after she left b");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    reply(&a, &admin, &c, "Now she is offline.").await;
    assert_eq!(pushes(&a).await, 1, "offline everywhere: pushed");
}
