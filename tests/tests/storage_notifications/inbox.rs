//! In-app notifications: newest first in pages, one per user and dedupe key (and per id), the unread
//! count, marking one or all read.
use sabil_core::domain::notifications::NotificationId;
use sabil_core::domain::{PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_tests::conformance;
use sabil_tests::fixtures::at;
use uuid::Uuid;

use crate::{customer, notification};

conformance!(notifications_round_trip_and_page_newest_first, |stores| async move {
    let fatima = customer(&stores, "+96550002001").await;
    let omar = customer(&stores, "+96550002002").await;
    let mut stored = Vec::new();
    for i in 0..5 {
        let n = notification(fatima, &format!("order:{i}"), at(i));
        assert!(stores.notifications.insert(&n).await.unwrap());
        stored.push(n);
    }
    stores.notifications.insert(&notification(omar, "order:0", at(9))).await.unwrap();
    stored.reverse();
    let first = stores.notifications.list(fatima, PageRequest { limit: 2, cursor: None }).await.unwrap();
    assert_eq!(first.items, stored[..2].to_vec());
    let second = stores.notifications.list(fatima, PageRequest { limit: 2, cursor: first.next_cursor }).await.unwrap();
    assert_eq!(second.items, stored[2..4].to_vec());
    let last = stores.notifications.list(fatima, PageRequest { limit: 2, cursor: second.next_cursor }).await.unwrap();
    assert_eq!((last.items, last.next_cursor), (stored[4..].to_vec(), None));
});

conformance!(one_event_makes_one_notification_per_user, |stores| async move {
    let (fatima, omar) = (customer(&stores, "+96550002003").await, customer(&stores, "+96550002004").await);
    let first = notification(fatima, "order:1:paid", at(1));
    assert!(stores.notifications.insert(&first).await.unwrap());
    assert!(!stores.notifications.insert(&notification(fatima, "order:1:paid", at(2))).await.unwrap(), "same key again");
    assert!(!stores.notifications.insert(&first).await.unwrap(), "the same notification retried");
    assert!(stores.notifications.insert(&notification(omar, "order:1:paid", at(3))).await.unwrap(), "another user's");
    let page = stores.notifications.list(fatima, PageRequest { limit: 10, cursor: None }).await.unwrap();
    assert_eq!(page.items, vec![first]);
});

conformance!(a_batch_is_stored_but_for_what_exists_already, |stores| async move {
    let (a, b, c) =
        (customer(&stores, "+96550002005").await, customer(&stores, "+96550002006").await, customer(&stores, "+96550002007").await);
    stores.notifications.insert(&notification(b, "broadcast:1", at(1))).await.unwrap();
    let batch = vec![notification(a, "broadcast:1", at(2)), notification(b, "broadcast:1", at(2)), notification(c, "broadcast:1", at(2))];
    assert_eq!(stores.notifications.insert_many(&batch).await.unwrap(), 2);
    assert_eq!(stores.notifications.insert_many(&batch).await.unwrap(), 0, "a redone batch adds nothing");
    for user in [a, b, c] {
        assert_eq!(stores.notifications.unread_count(user).await.unwrap(), 1);
    }
    assert_eq!(stores.notifications.insert_many(&[]).await.unwrap(), 0);
});

conformance!(a_notification_for_an_unknown_user_is_a_conflict_and_its_batch_stores_nothing, |stores| async move {
    let fatima = customer(&stores, "+96550002008").await;
    let stranger = UserId(Uuid::now_v7());
    let refused = stores.notifications.insert(&notification(stranger, "k", at(1))).await;
    assert!(matches!(refused, Err(RepoError::Conflict(_))), "{refused:?}");
    let batch = [notification(fatima, "k", at(1)), notification(stranger, "k", at(1))];
    assert!(matches!(stores.notifications.insert_many(&batch).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.notifications.unread_count(fatima).await.unwrap(), 0);
});

conformance!(marking_read_counts_down_the_unread_and_keeps_the_first_read_time, |stores| async move {
    let (fatima, omar) = (customer(&stores, "+96550002009").await, customer(&stores, "+96550002010").await);
    let notes: Vec<_> = (0..3).map(|i| notification(fatima, &format!("k{i}"), at(i))).collect();
    for n in &notes {
        stores.notifications.insert(n).await.unwrap();
    }
    assert_eq!(stores.notifications.unread_count(fatima).await.unwrap(), 3);
    assert!(stores.notifications.mark_read(fatima, notes[0].id, at(10)).await.unwrap());
    assert!(stores.notifications.mark_read(fatima, notes[0].id, at(20)).await.unwrap(), "again is harmless");
    assert!(!stores.notifications.mark_read(omar, notes[1].id, at(10)).await.unwrap(), "not omar's");
    assert!(!stores.notifications.mark_read(fatima, NotificationId(Uuid::now_v7()), at(10)).await.unwrap());
    assert_eq!(stores.notifications.unread_count(fatima).await.unwrap(), 2);
    assert_eq!(stores.notifications.mark_all_read(fatima, at(30)).await.unwrap(), 2);
    assert_eq!(stores.notifications.mark_all_read(fatima, at(40)).await.unwrap(), 0);
    assert_eq!(stores.notifications.unread_count(fatima).await.unwrap(), 0);
    let page = stores.notifications.list(fatima, PageRequest { limit: 10, cursor: None }).await.unwrap();
    let read: Vec<_> = page.items.iter().map(|n| n.read_at).collect();
    assert_eq!(read, vec![Some(at(30)), Some(at(30)), Some(at(10))]);
});

conformance!(deleting_a_users_notifications_leaves_everyone_elses, |stores| async move {
    let (fatima, omar) = (customer(&stores, "+96550002020").await, customer(&stores, "+96550002021").await);
    for i in 0..3 {
        stores.notifications.insert(&notification(fatima, &format!("order:{i}"), at(i))).await.unwrap();
    }
    stores.notifications.insert(&notification(omar, "order:0", at(5))).await.unwrap();
    assert_eq!(stores.notifications.delete_for_user(fatima).await.unwrap(), 3);
    assert!(stores.notifications.list(fatima, PageRequest { limit: 10, cursor: None }).await.unwrap().items.is_empty());
    assert_eq!(stores.notifications.unread_count(omar).await.unwrap(), 1, "omar's stays");
    assert_eq!(stores.notifications.delete_for_user(fatima).await.unwrap(), 0);
});
