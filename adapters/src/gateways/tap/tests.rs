//! The Tap adapter against a local fake that speaks Tap's API and error format, and the webhook
//! signature against vectors computed here, independently, from the documented formula.
#![allow(clippy::expect_used)]
use super::*;
use hmac::Mac as _;
use sabil_core::domain::{Currency, Money};
use sabil_core::ports::{ChargeStatus, PaymentSource};
use serde_json::json;
use uuid::Uuid;
use wiremock::matchers::{body_partial_json, body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "sk_test_XKokBfNWv6FIYuTMg5sLPjhJ";
const BEARER: &str = "Bearer sk_test_XKokBfNWv6FIYuTMg5sLPjhJ";
const ORDER: &str = "0190a5f4-7c3e-7b8a-9c1d-2e3f4a5b6c7d";
const ATTEMPT: &str = "0190a5f4-7c3e-7b8a-9c1d-000000000001";

fn config(base_url: String) -> TapConfig {
    TapConfig { secret_key: SecretString::from(SECRET), base_url, timeout: Duration::from_secs(5) }
}

fn gateway(base_url: String) -> TapPaymentGateway {
    TapPaymentGateway::new(config(base_url)).expect("the client builds")
}

fn request(amount: Money, source: PaymentSource) -> ChargeRequest {
    ChargeRequest {
        order_id: Uuid::parse_str(ORDER).expect("uuid"),
        order_number: 100_001,
        attempt_id: Uuid::parse_str(ATTEMPT).expect("uuid"),
        amount,
        source,
        customer_name: "Fatima".into(),
        customer_phone: "+96550000001".into(),
        description: "Sabil order 100001".into(),
        redirect_url: "https://api.sabil.example/pay/return".into(),
        post_url: "https://api.sabil.example/api/payments/tap/webhook".into(),
    }
}

/// A charge object as Tap answers it.
fn tap_charge(id: &str, status: &str, amount: &str, currency: &str) -> String {
    format!(
        r#"{{"id":"{id}","object":"charge","live_mode":false,"api_version":"V2","status":"{status}","amount":{amount},"currency":"{currency}",
        "threeDSecure":true,"save_card":false,"description":"Sabil order 100001","metadata":{{"order_id":"{ORDER}"}},
        "transaction":{{"timezone":"UTC+03:00","created":"1700000000000","expiry":{{"period":30,"type":"MINUTE"}},"asynchronous":false,
        "amount":{amount},"currency":"{currency}","url":"https://checkout.tap.company/?mode=page&token=abc"}},
        "reference":{{"track":"tck_1","payment":"2305150832590000001","gateway":"123456","acquirer":"314","transaction":"{ATTEMPT}","order":"{ORDER}"}},
        "response":{{"code":"100","message":"Initiated"}},"customer":{{"first_name":"Fatima","phone":{{"country_code":"965","number":"50000001"}}}},
        "source":{{"object":"source","id":"src_kw.knet"}},"redirect":{{"status":"PENDING","url":"https://api.sabil.example/pay/return"}},
        "post":{{"status":"PENDING","url":"https://api.sabil.example/api/payments/tap/webhook"}}}}"#
    )
}

fn tap_error(status: u16, code: &str, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"errors": [{"code": code, "description": description}]}))
}

async fn only_request_body(server: &MockServer) -> String {
    let requests = server.received_requests().await.expect("request recording is on");
    assert_eq!(requests.len(), 1);
    String::from_utf8(requests[0].body.clone()).expect("a UTF-8 body")
}

#[tokio::test]
async fn creates_a_knet_charge_in_dinars_with_three_decimals_and_returns_the_payment_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/charges"))
        .and(header("Authorization", BEARER))
        .and(header("Content-Type", "application/json"))
        .and(body_string_contains(r#""amount":1.500,"currency":"KWD""#))
        .and(body_partial_json(json!({
            "customer_initiated": true,
            "threeDSecure": true,
            "save_card": false,
            "description": "Sabil order 100001",
            "metadata": {"order_id": ORDER},
            "reference": {"transaction": ATTEMPT, "order": ORDER, "idempotent": ATTEMPT},
            "customer": {"first_name": "Fatima", "phone": {"country_code": 965, "number": 50_000_001}},
            "source": {"id": "src_kw.knet"},
            "post": {"url": "https://api.sabil.example/api/payments/tap/webhook"},
            "redirect": {"url": "https://api.sabil.example/pay/return"},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_string(tap_charge("chg_TS01", "INITIATED", "1.500", "KWD")))
        .expect(1)
        .mount(&server)
        .await;

    let charge =
        gateway(server.uri()).create_charge(&request(Money::new(1500, Currency::Kwd), PaymentSource::Knet)).await.expect("created");

    assert_eq!(charge.id, "chg_TS01");
    assert_eq!(charge.status, ChargeStatus::Initiated);
    assert_eq!(charge.amount, Money::new(1500, Currency::Kwd));
    assert_eq!(charge.order_reference.as_deref(), Some(ORDER));
    assert_eq!(charge.payment_url.as_deref(), Some("https://checkout.tap.company/?mode=page&token=abc"));
}

#[tokio::test]
async fn a_card_charge_in_dirhams_has_two_decimals() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/charges"))
        .and(header("Authorization", BEARER))
        .and(body_string_contains(r#""amount":10.00,"currency":"AED""#))
        .and(body_partial_json(json!({"source": {"id": "src_card"}, "reference": {"idempotent": ATTEMPT}})))
        .respond_with(ResponseTemplate::new(200).set_body_string(tap_charge("chg_TS02", "INITIATED", "10", "AED")))
        .expect(1)
        .mount(&server)
        .await;

    let charge =
        gateway(server.uri()).create_charge(&request(Money::new(1000, Currency::Aed), PaymentSource::Card)).await.expect("created");

    assert_eq!(charge.amount, Money::new(1000, Currency::Aed), "Tap's float-style 10 reads back exactly");
    assert!(
        only_request_body(&server).await.contains(r#""customer":{"first_name":"Fatima","phone":{"country_code":965,"number":50000001}}"#)
    );
}

#[tokio::test]
async fn retrieves_a_captured_charge() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/charges/chg_TS01"))
        .and(header("Authorization", BEARER))
        .respond_with(ResponseTemplate::new(200).set_body_string(tap_charge("chg_TS01", "CAPTURED", "1.5", "KWD")))
        .expect(1)
        .mount(&server)
        .await;

    let charge = gateway(server.uri()).retrieve_charge("chg_TS01").await.expect("retrieved");

    assert_eq!(charge.status, ChargeStatus::Captured);
    assert!(charge.status.is_paid());
    assert_eq!(charge.amount, Money::new(1500, Currency::Kwd));
}

#[tokio::test]
async fn refunds_with_the_refund_id_as_idempotency_key() {
    let server = MockServer::start().await;
    let refund_id = Uuid::now_v7();
    Mock::given(method("POST"))
        .and(path("/v2/refunds"))
        .and(header("Authorization", BEARER))
        .and(body_string_contains(r#""amount":0.750,"currency":"KWD""#))
        .and(body_partial_json(json!({
            "charge_id": "chg_TS01",
            "reason": "order cancelled",
            "reference": {"idempotent": refund_id.to_string()},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "re_TS01", "object": "refund", "charge_id": "chg_TS01", "amount": 0.75, "currency": "KWD", "status": "PENDING",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let req =
        RefundRequest { charge_id: "chg_TS01".into(), refund_id, amount: Money::new(750, Currency::Kwd), reason: "order cancelled".into() };

    let refund = gateway(server.uri()).refund(&req).await.expect("refunded");

    assert_eq!(refund, Refund { id: "re_TS01".into(), status: "PENDING".into(), amount: Money::new(750, Currency::Kwd) });
}

#[tokio::test]
async fn an_error_answer_is_a_rejection_with_taps_code() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/charges/chg_TS01"))
        .respond_with(tap_error(401, "2107", "Authentication required"))
        .expect(1)
        .mount(&server)
        .await;

    let err = gateway(server.uri()).retrieve_charge("chg_TS01").await.expect_err("refused");

    assert_eq!(err, GatewayError::Rejected { code: "2107".into(), message: "Authentication required".into() });
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_validation_error_names_taps_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/charges"))
        .respond_with(tap_error(400, "1108", "Invalid amount"))
        .expect(1)
        .mount(&server)
        .await;

    let err = gateway(server.uri()).create_charge(&request(Money::new(1, Currency::Kwd), PaymentSource::Card)).await.expect_err("refused");

    assert_eq!(err, GatewayError::Rejected { code: "1108".into(), message: "Invalid amount".into() });
}

#[tokio::test]
async fn a_server_error_is_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/v2/charges/chg_TS01")).respond_with(ResponseTemplate::new(500)).expect(1).mount(&server).await;

    let err = gateway(server.uri()).retrieve_charge("chg_TS01").await.expect_err("Tap is down");

    assert!(matches!(err, GatewayError::Unavailable { retry_after: None, .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn rate_limiting_is_retryable_with_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/charges"))
        .respond_with(tap_error(429, "429", "Too many requests").insert_header("Retry-After", "9"))
        .expect(1)
        .mount(&server)
        .await;

    let err =
        gateway(server.uri()).create_charge(&request(Money::new(1500, Currency::Kwd), PaymentSource::Card)).await.expect_err("throttled");

    let GatewayError::Unavailable { retry_after, .. } = &err else { panic!("expected Unavailable, got {err:?}") };
    assert_eq!(*retry_after, Some(Duration::from_secs(9)));
}

#[tokio::test]
async fn a_timeout_is_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/charges/chg_TS01"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(tap_charge("chg_TS01", "CAPTURED", "1.5", "KWD")).set_delay(Duration::from_secs(3)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let slow = TapPaymentGateway::new(TapConfig { timeout: Duration::from_millis(200), ..config(server.uri()) }).expect("builds");

    let err = slow.retrieve_charge("chg_TS01").await.expect_err("timed out");

    assert!(matches!(err, GatewayError::Unavailable { retry_after: None, .. }), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_host_is_retryable() {
    let unused = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", unused.local_addr().expect("address"));
    drop(unused);

    let err = gateway(url).retrieve_charge("chg_TS01").await.expect_err("nobody listens");

    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_garbage_answer_is_a_protocol_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/charges/chg_TS01"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .expect(1)
        .mount(&server)
        .await;

    let err = gateway(server.uri()).retrieve_charge("chg_TS01").await.expect_err("unreadable");

    assert!(matches!(err, GatewayError::Protocol(_)), "{err:?}");
}

#[tokio::test]
async fn a_charge_id_that_could_leave_the_charges_path_is_refused_without_a_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;

    for bad in ["", "../refunds", "chg_1?x=1", "chg 1"] {
        let err = gateway(server.uri()).retrieve_charge(bad).await.expect_err(bad);
        assert!(matches!(err, GatewayError::Rejected { .. }), "{bad:?}: {err:?}");
    }
}

#[test]
fn the_mode_follows_the_key_and_other_keys_are_refused() {
    assert_eq!(gateway(DEFAULT_BASE_URL.into()).mode(), PaymentMode::Test);
    let live = TapConfig { secret_key: SecretString::from("sk_live_abc"), ..config(DEFAULT_BASE_URL.into()) };
    assert_eq!(TapPaymentGateway::new(live).expect("builds").mode(), PaymentMode::Live);
    let public = TapConfig { secret_key: SecretString::from("pk_test_abc"), ..config(DEFAULT_BASE_URL.into()) };
    assert!(TapPaymentGateway::new(public).is_err());
}

#[test]
fn debug_output_hides_the_secret_key() {
    let shown = format!("{:?} {:?}", config(DEFAULT_BASE_URL.into()), gateway(DEFAULT_BASE_URL.into()));
    assert!(!shown.contains("XKokBfNWv6FIYuTMg5sLPjhJ"), "{shown}");
    assert!(shown.contains("test"), "{shown}");
}

#[test]
fn phones_split_into_country_code_and_number() {
    let split = |p| wire::split_phone(p).map(|t| (t.country_code, t.number));
    assert_eq!(split("+96550000001"), Some((965, 50_000_001)));
    assert_eq!(split("+971501234567"), Some((971, 501_234_567)));
    assert_eq!(split("+12025550123"), Some((1, 2_025_550_123)));
    assert_eq!(split("+447911123456"), Some((44, 7_911_123_456)));
    assert_eq!(split("96550000001"), None);
    assert_eq!(split("+965 5000 0001"), None);
}

// --- webhook ---

/// hex(HMAC-SHA256(key, S)), computed with the hmac crate's own constructor (not the adapter's).
fn expected_hashstring(key: &str, s: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(s.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// A webhook body with Tap's field layout; `amount` is written as given.
fn webhook_body(amount: &str, status: &str) -> String {
    tap_charge("chg_TS01", status, amount, "KWD")
}

/// The documented vector: 1.5 KWD is signed as `x_amount1.500`.
const VECTOR_INPUT: &str = "x_idchg_TS01x_amount1.500x_currencyKWDx_gateway_reference123456x_payment_reference2305150832590000001\
                            x_statusCAPTUREDx_created1700000000000";

#[test]
fn a_webhook_signed_over_the_documented_string_is_accepted_and_names_its_charge() {
    let hashstring = expected_hashstring(SECRET, VECTOR_INPUT);
    let gateway = gateway(DEFAULT_BASE_URL.into());

    for amount in ["1.5", "1.500"] {
        let id = gateway.verify_webhook(Some(&hashstring), webhook_body(amount, "CAPTURED").as_bytes());
        assert_eq!(id, Ok("chg_TS01".to_owned()), "amount written as {amount}");
    }
    assert_eq!(
        gateway.verify_webhook(Some(&hashstring.to_uppercase()), webhook_body("1.5", "CAPTURED").as_bytes()),
        Ok("chg_TS01".to_owned()),
        "hex in either case"
    );
}

#[test]
fn the_amount_is_signed_with_the_currencys_decimals_not_as_written() {
    // A sender that signed `1.5` instead of `1.500` produced a different hashstring.
    let short = expected_hashstring(SECRET, &VECTOR_INPUT.replace("x_amount1.500", "x_amount1.5"));
    let gateway = gateway(DEFAULT_BASE_URL.into());

    let result = gateway.verify_webhook(Some(&short), webhook_body("1.5", "CAPTURED").as_bytes());

    assert_eq!(result, Err(WebhookRejected::BadSignature));
}

#[test]
fn a_tampered_amount_or_status_fails_the_signature() {
    let hashstring = expected_hashstring(SECRET, VECTOR_INPUT);
    let gateway = gateway(DEFAULT_BASE_URL.into());

    for body in
        [webhook_body("0.001", "CAPTURED"), webhook_body("1.5", "DECLINED"), webhook_body("1.5", "CAPTURED").replace("123456", "654321")]
    {
        assert_eq!(gateway.verify_webhook(Some(&hashstring), body.as_bytes()), Err(WebhookRejected::BadSignature));
    }
    let other_key = expected_hashstring("sk_test_another_key", VECTOR_INPUT);
    assert_eq!(gateway.verify_webhook(Some(&other_key), webhook_body("1.5", "CAPTURED").as_bytes()), Err(WebhookRejected::BadSignature));
    assert_eq!(gateway.verify_webhook(Some("not hex"), webhook_body("1.5", "CAPTURED").as_bytes()), Err(WebhookRejected::BadSignature));
}

#[test]
fn a_webhook_without_a_signature_or_a_charge_is_refused() {
    let gateway = gateway(DEFAULT_BASE_URL.into());
    let hashstring = expected_hashstring(SECRET, VECTOR_INPUT);

    assert_eq!(gateway.verify_webhook(None, webhook_body("1.5", "CAPTURED").as_bytes()), Err(WebhookRejected::MissingSignature));
    assert_eq!(gateway.verify_webhook(Some("  "), webhook_body("1.5", "CAPTURED").as_bytes()), Err(WebhookRejected::MissingSignature));
    for body in ["not json", r#"{"id":"chg_1"}"#, r#"{"id":"chg_1","status":"CAPTURED","amount":1.2345,"currency":"KWD"}"#] {
        assert!(matches!(gateway.verify_webhook(Some(&hashstring), body.as_bytes()), Err(WebhookRejected::Malformed(_))), "{body}");
    }
}

#[test]
fn absent_references_are_signed_as_empty_text() {
    let body = r#"{"id":"chg_2","status":"DECLINED","amount":10,"currency":"AED","transaction":{"created":1700000000001}}"#;
    let s = "x_idchg_2x_amount10.00x_currencyAEDx_gateway_referencex_payment_referencex_statusDECLINEDx_created1700000000001";

    let result = gateway(DEFAULT_BASE_URL.into()).verify_webhook(Some(&expected_hashstring(SECRET, s)), body.as_bytes());

    assert_eq!(result, Ok("chg_2".to_owned()));
}

#[test]
fn keys_longer_than_a_block_sign_like_hmac_does() {
    let long = "k".repeat(100);
    assert_eq!(hmac_hex(long.as_bytes(), b"message"), expected_hashstring(&long, "message"));
    assert_eq!(hmac_hex(SECRET.as_bytes(), b"message"), expected_hashstring(SECRET, "message"));
}
