//! Catalog and delivery stores on every backend: products, promotions with their product links,
//! delivery areas with boundaries, weekly slots and atomic reservations.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use sabil_core::domain::catalog::{Product, ProductId, ProductType, Promotion, PromotionId, PromotionKind};
use sabil_core::domain::delivery::{AreaBoundary, DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId, MapPoint};
use sabil_core::domain::sync::InboundEntity;
use sabil_core::domain::{Currency, LocalizedText, Money, PageRequest};
use sabil_core::error::RepoError;
use sabil_core::ports::{ProductQuery, SapLink, SapProductSave, SlotReservations};
use sabil_tests::conformance;
use sabil_tests::fixtures::at;
use time::Weekday;
use time::macros::{date, time};
use uuid::Uuid;

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} (ar)"), en: en.to_owned() }
}

fn product(sort_order: i32, product_type: ProductType, active: bool) -> Product {
    Product {
        id: ProductId(Uuid::now_v7()),
        sap_id: None,
        title: text("Sabil 5 gallon"),
        description: text("Refill of a 5-gallon bottle"),
        product_type,
        volume_ml: 18_900,
        bottles_per_pack: 1,
        price_per_pack: Money::new(1_250, Currency::Kwd),
        min_quantity: 1,
        max_quantity: 20,
        image_id: Some(Uuid::now_v7()),
        active,
        sort_order,
        created_at: at(1),
        updated_at: at(2),
    }
}

fn promotion(products: &[ProductId], from: i64, until: i64, kind: PromotionKind) -> Promotion {
    Promotion {
        id: PromotionId(Uuid::now_v7()),
        sap_id: Some(format!("PROMO-{}", Uuid::now_v7().simple())),
        title: text("Buy 10 get 2"),
        kind,
        valid_from: at(from),
        valid_until: at(until),
        product_ids: products.to_vec(),
        image_id: None,
        active: true,
    }
}

fn square(lon: f64, lat: f64, side: f64) -> AreaBoundary {
    let ring = vec![
        MapPoint { longitude: lon, latitude: lat },
        MapPoint { longitude: lon + side, latitude: lat },
        MapPoint { longitude: lon + side, latitude: lat + side },
        MapPoint { longitude: lon, latitude: lat + side },
        MapPoint { longitude: lon, latitude: lat },
    ];
    AreaBoundary::parse(vec![vec![ring]]).expect("valid square")
}

fn area(name: &str, active: bool) -> DeliveryArea {
    DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: text(name),
        boundary: Some(square(54.3, 24.4, 0.123_456_789)),
        delivery_fee: Money::new(500, Currency::Aed),
        minimum_order: Money::new(2_000, Currency::Aed),
        active,
        created_at: at(1),
        updated_at: at(1),
    }
}

fn slot(area: DeliveryAreaId, weekday: Weekday, start: time::Time, capacity: u32) -> DeliverySlot {
    DeliverySlot {
        id: DeliverySlotId(Uuid::now_v7()),
        area_id: area,
        weekday,
        starts_at: start,
        ends_at: start + time::Duration::hours(2),
        capacity,
        active: true,
    }
}

fn query(product_type: Option<ProductType>, active_only: bool, limit: u32, cursor: Option<Uuid>) -> ProductQuery {
    ProductQuery { product_type, active_only, page: PageRequest { limit, cursor } }
}

conformance!(a_product_reads_back_with_every_field, |stores| async move {
    let mut p = product(3, ProductType::Refill, true);
    p.sap_id = Some("ITEM-0001".into());
    stores.products.create(&p).await.expect("create");
    assert_eq!(stores.products.get(p.id).await.expect("get"), Some(p.clone()));
    assert_eq!(stores.products.get(ProductId(Uuid::now_v7())).await.expect("get"), None);

    let mut twin = product(4, ProductType::Pack, true);
    twin.sap_id = p.sap_id.clone();
    assert!(matches!(stores.products.create(&twin).await, Err(RepoError::Conflict(_))), "SAP ids are unique");
});

conformance!(a_product_is_found_by_its_sap_id_active_or_not, |stores| async move {
    let mut p = product(1, ProductType::Refill, false);
    p.sap_id = Some("ITEM-0002".into());
    stores.products.create(&p).await.expect("create");
    stores.products.create(&product(2, ProductType::Pack, true)).await.expect("one without a SAP id");
    assert_eq!(stores.products.find_by_sap_id("ITEM-0002").await.expect("find"), Some(p.clone()));
    assert_eq!(stores.products.find_by_sap_id("item-0002").await.expect("find"), None, "SAP ids match exactly");
    assert_eq!(stores.products.find_by_sap_id("ITEM-9999").await.expect("find"), None);
});

conformance!(updating_a_product_keeps_its_creation_time, |stores| async move {
    let p = product(1, ProductType::Refill, true);
    stores.products.create(&p).await.expect("create");
    let changed = Product {
        title: text("Sabil 5 gallon, new label"),
        price_per_pack: Money::new(1_100, Currency::Kwd),
        active: false,
        created_at: at(99),
        updated_at: at(50),
        ..p.clone()
    };
    stores.products.update(&changed).await.expect("update");
    assert_eq!(stores.products.get(p.id).await.expect("get"), Some(Product { created_at: p.created_at, ..changed.clone() }));
    let unknown = Product { id: ProductId(Uuid::now_v7()), ..changed };
    assert_eq!(stores.products.update(&unknown).await, Err(RepoError::NotFound));
});

conformance!(sap_product_writes_record_their_version_in_the_same_step_and_never_go_backwards, |stores| async move {
    let links = &stores.sap_links;
    let mut p = product(1, ProductType::Pack, true);
    p.sap_id = Some("P-SAVE".into());
    assert_eq!(links.save_product(&p, false, 10, at(3)).await, Ok(SapProductSave::Created(p.id)), "created");
    let created = Product { image_id: None, ..p.clone() };
    assert_eq!(stores.products.get(p.id).await.expect("get"), Some(created.clone()), "SAP sends no image");
    assert_eq!(links.find(InboundEntity::Product, "P-SAVE").await.expect("find"), Some(SapLink { app_id: p.id.0, version: 10 }));

    // An admin gives it an image; SAP's next version replaces its fields but keeps the image and creation time.
    let image = Some(Uuid::now_v7());
    stores.products.update(&Product { image_id: image, ..created.clone() }).await.expect("admin sets the image");
    let changed = Product {
        id: ProductId(Uuid::now_v7()), // SAP did not name our id: the linked product is written
        title: text("New label"),
        price_per_pack: Money::new(990, Currency::Kwd),
        active: false,
        created_at: at(99),
        updated_at: at(50),
        ..p.clone()
    };
    assert_eq!(links.save_product(&changed, false, 11, at(4)).await, Ok(SapProductSave::Updated(p.id)), "replaced");
    let kept = Product { id: p.id, created_at: p.created_at, image_id: image, ..changed.clone() };
    assert_eq!(stores.products.get(p.id).await.expect("get"), Some(kept.clone()));

    for (version, what) in [(11, "the same version"), (9, "an older version")] {
        let late = Product { title: text("Late"), ..p.clone() };
        assert_eq!(links.save_product(&late, false, version, at(5)).await, Ok(SapProductSave::NotApplied), "{what}");
    }
    let other = Product { id: ProductId(Uuid::now_v7()), title: text("Pinned elsewhere"), ..p.clone() };
    assert_eq!(links.save_product(&other, true, 12, at(5)).await, Ok(SapProductSave::NotApplied), "pinned to another product");
    assert_eq!(stores.products.get(p.id).await.expect("get"), Some(kept), "nothing written by refused versions");
    assert_eq!(links.find(InboundEntity::Product, "P-SAVE").await.expect("find").map(|l| l.version), Some(11));

    // An admin's product already holds a SAP id: SAP's create of it is refused whole, the link included.
    let mut admins = product(2, ProductType::Pack, true);
    admins.sap_id = Some("P-TAKEN".into());
    stores.products.create(&admins).await.expect("create");
    let mut twin = product(3, ProductType::Pack, true);
    twin.sap_id = Some("P-TAKEN".into());
    assert!(matches!(links.save_product(&twin, false, 1, at(6)).await, Err(RepoError::Conflict(_))), "SAP ids stay unique");
    assert_eq!(links.find(InboundEntity::Product, "P-TAKEN").await.expect("find"), None, "no link without its product");
    assert_eq!(stores.products.get(twin.id).await.expect("get"), None);
});

conformance!(products_list_by_sort_order_with_filters_and_pages, |stores| async move {
    let mut all = Vec::new();
    for (i, (t, active)) in [
        (ProductType::Refill, true),
        (ProductType::Pack, true),
        (ProductType::Refill, false),
        (ProductType::Refill, true),
        (ProductType::Pack, true),
    ]
    .into_iter()
    .enumerate()
    {
        // Two products share sort order 1: ties are broken by id.
        let p = product(if i < 2 { 1 } else { i as i32 }, t, active);
        stores.products.create(&p).await.expect("create");
        all.push(p);
    }
    let mut expected: Vec<_> = all.iter().map(|p| (p.sort_order, p.id)).collect();
    expected.sort();

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = stores.products.list(&query(None, false, 2, cursor)).await.expect("list");
        seen.extend(page.items.iter().map(|p| (p.sort_order, p.id)));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, expected);

    let refills = stores.products.list(&query(Some(ProductType::Refill), true, 10, None)).await.expect("list");
    assert_eq!(refills.items.len(), 2, "active refills only");
    assert!(refills.items.iter().all(|p| p.product_type == ProductType::Refill && p.active));
});

conformance!(a_promotion_reads_back_with_its_products, |stores| async move {
    let (a, b) = (product(1, ProductType::Refill, true), product(2, ProductType::Pack, true));
    stores.products.create(&a).await.expect("create");
    stores.products.create(&b).await.expect("create");
    let mut ids = vec![a.id, b.id];
    ids.sort();
    let bundle =
        promotion(&[b.id, a.id, a.id], 0, 100, PromotionKind::FixedPriceBundle { packs: 3, price: Money::new(3_000, Currency::Kwd) });
    stores.promotions.create(&bundle).await.expect("create");
    assert_eq!(stores.promotions.get(bundle.id).await.expect("get"), Some(Promotion { product_ids: ids, ..bundle.clone() }));

    let dangling = promotion(&[ProductId(Uuid::now_v7())], 0, 100, PromotionKind::BuyGetFree { buy: 10, free: 2 });
    assert!(matches!(stores.promotions.create(&dangling).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.promotions.get(dangling.id).await.expect("get"), None, "nothing half-written");

    let replaced = Promotion { product_ids: vec![b.id], kind: PromotionKind::BuyGetFree { buy: 5, free: 1 }, ..bundle.clone() };
    stores.promotions.update(&replaced).await.expect("update");
    assert_eq!(stores.promotions.get(bundle.id).await.expect("get"), Some(replaced));
});

conformance!(promotions_valid_now_respect_their_window_and_flag, |stores| async move {
    let p = product(1, ProductType::Refill, true);
    stores.products.create(&p).await.expect("create");
    let kind = PromotionKind::BuyGetFree { buy: 10, free: 2 };
    let ends_late = promotion(&[p.id], 10, 30, kind);
    let ends_soon = promotion(&[p.id], 5, 20, kind);
    let future = promotion(&[p.id], 21, 40, kind);
    let inactive = Promotion { active: false, ..promotion(&[p.id], 0, 40, kind) };
    for promo in [&ends_late, &ends_soon, &future, &inactive] {
        stores.promotions.create(promo).await.expect("create");
    }
    let ids = |v: Vec<Promotion>| v.into_iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(stores.promotions.valid_at(at(10)).await.expect("valid")), vec![ends_soon.id, ends_late.id], "valid_from is inclusive");
    assert_eq!(ids(stores.promotions.valid_at(at(20)).await.expect("valid")), vec![ends_late.id], "valid_until is exclusive");
    assert_eq!(ids(stores.promotions.valid_at(at(4)).await.expect("valid")), Vec::<PromotionId>::new());
});

conformance!(a_delivery_area_reads_back_with_its_boundary, |stores| async move {
    let with = area("Al Reem Island", true);
    let without = DeliveryArea { boundary: None, ..area("Abu Dhabi City", true) };
    for a in [&with, &without] {
        stores.delivery_areas.create(a).await.expect("create");
        assert_eq!(stores.delivery_areas.get(a.id).await.expect("get").as_ref(), Some(a));
    }
    let mixed = DeliveryArea { minimum_order: Money::new(1, Currency::Kwd), ..area("Mixed", true) };
    assert!(matches!(stores.delivery_areas.create(&mixed).await, Err(RepoError::Conflict(_))), "fee and minimum share one currency");
    let moved = DeliveryArea { boundary: Some(square(55.2, 25.1, 0.5)), created_at: at(9), updated_at: at(9), ..with.clone() };
    stores.delivery_areas.update(&moved).await.expect("update");
    assert_eq!(stores.delivery_areas.get(with.id).await.expect("get"), Some(DeliveryArea { created_at: with.created_at, ..moved }));
});

conformance!(delivery_areas_list_by_english_name, |stores| async move {
    for (name, active) in [("Saadiyat", true), ("Al Bateen", false), ("Khalifa City", true)] {
        stores.delivery_areas.create(&area(name, active)).await.expect("create");
    }
    let names = |v: Vec<DeliveryArea>| v.into_iter().map(|a| a.name.en).collect::<Vec<_>>();
    assert_eq!(names(stores.delivery_areas.list(false).await.expect("list")), ["Al Bateen", "Khalifa City", "Saadiyat"]);
    assert_eq!(names(stores.delivery_areas.list(true).await.expect("list")), ["Khalifa City", "Saadiyat"]);
});

conformance!(slots_belong_to_an_area_and_list_by_weekday_and_start, |stores| async move {
    let a = area("Al Reem Island", true);
    stores.delivery_areas.create(&a).await.expect("create");
    let late = slot(a.id, Weekday::Sunday, time!(16:00), 5);
    let early = slot(a.id, Weekday::Sunday, time!(10:00), 5);
    let monday = slot(a.id, Weekday::Monday, time!(18:00), 5);
    let until_midnight = DeliverySlot { ends_at: time!(23:59:59.999), ..slot(a.id, Weekday::Monday, time!(22:00), 5) };
    for s in [&late, &early, &monday, &until_midnight] {
        stores.delivery_slots.create(s).await.expect("create");
    }
    let listed = stores.delivery_slots.for_area(a.id).await.expect("list");
    assert_eq!(listed, vec![monday.clone(), until_midnight.clone(), early.clone(), late.clone()], "ISO weekday order, then start");
    let orphan = slot(DeliveryAreaId(Uuid::now_v7()), Weekday::Sunday, time!(10:00), 5);
    assert!(matches!(stores.delivery_slots.create(&orphan).await, Err(RepoError::Conflict(_))));
    let fewer = DeliverySlot { capacity: 1, active: false, ..early.clone() };
    stores.delivery_slots.update(&fewer).await.expect("update");
    assert_eq!(stores.delivery_slots.get(early.id).await.expect("get"), Some(fewer));
});

conformance!(a_slot_takes_no_more_reservations_than_its_capacity, |stores| async move {
    let a = area("Al Reem Island", true);
    stores.delivery_areas.create(&a).await.expect("create");
    let s = slot(a.id, Weekday::Sunday, time!(10:00), 2);
    stores.delivery_slots.create(&s).await.expect("create");
    let day = date!(2026 - 12 - 06);
    assert_eq!(stores.delivery_slots.reserve(s.id, day).await, Ok(true));
    assert_eq!(stores.delivery_slots.reserve(s.id, day).await, Ok(true));
    assert_eq!(stores.delivery_slots.reserve(s.id, day).await, Ok(false), "full");
    assert_eq!(stores.delivery_slots.reserve(s.id, date!(2026 - 12 - 13)).await, Ok(true), "another date has its own places");
    assert_eq!(stores.delivery_slots.release(s.id, day).await, Ok(true));
    assert_eq!(stores.delivery_slots.reserve(s.id, day).await, Ok(true), "a released place can be taken again");
    assert_eq!(stores.delivery_slots.release(s.id, date!(2026 - 12 - 20)).await, Ok(false), "nothing to release");
    assert_eq!(stores.delivery_slots.reserve(DeliverySlotId(Uuid::now_v7()), day).await, Err(RepoError::NotFound));

    let listed = stores.delivery_slots.reservations(a.id, day, date!(2026 - 12 - 14)).await.expect("list");
    assert_eq!(
        listed,
        vec![
            SlotReservations { slot_id: s.id, date: day, reserved: 2 },
            SlotReservations { slot_id: s.id, date: date!(2026 - 12 - 13), reserved: 1 },
        ]
    );
    // Lowering the capacity below what is reserved refuses new places and keeps the old ones.
    stores.delivery_slots.update(&DeliverySlot { capacity: 1, ..s.clone() }).await.expect("update");
    assert_eq!(stores.delivery_slots.reserve(s.id, day).await, Ok(false));
});

conformance!(fifty_racing_reservations_take_exactly_ten_places, |stores| async move {
    let a = area("Al Reem Island", true);
    stores.delivery_areas.create(&a).await.expect("create");
    let s = slot(a.id, Weekday::Sunday, time!(10:00), 10);
    stores.delivery_slots.create(&s).await.expect("create");
    let day = date!(2026 - 12 - 06);
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let slots = Arc::clone(&stores.delivery_slots);
        racers.spawn(async move { slots.reserve(s.id, day).await });
    }
    let results = racers.join_all().await;
    let taken = results.iter().filter(|r| matches!(r, Ok(true))).count();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(taken, 10);
    let listed = stores.delivery_slots.reservations(a.id, day, day.next_day().expect("date")).await.expect("list");
    assert_eq!(listed, vec![SlotReservations { slot_id: s.id, date: day, reserved: 10 }]);
});
