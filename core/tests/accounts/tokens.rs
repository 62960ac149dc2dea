//! Refresh-token rotation with reuse detection, expiry, and sign-out.
use sabil_core::domain::AuditKind;
use sabil_core::services::AccountError;

use super::{PASSWORD, PHONE, meta, refresh_token, world};

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
