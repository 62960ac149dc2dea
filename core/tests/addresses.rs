//! Behaviour of `AddressService` on the in-memory fakes: which delivery area an address lands in
//! (found from the pin or chosen), who may manage addresses, ownership, and the per-customer cap.
// Built only with the fakes (`--features testing`), like the other service tests.
#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sabil_core::domain::address::{AddressDetails, AddressFields, AddressId, AddressKind};
use sabil_core::domain::delivery::{AreaBoundary, DeliveryArea, DeliveryAreaId, MapPoint};
use sabil_core::domain::{
    AccessClaims, Currency, FullName, Language, LocalizedText, Money, NewUser, PageRequest, PasswordHash, Phone, Role, Subject, UserId,
    UserStatus,
};
use sabil_core::ports::Clock as _;
use sabil_core::services::{AddressError, AddressInput, AddressService, AddressSettings};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::datetime;
use uuid::Uuid;

struct World {
    fakes: FakeWorld,
    addresses: AddressService,
}

fn world() -> World {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    let addresses = AddressService::new(fakes.ports.clone(), AddressSettings { max_per_customer: 3 });
    World { fakes, addresses }
}

fn at(longitude: f64, latitude: f64) -> MapPoint {
    MapPoint { latitude, longitude }
}

/// A square area `[min, max]` in both coordinates, or one without a boundary.
fn area(name: &str, square: Option<(f64, f64)>, active: bool) -> DeliveryArea {
    let boundary = square.map(|(min, max)| {
        let ring = [(min, min), (max, min), (max, max), (min, max), (min, min)].map(|(lon, lat)| at(lon, lat)).to_vec();
        AreaBoundary::parse(vec![vec![ring]]).expect("valid square")
    });
    DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: LocalizedText { ar: name.to_owned(), en: name.to_owned() },
        boundary,
        delivery_fee: Money::new(500, Currency::Aed),
        minimum_order: Money::new(2_000, Currency::Aed),
        active,
        created_at: datetime!(2026-01-01 0:00 UTC),
        updated_at: datetime!(2026-01-01 0:00 UTC),
    }
}

fn house() -> AddressDetails {
    let fields = AddressFields {
        label: Some("Home".into()),
        block: Some("3".into()),
        street: Some("Street 12".into()),
        house: Some("14".into()),
        ..AddressFields::default()
    };
    AddressDetails::parse(AddressKind::House, &fields).expect("valid house")
}

fn input(location: MapPoint, area_id: Option<DeliveryAreaId>) -> AddressInput {
    AddressInput { details: house(), location, area_id }
}

impl World {
    async fn add_area(&self, a: DeliveryArea) -> DeliveryAreaId {
        self.fakes.ports.delivery_areas.create(&a).await.expect("area stored");
        a.id
    }

    /// Claims of a new account with this role and status, as the API would pass them.
    async fn account(&self, phone: &str, role: Role, status: UserStatus) -> AccessClaims {
        let now = self.fakes.clock.now();
        let user = NewUser {
            id: UserId(Uuid::now_v7()),
            phone: Phone::parse(phone).expect("phone"),
            full_name: FullName::parse("Fatima Al-Sabah").expect("name"),
            password_hash: PasswordHash("hash".into()),
            role,
            status: if status == UserStatus::Blocked { UserStatus::Active } else { status },
            language: Language::Ar,
            location: None,
            now,
        };
        let stored = self.fakes.ports.users.create(&user).await.expect("user stored");
        if status == UserStatus::Blocked {
            self.fakes.ports.users.set_status(stored.id, UserStatus::Blocked, now).await.expect("blocked");
        }
        AccessClaims { subject: Subject::User(stored.id), role, issued_at: now, expires_at: now + time::Duration::minutes(15) }
    }

    async fn customer(&self, phone: &str) -> AccessClaims {
        self.account(phone, Role::Customer, UserStatus::Active).await
    }
}

#[tokio::test]
async fn the_first_active_area_containing_the_pin_serves_the_address() {
    let w = world();
    w.add_area(area("A closed", Some((0.0, 10.0)), false)).await;
    let served = w.add_area(area("B open", Some((5.0, 15.0)), true)).await;
    w.add_area(area("C later", Some((5.0, 15.0)), true)).await;
    w.add_area(area("D chosen only", None, true)).await;
    let me = w.customer("+96550001234").await;

    let address = w.addresses.create(&me, input(at(7.0, 7.0), None)).await.expect("created");
    assert_eq!(address.area_id, served, "inactive and boundary-less areas are skipped, then the first by name wins");
    assert_eq!(address.created_at, w.fakes.clock.now());
    assert_eq!(w.addresses.create(&me, input(at(2.0, 2.0), None)).await, Err(AddressError::OutsideDeliveryArea));
}

#[tokio::test]
async fn a_chosen_area_must_exist_be_active_and_contain_the_pin() {
    let w = world();
    let open = w.add_area(area("Open", Some((0.0, 10.0)), true)).await;
    let closed = w.add_area(area("Closed", Some((0.0, 10.0)), false)).await;
    let unmapped = w.add_area(area("No map", None, true)).await;
    let me = w.customer("+96550001234").await;

    let unknown = Some(DeliveryAreaId(Uuid::now_v7()));
    assert_eq!(w.addresses.create(&me, input(at(5.0, 5.0), unknown)).await, Err(AddressError::AreaUnknown));
    assert_eq!(w.addresses.create(&me, input(at(5.0, 5.0), Some(closed))).await, Err(AddressError::AreaInactive));
    assert_eq!(w.addresses.create(&me, input(at(20.0, 20.0), Some(open))).await, Err(AddressError::OutsideChosenArea));
    let on_edge = w.addresses.create(&me, input(at(10.0, 5.0), Some(open))).await.expect("the boundary counts as inside");
    assert_eq!(on_edge.area_id, open);
    let chosen = w.addresses.create(&me, input(at(20.0, 20.0), Some(unmapped))).await.expect("nothing to check against");
    assert_eq!(chosen.area_id, unmapped);
}

#[tokio::test]
async fn only_active_customers_manage_addresses() {
    let w = world();
    w.add_area(area("Open", Some((0.0, 10.0)), true)).await;
    let admin = w.account("+96550000001", Role::Admin, UserStatus::Active).await;
    let blocked = w.account("+96550000002", Role::Customer, UserStatus::Blocked).await;
    let page = PageRequest { limit: 20, cursor: None };
    assert_eq!(w.addresses.list(&admin, page).await, Err(AddressError::NotAllowed));
    assert_eq!(w.addresses.create(&blocked, input(at(5.0, 5.0), None)).await, Err(AddressError::AccountBlocked));

    let me = w.customer("+96550001234").await;
    let gone = AccessClaims { subject: Subject::User(UserId(Uuid::now_v7())), ..me };
    assert_eq!(w.addresses.list(&gone, page).await, Err(AddressError::NotAllowed), "an account that no longer exists");
}

#[tokio::test]
async fn another_customers_address_cannot_be_seen_changed_or_deleted() {
    let w = world();
    w.add_area(area("Open", Some((0.0, 10.0)), true)).await;
    let me = w.customer("+96550001234").await;
    let stranger = w.customer("+96550009876").await;
    let mine = w.addresses.create(&me, input(at(5.0, 5.0), None)).await.expect("created");

    assert_eq!(w.addresses.get(&stranger, mine.id).await, Err(AddressError::AddressNotFound));
    // The area is not even looked at: a pin outside every area still answers "not found".
    assert_eq!(w.addresses.update(&stranger, mine.id, input(at(50.0, 50.0), None)).await, Err(AddressError::AddressNotFound));
    assert_eq!(w.addresses.delete(&stranger, mine.id).await, Err(AddressError::AddressNotFound));
    assert_eq!(w.addresses.get(&me, mine.id).await, Ok(mine));
    assert_eq!(w.addresses.get(&me, AddressId(Uuid::now_v7())).await, Err(AddressError::AddressNotFound));
}

#[tokio::test]
async fn an_update_moves_the_address_to_the_area_of_its_new_pin() {
    let w = world();
    let west = w.add_area(area("West", Some((0.0, 10.0)), true)).await;
    let east = w.add_area(area("East", Some((20.0, 30.0)), true)).await;
    let me = w.customer("+96550001234").await;
    let created = w.addresses.create(&me, input(at(5.0, 5.0), None)).await.expect("created");
    assert_eq!(created.area_id, west);

    w.fakes.clock.advance(time::Duration::minutes(5));
    let moved = w.addresses.update(&me, created.id, input(at(25.0, 25.0), None)).await.expect("updated");
    assert_eq!((moved.area_id, moved.created_at, moved.updated_at), (east, created.created_at, w.fakes.clock.now()));
    assert_eq!(w.addresses.get(&me, created.id).await, Ok(moved));
    assert_eq!(w.addresses.update(&me, created.id, input(at(50.0, 50.0), None)).await, Err(AddressError::OutsideDeliveryArea));
}

#[tokio::test]
async fn a_customer_keeps_at_most_the_configured_number_of_addresses() {
    let w = world();
    w.add_area(area("Open", Some((0.0, 10.0)), true)).await;
    let me = w.customer("+96550001234").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(w.addresses.create(&me, input(at(5.0, 5.0), None)).await.expect("created").id);
    }
    assert_eq!(w.addresses.create(&me, input(at(5.0, 5.0), None)).await, Err(AddressError::LimitReached { limit: 3 }));
    w.addresses.delete(&me, ids[0]).await.expect("deleted");
    assert!(w.addresses.create(&me, input(at(5.0, 5.0), None)).await.is_ok(), "room again after a delete");
    assert_eq!(w.addresses.delete(&me, ids[0]).await, Err(AddressError::AddressNotFound), "deleted once");
}
