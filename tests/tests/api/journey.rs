//! A customer's whole account life over HTTP.
use poem::http::StatusCode;
use serde_json::json;

use crate::harness::{PASSWORD, api_test, token};

api_test!(register_verify_use_refresh_and_sign_out, |t| {
    let phone = "+96550001234";
    let registered = t
        .post(
            "/api/auth/register",
            json!({"phone": phone, "fullName": "Fatima Al-Sabah", "password": PASSWORD, "language": "en",
                   "location": {"latitude": 29.3759, "longitude": 47.9774, "accuracyMeters": 12.5}}),
        )
        .await;
    assert_eq!(registered.status, StatusCode::ACCEPTED);
    assert_eq!(registered.body, json!({"status": "code_sent", "codeExpiresInSeconds": 600, "resendAfterSeconds": 60}));

    // Unverified: the right password is told to verify, nothing else.
    let early = t.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await;
    assert_eq!(early.assert_error(403, "forbidden"), "auth.phone_not_verified");

    let code = t.last_code(phone).await;
    let verified = t.post("/api/auth/verify-phone", json!({"phone": phone, "code": code, "password": PASSWORD})).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["tokenType"], "Bearer");
    assert_eq!(verified.body["expiresIn"], 900);
    assert_eq!(verified.body["role"], "customer");
    let access = token(&verified.body, "accessToken");

    let me = t.get_as("/api/users/me", &access).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["phone"], phone);
    assert_eq!(me.body["status"], "active");
    assert_eq!(me.body["language"], "en");
    assert_eq!(me.body["location"], json!({"latitude": 29.3759, "longitude": 47.9774, "accuracyMeters": 12.5}));

    let patched = t
        .raw(
            "PATCH",
            "/api/users/me",
            Some("application/json"),
            Some(json!({"fullName": "Fatima S.", "language": "ar"}).to_string()),
            Some(&access),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!((patched.body["fullName"].as_str(), patched.body["language"].as_str()), (Some("Fatima S."), Some("ar")));

    let login = t.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await;
    assert_eq!(login.status, StatusCode::OK);
    let refresh = token(&login.body, "refreshToken");
    let rotated = t.post("/api/auth/refresh", json!({"refreshToken": refresh})).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let newest = token(&rotated.body, "refreshToken");
    assert_ne!(newest, refresh);

    let logout = t.post("/api/auth/logout", json!({"refreshToken": newest})).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.post("/api/auth/logout", json!({"refreshToken": newest})).await.status,
        StatusCode::NO_CONTENT,
        "logout repeats harmlessly"
    );
    let after = t.post("/api/auth/refresh", json!({"refreshToken": newest})).await;
    assert_eq!(after.assert_error(401, "auth"), "auth.refresh_token_invalid");

    let kinds = t.audit().await;
    for expected in
        ["login_succeeded|POST /api/auth/verify-phone", "token_refreshed|POST /api/auth/refresh", "token_revoked|POST /api/auth/logout"]
    {
        assert!(kinds.iter().any(|k| k.starts_with(expected)), "missing {expected} in {kinds:?}");
    }
});

api_test!(password_reset_by_sms_code_signs_out_everywhere, |t| {
    let phone = "+96550002222";
    let session = t.customer(phone).await;
    assert_eq!(t.post("/api/auth/password/forgot", json!({"phone": phone})).await.status, StatusCode::ACCEPTED);
    // Unknown phones get the same answer.
    let unknown = t.post("/api/auth/password/forgot", json!({"phone": "+96559999999"})).await;
    assert_eq!((unknown.status, unknown.body["status"].as_str()), (StatusCode::ACCEPTED, Some("code_sent")));
    let code = t.last_code(phone).await;

    let weak = t.post("/api/auth/password/reset", json!({"phone": phone, "code": code, "newPassword": "12345678"})).await;
    assert_eq!(weak.assert_error(422, "validation"), "request.invalid_fields");
    assert_eq!(weak.fields(), vec!["newPassword"]);

    let reset = t.post("/api/auth/password/reset", json!({"phone": phone, "code": code, "newPassword": "a-brand-new-secret"})).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.body);
    let old = t.post("/api/auth/refresh", json!({"refreshToken": token(&session, "refreshToken")})).await;
    assert_eq!(old.assert_error(401, "auth"), "auth.refresh_token_invalid");
    assert_eq!(t.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(t.post("/api/auth/login", json!({"phone": phone, "password": "a-brand-new-secret"})).await.status, StatusCode::OK);
});

api_test!(deleting_the_account_erases_it_and_frees_the_phone, |t| {
    let phone = "+96550003333";
    let session = t.customer(phone).await;
    let access = token(&session, "accessToken");
    let deleted = t.raw("DELETE", "/api/users/me", None, None, Some(&access)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(t.get_as("/api/users/me", &access).await.assert_error(404, "not_found"), "user.not_found");
    assert_eq!(t.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await.status, StatusCode::UNAUTHORIZED);
    let again = t.post("/api/auth/refresh", json!({"refreshToken": token(&session, "refreshToken")})).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    t.customer(phone).await;
});

api_test!(registering_a_known_phone_answers_like_a_new_one, |t| {
    let phone = "+96550004444";
    t.customer(phone).await;
    let again = t.post("/api/auth/register", json!({"phone": phone, "fullName": "Someone Else", "password": "another-password-1"})).await;
    let fresh =
        t.post("/api/auth/register", json!({"phone": "+96550004445", "fullName": "Someone Else", "password": "another-password-1"})).await;
    assert_eq!((again.status, &again.body), (fresh.status, &fresh.body));
    assert_eq!(t.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await.status, StatusCode::OK, "password unchanged");
});

api_test!(repeated_wrong_passwords_are_throttled_with_retry_after, |t| {
    let phone = "+96550005555";
    t.customer(phone).await;
    for _ in 0..5 {
        let wrong = t.post("/api/auth/login", json!({"phone": phone, "password": "not-the-password"})).await;
        assert_eq!(wrong.assert_error(401, "auth"), "auth.invalid_credentials");
    }
    let throttled = t.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await;
    assert_eq!(throttled.assert_error(429, "rate_limited"), "auth.too_many_attempts");
    let retry_after: u64 =
        throttled.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    // An unknown phone answers exactly like a wrong password.
    let unknown = t.post("/api/auth/login", json!({"phone": "+96550005556", "password": "not-the-password"})).await;
    assert_eq!(unknown.body, t.post("/api/auth/login", json!({"phone": "+96550001111", "password": "x"})).await.body);
});

api_test!(resending_too_soon_answers_as_usual_but_texts_nothing, |t| {
    let phone = "+96550006666";
    t.post("/api/auth/register", json!({"phone": phone, "fullName": "Ali", "password": PASSWORD})).await;
    let first = t.last_code(phone).await;
    // A refusal would tell a stranger that the phone has an account; the answer's resendAfterSeconds
    // tells the app how long to wait.
    let soon = t.post("/api/auth/resend-code", json!({"phone": phone})).await;
    assert_eq!((soon.status, soon.body["resendAfterSeconds"].as_u64()), (StatusCode::ACCEPTED, Some(60)));
    assert_eq!(t.last_code(phone).await, first, "no second code was texted");
});
