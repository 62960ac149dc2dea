//! The security audit trail of sign-ins, refreshes and token reuse.
use sabil_core::domain::AuditKind;

use super::{PASSWORD, PHONE, refresh_token, world};

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
