//! `RefreshTokenRepository`: round trips, the fingerprint's uniqueness, single use (also when raced),
//! and revocation by family and by user.
use std::sync::Arc;

use sabil_core::error::RepoError;
use sabil_core::ports::RefreshTokenRecord;
use sabil_tests::conformance;
use sabil_tests::fixtures::{at, create_user, refresh_token};
use tokio::task::JoinSet;
use uuid::Uuid;

const PHONE: &str = "+96550001234";
const OTHER_PHONE: &str = "+96550009876";

conformance!(a_token_reads_back_with_every_field, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let fresh = refresh_token(user.id, Uuid::now_v7(), at(1));
    let spent = RefreshTokenRecord { used_at: Some(at(2)), revoked_at: Some(at(3)), ..refresh_token(user.id, fresh.family_id, at(1)) };
    for token in [&fresh, &spent] {
        stores.refresh_tokens.insert(token).await.expect("insert");
        assert_eq!(stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find").as_ref(), Some(token));
    }
    assert_eq!(stores.refresh_tokens.find("no-such-fingerprint").await.expect("find"), None);
});

conformance!(a_second_token_with_the_same_fingerprint_is_a_conflict, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let token = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&token).await.expect("insert");

    let twin = RefreshTokenRecord { token_fingerprint: token.token_fingerprint.clone(), ..refresh_token(user.id, Uuid::now_v7(), at(2)) };
    let result = stores.refresh_tokens.insert(&twin).await;
    assert!(matches!(result, Err(RepoError::Conflict(_))), "{result:?}");
    assert_eq!(stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find"), Some(token));
});

conformance!(a_token_is_used_only_once, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let token = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&token).await.expect("insert");

    assert_eq!(stores.refresh_tokens.mark_used(&token.token_fingerprint, at(10)).await, Ok(true));
    assert_eq!(stores.refresh_tokens.mark_used(&token.token_fingerprint, at(11)).await, Ok(false));
    let stored = stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find");
    assert_eq!(stored, Some(RefreshTokenRecord { used_at: Some(at(10)), ..token }));
    assert_eq!(stores.refresh_tokens.mark_used("no-such-fingerprint", at(12)).await, Ok(false));
});

conformance!(an_expired_or_revoked_token_cannot_be_used, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let expiring = refresh_token(user.id, Uuid::now_v7(), at(1));
    let revoked = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&expiring).await.expect("insert");
    stores.refresh_tokens.insert(&revoked).await.expect("insert");

    assert_eq!(stores.refresh_tokens.mark_used(&expiring.token_fingerprint, expiring.expires_at).await, Ok(false));
    assert_eq!(stores.refresh_tokens.revoke_family(revoked.family_id, at(5)).await, Ok(1));
    assert_eq!(stores.refresh_tokens.mark_used(&revoked.token_fingerprint, at(6)).await, Ok(false));

    for token in [expiring, revoked] {
        let stored = stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find").expect("exists");
        assert_eq!(stored.used_at, None);
    }
});

conformance!(of_concurrent_users_of_a_token_exactly_one_succeeds, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let token = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&token).await.expect("insert");

    let mut callers = JoinSet::new();
    for i in 0..10 {
        let tokens = Arc::clone(&stores.refresh_tokens);
        let fingerprint = token.token_fingerprint.clone();
        callers.spawn(async move { tokens.mark_used(&fingerprint, at(10 + i)).await.expect("mark_used") });
    }
    let winners = callers.join_all().await.into_iter().filter(|won| *won).count();
    assert_eq!(winners, 1);
});

conformance!(revoking_a_family_revokes_only_its_live_tokens, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let (family, other_family) = (Uuid::now_v7(), Uuid::now_v7());
    let already = RefreshTokenRecord { revoked_at: Some(at(2)), ..refresh_token(user.id, family, at(1)) };
    let members = [refresh_token(user.id, family, at(1)), refresh_token(user.id, family, at(3)), already.clone()];
    let outsider = refresh_token(user.id, other_family, at(1));
    for token in members.iter().chain([&outsider]) {
        stores.refresh_tokens.insert(token).await.expect("insert");
    }

    assert_eq!(stores.refresh_tokens.revoke_family(family, at(10)).await, Ok(2));
    assert_eq!(stores.refresh_tokens.revoke_family(family, at(11)).await, Ok(0));
    for token in &members[..2] {
        let stored = stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find").expect("exists");
        assert_eq!(stored.revoked_at, Some(at(10)));
    }
    assert_eq!(stores.refresh_tokens.find(&already.token_fingerprint).await.expect("find"), Some(already));
    assert_eq!(stores.refresh_tokens.find(&outsider.token_fingerprint).await.expect("find"), Some(outsider));
    assert_eq!(stores.refresh_tokens.revoke_family(Uuid::now_v7(), at(12)).await, Ok(0));
});

conformance!(revoking_a_user_revokes_all_their_live_tokens_and_no_one_elses, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let other = create_user(&stores, OTHER_PHONE, at(0)).await;
    let mine = [
        refresh_token(user.id, Uuid::now_v7(), at(1)),
        refresh_token(user.id, Uuid::now_v7(), at(2)),
        RefreshTokenRecord { revoked_at: Some(at(3)), ..refresh_token(user.id, Uuid::now_v7(), at(2)) },
    ];
    let theirs = refresh_token(other.id, mine[0].family_id, at(1));
    for token in mine.iter().chain([&theirs]) {
        stores.refresh_tokens.insert(token).await.expect("insert");
    }

    assert_eq!(stores.refresh_tokens.revoke_all_for_user(user.id, at(10)).await, Ok(2));
    assert_eq!(stores.refresh_tokens.revoke_all_for_user(user.id, at(11)).await, Ok(0));
    let revoked_at: Vec<_> = {
        let mut v = Vec::new();
        for token in &mine {
            v.push(stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find").and_then(|t| t.revoked_at));
        }
        v
    };
    assert_eq!(revoked_at, [Some(at(10)), Some(at(10)), Some(at(3))]);
    assert_eq!(stores.refresh_tokens.find(&theirs.token_fingerprint).await.expect("find"), Some(theirs));
});
