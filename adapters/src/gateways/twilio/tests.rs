//! The Twilio adapter against a local fake that speaks Twilio's Messages API and error format.
#![allow(clippy::expect_used)]
use super::*;
use sabil_core::domain::Phone;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT_SID: &str = "AC00000000000000000000000000000001";
const AUTH_TOKEN: &str = "test-auth-token";
/// `Basic ` + base64("AC00000000000000000000000000000001:test-auth-token").
const BASIC_AUTH: &str = "Basic QUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMTp0ZXN0LWF1dGgtdG9rZW4=";
const MESSAGES_PATH: &str = "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json";

fn config(base_url: String) -> TwilioConfig {
    TwilioConfig {
        account_sid: ACCOUNT_SID.into(),
        auth_token: SecretString::from(AUTH_TOKEN),
        from: Some("+15005550006".into()),
        messaging_service_sid: None,
        base_url,
        timeout: Duration::from_secs(5),
    }
}

fn gateway(config: TwilioConfig) -> TwilioSms {
    TwilioSms::new(config).expect("the client builds")
}

fn message() -> SmsMessage {
    SmsMessage { to: Phone::parse("+96550001234").expect("a valid phone"), body: "Your code is 123456".into() }
}

fn queued(sid: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({"sid": sid, "status": "queued"}))
}

fn twilio_error(status: u16, code: u32, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    }))
}

/// Expects exactly one call to the Messages endpoint, answered with `response`.
async fn answer_once(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST")).and(path(MESSAGES_PATH)).respond_with(response).expect(1).mount(server).await;
}

async fn only_request_body(server: &MockServer) -> String {
    let requests = server.received_requests().await.expect("request recording is on");
    assert_eq!(requests.len(), 1);
    String::from_utf8(requests[0].body.clone()).expect("a UTF-8 form body")
}

#[tokio::test]
async fn sends_form_encoded_message_with_basic_auth_and_returns_sid() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES_PATH))
        .and(header("Authorization", BASIC_AUTH))
        .and(header("Content-Type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("To=%2B96550001234"))
        .and(body_string_contains("Body=Your+code+is+123456"))
        .and(body_string_contains("From=%2B15005550006"))
        .respond_with(queued("SM0123456789abcdef0123456789abcdef"))
        .expect(1)
        .mount(&server)
        .await;

    let sid = gateway(config(server.uri())).send(&message()).await.expect("Twilio accepted the message");

    assert_eq!(sid, "SM0123456789abcdef0123456789abcdef");
    assert!(!only_request_body(&server).await.contains("MessagingServiceSid"));
}

#[tokio::test]
async fn uses_messaging_service_sid_when_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES_PATH))
        .and(header("Authorization", BASIC_AUTH))
        .and(body_string_contains("MessagingServiceSid=MG00000000000000000000000000000002"))
        .and(body_string_contains("To=%2B96550001234"))
        .respond_with(queued("SM2"))
        .expect(1)
        .mount(&server)
        .await;
    let config = TwilioConfig { messaging_service_sid: Some("MG00000000000000000000000000000002".into()), ..config(server.uri()) };

    let sid = gateway(config).send(&message()).await.expect("Twilio accepted the message");

    assert_eq!(sid, "SM2");
    assert!(!only_request_body(&server).await.contains("From="));
}

#[tokio::test]
async fn invalid_number_error_is_a_rejection_with_twilio_code() {
    let server = MockServer::start().await;
    let text = "The 'To' number +96550001234 is not a valid phone number.";
    answer_once(&server, twilio_error(400, 21211, text)).await;

    let err = gateway(config(server.uri())).send(&message()).await.expect_err("Twilio refused");

    assert_eq!(err, GatewayError::Rejected { code: "21211".into(), message: text.into() });
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn rate_limit_error_is_retryable_with_retry_after() {
    let server = MockServer::start().await;
    answer_once(&server, twilio_error(429, 20429, "Too Many Requests").insert_header("Retry-After", "7")).await;

    let err = gateway(config(server.uri())).send(&message()).await.expect_err("Twilio throttled us");

    let GatewayError::Unavailable { retry_after, .. } = &err else { panic!("expected Unavailable, got {err:?}") };
    assert_eq!(*retry_after, Some(Duration::from_secs(7)));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn server_error_is_retryable() {
    let server = MockServer::start().await;
    answer_once(&server, twilio_error(503, 20503, "Service Unavailable")).await;

    let err = gateway(config(server.uri())).send(&message()).await.expect_err("Twilio is down");

    let GatewayError::Unavailable { retry_after, .. } = &err else { panic!("expected Unavailable, got {err:?}") };
    assert_eq!(*retry_after, None);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn wrong_credentials_are_reported_as_unavailable_not_rejected() {
    let server = MockServer::start().await;
    answer_once(&server, twilio_error(401, 20003, "Authenticate")).await;

    let err = gateway(config(server.uri())).send(&message()).await.expect_err("Twilio refused our credentials");

    let GatewayError::Unavailable { message, .. } = &err else { panic!("expected Unavailable, got {err:?}") };
    assert!(message.contains("credentials"), "{message}");
    assert!(!message.contains(AUTH_TOKEN), "{message}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn timeout_is_retryable() {
    let server = MockServer::start().await;
    answer_once(&server, queued("SM3").set_delay(Duration::from_secs(3))).await;
    let config = TwilioConfig { timeout: Duration::from_millis(200), ..config(server.uri()) };

    let err = gateway(config).send(&message()).await.expect_err("the call timed out");

    assert!(matches!(err, GatewayError::Unavailable { retry_after: None, .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn garbage_success_body_is_a_protocol_error() {
    let server = MockServer::start().await;
    answer_once(&server, ResponseTemplate::new(201).set_body_string("<html>not json</html>")).await;

    let err = gateway(config(server.uri())).send(&message()).await.expect_err("the reply is unreadable");

    assert!(matches!(err, GatewayError::Protocol(_)), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn unparsable_client_error_is_a_rejection_with_the_http_status() {
    let server = MockServer::start().await;
    answer_once(&server, ResponseTemplate::new(404).set_body_string("Not Found")).await;

    let err = gateway(config(server.uri())).send(&message()).await.expect_err("Twilio refused");

    assert!(matches!(&err, GatewayError::Rejected { code, .. } if code == "404"), "{err:?}");
}

#[test]
fn config_debug_output_hides_the_auth_token() {
    let shown = format!("{:?}", config("https://api.twilio.com".into()));

    assert!(!shown.contains(AUTH_TOKEN), "{shown}");
    assert!(shown.contains(ACCOUNT_SID), "{shown}");
}

#[test]
fn a_config_without_any_sender_is_refused() {
    let config = TwilioConfig { from: None, messaging_service_sid: Some("  ".into()), ..config(DEFAULT_BASE_URL.into()) };

    assert!(TwilioSms::new(config).is_err());
}
