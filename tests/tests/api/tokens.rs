//! Access-token checks: forged, unsigned, expired and mis-roled tokens; refresh-token reuse.
use poem::http::StatusCode;
use sabil_adapters::security::JwtAccessTokens;
use sabil_core::domain::{AccessClaims, Role, Subject, UserId};
use sabil_core::ports::AccessTokens;
use serde_json::json;
use time::OffsetDateTime;

use crate::harness::{JWT_SECRET, api_test, token};

fn secret(s: &str) -> secrecy::SecretString {
    secrecy::SecretString::from(s.to_owned())
}

fn claims(expires_in: time::Duration, role: Role) -> AccessClaims {
    let now = OffsetDateTime::now_utc();
    AccessClaims {
        subject: Subject::User(UserId(uuid::Uuid::now_v7())),
        role,
        issued_at: now - time::Duration::hours(1),
        expires_at: now + expires_in,
    }
}

api_test!(a_missing_token_gets_401_in_the_error_shape_and_is_audited, |t| {
    let a = t.raw("GET", "/api/users/me", None, None, None).await;
    assert_eq!(a.assert_error(401, "auth"), "auth.missing_token");
    assert!(t.audit().await.iter().any(|e| e.starts_with("access_denied|GET /api/users/me|auth.missing_token")));
});

api_test!(tokens_signed_with_another_key_are_refused, |t| {
    let forged =
        JwtAccessTokens::new(&secret("another-key-0123456789abcdef0123456789")).issue(&claims(time::Duration::minutes(10), Role::Admin));
    assert_eq!(t.get_as("/api/users/me", &forged).await.assert_error(401, "auth"), "auth.token_invalid");
    assert_eq!(t.get_as("/api/admin/users", &forged).await.assert_error(401, "auth"), "auth.token_invalid");
});

api_test!(unsigned_alg_none_tokens_are_refused, |t| {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let genuine = JwtAccessTokens::new(&secret(JWT_SECRET)).issue(&claims(time::Duration::minutes(10), Role::Admin));
    let payload = genuine.split('.').nth(1).expect("payload");
    let none = format!("{}.{payload}.", b64.encode(br#"{"alg":"none","typ":"JWT"}"#));
    assert_eq!(t.get_as("/api/admin/users", &none).await.assert_error(401, "auth"), "auth.token_invalid");
    assert_eq!(t.get_as("/api/admin/users", "garbage").await.assert_error(401, "auth"), "auth.token_invalid");
});

api_test!(expired_tokens_are_refused_with_a_hint_to_refresh, |t| {
    let expired = JwtAccessTokens::new(&secret(JWT_SECRET)).issue(&claims(-time::Duration::minutes(1), Role::Customer));
    let a = t.get_as("/api/users/me", &expired).await;
    assert_eq!(a.assert_error(401, "auth"), "auth.token_expired");
    assert!(a.body["error"]["hint"].as_str().is_some_and(|h| h.contains("/api/auth/refresh")));
});

api_test!(a_customer_token_on_an_admin_route_is_forbidden_and_audited, |t| {
    let session = t.customer("+96550007001").await;
    let a = t.get_as("/api/admin/users", &token(&session, "accessToken")).await;
    assert_eq!(a.assert_error(403, "forbidden"), "auth.role_forbidden");
    let audit = t.audit().await;
    assert!(audit.iter().any(|e| e.starts_with("access_denied|GET /api/admin/users|auth.role_forbidden")), "{audit:?}");
    let subject = t.app.ports.audit.recent(1).await.expect("audit")[0].subject.clone();
    assert!(subject.is_some_and(|s| s.starts_with("user:")), "the denied subject is recorded");
});

api_test!(a_refresh_token_used_twice_revokes_its_whole_family, |t| {
    let session = t.customer("+96550007002").await;
    let first = token(&session, "refreshToken");
    let second = t.post("/api/auth/refresh", json!({"refreshToken": first})).await;
    assert_eq!(second.status, StatusCode::OK);
    let reuse = t.post("/api/auth/refresh", json!({"refreshToken": first})).await;
    assert_eq!(reuse.assert_error(401, "auth"), "auth.refresh_token_reused");
    let newest = t.post("/api/auth/refresh", json!({"refreshToken": token(&second.body, "refreshToken")})).await;
    assert_eq!(newest.assert_error(401, "auth"), "auth.refresh_token_invalid", "the thief's or owner's newer token died too");
    assert!(t.audit().await.iter().any(|e| e.starts_with("refresh_token_reused|")));
});

api_test!(sap_clients_sign_in_with_their_secret_and_get_the_sap_role, |t| {
    let created = t.app.accounts.create_sap_client("SAP test").await.expect("created");
    let login = t.post("/api/auth/sap/login", json!({"clientId": created.client.client_id, "clientSecret": created.secret})).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["role"], "sap");
    assert!(login.body.get("refreshToken").is_none());
    let me = t.get_as("/api/users/me", &token(&login.body, "accessToken")).await;
    assert_eq!(me.assert_error(403, "forbidden"), "auth.role_forbidden");
    let wrong = t.post("/api/auth/sap/login", json!({"clientId": created.client.client_id, "clientSecret": "nope"})).await;
    assert_eq!(wrong.assert_error(401, "auth"), "auth.invalid_credentials");
});
