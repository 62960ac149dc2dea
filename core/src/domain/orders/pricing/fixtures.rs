//! Products, promotions, promo codes and requests for the checkout pricing tests.
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use super::{DeliveryTerms, PromoCodeUse, Quote, QuoteError, QuoteLine, QuoteRequest, TaxRule, quote};
use crate::domain::catalog::{Product, ProductId, ProductType, Promotion, PromotionId, PromotionKind};
use crate::domain::localized::LocalizedText;
use crate::domain::money::{Currency, Money};
use crate::domain::orders::{PromoCode, PromoCodeId, PromoDiscount};

/// The instant the tests price at.
pub const NOW: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: en.to_owned(), en: en.to_owned() }
}

/// `minor` fils of KWD.
pub fn kwd(minor: i64) -> Money {
    Money::new(minor, Currency::Kwd)
}

/// `minor` fils of AED.
pub fn aed(minor: i64) -> Money {
    Money::new(minor, Currency::Aed)
}

/// A product with a readable id (`n`) and a price per pack.
pub fn product(n: u128, price: Money) -> Product {
    Product {
        id: ProductId(Uuid::from_u128(n)),
        sap_id: Some(format!("SKU-{n}")),
        title: text("Water 5 gallons"),
        description: text("Refill"),
        product_type: ProductType::Refill,
        volume_ml: 18_900,
        bottles_per_pack: 1,
        price_per_pack: price,
        min_quantity: 1,
        max_quantity: 100,
        image_id: None,
        active: true,
        sort_order: 0,
        created_at: NOW,
        updated_at: NOW,
    }
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

/// An active promo code with a readable id (`n`), valid for a day around [`NOW`], with no minimum (in the
/// currency of a fixed discount, else KWD), no caps and no product restriction.
pub fn promo_code(n: u128, discount: PromoDiscount) -> PromoCode {
    let currency = match discount {
        PromoDiscount::Fixed(m) => m.currency,
        PromoDiscount::Percent { .. } => Currency::Kwd,
    };
    PromoCode {
        id: PromoCodeId(Uuid::from_u128(n)),
        code: format!("CODE{n}"),
        description: "Test code".to_owned(),
        discount,
        min_order: Money::zero(currency),
        valid_from: datetime!(2026-12-01 00:00 UTC),
        valid_until: datetime!(2026-12-02 00:00 UTC),
        max_uses: None,
        max_uses_per_customer: None,
        product_ids: Vec::new(),
        uses: 0,
        active: true,
    }
}

/// A percent code (`basis_points`, 1 000 = 10 %).
pub fn percent(basis_points: u32) -> PromoDiscount {
    PromoDiscount::Percent { basis_points }
}

/// A line paying `quantity` packs of `product`, `coupons` of them with coupons.
pub fn line(product: &Product, quantity: u32, coupons: u32) -> QuoteLine<'_> {
    QuoteLine { product, quantity, coupons }
}

/// A request in `currency` at [`NOW`] with nothing but `lines`; tests fill in the rest with struct update syntax.
pub fn request<'a>(currency: Currency, lines: &'a [QuoteLine<'a>]) -> QuoteRequest<'a> {
    QuoteRequest { currency, lines, promotions: &[], promo_code: None, delivery: None, tax: None, now: NOW }
}

/// Delivery terms: `fee` and `minimum_order`.
pub fn delivery(fee: Money, minimum_order: Money) -> Option<DeliveryTerms> {
    Some(DeliveryTerms { fee, minimum_order })
}

/// 5 % VAT.
pub fn vat() -> Option<TaxRule> {
    Some(TaxRule::UAE_VAT)
}

/// The code used for the first time by this customer.
pub fn first_use(code: &PromoCode) -> Option<PromoCodeUse<'_>> {
    Some(PromoCodeUse { code, customer_uses: 0 })
}

/// Prices `req`, expecting success.
pub fn priced(req: &QuoteRequest<'_>) -> Quote {
    match quote(req) {
        Ok(q) => q,
        Err(e) => panic!("expected a quote, got {e:?}"),
    }
}

/// Prices `req`, expecting a failure.
pub fn refused(req: &QuoteRequest<'_>) -> QuoteError {
    match quote(req) {
        Ok(q) => panic!("expected an error, got {q:?}"),
        Err(e) => e,
    }
}
