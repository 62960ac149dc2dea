//! Sign-in with phone and password and its throttling, and SAP machine-client sign-in.
use std::time::Duration;

use sabil_core::domain::{Password, Role, Subject};
use sabil_core::services::AccountError;

use super::{OTHER_PHONE, PASSWORD, PHONE, meta, phone, world};

#[tokio::test]
async fn signing_in_before_verifying_says_not_verified_only_to_the_right_password() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");

    assert_eq!(w.login(PHONE, PASSWORD).await.expect_err("unverified"), AccountError::PhoneNotVerified);
    assert_eq!(w.login(PHONE, "not-the-password").await.expect_err("wrong password"), AccountError::InvalidCredentials);
}

#[tokio::test]
async fn an_unknown_phone_and_a_wrong_password_get_the_same_answer() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;

    let unknown = w.login(OTHER_PHONE, PASSWORD).await.expect_err("unknown phone");
    let wrong = w.login(PHONE, "not-the-password").await.expect_err("wrong password");

    assert_eq!(unknown, AccountError::InvalidCredentials);
    assert_eq!(unknown, wrong);
    assert_eq!(unknown.to_string(), wrong.to_string());
}

#[tokio::test]
async fn five_failures_lock_the_phone_out_even_with_the_right_password_until_the_window_passes() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    for _ in 0..5 {
        assert_eq!(w.login(PHONE, "not-the-password").await.expect_err("wrong"), AccountError::InvalidCredentials);
    }

    let locked = w.login(PHONE, PASSWORD).await;

    let Err(AccountError::TooManyAttempts { retry_after }) = locked else { panic!("expected TooManyAttempts, got {locked:?}") };
    assert!(retry_after > Duration::ZERO && retry_after <= Duration::from_secs(15 * 60), "{retry_after:?}");
    w.advance(time::Duration::minutes(14));
    assert!(matches!(w.login(PHONE, PASSWORD).await, Err(AccountError::TooManyAttempts { .. })));
    w.advance(time::Duration::minutes(1));
    w.login(PHONE, PASSWORD).await.expect("the window has passed");
}

#[tokio::test]
async fn the_lock_out_of_one_phone_does_not_lock_out_another() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    w.active_customer(OTHER_PHONE, PASSWORD).await;
    for _ in 0..5 {
        let _ = w.login(PHONE, "not-the-password").await;
    }

    w.login(OTHER_PHONE, PASSWORD).await.expect("another phone signs in");
}

#[tokio::test]
async fn a_successful_sign_in_resets_the_failure_count() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    for _ in 0..4 {
        let _ = w.login(PHONE, "not-the-password").await;
    }
    w.login(PHONE, PASSWORD).await.expect("fifth attempt right");
    for _ in 0..4 {
        let _ = w.login(PHONE, "not-the-password").await;
    }

    w.login(PHONE, PASSWORD).await.expect("only four failures since the last success");
}

#[tokio::test]
async fn a_sap_client_signs_in_with_its_secret_and_not_without() {
    let w = world();
    let created = w.accounts.create_sap_client("SAP S/4HANA production").await.expect("created");

    let pair = w.accounts.sap_login(&created.client.client_id, &created.secret, &meta()).await.expect("signed in");

    assert_eq!(pair.role, Role::Sap);
    assert_eq!(pair.subject, Subject::SapClient(created.client.id));
    assert_eq!(pair.refresh_token, None);
    let claims = w.accounts.authenticate(&pair.access_token).expect("valid token");
    assert_eq!(claims.role, Role::Sap);
    let wrong_secret = w.accounts.sap_login(&created.client.client_id, "not-the-secret", &meta()).await;
    assert_eq!(wrong_secret.expect_err("wrong secret"), AccountError::InvalidCredentials);
    let unknown_client = w.accounts.sap_login("sap-unknown", &created.secret, &meta()).await;
    assert_eq!(unknown_client.expect_err("unknown client"), AccountError::InvalidCredentials);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_cannot_exceed_the_phone_limit() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let accounts = w.accounts.clone();
        tasks.spawn(async move { accounts.login(&phone(PHONE), &Password::presented("not-the-password"), &meta()).await });
    }
    let answers = tasks.join_all().await;
    let compared = answers.iter().filter(|a| matches!(a, Err(AccountError::InvalidCredentials))).count();
    assert_eq!(compared, 5, "only five guesses are ever compared: {answers:?}");
    assert!(answers.iter().all(|a| matches!(a, Err(AccountError::InvalidCredentials | AccountError::TooManyAttempts { .. }))));
}

#[tokio::test]
async fn a_revoked_sap_client_can_no_longer_sign_in_and_stays_listed() {
    let w = world();
    let created = w.accounts.create_sap_client("SAP production").await.expect("created");
    let other = w.accounts.create_sap_client("SAP test").await.expect("created");

    let revoked = w.accounts.revoke_sap_client(&created.client.client_id, "operator ops", &meta()).await.expect("revoked");

    assert!(revoked.disabled);
    let refused = w.accounts.sap_login(&created.client.client_id, &created.secret, &meta()).await;
    assert_eq!(refused.expect_err("revoked"), AccountError::InvalidCredentials);
    w.accounts.sap_login(&other.client.client_id, &other.secret, &meta()).await.expect("the other client still signs in");
    let listed: Vec<(String, bool)> =
        w.accounts.sap_clients().await.expect("list").into_iter().map(|c| (c.client_id, c.disabled)).collect();
    assert_eq!(listed, [(created.client.client_id.clone(), true), (other.client.client_id.clone(), false)]);
    let trail = w.audit_trail().await;
    let audited = trail.iter().find(|e| e.kind == sabil_core::domain::AuditKind::SapClientRevoked).expect("revocation audited");
    assert_eq!(audited.subject.as_deref(), Some(format!("sap-client:{}", created.client.client_id).as_str()));
    assert!(audited.reason.contains("operator ops"), "{}", audited.reason);
    assert_eq!(
        w.accounts.revoke_sap_client("sap-unknown", "operator ops", &meta()).await.expect_err("unknown"),
        AccountError::SapClientNotFound
    );
}
