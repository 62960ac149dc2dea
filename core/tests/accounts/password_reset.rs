//! Password reset by SMS code: the new password applies and every session ends.
use std::time::Duration;

use sabil_core::domain::Password;
use sabil_core::services::AccountError;

use super::{OTHER_PHONE, PASSWORD, PHONE, meta, password, phone, refresh_token, world};

#[tokio::test]
async fn a_password_reset_changes_the_password_and_signs_out_everywhere() {
    let w = world();
    let phone_session = w.active_customer(PHONE, PASSWORD).await;
    let tablet_session = w.login(PHONE, PASSWORD).await.expect("second device");

    let answer = w.accounts.forgot_password(&phone(PHONE), &meta()).await.expect("code sent");
    let code = w.last_code(PHONE);
    w.accounts.reset_password(&phone(PHONE), &code, &password("a-brand-new-secret"), &meta()).await.expect("reset");

    assert_eq!(answer.code_ttl, Duration::from_secs(600));
    assert_eq!(w.login(PHONE, PASSWORD).await.expect_err("old password"), AccountError::InvalidCredentials);
    w.login(PHONE, "a-brand-new-secret").await.expect("new password signs in");
    for session in [&phone_session, &tablet_session] {
        assert_eq!(w.refresh(&refresh_token(session)).await.expect_err("signed out"), AccountError::RefreshTokenInvalid);
    }
    let again = w.accounts.reset_password(&phone(PHONE), &code, &password("yet-another-secret"), &meta()).await;
    assert!(matches!(again, Err(AccountError::CodeInvalid { .. })), "a reset code works once: {again:?}");
}

#[tokio::test]
async fn forgot_password_for_an_unknown_phone_answers_the_same_and_texts_nothing() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    let known = w.accounts.forgot_password(&phone(PHONE), &meta()).await.expect("known phone");

    let unknown = w.accounts.forgot_password(&phone(OTHER_PHONE), &meta()).await.expect("unknown phone");

    assert_eq!(known, unknown);
    assert!(w.texts_to(OTHER_PHONE).is_empty());
}

#[tokio::test]
async fn a_verification_code_does_not_reset_a_password() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");
    let verification_code = w.last_code(PHONE);
    w.accounts.verify_phone(&phone(PHONE), &verification_code, &Password::presented(PASSWORD), &meta()).await.expect("verified");

    let answer = w.accounts.reset_password(&phone(PHONE), &verification_code, &password("a-brand-new-secret"), &meta()).await;

    assert!(matches!(answer, Err(AccountError::CodeInvalid { .. })), "{answer:?}");
    w.login(PHONE, PASSWORD).await.expect("password unchanged");
}
