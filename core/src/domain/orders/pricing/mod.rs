//! Checkout pricing: turns a cart, the promotions on offer, an optional promo code, the delivery area's terms and
//! the country's tax into every figure of an order ([`OrderTotals`] and one [`QuotedLine`] per cart line). Pure: the
//! caller loads the products, promotions, code, area and clock; the same request always gives the same quote.
//!
//! The rules, all in integer minor units with checked arithmetic (a figure that does not fit is
//! [`QuoteError::Overflow`] or [`PricingError::Overflow`], never a panic or a wrap-around):
//!
//! 1. Lines. Every product must be priced in the order's currency ([`QuoteError::CurrencyMismatch`]) and a line pays
//!    at most `quantity` packs with coupons ([`QuoteError::TooManyCoupons`]); lines are checked in order, the first
//!    failing one decides. Then [`price_lines`] prices them: list price, free packs of "buy N get M free", bundle
//!    discounts. `line_total = gross − promotion_discount`; the goods are `Σ line_total`. An empty cart prices to
//!    zeros.
//! 2. Promo code (the first failing check is the [`PromoRejection`]): inactive, before
//!    `valid_from` (`NotYetValid`), at or after `valid_until` (`Expired`), `uses >= max_uses` (`UsedUp`),
//!    `customer_uses >= max_uses_per_customer` (`UsedUpByCustomer`), a minimum or fixed amount in another currency
//!    (`CurrencyMismatch`), a product list matching no line (`NoEligibleProducts`), goods below `min_order`
//!    (`MinimumNotMet`). What the customer cannot change is reported before what the cart can. The eligible lines
//!    are all of them, or those whose product the code lists. `Percent` takes `round_half_up(eligible × bp / 10 000)`,
//!    `Fixed` takes its amount; either is capped at the eligible goods (and a negative amount takes nothing). The
//!    order discount is split over the eligible lines in proportion to their `line_total` by the largest-remainder
//!    method (equal remainders: the earlier line first), so the shares add up exactly and no share exceeds its line.
//!    `order_discount_bp = round_half_up(order_discount × 10 000 / goods)`, 0 for no goods.
//! 3. Tax is added on top of the VAT-exclusive catalog prices: `taxable_amount = line_total − order_discount_share`,
//!    line tax `= round_half_up(taxable_amount × rate_bp / 10 000)`, the delivery fee taxed the same way once, and
//!    `tax_total = Σ line tax + delivery tax`. Rounding is half away from zero to the minor unit (0.5 fils → 1 fils);
//!    every `round_half_up` here means that. Without a tax rule every tax and `tax_rate_bp` are 0.
//! 4. Delivery: the area's fee (0 without terms). When the goods (after promotions; before the promo code, tax and
//!    fee) are below the area's minimum, `below_minimum` says how much is missing; the quote is still returned so the
//!    cart can show it, and checkout refuses it. Terms in another currency or below zero are
//!    [`QuoteError::InvalidDeliveryTerms`].
//! 5. `net_amount = sub_total − promotion_discount − order_discount + delivery_fee + tax_total`.
//! 6. Coupons: each pays one paid pack of its line with its share of discount and tax,
//!    `coupon_credit = ⌊(taxable_amount + tax) × coupons / quantity⌋` (exactly `taxable_amount + tax` when every pack
//!    is a coupon), and `amount_to_pay = net_amount − Σ coupon_credit`, never negative: an all-coupon order without a
//!    delivery fee pays 0.
//! 7. `discount_bp` of a line `= round_half_up(promotion_discount × 10 000 / gross)`, 0 for a zero gross.
//!
//! No figure is negative, and the result does not depend on the order of the promotions list.
mod promo_rules;
mod tax;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod promo_tests;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod strategies;
#[cfg(test)]
mod tests;

use time::OffsetDateTime;

pub use promo_rules::PromoRejection;
pub use tax::{Country, TaxRule};

use super::{OrderLine, OrderTotals, PromoCode, PromoCodeId};
use crate::domain::catalog::{CartLine, PricingError, Product, ProductId, Promotion, PromotionId, price_lines};
use crate::domain::money::{Currency, Money};

/// One line of the cart at checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteLine<'a> {
    pub product: &'a Product,
    /// Packs ordered and paid for (by money or coupons); free packs from a promotion come on top.
    pub quantity: u32,
    /// How many of those packs the customer pays with wallet coupons (at most `quantity`).
    pub coupons: u32,
}

/// A promo code the customer typed, with how often this customer has used it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromoCodeUse<'a> {
    pub code: &'a PromoCode,
    /// Live uses by this customer: placed orders with the code that were not cancelled.
    pub customer_uses: u32,
}

/// What the delivery area charges and requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryTerms {
    /// Delivery fee before tax.
    pub fee: Money,
    /// The goods (after promotions) must reach this for checkout.
    pub minimum_order: Money,
}

/// Everything checkout pricing needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteRequest<'a> {
    /// The order's currency (the country's); every product and amount must be in it.
    pub currency: Currency,
    pub lines: &'a [QuoteLine<'a>],
    /// Promotions on offer; only those valid at `now` count.
    pub promotions: &'a [Promotion],
    pub promo_code: Option<PromoCodeUse<'a>>,
    /// The delivery area's terms; `None` (no area chosen yet) for no fee and no minimum.
    pub delivery: Option<DeliveryTerms>,
    /// The country's tax; `None` where there is none.
    pub tax: Option<TaxRule>,
    pub now: OffsetDateTime,
}

/// The priced checkout: per-line figures, order totals, and what is missing to reach the area minimum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// One per request line, in the same order.
    pub lines: Vec<QuotedLine>,
    pub totals: OrderTotals,
    /// The promo code applied, if one was given (a rejected code is an error instead).
    pub promo_code: Option<PromoCodeId>,
    /// How much the goods miss the area's minimum order by; `None` when reached or without delivery terms.
    pub below_minimum: Option<Money>,
}

/// One priced line: the figures of an [`OrderLine`] without the product's title and SAP id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotedLine {
    pub product_id: ProductId,
    /// Packs paid for (by money or coupons).
    pub quantity: u32,
    /// Packs added free by a promotion.
    pub free_quantity: u32,
    /// Packs paid with coupons.
    pub coupons: u32,
    /// List price of one pack.
    pub unit_price: Money,
    /// `quantity × unit_price`.
    pub gross: Money,
    pub promotion_id: Option<PromotionId>,
    /// What the line's promotion took off.
    pub promotion_discount: Money,
    /// This line's share of the promo code's discount.
    pub order_discount_share: Money,
    /// `promotion_discount` in basis points of `gross`.
    pub discount_bp: u32,
    /// `gross − promotion_discount`.
    pub line_total: Money,
    /// `line_total − order_discount_share`.
    pub taxable_amount: Money,
    /// Tax on `taxable_amount`.
    pub tax: Money,
    /// What the line's coupons paid.
    pub coupon_credit: Money,
}

impl QuotedLine {
    /// The order line for this quoted line; `product` is the line's product (its title and SAP id are copied).
    #[must_use]
    pub fn into_order_line(self, product: &Product) -> OrderLine {
        OrderLine {
            product_id: self.product_id,
            product_sap_id: product.sap_id.clone(),
            title: product.title.clone(),
            quantity: self.quantity,
            free_quantity: self.free_quantity,
            coupons: self.coupons,
            unit_price: self.unit_price,
            gross: self.gross,
            promotion_id: self.promotion_id,
            promotion_discount: self.promotion_discount,
            order_discount_share: self.order_discount_share,
            discount_bp: self.discount_bp,
            line_total: self.line_total,
            taxable_amount: self.taxable_amount,
            tax: self.tax,
            coupon_credit: self.coupon_credit,
        }
    }
}

impl From<&OrderLine> for QuotedLine {
    /// The priced figures of a placed order's line.
    fn from(l: &OrderLine) -> Self {
        Self {
            product_id: l.product_id,
            quantity: l.quantity,
            free_quantity: l.free_quantity,
            coupons: l.coupons,
            unit_price: l.unit_price,
            gross: l.gross,
            promotion_id: l.promotion_id,
            promotion_discount: l.promotion_discount,
            order_discount_share: l.order_discount_share,
            discount_bp: l.discount_bp,
            line_total: l.line_total,
            taxable_amount: l.taxable_amount,
            tax: l.tax,
            coupon_credit: l.coupon_credit,
        }
    }
}

/// Why a checkout could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    /// The catalog pricing failed (broken promotion or product data, or a line too large).
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// A product is priced in another currency than the order.
    #[error("product {} is priced in {} but the order is in {}", .product.0, .found.code(), .expected.code())]
    CurrencyMismatch { product: ProductId, expected: Currency, found: Currency },
    /// A line would pay more packs with coupons than it orders.
    #[error("the line for product {} pays {coupons} packs with coupons but orders only {quantity}", .product.0)]
    TooManyCoupons { product: ProductId, quantity: u32, coupons: u32 },
    /// The promo code does not apply to this order.
    #[error("the promo code does not apply: {0}")]
    PromoCode(#[from] PromoRejection),
    /// The delivery area's fee or minimum order is below zero or in another currency than the order.
    #[error("the delivery terms (fee {}, minimum {}) do not fit an order in {}", .fee.formatted(), .minimum_order.formatted(), .expected.code())]
    InvalidDeliveryTerms { expected: Currency, fee: Money, minimum_order: Money },
    /// A total is too large to represent.
    #[error("the order is too large to price")]
    Overflow,
}

/// Prices a checkout by the rules of this module.
///
/// # Errors
/// [`QuoteError::CurrencyMismatch`] or [`QuoteError::TooManyCoupons`] for the first bad line,
/// [`QuoteError::InvalidDeliveryTerms`] for broken area terms, [`QuoteError::Pricing`] when [`price_lines`] fails,
/// [`QuoteError::PromoCode`] when the code does not apply, [`QuoteError::Overflow`] when a figure does not fit.
pub fn quote(req: &QuoteRequest<'_>) -> Result<Quote, QuoteError> {
    let currency = req.currency;
    check_lines(req.lines, currency)?;
    let (fee, minimum) = delivery_terms(req.delivery, currency)?;

    let cart: Vec<CartLine<'_>> = req.lines.iter().map(|l| CartLine { product: l.product, quantity: l.quantity }).collect();
    let priced = price_lines(&cart, req.promotions, req.now)?;
    let goods = sum(priced.iter().map(|l| l.total.minor))?;

    let (promo_code, discount) = match req.promo_code {
        Some(usage) => {
            let discount = promo_rules::order_discount(usage, &priced, goods, currency, req.now)?;
            (Some(usage.code.id), discount)
        }
        None => (None, promo_rules::OrderDiscount::none(priced.len())),
    };

    let money = |minor: i64| Money::new(minor, currency);
    let tax_on = |amount: i64| match req.tax {
        Some(rule) => rule.tax_on(amount).ok_or(QuoteError::Overflow),
        None => Ok(0),
    };

    let mut lines = Vec::with_capacity(priced.len());
    for ((line, request), &share) in priced.into_iter().zip(req.lines).zip(&discount.shares) {
        let taxable = line.total.minor.checked_sub(share).ok_or(QuoteError::Overflow)?;
        let tax = tax_on(taxable)?;
        let payable = taxable.checked_add(tax).ok_or(QuoteError::Overflow)?;
        let coupon_credit = coupon_credit(payable, request.coupons, line.quantity)?;
        lines.push(QuotedLine {
            product_id: line.product_id,
            quantity: line.quantity,
            free_quantity: line.free_quantity,
            coupons: request.coupons,
            unit_price: line.unit_price,
            gross: line.gross,
            promotion_id: line.promotion_id,
            promotion_discount: line.discount,
            order_discount_share: money(share),
            discount_bp: ratio_bp(line.discount.minor, line.gross.minor)?,
            line_total: line.total,
            taxable_amount: money(taxable),
            tax: money(tax),
            coupon_credit: money(coupon_credit),
        });
    }

    let sub_total = sum(lines.iter().map(|l| l.gross.minor))?;
    let promotion_discount = sum(lines.iter().map(|l| l.promotion_discount.minor))?;
    let tax_total = sum(lines.iter().map(|l| l.tax.minor).chain([tax_on(fee)?]))?;
    let net_amount = [-promotion_discount, -discount.amount, fee, tax_total]
        .into_iter()
        .try_fold(sub_total, i64::checked_add)
        .ok_or(QuoteError::Overflow)?;
    let coupon_total = sum(lines.iter().map(|l| l.coupon_credit.minor))?;
    // Never negative: each credit is at most its line's taxable amount plus tax, and the fee and its tax are not
    // negative.
    let amount_to_pay = net_amount.checked_sub(coupon_total).ok_or(QuoteError::Overflow)?;

    let totals = OrderTotals {
        currency,
        sub_total: money(sub_total),
        promotion_discount: money(promotion_discount),
        order_discount: money(discount.amount),
        order_discount_bp: ratio_bp(discount.amount, goods)?,
        delivery_fee: money(fee),
        tax_rate_bp: req.tax.map_or(0, |t| t.rate_bp),
        tax_total: money(tax_total),
        net_amount: money(net_amount),
        coupon_credit: money(coupon_total),
        amount_to_pay: money(amount_to_pay),
    };
    let below_minimum = (goods < minimum).then(|| minimum.checked_sub(goods).map(money).ok_or(QuoteError::Overflow)).transpose()?;
    Ok(Quote { lines, totals, promo_code, below_minimum })
}

/// Rule 1: every product in the order's currency, no line paying more packs with coupons than it orders.
fn check_lines(lines: &[QuoteLine<'_>], currency: Currency) -> Result<(), QuoteError> {
    for line in lines {
        let product = line.product;
        let found = product.price_per_pack.currency;
        if found != currency {
            return Err(QuoteError::CurrencyMismatch { product: product.id, expected: currency, found });
        }
        if line.coupons > line.quantity {
            return Err(QuoteError::TooManyCoupons { product: product.id, quantity: line.quantity, coupons: line.coupons });
        }
    }
    Ok(())
}

/// The fee and minimum in minor units (zeros without terms), checked to be non-negative amounts in `currency`.
fn delivery_terms(terms: Option<DeliveryTerms>, currency: Currency) -> Result<(i64, i64), QuoteError> {
    let Some(terms) = terms else { return Ok((0, 0)) };
    let fits = |m: Money| m.currency == currency && m.minor >= 0;
    if !fits(terms.fee) || !fits(terms.minimum_order) {
        return Err(QuoteError::InvalidDeliveryTerms { expected: currency, fee: terms.fee, minimum_order: terms.minimum_order });
    }
    Ok((terms.fee.minor, terms.minimum_order.minor))
}

/// Rule 6: what `coupons` of `quantity` packs pay of a line that costs `payable` in all, rounded down.
fn coupon_credit(payable: i64, coupons: u32, quantity: u32) -> Result<i64, QuoteError> {
    if coupons == quantity {
        return Ok(payable);
    }
    // `coupons < quantity` here (checked by `check_lines`), so `quantity > 0`.
    let credit = i128::from(payable) * i128::from(coupons) / i128::from(quantity);
    i64::try_from(credit).map_err(|_| QuoteError::Overflow)
}

/// `part` in basis points of `whole`, rounded half up; 0 when `whole` is 0.
fn ratio_bp(part: i64, whole: i64) -> Result<u32, QuoteError> {
    if whole == 0 {
        return Ok(0);
    }
    let bp = mul_div_round_half_up(part, 10_000, whole).ok_or(QuoteError::Overflow)?;
    u32::try_from(bp).map_err(|_| QuoteError::Overflow)
}

/// `value × numerator / denominator` rounded to the nearest integer, halves away from zero; `None` when the
/// denominator is not positive or the result does not fit.
fn mul_div_round_half_up(value: i64, numerator: i64, denominator: i64) -> Option<i64> {
    if denominator <= 0 {
        return None;
    }
    // i64 × i64 always fits in i128, and so does twice it.
    let product = i128::from(value) * i128::from(numerator);
    let (twice, denominator) = (product.unsigned_abs() * 2, i128::from(denominator).unsigned_abs());
    let magnitude = i128::try_from((twice + denominator) / (2 * denominator)).ok()?;
    i64::try_from(if product < 0 { -magnitude } else { magnitude }).ok()
}

/// The checked sum of `amounts`.
fn sum(amounts: impl IntoIterator<Item = i64>) -> Result<i64, QuoteError> {
    amounts.into_iter().try_fold(0i64, i64::checked_add).ok_or(QuoteError::Overflow)
}
