//! Hand-computed checkouts: lines and promotions, tax and its rounding, delivery, coupons, and the errors.
use super::fixtures::{aed, delivery, kwd, line, priced, product, promotion, refused, request, vat};
use super::{Country, QuoteError, QuoteRequest, TaxRule};
use crate::domain::catalog::{PricingError, PromotionKind};
use crate::domain::money::{Currency, Money};
use crate::domain::orders::OrderTotals;

fn bundle(packs: u32, price: Money) -> PromotionKind {
    PromotionKind::FixedPriceBundle { packs, price }
}

#[test]
fn a_kwd_cart_without_extras_costs_its_list_price() {
    let water = product(1, kwd(1_250));
    let q = priced(&request(Currency::Kwd, &[line(&water, 3, 0)]));
    let l = &q.lines[0];
    assert_eq!((l.product_id, l.quantity, l.free_quantity, l.coupons), (water.id, 3, 0, 0));
    assert_eq!((l.unit_price, l.gross, l.promotion_discount, l.line_total), (kwd(1_250), kwd(3_750), kwd(0), kwd(3_750)));
    assert_eq!((l.order_discount_share, l.taxable_amount, l.tax, l.coupon_credit), (kwd(0), kwd(3_750), kwd(0), kwd(0)));
    assert_eq!((l.promotion_id, l.discount_bp), (None, 0));
    assert_eq!(
        q.totals,
        OrderTotals {
            currency: Currency::Kwd,
            sub_total: kwd(3_750),
            promotion_discount: kwd(0),
            order_discount: kwd(0),
            order_discount_bp: 0,
            delivery_fee: kwd(0),
            tax_rate_bp: 0,
            tax_total: kwd(0),
            net_amount: kwd(3_750),
            coupon_credit: kwd(0),
            amount_to_pay: kwd(3_750),
        }
    );
    assert_eq!((q.promo_code, q.below_minimum), (None, None));
}

#[test]
fn an_aed_cart_with_vat_and_a_fee_keeps_the_dirham_in_every_figure() {
    let water = product(1, aed(1_250));
    let lines = [line(&water, 2, 0)];
    let q = priced(&QuoteRequest { delivery: delivery(aed(500), aed(2_000)), tax: vat(), ..request(Currency::Aed, &lines) });
    // Goods 25.00; VAT 1.25 on them and 0.25 on the 5.00 fee.
    assert_eq!(q.lines[0].tax, aed(125));
    let t = q.totals;
    assert_eq!((t.currency, t.sub_total, t.delivery_fee, t.tax_rate_bp, t.tax_total), (Currency::Aed, aed(2_500), aed(500), 500, aed(150)));
    assert_eq!((t.net_amount, t.amount_to_pay), (aed(3_150), aed(3_150)));
    let l = &q.lines[0];
    for m in [l.unit_price, l.gross, l.promotion_discount, l.order_discount_share, l.line_total, l.taxable_amount, l.tax, l.coupon_credit] {
        assert_eq!(m.currency, Currency::Aed);
    }
    for m in
        [t.sub_total, t.promotion_discount, t.order_discount, t.delivery_fee, t.tax_total, t.net_amount, t.coupon_credit, t.amount_to_pay]
    {
        assert_eq!(m.currency, Currency::Aed);
    }
}

#[test]
fn a_buy_two_get_one_line_delivers_free_packs_and_charges_only_the_paid_ones() {
    let water = product(1, kwd(1_000));
    let offer = promotion(10, PromotionKind::BuyGetFree { buy: 2, free: 1 }, &[&water]);
    let lines = [line(&water, 5, 0)];
    let q = priced(&QuoteRequest { promotions: std::slice::from_ref(&offer), ..request(Currency::Kwd, &lines) });
    let l = &q.lines[0];
    assert_eq!((l.quantity, l.free_quantity, l.promotion_id), (5, 2, Some(offer.id)));
    assert_eq!((l.gross, l.promotion_discount, l.discount_bp, l.line_total), (kwd(5_000), kwd(0), 0, kwd(5_000)));
    assert_eq!((q.totals.promotion_discount, q.totals.net_amount), (kwd(0), kwd(5_000)));
}

#[test]
fn a_bundle_line_takes_its_discount_off_the_line_total_and_states_it_in_basis_points() {
    let water = product(1, kwd(1_000));
    let offer = promotion(10, bundle(3, kwd(2_500)), &[&water]);
    let lines = [line(&water, 7, 0)];
    let q = priced(&QuoteRequest { promotions: std::slice::from_ref(&offer), ..request(Currency::Kwd, &lines) });
    let l = &q.lines[0];
    // Two bundles (5.000) and one pack (1.000) instead of 7.000; 1.000 / 7.000 = 14.2857 % → 1 429 bp.
    assert_eq!((l.gross, l.promotion_discount, l.line_total, l.discount_bp), (kwd(7_000), kwd(1_000), kwd(6_000), 1_429));
    assert_eq!((l.promotion_id, l.free_quantity), (Some(offer.id), 0));
    let t = q.totals;
    assert_eq!((t.sub_total, t.promotion_discount, t.net_amount, t.amount_to_pay), (kwd(7_000), kwd(1_000), kwd(6_000), kwd(6_000)));
}

#[test]
fn a_line_of_zero_packs_costs_nothing_and_has_no_discount_rate() {
    let water = product(1, kwd(1_000));
    let q = priced(&request(Currency::Kwd, &[line(&water, 0, 0)]));
    assert_eq!((q.lines[0].gross, q.lines[0].discount_bp, q.totals.net_amount), (kwd(0), 0, kwd(0)));
}

#[test]
fn an_empty_cart_prices_to_zeros() {
    let q = priced(&QuoteRequest { tax: vat(), ..request(Currency::Aed, &[]) });
    assert!(q.lines.is_empty());
    let zero = aed(0);
    let t = q.totals;
    assert_eq!((t.sub_total, t.promotion_discount, t.order_discount, t.order_discount_bp), (zero, zero, zero, 0));
    assert_eq!((t.delivery_fee, t.tax_rate_bp, t.tax_total, t.net_amount), (zero, 500, zero, zero));
    assert_eq!((t.coupon_credit, t.amount_to_pay, q.below_minimum), (zero, zero, None));
}

#[test]
fn vat_rounds_each_half_fils_up_per_line() {
    let (a, b, c) = (product(1, aed(10)), product(2, aed(50)), product(3, aed(49)));
    let lines = [line(&a, 1, 0), line(&a, 1, 0), line(&b, 1, 0), line(&c, 1, 0)];
    let q = priced(&QuoteRequest { tax: vat(), ..request(Currency::Aed, &lines) });
    // 0.5 → 1 (twice: per line, not 1.0 on the 20 together), 2.5 → 3 (not the banker's 2), 2.45 → 2.
    let taxes: Vec<Money> = q.lines.iter().map(|l| l.tax).collect();
    assert_eq!(taxes, vec![aed(1), aed(1), aed(3), aed(2)]);
    assert_eq!((q.totals.tax_total, q.totals.net_amount), (aed(7), aed(126)));
}

#[test]
fn the_delivery_fee_is_taxed_once_with_the_same_rounding() {
    let water = product(1, aed(1_000));
    let lines = [line(&water, 1, 0)];
    let q = priced(&QuoteRequest { delivery: delivery(aed(10), aed(0)), tax: vat(), ..request(Currency::Aed, &lines) });
    // 50 fils on the goods, 0.5 → 1 fils on the 10 fils fee.
    assert_eq!(q.lines[0].tax, aed(50));
    assert_eq!((q.totals.delivery_fee, q.totals.tax_total, q.totals.net_amount), (aed(10), aed(51), aed(1_061)));
}

#[test]
fn kuwait_charges_no_tax() {
    let water = product(1, kwd(1_000));
    let lines = [line(&water, 2, 0)];
    let q = priced(&QuoteRequest { delivery: delivery(kwd(500), kwd(0)), tax: Country::Kw.tax(), ..request(Currency::Kwd, &lines) });
    assert_eq!((q.lines[0].tax, q.totals.tax_total, q.totals.tax_rate_bp, q.totals.net_amount), (kwd(0), kwd(0), 0, kwd(2_500)));
}

#[test]
fn goods_after_promotions_below_the_area_minimum_are_quoted_with_the_shortfall() {
    let water = product(1, aed(1_000));
    let offer = promotion(10, bundle(2, aed(1_500)), &[&water]);
    let lines = [line(&water, 2, 0)];
    // The gross 20.00 reaches the 20.00 minimum, the 15.00 after the bundle does not: 5.00 missing.
    let q = priced(&QuoteRequest {
        promotions: std::slice::from_ref(&offer),
        delivery: delivery(aed(500), aed(2_000)),
        ..request(Currency::Aed, &lines)
    });
    assert_eq!(q.below_minimum, Some(aed(500)));
    assert_eq!(q.totals.net_amount, aed(2_000));
}

#[test]
fn goods_that_reach_the_minimum_exactly_are_not_below_it() {
    let water = product(1, aed(1_000));
    let lines = [line(&water, 2, 0)];
    let q = priced(&QuoteRequest { delivery: delivery(aed(0), aed(2_000)), ..request(Currency::Aed, &lines) });
    assert_eq!(q.below_minimum, None);
    let without_terms = priced(&QuoteRequest { delivery: None, ..request(Currency::Aed, &lines) });
    assert_eq!(without_terms.below_minimum, None);
}

#[test]
fn an_empty_cart_misses_the_whole_minimum() {
    let q = priced(&QuoteRequest { delivery: delivery(aed(500), aed(2_000)), ..request(Currency::Aed, &[]) });
    assert_eq!((q.below_minimum, q.totals.net_amount), (Some(aed(2_000)), aed(500)));
}

#[test]
fn partial_coupons_pay_their_share_of_the_line_rounded_down() {
    let water = product(1, aed(333));
    let (one, two) = ([line(&water, 3, 1)], [line(&water, 3, 2)]);
    // 9.99 + 0.50 VAT (49.95 → 50) = 10.49 for three packs: one coupon pays ⌊1049 / 3⌋ = 349, two ⌊2098 / 3⌋ = 699.
    let q = priced(&QuoteRequest { tax: vat(), ..request(Currency::Aed, &one) });
    assert_eq!((q.lines[0].tax, q.lines[0].coupon_credit), (aed(50), aed(349)));
    assert_eq!((q.totals.net_amount, q.totals.coupon_credit, q.totals.amount_to_pay), (aed(1_049), aed(349), aed(700)));
    let q = priced(&QuoteRequest { tax: vat(), ..request(Currency::Aed, &two) });
    assert_eq!((q.totals.coupon_credit, q.totals.amount_to_pay), (aed(699), aed(350)));
}

#[test]
fn coupons_for_every_pack_pay_the_whole_line_but_not_the_delivery() {
    let water = product(1, aed(333));
    let lines = [line(&water, 3, 3)];
    let q = priced(&QuoteRequest { delivery: delivery(aed(500), aed(0)), tax: vat(), ..request(Currency::Aed, &lines) });
    assert_eq!(q.lines[0].coupon_credit, aed(1_049));
    // The 5.00 fee and its 0.25 VAT are left to pay.
    assert_eq!((q.totals.net_amount, q.totals.coupon_credit, q.totals.amount_to_pay), (aed(1_574), aed(1_049), aed(525)));
}

#[test]
fn an_all_coupon_order_without_a_delivery_fee_pays_nothing() {
    let (water, small) = (product(1, kwd(1_000)), product(2, kwd(777)));
    let offer = promotion(10, bundle(2, kwd(1_500)), &[&water]);
    let lines = [line(&water, 5, 5), line(&small, 3, 3)];
    let q = priced(&QuoteRequest {
        promotions: std::slice::from_ref(&offer),
        delivery: delivery(kwd(0), kwd(0)),
        tax: Some(TaxRule { rate_bp: 1_234 }),
        ..request(Currency::Kwd, &lines)
    });
    assert!(q.totals.net_amount.minor > 0);
    assert_eq!(q.totals.coupon_credit, q.totals.net_amount);
    assert_eq!(q.totals.amount_to_pay, kwd(0));
}

#[test]
fn a_product_in_another_currency_is_refused() {
    let (water, imported) = (product(1, kwd(1_000)), product(2, aed(1_000)));
    let err = refused(&request(Currency::Kwd, &[line(&water, 1, 0), line(&imported, 1, 0)]));
    assert_eq!(err, QuoteError::CurrencyMismatch { product: imported.id, expected: Currency::Kwd, found: Currency::Aed });
    assert!(err.to_string().contains("AED"));
}

#[test]
fn more_coupons_than_packs_is_refused() {
    let water = product(1, kwd(1_000));
    let err = refused(&request(Currency::Kwd, &[line(&water, 2, 3)]));
    assert_eq!(err, QuoteError::TooManyCoupons { product: water.id, quantity: 2, coupons: 3 });
}

#[test]
fn delivery_terms_in_another_currency_or_below_zero_are_refused() {
    let water = product(1, kwd(1_000));
    let lines = [line(&water, 1, 0)];
    for (fee, minimum_order) in [(aed(500), kwd(0)), (kwd(500), aed(0)), (kwd(-1), kwd(0)), (kwd(0), kwd(-1))] {
        let err = refused(&QuoteRequest { delivery: delivery(fee, minimum_order), ..request(Currency::Kwd, &lines) });
        assert_eq!(err, QuoteError::InvalidDeliveryTerms { expected: Currency::Kwd, fee, minimum_order });
    }
}

#[test]
fn catalog_pricing_errors_come_through_unchanged() {
    let water = product(1, kwd(1_000));
    let offer = promotion(10, bundle(2, aed(1_500)), &[&water]);
    let lines = [line(&water, 2, 0)];
    let err = refused(&QuoteRequest { promotions: std::slice::from_ref(&offer), ..request(Currency::Kwd, &lines) });
    assert!(matches!(err, QuoteError::Pricing(PricingError::CurrencyMismatch { promotion, .. }) if promotion == offer.id));
}

#[test]
fn goods_too_large_to_add_up_are_an_overflow_not_a_panic() {
    let gold = product(1, kwd(i64::MAX / 2 + 1));
    let err = refused(&request(Currency::Kwd, &[line(&gold, 1, 0), line(&gold, 1, 0)]));
    assert_eq!(err, QuoteError::Overflow);
}

#[test]
fn tax_too_large_to_add_is_an_overflow_not_a_panic() {
    let gold = product(1, aed(i64::MAX));
    let lines = [line(&gold, 1, 0)];
    let err = refused(&QuoteRequest { tax: Some(TaxRule { rate_bp: u32::MAX }), ..request(Currency::Aed, &lines) });
    assert_eq!(err, QuoteError::Overflow);
    let fee = QuoteRequest { delivery: delivery(aed(i64::MAX), aed(0)), tax: vat(), ..request(Currency::Aed, &[]) };
    assert_eq!(refused(&fee), QuoteError::Overflow);
}

#[test]
fn a_quoted_line_becomes_an_order_line_with_the_products_title_and_sap_id() {
    let water = product(1, kwd(1_250));
    let q = priced(&request(Currency::Kwd, &[line(&water, 2, 1)]));
    let quoted = q.lines[0].clone();
    let order_line = quoted.clone().into_order_line(&water);
    assert_eq!((order_line.product_sap_id.as_deref(), &order_line.title), (Some("SKU-1"), &water.title));
    assert_eq!((order_line.product_id, order_line.quantity, order_line.coupons), (quoted.product_id, 2, 1));
    assert_eq!((order_line.gross, order_line.line_total, order_line.coupon_credit), (kwd(2_500), kwd(2_500), kwd(1_250)));
}

#[test]
fn countries_name_their_currency_and_tax() {
    assert_eq!(Country::parse("AE"), Ok(Country::Ae));
    assert_eq!(Country::parse("KW"), Ok(Country::Kw));
    assert!(Country::parse("SA").is_err());
    assert!(Country::parse("ae").is_err());
    assert_eq!((Country::Ae.code(), Country::Ae.currency(), Country::Ae.tax()), ("AE", Currency::Aed, Some(TaxRule { rate_bp: 500 })));
    assert_eq!((Country::Kw.code(), Country::Kw.currency(), Country::Kw.tax()), ("KW", Currency::Kwd, None));
}

#[test]
fn a_tax_rule_rounds_halves_away_from_zero() {
    let vat = TaxRule::UAE_VAT;
    assert_eq!((vat.tax_on(10), vat.tax_on(9), vat.tax_on(30), vat.tax_on(0)), (Some(1), Some(0), Some(2), Some(0)));
    assert_eq!(vat.tax_on(-10), Some(-1));
    assert_eq!(vat.tax_on_money(aed(2_500)), Some(aed(125)));
    assert_eq!(TaxRule { rate_bp: 20_000 }.tax_on(i64::MAX), None);
}
