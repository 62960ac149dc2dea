//! Conformance of SAP synchronisation storage: the change feed (reading, confirming, the push queue
//! with its dead letters, retries and skips, the backlog, the worker's notes), SAP links and SAP ids,
//! the log of refused changes, and the change records the account, address and order stores write in
//! the transaction of each change (and never for a change that rolled back), stated once and run on
//! the in-memory fakes, SQLite and PostgreSQL (`conformance!`).
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "storage_sync/feed.rs"]
mod feed;
#[path = "storage_sync/links.rs"]
mod links;
#[path = "storage_sync/queue.rs"]
mod queue;
#[path = "storage_sync/writes.rs"]
mod writes;

use sabil_adapters::store::Db;
use sabil_core::domain::address::{Address, AddressDetails, AddressFields, AddressId, AddressKind};
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, MapPoint};
use sabil_core::domain::sync::ChangeRecord;
use sabil_core::domain::{Currency, LocalizedText, Money, User, UserId, UserStatus};
use sabil_tests::Stores;
use sabil_tests::fixtures::{at, new_user};
use uuid::Uuid;

/// Every change not completed, by `seq`.
pub(crate) async fn feed(stores: &Stores) -> Vec<ChangeRecord> {
    stores.changes.unprocessed(None, 1_000).await.expect("read the feed")
}

/// (entity, operation) of every change not completed of the entity `id`, by `seq`.
pub(crate) async fn changes_of(stores: &Stores, id: Uuid) -> Vec<(String, &'static str)> {
    feed(stores).await.into_iter().filter(|c| c.entity_id == id).map(|c| (c.entity, c.operation.as_str())).collect()
}

/// The ids of `records`.
pub(crate) fn ids(records: &[ChangeRecord]) -> Vec<Uuid> {
    records.iter().map(|c| c.id).collect()
}

/// A customer who has verified their phone, registered `seconds` after `T0` (writes one `create` change).
pub(crate) async fn verified(stores: &Stores, raw_phone: &str, seconds: i64) -> User {
    let mut user = new_user(raw_phone, at(seconds));
    user.status = UserStatus::Active;
    stores.users.create(&user).await.expect("create the customer")
}

/// Who settled the change and the reason an operator gave, as stored.
pub(crate) async fn settlement(stores: &Stores, id: Uuid) -> (Option<String>, Option<String>) {
    const SQL: &str = "SELECT completed_by, skip_reason FROM changes WHERE id = $1";
    match (&stores.db, &stores.fake_changes) {
        (Some(Db::Sqlite(pool)), _) => sqlx::query_as(SQL).bind(id).fetch_one(pool).await.expect("read the change"),
        (Some(Db::Postgres(pool)), _) => sqlx::query_as(SQL).bind(id).fetch_one(pool).await.expect("read the change"),
        (None, Some(fake)) => fake.settlement(id).expect("the change exists"),
        (None, None) => panic!("neither a SQL pool nor the change-feed fake"),
    }
}

/// A delivery area for addresses.
pub(crate) async fn area(stores: &Stores) -> DeliveryAreaId {
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: LocalizedText { ar: "السالمية".into(), en: "Salmiya".into() },
        boundary: None,
        delivery_fee: Money::new(500, Currency::Kwd),
        minimum_order: Money::new(2_000, Currency::Kwd),
        active: true,
        created_at: at(0),
        updated_at: at(0),
    };
    stores.delivery_areas.create(&area).await.expect("create the area");
    area.id
}

/// A house of `owner` in `area`, created `seconds` after `T0`.
pub(crate) fn house(owner: UserId, area: DeliveryAreaId, label: &str, seconds: i64) -> Address {
    let fields = AddressFields {
        label: Some(label.to_owned()),
        block: Some("3".to_owned()),
        street: Some("Street 12".to_owned()),
        house: Some("14A".to_owned()),
        directions: Some("Blue gate".to_owned()),
        ..AddressFields::default()
    };
    Address {
        id: AddressId(Uuid::now_v7()),
        user_id: owner,
        sap_id: None,
        details: AddressDetails::parse(AddressKind::House, &fields).expect("valid house"),
        location: MapPoint { latitude: 29.332_123_456_789, longitude: 48.071_234_567_891 },
        area_id: area,
        created_at: at(seconds),
        updated_at: at(seconds),
    }
}

/// The cap on addresses per customer the cases use.
pub(crate) const LIMIT: u32 = 20;
