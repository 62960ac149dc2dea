//! Registration and phone verification: the SMS code, its expiry and attempts, resends and their
//! limits, registering a phone again, and never revealing whether a phone has an account.
use std::time::Duration;

use sabil_core::domain::{OtpCode, Password, Role, Subject, UserStatus};
use sabil_core::error::GatewayError;
use sabil_core::services::{AccountError, CodeSent};

use super::{OTHER_PHONE, PASSWORD, PHONE, meta, password, phone, world, wrong_code};

#[tokio::test]
async fn registration_texts_a_six_digit_code_and_verifying_it_activates_the_account_and_signs_in() {
    let w = world();

    let answer = w.register(PHONE, PASSWORD).await.expect("registered");

    assert_eq!(answer, CodeSent { code_ttl: Duration::from_secs(600), resend_after: Duration::from_secs(60) });
    let texts = w.texts_to(PHONE);
    assert_eq!(texts.len(), 1);
    let code = w.last_code(PHONE);
    assert!(code.expose().len() == 6 && code.expose().bytes().all(|b| b.is_ascii_digit()));
    assert!(texts[0].contains(code.expose()));
    let pending = w.user(PHONE).await.expect("account stored");
    assert_eq!(pending.status, UserStatus::Unverified);
    assert_eq!(pending.verified_at, None);

    let tokens = w.accounts.verify_phone(&phone(PHONE), &code, &Password::presented(PASSWORD), &meta()).await.expect("code accepted");

    let user = w.user(PHONE).await.expect("account stored");
    assert_eq!(user.status, UserStatus::Active);
    assert!(user.verified_at.is_some());
    assert_eq!(tokens.role, Role::Customer);
    assert_eq!(tokens.subject, Subject::User(user.id));
    assert!(tokens.refresh_token.is_some());
    let claims = w.accounts.authenticate(&tokens.access_token).expect("access token valid");
    assert_eq!(claims.subject, Subject::User(user.id));
    assert_eq!(claims.role, Role::Customer);
    w.login(PHONE, PASSWORD).await.expect("an active account signs in");
}

#[tokio::test]
async fn a_verification_code_works_only_once() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");
    let code = w.last_code(PHONE);
    w.accounts.verify_phone(&phone(PHONE), &code, &Password::presented(PASSWORD), &meta()).await.expect("first use accepted");

    let again = w.accounts.verify_phone(&phone(PHONE), &code, &Password::presented(PASSWORD), &meta()).await;

    assert_eq!(again.expect_err("second use refused"), AccountError::CodeInvalid { attempts_left: 0 });
}

#[tokio::test]
async fn five_wrong_codes_void_the_code_so_even_the_right_one_then_fails() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");
    let right = w.last_code(PHONE);
    let wrong = wrong_code(&right);

    let mut answers = Vec::new();
    for _ in 0..5 {
        answers.push(
            w.accounts.verify_phone(&phone(PHONE), &wrong, &Password::presented(PASSWORD), &meta()).await.expect_err("wrong code refused"),
        );
    }
    let with_right_code = w.accounts.verify_phone(&phone(PHONE), &right, &Password::presented(PASSWORD), &meta()).await;

    assert_eq!(
        answers,
        vec![
            AccountError::CodeInvalid { attempts_left: 4 },
            AccountError::CodeInvalid { attempts_left: 3 },
            AccountError::CodeInvalid { attempts_left: 2 },
            AccountError::CodeInvalid { attempts_left: 1 },
            AccountError::CodeExhausted,
        ]
    );
    assert_eq!(with_right_code.expect_err("voided code refused"), AccountError::CodeExhausted);
    assert_eq!(w.user(PHONE).await.expect("stored").status, UserStatus::Unverified);
}

#[tokio::test]
async fn a_fresh_code_works_after_the_previous_one_was_exhausted() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");
    let wrong = wrong_code(&w.last_code(PHONE));
    for _ in 0..5 {
        let _ = w.accounts.verify_phone(&phone(PHONE), &wrong, &Password::presented(PASSWORD), &meta()).await;
    }

    w.advance(time::Duration::seconds(60));
    w.accounts.resend_code(&phone(PHONE), &meta()).await.expect("resent");

    w.verify_with_last_code(PHONE, PASSWORD).await.expect("the new code is accepted");
}

#[tokio::test]
async fn a_code_still_works_just_before_ten_minutes() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");

    w.advance(time::Duration::seconds(599));

    w.verify_with_last_code(PHONE, PASSWORD).await.expect("still valid");
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");

    w.advance(time::Duration::minutes(10));

    let answer = w.verify_with_last_code(PHONE, PASSWORD).await;
    assert_eq!(answer.expect_err("expired code refused"), AccountError::CodeInvalid { attempts_left: 0 });
    assert_eq!(w.user(PHONE).await.expect("stored").status, UserStatus::Unverified);
}

#[tokio::test]
async fn resending_within_a_minute_is_refused_with_the_time_left() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");
    w.advance(time::Duration::seconds(20));

    let answer = w.accounts.resend_code(&phone(PHONE), &meta()).await;

    // The refusal is not shown (it would tell a stranger the phone has an account): the answer is
    // the ordinary one, whose resendAfter tells the app to wait, and nothing more is texted.
    assert_eq!(answer, Ok(CodeSent { code_ttl: Duration::from_secs(600), resend_after: Duration::from_secs(60) }));
    assert_eq!(w.texts_to(PHONE).len(), 1, "nothing more was texted");
    w.advance(time::Duration::seconds(40));
    w.accounts.resend_code(&phone(PHONE), &meta()).await.expect("a minute after the first");
    assert_eq!(w.texts_to(PHONE).len(), 2);
}

#[tokio::test]
async fn a_resend_after_a_minute_replaces_the_previous_code() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");
    let first = w.last_code(PHONE);
    w.advance(time::Duration::seconds(60));

    w.accounts.resend_code(&phone(PHONE), &meta()).await.expect("resent");

    let second = w.last_code(PHONE);
    assert_ne!(first, second);
    let with_first = w.accounts.verify_phone(&phone(PHONE), &first, &Password::presented(PASSWORD), &meta()).await;
    assert!(matches!(with_first, Err(AccountError::CodeInvalid { .. })), "{with_first:?}");
    w.accounts.verify_phone(&phone(PHONE), &second, &Password::presented(PASSWORD), &meta()).await.expect("the newest code is accepted");
}

#[tokio::test]
async fn a_sixth_code_within_an_hour_is_refused_until_the_oldest_leaves_the_hour() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("first code");
    for _ in 0..4 {
        w.advance(time::Duration::seconds(60));
        w.accounts.resend_code(&phone(PHONE), &meta()).await.expect("within the hourly allowance");
    }
    assert_eq!(w.texts_to(PHONE).len(), 5);
    w.advance(time::Duration::seconds(60));

    w.accounts.resend_code(&phone(PHONE), &meta()).await.expect("answered as usual");
    assert_eq!(w.texts_to(PHONE).len(), 5, "the sixth code in an hour is not sent");

    // The first code went out at minute 0; it is now minute 5.
    w.advance(time::Duration::minutes(55));
    w.accounts.resend_code(&phone(PHONE), &meta()).await.expect("allowed once the hour has moved on");
    assert_eq!(w.texts_to(PHONE).len(), 6);
}

#[tokio::test]
async fn registering_an_unverified_phone_again_resends_and_the_new_password_applies_after_verification() {
    let w = world();
    w.register(PHONE, "first-try-password").await.expect("registered");
    let first_code = w.last_code(PHONE);
    w.advance(time::Duration::seconds(61));

    let answer = w.register(PHONE, "second-try-password").await.expect("registered again");

    assert_eq!(answer, CodeSent { code_ttl: Duration::from_secs(600), resend_after: Duration::from_secs(60) });
    assert_eq!(w.texts_to(PHONE).len(), 2);
    let old = w.accounts.verify_phone(&phone(PHONE), &first_code, &Password::presented("second-try-password"), &meta()).await;
    assert!(matches!(old, Err(AccountError::CodeInvalid { .. })), "{old:?}");
    w.verify_with_last_code(PHONE, "second-try-password").await.expect("verified with the newest code");
    w.login(PHONE, "second-try-password").await.expect("the new password signs in");
    assert_eq!(w.login(PHONE, "first-try-password").await.expect_err("old password"), AccountError::InvalidCredentials);
}

#[tokio::test]
async fn a_re_registration_refused_by_the_send_limit_changes_nothing() {
    let w = world();
    w.register(PHONE, "owners-own-password").await.expect("registered");
    let owners_code = w.last_code(PHONE);
    w.advance(time::Duration::seconds(10));

    let refused = w.register(PHONE, "someone-elses-password").await;

    // Answered as usual (a refusal would reveal the pending account), but nothing changed or was sent.
    assert!(refused.is_ok(), "{refused:?}");
    assert_eq!(w.texts_to(PHONE).len(), 1);
    w.accounts
        .verify_phone(&phone(PHONE), &owners_code, &Password::presented("owners-own-password"), &meta())
        .await
        .expect("the owner's code still works");
    w.login(PHONE, "owners-own-password").await.expect("the owner's password was kept");
    assert_eq!(w.login(PHONE, "someone-elses-password").await.expect_err("not applied"), AccountError::InvalidCredentials);
}

#[tokio::test]
async fn the_fifth_guess_may_still_be_the_right_code() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");
    let right = w.last_code(PHONE);
    for _ in 0..4 {
        let _ = w.accounts.verify_phone(&phone(PHONE), &wrong_code(&right), &Password::presented(PASSWORD), &meta()).await;
    }

    w.accounts.verify_phone(&phone(PHONE), &right, &Password::presented(PASSWORD), &meta()).await.expect("fifth guess accepted");
}

#[tokio::test]
async fn registering_a_verified_phone_answers_the_same_keeps_the_password_and_texts_the_owner() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    let owner = w.user(PHONE).await.expect("stored");
    let fresh_answer = w.register(OTHER_PHONE, PASSWORD).await.expect("a new phone registers");

    let answer = w.register(PHONE, "someone-elses-password").await.expect("same answer as a new phone");

    assert_eq!(answer, fresh_answer);
    let texts = w.texts_to(PHONE);
    assert_eq!(texts.len(), 2, "verification code, then the owner's notice");
    assert!(texts[1].contains("already have a Sabil account"), "{}", texts[1]);
    let after = w.user(PHONE).await.expect("stored");
    assert_eq!(after.id, owner.id);
    assert_eq!(after.status, UserStatus::Active);
    assert_eq!(after.password_hash, owner.password_hash);
    w.login(PHONE, PASSWORD).await.expect("the old password still signs in");
    assert_eq!(w.login(PHONE, "someone-elses-password").await.expect_err("not applied"), AccountError::InvalidCredentials);

    // Asking again at once hits the send limit, which must not show either.
    assert_eq!(w.register(PHONE, "someone-elses-password").await, Ok(fresh_answer));
}

#[tokio::test]
async fn the_code_texted_to_an_owner_on_re_registration_resets_their_password() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    w.register(PHONE, "someone-elses-password").await.expect("same answer");

    let code = w.last_code(PHONE);
    w.accounts.reset_password(&phone(PHONE), &code, &password("owner-chose-this-one"), &meta()).await.expect("reset");

    w.login(PHONE, "owner-chose-this-one").await.expect("new password signs in");
}

#[tokio::test]
async fn an_sms_outage_is_reported_as_unavailable_with_the_providers_hint() {
    let w = world();
    w.fakes.sms.fail_with(Some(GatewayError::Unavailable { message: "503".into(), retry_after: Some(Duration::from_secs(30)) }));

    let answer = w.register(PHONE, PASSWORD).await;

    assert_eq!(answer, Err(AccountError::SmsUnavailable { retry_after: Some(Duration::from_secs(30)) }));
    w.fakes.sms.fail_with(Some(GatewayError::Rejected { code: "21211".into(), message: "bad To".into() }));
    w.advance(time::Duration::seconds(60));
    assert!(w.accounts.resend_code(&phone(PHONE), &meta()).await.is_ok(), "an existing account's undeliverable number is not revealed");
}

#[tokio::test]
async fn a_stranger_who_re_registers_a_pending_phone_cannot_take_it_over() {
    let w = world();
    w.register(PHONE, "owners-own-password").await.expect("the owner registers");
    w.advance(time::Duration::seconds(61));
    w.register(PHONE, "strangers-password").await.expect("a stranger registers the same phone");
    let code = w.last_code(PHONE);

    // The owner types the newest code with the password they chose: the details changed, so no.
    let owner = w.accounts.verify_phone(&phone(PHONE), &code, &Password::presented("owners-own-password"), &meta()).await;
    assert_eq!(owner.expect_err("details were replaced"), AccountError::InvalidCredentials);
    // The stranger knows their password but never sees the code.
    let guess = OtpCode::parse("000000").expect("6 digits");
    let stranger = w.accounts.verify_phone(&phone(PHONE), &guess, &Password::presented("strangers-password"), &meta()).await;
    assert!(matches!(stranger, Err(AccountError::CodeInvalid { .. } | AccountError::CodeExhausted)), "{stranger:?}");
    assert_eq!(w.user(PHONE).await.expect("stored").status, UserStatus::Unverified);

    // The owner registers again and verifies with their own details.
    w.advance(time::Duration::seconds(61));
    w.active_customer(PHONE, "owners-own-password").await;
    assert_eq!(w.login(PHONE, "strangers-password").await.expect_err("never applied"), AccountError::InvalidCredentials);
}
