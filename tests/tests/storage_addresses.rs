//! Conformance of `AddressRepository` on every backend: round trips of each kind of address,
//! ownership scoping, paging, replacement, deletion, the per-customer cap (also under racing
//! creations), and the references to the owner and the delivery area.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use sabil_core::domain::address::{Address, AddressDetails, AddressFields, AddressId, AddressKind};
use sabil_core::domain::delivery::{AreaBoundary, DeliveryArea, DeliveryAreaId, MapPoint};
use sabil_core::domain::{Currency, LocalizedText, Money, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_tests::fixtures::{at, create_user};
use sabil_tests::{Stores, conformance};
use uuid::Uuid;

fn fields(label: &str) -> AddressFields {
    AddressFields {
        label: Some(label.to_owned()),
        block: Some("3".to_owned()),
        street: Some("Street 12".to_owned()),
        ..AddressFields::default()
    }
}

fn house(label: &str) -> AddressDetails {
    AddressDetails::parse(AddressKind::House, &AddressFields { house: Some("14A".into()), ..fields(label) }).expect("valid house")
}

fn apartment() -> AddressDetails {
    let f = AddressFields {
        avenue: Some("Avenue 4".into()),
        building: Some("7".into()),
        floor: Some("G".into()),
        apartment: Some("12".into()),
        directions: Some("Blue gate next to the mosque.\nRing twice.".into()),
        ..fields("بيت العائلة")
    };
    AddressDetails::parse(AddressKind::Apartment, &f).expect("valid apartment")
}

fn office() -> AddressDetails {
    let f = AddressFields { building: Some("Tower 2".into()), floor: Some("14".into()), office: Some("1403".into()), ..fields("Work") };
    AddressDetails::parse(AddressKind::Office, &f).expect("valid office")
}

/// Coordinates with more decimals than a float's text form would keep by accident.
const POINT: MapPoint = MapPoint { latitude: 24.453_912_345_678_9, longitude: 54.377_412_345_678_9 };

async fn create_area(stores: &Stores) -> DeliveryAreaId {
    let ring = [(54.3, 24.4), (54.5, 24.4), (54.5, 24.6), (54.3, 24.6), (54.3, 24.4)]
        .map(|(longitude, latitude)| MapPoint { latitude, longitude })
        .to_vec();
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: LocalizedText { ar: "جزيرة الريم".into(), en: "Al Reem Island".into() },
        boundary: Some(AreaBoundary::parse(vec![vec![ring]]).expect("valid boundary")),
        delivery_fee: Money::new(500, Currency::Aed),
        minimum_order: Money::new(2_000, Currency::Aed),
        active: true,
        created_at: at(0),
        updated_at: at(0),
    };
    stores.delivery_areas.create(&area).await.expect("create the area");
    area.id
}

fn address(owner: UserId, area: DeliveryAreaId, details: AddressDetails) -> Address {
    Address {
        id: AddressId(Uuid::now_v7()),
        user_id: owner,
        sap_id: None,
        details,
        location: POINT,
        area_id: area,
        created_at: at(1),
        updated_at: at(2),
    }
}

/// A customer and an area to put their addresses in.
async fn owner_and_area(stores: &Stores, phone: &str) -> (UserId, DeliveryAreaId) {
    (create_user(stores, phone, at(0)).await.id, create_area(stores).await)
}

const LIMIT: u32 = 20;

conformance!(each_kind_of_address_reads_back_with_every_field, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001001").await;
    let mut with_sap = address(owner, area, apartment());
    with_sap.sap_id = Some("ADDR-0001".into());
    for a in [address(owner, area, house("Home")), with_sap, address(owner, area, office())] {
        assert!(stores.addresses.create(&a, LIMIT).await.expect("create"), "under the limit");
        assert_eq!(stores.addresses.get(owner, a.id).await.expect("get"), Some(a));
    }
    assert_eq!(stores.addresses.get(owner, AddressId(Uuid::now_v7())).await.expect("get"), None);
});

conformance!(another_customers_address_is_as_good_as_missing, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001002").await;
    let stranger = create_user(&stores, "+96550001003", at(0)).await.id;
    let mine = address(owner, area, house("Home"));
    stores.addresses.create(&mine, LIMIT).await.expect("create");

    assert_eq!(stores.addresses.get(stranger, mine.id).await.expect("get"), None);
    let page = stores.addresses.list(stranger, PageRequest { limit: 20, cursor: None }).await.expect("list");
    assert!(page.items.is_empty());
    let hijack = Address { user_id: stranger, details: office(), ..mine.clone() };
    assert_eq!(stores.addresses.update(&hijack).await, Err(RepoError::NotFound));
    assert_eq!(stores.addresses.delete(stranger, mine.id).await, Err(RepoError::NotFound));
    assert_eq!(stores.addresses.get(owner, mine.id).await.expect("get"), Some(mine), "untouched");
});

conformance!(addresses_list_oldest_first_in_pages, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001004").await;
    let (other, _) = owner_and_area(&stores, "+96550001005").await;
    stores.addresses.create(&address(other, area, house("Not mine")), LIMIT).await.expect("create");
    let mut ids = Vec::new();
    for n in 0..5 {
        let a = address(owner, area, house(&format!("Home {n}")));
        stores.addresses.create(&a, LIMIT).await.expect("create");
        ids.push(a.id);
    }
    let first = stores.addresses.list(owner, PageRequest { limit: 2, cursor: None }).await.expect("page 1");
    assert_eq!(first.items.iter().map(|a| a.id).collect::<Vec<_>>(), ids[..2]);
    let second = stores.addresses.list(owner, PageRequest { limit: 2, cursor: first.next_cursor }).await.expect("page 2");
    assert_eq!(second.items.iter().map(|a| a.id).collect::<Vec<_>>(), ids[2..4]);
    let last = stores.addresses.list(owner, PageRequest { limit: 2, cursor: second.next_cursor }).await.expect("page 3");
    assert_eq!(last.items.iter().map(|a| a.id).collect::<Vec<_>>(), ids[4..]);
    assert_eq!(last.next_cursor, None);
    let all = stores.addresses.list(owner, PageRequest { limit: 20, cursor: None }).await.expect("all");
    assert_eq!((all.items.len(), all.next_cursor), (5, None));
});

conformance!(replacing_an_address_keeps_its_owner_sap_id_and_creation_time, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001006").await;
    let other_area = create_area(&stores).await;
    let mut original = address(owner, area, house("Home"));
    original.sap_id = Some("ADDR-0002".into());
    stores.addresses.create(&original, LIMIT).await.expect("create");

    let changed = Address {
        sap_id: Some("ADDR-9999".into()),
        details: office(),
        location: MapPoint { latitude: 24.5, longitude: 54.4 },
        area_id: other_area,
        created_at: at(99),
        updated_at: at(50),
        ..original.clone()
    };
    stores.addresses.update(&changed).await.expect("update");
    let expected = Address { sap_id: original.sap_id.clone(), created_at: original.created_at, ..changed };
    assert_eq!(stores.addresses.get(owner, original.id).await.expect("get"), Some(expected.clone()));
    assert_eq!(expected.details.premises.house(), None, "the house number went with the kind");

    let unknown = Address { id: AddressId(Uuid::now_v7()), ..original.clone() };
    assert_eq!(stores.addresses.update(&unknown).await, Err(RepoError::NotFound));
    let nowhere = Address { area_id: DeliveryAreaId(Uuid::now_v7()), ..original };
    assert!(matches!(stores.addresses.update(&nowhere).await, Err(RepoError::Conflict(_))), "the area must exist");
});

conformance!(deleting_an_address_removes_it, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001007").await;
    let keep = address(owner, area, house("Keep"));
    let gone = address(owner, area, office());
    for a in [&keep, &gone] {
        stores.addresses.create(a, LIMIT).await.expect("create");
    }
    stores.addresses.delete(owner, gone.id).await.expect("delete");
    assert_eq!(stores.addresses.get(owner, gone.id).await.expect("get"), None);
    assert_eq!(stores.addresses.delete(owner, gone.id).await, Err(RepoError::NotFound), "only once");
    let left = stores.addresses.list(owner, PageRequest { limit: 20, cursor: None }).await.expect("list");
    assert_eq!(left.items, vec![keep]);
});

conformance!(a_customer_cannot_go_past_the_limit, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001008").await;
    let (other, _) = owner_and_area(&stores, "+96550001009").await;
    let mut stored = Vec::new();
    for n in 0..3 {
        let a = address(owner, area, house(&format!("Home {n}")));
        assert!(stores.addresses.create(&a, 3).await.expect("create"));
        stored.push(a.id);
    }
    let extra = address(owner, area, house("One too many"));
    assert!(!stores.addresses.create(&extra, 3).await.expect("refused"), "at the limit");
    assert_eq!(stores.addresses.get(owner, extra.id).await.expect("get"), None, "nothing stored");
    assert!(stores.addresses.create(&address(other, area, house("Home")), 3).await.expect("create"), "the limit is per customer");

    stores.addresses.delete(owner, stored[0]).await.expect("delete");
    assert!(stores.addresses.create(&extra, 3).await.expect("create"), "room again after a delete");
});

conformance!(thirty_racing_creations_store_exactly_the_limit, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001010").await;
    let mut racers = tokio::task::JoinSet::new();
    for n in 0..30 {
        let addresses = Arc::clone(&stores.addresses);
        let a = address(owner, area, house(&format!("Home {n}")));
        racers.spawn(async move { addresses.create(&a, LIMIT).await });
    }
    let results = racers.join_all().await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(results.iter().filter(|r| matches!(r, Ok(true))).count(), LIMIT as usize);
    let stored = stores.addresses.list(owner, PageRequest { limit: 100, cursor: None }).await.expect("list");
    assert_eq!(stored.items.len(), LIMIT as usize);
});

conformance!(an_address_needs_an_existing_owner_and_area_and_unique_ids, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001011").await;
    let orphan = address(UserId(Uuid::now_v7()), area, house("Home"));
    assert!(matches!(stores.addresses.create(&orphan, LIMIT).await, Err(RepoError::Conflict(_))), "unknown owner");
    let nowhere = address(owner, DeliveryAreaId(Uuid::now_v7()), house("Home"));
    assert!(matches!(stores.addresses.create(&nowhere, LIMIT).await, Err(RepoError::Conflict(_))), "unknown area");

    let mut first = address(owner, area, house("Home"));
    first.sap_id = Some("ADDR-0003".into());
    stores.addresses.create(&first, LIMIT).await.expect("create");
    assert!(matches!(stores.addresses.create(&first, LIMIT).await, Err(RepoError::Conflict(_))), "same id");
    let twin = Address { id: AddressId(Uuid::now_v7()), ..first.clone() };
    assert!(matches!(stores.addresses.create(&twin, LIMIT).await, Err(RepoError::Conflict(_))), "SAP ids are unique");
    let page = stores.addresses.list(owner, PageRequest { limit: 20, cursor: None }).await.expect("list");
    assert_eq!(page.items, vec![first]);
});

conformance!(sql: removing_the_owner_removes_their_addresses, |stores| async move {
    let (owner, area) = owner_and_area(&stores, "+96550001012").await;
    let a = address(owner, area, house("Home"));
    stores.addresses.create(&a, LIMIT).await.expect("create");
    let db = stores.db.clone().expect("a SQL backend");
    match db {
        sabil_adapters::store::Db::Sqlite(pool) => {
            sqlx::query("DELETE FROM users WHERE id = $1").bind(owner.0).execute(&pool).await.expect("delete the user");
        }
        sabil_adapters::store::Db::Postgres(pool) => {
            sqlx::query("DELETE FROM users WHERE id = $1").bind(owner.0).execute(&pool).await.expect("delete the user");
        }
    }
    assert_eq!(stores.addresses.get(owner, a.id).await.expect("get"), None, "ON DELETE CASCADE");
});
