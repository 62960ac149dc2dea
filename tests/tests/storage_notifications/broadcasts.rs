//! Broadcasts: round trips of each audience, recipients (active customers of the audience, by id,
//! after a cursor), counts, leases on claims (also racing claimers) and saved progress.
use std::sync::Arc;

use sabil_core::domain::address::{Address, AddressDetails, AddressFields, AddressId, AddressKind};
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, MapPoint};
use sabil_core::domain::notifications::{Audience, Broadcast, BroadcastId, BroadcastStatus, Recipient};
use sabil_core::domain::{Currency, Language, LocalizedText, Money, Role, UserId, UserStatus};
use sabil_core::error::RepoError;
use sabil_tests::fixtures::at;
use sabil_tests::{Stores, conformance};
use uuid::Uuid;

use crate::{account, customer};

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} بالعربية"), en: en.to_owned() }
}

fn broadcast(admin: UserId, audience: Audience, seconds: i64) -> Broadcast {
    Broadcast {
        id: BroadcastId(Uuid::now_v7()),
        title: text("Ramadan hours"),
        body: text("We deliver until 2 am during Ramadan."),
        audience,
        status: BroadcastStatus::Queued,
        total: None,
        processed: 0,
        sent: 0,
        failed: 0,
        after: None,
        attempts: 0,
        last_error: None,
        available_at: at(seconds),
        created_by: admin,
        created_at: at(seconds),
        updated_at: at(seconds),
        finished_at: None,
    }
}

async fn admin(stores: &Stores) -> UserId {
    account(stores, "+96550003999", Role::Admin, UserStatus::Active, Language::En).await
}

async fn area(stores: &Stores, name: &str) -> DeliveryAreaId {
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: text(name),
        boundary: None,
        delivery_fee: Money::new(500, Currency::Aed),
        minimum_order: Money::new(2_000, Currency::Aed),
        active: true,
        created_at: at(0),
        updated_at: at(0),
    };
    stores.delivery_areas.create(&area).await.expect("create the area");
    area.id
}

async fn address_in(stores: &Stores, owner: UserId, area: DeliveryAreaId) {
    let fields = AddressFields {
        label: Some("Home".into()),
        block: Some("3".into()),
        street: Some("Street 12".into()),
        house: Some("14A".into()),
        ..AddressFields::default()
    };
    let address = Address {
        id: AddressId(Uuid::now_v7()),
        user_id: owner,
        sap_id: None,
        details: AddressDetails::parse(AddressKind::House, &fields).expect("valid house"),
        location: MapPoint { latitude: 24.45, longitude: 54.37 },
        area_id: area,
        created_at: at(1),
        updated_at: at(1),
    };
    assert!(stores.addresses.create(&address, 10).await.expect("create the address"));
}

conformance!(broadcasts_round_trip_with_each_audience, |stores| async move {
    let admin = admin(&stores).await;
    let area = area(&stores, "Khalifa City").await;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    for audience in [Audience::AllCustomers, Audience::Area(area), Audience::users(&[b, a, b]).unwrap()] {
        let b = broadcast(admin, audience, 1);
        stores.broadcasts.create(&b).await.expect("create");
        assert_eq!(stores.broadcasts.get(b.id).await.unwrap(), Some(b.clone()));
        assert!(matches!(stores.broadcasts.create(&b).await, Err(RepoError::Conflict(_))), "the id is taken");
    }
    assert_eq!(stores.broadcasts.get(BroadcastId(Uuid::now_v7())).await.unwrap(), None);
});

conformance!(a_broadcast_to_an_unknown_area_is_a_conflict, |stores| async move {
    let admin = admin(&stores).await;
    let refused = stores.broadcasts.create(&broadcast(admin, Audience::Area(DeliveryAreaId(Uuid::now_v7())), 1)).await;
    assert!(matches!(refused, Err(RepoError::Conflict(_))), "{refused:?}");
});

conformance!(recipients_are_the_active_customers_by_id_after_the_cursor, |stores| async move {
    let admin = admin(&stores).await;
    let fatima = customer(&stores, "+96550003001").await;
    let omar = account(&stores, "+96550003002", Role::Customer, UserStatus::Active, Language::En).await;
    account(&stores, "+96550003003", Role::Customer, UserStatus::Unverified, Language::Ar).await;
    account(&stores, "+96550003004", Role::Customer, UserStatus::Blocked, Language::Ar).await;
    let layla = customer(&stores, "+96550003005").await;
    let all = broadcast(admin, Audience::AllCustomers, 1);
    stores.broadcasts.create(&all).await.unwrap();
    assert_eq!(stores.broadcasts.count_recipients(all.id, &all.audience).await.unwrap(), 3);
    let first = stores.broadcasts.recipients(all.id, &all.audience, None, 2).await.unwrap();
    assert_eq!(first, vec![Recipient { user_id: fatima, language: Language::Ar }, Recipient { user_id: omar, language: Language::En }]);
    let rest = stores.broadcasts.recipients(all.id, &all.audience, Some(omar), 2).await.unwrap();
    assert_eq!(rest, vec![Recipient { user_id: layla, language: Language::Ar }]);
    assert!(stores.broadcasts.recipients(all.id, &all.audience, Some(layla), 2).await.unwrap().is_empty());
});

conformance!(an_area_reaches_its_customers_once_and_a_list_only_the_listed, |stores| async move {
    let admin = admin(&stores).await;
    let (here, there) = (area(&stores, "Khalifa City").await, area(&stores, "Al Reem").await);
    let (a, b, c) =
        (customer(&stores, "+96550003011").await, customer(&stores, "+96550003012").await, customer(&stores, "+96550003013").await);
    address_in(&stores, a, here).await;
    address_in(&stores, a, here).await;
    address_in(&stores, b, there).await;
    address_in(&stores, c, here).await;
    address_in(&stores, c, there).await;
    let by_area = broadcast(admin, Audience::Area(here), 1);
    stores.broadcasts.create(&by_area).await.unwrap();
    let ids = |r: Vec<Recipient>| r.into_iter().map(|r| r.user_id).collect::<Vec<_>>();
    assert_eq!(stores.broadcasts.count_recipients(by_area.id, &by_area.audience).await.unwrap(), 2);
    assert_eq!(ids(stores.broadcasts.recipients(by_area.id, &by_area.audience, None, 10).await.unwrap()), vec![a, c]);

    let listed = broadcast(admin, Audience::users(&[c.0, Uuid::now_v7(), b.0, admin.0]).unwrap(), 2);
    stores.broadcasts.create(&listed).await.unwrap();
    assert_eq!(
        stores.broadcasts.count_recipients(listed.id, &listed.audience).await.unwrap(),
        2,
        "unknown ids and admins are no recipients"
    );
    assert_eq!(ids(stores.broadcasts.recipients(listed.id, &listed.audience, None, 10).await.unwrap()), vec![b, c]);
    assert_eq!(ids(stores.broadcasts.recipients(listed.id, &listed.audience, Some(b), 10).await.unwrap()), vec![c]);
});

conformance!(a_claim_is_a_lease_and_saved_progress_releases_it, |stores| async move {
    let admin = admin(&stores).await;
    let older = broadcast(admin, Audience::AllCustomers, 1);
    let newer = broadcast(admin, Audience::AllCustomers, 2);
    let later = Broadcast { available_at: at(100), ..broadcast(admin, Audience::AllCustomers, 0) };
    for b in [&newer, &older, &later] {
        stores.broadcasts.create(b).await.unwrap();
    }
    let claimed = stores.broadcasts.claim_due(at(10), at(70)).await.unwrap().expect("the oldest due");
    assert_eq!(claimed.id, older.id);
    assert_eq!(stores.broadcasts.claim_due(at(10), at(70)).await.unwrap().map(|b| b.id), Some(newer.id), "the older is leased");
    assert_eq!(stores.broadcasts.claim_due(at(20), at(80)).await.unwrap(), None, "both leased, the third not due");

    let progress = Broadcast {
        status: BroadcastStatus::Sending,
        total: Some(1200),
        processed: 500,
        sent: 640,
        failed: 3,
        after: Some(UserId(Uuid::now_v7())),
        attempts: 1,
        last_error: Some("provider unavailable: 503".into()),
        available_at: at(30),
        updated_at: at(25),
        ..claimed
    };
    stores.broadcasts.save_progress(&progress).await.unwrap();
    assert_eq!(stores.broadcasts.get(older.id).await.unwrap(), Some(progress.clone()));
    assert_eq!(stores.broadcasts.claim_due(at(29), at(90)).await.unwrap(), None, "released, but due at 30");
    assert_eq!(stores.broadcasts.claim_due(at(30), at(90)).await.unwrap(), Some(progress.clone()));

    let done = Broadcast { status: BroadcastStatus::Done, finished_at: Some(at(31)), ..progress };
    stores.broadcasts.save_progress(&done).await.unwrap();
    assert_eq!(stores.broadcasts.claim_due(at(75), at(140)).await.unwrap().map(|b| b.id), Some(newer.id), "lease of the newer expired");
    assert_eq!(
        stores.broadcasts.claim_due(at(100), at(160)).await.unwrap().map(|b| b.id),
        Some(later.id),
        "a done broadcast is never claimed"
    );
    let unknown = Broadcast { id: BroadcastId(Uuid::now_v7()), ..done };
    assert_eq!(stores.broadcasts.save_progress(&unknown).await, Err(RepoError::NotFound));
});

conformance!(racing_claimers_never_get_the_same_broadcast, |stores| async move {
    let admin = admin(&stores).await;
    stores.broadcasts.create(&broadcast(admin, Audience::AllCustomers, 1)).await.unwrap();
    let stores = Arc::new(stores);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let stores = stores.clone();
            tokio::spawn(async move { stores.broadcasts.claim_due(at(10), at(70)).await })
        })
        .collect();
    let mut claimed = 0;
    for t in tasks {
        if t.await.unwrap().expect("claim").is_some() {
            claimed += 1;
        }
    }
    assert_eq!(claimed, 1);
});
