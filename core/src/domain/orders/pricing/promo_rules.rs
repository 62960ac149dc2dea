//! Promo codes at checkout: whether a code applies to a priced cart, how much it takes off, and how that discount
//! is split over the lines it covers.
use time::OffsetDateTime;

use super::{PromoCodeUse, QuoteError, mul_div_round_half_up, sum};
use crate::domain::catalog::PricedLine;
use crate::domain::money::{Currency, Money};
use crate::domain::orders::PromoDiscount;

/// Why a promo code does not apply to an order. The checks run in this order (not the declaration order), the first
/// failing one is reported: inactive, not yet valid, expired, used up, used up by the customer, currency mismatch, no
/// eligible products, minimum not met. What the customer cannot change comes before what the cart can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PromoRejection {
    /// An admin switched the code off.
    #[error("the code is not active")]
    Inactive,
    /// The code's validity starts later.
    #[error("the code is valid from {starts}")]
    NotYetValid { starts: OffsetDateTime },
    /// The code's validity has ended.
    #[error("the code has expired")]
    Expired,
    /// The goods (after promotions) are below the code's minimum order.
    #[error("the code needs goods of at least {}, the cart has {}", .minimum.formatted(), .goods.formatted())]
    MinimumNotMet { minimum: Money, goods: Money },
    /// The code has been used on as many orders as it may be.
    #[error("the code has been used up")]
    UsedUp,
    /// This customer has used the code as often as one customer may.
    #[error("the code has been used as often as one customer may")]
    UsedUpByCustomer,
    /// The code covers only products that are not in the cart.
    #[error("the code covers none of the products in the cart")]
    NoEligibleProducts,
    /// The code's minimum order or fixed amount is in another currency than the order.
    #[error("the code is for another currency")]
    CurrencyMismatch,
}

/// The promo code's discount on one order: the amount and each line's share of it (0 for lines it does not cover).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OrderDiscount {
    pub amount: i64,
    /// One per line, in line order; they add up to `amount`.
    pub shares: Vec<i64>,
}

impl OrderDiscount {
    /// No discount on `lines` lines.
    pub fn none(lines: usize) -> Self {
        Self { amount: 0, shares: vec![0; lines] }
    }
}

/// The discount `usage` gives the priced `lines` whose goods (Σ line totals) are `goods`.
pub(super) fn order_discount(
    usage: PromoCodeUse<'_>,
    lines: &[PricedLine],
    goods: i64,
    currency: Currency,
    now: OffsetDateTime,
) -> Result<OrderDiscount, QuoteError> {
    let code = usage.code;
    let weights: Vec<Option<i64>> =
        lines.iter().map(|l| (code.product_ids.is_empty() || code.product_ids.contains(&l.product_id)).then_some(l.total.minor)).collect();
    check(usage, weights.iter().any(Option::is_some), goods, currency, now)?;

    let weights: Vec<i64> = weights.into_iter().map(|w| w.unwrap_or(0)).collect();
    let eligible = sum(weights.iter().copied())?;
    let amount = match code.discount {
        // Above 100 % it would only be capped below, so cap the rate first and nothing can overflow.
        PromoDiscount::Percent { basis_points } => {
            mul_div_round_half_up(eligible, i64::from(basis_points.min(10_000)), 10_000).ok_or(QuoteError::Overflow)?
        }
        PromoDiscount::Fixed(fixed) => fixed.minor,
    }
    // Never more than the goods it covers, never a surcharge.
    .clamp(0, eligible);
    let shares = allocate(amount, &weights).ok_or(QuoteError::Overflow)?;
    Ok(OrderDiscount { amount, shares })
}

/// The first rule the code breaks for this order, if any.
fn check(usage: PromoCodeUse<'_>, any_eligible: bool, goods: i64, currency: Currency, now: OffsetDateTime) -> Result<(), PromoRejection> {
    let code = usage.code;
    if !code.active {
        return Err(PromoRejection::Inactive);
    }
    if now < code.valid_from {
        return Err(PromoRejection::NotYetValid { starts: code.valid_from });
    }
    if now >= code.valid_until {
        return Err(PromoRejection::Expired);
    }
    if code.max_uses.is_some_and(|max| code.uses >= max) {
        return Err(PromoRejection::UsedUp);
    }
    if code.max_uses_per_customer.is_some_and(|max| usage.customer_uses >= max) {
        return Err(PromoRejection::UsedUpByCustomer);
    }
    let fixed_in_other_currency = matches!(code.discount, PromoDiscount::Fixed(m) if m.currency != currency);
    if code.min_order.currency != currency || fixed_in_other_currency {
        return Err(PromoRejection::CurrencyMismatch);
    }
    if !code.product_ids.is_empty() && !any_eligible {
        return Err(PromoRejection::NoEligibleProducts);
    }
    if goods < code.min_order.minor {
        return Err(PromoRejection::MinimumNotMet { minimum: code.min_order, goods: Money::new(goods, currency) });
    }
    Ok(())
}

/// Splits `amount` over `weights` in proportion by the largest-remainder method: each weight first gets the
/// rounded-down exact share, then the fils left over go one each to the largest remainders (the earlier weight on a
/// tie). Needs `0 <= amount <= Σ weights` and weights not negative; then the shares add up to `amount` and no share
/// exceeds its weight (a weight whose exact share is whole has remainder 0 and, as the remainders add up to the
/// fils left over while each is below one, never gets one). `None` when the inputs break that.
fn allocate(amount: i64, weights: &[i64]) -> Option<Vec<i64>> {
    let total: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if amount < 0 || weights.iter().any(|&w| w < 0) || i128::from(amount) > total {
        return None;
    }
    if total == 0 {
        return Some(vec![0; weights.len()]);
    }
    let amount = i128::from(amount);
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, &weight) in weights.iter().enumerate() {
        // At most i64::MAX², which fits.
        let exact = amount * i128::from(weight);
        shares.push(exact / total);
        remainders.push((exact % total, i));
    }
    let left = usize::try_from(amount - shares.iter().sum::<i128>()).ok()?;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left) {
        shares[i] += 1;
    }
    shares.into_iter().map(|s| i64::try_from(s).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::allocate;

    #[test]
    fn allocation_gives_leftover_fils_to_the_largest_remainders_then_earlier_lines() {
        // 10 over 1:1:1 → 3.33 each; the one fils left goes to the first line.
        assert_eq!(allocate(10, &[5, 5, 5]), Some(vec![4, 3, 3]));
        // 7 over 3:6 → 2.33 and 4.67: the larger remainder gets the fils.
        assert_eq!(allocate(7, &[300, 600]), Some(vec![2, 5]));
        // A zero weight takes nothing.
        assert_eq!(allocate(5, &[0, 1, 0, 4]), Some(vec![0, 1, 0, 4]));
    }

    #[test]
    fn allocation_refuses_amounts_beyond_the_weights() {
        assert_eq!(allocate(11, &[5, 5]), None);
        assert_eq!(allocate(-1, &[5, 5]), None);
        assert_eq!(allocate(0, &[]), Some(vec![]));
        assert_eq!(allocate(i64::MAX, &[i64::MAX, 0]), Some(vec![i64::MAX, 0]));
    }
}
