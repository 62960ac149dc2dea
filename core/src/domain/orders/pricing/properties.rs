//! Property tests: the checkout rules hold for arbitrary carts, promotions, codes, delivery terms and taxes. Every
//! expected figure is recomputed here in i128, independently of the engine.
use proptest::prelude::*;
use time::Duration;

use super::fixtures::NOW;
use super::strategies::{Case, case, huge_case, wild_case};
use super::{DeliveryTerms, PromoRejection, Quote, QuoteError};
use crate::domain::catalog::PricingError;
use crate::domain::money::Money;
use crate::domain::orders::PromoDiscount;

/// `n / d` rounded half up, for `n >= 0` and `d > 0`.
fn half_up(n: i128, d: i128) -> i128 {
    (2 * n + d) / (2 * d)
}

/// Every figure of `q` is what the rules say for `case`.
fn figures_hold(case: &Case, q: &Quote) -> Result<(), TestCaseError> {
    let currency = case.currency;
    let rate = i128::from(case.tax.map_or(0, |t| t.rate_bp));
    prop_assert_eq!(q.lines.len(), case.lines.len());
    let (mut gross_sum, mut promotion_sum, mut shares, mut line_tax, mut credits) = (0i128, 0i128, 0i128, 0i128, 0i128);
    for (l, &(i, quantity, coupons)) in q.lines.iter().zip(&case.lines) {
        let product = &case.products[i];
        prop_assert_eq!((l.product_id, l.quantity, l.coupons), (product.id, quantity, coupons));
        let figures =
            [l.unit_price, l.gross, l.promotion_discount, l.order_discount_share, l.line_total, l.taxable_amount, l.tax, l.coupon_credit];
        prop_assert!(figures.iter().all(|m| m.currency == currency && m.minor >= 0), "bad line figure in {:?}", l);
        let [unit, gross, promotion, share, total, taxable, tax, credit] = figures.map(|m| i128::from(m.minor));
        prop_assert_eq!(l.unit_price, product.price_per_pack);
        prop_assert_eq!(gross, unit * i128::from(quantity));
        prop_assert!(promotion <= gross);
        prop_assert_eq!(total, gross - promotion);
        prop_assert!(share <= total);
        prop_assert_eq!(taxable, total - share);
        prop_assert_eq!(tax, half_up(taxable * rate, 10_000));
        let payable = taxable + tax;
        let expected_credit = if coupons == quantity { payable } else { payable * i128::from(coupons) / i128::from(quantity) };
        prop_assert_eq!(credit, expected_credit);
        prop_assert_eq!(i128::from(l.discount_bp), if gross == 0 { 0 } else { half_up(promotion * 10_000, gross) });
        gross_sum += gross;
        promotion_sum += promotion;
        shares += share;
        line_tax += tax;
        credits += credit;
    }

    let t = &q.totals;
    let figures =
        [t.sub_total, t.promotion_discount, t.order_discount, t.delivery_fee, t.tax_total, t.net_amount, t.coupon_credit, t.amount_to_pay];
    prop_assert!(t.currency == currency && figures.iter().all(|m| m.currency == currency && m.minor >= 0), "bad totals {:?}", t);
    let [sub_total, promotion_discount, order_discount, fee, tax_total, net, coupon_credit, to_pay] = figures.map(|m| i128::from(m.minor));
    prop_assert_eq!(sub_total, gross_sum);
    prop_assert_eq!(promotion_discount, promotion_sum);
    prop_assert_eq!(order_discount, shares, "the shares add up to the order discount");
    prop_assert_eq!(fee, case.delivery.map_or(0, |d| i128::from(d.fee.minor)));
    prop_assert_eq!(tax_total, line_tax + half_up(fee * rate, 10_000), "line taxes and the delivery tax add up");
    prop_assert_eq!(t.tax_rate_bp, case.tax.map_or(0, |r| r.rate_bp));
    prop_assert_eq!(net, sub_total - promotion_discount - order_discount + fee + tax_total);
    prop_assert_eq!(coupon_credit, credits);
    prop_assert!(coupon_credit <= net);
    prop_assert_eq!(to_pay, net - coupon_credit);
    let goods = sub_total - promotion_discount;
    prop_assert_eq!(i128::from(t.order_discount_bp), if goods == 0 { 0 } else { half_up(order_discount * 10_000, goods) });
    let minimum = case.delivery.map_or(0, |d| i128::from(d.minimum_order.minor));
    prop_assert_eq!(q.below_minimum.map(|m| (m.currency, i128::from(m.minor))), (goods < minimum).then_some((currency, minimum - goods)));
    prop_assert_eq!(q.promo_code, case.code.as_ref().map(|(c, _)| c.id));
    Ok(())
}

/// The code's discount is what it promises, split over the eligible lines by the largest remainder.
fn discount_holds(case: &Case, q: &Quote) -> Result<(), TestCaseError> {
    let Some((code, _)) = &case.code else { return Ok(()) };
    let eligible: Vec<bool> = q.lines.iter().map(|l| code.product_ids.is_empty() || code.product_ids.contains(&l.product_id)).collect();
    let weights: Vec<i128> = q.lines.iter().zip(&eligible).map(|(l, &e)| if e { i128::from(l.line_total.minor) } else { 0 }).collect();
    let total: i128 = weights.iter().sum();
    let promised = match code.discount {
        PromoDiscount::Percent { basis_points } => half_up(total * i128::from(basis_points), 10_000),
        PromoDiscount::Fixed(m) => i128::from(m.minor),
    };
    let amount = promised.clamp(0, total);
    prop_assert_eq!(i128::from(q.totals.order_discount.minor), amount);
    if total == 0 {
        prop_assert!(q.lines.iter().all(|l| l.order_discount_share.minor == 0));
        return Ok(());
    }
    // (got the leftover fils, remainder) per line.
    let mut ranked = Vec::new();
    for (l, &w) in q.lines.iter().zip(&weights) {
        let (floor, remainder) = (amount * w / total, amount * w % total);
        let share = i128::from(l.order_discount_share.minor);
        prop_assert!(share == floor || (share == floor + 1 && remainder > 0), "share {} of exact {}/{}", share, amount * w, total);
        ranked.push((share > floor, remainder));
    }
    for (i, &(got_i, r_i)) in ranked.iter().enumerate() {
        for (j, &(got_j, r_j)) in ranked.iter().enumerate() {
            if got_i && !got_j {
                prop_assert!(r_i > r_j || (r_i == r_j && i < j), "line {} got a leftover fils before line {}", i, j);
            }
        }
    }
    Ok(())
}

/// Why `case`'s code should be refused, by the rules in their order; `goods` from the quote without the code.
fn expected_rejection(case: &Case, goods: i64) -> Option<PromoRejection> {
    let (code, customer_uses) = case.code.as_ref()?;
    let fixed_foreign = matches!(code.discount, PromoDiscount::Fixed(m) if m.currency != case.currency);
    let any_eligible = case.lines.iter().any(|&(i, _, _)| code.product_ids.contains(&case.products[i].id));
    let checks = [
        (!code.active, PromoRejection::Inactive),
        (NOW < code.valid_from, PromoRejection::NotYetValid { starts: code.valid_from }),
        (NOW >= code.valid_until, PromoRejection::Expired),
        (code.max_uses.is_some_and(|m| code.uses >= m), PromoRejection::UsedUp),
        (code.max_uses_per_customer.is_some_and(|m| *customer_uses >= m), PromoRejection::UsedUpByCustomer),
        (fixed_foreign || code.min_order.currency != case.currency, PromoRejection::CurrencyMismatch),
        (!code.product_ids.is_empty() && !any_eligible, PromoRejection::NoEligibleProducts),
        (goods < code.min_order.minor, PromoRejection::MinimumNotMet { minimum: code.min_order, goods: Money::new(goods, case.currency) }),
    ];
    checks.into_iter().find(|(fails, _)| *fails).map(|(_, r)| r)
}

fn is_overflow(e: &QuoteError) -> bool {
    matches!(e, QuoteError::Overflow | QuoteError::Pricing(PricingError::Overflow(_)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_figure_follows_the_rules_and_none_is_negative(case in case()) {
        match case.quote() {
            Ok(q) => { figures_hold(&case, &q)?; discount_holds(&case, &q)?; }
            Err(QuoteError::PromoCode(_)) => prop_assert!(case.without_code().quote().is_ok()),
            Err(e) => prop_assert!(false, "an ordinary checkout failed: {e:?}"),
        }
    }

    #[test]
    fn a_code_is_refused_exactly_for_the_first_rule_it_breaks(case in case()) {
        let without = case.without_code().quote().unwrap();
        let goods = without.totals.sub_total.minor - without.totals.promotion_discount.minor;
        match (case.quote(), expected_rejection(&case, goods)) {
            (Ok(_), None) => {}
            (Err(QuoteError::PromoCode(got)), Some(expected)) => prop_assert_eq!(got, expected),
            (got, expected) => prop_assert!(false, "got {got:?}, expected the rejection {expected:?}"),
        }
    }

    #[test]
    fn a_code_outside_its_window_never_changes_the_totals(case in case(), early in any::<bool>(), by in 0i64..=100_000) {
        let mut case = case;
        let Some((code, _)) = case.code.as_mut() else { return Ok(()) };
        if early {
            code.valid_from = NOW + Duration::seconds(by + 1);
        } else {
            code.valid_until = NOW - Duration::seconds(by);
        }
        let without = case.without_code().quote().unwrap();
        match case.quote() {
            Err(QuoteError::PromoCode(PromoRejection::Inactive | PromoRejection::NotYetValid { .. } | PromoRejection::Expired)) => {}
            Ok(q) => prop_assert_eq!(q.totals, without.totals, "a code outside its window discounted"),
            Err(e) => prop_assert!(false, "expected the window to refuse the code, got {e:?}"),
        }
    }

    #[test]
    fn the_area_minimum_counts_the_goods_after_promotions_but_before_the_code(case in case()) {
        let Ok(q) = case.quote() else { return Ok(()) };
        let t = q.totals;
        let goods = t.sub_total.minor - t.promotion_discount.minor;
        let at = |minimum: i64| {
            let terms = DeliveryTerms { fee: Money::zero(case.currency), minimum_order: Money::new(minimum, case.currency) };
            Case { delivery: Some(terms), ..case.clone() }.quote().map(|q| q.below_minimum)
        };
        prop_assert_eq!(at(t.sub_total.minor), Ok((goods < t.sub_total.minor).then_some(t.promotion_discount)));
        prop_assert_eq!(at(goods), Ok(None), "the code's discount and the tax do not count");
        prop_assert_eq!(at(goods + 1), Ok(Some(Money::new(1, case.currency))));
    }

    #[test]
    fn the_quote_does_not_depend_on_the_order_of_the_promotions(
        (case, shuffled) in case().prop_flat_map(|c| { let p = c.promotions.clone(); (Just(c), Just(p).prop_shuffle()) })
    ) {
        prop_assert_eq!(case.quote(), case.quote_with(&shuffled));
        let mut reversed = case.promotions.clone();
        reversed.reverse();
        prop_assert_eq!(case.quote(), case.quote_with(&reversed));
    }

    #[test]
    fn any_integers_give_a_consistent_quote_or_an_error_never_a_panic(case in wild_case()) {
        if let Ok(q) = case.quote() {
            figures_hold(&case, &q)?;
            discount_holds(&case, &q)?;
        }
    }

    #[test]
    fn valid_checkouts_too_large_to_price_fail_only_with_overflow(case in huge_case()) {
        match case.quote() {
            Ok(q) => { figures_hold(&case, &q)?; discount_holds(&case, &q)?; }
            Err(e) => prop_assert!(is_overflow(&e), "expected an overflow, got {e:?}"),
        }
    }
}
