//! Behaviour of `AccountService` on the in-memory fakes: registration and phone verification with SMS
//! codes, sign-in and its throttling, refresh-token rotation with reuse detection, sign-out, password
//! reset, SAP sign-in, blocking, account deletion and the audit trail.
//! This file holds the `World` of fakes the stories share; each topic's stories are a module.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sabil_core::domain::{
    AccessClaims, AuditEvent, AuditKind, FullName, Language, OtpCode, Password, Phone, RequestMeta, Role, Subject, TokenPair, User, UserId,
};
use sabil_core::ports::Clock as _;
use sabil_core::services::{AccountError, AccountService, AccountSettings, CodeSent, RegisterInput};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::datetime;

mod admin;
mod audit;
mod password_reset;
mod registration;
mod sign_in;
mod tokens;

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
