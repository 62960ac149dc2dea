//! Examples of each pricing rule and its boundaries.
use time::Duration;

use super::fixtures::{NOW, bundle, buy_get_free, product, product_in, promotion, promotion_id};
use super::{CartLine, PricedLine, PricingError, price_lines};
use crate::domain::catalog::{Product, Promotion, PromotionKind};
use crate::domain::money::{Currency, Money};

fn price_one(product: &Product, quantity: u32, promotions: &[Promotion]) -> PricedLine {
    let lines = price_lines(&[CartLine { product, quantity }], promotions, NOW).unwrap();
    assert_eq!(lines.len(), 1);
    lines.into_iter().next().unwrap()
}

fn kwd(minor: i64) -> Money {
    Money::new(minor, Currency::Kwd)
}

#[test]
fn a_line_without_promotions_costs_quantity_times_the_list_price() {
    let water = product(1, 1_250);
    let line = price_one(&water, 3, &[]);
    assert_eq!(line.product_id, water.id);
    assert_eq!(line.quantity, 3);
    assert_eq!(line.free_quantity, 0);
    assert_eq!(line.unit_price, kwd(1_250));
    assert_eq!(line.gross, kwd(3_750));
    assert_eq!(line.discount, kwd(0));
    assert_eq!(line.total, kwd(3_750));
    assert_eq!(line.promotion_id, None);
}

#[test]
fn lines_are_priced_in_the_order_given() {
    let (a, b) = (product(1, 100), product(2, 200));
    let lines = price_lines(&[CartLine { product: &b, quantity: 1 }, CartLine { product: &a, quantity: 2 }], &[], NOW).unwrap();
    assert_eq!(lines.iter().map(|l| l.product_id).collect::<Vec<_>>(), vec![b.id, a.id]);
}

#[test]
fn buy_get_free_adds_free_packs_for_every_full_group() {
    let water = product(1, 1_000);
    let promo = promotion(10, buy_get_free(5, 1), &[&water]);
    let line = price_one(&water, 11, &[promo]);
    assert_eq!(line.free_quantity, 2);
    assert_eq!(line.packs_delivered(), 13);
    assert_eq!(line.gross, kwd(11_000));
    assert_eq!(line.discount, kwd(0));
    assert_eq!(line.total, kwd(11_000));
    assert_eq!(line.promotion_id, Some(promotion_id(10)));
}

#[test]
fn buy_get_free_gives_nothing_below_the_group_size() {
    let water = product(1, 1_000);
    let line = price_one(&water, 4, &[promotion(10, buy_get_free(5, 1), &[&water])]);
    assert_eq!((line.free_quantity, line.promotion_id), (0, None));
    assert_eq!(line.total, kwd(4_000));
}

#[test]
fn buy_get_free_with_zero_buy_or_zero_free_never_applies() {
    let water = product(1, 1_000);
    let promos = [promotion(10, buy_get_free(0, 3), &[&water]), promotion(11, buy_get_free(2, 0), &[&water])];
    let line = price_one(&water, 10, &promos);
    assert_eq!((line.free_quantity, line.promotion_id), (0, None));
}

#[test]
fn a_bundle_prices_each_full_group_and_the_remainder_at_list_price() {
    let water = product(1, 1_000);
    let promo = promotion(10, bundle(3, 2_500), &[&water]);
    // Two bundles (5.000) and one pack at list (1.000) instead of 7.000.
    let line = price_one(&water, 7, &[promo]);
    assert_eq!(line.gross, kwd(7_000));
    assert_eq!(line.discount, kwd(1_000));
    assert_eq!(line.total, kwd(6_000));
    assert_eq!(line.free_quantity, 0);
    assert_eq!(line.promotion_id, Some(promotion_id(10)));
}

#[test]
fn a_bundle_gives_nothing_below_its_pack_count() {
    let water = product(1, 1_000);
    let line = price_one(&water, 2, &[promotion(10, bundle(3, 2_500), &[&water])]);
    assert_eq!((line.discount, line.total, line.promotion_id), (kwd(0), kwd(2_000), None));
}

#[test]
fn a_bundle_dearer_than_the_list_price_is_not_applied() {
    let water = product(1, 1_000);
    let dearer = promotion(10, bundle(3, 3_500), &[&water]);
    let same = promotion(11, bundle(3, 3_000), &[&water]);
    let line = price_one(&water, 6, &[dearer, same]);
    assert_eq!((line.discount, line.total, line.promotion_id), (kwd(0), kwd(6_000), None));
}

#[test]
fn a_bundle_with_zero_packs_never_applies() {
    let water = product(1, 1_000);
    let line = price_one(&water, 6, &[promotion(10, bundle(0, 0), &[&water])]);
    assert_eq!((line.discount, line.promotion_id), (kwd(0), None));
}

#[test]
fn a_promotion_applies_from_its_first_instant() {
    let water = product(1, 1_000);
    let mut promo = promotion(10, buy_get_free(1, 1), &[&water]);
    promo.valid_from = NOW;
    assert_eq!(price_one(&water, 1, &[promo]).free_quantity, 1);
}

#[test]
fn a_promotion_does_not_apply_before_it_starts() {
    let water = product(1, 1_000);
    let mut promo = promotion(10, buy_get_free(1, 1), &[&water]);
    promo.valid_from = NOW + Duration::nanoseconds(1);
    assert_eq!(price_one(&water, 1, &[promo]).free_quantity, 0);
}

#[test]
fn a_promotion_no_longer_applies_at_its_end_instant() {
    let water = product(1, 1_000);
    let mut promo = promotion(10, bundle(2, 1_000), &[&water]);
    promo.valid_until = NOW;
    let line = price_one(&water, 2, &[promo.clone()]);
    assert_eq!((line.discount, line.promotion_id), (kwd(0), None));
    promo.valid_until = NOW + Duration::nanoseconds(1);
    assert_eq!(price_one(&water, 2, &[promo]).discount, kwd(1_000));
}

#[test]
fn an_inactive_promotion_is_ignored() {
    let water = product(1, 1_000);
    let mut promo = promotion(10, buy_get_free(1, 1), &[&water]);
    promo.active = false;
    let line = price_one(&water, 4, &[promo]);
    assert_eq!((line.free_quantity, line.promotion_id), (0, None));
}

#[test]
fn a_promotion_for_another_product_is_ignored() {
    let (water, juice) = (product(1, 1_000), product(2, 1_000));
    let line = price_one(&water, 4, &[promotion(10, buy_get_free(1, 1), &[&juice])]);
    assert_eq!((line.free_quantity, line.promotion_id), (0, None));
}

#[test]
fn a_promotion_linked_to_several_products_applies_to_each_line_separately() {
    let (a, b) = (product(1, 1_000), product(2, 500));
    let promo = promotion(10, buy_get_free(2, 1), &[&a, &b]);
    let lines = price_lines(&[CartLine { product: &a, quantity: 1 }, CartLine { product: &b, quantity: 1 }], &[promo], NOW).unwrap();
    // One pack of each is not two packs of one product.
    assert!(lines.iter().all(|l| l.free_quantity == 0 && l.promotion_id.is_none()));
}

#[test]
fn the_promotion_that_saves_the_customer_most_wins() {
    let water = product(1, 1_000);
    // 6 packs: buy 3 get 1 gives 2 free packs (2.000); a 6-for-4.500 bundle saves 1.500; buy 2 get 1 gives 3 (3.000).
    let promos = [
        promotion(10, buy_get_free(3, 1), &[&water]),
        promotion(11, bundle(6, 4_500), &[&water]),
        promotion(12, buy_get_free(2, 1), &[&water]),
    ];
    let line = price_one(&water, 6, &promos);
    assert_eq!(line.promotion_id, Some(promotion_id(12)));
    assert_eq!((line.free_quantity, line.discount), (3, kwd(0)));
}

#[test]
fn a_bundle_beats_free_packs_worth_less_than_its_discount() {
    let water = product(1, 1_000);
    let promos = [promotion(10, buy_get_free(6, 1), &[&water]), promotion(11, bundle(6, 4_000), &[&water])];
    let line = price_one(&water, 6, &promos);
    assert_eq!(line.promotion_id, Some(promotion_id(11)));
    assert_eq!((line.free_quantity, line.discount, line.total), (0, kwd(2_000), kwd(4_000)));
}

#[test]
fn equal_savings_go_to_the_lower_promotion_id_in_any_order() {
    let water = product(1, 1_000);
    // Both save 1.000 on 4 packs.
    let low = promotion(10, bundle(4, 3_000), &[&water]);
    let high = promotion(11, buy_get_free(4, 1), &[&water]);
    assert_eq!(price_one(&water, 4, &[high.clone(), low.clone()]).promotion_id, Some(promotion_id(10)));
    assert_eq!(price_one(&water, 4, &[low, high]).promotion_id, Some(promotion_id(10)));
}

#[test]
fn free_packs_of_a_free_product_are_not_a_promotion() {
    let sample = product(1, 0);
    let line = price_one(&sample, 3, &[promotion(10, buy_get_free(1, 1), &[&sample])]);
    assert_eq!((line.free_quantity, line.promotion_id), (0, None));
}

#[test]
fn a_zero_quantity_line_costs_nothing() {
    let water = product(1, 1_000);
    let line = price_one(&water, 0, &[promotion(10, bundle(1, 500), &[&water])]);
    assert_eq!((line.gross, line.total, line.promotion_id), (kwd(0), kwd(0), None));
}

#[test]
fn a_bundle_priced_in_another_currency_is_an_error() {
    let water = product(1, 1_000);
    let promo = promotion(10, PromotionKind::FixedPriceBundle { packs: 2, price: Money::new(1_500, Currency::Aed) }, &[&water]);
    let err = price_lines(&[CartLine { product: &water, quantity: 2 }], &[promo], NOW).unwrap_err();
    assert_eq!(
        err,
        PricingError::CurrencyMismatch {
            product: water.id,
            promotion: promotion_id(10),
            product_currency: Currency::Kwd,
            bundle_currency: Currency::Aed
        }
    );
    assert!(err.to_string().contains("KWD") && err.to_string().contains("AED"));
}

#[test]
fn an_expired_bundle_in_another_currency_is_not_an_error() {
    let water = product_in(1, 1_000, Currency::Aed);
    let mut promo = promotion(10, bundle(2, 1_500), &[&water]);
    promo.valid_until = NOW;
    assert_eq!(price_one(&water, 2, &[promo]).promotion_id, None);
}

#[test]
fn a_negative_bundle_price_is_an_error() {
    let water = product(1, 1_000);
    let promo = promotion(10, bundle(2, -1), &[&water]);
    let err = price_lines(&[CartLine { product: &water, quantity: 2 }], &[promo], NOW).unwrap_err();
    assert_eq!(err, PricingError::NegativeBundlePrice(promotion_id(10)));
}

#[test]
fn a_negative_product_price_is_an_error() {
    let water = product(1, -5);
    let err = price_lines(&[CartLine { product: &water, quantity: 1 }], &[], NOW).unwrap_err();
    assert_eq!(err, PricingError::NegativeProductPrice(water.id));
}

#[test]
fn a_gross_too_large_for_the_amount_type_is_an_error_not_a_panic() {
    let gold = product(1, i64::MAX / 2 + 1);
    let err = price_lines(&[CartLine { product: &gold, quantity: 2 }], &[], NOW).unwrap_err();
    assert_eq!(err, PricingError::Overflow(gold.id));
}

#[test]
fn too_many_free_packs_is_an_error_not_a_panic() {
    let water = product(1, 1);
    let promo = promotion(10, buy_get_free(1, 2), &[&water]);
    let err = price_lines(&[CartLine { product: &water, quantity: u32::MAX }], &[promo], NOW).unwrap_err();
    assert_eq!(err, PricingError::Overflow(water.id));
}

#[test]
fn a_bundle_whose_cost_does_not_fit_is_simply_not_applied() {
    let water = product(1, 1_000);
    let line = price_one(&water, 4, &[promotion(10, bundle(2, i64::MAX), &[&water])]);
    assert_eq!((line.discount, line.total, line.promotion_id), (kwd(0), kwd(4_000), None));
}

#[test]
fn figures_keep_the_products_currency() {
    let water = product_in(1, 250, Currency::Aed);
    let promo = promotion(10, PromotionKind::FixedPriceBundle { packs: 2, price: Money::new(400, Currency::Aed) }, &[&water]);
    let line = price_one(&water, 2, &[promo]);
    for m in [line.unit_price, line.gross, line.discount, line.total] {
        assert_eq!(m.currency, Currency::Aed);
    }
    assert_eq!(line.total, Money::new(400, Currency::Aed));
}
