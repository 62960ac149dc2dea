//! `RefreshTokenRepository`: round trips, uniqueness, rotation used only once (also when raced),
//! rotation serialised with revocation, and revocation by family and by user.
use std::sync::Arc;

use sabil_core::error::RepoError;
use sabil_core::ports::RefreshTokenRecord;
use sabil_tests::conformance;
use sabil_tests::fixtures::{at, create_user, refresh_token};
use tokio::task::JoinSet;
use uuid::Uuid;

const PHONE: &str = "+96550001234";
const OTHER_PHONE: &str = "+96550009876";

/// The next token of `token`'s family, issued at `t`.
fn successor(token: &RefreshTokenRecord, t: i64) -> RefreshTokenRecord {
    refresh_token(token.user_id, token.family_id, at(t))
}

conformance!(a_token_reads_back_with_every_field, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let fresh = refresh_token(user.id, Uuid::now_v7(), at(1));
    let spent = RefreshTokenRecord { used_at: Some(at(2)), revoked_at: Some(at(3)), ..refresh_token(user.id, Uuid::now_v7(), at(1)) };
    for token in [&fresh, &spent] {
        stores.refresh_tokens.insert(token).await.expect("insert");
        assert_eq!(stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find").as_ref(), Some(token));
    }
    assert_eq!(stores.refresh_tokens.find("no-such-fingerprint").await.expect("find"), None);
});

conformance!(a_second_token_with_the_same_fingerprint_or_family_is_a_conflict, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let token = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&token).await.expect("insert");

    let twin = RefreshTokenRecord { token_fingerprint: token.token_fingerprint.clone(), ..refresh_token(user.id, Uuid::now_v7(), at(2)) };
    assert!(matches!(stores.refresh_tokens.insert(&twin).await, Err(RepoError::Conflict(_))));
    let same_family = successor(&token, 2);
    assert!(matches!(stores.refresh_tokens.insert(&same_family).await, Err(RepoError::Conflict(_))), "families grow only by rotation");
    assert_eq!(stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find"), Some(token));
});

conformance!(rotation_uses_the_token_once_and_stores_its_successor, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let token = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&token).await.expect("insert");
    let next = successor(&token, 10);

    assert_eq!(stores.refresh_tokens.rotate(&token.token_fingerprint, &next, at(10)).await, Ok(true));
    assert_eq!(stores.refresh_tokens.rotate(&token.token_fingerprint, &successor(&token, 11), at(11)).await, Ok(false));
    let stored = stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find");
    assert_eq!(stored, Some(RefreshTokenRecord { used_at: Some(at(10)), ..token.clone() }));
    assert_eq!(stores.refresh_tokens.find(&next.token_fingerprint).await.expect("find"), Some(next.clone()));
    assert_eq!(stores.refresh_tokens.rotate("no-such-fingerprint", &successor(&token, 12), at(12)).await, Ok(false));
    // The successor rotates in turn.
    assert_eq!(stores.refresh_tokens.rotate(&next.token_fingerprint, &successor(&token, 13), at(13)).await, Ok(true));
});

conformance!(an_expired_or_revoked_token_cannot_be_rotated, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let expiring = refresh_token(user.id, Uuid::now_v7(), at(1));
    let revoked = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&expiring).await.expect("insert");
    stores.refresh_tokens.insert(&revoked).await.expect("insert");

    let late = successor(&expiring, 2);
    assert_eq!(stores.refresh_tokens.rotate(&expiring.token_fingerprint, &late, expiring.expires_at).await, Ok(false));
    assert_eq!(stores.refresh_tokens.revoke_family(revoked.family_id, at(5)).await, Ok(1));
    let after_revocation = successor(&revoked, 6);
    assert_eq!(stores.refresh_tokens.rotate(&revoked.token_fingerprint, &after_revocation, at(6)).await, Ok(false));

    for token in [&expiring, &revoked] {
        let stored = stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find").expect("exists");
        assert_eq!(stored.used_at, None);
    }
    assert_eq!(stores.refresh_tokens.find(&late.token_fingerprint).await.expect("find"), None, "nothing stored on refusal");
    assert_eq!(stores.refresh_tokens.find(&after_revocation.token_fingerprint).await.expect("find"), None);
});

conformance!(of_concurrent_rotations_of_a_token_exactly_one_succeeds, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let token = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&token).await.expect("insert");

    let mut callers = JoinSet::new();
    for i in 0..10 {
        let tokens = Arc::clone(&stores.refresh_tokens);
        let (presented, next) = (token.token_fingerprint.clone(), successor(&token, 10 + i));
        callers.spawn(async move { tokens.rotate(&presented, &next, at(10 + i)).await.expect("rotate") });
    }
    let winners = callers.join_all().await.into_iter().filter(|won| *won).count();
    assert_eq!(winners, 1);
});

conformance!(a_rotation_racing_a_revocation_never_leaves_a_live_token, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    for round in 0..10 {
        let token = refresh_token(user.id, Uuid::now_v7(), at(1));
        stores.refresh_tokens.insert(&token).await.expect("insert");
        let next = successor(&token, 2);
        let (rotating, revoking) = (Arc::clone(&stores.refresh_tokens), Arc::clone(&stores.refresh_tokens));
        let (presented, candidate) = (token.token_fingerprint.clone(), next.clone());
        let rotation = tokio::spawn(async move { rotating.rotate(&presented, &candidate, at(2)).await.expect("rotate") });
        let family = token.family_id;
        let revocation = tokio::spawn(async move { revoking.revoke_family(family, at(2)).await.expect("revoke") });
        let (_, _) = (rotation.await.expect("joined"), revocation.await.expect("joined"));

        let stored = stores.refresh_tokens.find(&next.token_fingerprint).await.expect("find");
        assert!(stored.is_none_or(|t| t.revoked_at.is_some()), "round {round}: the successor survived its family's revocation");
    }
});

conformance!(revoking_a_family_revokes_only_its_live_tokens, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let first = refresh_token(user.id, Uuid::now_v7(), at(1));
    let outsider = refresh_token(user.id, Uuid::now_v7(), at(1));
    stores.refresh_tokens.insert(&first).await.expect("insert");
    stores.refresh_tokens.insert(&outsider).await.expect("insert");
    let second = successor(&first, 3);
    assert_eq!(stores.refresh_tokens.rotate(&first.token_fingerprint, &second, at(3)).await, Ok(true));

    assert_eq!(stores.refresh_tokens.revoke_family(first.family_id, at(10)).await, Ok(2));
    assert_eq!(stores.refresh_tokens.revoke_family(first.family_id, at(11)).await, Ok(0));
    for token in [&first, &second] {
        let stored = stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find").expect("exists");
        assert_eq!(stored.revoked_at, Some(at(10)));
    }
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
    let theirs = refresh_token(other.id, Uuid::now_v7(), at(1));
    for token in mine.iter().chain([&theirs]) {
        stores.refresh_tokens.insert(token).await.expect("insert");
    }

    assert_eq!(stores.refresh_tokens.revoke_all_for_user(user.id, at(10)).await, Ok(2));
    assert_eq!(stores.refresh_tokens.revoke_all_for_user(user.id, at(11)).await, Ok(0));
    let mut revoked_at = Vec::new();
    for token in &mine {
        revoked_at.push(stores.refresh_tokens.find(&token.token_fingerprint).await.expect("find").and_then(|t| t.revoked_at));
    }
    assert_eq!(revoked_at, [Some(at(10)), Some(at(10)), Some(at(3))]);
    assert_eq!(stores.refresh_tokens.find(&theirs.token_fingerprint).await.expect("find"), Some(theirs.clone()));
    // A revoked user's family cannot rotate any more.
    assert_eq!(stores.refresh_tokens.rotate(&mine[0].token_fingerprint, &successor(&mine[0], 12), at(12)).await, Ok(false));
});
