//! Prices the lines of a cart: list price per pack times quantity, then at most one promotion per line.
//! Vouchers, delivery fees, order-level discounts and tax are added on top of these lines by the orders layer.
//!
//! The rules, all in integer minor units with checked arithmetic (an amount that does not fit is an error, never
//! a panic or a wrap-around):
//!
//! - A line costs `gross = quantity × price_per_pack`. Quantity limits and the product's active flag are checked
//!   by the cart, not here; a zero quantity simply prices to zero.
//! - A promotion is a candidate for a line only when it is valid at `now` ([`Promotion::is_valid_at`]: active and
//!   `valid_from <= now < valid_until`) and links the line's product.
//! - `BuyGetFree { buy, free }`: for every full `buy` packs ordered, `free` more packs come at no cost:
//!   `free_quantity = quantity / buy × free`. The paid figures do not change (`discount` is zero, `total` is
//!   `gross`); the customer's saving is the value of the free packs, `free_quantity × price_per_pack`. A promotion
//!   with `buy == 0` or `free == 0` never applies.
//! - `FixedPriceBundle { packs, price }`: each full group of `packs` packs costs `price`, the remaining packs cost
//!   the list price. `discount = gross − (groups × price + remainder × price_per_pack)`. A bundle that would cost
//!   the customer as much as or more than the list price does not apply, so a discount is never negative. A bundle
//!   with `packs == 0` never applies. A bundle price in another currency than the product's is an error
//!   ([`PricingError::CurrencyMismatch`]), as is a negative bundle price: both are broken data, not a choice.
//! - A promotion that would save nothing (too few packs for one group, a free product) does not apply.
//! - When several promotions apply to a line, the customer gets the one that saves the most (the discount, or the
//!   value of the free packs); on a tie the lower promotion id wins. A line never gets two promotions. The result
//!   does not depend on the order of the promotions list.
//! - Always `0 <= discount <= gross` and `total = gross − discount`.
use time::OffsetDateTime;

use super::{Product, ProductId, Promotion, PromotionId, PromotionKind};
use crate::domain::money::{Currency, Money};

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

/// One line of a cart: a product and how many packs the customer pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartLine<'a> {
    pub product: &'a Product,
    /// Packs ordered and paid for; free packs from a promotion come on top.
    pub quantity: u32,
}

/// A priced cart line; its figures map to SAP's sales-order line (SalesPrice, Qty, DiscountAmount, LineTotal,
/// PromotionID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub product_id: ProductId,
    /// Packs ordered and paid for.
    pub quantity: u32,
    /// Packs added free by a "buy N, get M free" promotion, on top of `quantity`.
    pub free_quantity: u32,
    /// List price of one pack.
    pub unit_price: Money,
    /// `quantity × unit_price`.
    pub gross: Money,
    /// What a bundle promotion takes off `gross`; never negative, never more than `gross`.
    pub discount: Money,
    /// `gross − discount`; never negative.
    pub total: Money,
    /// The promotion applied to this line, if any.
    pub promotion_id: Option<PromotionId>,
}

impl PricedLine {
    /// Packs to deliver: the paid ones and the free ones.
    #[must_use]
    pub fn packs_delivered(&self) -> u32 {
        // `price_lines` has checked that the sum fits.
        self.quantity.saturating_add(self.free_quantity)
    }
}

/// Why a cart could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// A valid bundle promotion on the product is priced in another currency than the product.
    #[error("product {} is priced in {} but bundle promotion {} is priced in {}", .product.0, .product_currency.code(), .promotion.0, .bundle_currency.code())]
    CurrencyMismatch { product: ProductId, promotion: PromotionId, product_currency: Currency, bundle_currency: Currency },
    /// The product's list price is below zero.
    #[error("product {} has a negative price", .0.0)]
    NegativeProductPrice(ProductId),
    /// A valid bundle promotion on the product has a price below zero.
    #[error("bundle promotion {} has a negative price", .0.0)]
    NegativeBundlePrice(PromotionId),
    /// An amount or a pack count on the product's line is too large to represent.
    #[error("the line for product {} is too large to price", .0.0)]
    Overflow(ProductId),
}

/// Prices each cart line, in order, applying the best promotion valid at `now` for its product.
///
/// # Errors
/// [`PricingError::CurrencyMismatch`] or [`PricingError::NegativeBundlePrice`] when a promotion valid at `now` on a
/// line's product is broken, [`PricingError::NegativeProductPrice`] for a product priced below zero, and
/// [`PricingError::Overflow`] when a figure does not fit. The first failing line (and within it, the lowest
/// promotion id) decides which error is returned.
pub fn price_lines(lines: &[CartLine<'_>], promotions: &[Promotion], now: OffsetDateTime) -> Result<Vec<PricedLine>, PricingError> {
    let mut valid: Vec<&Promotion> = promotions.iter().filter(|p| p.is_valid_at(now)).collect();
    // Sorted by id, the first best offer found is the one with the lowest id, whatever order the caller used.
    valid.sort_by_key(|p| p.id);
    lines.iter().map(|line| price_line(line, &valid)).collect()
}

/// What one promotion would give one line.
struct Offer {
    promotion_id: PromotionId,
    free_quantity: u32,
    /// Minor units off the gross (bundles only).
    discount: i64,
    /// The customer's saving in minor units, used to choose between promotions.
    saving: i64,
}

fn price_line(line: &CartLine<'_>, valid_promotions: &[&Promotion]) -> Result<PricedLine, PricingError> {
    let product = line.product;
    let unit_price = product.price_per_pack;
    if unit_price.minor < 0 {
        return Err(PricingError::NegativeProductPrice(product.id));
    }
    let gross = times(unit_price.minor, line.quantity).ok_or(PricingError::Overflow(product.id))?;

    let mut best: Option<Offer> = None;
    for promotion in valid_promotions.iter().filter(|p| p.product_ids.contains(&product.id)) {
        let Some(offer) = offer(promotion, product, line.quantity, gross)? else { continue };
        // Strictly greater: on a tie the earlier (lower) id stays.
        if best.as_ref().is_none_or(|b| offer.saving > b.saving) {
            best = Some(offer);
        }
    }

    let (free_quantity, discount, promotion_id) = match best {
        Some(o) => (o.free_quantity, o.discount, Some(o.promotion_id)),
        None => (0, 0, None),
    };
    let total = gross.checked_sub(discount).ok_or(PricingError::Overflow(product.id))?;
    let currency = unit_price.currency;
    Ok(PricedLine {
        product_id: product.id,
        quantity: line.quantity,
        free_quantity,
        unit_price,
        gross: Money::new(gross, currency),
        discount: Money::new(discount, currency),
        total: Money::new(total, currency),
        promotion_id,
    })
}

/// The offer `promotion` makes for `quantity` packs of `product`, or `None` when it saves nothing.
fn offer(promotion: &Promotion, product: &Product, quantity: u32, gross: i64) -> Result<Option<Offer>, PricingError> {
    let unit = product.price_per_pack;
    let overflow = PricingError::Overflow(product.id);
    match promotion.kind {
        PromotionKind::BuyGetFree { buy, free } => {
            if buy == 0 || free == 0 {
                return Ok(None);
            }
            let free_quantity = (quantity / buy).checked_mul(free).ok_or_else(|| overflow.clone())?;
            // The delivered count (paid + free) must fit too.
            quantity.checked_add(free_quantity).ok_or_else(|| overflow.clone())?;
            let saving = times(unit.minor, free_quantity).ok_or(overflow)?;
            if saving <= 0 {
                return Ok(None);
            }
            Ok(Some(Offer { promotion_id: promotion.id, free_quantity, discount: 0, saving }))
        }
        PromotionKind::FixedPriceBundle { packs, price } => {
            if price.currency != unit.currency {
                return Err(PricingError::CurrencyMismatch {
                    product: product.id,
                    promotion: promotion.id,
                    product_currency: unit.currency,
                    bundle_currency: price.currency,
                });
            }
            if price.minor < 0 {
                return Err(PricingError::NegativeBundlePrice(promotion.id));
            }
            if packs == 0 {
                return Ok(None);
            }
            let groups = quantity / packs;
            let remainder = quantity % packs;
            // Both parts are non-negative, so a cost that does not fit exceeds `gross` (which fits): no saving.
            let cost =
                times(price.minor, groups).and_then(|bundles| times(unit.minor, remainder).and_then(|rest| bundles.checked_add(rest)));
            let Some(cost) = cost else { return Ok(None) };
            let discount = gross.checked_sub(cost).ok_or(overflow)?;
            if discount <= 0 {
                return Ok(None);
            }
            Ok(Some(Offer { promotion_id: promotion.id, free_quantity: 0, discount, saving: discount }))
        }
    }
}

/// `minor × count`, or `None` when it does not fit.
fn times(minor: i64, count: u32) -> Option<i64> {
    minor.checked_mul(i64::from(count))
}
