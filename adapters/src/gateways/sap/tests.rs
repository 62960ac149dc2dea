//! The SAP client against a local fake that speaks SAP's API as the integration design fixes it: login,
//! pushes keyed by change id, the change feed and its confirmation.
#![allow(clippy::expect_used)]
use std::sync::{Arc, Mutex as StdMutex};

use super::*;
use sabil_core::domain::sync::ChangeOperation;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const LOGIN: &str = "sabil-app";
const PASSWORD: &str = "s3cret-sap-password";
const TOKEN: &str = "token-one";
const CHANGE: &str = "0190a0b0-0000-7000-8000-00000000c001";
const CUSTOMER: &str = "0190a0b0-0000-7000-8000-0000000000c1";

fn config(base_url: String) -> SapClientConfig {
    SapClientConfig { base_url, login: LOGIN.into(), password: SecretString::from(PASSWORD), timeout: Duration::from_secs(5) }
}

fn gateway(server: &MockServer) -> SapErpGateway {
    SapErpGateway::new(config(server.uri())).expect("the client builds")
}

fn logged_in(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"accessToken": token, "expiresIn": 3600}))
}

/// Expects `times` logins with our credentials, each answered with `token`.
async fn login_answers(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/api/login"))
        .and(body_json(json!({"login": LOGIN, "password": PASSWORD})))
        .respond_with(logged_in(token))
        .expect(times)
        .mount(server)
        .await;
}

fn change(entity: &str, operation: ChangeOperation, data: &Value) -> ChangeRecord {
    ChangeRecord {
        seq: 42,
        id: Uuid::parse_str(CHANGE).expect("uuid"),
        entity: entity.into(),
        entity_id: Uuid::parse_str(CUSTOMER).expect("uuid"),
        operation,
        data: data.to_string(),
        created_at: OffsetDateTime::UNIX_EPOCH,
        is_completed: false,
        attempts: 0,
        last_error: None,
        next_attempt_at: None,
        dead_at: None,
    }
}

fn customer_change() -> ChangeRecord {
    change("customer", ChangeOperation::Update, &json!({"id": CUSTOMER, "sapId": "C000123", "fullName": "Fatima"}))
}

fn body_of(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

async fn requests_to(server: &MockServer, wanted: &str) -> Vec<Request> {
    let requests = server.received_requests().await.expect("request recording is on");
    requests.into_iter().filter(|r| r.url.path() == wanted).collect()
}

#[tokio::test]
async fn logs_in_once_and_reuses_the_token_across_calls() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 1).await;
    Mock::given(method("PUT"))
        .and(path("/api/customers"))
        .and(header("Authorization", "Bearer token-one"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/changes"))
        .and(header("Authorization", "Bearer token-one"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .expect(1)
        .mount(&server)
        .await;
    let sap = Arc::new(gateway(&server));

    let calls = (0..2).map(|_| {
        let sap = Arc::clone(&sap);
        tokio::spawn(async move { sap.push(&customer_change()).await })
    });
    for call in calls {
        call.await.expect("the task ran").expect("SAP accepted the change");
    }
    assert!(sap.pull(10).await.expect("the feed").is_empty());
}

#[tokio::test]
async fn a_refused_token_gets_one_new_login_and_the_call_is_repeated() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/login"))
        .respond_with(logged_in("token-old"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    login_answers(&server, "token-new", 1).await;
    Mock::given(method("PUT"))
        .and(path("/api/customers"))
        .and(header("Authorization", "Bearer token-old"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "token expired"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/customers"))
        .and(header("Authorization", "Bearer token-new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sapId": "C000123"})))
        .expect(1)
        .mount(&server)
        .await;

    let pushed = gateway(&server).push(&customer_change()).await.expect("accepted after a new login");

    assert_eq!(pushed.sap_id.as_deref(), Some("C000123"));
}

#[tokio::test]
async fn a_refused_login_is_a_rejection_naming_the_settings_without_the_password() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/login"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "bad credentials"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/customers")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;

    let err = gateway(&server).push(&customer_change()).await.expect_err("no token");

    let GatewayError::Rejected { code, message } = &err else { panic!("expected Rejected, got {err:?}") };
    assert_eq!(code, "login_refused");
    assert!(message.contains("SABIL_SAP_PASSWORD") && !message.contains(PASSWORD), "{message}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_push_sends_the_operation_to_the_entity_path_keyed_by_the_change_id() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 1).await;
    Mock::given(method("PUT"))
        .and(path("/api/customers"))
        .and(header("Authorization", "Bearer token-one"))
        .and(header("Idempotency-Key", CHANGE))
        .and(header("Content-Type", "application/json"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/delivery-details"))
        .and(header("Idempotency-Key", CHANGE))
        .respond_with(ResponseTemplate::new(202).set_body_string(""))
        .expect(1)
        .mount(&server)
        .await;
    let sap = gateway(&server);

    assert_eq!(sap.push(&customer_change()).await.expect("accepted"), Pushed::default());
    let address = change("address", ChangeOperation::Delete, &json!({"id": CUSTOMER, "sapId": null}));
    assert_eq!(sap.push(&address).await.expect("accepted"), Pushed::default());

    let pushed = requests_to(&server, "/api/customers").await;
    assert_eq!(
        body_of(&pushed[0]),
        json!({
            "changeId": CHANGE, "seq": 42, "appId": CUSTOMER, "sapId": "C000123", "operation": "update",
            "data": {"id": CUSTOMER, "sapId": "C000123", "fullName": "Fatima"},
        })
    );
    let deleted = requests_to(&server, "/api/delivery-details").await;
    assert_eq!((body_of(&deleted[0])["operation"].clone(), body_of(&deleted[0])["sapId"].clone()), (json!("delete"), Value::Null));
}

#[tokio::test]
async fn an_order_push_carries_the_add_new_sales_order_document() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 1).await;
    Mock::given(method("POST"))
        .and(path("/api/orders"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sapId": 700_123})))
        .expect(1)
        .mount(&server)
        .await;
    let order = json!({
        "id": CUSTOMER, "sapId": null, "number": 1042, "customerId": "0190a0b0-0000-7000-8000-0000000000c9",
        "status": "confirmed", "paymentMethod": "cash", "currency": "KWD", "subTotal": 2000, "promotionDiscount": 0,
        "orderDiscount": 0, "orderDiscountBp": 0, "deliveryFee": 250, "netAmount": 2250, "amountToPay": 2250,
        "deliveryKind": "address", "addressId": "0190a0b0-0000-7000-8000-0000000000a1", "mosqueOrder": false, "mosqueId": null,
        "deliveryDate": "2026-12-01", "slotStartsMinute": 480, "slotEndsMinute": 600,
        "lines": [{"productSapId": "SKU-1", "quantity": 2, "freeQuantity": 0, "unitPrice": 1000, "promotionId": null,
                   "promotionDiscount": 0, "orderDiscountShare": 0, "discountBp": 0, "lineTotal": 2000}],
    });

    let pushed = gateway(&server).push(&change("order", ChangeOperation::Create, &order)).await.expect("accepted");

    assert_eq!(pushed.sap_id.as_deref(), Some("700123"), "a numeric SAP id is kept as text");
    let sent = body_of(&requests_to(&server, "/api/orders").await[0]);
    assert_eq!((&sent["operation"], &sent["sapId"], &sent["appId"]), (&json!("create"), &Value::Null, &json!(CUSTOMER)));
    let expected = super::sales_order::sales_order(&order).expect("a complete order");
    assert_eq!(sent["data"], expected);
    assert_eq!(
        (&sent["data"]["NetAmount"], &sent["data"]["ScheduledDeliverySlot"], &sent["data"]["ItemDetails"][0]["SKUCode"]),
        (&json!("2.250"), &json!("08:00-10:00"), &json!("SKU-1"))
    );
}

#[tokio::test]
async fn refusals_are_final_while_outages_and_timeouts_are_retryable() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 1).await;
    Mock::given(method("PUT"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "fullName is required"}})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "7"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    let sap = gateway(&server);

    let refused = sap.push(&customer_change()).await.expect_err("SAP refused");
    let GatewayError::Rejected { code, message } = &refused else { panic!("expected Rejected, got {refused:?}") };
    assert_eq!(code, "400");
    assert!(message.contains("fullName is required"), "{message}");
    assert!(!refused.is_retryable());

    let down = sap.push(&customer_change()).await.expect_err("SAP is down");
    let GatewayError::Unavailable { retry_after, .. } = &down else { panic!("expected Unavailable, got {down:?}") };
    assert_eq!(*retry_after, Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn a_slow_answer_times_out_as_unavailable() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 1).await;
    Mock::given(method("PUT"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let sap = SapErpGateway::new(SapClientConfig { timeout: Duration::from_millis(300), ..config(server.uri()) }).expect("builds");

    let err = sap.push(&customer_change()).await.expect_err("timed out");

    assert!(matches!(err, GatewayError::Unavailable { retry_after: None, .. }), "{err:?}");
}

#[tokio::test]
async fn unknown_entities_and_unreadable_answers_are_not_retried() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 1).await;
    Mock::given(method("PUT"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>ok</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let sap = gateway(&server);

    let unknown = sap.push(&change("invoice", ChangeOperation::Create, &json!({}))).await.expect_err("not an entity SAP gets");
    assert!(matches!(&unknown, GatewayError::Rejected { code, .. } if code == "unknown_entity"), "{unknown:?}");
    let garbled = sap.push(&customer_change()).await.expect_err("unreadable");
    assert!(matches!(garbled, GatewayError::Protocol(_)), "{garbled:?}");
}

#[tokio::test]
async fn pull_reads_the_feed_and_confirm_posts_the_ids() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/changes"))
        .and(query_param("limit", "50"))
        .and(header("Authorization", "Bearer token-one"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [
            {"id": "sap-1", "entity": "product", "operation": "update", "data": {"sapId": "SKU-1", "version": 3}, "createdAt": "2026-01-01T00:00:00Z"},
            {"id": 2, "entity": "coupon", "operation": "purge", "data": null},
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/confirm-changes"))
        .and(header("Authorization", "Bearer token-one"))
        .and(body_json(json!({"ids": ["sap-1", "2"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"confirmed": ["sap-1"], "unknown": ["2"]})))
        .expect(1)
        .mount(&server)
        .await;
    let sap = gateway(&server);

    let changes = sap.pull(50).await.expect("the feed");
    assert_eq!(
        changes,
        vec![
            ErpChange {
                id: "sap-1".into(),
                entity: "product".into(),
                operation: "update".into(),
                data: r#"{"sapId":"SKU-1","version":3}"#.into()
            },
            ErpChange { id: "2".into(), entity: "coupon".into(), operation: "purge".into(), data: "null".into() },
        ]
    );
    let ids: Vec<String> = changes.into_iter().map(|c| c.id).collect();
    sap.confirm(&ids).await.expect("confirmed");
    sap.confirm(&[]).await.expect("nothing to confirm, nothing sent");
}

#[tokio::test]
async fn a_feed_of_another_shape_is_a_protocol_error() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/changes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "sap-1"}])))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/changes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": "sap-1", "entity": "product"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let sap = gateway(&server);

    for _ in 0..2 {
        let err = sap.pull(10).await.expect_err("not a feed");
        assert!(matches!(err, GatewayError::Protocol(_)), "{err:?}");
    }
}

/// Log lines written while the test runs on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<StdMutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn calls_are_logged_with_their_bodies_but_never_the_password_or_token() {
    let _one_at_a_time = crate::telemetry::SUBSCRIBER_TESTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(logged_call());
}

async fn logged_call() {
    let server = MockServer::start().await;
    login_answers(&server, TOKEN, 2).await;
    Mock::given(method("PUT")).and(path("/api/customers")).respond_with(ResponseTemplate::new(200)).expect(2).mount(&server).await;
    // One call before capturing registers this path's log callsites here, not on another test's thread:
    // tracing caches each callsite's interest, and a registration racing with `set_default` elsewhere
    // can cache "never" (seen once in CI). A second gateway then logs in again under the capture.
    gateway(&server).push(&customer_change()).await.expect("accepted");
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::DEBUG).with_ansi(false).with_writer(move || writer.clone()).finish();
    let _default = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();

    gateway(&server).push(&customer_change()).await.expect("accepted");

    let logs = String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("UTF-8 logs");
    assert!(logs.contains("SAP call") && logs.contains("status=200") && logs.contains("/api/customers"), "{logs}");
    assert!(logs.contains("duration_ms=") && logs.contains("request_bytes=") && logs.contains("response_bytes="), "{logs}");
    assert!(logs.contains(CHANGE) && logs.contains("Fatima"), "the request body is logged at debug: {logs}");
    assert!(!logs.contains(PASSWORD) && !logs.contains(TOKEN), "{logs}");
}

#[test]
fn the_client_config_debug_output_hides_the_password() {
    let shown = format!("{:?}", config("https://sap.example".into()));
    assert!(!shown.contains(PASSWORD) && shown.contains(LOGIN), "{shown}");
}

#[test]
fn without_a_sap_url_the_local_stand_in_is_chosen() {
    let config = Config::from_vars(&std::collections::HashMap::new()).expect("defaults are valid");
    assert_eq!(erp_gateway(&config).expect("built").name(), "local");
    let vars = [("SABIL_SAP_BASE_URL", "http://127.0.0.1:9"), ("SABIL_SAP_LOGIN", LOGIN), ("SABIL_SAP_PASSWORD", PASSWORD)];
    let config = Config::from_vars(&vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()).expect("valid");
    assert_eq!(erp_gateway(&config).expect("built").name(), "sap");
}
