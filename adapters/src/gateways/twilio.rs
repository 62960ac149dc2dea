//! The Twilio Messages API adapter: sends SMS through `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! and translates Twilio's answers into `GatewayError`s, once. Message bodies (one-time codes) and the
//! auth token never reach logs or `Debug` output.
use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use sabil_core::error::GatewayError;
use sabil_core::ports::{SmsGateway, SmsMessage};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Twilio's production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// Twilio's own error code for "Too Many Requests", which it may send with a status other than 429.
const TOO_MANY_REQUESTS_CODE: &str = "20429";

const NO_SENDER: &str = "Twilio needs a sender: configure a `from` number or a `messaging_service_sid`";

/// Where and as whom to call Twilio.
#[derive(Clone)]
pub struct TwilioConfig {
    /// The account SID (`AC…`), also the Basic-auth user name.
    pub account_sid: String,
    /// The account's auth token, the Basic-auth password.
    pub auth_token: SecretString,
    /// The sender number in E.164 form; used when no messaging service is configured.
    pub from: Option<String>,
    /// A messaging service (`MG…`); takes precedence over `from`.
    pub messaging_service_sid: Option<String>,
    /// The API host, [`DEFAULT_BASE_URL`] in production; tests point it at a local server.
    pub base_url: String,
    /// Limit for connecting and for the whole call.
    pub timeout: Duration,
}

impl fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"[redacted]")
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// [`SmsGateway`] backed by Twilio's Messages API.
#[derive(Debug)]
pub struct TwilioSms {
    client: reqwest::Client,
    config: TwilioConfig,
}

impl TwilioSms {
    /// Builds the HTTP client with the configured timeouts.
    ///
    /// # Errors
    /// `Unavailable` when neither `from` nor `messaging_service_sid` is set (Twilio would refuse every
    /// message) or when the HTTP client cannot be built; both are fixed by the operator, not by retrying.
    pub fn new(config: TwilioConfig) -> Result<Self, GatewayError> {
        if sender(&config).is_none() {
            return Err(unavailable(NO_SENDER));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // Twilio's API does not redirect; following one would only send our credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| unavailable(format!("could not build the Twilio HTTP client: {}", error_chain(&err))))?;
        Ok(Self { client, config })
    }

    fn messages_url(&self) -> String {
        format!("{}/2010-04-01/Accounts/{}/Messages.json", self.config.base_url.trim_end_matches('/'), self.config.account_sid)
    }
}

#[async_trait]
impl SmsGateway for TwilioSms {
    async fn send(&self, message: &SmsMessage) -> Result<String, GatewayError> {
        let (sender_field, sender_value) = sender(&self.config).ok_or_else(|| unavailable(NO_SENDER))?;
        // The URL holds the account SID only; the token travels in the Authorization header.
        let url = self.messages_url();
        let form = [("To", message.to.as_str()), ("Body", message.body.as_str()), (sender_field, sender_value)];
        let started = Instant::now();
        let sent = self
            .client
            .post(&url)
            .basic_auth(&self.config.account_sid, Some(self.config.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                let error = transport_error(&err, self.config.timeout);
                tracing::info!(
                    method = "POST",
                    url = %url,
                    to = %message.to.masked(),
                    duration_ms = elapsed_ms(started),
                    error = %error,
                    "twilio call failed"
                );
                return Err(error);
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response.text().await;
        tracing::info!(
            method = "POST",
            url = %url,
            to = %message.to.masked(),
            status = status.as_u16(),
            duration_ms = elapsed_ms(started),
            "twilio call"
        );
        let body = body.map_err(|err| transport_error(&err, self.config.timeout))?;
        interpret(status, retry_after, &body)
    }
}

/// The message resource Twilio returns on success; only the id matters to us.
#[derive(Deserialize)]
struct MessageResource {
    sid: String,
}

/// Twilio's error body: `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`.
#[derive(Deserialize)]
struct TwilioErrorBody {
    code: Option<serde_json::Value>,
    message: Option<String>,
}

/// Maps Twilio's answer to the port's contract.
fn interpret(status: StatusCode, retry_after: Option<Duration>, body: &str) -> Result<String, GatewayError> {
    if status.is_success() {
        return match serde_json::from_str::<MessageResource>(body) {
            Ok(resource) if !resource.sid.trim().is_empty() => Ok(resource.sid),
            Ok(_) => Err(GatewayError::Protocol(format!("Twilio answered {status} with an empty message sid"))),
            Err(err) => Err(GatewayError::Protocol(format!("Twilio answered {status} with a body that is not a message: {err}"))),
        };
    }

    let error = serde_json::from_str::<TwilioErrorBody>(body).ok();
    let twilio_code = error.as_ref().and_then(|e| e.code.as_ref()).and_then(code_text);
    let detail = error.and_then(|e| e.message).filter(|m| !m.trim().is_empty()).unwrap_or_else(|| format!("HTTP {status}"));
    let code = twilio_code.clone().unwrap_or_else(|| status.as_u16().to_string());

    if status == StatusCode::TOO_MANY_REQUESTS || twilio_code.as_deref() == Some(TOO_MANY_REQUESTS_CODE) {
        return Err(GatewayError::Unavailable { message: format!("Twilio is rate-limiting us ({code}): {detail}"), retry_after });
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        // Our credentials are wrong: an operator problem, not the recipient's, so the message must not be
        // dropped as undeliverable.
        return Err(unavailable(format!(
            "Twilio refused our credentials ({code}: {detail}); check the configured account SID and auth token"
        )));
    }
    if status.is_server_error() {
        return Err(unavailable(format!("Twilio failed ({code}): {detail}")));
    }
    if status.is_client_error() {
        return Err(GatewayError::Rejected { code, message: detail });
    }
    Err(GatewayError::Protocol(format!("Twilio answered with unexpected HTTP {status}")))
}

/// Which sender field to send: a messaging service wins over a plain number.
fn sender(config: &TwilioConfig) -> Option<(&'static str, &str)> {
    if let Some(sid) = non_empty(config.messaging_service_sid.as_deref()) {
        return Some(("MessagingServiceSid", sid));
    }
    non_empty(config.from.as_deref()).map(|from| ("From", from))
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn code_text(code: &serde_json::Value) -> Option<String> {
    match code {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// `Retry-After` in seconds; the HTTP-date form is ignored (Twilio sends seconds).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds))
}

fn transport_error(err: &reqwest::Error, timeout: Duration) -> GatewayError {
    let message = if err.is_timeout() {
        format!("Twilio did not answer within {} ms", timeout.as_millis())
    } else if err.is_connect() {
        format!("could not connect to Twilio: {}", error_chain(err))
    } else {
        format!("the call to Twilio failed: {}", error_chain(err))
    };
    unavailable(message)
}

fn unavailable(message: impl Into<String>) -> GatewayError {
    GatewayError::Unavailable { message: message.into(), retry_after: None }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
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
}
