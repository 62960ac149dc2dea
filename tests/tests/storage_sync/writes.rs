//! The change records the account, address and order stores write for SAP: one per change of a
//! customer SAP knows (verified, never staff) or of an address, in the transaction of the change, so a
//! change that is refused or rolled back leaves none.
use sabil_core::domain::address::{Address, AddressId};
use sabil_core::domain::delivery::DeliveryAreaId;
use sabil_core::domain::{GeoLocation, Language, PasswordHash, ProfileChanges, Role, UserId, UserStatus};
use sabil_core::error::RepoError;
use sabil_core::ports::PlaceRefused;
use sabil_tests::conformance;
use sabil_tests::fixtures::{at, create_user, name, new_user};
use sabil_tests::order_fixtures::{SUNDAY, customer, new_order, open_shop, order, stored};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{LIMIT, area, changes_of, feed, house, verified};

fn customer_changes(ops: &[&'static str]) -> Vec<(String, &'static str)> {
    ops.iter().map(|op| ("customer".to_owned(), *op)).collect()
}

fn address_changes(ops: &[&'static str]) -> Vec<(String, &'static str)> {
    ops.iter().map(|op| ("address".to_owned(), *op)).collect()
}

/// The data of the latest change of `id`, and whether the backend keeps the whole entity (SQL) or
/// only its ids (the fakes).
async fn latest_data(stores: &sabil_tests::Stores, id: Uuid) -> Option<Value> {
    let last = feed(stores).await.into_iter().rfind(|c| c.entity_id == id).expect("a change");
    let data: Value = serde_json::from_str(&last.data).expect("data is JSON");
    assert_eq!(data["id"], json!(id));
    stores.db.is_some().then_some(data)
}

conformance!(verifying_a_customer_records_its_creation_for_sap, |stores| async move {
    let user = create_user(&stores, "+96550041001", at(0)).await;
    let mut again = new_user("+96550041001", at(1));
    again.id = user.id;
    stores.users.reregister(&again).await.expect("register again");
    assert!(feed(&stores).await.is_empty(), "an unverified registration is not a customer yet");

    stores.users.mark_verified(user.id, at(2)).await.expect("verify");
    assert_eq!(changes_of(&stores, user.id.0).await, customer_changes(&["create"]));
    assert_eq!(feed(&stores).await[0].created_at, at(2));
    if let Some(data) = latest_data(&stores, user.id.0).await {
        assert_eq!(
            data,
            json!({"id": user.id.0, "sapId": null, "phone": "+96550041001", "fullName": "Fatima Al-Sabah", "language": "ar",
                   "status": "active", "location": null})
        );
    }
});

conformance!(a_customer_created_active_is_recorded_at_once_but_staff_never, |stores| async move {
    let shopper = verified(&stores, "+96550042001", 1).await;
    assert_eq!(changes_of(&stores, shopper.id.0).await, customer_changes(&["create"]));
    let mut admin = new_user("+96550042002", at(2));
    (admin.role, admin.status) = (Role::Admin, UserStatus::Active);
    let admin = stores.users.create(&admin).await.expect("create the admin");
    let rename = ProfileChanges { full_name: Some(name("Staff Member")), ..ProfileChanges::default() };
    stores.users.update_profile(admin.id, &rename, at(3)).await.expect("rename");
    stores.users.set_status(admin.id, UserStatus::Blocked, at(4)).await.expect("block");
    stores.users.erase(admin.id, at(5)).await.expect("erase");
    assert!(changes_of(&stores, admin.id.0).await.is_empty());
});

conformance!(an_unverified_registration_records_nothing_whatever_happens_to_it, |stores| async move {
    let user = create_user(&stores, "+96550043001", at(0)).await;
    let rename = ProfileChanges { language: Some(Language::En), ..ProfileChanges::default() };
    stores.users.update_profile(user.id, &rename, at(1)).await.expect("update");
    stores.users.set_status(user.id, UserStatus::Blocked, at(2)).await.expect("block");
    stores.users.set_status(user.id, UserStatus::Unverified, at(3)).await.expect("unblock");
    stores.users.erase(user.id, at(4)).await.expect("erase");
    assert!(feed(&stores).await.is_empty());
});

conformance!(profile_status_and_erasure_of_a_customer_each_record_one_change, |stores| async move {
    let user = verified(&stores, "+96550044001", 1).await;
    let location = GeoLocation { latitude: 29.375_912_345_6, longitude: 47.977_412_345_6, accuracy_meters: Some(12.5) };
    let changes = ProfileChanges { full_name: Some(name("Fatima Al-Ahmad")), language: Some(Language::En), location: Some(location) };
    stores.users.update_profile(user.id, &changes, at(2)).await.expect("update the profile");
    if let Some(data) = latest_data(&stores, user.id.0).await {
        assert_eq!((&data["fullName"], &data["language"], &data["status"]), (&json!("Fatima Al-Ahmad"), &json!("en"), &json!("active")));
        assert_eq!(data["location"], json!({"latitude": 29.375_912_345_6, "longitude": 47.977_412_345_6, "accuracyMeters": 12.5}));
    }
    stores.users.set_password(user.id, &PasswordHash("another-hash".into()), at(3)).await.expect("new password");
    stores.users.set_status(user.id, UserStatus::Blocked, at(4)).await.expect("block");
    if let Some(data) = latest_data(&stores, user.id.0).await {
        assert_eq!(data["status"], json!("blocked"));
    }
    stores.users.set_status(user.id, UserStatus::Active, at(5)).await.expect("unblock");
    stores.users.erase(user.id, at(6)).await.expect("erase");
    assert_eq!(changes_of(&stores, user.id.0).await, customer_changes(&["create", "update", "update", "update", "delete"]));
    let last = feed(&stores).await.pop().expect("a change");
    assert_eq!(last.created_at, at(6));
    if let Some(data) = latest_data(&stores, user.id.0).await {
        assert_eq!((&data["status"], &data["phone"], &data["location"]), (&json!("deleted"), &Value::Null, &Value::Null));
    }
});

/// An address of `owner` in `area` and the change it wrote.
async fn create_address(stores: &sabil_tests::Stores, owner: UserId, area: DeliveryAreaId, label: &str, seconds: i64) -> Address {
    let a = house(owner, area, label, seconds);
    assert!(stores.addresses.create(&a, LIMIT).await.expect("create the address"));
    a
}

conformance!(creating_updating_and_deleting_addresses_each_record_one_change, |stores| async move {
    let owner = verified(&stores, "+96550045001", 0).await.id;
    let place = area(&stores).await;
    let home = create_address(&stores, owner, place, "Home", 1).await;
    let work = create_address(&stores, owner, place, "Work", 2).await;
    let cabin = create_address(&stores, owner, place, "Cabin", 3).await;
    if let Some(data) = latest_data(&stores, home.id.0).await {
        assert_eq!(
            data,
            json!({"id": home.id.0, "sapId": null, "customerId": owner.0, "areaId": place.0, "kind": "house", "label": "Home",
                   "block": "3", "street": "Street 12", "avenue": null, "house": "14A", "building": null, "floor": null,
                   "apartment": null, "office": null, "directions": "Blue gate", "latitude": 29.332_123_456_789,
                   "longitude": 48.071_234_567_891})
        );
    }
    let mut moved = home.clone();
    moved.details.label = sabil_core::domain::address::AddressText::from_stored("Parents".into());
    moved.updated_at = at(4);
    stores.addresses.update(&moved).await.expect("update");
    if let Some(data) = latest_data(&stores, home.id.0).await {
        assert_eq!(data["label"], json!("Parents"));
    }
    stores.addresses.delete(owner, work.id).await.expect("delete");
    assert_eq!(stores.addresses.delete_all_for(owner).await.expect("delete the rest"), 2);

    assert_eq!(changes_of(&stores, home.id.0).await, address_changes(&["create", "update", "delete"]));
    assert_eq!(changes_of(&stores, work.id.0).await, address_changes(&["create", "delete"]));
    assert_eq!(changes_of(&stores, cabin.id.0).await, address_changes(&["create", "delete"]));
    let addresses: Vec<_> = feed(&stores).await.into_iter().filter(|c| c.entity == "address").collect();
    assert_eq!(addresses.len(), 7, "one change each, nothing more");
    assert_eq!(addresses[3].created_at, at(4), "an update is recorded when it was made");
});

conformance!(a_refused_or_rolled_back_change_leaves_no_change_record, |stores| async move {
    let owner = verified(&stores, "+96550046001", 0).await;
    let place = area(&stores).await;
    let home = create_address(&stores, owner.id, place, "Home", 1).await;
    let shop = open_shop(&stores, 1).await;
    let buyer = customer(&stores, "+96550046002").await;
    stored(stores.orders.place(&new_order(order(buyer, &shop, SUNDAY, 2, 0), "k1"), at(2)).await);
    let before = feed(&stores).await;
    assert_eq!(before.len(), 3);

    let full = stores.orders.place(&new_order(order(buyer, &shop, SUNDAY, 3, 0), "k2"), at(3)).await;
    assert!(matches!(full, Err(PlaceRefused::SlotFull)), "{full:?}");
    let nowhere = house(owner.id, DeliveryAreaId(Uuid::now_v7()), "Nowhere", 4);
    assert!(matches!(stores.addresses.create(&nowhere, LIMIT).await, Err(RepoError::Conflict(_))), "unknown area");
    let orphan = house(UserId(Uuid::now_v7()), place, "Orphan", 4);
    assert!(matches!(stores.addresses.create(&orphan, LIMIT).await, Err(RepoError::Conflict(_))), "unknown owner");
    assert!(!stores.addresses.create(&house(owner.id, place, "One too many", 4), 1).await.expect("over the cap"));
    let astray = Address { area_id: DeliveryAreaId(Uuid::now_v7()), updated_at: at(5), ..home.clone() };
    assert!(matches!(stores.addresses.update(&astray).await, Err(RepoError::Conflict(_))), "update to an unknown area");
    let stranger = Address { id: AddressId(Uuid::now_v7()), ..home.clone() };
    assert_eq!(stores.addresses.update(&stranger).await, Err(RepoError::NotFound));
    assert_eq!(stores.addresses.delete(owner.id, AddressId(Uuid::now_v7())).await, Err(RepoError::NotFound));
    assert_eq!(stores.addresses.delete_all_for(UserId(Uuid::now_v7())).await, Ok(0));

    let unknown = UserId(Uuid::now_v7());
    let rename = ProfileChanges { full_name: Some(name("Nobody")), ..ProfileChanges::default() };
    assert_eq!(stores.users.update_profile(unknown, &rename, at(6)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.set_status(unknown, UserStatus::Blocked, at(6)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.erase(unknown, at(6)).await, Err(RepoError::NotFound));
    assert_eq!(stores.users.mark_verified(owner.id, at(6)).await, Err(RepoError::NotFound), "verified already");
    let mut twin = new_user("+96550046001", at(6));
    twin.status = UserStatus::Active;
    assert!(matches!(stores.users.create(&twin).await, Err(RepoError::Conflict(_))), "the phone is taken");

    assert_eq!(feed(&stores).await, before, "nothing was recorded for SAP");
});
