//! Importing products by SAP item code on the in-memory fakes: a row creates the product or replaces the
//! one linked to its SAP id (keeping its image), every admin rule applies, a check writes nothing, and
//! only an active admin may import.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use sabil_core::domain::catalog::ProductType;
use sabil_core::domain::delivery::SlotRules;
use sabil_core::domain::{Currency, Language, LocalizedText, Money, Role, UserStatus};
use sabil_core::ports::FixedOffsetZone;
use sabil_core::services::catalog::{ProductDraft, ProductImport};
use sabil_core::services::{CatalogError, CatalogService, CatalogSettings};
use sabil_core::testing::{FakeWorld, RecordingCatalogChanges, fake_world};
use time::UtcOffset;
use time::macros::datetime;
use uuid::Uuid;

fn service(fakes: &FakeWorld, changes: Arc<RecordingCatalogChanges>) -> CatalogService {
    let settings = CatalogSettings {
        time_zone: Arc::new(FixedOffsetZone(UtcOffset::from_hms(3, 0, 0).unwrap())),
        slot_rules: SlotRules { cutoff: std::time::Duration::from_secs(7200) },
        changes,
    };
    CatalogService::new(fakes.ports.clone(), settings)
}

fn draft(sap_id: Option<&str>, price: i64) -> ProductDraft {
    ProductDraft {
        sap_id: sap_id.map(str::to_owned),
        title: LocalizedText { ar: "مياه ٥ جالون".into(), en: "Water 5 gallon".into() },
        description: LocalizedText { ar: "عبوة".into(), en: "A refill".into() },
        product_type: ProductType::Refill,
        volume_ml: 18_900,
        bottles_per_pack: 1,
        price_per_pack: Money::new(price, Currency::Kwd),
        min_quantity: 1,
        max_quantity: 20,
        image_id: None,
        active: true,
        sort_order: 1,
    }
}

#[tokio::test]
async fn a_row_creates_the_product_then_updates_it_by_sap_id_keeping_its_image() {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    let changes = Arc::new(RecordingCatalogChanges::default());
    let catalog = service(&fakes, changes.clone());
    let (_, admin) = common::signed_in(&fakes, "+96550040001", Role::Admin, UserStatus::Active, Language::En).await;

    assert_eq!(catalog.check_product_import(&admin, &draft(Some("SKU-1"), 1_250)).await.unwrap(), ProductImport::Create);
    assert_eq!(fakes.ports.products.find_by_sap_id("SKU-1").await.unwrap(), None, "a check writes nothing");
    let (action, created) = catalog.import_product(&admin, draft(Some("SKU-1"), 1_250)).await.unwrap();
    assert_eq!(action, ProductImport::Create);
    assert_eq!(changes.count(), 1, "caches are told");

    let image = Some(Uuid::now_v7());
    let mut with_image = created.clone();
    with_image.image_id = image;
    fakes.ports.products.update(&with_image).await.unwrap();
    assert_eq!(catalog.check_product_import(&admin, &draft(Some("SKU-1"), 1_100)).await.unwrap(), ProductImport::Update(created.id));
    let (action, updated) = catalog.import_product(&admin, draft(Some("SKU-1"), 1_100)).await.unwrap();
    assert_eq!(action, ProductImport::Update(created.id));
    assert_eq!(
        (updated.id, updated.price_per_pack.minor, updated.image_id, updated.created_at),
        (created.id, 1_100, image, created.created_at)
    );
    assert_eq!(changes.count(), 2);
}

#[tokio::test]
async fn an_import_needs_a_sap_id_valid_fields_and_an_active_admin() {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    let catalog = service(&fakes, Arc::new(RecordingCatalogChanges::default()));
    let (_, admin) = common::signed_in(&fakes, "+96550040001", Role::Admin, UserStatus::Active, Language::En).await;
    let (_, customer) = common::signed_in(&fakes, "+96550040002", Role::Customer, UserStatus::Active, Language::En).await;

    let Err(CatalogError::Invalid(missing)) = catalog.check_product_import(&admin, &draft(None, 1_250)).await else { panic!("no SAP id") };
    assert_eq!(missing.0[0].field, "sapId");
    let mut bad = draft(Some("SKU-2"), -1);
    bad.max_quantity = 0;
    let Err(CatalogError::Invalid(problems)) = catalog.import_product(&admin, bad).await else { panic!("invalid") };
    let fields: Vec<&str> = problems.0.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["price.amount", "maxQuantity"]);
    assert!(matches!(catalog.import_product(&customer, draft(Some("SKU-3"), 1)).await, Err(CatalogError::Denied(_))));
    assert_eq!(fakes.ports.products.find_by_sap_id("SKU-2").await.unwrap(), None);
}
