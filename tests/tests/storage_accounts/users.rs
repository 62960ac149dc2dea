//! `UserRepository`: round trips, the phone's uniqueness, re-registration, verification, profile and
//! status changes, and erasure.
use sabil_core::domain::account::DELETED_NAME;
use sabil_core::domain::{CodePurpose, GeoLocation, Language, NewUser, PasswordHash, ProfileChanges, Role, User, UserId, UserStatus};
use sabil_core::error::RepoError;
use sabil_core::ports::truncate_to_micros;
use sabil_tests::conformance;
use sabil_tests::fixtures::{POLICY, at, code_issue, create_user, name, new_user, phone};
use time::OffsetDateTime;
use uuid::Uuid;

const PHONE: &str = "+96550001234";

/// Kuwait City with more decimals than a float's text form would keep by accident.
const KUWAIT_CITY: GeoLocation =
    GeoLocation { latitude: 29.375_912_345_678_9, longitude: 47.977_412_345_678_9, accuracy_meters: Some(12.5) };

fn unknown_id() -> UserId {
    UserId(Uuid::now_v7())
}

conformance!(an_account_reads_back_with_every_field, |stores| async move {
    // Now, as the clock gives it: whatever microseconds the system time has survive the round trip.
    let now = truncate_to_micros(OffsetDateTime::now_utc());
    let new = NewUser {
        id: UserId(Uuid::now_v7()),
        phone: phone(PHONE),
        full_name: name("فاطمة الصباح"),
        password_hash: PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        role: Role::Admin,
        status: UserStatus::Unverified,
        language: Language::En,
        location: Some(KUWAIT_CITY),
        now,
    };
    let expected = User {
        id: new.id,
        phone: Some(new.phone.clone()),
        full_name: new.full_name.clone(),
        password_hash: Some(new.password_hash.clone()),
        role: Role::Admin,
        status: UserStatus::Unverified,
        language: Language::En,
        location: Some(KUWAIT_CITY),
        sap_id: None,
        created_at: now,
        updated_at: now,
        verified_at: None,
    };

    assert_eq!(stores.users.create(&new).await.expect("create"), expected);
    assert_eq!(stores.users.get(new.id).await.expect("get"), Some(expected.clone()));
    assert_eq!(stores.users.find_by_phone(&phone(PHONE)).await.expect("find"), Some(expected));
});

conformance!(an_account_without_location_reads_back_without_one, |stores| async move {
    let mut new = new_user(PHONE, at(0));
    new.location = Some(GeoLocation { latitude: -33.5, longitude: -70.25, accuracy_meters: None });
    let with_location = stores.users.create(&new).await.expect("create");
    assert_eq!(with_location.location, new.location);

    let other = new_user("+96550009876", at(0));
    let created = stores.users.create(&other).await.expect("create");
    assert_eq!((created.location, created.role, created.language), (None, Role::Customer, Language::Ar));
    assert_eq!(stores.users.get(other.id).await.expect("get"), Some(created));
});

conformance!(unknown_accounts_are_absent, |stores| async move {
    assert_eq!(stores.users.get(unknown_id()).await.expect("get"), None);
    assert_eq!(stores.users.find_by_phone(&phone(PHONE)).await.expect("find"), None);
});

conformance!(a_second_account_with_the_same_phone_is_a_conflict, |stores| async move {
    let first = create_user(&stores, PHONE, at(0)).await;
    let result = stores.users.create(&new_user(PHONE, at(5))).await;
    assert!(matches!(result, Err(RepoError::Conflict(_))), "{result:?}");
    assert_eq!(stores.users.find_by_phone(&phone(PHONE)).await.expect("find"), Some(first));
});

conformance!(an_account_created_active_counts_as_verified_at_creation, |stores| async move {
    let mut new = new_user(PHONE, at(0));
    new.status = UserStatus::Active;
    let created = stores.users.create(&new).await.expect("create");
    assert_eq!((created.status, created.verified_at), (UserStatus::Active, Some(at(0))));
    assert_eq!(stores.users.get(new.id).await.expect("get"), Some(created));
});

conformance!(reregistering_overwrites_an_unverified_account_only, |stores| async move {
    let first = create_user(&stores, PHONE, at(0)).await;
    let again = NewUser {
        id: first.id,
        full_name: name("Fatima Hassan"),
        password_hash: PasswordHash("new-hash".to_owned()),
        language: Language::En,
        location: Some(KUWAIT_CITY),
        ..new_user(PHONE, at(30))
    };

    let updated = stores.users.reregister(&again).await.expect("reregister");
    let expected = User {
        full_name: name("Fatima Hassan"),
        password_hash: Some(PasswordHash("new-hash".to_owned())),
        language: Language::En,
        location: Some(KUWAIT_CITY),
        updated_at: at(30),
        ..first.clone()
    };
    assert_eq!(updated, expected);
    assert_eq!(stores.users.get(first.id).await.expect("get"), Some(expected));

    stores.users.mark_verified(first.id, at(60)).await.expect("verify");
    assert_eq!(stores.users.reregister(&NewUser { now: at(90), ..again.clone() }).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.reregister(&NewUser { id: unknown_id(), ..again }).await, Err(RepoError::NotFound));
});

conformance!(verifying_activates_once_and_records_when, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let verified = stores.users.mark_verified(user.id, at(45)).await.expect("verify");
    let expected = User { status: UserStatus::Active, verified_at: Some(at(45)), updated_at: at(45), ..user.clone() };
    assert_eq!(verified, expected);
    assert_eq!(stores.users.get(user.id).await.expect("get"), Some(expected));

    assert_eq!(stores.users.mark_verified(user.id, at(50)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.mark_verified(unknown_id(), at(50)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.get(user.id).await.expect("get").and_then(|u| u.verified_at), Some(at(45)));
});

conformance!(profile_changes_touch_only_the_given_fields, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;

    let renamed = ProfileChanges { full_name: Some(name("Fatima Al-Mutairi")), ..ProfileChanges::default() };
    let after_name = stores.users.update_profile(user.id, &renamed, at(10)).await.expect("rename");
    assert_eq!(after_name, User { full_name: name("Fatima Al-Mutairi"), updated_at: at(10), ..user.clone() });

    let english = ProfileChanges { language: Some(Language::En), ..ProfileChanges::default() };
    let after_language = stores.users.update_profile(user.id, &english, at(20)).await.expect("language");
    assert_eq!(after_language, User { language: Language::En, updated_at: at(20), ..after_name });

    let located = ProfileChanges { location: Some(KUWAIT_CITY), ..ProfileChanges::default() };
    let after_location = stores.users.update_profile(user.id, &located, at(30)).await.expect("locate");
    assert_eq!(after_location, User { location: Some(KUWAIT_CITY), updated_at: at(30), ..after_language });

    // A location is replaced as a whole: a new point without accuracy does not keep the old accuracy.
    let moved = GeoLocation { latitude: 29.1, longitude: 48.1, accuracy_meters: None };
    let relocated = ProfileChanges { location: Some(moved), ..ProfileChanges::default() };
    let after_move = stores.users.update_profile(user.id, &relocated, at(40)).await.expect("move");
    assert_eq!(after_move, User { location: Some(moved), updated_at: at(40), ..after_location });

    // Nothing to change still records the touch and keeps every field.
    let untouched = stores.users.update_profile(user.id, &ProfileChanges::default(), at(50)).await.expect("no change");
    assert_eq!(untouched, User { updated_at: at(50), ..after_move });
    assert_eq!(stores.users.get(user.id).await.expect("get"), Some(untouched));

    assert_eq!(stores.users.update_profile(unknown_id(), &renamed, at(60)).await, Err(RepoError::NotFound));
});

conformance!(a_new_password_replaces_the_hash, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let hash = PasswordHash("replaced-hash".to_owned());
    stores.users.set_password(user.id, &hash, at(10)).await.expect("set password");
    let stored = stores.users.get(user.id).await.expect("get").expect("exists");
    assert_eq!(stored, User { password_hash: Some(hash.clone()), updated_at: at(10), ..user });
    assert_eq!(stores.users.set_password(unknown_id(), &hash, at(10)).await, Err(RepoError::NotFound));
});

conformance!(blocking_and_unblocking_set_the_status, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let active = stores.users.mark_verified(user.id, at(5)).await.expect("verify");

    let blocked = stores.users.set_status(user.id, UserStatus::Blocked, at(10)).await.expect("block");
    assert_eq!(blocked, User { status: UserStatus::Blocked, updated_at: at(10), ..active.clone() });
    assert_eq!(stores.users.get(user.id).await.expect("get"), Some(blocked));

    let unblocked = stores.users.set_status(user.id, UserStatus::Active, at(20)).await.expect("unblock");
    assert_eq!(unblocked, User { status: UserStatus::Active, updated_at: at(20), ..active });
    assert_eq!(stores.users.set_status(unknown_id(), UserStatus::Blocked, at(30)).await, Err(RepoError::NotFound));
});

conformance!(erasing_removes_personal_data_and_codes_and_frees_the_phone, |stores| async move {
    let mut new = new_user(PHONE, at(0));
    new.location = Some(KUWAIT_CITY);
    let user = stores.users.create(&new).await.expect("create");
    assert_eq!(stores.codes.issue(&code_issue(user.id, CodePurpose::VerifyPhone, at(1)), &POLICY).await, Ok(None));
    assert_eq!(stores.codes.issue(&code_issue(user.id, CodePurpose::ResetPassword, at(1)), &POLICY).await, Ok(None));

    stores.users.erase(user.id, at(100)).await.expect("erase");

    let erased = stores.users.get(user.id).await.expect("get").expect("the row stays for its orders");
    let expected = User {
        phone: None,
        full_name: name(DELETED_NAME),
        password_hash: None,
        location: None,
        status: UserStatus::Deleted,
        updated_at: at(100),
        ..user.clone()
    };
    assert_eq!(erased, expected);
    assert_eq!(stores.users.find_by_phone(&phone(PHONE)).await.expect("find"), None);
    for purpose in [CodePurpose::VerifyPhone, CodePurpose::ResetPassword] {
        assert_eq!(stores.codes.active(user.id, purpose, at(101)).await.expect("active"), None, "{purpose:?}");
    }

    // The phone is free for a new account.
    let newcomer = stores.users.create(&new_user(PHONE, at(200))).await.expect("the phone can be used again");
    assert_ne!(newcomer.id, user.id);
    assert_eq!(stores.users.find_by_phone(&phone(PHONE)).await.expect("find").map(|u| u.id), Some(newcomer.id));

    assert_eq!(stores.users.erase(user.id, at(300)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.erase(unknown_id(), at(300)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.get(user.id).await.expect("get"), Some(expected));
});

conformance!(an_erased_account_cannot_be_changed, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    stores.users.erase(user.id, at(10)).await.expect("erase");
    let changes = ProfileChanges { full_name: Some(name("Someone Else")), ..ProfileChanges::default() };

    assert_eq!(stores.users.update_profile(user.id, &changes, at(20)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.set_password(user.id, &PasswordHash("h".to_owned()), at(20)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.set_status(user.id, UserStatus::Active, at(20)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.mark_verified(user.id, at(20)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.get(user.id).await.expect("get").map(|u| (u.status, u.updated_at)), Some((UserStatus::Deleted, at(10))));
});
