//! FCM HTTP v1's JSON: the send request, and its answers (and the token endpoint's) mapped to the port's
//! contract, once. Error bodies look like `{"error": {"code": 404, "message": "...", "status": "NOT_FOUND",
//! "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"},
//! {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.token"}]}]}}`.
use std::time::Duration;

use reqwest::StatusCode;
use sabil_core::error::GatewayError;
use sabil_core::ports::{PushMessage, PushOutcome};
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::unavailable;

/// The lifetime assumed when the token endpoint states none (Google's tokens live one hour).
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The body of `messages:send`; `data` is left out when empty.
pub(super) fn send_body(message: &PushMessage) -> Value {
    let mut inner = json!({
        "token": message.token,
        "notification": { "title": message.title, "body": message.body },
    });
    if !message.data.is_empty() {
        inner["data"] = json!(message.data);
    }
    json!({ "message": inner })
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
}

/// The access token and its lifetime from a 200 answer of the token endpoint.
pub(super) fn read_token(body: &str) -> Result<(String, Duration), GatewayError> {
    let answer: TokenAnswer = serde_json::from_str(body)
        .map_err(|e| GatewayError::Protocol(format!("Google's token endpoint answered with a body that is not a token: {e}")))?;
    let token = answer.access_token.trim();
    if token.is_empty() {
        return Err(GatewayError::Protocol("Google's token endpoint answered with an empty access_token".into()));
    }
    let lifetime =
        answer.expires_in.filter(|s| s.is_finite() && *s >= 0.0).map_or(DEFAULT_TOKEN_LIFETIME, |s| Duration::from_secs_f64(s.min(1e9)));
    Ok((token.to_owned(), lifetime))
}

/// A refused token exchange: our service account is at fault (an operator problem, never the push's),
/// or Google is down or throttling.
pub(super) fn token_refused(status: StatusCode, retry_after: Option<Duration>, body: &str) -> GatewayError {
    // OAuth errors: {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let field = |name: &str| parsed.as_ref().and_then(|v| v.get(name)).and_then(Value::as_str).map(str::to_owned);
    let detail = match (field("error"), field("error_description")) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e,
        _ => format!("HTTP {status}"),
    };
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return GatewayError::Unavailable { message: format!("Google's token endpoint failed ({status}): {detail}"), retry_after };
    }
    if status.is_client_error() {
        return unavailable(format!(
            "Google refused our service-account credentials ({detail}); check SABIL_FCM_CREDENTIALS_FILE or SABIL_FCM_CREDENTIALS_JSON"
        ));
    }
    GatewayError::Protocol(format!("Google's token endpoint answered with unexpected HTTP {status}"))
}

/// What an FCM error body says.
#[derive(Debug, Default)]
pub(super) struct FcmError {
    /// `error.details[].errorCode` of the `FcmError` detail (`UNREGISTERED`, `INVALID_ARGUMENT`, ...).
    pub error_code: Option<String>,
    /// `error.status` (`NOT_FOUND`, `INVALID_ARGUMENT`, ...).
    pub status: Option<String>,
    /// `error.message`.
    pub message: Option<String>,
    /// Whether a `BadRequest` field violation names `message.token`.
    pub about_token: bool,
}

impl FcmError {
    pub(super) fn parse(body: &str) -> Self {
        let Some(error) = serde_json::from_str::<Value>(body).ok().and_then(|v| v.get("error").cloned()) else {
            return Self::default();
        };
        let text = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
        let details = error.get("details").and_then(Value::as_array).cloned().unwrap_or_default();
        let error_code = details.iter().find_map(|d| text(d, "errorCode"));
        let about_token = details
            .iter()
            .filter_map(|d| d.get("fieldViolations").and_then(Value::as_array))
            .flatten()
            .any(|violation| violation.get("field").and_then(Value::as_str) == Some("message.token"));
        Self { error_code, status: text(&error, "status"), message: text(&error, "message"), about_token }
    }

    /// The most specific code: FCM's own, else the RPC status, else the HTTP status.
    fn code(&self, http: StatusCode) -> String {
        self.error_code.clone().or_else(|| self.status.clone()).unwrap_or_else(|| http.as_u16().to_string())
    }

    fn detail(&self, http: StatusCode) -> String {
        self.message.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| format!("HTTP {http}"))
    }

    /// Whether FCM says the token itself is dead or malformed (the device must be forgotten).
    fn token_is_invalid(&self, http: StatusCode) -> bool {
        if self.error_code.as_deref() == Some("UNREGISTERED") {
            return true;
        }
        let invalid_argument = http == StatusCode::BAD_REQUEST
            && (self.error_code.as_deref() == Some("INVALID_ARGUMENT") || self.status.as_deref() == Some("INVALID_ARGUMENT"));
        invalid_argument && (self.about_token || self.message.as_deref().is_some_and(|m| m.to_lowercase().contains("registration token")))
    }
}

/// Maps FCM's answer (other than a 401 about our access token, which the caller retries) to the port's contract.
pub(super) fn interpret(status: StatusCode, retry_after: Option<Duration>, body: &str) -> Result<PushOutcome, GatewayError> {
    if status.is_success() {
        let name = serde_json::from_str::<Value>(body)
            .map_err(|e| GatewayError::Protocol(format!("FCM answered {status} with a body that is not a message: {e}")))?
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| GatewayError::Protocol(format!("FCM answered {status} without a message name")))?;
        return Ok(PushOutcome::Sent { provider_id: name });
    }
    let error = FcmError::parse(body);
    let (code, detail) = (error.code(status), error.detail(status));
    if error.token_is_invalid(status) {
        return Ok(PushOutcome::TokenInvalid { reason: format!("{code}: {detail}") });
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(GatewayError::Unavailable { message: format!("FCM is throttling us ({code}): {detail}"), retry_after });
    }
    if status.is_server_error() {
        return Err(GatewayError::Unavailable { message: format!("FCM failed ({code}): {detail}"), retry_after });
    }
    if status == StatusCode::FORBIDDEN && error.error_code.as_deref() != Some("SENDER_ID_MISMATCH") {
        // Our project or account lacks a permission (the API is off, a role is missing): an operator
        // problem, so the push is kept for later instead of being dropped as undeliverable.
        return Err(unavailable(format!("FCM refused our service account ({code}): {detail}")));
    }
    if status.is_client_error() {
        return Err(GatewayError::Rejected { code, message: detail });
    }
    Err(GatewayError::Protocol(format!("FCM answered with unexpected HTTP {status}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use std::collections::BTreeMap;

    use super::*;

    fn fcm_error(code: u16, status: &str, message: &str, details: &Value) -> String {
        json!({"error": {"code": code, "message": message, "status": status, "details": details}}).to_string()
    }

    fn fcm_code(code: &str) -> Value {
        json!({"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code})
    }

    #[test]
    fn the_send_body_has_the_token_notification_and_data() {
        let mut message = PushMessage { token: "tok".into(), title: "T".into(), body: "B".into(), data: BTreeMap::new() };
        assert_eq!(send_body(&message), json!({"message": {"token": "tok", "notification": {"title": "T", "body": "B"}}}));
        message.data.insert("orderId".into(), "42".into());
        assert_eq!(send_body(&message)["message"]["data"], json!({"orderId": "42"}));
    }

    #[test]
    fn a_message_name_is_a_sent_push_and_anything_else_a_protocol_error() {
        let sent = interpret(StatusCode::OK, None, r#"{"name": "projects/p/messages/1"}"#).expect("sent");
        assert_eq!(sent, PushOutcome::Sent { provider_id: "projects/p/messages/1".into() });
        for body in ["", "<html>", "{}", r#"{"name": ""}"#] {
            let err = interpret(StatusCode::OK, None, body).expect_err(body);
            assert!(matches!(err, GatewayError::Protocol(_)), "{body}: {err:?}");
        }
    }

    #[test]
    fn unregistered_and_invalid_tokens_are_token_invalid() {
        let unregistered = fcm_error(404, "NOT_FOUND", "Requested entity was not found.", &json!([fcm_code("UNREGISTERED")]));
        let bad_request = json!({"@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}]});
        let malformed = fcm_error(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            &json!([fcm_code("INVALID_ARGUMENT"), bad_request]),
        );
        let worded = fcm_error(400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", &json!([]));
        for (status, body) in [(404, unregistered), (400, malformed), (400, worded)] {
            let outcome = interpret(StatusCode::from_u16(status).expect("status"), None, &body).expect("an outcome");
            assert!(matches!(outcome, PushOutcome::TokenInvalid { .. }), "{body}: {outcome:?}");
        }
    }

    #[test]
    fn other_invalid_arguments_are_rejected_and_keep_the_token() {
        let too_big = fcm_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", &json!([fcm_code("INVALID_ARGUMENT")]));
        let mismatch = fcm_error(403, "PERMISSION_DENIED", "SenderId mismatch", &json!([fcm_code("SENDER_ID_MISMATCH")]));
        for (status, body, code) in [(400, too_big, "INVALID_ARGUMENT"), (403, mismatch, "SENDER_ID_MISMATCH")] {
            let err = interpret(StatusCode::from_u16(status).expect("status"), None, &body).expect_err("refused");
            assert!(matches!(&err, GatewayError::Rejected { code: c, .. } if c == code), "{err:?}");
        }
    }

    #[test]
    fn a_permission_problem_of_our_project_is_unavailable_not_rejected() {
        let disabled = fcm_error(403, "PERMISSION_DENIED", "Firebase Cloud Messaging API has not been used in project 1", &json!([]));
        let err = interpret(StatusCode::FORBIDDEN, None, &disabled).expect_err("refused");
        assert!(err.is_retryable() && err.to_string().contains("has not been used"), "{err:?}");
    }

    #[test]
    fn throttling_and_server_errors_are_unavailable_with_the_retry_hint() {
        let quota = fcm_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", &json!([fcm_code("QUOTA_EXCEEDED")]));
        for (status, body) in [(429, quota.as_str()), (503, "<html>down</html>"), (500, "")] {
            let err = interpret(StatusCode::from_u16(status).expect("status"), Some(Duration::from_secs(7)), body).expect_err("down");
            assert!(
                matches!(err, GatewayError::Unavailable { retry_after: Some(d), .. } if d == Duration::from_secs(7)),
                "{status}: {err:?}"
            );
        }
    }

    #[test]
    fn a_token_answer_without_a_lifetime_is_kept_an_hour() {
        assert_eq!(
            read_token(r#"{"access_token": "ya29.x", "token_type": "Bearer"}"#).expect("token"),
            ("ya29.x".into(), DEFAULT_TOKEN_LIFETIME)
        );
        assert_eq!(read_token(r#"{"access_token": "ya29.x", "expires_in": 120}"#).expect("token").1, Duration::from_secs(120));
        for body in ["", "{}", r#"{"access_token": " "}"#] {
            assert!(matches!(read_token(body), Err(GatewayError::Protocol(_))), "{body}");
        }
    }

    #[test]
    fn a_refused_exchange_blames_our_credentials_and_never_the_push() {
        let err =
            token_refused(StatusCode::BAD_REQUEST, None, r#"{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}"#);
        assert!(err.is_retryable() && err.to_string().contains("invalid_grant: Invalid JWT Signature."), "{err}");
        let down = token_refused(StatusCode::SERVICE_UNAVAILABLE, Some(Duration::from_secs(3)), "");
        assert!(matches!(down, GatewayError::Unavailable { retry_after: Some(d), .. } if d == Duration::from_secs(3)));
    }
}
