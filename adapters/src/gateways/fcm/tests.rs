//! The FCM adapter against local fakes of Google's token endpoint (which checks the assertion's RS256
//! signature with the test account's public key) and of FCM's `messages:send`.
#![allow(clippy::expect_used)]
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use sabil_core::testing::ManualClock;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::credentials::tests::{TEST_PUBLIC_KEY, key_file};
use super::*;

const TOKEN_PATH: &str = "/token";
const SEND_PATH: &str = "/v1/projects/sabil-test/messages:send";

/// Google's token endpoint: checks the grant type and the assertion (signature, issuer, scope, audience,
/// one-hour validity), then hands out `ya29.token-1`, `ya29.token-2`, ... valid `expires_in` seconds.
struct FakeGoogle {
    audience: String,
    expires_in: u64,
    issued: AtomicUsize,
    /// The `iat` of every assertion received.
    issued_at: Mutex<Vec<i64>>,
}

impl FakeGoogle {
    fn new(server: &MockServer) -> Self {
        Self {
            audience: format!("{}{TOKEN_PATH}", server.uri()),
            expires_in: 3600,
            issued: AtomicUsize::new(0),
            issued_at: Mutex::default(),
        }
    }

    fn refuse(problem: &str) -> ResponseTemplate {
        ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant", "error_description": problem}))
    }
}

impl Respond for FakeGoogle {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body);
        let fields: BTreeMap<&str, &str> = body.split('&').filter_map(|pair| pair.split_once('=')).collect();
        if fields.get("grant_type") != Some(&"urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer") {
            return Self::refuse("unsupported grant_type");
        }
        let Some(assertion) = fields.get("assertion") else { return Self::refuse("no assertion") };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "aud", "iss"]);
        let key = DecodingKey::from_rsa_pem(TEST_PUBLIC_KEY.as_bytes()).expect("the test public key");
        let claims = match jsonwebtoken::decode::<Value>(assertion, &key, &validation) {
            Ok(data) => data.claims,
            Err(e) => return Self::refuse(&format!("Invalid JWT: {e}")),
        };
        let iat = claims["iat"].as_i64().unwrap_or_default();
        if claims["iss"] != "fcm-sender@sabil-test.iam.gserviceaccount.com"
            || claims["scope"] != SCOPE
            || claims["exp"].as_i64() != Some(iat + 3600)
        {
            return Self::refuse("Invalid JWT claims");
        }
        self.issued_at.lock().expect("lock").push(iat);
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({"access_token": format!("ya29.token-{n}"), "expires_in": self.expires_in, "token_type": "Bearer"}))
            // Slow enough that concurrent first sends all wait for this one exchange.
            .set_delay(Duration::from_millis(200))
    }
}

fn config(server: &MockServer, timeout: Duration) -> FcmConfig {
    let account = ServiceAccount::parse(&key_file(&format!("{}{TOKEN_PATH}", server.uri()))).expect("the test service account");
    FcmConfig { account, project_id: "sabil-test".into(), base_url: server.uri(), timeout, credentials_file: None }
}

fn gateway(server: &MockServer, clock: Arc<ManualClock>) -> FcmPushGateway {
    FcmPushGateway::new(config(server, Duration::from_secs(5)), clock).expect("the client builds")
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(OffsetDateTime::now_utc()))
}

fn push(token: &str) -> PushMessage {
    let data = BTreeMap::from([("orderId".to_owned(), "0190c0de".to_owned())]);
    PushMessage { token: token.into(), title: "Order delivered".into(), body: "Enjoy your water".into(), data }
}

async fn serve_google(server: &MockServer, google: FakeGoogle) {
    Mock::given(method("POST")).and(path(TOKEN_PATH)).respond_with(google).mount(server).await;
}

/// FCM accepting every push sent with `token`.
async fn accept_with(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .and(header("Authorization", format!("Bearer {token}").as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"name": "projects/sabil-test/messages/0:1500415314455276%31bd1c9631bd1c96"})),
        )
        .mount(server)
        .await;
}

fn fcm_error(code: u16, status: &str, message: &str, error_code: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"error": {"code": code, "message": message, "status": status,
        "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}]}}))
}

fn token_requests(requests: &[Request]) -> usize {
    requests.iter().filter(|r| r.url.path() == TOKEN_PATH).count()
}

#[tokio::test]
async fn one_token_is_fetched_for_many_concurrent_sends_and_each_push_carries_its_content() {
    let server = MockServer::start().await;
    serve_google(&server, FakeGoogle::new(&server)).await;
    accept_with(&server, "ya29.token-1").await;
    let gateway = Arc::new(gateway(&server, clock()));

    let sends = (0..20).map(|i| {
        let gateway = gateway.clone();
        tokio::spawn(async move { gateway.send(&push(&format!("device-{i}"))).await })
    });
    for send in sends {
        let outcome = send.await.expect("the task ran").expect("FCM accepted the push");
        assert_eq!(outcome, PushOutcome::Sent { provider_id: "projects/sabil-test/messages/0:1500415314455276%31bd1c9631bd1c96".into() });
    }
    gateway.send(&push("device-late")).await.expect("sent with the cached token");

    let requests = server.received_requests().await.expect("request recording is on");
    assert_eq!(token_requests(&requests), 1, "one exchange for all 21 pushes");
    let sent: Vec<Value> =
        requests.iter().filter(|r| r.url.path() == SEND_PATH).map(|r| serde_json::from_slice(&r.body).expect("a JSON body")).collect();
    assert_eq!(sent.len(), 21);
    let late = sent.iter().find(|b| b["message"]["token"] == "device-late").expect("the late push");
    assert_eq!(
        late,
        &json!({"message": {"token": "device-late", "notification": {"title": "Order delivered", "body": "Enjoy your water"},
            "data": {"orderId": "0190c0de"}}})
    );
}

#[tokio::test]
async fn the_token_is_exchanged_again_shortly_before_it_expires() {
    let server = MockServer::start().await;
    let google = Arc::new(FakeGoogle::new(&server));
    Mock::given(method("POST")).and(path(TOKEN_PATH)).respond_with(SharedGoogle(google.clone())).mount(&server).await;
    accept_with(&server, "ya29.token-1").await;
    accept_with(&server, "ya29.token-2").await;
    let clock = clock();
    let gateway = gateway(&server, clock.clone());

    gateway.send(&push("device-a")).await.expect("sent");
    clock.advance(time::Duration::seconds(3500));
    gateway.send(&push("device-a")).await.expect("sent with the same token");
    assert_eq!(google.issued.load(Ordering::SeqCst), 1, "still fresh 100 s before expiry");
    clock.advance(time::Duration::seconds(41));
    gateway.send(&push("device-a")).await.expect("sent with a new token");

    assert_eq!(google.issued.load(Ordering::SeqCst), 2, "renewed within the last minute");
    let issued_at = google.issued_at.lock().expect("lock").clone();
    assert_eq!(issued_at[1] - issued_at[0], 3541, "the new assertion is issued at the clock's time");
    let requests = server.received_requests().await.expect("request recording is on");
    let last = requests.iter().rev().find(|r| r.url.path() == SEND_PATH).expect("a send");
    assert_eq!(last.headers.get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer ya29.token-2"));
}

/// `FakeGoogle` shared with the test, to read what it issued.
struct SharedGoogle(Arc<FakeGoogle>);

impl Respond for SharedGoogle {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}

#[tokio::test]
async fn a_refused_access_token_is_replaced_once_and_the_push_sent_again() {
    let server = MockServer::start().await;
    serve_google(&server, FakeGoogle::new(&server)).await;
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .and(header("Authorization", "Bearer ya29.token-1"))
        .respond_with(fcm_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", "UNSPECIFIED_ERROR"))
        .expect(1)
        .mount(&server)
        .await;
    accept_with(&server, "ya29.token-2").await;

    let outcome = gateway(&server, clock()).send(&push("device-a")).await.expect("sent after one new token");

    assert!(matches!(outcome, PushOutcome::Sent { .. }), "{outcome:?}");
    assert_eq!(token_requests(&server.received_requests().await.expect("recording")), 2);
}

#[tokio::test]
async fn a_fresh_token_refused_too_is_unavailable_after_one_retry() {
    let server = MockServer::start().await;
    serve_google(&server, FakeGoogle::new(&server)).await;
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(fcm_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", "UNSPECIFIED_ERROR"))
        .expect(2)
        .mount(&server)
        .await;

    let err = gateway(&server, clock()).send(&push("device-a")).await.expect_err("FCM keeps refusing");

    assert!(err.is_retryable() && err.to_string().contains("refused a fresh access token"), "{err}");
}

#[tokio::test]
async fn an_unregistered_device_is_token_invalid() {
    let server = MockServer::start().await;
    serve_google(&server, FakeGoogle::new(&server)).await;
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"))
        .expect(1)
        .mount(&server)
        .await;

    let outcome = gateway(&server, clock()).send(&push("uninstalled-app")).await.expect("an outcome");

    assert_eq!(outcome, PushOutcome::TokenInvalid { reason: "UNREGISTERED: Requested entity was not found.".into() });
}

#[tokio::test]
async fn fcm_down_is_unavailable_with_its_retry_after() {
    let server = MockServer::start().await;
    serve_google(&server, FakeGoogle::new(&server)).await;
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(
            fcm_error(503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE").insert_header("Retry-After", "30"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let err = gateway(&server, clock()).send(&push("device-a")).await.expect_err("FCM is down");

    assert!(matches!(err, GatewayError::Unavailable { retry_after: Some(d), .. } if d == Duration::from_secs(30)), "{err:?}");
}

#[tokio::test]
async fn credentials_google_refuses_are_unavailable_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(FakeGoogle::refuse("Invalid JWT Signature."))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(SEND_PATH)).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;

    let err = gateway(&server, clock()).send(&push("device-a")).await.expect_err("no token");

    assert!(err.is_retryable() && err.to_string().contains("invalid_grant: Invalid JWT Signature."), "{err}");
}

#[tokio::test]
async fn a_silent_fcm_is_unavailable_after_the_timeout() {
    let server = MockServer::start().await;
    serve_google(&server, FakeGoogle::new(&server)).await;
    Mock::given(method("POST"))
        .and(path(SEND_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "late"})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let gateway = FcmPushGateway::new(config(&server, Duration::from_millis(500)), clock()).expect("the client builds");

    let err = gateway.send(&push("device-a")).await.expect_err("too slow");

    assert!(err.is_retryable() && err.to_string().contains("did not answer within 500 ms"), "{err}");
}

#[tokio::test]
async fn neither_the_key_nor_the_access_token_shows_in_debug_output() {
    let server = MockServer::start().await;
    serve_google(&server, FakeGoogle::new(&server)).await;
    accept_with(&server, "ya29.token-1").await;
    let gateway = gateway(&server, clock());
    gateway.send(&push("device-a")).await.expect("sent");

    let shown = format!("{gateway:?}");

    assert!(shown.contains("fcm-sender@sabil-test") && shown.contains("[redacted]"), "{shown}");
    assert!(!shown.contains("PRIVATE KEY") && !shown.contains("ya29"), "{shown}");
}

#[tokio::test]
async fn credentials_select_fcm_and_their_absence_the_local_stand_in() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let db = crate::store::Db::connect(&format!("sqlite://{}", folder.path().join("sabil.db").display()), 1).await.expect("open SQLite");
    let read = |vars: &[(&str, String)]| {
        crate::config::Config::from_vars(&vars.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()).expect("valid")
    };

    let local = super::super::push_gateway(&read(&[]), &db, clock()).expect("built");
    let fcm =
        super::super::push_gateway(&read(&[("SABIL_FCM_CREDENTIALS_JSON", key_file(DEFAULT_TOKEN_URI))]), &db, clock()).expect("built");

    assert_eq!((local.name(), fcm.name()), ("local", "fcm"));
}
