//! Property tests: the pricing rules hold for arbitrary carts and promotions.
use proptest::prelude::*;
use time::Duration;

use super::fixtures::{NOW, product_in, promotion};
use super::{CartLine, PricedLine, PricingError, price_lines};
use crate::domain::catalog::{Product, Promotion, PromotionId, PromotionKind};
use crate::domain::money::{Currency, Money};

/// A cart and the promotions on offer, all in one currency with bounded, non-negative prices.
#[derive(Debug, Clone)]
struct Case {
    products: Vec<Product>,
    /// (index into `products`, quantity)
    lines: Vec<(usize, u32)>,
    promotions: Vec<Promotion>,
}

impl Case {
    fn price(&self, promotions: &[Promotion]) -> Result<Vec<PricedLine>, PricingError> {
        let lines: Vec<CartLine<'_>> = self.lines.iter().map(|&(i, quantity)| CartLine { product: &self.products[i], quantity }).collect();
        price_lines(&lines, promotions, NOW)
    }
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![Just(Currency::Kwd), Just(Currency::Aed)]
}

fn kind(currency: Currency) -> impl Strategy<Value = PromotionKind> {
    prop_oneof![
        (0u32..=6, 0u32..=3).prop_map(|(buy, free)| PromotionKind::BuyGetFree { buy, free }),
        (0u32..=6, 0i64..=700_000)
            .prop_map(move |(packs, price)| PromotionKind::FixedPriceBundle { packs, price: Money::new(price, currency) }),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (currency(), prop::collection::vec(0i64..=100_000, 1..=4)).prop_flat_map(|(currency, prices)| {
        let products: Vec<Product> = prices.iter().enumerate().map(|(i, &p)| product_in(i as u128 + 1, p, currency)).collect();
        let n = products.len();
        let promotion_spec = (kind(currency), -3i64..=3, -3i64..=3, any::<bool>(), prop::collection::vec(any::<bool>(), n));
        (
            Just(products),
            prop::collection::vec((0..n, 0u32..=500), 0..=5),
            prop::collection::btree_set(any::<u16>(), 0..=6),
            prop::collection::vec(promotion_spec, 6),
        )
            .prop_map(|(products, lines, ids, specs)| {
                let promotions = ids
                    .into_iter()
                    .zip(specs)
                    .map(|(id, (kind, from, until, active, links))| {
                        let linked: Vec<&Product> = products.iter().zip(&links).filter(|(_, l)| **l).map(|(p, _)| p).collect();
                        let mut p = promotion(u128::from(id), kind, &linked);
                        p.valid_from = NOW + Duration::seconds(from);
                        p.valid_until = NOW + Duration::seconds(until);
                        p.active = active;
                        p
                    })
                    .collect();
                Case { products, lines, promotions }
            })
    })
}

/// What a promotion saves on `quantity` packs at `unit` minor units, computed independently in i128.
fn saving(kind: PromotionKind, unit: i64, quantity: u32) -> i128 {
    let (q, unit) = (i128::from(quantity), i128::from(unit));
    match kind {
        PromotionKind::BuyGetFree { buy, free } if buy > 0 && free > 0 => q / i128::from(buy) * i128::from(free) * unit,
        PromotionKind::FixedPriceBundle { packs, price } if packs > 0 => {
            let packs = i128::from(packs);
            q * unit - (q / packs * i128::from(price.minor) + q % packs * unit)
        }
        _ => 0,
    }
}

proptest! {
    #[test]
    fn every_line_is_priced_and_its_figures_add_up(case in case()) {
        let priced = case.price(&case.promotions).unwrap();
        prop_assert_eq!(priced.len(), case.lines.len());
        for (line, &(i, quantity)) in priced.iter().zip(&case.lines) {
            let product = &case.products[i];
            prop_assert_eq!(line.product_id, product.id);
            prop_assert_eq!(line.quantity, quantity);
            prop_assert_eq!(line.unit_price, product.price_per_pack);
            prop_assert_eq!(line.gross.minor, product.price_per_pack.minor * i64::from(quantity));
            prop_assert!(line.discount.minor >= 0);
            prop_assert!(line.discount.minor <= line.gross.minor);
            prop_assert!(line.total.minor >= 0);
            prop_assert_eq!(line.total.minor, line.gross.minor - line.discount.minor);
            let currency = product.price_per_pack.currency;
            prop_assert!([line.gross, line.discount, line.total].iter().all(|m| m.currency == currency));
        }
    }

    #[test]
    fn promotions_not_valid_now_give_no_free_packs_and_no_discount(case in case()) {
        let (valid, invalid): (Vec<Promotion>, Vec<Promotion>) = case.promotions.iter().cloned().partition(|p| p.is_valid_at(NOW));
        let only_invalid = case.price(&invalid).unwrap();
        prop_assert!(only_invalid.iter().all(|l| l.free_quantity == 0 && l.discount.minor == 0 && l.promotion_id.is_none()));
        prop_assert_eq!(case.price(&case.promotions), case.price(&valid));
    }

    #[test]
    fn free_packs_come_only_from_a_valid_buy_get_free_on_the_product(case in case()) {
        let priced = case.price(&case.promotions).unwrap();
        for line in &priced {
            let applied = line.promotion_id.and_then(|id| case.promotions.iter().find(|p| p.id == id));
            match applied {
                None => prop_assert!(line.promotion_id.is_none() && line.free_quantity == 0 && line.discount.minor == 0),
                Some(p) => {
                    prop_assert!(p.is_valid_at(NOW));
                    prop_assert!(p.product_ids.contains(&line.product_id));
                    match p.kind {
                        PromotionKind::BuyGetFree { .. } => prop_assert!(line.free_quantity > 0 && line.discount.minor == 0),
                        PromotionKind::FixedPriceBundle { .. } => prop_assert!(line.free_quantity == 0 && line.discount.minor > 0),
                    }
                }
            }
        }
    }

    #[test]
    fn each_line_gets_the_promotion_that_saves_most_with_ties_to_the_lower_id(case in case()) {
        let priced = case.price(&case.promotions).unwrap();
        for (line, &(i, quantity)) in priced.iter().zip(&case.lines) {
            let product = &case.products[i];
            let best: Option<(i128, PromotionId)> = case
                .promotions
                .iter()
                .filter(|p| p.is_valid_at(NOW) && p.product_ids.contains(&product.id))
                .map(|p| (saving(p.kind, product.price_per_pack.minor, quantity), p.id))
                .filter(|(s, _)| *s > 0)
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            prop_assert_eq!(line.promotion_id, best.map(|(_, id)| id));
            let got = i128::from(line.discount.minor) + i128::from(line.free_quantity) * i128::from(line.unit_price.minor);
            prop_assert_eq!(got, best.map_or(0, |(s, _)| s));
        }
    }

    #[test]
    fn the_result_does_not_depend_on_the_order_of_the_promotions(
        (case, shuffled) in case().prop_flat_map(|c| { let p = c.promotions.clone(); (Just(c), Just(p).prop_shuffle()) })
    ) {
        prop_assert_eq!(case.price(&case.promotions), case.price(&shuffled));
        let mut reversed = case.promotions.clone();
        reversed.reverse();
        prop_assert_eq!(case.price(&case.promotions), case.price(&reversed));
    }

    #[test]
    fn a_valid_bundle_in_another_currency_fails_the_cart_and_an_invalid_one_does_not(
        case in case(), packs in 1u32..=6, price in 0i64..=700_000, active in any::<bool>()
    ) {
        prop_assume!(!case.lines.is_empty());
        let product = &case.products[case.lines[0].0];
        let other = match product.price_per_pack.currency { Currency::Kwd => Currency::Aed, Currency::Aed => Currency::Kwd };
        // Generated ids are u16, so this one is unique.
        let mut foreign = promotion(u128::from(u16::MAX) + 1, PromotionKind::FixedPriceBundle { packs, price: Money::new(price, other) }, &[product]);
        foreign.active = active;
        let mut promotions = case.promotions.clone();
        promotions.push(foreign.clone());
        let result = case.price(&promotions);
        if active {
            let failed_on_foreign = matches!(result, Err(PricingError::CurrencyMismatch { promotion, .. }) if promotion == foreign.id);
            prop_assert!(failed_on_foreign, "expected a currency mismatch, got {:?}", result);
        } else {
            prop_assert_eq!(result, case.price(&case.promotions));
        }
    }
}
