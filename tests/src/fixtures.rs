//! Values the conformance cases store: accounts, codes, refresh tokens, SAP clients and audit events,
//! each valid and distinct, with times that carry microseconds so their fidelity is checked too.
use std::time::Duration;

use sabil_core::domain::{
    AuditEvent, AuditKind, CodePurpose, FullName, Language, NewUser, PasswordHash, Phone, RequestMeta, Role, SapClient, SapClientId, User,
    UserId, UserStatus,
};
use sabil_core::ports::{CodeIssue, RefreshTokenRecord, SendPolicy};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::Stores;

/// The moment the cases start at: microseconds set, so a store that drops them is caught.
pub const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00.123456 UTC);

/// `seconds` after `T0`.
#[must_use]
pub fn at(seconds: i64) -> OffsetDateTime {
    T0 + time::Duration::seconds(seconds)
}

/// The send policy the services use by default: a minute apart, five an hour.
pub const POLICY: SendPolicy = SendPolicy { min_interval: Duration::from_secs(60), max_per_window: 5, window: Duration::from_secs(3600) };

#[must_use]
pub fn phone(raw: &str) -> Phone {
    Phone::parse(raw).expect("valid phone")
}

#[must_use]
pub fn name(raw: &str) -> FullName {
    FullName::parse(raw).expect("valid name")
}

/// An unverified customer with this phone, no location, Arabic, registering at `now`.
#[must_use]
pub fn new_user(raw_phone: &str, now: OffsetDateTime) -> NewUser {
    NewUser {
        id: UserId(Uuid::now_v7()),
        phone: phone(raw_phone),
        full_name: name("Fatima Al-Sabah"),
        password_hash: PasswordHash(format!("hash-for-{raw_phone}")),
        role: Role::Customer,
        status: UserStatus::Unverified,
        language: Language::Ar,
        location: None,
        now,
    }
}

/// Stores `new_user(raw_phone, now)`.
pub async fn create_user(stores: &Stores, raw_phone: &str, now: OffsetDateTime) -> User {
    stores.users.create(&new_user(raw_phone, now)).await.expect("create the account")
}

/// Stores an account with this name and phone (ids grow with each call, so later is newer).
pub async fn create_named(stores: &Stores, full_name: &str, raw_phone: &str) -> User {
    let mut user = new_user(raw_phone, T0);
    user.full_name = name(full_name);
    stores.users.create(&user).await.expect("create the account")
}

/// A code for `user` issued at `created_at`, valid for ten minutes, with a fingerprint of its own.
#[must_use]
pub fn code_issue(user: UserId, purpose: CodePurpose, created_at: OffsetDateTime) -> CodeIssue {
    let id = Uuid::now_v7();
    CodeIssue {
        id,
        user_id: user,
        purpose,
        code_fingerprint: format!("code-fp-{}", id.simple()),
        created_at,
        expires_at: created_at + time::Duration::minutes(10),
    }
}

/// An unused, unrevoked refresh token of `family`, issued at `issued_at`, valid for 30 days.
#[must_use]
pub fn refresh_token(user: UserId, family: Uuid, issued_at: OffsetDateTime) -> RefreshTokenRecord {
    let id = Uuid::now_v7();
    RefreshTokenRecord {
        id,
        family_id: family,
        user_id: user,
        token_fingerprint: format!("token-fp-{}", id.simple()),
        issued_at,
        expires_at: issued_at + time::Duration::days(30),
        used_at: None,
        revoked_at: None,
    }
}

/// An enabled SAP client.
#[must_use]
pub fn sap_client(client_id: &str, created_at: OffsetDateTime) -> SapClient {
    SapClient {
        id: SapClientId(Uuid::now_v7()),
        client_id: client_id.to_owned(),
        secret_fingerprint: format!("secret-fp-{client_id}"),
        name: format!("SAP {client_id}"),
        created_at,
        disabled: false,
    }
}

/// A denied request from a known address.
#[must_use]
pub fn audit_event(kind: AuditKind, occurred_at: OffsetDateTime, reason: &str) -> AuditEvent {
    let meta = RequestMeta {
        route: "POST /api/auth/login".to_owned(),
        client_ip: Some("192.0.2.10".to_owned()),
        request_id: Some(format!("req-{reason}")),
    };
    AuditEvent::new(&meta, occurred_at, kind, Some("+*******234".to_owned()), reason)
}
