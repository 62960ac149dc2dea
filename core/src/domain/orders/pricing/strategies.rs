//! Random checkouts for the property tests: ordinary ones (one currency, bounded non-negative figures, codes that
//! are sometimes rejected) and wild ones (any integer anywhere, mixed currencies).
use proptest::collection::{btree_set, vec};
use proptest::option;
use proptest::prelude::*;
use time::Duration;

use super::fixtures::{NOW, product, promo_code, promotion};
use super::{DeliveryTerms, PromoCodeUse, Quote, QuoteError, QuoteLine, QuoteRequest, TaxRule, quote};
use crate::domain::catalog::{Product, Promotion, PromotionKind};
use crate::domain::money::{Currency, Money};
use crate::domain::orders::{PromoCode, PromoDiscount};

/// A checkout: everything a [`QuoteRequest`] borrows, owned.
#[derive(Debug, Clone)]
pub struct Case {
    pub currency: Currency,
    pub products: Vec<Product>,
    /// (index into `products`, quantity, coupons)
    pub lines: Vec<(usize, u32, u32)>,
    pub promotions: Vec<Promotion>,
    /// The code and this customer's uses of it.
    pub code: Option<(PromoCode, u32)>,
    pub delivery: Option<DeliveryTerms>,
    pub tax: Option<TaxRule>,
}

impl Case {
    /// Prices the checkout with `promotions` instead of its own.
    pub fn quote_with(&self, promotions: &[Promotion]) -> Result<Quote, QuoteError> {
        let lines: Vec<QuoteLine<'_>> =
            self.lines.iter().map(|&(i, quantity, coupons)| QuoteLine { product: &self.products[i], quantity, coupons }).collect();
        quote(&QuoteRequest {
            currency: self.currency,
            lines: &lines,
            promotions,
            promo_code: self.code.as_ref().map(|(code, customer_uses)| PromoCodeUse { code, customer_uses: *customer_uses }),
            delivery: self.delivery,
            tax: self.tax,
            now: NOW,
        })
    }

    /// Prices the checkout.
    pub fn quote(&self) -> Result<Quote, QuoteError> {
        self.quote_with(&self.promotions)
    }

    /// The same checkout without a promo code.
    pub fn without_code(&self) -> Self {
        Self { code: None, ..self.clone() }
    }
}

/// A promotion: kind, start and end in seconds from [`NOW`], active, which of the (up to four) products it links.
type PromotionSpec = (PromotionKind, i64, i64, bool, Vec<bool>);

/// A promo code: discount, minimum, start and end in seconds from [`NOW`], active, cap, uses, cap per customer,
/// this customer's uses, the products it is restricted to (by index, when restricted).
type CodeSpec = (PromoDiscount, i64, i64, i64, bool, Option<u32>, u32, Option<u32>, u32, Option<Vec<bool>>);

/// Where a figure is priced: `false` for the order's currency, `true` for the other one.
fn pick(currency: Currency, foreign: bool) -> Currency {
    match (currency, foreign) {
        (c, false) => c,
        (Currency::Kwd, true) => Currency::Aed,
        (Currency::Aed, true) => Currency::Kwd,
    }
}

fn in_currency(kind: PromotionKind, currency: Currency) -> PromotionKind {
    match kind {
        PromotionKind::FixedPriceBundle { packs, price } => {
            PromotionKind::FixedPriceBundle { packs, price: Money::new(price.minor, currency) }
        }
        other => other,
    }
}

/// Builds the case; `foreign` says which figures (products, bundles, code amounts, delivery) are in the other currency.
#[allow(clippy::too_many_arguments)]
fn assemble(
    currency: Currency,
    prices: Vec<(i64, bool)>,
    lines: Vec<(usize, u32, u32)>,
    ids: std::collections::BTreeSet<u16>,
    promotions: Vec<(PromotionSpec, bool)>,
    code: Option<(CodeSpec, (bool, bool))>,
    delivery: Option<(i64, i64, bool)>,
    tax: Option<u32>,
) -> Case {
    let products: Vec<Product> =
        prices.iter().enumerate().map(|(i, &(p, foreign))| product(i as u128 + 1, Money::new(p, pick(currency, foreign)))).collect();
    let n = products.len();
    let lines = lines.into_iter().map(|(i, quantity, coupons)| (i % n, quantity, coupons)).collect();
    let linked = |links: &[bool]| -> Vec<&Product> { products.iter().zip(links).filter(|(_, l)| **l).map(|(p, _)| p).collect() };
    let promotions = ids
        .into_iter()
        .zip(promotions)
        .map(|(id, ((kind, from, until, active, links), foreign))| {
            let mut p = promotion(u128::from(id), in_currency(kind, pick(currency, foreign)), &linked(&links));
            (p.valid_from, p.valid_until, p.active) = (NOW + Duration::seconds(from), NOW + Duration::seconds(until), active);
            p
        })
        .collect();
    let code = code.map(|(spec, (foreign_amount, foreign_minimum))| {
        let (discount, min_order, from, until, active, max_uses, uses, per_customer, customer_uses, restricted) = spec;
        let discount = match discount {
            PromoDiscount::Fixed(m) => PromoDiscount::Fixed(Money::new(m.minor, pick(currency, foreign_amount))),
            percent => percent,
        };
        let mut code = promo_code(7, discount);
        code.min_order = Money::new(min_order, pick(currency, foreign_minimum));
        (code.valid_from, code.valid_until, code.active) = (NOW + Duration::seconds(from), NOW + Duration::seconds(until), active);
        (code.max_uses, code.uses, code.max_uses_per_customer) = (max_uses, uses, per_customer);
        code.product_ids = restricted.map_or_else(Vec::new, |r| linked(&r).iter().map(|p| p.id).collect());
        (code, customer_uses)
    });
    let delivery = delivery.map(|(fee, minimum, foreign)| DeliveryTerms {
        fee: Money::new(fee, pick(currency, foreign)),
        minimum_order: Money::new(minimum, currency),
    });
    Case { currency, products, lines, promotions, code, delivery, tax: tax.map(|rate_bp| TaxRule { rate_bp }) }
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![Just(Currency::Kwd), Just(Currency::Aed)]
}

fn kind(packs: impl Strategy<Value = u32> + Clone, price: impl Strategy<Value = i64>) -> impl Strategy<Value = PromotionKind> {
    prop_oneof![
        (packs.clone(), packs.clone()).prop_map(|(buy, free)| PromotionKind::BuyGetFree { buy, free }),
        (packs, price).prop_map(|(packs, p)| PromotionKind::FixedPriceBundle { packs, price: Money::new(p, Currency::Kwd) }),
    ]
}

fn discount(percent: impl Strategy<Value = u32>, fixed: impl Strategy<Value = i64>) -> impl Strategy<Value = PromoDiscount> {
    prop_oneof![
        percent.prop_map(|basis_points| PromoDiscount::Percent { basis_points }),
        fixed.prop_map(|m| PromoDiscount::Fixed(Money::new(m, Currency::Kwd))),
    ]
}

/// An ordinary checkout: one currency, prices up to 100.000, up to 60 packs a line, valid data throughout; the code
/// (when there is one) is rejected in perhaps half the cases.
pub fn case() -> impl Strategy<Value = Case> {
    let promotion = ((kind(0u32..=6, 0i64..=700_000), -3i64..=3, -3i64..=3, any::<bool>(), vec(any::<bool>(), 4)), Just(false));
    let code = (
        (
            discount(0u32..=10_000, 0i64..=300_000),
            0i64..=300_000,
            -3i64..=1,
            0i64..=4,
            prop::bool::weighted(0.9),
            option::weighted(0.3, 0u32..=5),
            0u32..=5,
            option::weighted(0.3, 0u32..=3),
            0u32..=3,
            option::weighted(0.4, vec(any::<bool>(), 4)),
        ),
        Just((false, false)),
    );
    (
        currency(),
        vec((0i64..=100_000, Just(false)), 1..=4),
        vec((0usize..4, 0u32..=60, 0u32..=100).prop_map(|(i, q, share)| (i, q, q * share / 100)), 0..=5),
        btree_set(any::<u16>(), 0..=5),
        vec(promotion, 5),
        option::weighted(0.8, code),
        option::of((0i64..=5_000, 0i64..=400_000, Just(false))),
        option::of(prop_oneof![Just(500u32), 0u32..=2_500]),
    )
        .prop_map(|(c, prices, lines, ids, promotions, code, delivery, tax)| {
            assemble(c, prices, lines, ids, promotions, code, delivery, tax)
        })
}

/// Any integer where a figure goes, in either currency: broken data and amounts near the limits.
pub fn wild_case() -> impl Strategy<Value = Case> {
    // Mostly non-negative, so that some quotes get through the data checks and their figures can be checked.
    let big = || prop_oneof![1 => any::<i64>(), 2 => 0i64..=i64::MAX, 1 => i64::MAX - 1_000..=i64::MAX, 2 => 0i64..=1_000];
    let count = || prop_oneof![any::<u32>(), u32::MAX - 10..=u32::MAX, 0u32..=10];
    let foreign = || prop::bool::weighted(0.1);
    let line = (0usize..4, count(), prop_oneof![1 => count(), 5 => 0u32..=100])
        .prop_map(|(i, q, c)| (i, q, if c <= 100 { (u64::from(q) * u64::from(c) / 100) as u32 } else { c }));
    let promotion = ((kind(count(), big()), -3i64..=3, -3i64..=3, any::<bool>(), vec(any::<bool>(), 4)), foreign());
    let code = (
        (
            discount(count(), big()),
            prop_oneof![big(), 0i64..=1_000],
            -3i64..=1,
            0i64..=4,
            prop::bool::weighted(0.8),
            option::weighted(0.3, count()),
            count(),
            option::weighted(0.3, count()),
            count(),
            option::of(vec(any::<bool>(), 4)),
        ),
        (foreign(), foreign()),
    );
    (
        currency(),
        vec((big(), foreign()), 1..=4),
        vec(line, 0..=5),
        btree_set(any::<u16>(), 0..=5),
        vec(promotion, 5),
        option::of(code),
        option::of((big(), big(), foreign())),
        option::of(count()),
    )
        .prop_map(|(c, prices, lines, ids, promotions, code, delivery, tax)| {
            assemble(c, prices, lines, ids, promotions, code, delivery, tax)
        })
}

/// Large but valid checkouts: every figure non-negative and in the order's currency, coupons within their lines.
pub fn huge_case() -> impl Strategy<Value = Case> {
    let big = || prop_oneof![0i64..=i64::MAX, i64::MAX - 1_000..=i64::MAX, 0i64..=1_000];
    let count = || prop_oneof![any::<u32>(), u32::MAX - 10..=u32::MAX, 0u32..=10];
    let promotion = ((kind(count(), big()), -3i64..=3, -3i64..=3, any::<bool>(), vec(any::<bool>(), 4)), Just(false));
    let line = (0usize..4, count(), 0u32..=100).prop_map(|(i, q, share)| (i, q, (u64::from(q) * u64::from(share) / 100) as u32));
    (
        currency(),
        vec((big(), Just(false)), 1..=4),
        vec(line, 0..=5),
        btree_set(any::<u16>(), 0..=5),
        vec(promotion, 5),
        option::of((
            (
                discount(0u32..=10_000, big()),
                Just(0i64),
                Just(-1i64),
                Just(1i64),
                Just(true),
                Just(None),
                Just(0u32),
                Just(None),
                Just(0u32),
                Just(None),
            ),
            Just((false, false)),
        )),
        option::of((big(), big(), Just(false))),
        option::of(count()),
    )
        .prop_map(|(c, prices, lines, ids, promotions, code, delivery, tax)| {
            assemble(c, prices, lines, ids, promotions, code, delivery, tax)
        })
}
