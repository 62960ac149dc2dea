//! Hand-computed promo codes: the discount, its split over the lines, and every reason a code is rejected.
use time::Duration;

use super::fixtures::{NOW, aed, delivery, first_use, kwd, line, percent, priced, product, promo_code, promotion, refused, request};
use super::{PromoCodeUse, PromoRejection, QuoteError, QuoteLine, QuoteRequest};
use crate::domain::catalog::{Product, PromotionKind};
use crate::domain::money::{Currency, Money};
use crate::domain::orders::{PromoCode, PromoDiscount};

fn with_code<'a>(lines: &'a [QuoteLine<'a>], code: &'a PromoCode) -> QuoteRequest<'a> {
    QuoteRequest { promo_code: first_use(code), ..request(Currency::Kwd, lines) }
}

fn rejection(lines: &[QuoteLine<'_>], code: &PromoCode) -> QuoteError {
    refused(&with_code(lines, code))
}

fn shares(lines: &[QuoteLine<'_>], code: &PromoCode) -> Vec<i64> {
    priced(&with_code(lines, code)).lines.iter().map(|l| l.order_discount_share.minor).collect()
}

fn restricted_to(mut code: PromoCode, products: &[&Product]) -> PromoCode {
    code.product_ids = products.iter().map(|p| p.id).collect();
    code
}

#[test]
fn a_percent_code_for_some_products_splits_its_discount_over_them_with_ties_to_the_earlier_line() {
    let (a, b, c) = (product(1, kwd(333)), product(2, kwd(333)), product(3, kwd(500)));
    let code = restricted_to(promo_code(20, percent(1_000)), &[&a, &b]);
    let lines = [line(&a, 1, 0), line(&b, 1, 0), line(&c, 1, 0)];
    let q = priced(&with_code(&lines, &code));
    // 10 % of the eligible 0.666 is 66.6 → 67 fils; 33.5 each, the leftover fils to the earlier line.
    let got: Vec<(Money, Money)> = q.lines.iter().map(|l| (l.order_discount_share, l.taxable_amount)).collect();
    assert_eq!(got, vec![(kwd(34), kwd(299)), (kwd(33), kwd(300)), (kwd(0), kwd(500))]);
    // 67 of the 1.166 goods is 5.746 % → 575 bp.
    let t = q.totals;
    assert_eq!((t.order_discount, t.order_discount_bp, t.net_amount, t.amount_to_pay), (kwd(67), 575, kwd(1_099), kwd(1_099)));
    assert_eq!(q.promo_code, Some(code.id));
    assert!(q.lines.iter().all(|l| l.discount_bp == 0), "the code's discount is not the promotion's");
}

#[test]
fn the_leftover_fils_go_to_the_lines_with_the_largest_remainders() {
    let (a, b, c) = (product(1, kwd(100)), product(2, kwd(200)), product(3, kwd(400)));
    let code = promo_code(20, PromoDiscount::Fixed(kwd(10)));
    // Exact shares 1.43, 2.86 and 5.71: floors 1, 2, 5 and the two fils left go to the .86 and the .71.
    assert_eq!(shares(&[line(&a, 1, 0), line(&b, 1, 0), line(&c, 1, 0)], &code), vec![1, 3, 6]);
}

#[test]
fn a_percent_code_rounds_half_a_fils_up() {
    let water = product(1, kwd(1_005));
    let q = priced(&with_code(&[line(&water, 1, 0)], &promo_code(20, percent(1_000))));
    // 100.5 → 101.
    assert_eq!((q.totals.order_discount, q.totals.order_discount_bp, q.totals.net_amount), (kwd(101), 1_005, kwd(904)));
}

#[test]
fn a_percent_code_applies_to_the_goods_after_promotions() {
    let water = product(1, kwd(1_000));
    let offer = promotion(10, PromotionKind::FixedPriceBundle { packs: 2, price: kwd(1_500) }, &[&water]);
    let code = promo_code(20, percent(2_000));
    let lines = [line(&water, 4, 0)];
    let q = priced(&QuoteRequest { promotions: std::slice::from_ref(&offer), ..with_code(&lines, &code) });
    // 4.000 gross, 3.000 after two bundles, 20 % of that is 0.600.
    let t = q.totals;
    assert_eq!((t.sub_total, t.promotion_discount, t.order_discount, t.order_discount_bp), (kwd(4_000), kwd(1_000), kwd(600), 2_000));
    assert_eq!(t.net_amount, kwd(2_400));
}

#[test]
fn a_fixed_code_bigger_than_the_goods_takes_only_the_goods() {
    let (a, b) = (product(1, kwd(1_000)), product(2, kwd(2_000)));
    let code = promo_code(20, PromoDiscount::Fixed(kwd(5_000)));
    let lines = [line(&a, 1, 0), line(&b, 1, 0)];
    let q = priced(&QuoteRequest { delivery: delivery(kwd(500), kwd(0)), ..with_code(&lines, &code) });
    assert_eq!(
        q.lines.iter().map(|l| (l.order_discount_share, l.taxable_amount)).collect::<Vec<_>>(),
        vec![(kwd(1_000), kwd(0)), (kwd(2_000), kwd(0))]
    );
    let t = q.totals;
    assert_eq!((t.order_discount, t.order_discount_bp, t.net_amount, t.amount_to_pay), (kwd(3_000), 10_000, kwd(500), kwd(500)));
}

#[test]
fn a_fixed_code_for_one_product_is_capped_at_that_products_goods() {
    let (a, b) = (product(1, kwd(1_000)), product(2, kwd(2_000)));
    let code = restricted_to(promo_code(20, PromoDiscount::Fixed(kwd(5_000))), &[&a]);
    let q = priced(&with_code(&[line(&a, 1, 0), line(&b, 1, 0)], &code));
    // 1.000 of the 3.000 goods: 33.33 % → 3 333 bp.
    assert_eq!((q.totals.order_discount, q.totals.order_discount_bp, q.totals.net_amount), (kwd(1_000), 3_333, kwd(2_000)));
}

#[test]
fn a_percent_above_one_hundred_or_a_negative_amount_never_makes_a_surcharge() {
    let water = product(1, kwd(1_000));
    let lines = [line(&water, 1, 0)];
    let q = priced(&with_code(&lines, &promo_code(20, percent(15_000))));
    assert_eq!((q.totals.order_discount, q.totals.net_amount), (kwd(1_000), kwd(0)));
    let q = priced(&with_code(&lines, &promo_code(21, PromoDiscount::Fixed(kwd(-300)))));
    assert_eq!((q.totals.order_discount, q.totals.net_amount, q.promo_code.is_some()), (kwd(0), kwd(1_000), true));
}

#[test]
fn coupons_pay_their_packs_net_of_the_codes_discount() {
    let water = product(1, kwd(1_000));
    let q = priced(&with_code(&[line(&water, 4, 1)], &promo_code(20, percent(2_500))));
    // 4.000 − 25 % = 3.000, one coupon of four packs pays 0.750.
    assert_eq!((q.lines[0].coupon_credit, q.totals.amount_to_pay), (kwd(750), kwd(2_250)));
}

#[test]
fn an_inactive_code_is_rejected() {
    let water = product(1, kwd(1_000));
    let mut code = promo_code(20, percent(1_000));
    code.active = false;
    assert_eq!(rejection(&[line(&water, 1, 0)], &code), QuoteError::PromoCode(PromoRejection::Inactive));
}

#[test]
fn a_code_before_its_start_is_rejected_with_the_start_and_applies_from_its_first_instant() {
    let water = product(1, kwd(1_000));
    let lines = [line(&water, 1, 0)];
    let mut code = promo_code(20, percent(1_000));
    code.valid_from = NOW + Duration::seconds(1);
    assert_eq!(rejection(&lines, &code), QuoteError::PromoCode(PromoRejection::NotYetValid { starts: code.valid_from }));
    code.valid_from = NOW;
    assert_eq!(priced(&with_code(&lines, &code)).totals.order_discount, kwd(100));
}

#[test]
fn a_code_at_or_after_its_end_is_expired_and_never_discounts() {
    let water = product(1, kwd(1_000));
    let lines = [line(&water, 1, 0)];
    let mut code = promo_code(20, percent(1_000));
    code.valid_until = NOW;
    assert_eq!(rejection(&lines, &code), QuoteError::PromoCode(PromoRejection::Expired));
    code.valid_until = NOW - Duration::days(30);
    assert_eq!(rejection(&lines, &code), QuoteError::PromoCode(PromoRejection::Expired));
    // Without the code the cart prices at full price, so the checkout can drop it and carry on.
    let q = priced(&request(Currency::Kwd, &lines));
    assert_eq!((q.totals.order_discount, q.totals.net_amount, q.promo_code), (kwd(0), kwd(1_000), None));
}

#[test]
fn a_code_needs_its_minimum_of_goods_after_promotions() {
    let water = product(1, kwd(1_000));
    let offer = promotion(10, PromotionKind::FixedPriceBundle { packs: 5, price: kwd(4_000) }, &[&water]);
    let mut code = promo_code(20, percent(1_000));
    code.min_order = kwd(5_000);
    let (five, six) = ([line(&water, 5, 0)], [line(&water, 6, 0)]);
    // A gross of 5.000 is 4.000 after the bundle.
    let err = refused(&QuoteRequest { promotions: std::slice::from_ref(&offer), ..with_code(&five, &code) });
    assert_eq!(err, QuoteError::PromoCode(PromoRejection::MinimumNotMet { minimum: kwd(5_000), goods: kwd(4_000) }));
    assert!(err.to_string().contains("5.000 KWD") && err.to_string().contains("4.000 KWD"));
    // 6 packs are 5.000 after the bundle: exactly the minimum.
    let q = priced(&QuoteRequest { promotions: std::slice::from_ref(&offer), ..with_code(&six, &code) });
    assert_eq!(q.totals.order_discount, kwd(500));
}

#[test]
fn a_code_used_as_often_as_allowed_is_used_up() {
    let water = product(1, kwd(1_000));
    let lines = [line(&water, 1, 0)];
    let mut code = promo_code(20, percent(1_000));
    code.max_uses = Some(10);
    code.uses = 10;
    assert_eq!(rejection(&lines, &code), QuoteError::PromoCode(PromoRejection::UsedUp));
    code.uses = 9;
    assert_eq!(priced(&with_code(&lines, &code)).promo_code, Some(code.id));
}

#[test]
fn a_customer_who_used_a_code_as_often_as_allowed_cannot_use_it_again() {
    let water = product(1, kwd(1_000));
    let lines = [line(&water, 1, 0)];
    let mut code = promo_code(20, percent(1_000));
    code.max_uses_per_customer = Some(2);
    let used = |customer_uses| quote_with_uses(&lines, &code, customer_uses);
    assert_eq!(used(2), Err(QuoteError::PromoCode(PromoRejection::UsedUpByCustomer)));
    assert_eq!(used(1).map(|q| q.totals.order_discount), Ok(kwd(100)));
}

fn quote_with_uses(lines: &[QuoteLine<'_>], code: &PromoCode, customer_uses: u32) -> Result<super::Quote, QuoteError> {
    super::quote(&QuoteRequest { promo_code: Some(PromoCodeUse { code, customer_uses }), ..request(Currency::Kwd, lines) })
}

#[test]
fn a_code_for_products_not_in_the_cart_has_no_eligible_products() {
    let (water, juice) = (product(1, kwd(1_000)), product(2, kwd(1_000)));
    let code = restricted_to(promo_code(20, percent(1_000)), &[&juice]);
    assert_eq!(rejection(&[line(&water, 1, 0)], &code), QuoteError::PromoCode(PromoRejection::NoEligibleProducts));
}

#[test]
fn a_code_with_amounts_in_another_currency_is_rejected() {
    let water = product(1, kwd(1_000));
    let lines = [line(&water, 1, 0)];
    let fixed = promo_code(20, PromoDiscount::Fixed(aed(500)));
    assert_eq!(rejection(&lines, &fixed), QuoteError::PromoCode(PromoRejection::CurrencyMismatch));
    let mut minimum = promo_code(21, percent(1_000));
    minimum.min_order = aed(0);
    assert_eq!(rejection(&lines, &minimum), QuoteError::PromoCode(PromoRejection::CurrencyMismatch));
}

#[test]
fn what_the_customer_cannot_change_is_reported_before_what_the_cart_can() {
    let (water, juice) = (product(1, kwd(1_000)), product(2, kwd(1_000)));
    let lines = [line(&water, 1, 0)];
    let mut code = restricted_to(promo_code(20, PromoDiscount::Fixed(aed(100))), &[&juice]);
    code.min_order = kwd(9_000);
    (code.active, code.valid_until, code.max_uses, code.uses) = (false, NOW, Some(1), 1);
    code.max_uses_per_customer = Some(0);
    let mut expect = |rejection: PromoRejection, fix: &dyn Fn(&mut PromoCode)| {
        assert_eq!(refused(&with_code(&lines, &code)), QuoteError::PromoCode(rejection));
        fix(&mut code);
    };
    expect(PromoRejection::Inactive, &|c| c.active = true);
    expect(PromoRejection::Expired, &|c| c.valid_until = NOW + Duration::days(1));
    expect(PromoRejection::UsedUp, &|c| c.max_uses = None);
    expect(PromoRejection::UsedUpByCustomer, &|c| c.max_uses_per_customer = None);
    expect(PromoRejection::CurrencyMismatch, &|c| c.discount = PromoDiscount::Fixed(kwd(100)));
    expect(PromoRejection::NoEligibleProducts, &|c| c.product_ids.clear());
    expect(PromoRejection::MinimumNotMet { minimum: kwd(9_000), goods: kwd(1_000) }, &|c| c.min_order = kwd(0));
    assert_eq!(priced(&with_code(&lines, &code)).totals.order_discount, kwd(100));
}

#[test]
fn an_unrestricted_code_on_an_empty_cart_applies_with_nothing_off() {
    let code = promo_code(20, percent(1_000));
    let q = priced(&with_code(&[], &code));
    assert_eq!((q.promo_code, q.totals.order_discount, q.totals.order_discount_bp), (Some(code.id), kwd(0), 0));
}
