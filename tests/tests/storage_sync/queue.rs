//! The push queue: what is pushable (in order, never past a dead letter of the same entity), failed
//! pushes, dead letters, and an operator's retry and skip.
use sabil_core::domain::ProfileChanges;
use sabil_tests::fixtures::{at, name};
use sabil_tests::{Stores, conformance};
use uuid::Uuid;

use crate::{feed, ids, verified};

/// Renames the customer (one `update` change).
async fn rename(stores: &Stores, customer: sabil_core::domain::UserId, full_name: &str, seconds: i64) {
    let changes = ProfileChanges { full_name: Some(name(full_name)), ..ProfileChanges::default() };
    stores.users.update_profile(customer, &changes, at(seconds)).await.expect("update the profile");
}

conformance!(pushable_changes_skip_completed_and_dead_ones_and_wait_behind_a_dead_letter_of_their_entity, |stores| async move {
    let a = verified(&stores, "+96550034001", 1).await.id;
    let b = verified(&stores, "+96550034002", 2).await.id;
    rename(&stores, a, "Fatima Al-Ahmad", 3).await;
    rename(&stores, b, "Noura Al-Sabah", 4).await;
    let c = verified(&stores, "+96550034003", 5).await.id;
    let all = feed(&stores).await;
    assert_eq!(all.iter().map(|c| c.entity_id).collect::<Vec<_>>(), vec![a.0, b.0, a.0, b.0, c.0]);
    let (a1, b1, a2, b2, c1) = (all[0].id, all[1].id, all[2].id, all[3].id, all[4].id);
    assert_eq!(ids(&stores.changes.pushable(10).await.expect("pushable")), vec![a1, b1, a2, b2, c1]);

    stores.changes.confirm(&[b1], "push", at(10)).await.expect("confirm");
    stores.changes.dead_letter(a1, "SAP refused it", at(10)).await.expect("dead letter");
    // A push due later is still listed: it holds up its entity's later changes.
    stores.changes.push_failed(c1, "SAP timed out", at(3_600)).await.expect("push failed");
    assert_eq!(ids(&stores.changes.pushable(10).await.expect("pushable")), vec![b2, c1], "a2 waits behind the dead a1");
    assert_eq!(ids(&stores.changes.pushable(1).await.expect("pushable")), vec![b2], "at most the limit");

    stores.changes.skip(a1, "sent to SAP by hand", at(11)).await.expect("skip");
    assert_eq!(ids(&stores.changes.pushable(10).await.expect("pushable")), vec![a2, b2, c1], "a settled dead letter holds nothing up");
});

conformance!(a_failed_push_counts_the_attempt_and_keeps_the_error_and_when_to_try_again, |stores| async move {
    verified(&stores, "+96550035001", 1).await;
    let change = feed(&stores).await.remove(0).id;
    stores.changes.push_failed(change, "SAP answered 503", at(60)).await.expect("first failure");
    stores.changes.push_failed(change, "SAP timed out", at(180)).await.expect("second failure");
    let got = stores.changes.get(change).await.expect("get").expect("exists");
    assert_eq!((got.attempts, got.last_error.as_deref(), got.next_attempt_at), (2, Some("SAP timed out"), Some(at(180))));
    assert_eq!((got.is_completed, got.dead_at), (false, None));
});

conformance!(dead_letters_wait_for_an_operator_oldest_first, |stores| async move {
    for (n, phone) in ["+96550036001", "+96550036002", "+96550036003"].into_iter().enumerate() {
        verified(&stores, phone, i64::try_from(n).unwrap()).await;
    }
    let all = feed(&stores).await;
    stores.changes.push_failed(all[2].id, "SAP answered 503", at(30)).await.expect("push failed");
    stores.changes.dead_letter(all[2].id, "SAP refused it", at(40)).await.expect("dead letter");
    stores.changes.dead_letter(all[0].id, "SAP refused it too", at(50)).await.expect("dead letter");

    let dead = stores.changes.dead_letters(10).await.expect("dead letters");
    assert_eq!(ids(&dead), vec![all[0].id, all[2].id], "oldest change first");
    assert_eq!((dead[1].attempts, dead[1].last_error.as_deref(), dead[1].dead_at), (2, Some("SAP refused it"), Some(at(40))));
    assert_eq!((dead[0].attempts, dead[0].dead_at), (1, Some(at(50))));
    assert_eq!(ids(&stores.changes.dead_letters(1).await.expect("dead letters")), vec![all[0].id]);
    assert_eq!(ids(&stores.changes.pushable(10).await.expect("pushable")), vec![all[1].id]);
});

conformance!(retrying_puts_one_or_every_dead_letter_back_in_the_queue, |stores| async move {
    for (n, phone) in ["+96550037001", "+96550037002", "+96550037003", "+96550037004"].into_iter().enumerate() {
        verified(&stores, phone, i64::try_from(n).unwrap()).await;
    }
    let all = feed(&stores).await;
    for c in &all {
        stores.changes.dead_letter(c.id, "SAP refused it", at(10)).await.expect("dead letter");
    }
    stores.changes.confirm(&[all[3].id], "operator", at(11)).await.expect("settle one");

    assert_eq!(stores.changes.retry(Some(all[1].id), at(20)).await.expect("retry one"), 1);
    let back = stores.changes.get(all[1].id).await.expect("get").expect("exists");
    assert_eq!((back.dead_at, back.attempts, back.next_attempt_at), (None, 0, Some(at(20))));
    assert_eq!(back.last_error.as_deref(), Some("SAP refused it"), "the last error stays for the record");
    assert_eq!(stores.changes.retry(Some(all[1].id), at(21)).await.expect("retry it again"), 0, "not dead any more");
    assert_eq!(stores.changes.retry(Some(Uuid::now_v7()), at(21)).await.expect("retry unknown"), 0);
    assert_eq!(ids(&stores.changes.pushable(10).await.expect("pushable")), vec![all[1].id]);

    assert_eq!(stores.changes.retry(None, at(30)).await.expect("retry all"), 2, "settled ones are not retried");
    assert_eq!(stores.changes.retry(None, at(31)).await.expect("retry all again"), 0);
    assert!(stores.changes.dead_letters(10).await.expect("dead letters").is_empty());
    assert_eq!(ids(&stores.changes.pushable(10).await.expect("pushable")), ids(&all[..3]));
});

conformance!(skipping_settles_a_change_with_the_operators_reason, |stores| async move {
    verified(&stores, "+96550038001", 1).await;
    verified(&stores, "+96550038002", 2).await;
    let all = feed(&stores).await;
    assert!(stores.changes.skip(all[0].id, "created in SAP by hand", at(10)).await.expect("skip"));
    let skipped = stores.changes.get(all[0].id).await.expect("get").expect("exists");
    assert!(skipped.is_completed);
    assert_eq!(crate::settlement(&stores, all[0].id).await, (Some("operator".to_owned()), Some("created in SAP by hand".to_owned())));
    assert!(!stores.changes.skip(all[0].id, "again", at(11)).await.expect("skip again"), "already completed");
    assert_eq!(crate::settlement(&stores, all[0].id).await.1.as_deref(), Some("created in SAP by hand"), "the first reason kept");
    assert!(!stores.changes.skip(Uuid::now_v7(), "unknown", at(11)).await.expect("skip unknown"));
    stores.changes.confirm(&[all[1].id], "sap", at(12)).await.expect("confirm");
    assert!(!stores.changes.skip(all[1].id, "confirmed already", at(13)).await.expect("skip a confirmed one"));
    assert!(feed(&stores).await.is_empty());
});
