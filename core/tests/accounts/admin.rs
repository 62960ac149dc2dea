//! What admins do to accounts (block, unblock, list) and who may do it, and deleting one's own account.
use sabil_core::domain::notifications::{Device, DeviceToken, Notification, NotificationId, NotificationKind, Platform};
use sabil_core::domain::{AccessClaims, AuditKind, FullName, Language, Role, Subject, UserStatus};
use sabil_core::ports::Clock as _;
use sabil_core::services::AccountError;

use super::{PASSWORD, PHONE, meta, password, phone, refresh_token, world};

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
async fn deleting_the_account_erases_the_phone_devices_and_notifications_and_ends_every_session() {
    let w = world();
    let pair = w.active_customer(PHONE, PASSWORD).await;
    let id = w.user_id(PHONE).await;

    let now = w.fakes.clock.now();
    let device = Device {
        token: DeviceToken::parse("fcm-token-of-the-phone").expect("token"),
        user_id: id,
        platform: Platform::Android,
        language: Language::Ar,
        created_at: now,
        updated_at: now,
    };
    w.fakes.ports.devices.register(&device).await.expect("device");
    let notification = Notification {
        id: NotificationId(uuid::Uuid::now_v7()),
        user_id: id,
        kind: NotificationKind::OrderPaid,
        title: "Payment received".to_owned(),
        body: "Order 100001 is paid.".to_owned(),
        data: std::collections::BTreeMap::new(),
        dedupe_key: "order:1".to_owned(),
        read_at: None,
        created_at: now,
    };
    w.fakes.ports.notifications.insert(&notification).await.expect("notification");

    w.accounts.delete_me(id, &meta()).await.expect("deleted");

    assert!(w.fakes.ports.devices.of_user(id).await.expect("storage").is_empty(), "no more pushes to the phone");
    assert_eq!(w.fakes.ports.notifications.unread_count(id).await.expect("storage"), 0, "notification texts erased");
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

#[tokio::test]
async fn only_an_active_admin_may_list_or_block_users() {
    let w = world();
    let customer = w.active_customer(PHONE, PASSWORD).await;
    let id = w.user_id(PHONE).await;
    let now = w.fakes.clock.now();
    let as_customer =
        AccessClaims { subject: customer.subject, role: Role::Customer, issued_at: now, expires_at: now + time::Duration::minutes(15) };
    let query =
        sabil_core::ports::UserQuery { search: None, role: None, page: sabil_core::domain::PageRequest { limit: 10, cursor: None } };

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
