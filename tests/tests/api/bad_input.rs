//! Bad input on every route gets a 4xx in the one error shape, never a 500, and stores nothing.
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp, api_test, token};

/// Every JSON route with a valid body for it.
fn routes() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("POST", "/api/auth/register", json!({"phone": "+96550008001", "fullName": "Ali", "password": PASSWORD})),
        ("POST", "/api/auth/verify-phone", json!({"phone": "+96550008001", "code": "123456", "password": PASSWORD})),
        ("POST", "/api/auth/resend-code", json!({"phone": "+96550008001"})),
        ("POST", "/api/auth/login", json!({"phone": "+96550008001", "password": PASSWORD})),
        ("POST", "/api/auth/refresh", json!({"refreshToken": "abc"})),
        ("POST", "/api/auth/logout", json!({"refreshToken": "abc"})),
        ("POST", "/api/auth/password/forgot", json!({"phone": "+96550008001"})),
        ("POST", "/api/auth/password/reset", json!({"phone": "+96550008001", "code": "123456", "newPassword": "a-new-password"})),
        ("POST", "/api/auth/sap/login", json!({"clientId": "sap-x", "clientSecret": "y"})),
        ("PATCH", "/api/users/me", json!({"fullName": "Ali"})),
        ("POST", "/api/cart/items", json!({"productId": "0190e0d8-0000-7000-8000-000000000001", "quantity": 1})),
    ]
}

async fn send(
    t: &TestApp,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Option<String>,
    token: &str,
) -> crate::harness::Answer {
    t.raw(method, path, content_type, body, Some(token)).await
}

async fn user_count(t: &TestApp) -> usize {
    let page = sabil_core::domain::PageRequest { limit: 100, cursor: None };
    t.app.ports.users.list(&sabil_core::ports::UserQuery { search: None, role: None, page }).await.expect("list").items.len()
}

api_test!(malformed_mistyped_and_unknown_input_names_the_problem_on_every_route, |t| {
    let session = t.customer("+96550008000").await;
    let access = token(&session, "accessToken");
    let users_before = user_count(&t).await;
    for (method, path, valid) in routes() {
        let json_ct = Some("application/json");
        let malformed = send(&t, method, path, json_ct, Some("{,".to_owned()), &access).await;
        assert_eq!(malformed.assert_error(400, "schema"), "request.malformed_json", "{method} {path}");

        let mut unknown = valid.clone();
        unknown["isAdmin"] = json!(true);
        let a = send(&t, method, path, json_ct, Some(unknown.to_string()), &access).await;
        assert_eq!(a.assert_error(400, "schema"), "request.invalid_json", "{method} {path}");
        assert_eq!(a.fields(), vec!["isAdmin"], "{method} {path}");

        let (field, _) = valid.as_object().expect("object").iter().next().expect("a field");
        let mut mistyped = valid.clone();
        mistyped[field] = json!(12345);
        let a = send(&t, method, path, json_ct, Some(mistyped.to_string()), &access).await;
        assert_eq!(a.assert_error(400, "schema"), "request.invalid_json", "{method} {path}");
        assert_eq!(a.fields(), vec![field.clone()], "{method} {path}");

        let mut null = valid.clone();
        null[field] = Value::Null;
        let a = send(&t, method, path, json_ct, Some(null.to_string()), &access).await;
        // In a PATCH every field is optional and null leaves it as it is; elsewhere null is refused.
        let null_allowed = method == "PATCH";
        assert_eq!(a.status.is_client_error(), !null_allowed, "{method} {path} with null {field}: {}", a.status);

        let a = send(&t, method, path, json_ct, None, &access).await;
        assert_eq!(a.assert_error(400, "schema"), "request.missing_body", "{method} {path}");

        let a = send(&t, method, path, Some("text/plain"), Some(valid.to_string()), &access).await;
        assert_eq!(a.assert_error(415, "unsupported_media_type"), "request.content_type", "{method} {path}");

        let a = send(&t, method, path, None, Some(valid.to_string()), &access).await;
        assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{method} {path} without content type");

        let huge = format!("{{\"phone\": \"{}\"}}", "9".repeat(2 * 1024 * 1024));
        let a = send(&t, method, path, json_ct, Some(huge), &access).await;
        assert_eq!(a.assert_error(413, "payload_too_large"), "request.too_large", "{method} {path}");

        let a = send(&t, method, path, json_ct, Some("[1, 2, 3]".to_owned()), &access).await;
        assert_eq!(a.assert_error(400, "schema"), "request.invalid_json", "{method} {path} with an array");
    }
    assert_eq!(user_count(&t).await, users_before, "no bad request stored an account");
});

api_test!(invalid_values_are_rejected_field_by_field_and_nothing_is_stored, |t| {
    let cases = [
        (json!({"phone": "96550008100", "fullName": "Ali", "password": PASSWORD}), vec!["phone"]),
        (json!({"phone": "+965 5000 8100", "fullName": "Ali", "password": PASSWORD}), vec!["phone"]),
        (json!({"phone": "'; DROP TABLE users; --", "fullName": "Ali", "password": PASSWORD}), vec!["phone"]),
        (json!({"phone": "", "fullName": "", "password": ""}), vec!["phone", "fullName", "password"]),
        (json!({"phone": "+96550008100", "fullName": "x".repeat(10_000), "password": PASSWORD}), vec!["fullName"]),
        (json!({"phone": "+96550008100", "fullName": "Ali", "password": "password1"}), vec!["password"]),
        (
            json!({"phone": "+96550008100", "fullName": "Ali", "password": PASSWORD, "location": {"latitude": 123.0, "longitude": 0.0}}),
            vec!["location.latitude"],
        ),
    ];
    for (body, fields) in cases {
        let a = t.post("/api/auth/register", body.clone()).await;
        assert_eq!(a.assert_error(422, "validation"), "request.invalid_fields", "{body}");
        assert_eq!(a.fields(), fields, "{body}");
        assert!(a.body["error"]["hint"].as_str().is_some_and(|h| !h.is_empty()));
    }
    let sqlish = t
        .post("/api/auth/register", json!({"phone": "+96550008101", "fullName": "Robert'); DROP TABLE users;--", "password": PASSWORD}))
        .await;
    assert_eq!(sqlish.status, StatusCode::ACCEPTED, "names are data, not SQL");
    assert_eq!(user_count(&t).await, 1, "only the valid registration was stored");
    let login = t.post("/api/auth/login", json!({"phone": "' OR '1'='1", "password": "' OR '1'='1"})).await;
    assert_eq!(login.assert_error(422, "validation"), "request.invalid_fields");
    let code = t.post("/api/auth/verify-phone", json!({"phone": "+96550008101", "code": "12a456", "password": PASSWORD})).await;
    assert_eq!(code.fields(), vec!["code"]);
});

api_test!(query_and_path_parameters_are_checked, |t| {
    let admin = t.admin("+96550008200").await;
    let a = t.get_as("/api/admin/users?limit=0", &admin).await;
    assert_eq!(a.assert_error(422, "validation"), "request.invalid_fields");
    assert_eq!(a.fields(), vec!["limit"]);
    let a = t.get_as("/api/admin/users?limit=abc", &admin).await;
    assert_eq!(a.assert_error(400, "schema"), "request.invalid_parameter");
    assert_eq!(a.fields(), vec!["limit"]);
    let a = t.get_as("/api/admin/users?cursor=not-a-cursor", &admin).await;
    assert_eq!(a.fields(), vec!["cursor"]);
    let a = t.post_as("/api/admin/users/not-a-uuid/block", json!({}), &admin).await;
    assert!(a.status.is_client_error() && a.body["error"]["type"] == "schema", "{} {}", a.status, a.body);
    let a = t.post_as(&format!("/api/admin/users/{}/block", uuid::Uuid::now_v7()), json!({}), &admin).await;
    assert_eq!(a.assert_error(404, "not_found"), "user.not_found");
});
