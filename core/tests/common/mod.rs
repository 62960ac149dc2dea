//! Fixtures shared by the service tests on fakes.
use sabil_core::domain::{AccessClaims, FullName, Language, NewUser, PasswordHash, Phone, Role, Subject, UserId, UserStatus};
use sabil_core::ports::Clock;
use sabil_core::testing::FakeWorld;
use uuid::Uuid;

/// Stores an account with this phone, role, status and language, and returns its id with the claims a
/// sign-in would give it.
pub async fn signed_in(fakes: &FakeWorld, phone: &str, role: Role, status: UserStatus, language: Language) -> (UserId, AccessClaims) {
    let now = fakes.clock.now();
    let user = NewUser {
        id: UserId(Uuid::now_v7()),
        phone: Phone::parse(phone).unwrap(),
        full_name: FullName::parse("Fatima Al-Sabah").unwrap(),
        password_hash: PasswordHash("hash".into()),
        role,
        status,
        language,
        location: None,
        now,
    };
    let user = fakes.ports.users.create(&user).await.unwrap();
    (user.id, AccessClaims { subject: Subject::User(user.id), role, issued_at: now, expires_at: now + time::Duration::minutes(15) })
}
