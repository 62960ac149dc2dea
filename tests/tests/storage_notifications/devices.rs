//! Devices: upserted by token, many per user, a token moving to the user who registers it last,
//! removed by their owner only, or forgotten whoever owns them.
use sabil_core::domain::notifications::Platform;
use sabil_core::domain::{Language, UserId};
use sabil_core::error::RepoError;
use sabil_tests::conformance;
use uuid::Uuid;

use crate::{customer, device, token};

conformance!(a_user_may_have_many_devices_listed_oldest_first, |stores| async move {
    let fatima = customer(&stores, "+96550001001").await;
    let phone = device(fatima, "fcm-phone", Platform::Android, Language::Ar, 1);
    let tablet = device(fatima, "fcm-tablet", Platform::Ios, Language::En, 2);
    stores.devices.register(&tablet).await.expect("tablet");
    stores.devices.register(&phone).await.expect("phone");
    assert_eq!(stores.devices.of_user(fatima).await.unwrap(), vec![phone, tablet]);
});

conformance!(registering_a_known_token_again_refreshes_it_and_keeps_its_first_registration, |stores| async move {
    let fatima = customer(&stores, "+96550001002").await;
    stores.devices.register(&device(fatima, "fcm-1", Platform::Android, Language::Ar, 1)).await.expect("first");
    stores.devices.register(&device(fatima, "fcm-1", Platform::Web, Language::En, 5)).await.expect("again");
    let mut expected = device(fatima, "fcm-1", Platform::Web, Language::En, 5);
    expected.created_at = sabil_tests::fixtures::at(1);
    assert_eq!(stores.devices.of_user(fatima).await.unwrap(), vec![expected]);
});

conformance!(a_token_registered_by_another_user_moves_to_them, |stores| async move {
    let (fatima, omar) = (customer(&stores, "+96550001003").await, customer(&stores, "+96550001004").await);
    stores.devices.register(&device(fatima, "shared-phone", Platform::Android, Language::Ar, 1)).await.expect("fatima");
    stores.devices.register(&device(omar, "shared-phone", Platform::Android, Language::En, 2)).await.expect("omar");
    assert!(stores.devices.of_user(fatima).await.unwrap().is_empty(), "the token left fatima");
    let omars = stores.devices.of_user(omar).await.unwrap();
    assert_eq!(omars.len(), 1);
    assert_eq!((omars[0].user_id, omars[0].language), (omar, Language::En));
});

conformance!(only_the_owner_removes_a_device_and_forgetting_ignores_the_owner, |stores| async move {
    let (fatima, omar) = (customer(&stores, "+96550001005").await, customer(&stores, "+96550001006").await);
    stores.devices.register(&device(fatima, "fcm-a", Platform::Ios, Language::Ar, 1)).await.expect("a");
    stores.devices.register(&device(fatima, "fcm-b", Platform::Ios, Language::Ar, 2)).await.expect("b");
    assert!(!stores.devices.unregister(omar, &token("fcm-a")).await.unwrap(), "not omar's device");
    assert_eq!(stores.devices.of_user(fatima).await.unwrap().len(), 2);
    assert!(stores.devices.unregister(fatima, &token("fcm-a")).await.unwrap());
    assert!(!stores.devices.unregister(fatima, &token("fcm-a")).await.unwrap(), "already gone");
    assert!(stores.devices.forget(&token("fcm-b")).await.unwrap());
    assert!(!stores.devices.forget(&token("fcm-b")).await.unwrap());
    assert!(stores.devices.of_user(fatima).await.unwrap().is_empty());
});

conformance!(devices_of_several_users_come_by_user, |stores| async move {
    let (a, b, c) =
        (customer(&stores, "+96550001007").await, customer(&stores, "+96550001008").await, customer(&stores, "+96550001009").await);
    stores.devices.register(&device(b, "b-1", Platform::Android, Language::Ar, 1)).await.expect("b1");
    stores.devices.register(&device(a, "a-1", Platform::Android, Language::En, 2)).await.expect("a1");
    stores.devices.register(&device(c, "c-1", Platform::Android, Language::Ar, 3)).await.expect("c1");
    stores.devices.register(&device(b, "b-2", Platform::Web, Language::Ar, 4)).await.expect("b2");
    let found = stores.devices.of_users(&[b, a]).await.unwrap();
    let tokens: Vec<(UserId, &str)> = found.iter().map(|d| (d.user_id, d.token.as_str())).collect();
    assert_eq!(tokens, vec![(a, "a-1"), (b, "b-1"), (b, "b-2")]);
    assert!(stores.devices.of_users(&[]).await.unwrap().is_empty());
});

conformance!(a_device_of_an_unknown_user_is_a_conflict, |stores| async move {
    let stranger = UserId(Uuid::now_v7());
    let refused = stores.devices.register(&device(stranger, "fcm-x", Platform::Android, Language::Ar, 1)).await;
    assert!(matches!(refused, Err(RepoError::Conflict(_))), "{refused:?}");
});

conformance!(forgetting_a_user_removes_all_their_devices_and_no_one_elses, |stores| async move {
    let (fatima, omar) = (customer(&stores, "+96550001020").await, customer(&stores, "+96550001021").await);
    stores.devices.register(&device(fatima, "f-phone", Platform::Android, Language::Ar, 1)).await.expect("phone");
    stores.devices.register(&device(fatima, "f-tablet", Platform::Ios, Language::Ar, 2)).await.expect("tablet");
    stores.devices.register(&device(omar, "o-phone", Platform::Android, Language::En, 3)).await.expect("omar");
    assert_eq!(stores.devices.forget_user(fatima).await.unwrap(), 2);
    assert!(stores.devices.of_user(fatima).await.unwrap().is_empty());
    assert_eq!(stores.devices.of_user(omar).await.unwrap().len(), 1, "omar keeps his");
    assert_eq!(stores.devices.forget_user(fatima).await.unwrap(), 0, "nothing left to remove");
});
