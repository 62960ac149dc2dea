//! SAP links with their versions, the SAP ids SAP gives our entities, and the log of refused changes.
use sabil_core::domain::sync::{InboundEntity, OutboundEntity};
use sabil_core::domain::{Role, UserStatus};
use sabil_core::error::RepoError;
use sabil_core::ports::{FailureSource, SapLink, SyncFailure};
use sabil_tests::conformance;
use sabil_tests::fixtures::{at, new_user};
use sabil_tests::order_fixtures::{SUNDAY, customer, new_order, open_shop, order, stored};
use uuid::Uuid;

use crate::{LIMIT, area, feed, house, verified};

conformance!(sap_links_keep_the_newest_version_and_refuse_older_ones, |stores| async move {
    let links = &stores.sap_links;
    let (ours, other) = (Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(links.find(InboundEntity::Product, "P-100").await.expect("find"), None);
    assert!(links.record(InboundEntity::Product, "P-100", ours, 5, at(1)).await.expect("record"));
    assert_eq!(links.find(InboundEntity::Product, "P-100").await.expect("find"), Some(SapLink { app_id: ours, version: 5 }));

    assert!(!links.record(InboundEntity::Product, "P-100", other, 4, at(2)).await.expect("record an older one"), "refused");
    assert_eq!(links.find(InboundEntity::Product, "P-100").await.expect("find"), Some(SapLink { app_id: ours, version: 5 }));
    assert!(links.record(InboundEntity::Product, "P-100", ours, 5, at(3)).await.expect("record the same again"), "accepted");
    let newest = 1_767_225_600_123_i64;
    assert!(links.record(InboundEntity::Product, "P-100", ours, newest, at(4)).await.expect("record a newer one"));
    assert_eq!(links.find(InboundEntity::Product, "P-100").await.expect("find"), Some(SapLink { app_id: ours, version: newest }));

    assert!(links.record(InboundEntity::Promotion, "P-100", other, 1, at(5)).await.expect("another entity type"));
    assert_eq!(links.find(InboundEntity::Promotion, "P-100").await.expect("find"), Some(SapLink { app_id: other, version: 1 }));
    assert_eq!(links.find(InboundEntity::Product, "P-100").await.expect("find").map(|l| l.version), Some(newest));
});

conformance!(a_sap_id_from_sap_is_remembered_once_per_entity_and_writes_no_change, |stores| async move {
    let links = &stores.sap_links;
    let shopper = verified(&stores, "+96550039001", 1).await;
    let other = verified(&stores, "+96550039002", 2).await;
    let place = area(&stores).await;
    let home = house(shopper.id, place, "Home", 3);
    stores.addresses.create(&home, LIMIT).await.expect("create the address");
    let shop = open_shop(&stores, 5).await;
    let buyer = customer(&stores, "+96550039003").await;
    let placed = stored(stores.orders.place(&new_order(order(buyer, &shop, SUNDAY, 4, 0), "k1"), at(4)).await);
    let before = feed(&stores).await;

    assert!(links.remember_sap_id(OutboundEntity::Customer, shopper.id.0, "C-1").await.expect("remember"));
    assert_eq!(stores.users.get(shopper.id).await.expect("get").expect("exists").sap_id.as_deref(), Some("C-1"));
    assert!(!links.remember_sap_id(OutboundEntity::Customer, shopper.id.0, "C-2").await.expect("remember again"), "it has one");
    assert_eq!(stores.users.get(shopper.id).await.expect("get").expect("exists").sap_id.as_deref(), Some("C-1"));
    assert!(!links.remember_sap_id(OutboundEntity::Customer, Uuid::now_v7(), "C-3").await.expect("unknown"), "no such customer");
    assert!(matches!(links.remember_sap_id(OutboundEntity::Customer, other.id.0, "C-1").await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.users.get(other.id).await.expect("get").expect("exists").sap_id, None);

    assert!(links.remember_sap_id(OutboundEntity::Address, home.id.0, "A-1").await.expect("remember"));
    assert_eq!(stores.addresses.get(shopper.id, home.id).await.expect("get").expect("exists").sap_id.as_deref(), Some("A-1"));
    assert!(!links.remember_sap_id(OutboundEntity::Address, home.id.0, "A-2").await.expect("remember again"));

    assert!(links.remember_sap_id(OutboundEntity::Order, placed.id.0, "SO-1").await.expect("remember"));
    assert_eq!(stores.orders.get(placed.id).await.expect("get").expect("exists").sap_id.as_deref(), Some("SO-1"));
    assert!(!links.remember_sap_id(OutboundEntity::Order, Uuid::now_v7(), "SO-2").await.expect("unknown order"));
    assert!(!links.remember_sap_id(OutboundEntity::Survey, Uuid::now_v7(), "S-1").await.expect("no surveys yet"));

    assert_eq!(feed(&stores).await, before, "no change is written for SAP's own id");
});

conformance!(staff_accounts_take_no_customer_sap_id, |stores| async move {
    let mut admin = new_user("+96550039101", at(0));
    (admin.role, admin.status) = (Role::Admin, UserStatus::Active);
    let admin = stores.users.create(&admin).await.expect("create the admin");
    assert!(!stores.sap_links.remember_sap_id(OutboundEntity::Customer, admin.id.0, "C-9").await.expect("remember"));
    assert_eq!(stores.users.get(admin.id).await.expect("get").expect("exists").sap_id, None);
});

fn failure(source: FailureSource, sap_id: Option<&str>, seconds: i64) -> SyncFailure {
    SyncFailure {
        id: Uuid::now_v7(),
        source,
        entity: "product".into(),
        operation: "update".into(),
        sap_id: sap_id.map(str::to_owned),
        change_id: (source == FailureSource::Pull).then(|| format!("sap-change-{seconds}")),
        status: 422,
        error_type: "validation".into(),
        errors: r#"[{"field":"pricePerPack","problem":"must be positive"}]"#.into(),
        payload: r#"{"sapId":"P-1","pricePerPack":-5,"title":{"ar":"ماء","en":"Water"}}"#.into(),
        created_at: at(seconds),
    }
}

conformance!(refused_changes_from_sap_are_kept_newest_first, |stores| async move {
    assert!(stores.sync_failures.recent(10).await.expect("recent").is_empty());
    let oldest = failure(FailureSource::Push, Some("P-1"), 1);
    let newest = failure(FailureSource::Pull, None, 3);
    let middle = failure(FailureSource::Push, Some("P-2"), 2);
    for f in [&oldest, &newest, &middle] {
        stores.sync_failures.record(f).await.expect("record");
    }
    assert_eq!(stores.sync_failures.recent(10).await.expect("recent"), vec![newest.clone(), middle.clone(), oldest]);
    assert_eq!(stores.sync_failures.recent(2).await.expect("recent"), vec![newest, middle]);
});
