//! A realistic demo catalog for the embedded default and `sabil demo load`: water products, two
//! promotions, delivery areas around Abu Dhabi and Dubai with their boundaries, a weekly slot
//! schedule, and mosques, FAQ, contact channels and terms (`demo_support`). Loaded once: nothing is written when any delivery area exists.
use sabil_core::domain::catalog::{Product, ProductId, ProductType, Promotion, PromotionId, PromotionKind};
use sabil_core::domain::delivery::{AreaBoundary, DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId, MapPoint};
use sabil_core::domain::{Currency, LocalizedText, Money};
use sabil_core::error::RepoError;
use time::Weekday;
use time::macros::{datetime, time};
use uuid::Uuid;

use crate::app::App;

fn text(ar: &str, en: &str) -> LocalizedText {
    LocalizedText { ar: ar.to_owned(), en: en.to_owned() }
}

fn aed(fils: i64) -> Money {
    Money::new(fils, Currency::Aed)
}

/// A closed ring through the given `[longitude, latitude]` corners.
fn boundary(corners: &[[f64; 2]]) -> Option<AreaBoundary> {
    let mut ring: Vec<MapPoint> = corners.iter().map(|[lon, lat]| MapPoint { latitude: *lat, longitude: *lon }).collect();
    ring.push(*ring.first()?);
    AreaBoundary::parse(vec![vec![ring]]).ok()
}

/// A demo product: ar, en title, ar, en description, type, ml, bottles, price in fils, max per order.
type DemoProduct = (&'static str, &'static str, &'static str, &'static str, ProductType, u32, u32, i64, u32);

/// A demo area: ar, en name, corners, fee in fils, minimum order in fils.
type DemoArea = (&'static str, &'static str, &'static [[f64; 2]], i64, i64);

const PRODUCTS: &[DemoProduct] = &[
    (
        "سبيل ٥ جالون",
        "Sabil 5 gallon refill",
        "تعبئة قارورة ٥ جالون من مياه الشرب",
        "Refill of a 5-gallon bottle of drinking water",
        ProductType::Refill,
        18_900,
        1,
        1_250,
        20,
    ),
    ("سبيل ١٫٥ لتر × ١٢", "Sabil 1.5 L × 12", "كرتون من ١٢ قارورة", "A carton of 12 bottles", ProductType::Pack, 1_500, 12, 1_500, 30),
    (
        "سبيل ٥٠٠ مل × ٢٤",
        "Sabil 500 ml × 24",
        "كرتون من ٢٤ قارورة صغيرة",
        "A carton of 24 small bottles",
        ProductType::Pack,
        500,
        24,
        1_800,
        30,
    ),
    (
        "دفتر ٢٢ كوبون",
        "Book of 22 coupons",
        "٢٢ كوبون، كل كوبون لتعبئة واحدة",
        "22 coupons, one refill each",
        ProductType::CouponBook,
        18_900,
        1,
        25_000,
        5,
    ),
];

const AREAS: &[DemoArea] = &[
    ("مدينة أبوظبي", "Abu Dhabi City", &[[54.33, 24.45], [54.40, 24.45], [54.40, 24.51], [54.33, 24.51]], 500, 2_000),
    ("جزيرة الريم", "Al Reem Island", &[[54.39, 24.49], [54.42, 24.49], [54.42, 24.51], [54.39, 24.51]], 500, 2_000),
    ("دبي مارينا", "Dubai Marina", &[[55.12, 25.06], [55.16, 25.06], [55.16, 25.10], [55.12, 25.10]], 700, 2_500),
    ("وسط مدينة دبي", "Downtown Dubai", &[[55.26, 25.18], [55.30, 25.18], [55.30, 25.21], [55.26, 25.21]], 700, 2_500),
];

/// Loads the demo catalog unless the database already has delivery areas; returns how many rows it wrote.
///
/// # Errors
/// Storage failures.
pub async fn seed_catalog(app: &App) -> Result<usize, RepoError> {
    if !app.ports.delivery_areas.list(false).await?.is_empty() {
        return Ok(0);
    }
    let now = app.ports.clock.now();
    let mut written = 0;
    let mut product_ids = Vec::new();
    for (i, (title_ar, title_en, desc_ar, desc_en, product_type, ml, bottles, price, max)) in PRODUCTS.iter().enumerate() {
        let product = Product {
            id: ProductId(Uuid::now_v7()),
            sap_id: None,
            title: text(title_ar, title_en),
            description: text(desc_ar, desc_en),
            product_type: *product_type,
            volume_ml: *ml,
            bottles_per_pack: *bottles,
            price_per_pack: aed(*price),
            min_quantity: 1,
            max_quantity: *max,
            image_id: None,
            active: true,
            sort_order: i32::try_from(i).unwrap_or(0) + 1,
            created_at: now,
            updated_at: now,
        };
        app.ports.products.create(&product).await?;
        product_ids.push(product.id);
        written += 1;
    }
    let promotions = [
        (text("اشترِ ١٠ واحصل على ٢ مجاناً", "Buy 10, get 2 free"), PromotionKind::BuyGetFree { buy: 10, free: 2 }, product_ids.first()),
        (
            text("٣ كراتين بـ ٥٠ درهماً", "3 cartons for 50 AED"),
            PromotionKind::FixedPriceBundle { packs: 3, price: aed(5_000) },
            product_ids.get(2),
        ),
    ];
    for (title, kind, product) in promotions {
        let Some(product) = product else { continue };
        let promotion = Promotion {
            id: PromotionId(Uuid::now_v7()),
            sap_id: None,
            title,
            kind,
            valid_from: datetime!(2026-01-01 0:00 UTC),
            valid_until: datetime!(2036-01-01 0:00 UTC),
            product_ids: vec![*product],
            image_id: None,
            active: true,
        };
        app.ports.promotions.create(&promotion).await?;
        written += 1;
    }
    let mut areas = Vec::new();
    for (name_ar, name_en, corners, fee, minimum) in AREAS {
        let area = DeliveryArea {
            id: DeliveryAreaId(Uuid::now_v7()),
            sap_id: None,
            name: text(name_ar, name_en),
            boundary: boundary(corners),
            delivery_fee: aed(*fee),
            minimum_order: aed(*minimum),
            active: true,
            created_at: now,
            updated_at: now,
        };
        app.ports.delivery_areas.create(&area).await?;
        written += 1;
        // Sunday to Thursday, mornings and afternoons; Saturday mornings.
        let week = [Weekday::Sunday, Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday];
        let windows = week.iter().flat_map(|d| [(*d, time!(10:00), time!(12:00)), (*d, time!(16:00), time!(18:00))]);
        for (weekday, starts_at, ends_at) in windows.chain([(Weekday::Saturday, time!(10:00), time!(12:00))]) {
            let slot = DeliverySlot {
                id: DeliverySlotId(Uuid::now_v7()),
                area_id: area.id,
                weekday,
                starts_at,
                ends_at,
                capacity: 20,
                active: true,
            };
            app.ports.delivery_slots.create(&slot).await?;
            written += 1;
        }
        areas.push(area);
    }
    written += crate::demo_support::seed_support(app, &areas).await?;
    app.catalog_changes.catalog_changed().await;
    Ok(written)
}
