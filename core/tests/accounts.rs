//! Behaviour of `AccountService` on the in-memory fakes: registration and phone verification with SMS
//! codes, sign-in and its throttling, refresh-token rotation with reuse detection, sign-out, password
//! reset, SAP sign-in, blocking, account deletion and the audit trail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use sabil_core::domain::{
    AccessClaims, AuditEvent, AuditKind, FullName, Language, OtpCode, Password, Phone, RequestMeta, Role, Subject, TokenPair, User, UserId,
    UserStatus,
};
use sabil_core::error::GatewayError;
use sabil_core::ports::Clock as _;
use sabil_core::services::{AccountError, AccountService, AccountSettings, CodeSent, RegisterInput};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::datetime;

const PHONE: &str = "+96550001234";
const OTHER_PHONE: &str = "+96550009876";
const PASSWORD: &str = "water-for-the-mosque";

/// The service over a fresh world of fakes, with shortcuts for the steps the stories repeat.
struct World {
    fakes: FakeWorld,
    accounts: AccountService,
}

fn world() -> World {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    let accounts = AccountService::new(fakes.ports.clone(), AccountSettings::default());
    World { fakes, accounts }
}

fn phone(raw: &str) -> Phone {
    Phone::parse(raw).expect("valid phone")
}

fn password(raw: &str) -> Password {
    Password::parse(raw).expect("password meets the policy")
}

fn meta() -> RequestMeta {
    RequestMeta { route: "POST /api/auth/login".into(), client_ip: Some("192.0.2.10".into()), request_id: Some("req-1".into()) }
}

/// A well-formed code that differs from `right` in every digit.
fn wrong_code(right: &OtpCode) -> OtpCode {
    let flipped: String = right.expose().chars().map(|c| if c == '9' { '0' } else { char::from(c as u8 + 1) }).collect();
    OtpCode::parse(&flipped).expect("6 digits")
}

fn refresh_token(pair: &TokenPair) -> String {
    pair.refresh_token.clone().expect("users get a refresh token")
}

impl World {
    fn advance(&self, by: time::Duration) {
        self.fakes.clock.advance(by);
    }

    fn last_code(&self, to: &str) -> OtpCode {
        let raw = self.fakes.sms.last_code_to(to).expect("a code was texted to the phone");
        OtpCode::parse(&raw).expect("the texted code has 6 digits")
    }

    fn texts_to(&self, to: &str) -> Vec<String> {
        self.fakes.sms.sent().into_iter().filter(|m| m.to.as_str() == to).map(|m| m.body).collect()
    }

    async fn register(&self, to: &str, pass: &str) -> Result<CodeSent, AccountError> {
        self.accounts
            .register(
                RegisterInput {
                    phone: phone(to),
                    full_name: FullName::parse("Fatima Al-Sabah").expect("valid name"),
                    password: password(pass),
                    language: Language::En,
                    location: None,
                },
                &meta(),
            )
            .await
    }

    async fn verify_with_last_code(&self, to: &str, pass: &str) -> Result<TokenPair, AccountError> {
        self.accounts.verify_phone(&phone(to), &self.last_code(to), &Password::presented(pass), &meta()).await
    }

    /// Registers and verifies a customer; the pair is the one verification signs in with.
    async fn active_customer(&self, to: &str, pass: &str) -> TokenPair {
        self.register(to, pass).await.expect("registered");
        self.verify_with_last_code(to, pass).await.expect("verified")
    }

    /// Claims of an active admin (created on first use), as the API would pass them.
    async fn admin(&self) -> AccessClaims {
        const ADMIN_PHONE: &str = "+96550000099";
        let admin = match self.user(ADMIN_PHONE).await {
            Some(admin) => admin,
            None => self
                .accounts
                .create_admin(phone(ADMIN_PHONE), FullName::parse("Sabil Admin").expect("name"), &password(PASSWORD))
                .await
                .expect("admin created"),
        };
        let now = self.fakes.clock.now();
        AccessClaims { subject: Subject::User(admin.id), role: Role::Admin, issued_at: now, expires_at: now + time::Duration::minutes(15) }
    }

    async fn login(&self, to: &str, pass: &str) -> Result<TokenPair, AccountError> {
        self.accounts.login(&phone(to), &Password::presented(pass), &meta()).await
    }

    async fn refresh(&self, token: &str) -> Result<TokenPair, AccountError> {
        self.accounts.refresh(token, &meta()).await
    }

    async fn user(&self, to: &str) -> Option<User> {
        self.fakes.ports.users.find_by_phone(&phone(to)).await.expect("storage works")
    }

    async fn user_id(&self, to: &str) -> UserId {
        self.user(to).await.expect("the phone has an account").id
    }

    /// Audit events, oldest first.
    async fn audit_trail(&self) -> Vec<AuditEvent> {
        let mut events = self.fakes.ports.audit.recent(50).await.expect("audit readable");
        events.reverse();
        events
    }

    async fn audit_kinds(&self) -> Vec<AuditKind> {
        self.audit_trail().await.into_iter().map(|e| e.kind).collect()
    }
}

// ---- registration and phone verification ----

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

// ---- sign-in ----

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

// ---- refresh tokens and sign-out ----

#[tokio::test]
async fn refreshing_rotates_the_token_and_reusing_the_old_one_revokes_the_whole_session() {
    let w = world();
    let first = w.active_customer(PHONE, PASSWORD).await;
    let other_session = w.login(PHONE, PASSWORD).await.expect("second device");

    let second = w.refresh(&refresh_token(&first)).await.expect("rotated");

    assert_ne!(refresh_token(&second), refresh_token(&first));
    assert_eq!(second.subject, first.subject);
    w.accounts.authenticate(&second.access_token).expect("new access token valid");
    assert_eq!(w.refresh(&refresh_token(&first)).await.expect_err("old token reused"), AccountError::RefreshTokenReused);
    assert_eq!(w.refresh(&refresh_token(&second)).await.expect_err("family revoked"), AccountError::RefreshTokenInvalid);
    w.refresh(&refresh_token(&other_session)).await.expect("another sign-in is a separate session");
}

#[tokio::test]
async fn an_unknown_refresh_token_is_invalid() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;

    assert_eq!(w.refresh("tok-made-up").await.expect_err("unknown"), AccountError::RefreshTokenInvalid);
}

#[tokio::test]
async fn a_refresh_token_expires_after_thirty_days() {
    let w = world();
    let pair = w.active_customer(PHONE, PASSWORD).await;

    w.advance(time::Duration::days(30));

    assert_eq!(w.refresh(&refresh_token(&pair)).await.expect_err("expired"), AccountError::RefreshTokenInvalid);
}

#[tokio::test]
async fn logging_out_ends_the_session_and_can_be_repeated() {
    let w = world();
    let pair = w.active_customer(PHONE, PASSWORD).await;
    let rotated = w.refresh(&refresh_token(&pair)).await.expect("rotated");

    w.accounts.logout(&refresh_token(&rotated), &meta()).await.expect("signed out");

    assert_eq!(w.refresh(&refresh_token(&rotated)).await.expect_err("revoked"), AccountError::RefreshTokenInvalid);
    w.accounts.logout(&refresh_token(&rotated), &meta()).await.expect("again");
    w.accounts.logout("tok-made-up", &meta()).await.expect("unknown token accepted");
    let revocations = w.audit_kinds().await.into_iter().filter(|k| *k == AuditKind::TokenRevoked).count();
    assert_eq!(revocations, 1, "only the sign-out that revoked something is audited");
}

// ---- password reset ----

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

// ---- SAP clients ----

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

// ---- admin and the user's own account ----

#[tokio::test]
async fn a_blocked_user_cannot_sign_in_or_refresh_until_unblocked() {
    let w = world();
    let pair = w.active_customer(PHONE, PASSWORD).await;
    let id = w.user_id(PHONE).await;

    let blocked = w.accounts.set_blocked(&w.admin().await, id, true, &meta()).await.expect("blocked");

    assert_eq!(blocked.status, UserStatus::Blocked);
    assert_eq!(w.login(PHONE, PASSWORD).await.expect_err("blocked"), AccountError::AccountBlocked);
    assert_eq!(w.refresh(&refresh_token(&pair)).await.expect_err("revoked"), AccountError::RefreshTokenInvalid);
    assert_eq!(w.accounts.me(id).await.expect_err("blocked"), AccountError::AccountBlocked);

    let unblocked = w.accounts.set_blocked(&w.admin().await, id, false, &meta()).await.expect("unblocked");

    assert_eq!(unblocked.status, UserStatus::Active);
    let fresh = w.login(PHONE, PASSWORD).await.expect("signs in again");
    w.refresh(&refresh_token(&fresh)).await.expect("and refreshes");
}

#[tokio::test]
async fn unblocking_an_account_blocked_before_verification_leaves_it_unverified() {
    let w = world();
    w.register(PHONE, PASSWORD).await.expect("registered");
    let id = w.user_id(PHONE).await;
    w.accounts.set_blocked(&w.admin().await, id, true, &meta()).await.expect("blocked");

    let unblocked = w.accounts.set_blocked(&w.admin().await, id, false, &meta()).await.expect("unblocked");

    assert_eq!(unblocked.status, UserStatus::Unverified);
    assert_eq!(w.login(PHONE, PASSWORD).await.expect_err("still unverified"), AccountError::PhoneNotVerified);
}

#[tokio::test]
async fn deleting_the_account_erases_the_phone_and_ends_every_session() {
    let w = world();
    let pair = w.active_customer(PHONE, PASSWORD).await;
    let id = w.user_id(PHONE).await;

    w.accounts.delete_me(id, &meta()).await.expect("deleted");

    assert!(w.user(PHONE).await.is_none());
    let row = w.fakes.ports.users.get(id).await.expect("storage").expect("row kept");
    assert_eq!(row.status, UserStatus::Deleted);
    assert_eq!(row.phone, None);
    assert_eq!(row.password_hash, None);
    assert_eq!(w.refresh(&refresh_token(&pair)).await.expect_err("revoked"), AccountError::RefreshTokenInvalid);
    assert_eq!(w.login(PHONE, PASSWORD).await.expect_err("gone"), AccountError::InvalidCredentials);
    assert_eq!(w.accounts.me(id).await.expect_err("gone"), AccountError::UserNotFound);
    assert_eq!(w.accounts.delete_me(id, &meta()).await.expect_err("already deleted"), AccountError::UserNotFound);
}

#[tokio::test]
async fn a_deleted_accounts_phone_can_register_a_new_account() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    let old_id = w.user_id(PHONE).await;
    w.accounts.delete_me(old_id, &meta()).await.expect("deleted");

    w.register(PHONE, "a-fresh-start-pass").await.expect("the phone is free again");
    let tokens = w.verify_with_last_code(PHONE, "a-fresh-start-pass").await.expect("verified");

    let new_id = w.user_id(PHONE).await;
    assert_ne!(new_id, old_id);
    assert_eq!(tokens.subject, Subject::User(new_id));
    w.login(PHONE, "a-fresh-start-pass").await.expect("signs in");
}

// ---- audit trail ----

#[tokio::test]
async fn sign_ins_refreshes_and_reuse_are_audited() {
    let w = world();
    let verified = w.active_customer(PHONE, PASSWORD).await;
    let id = w.user_id(PHONE).await;
    let _ = w.login(PHONE, "not-the-password").await;
    w.login(PHONE, PASSWORD).await.expect("signed in");
    w.refresh(&refresh_token(&verified)).await.expect("rotated");
    let _ = w.refresh(&refresh_token(&verified)).await;

    let trail = w.audit_trail().await;

    let kinds: Vec<AuditKind> = trail.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            AuditKind::LoginSucceeded, // phone verified
            AuditKind::LoginFailed,
            AuditKind::LoginSucceeded,
            AuditKind::TokenRefreshed,
            AuditKind::RefreshTokenReused,
        ]
    );
    let user_subject = Some(format!("user:{id}"));
    let failed = &trail[1];
    let failed_subject = failed.subject.clone().expect("the phone, masked");
    assert!(failed_subject.ends_with("234") && !failed_subject.contains("5000"), "{failed_subject}");
    for event in [&trail[0], &trail[2], &trail[3], &trail[4]] {
        assert_eq!(event.subject, user_subject, "{:?}", event.kind);
    }
    for event in &trail {
        assert_eq!(event.client_ip.as_deref(), Some("192.0.2.10"));
        assert_eq!(event.route, "POST /api/auth/login");
        assert_eq!(event.request_id.as_deref(), Some("req-1"));
    }
}

#[tokio::test]
async fn throttled_sign_ins_are_audited_as_failures() {
    let w = world();
    w.active_customer(PHONE, PASSWORD).await;
    for _ in 0..5 {
        let _ = w.login(PHONE, "not-the-password").await;
    }

    let _ = w.login(PHONE, PASSWORD).await;

    let kinds = w.audit_kinds().await;
    assert_eq!(kinds.iter().filter(|k| **k == AuditKind::LoginFailed).count(), 6);
    assert_eq!(kinds.last(), Some(&AuditKind::LoginFailed));
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

#[tokio::test]
async fn only_an_active_admin_may_list_or_block_users() {
    let w = world();
    let customer = w.active_customer(PHONE, PASSWORD).await;
    let id = w.user_id(PHONE).await;
    let now = w.fakes.clock.now();
    let as_customer =
        AccessClaims { subject: customer.subject, role: Role::Customer, issued_at: now, expires_at: now + time::Duration::minutes(15) };
    let query = sabil_core::ports::UserQuery { search: None, page: sabil_core::domain::PageRequest { limit: 10, cursor: None } };

    assert_eq!(
        w.accounts.list_users(&as_customer, &query).await.expect_err("customer"),
        AccountError::NotAllowed { required: Role::Admin }
    );
    assert_eq!(
        w.accounts.set_blocked(&as_customer, id, true, &meta()).await.expect_err("customer"),
        AccountError::NotAllowed { required: Role::Admin }
    );

    // An admin blocked by another admin loses the right at once, whatever their token says.
    let admin = w.admin().await;
    let Subject::User(admin_id) = admin.subject else { panic!("admin is a user") };
    let second_phone = "+96550000098";
    let second = w
        .accounts
        .create_admin(phone(second_phone), FullName::parse("Second Admin").expect("name"), &password(PASSWORD))
        .await
        .expect("created");
    let as_second = AccessClaims {
        subject: Subject::User(second.id),
        role: Role::Admin,
        issued_at: now,
        expires_at: now + time::Duration::minutes(15),
    };
    w.accounts.set_blocked(&admin, second.id, true, &meta()).await.expect("blocked");
    assert_eq!(w.accounts.list_users(&as_second, &query).await.expect_err("blocked admin"), AccountError::AccountBlocked);

    let trail = w.audit_trail().await;
    let blocked = trail.iter().find(|e| e.kind == AuditKind::UserBlocked).expect("block audited");
    assert_eq!(blocked.subject.as_deref(), Some(format!("user:{}", second.id).as_str()));
    assert!(blocked.reason.contains(&format!("user:{admin_id}")), "the acting admin is named: {}", blocked.reason);
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
