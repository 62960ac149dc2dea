//! Products and promotions for the pricing tests.
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::domain::catalog::{Product, ProductId, ProductType, Promotion, PromotionId, PromotionKind};
use crate::domain::localized::LocalizedText;
use crate::domain::money::{Currency, Money};

/// The instant the tests price at.
pub const NOW: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: en.to_owned(), en: en.to_owned() }
}

/// A product with a readable id (`n`) and a price per pack in `currency`.
pub fn product_in(n: u128, price_minor: i64, currency: Currency) -> Product {
    Product {
        id: ProductId(Uuid::from_u128(n)),
        sap_id: None,
        title: text("Water 5 gallons"),
        description: text("Refill"),
        product_type: ProductType::Refill,
        volume_ml: 18_900,
        bottles_per_pack: 1,
        price_per_pack: Money::new(price_minor, currency),
        min_quantity: 1,
        max_quantity: 100,
        image_id: None,
        active: true,
        sort_order: 0,
        created_at: NOW,
        updated_at: NOW,
    }
}

/// A product priced in KWD.
pub fn product(n: u128, price_minor: i64) -> Product {
    product_in(n, price_minor, Currency::Kwd)
}

/// An active promotion with a readable id (`n`), valid for a day around [`NOW`], on `products`.
pub fn promotion(n: u128, kind: PromotionKind, products: &[&Product]) -> Promotion {
    Promotion {
        id: PromotionId(Uuid::from_u128(n)),
        sap_id: None,
        title: text("Offer"),
        kind,
        valid_from: datetime!(2026-12-01 00:00 UTC),
        valid_until: datetime!(2026-12-02 00:00 UTC),
        product_ids: products.iter().map(|p| p.id).collect(),
        image_id: None,
        active: true,
    }
}

/// "Buy `buy`, get `free` free".
pub fn buy_get_free(buy: u32, free: u32) -> PromotionKind {
    PromotionKind::BuyGetFree { buy, free }
}

/// "`packs` packs for `price_minor` KWD fils".
pub fn bundle(packs: u32, price_minor: i64) -> PromotionKind {
    PromotionKind::FixedPriceBundle { packs, price: Money::new(price_minor, Currency::Kwd) }
}

/// The id of promotion `n`.
pub fn promotion_id(n: u128) -> PromotionId {
    PromotionId(Uuid::from_u128(n))
}
