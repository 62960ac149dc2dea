//! Promo codes: an order-level discount a customer types at checkout. The rules that decide whether a code
//! applies and how much it takes off live in the pricing engine; this is the code as stored.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::catalog::ProductId;
use crate::domain::money::{Currency, Money};
use crate::domain::validation::{Invalid, Problems};

/// Identifier of a promo code (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PromoCodeId(pub Uuid);

/// What a promo code takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoDiscount {
    /// A share of the eligible goods, in basis points (1 to 10 000; 1 000 = 10 %).
    Percent { basis_points: u32 },
    /// A fixed amount, never more than the eligible goods.
    Fixed(Money),
}

/// A promo code as configured by an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoCode {
    pub id: PromoCodeId,
    /// Upper-case, as [`normalize_code`] gives it.
    pub code: String,
    pub description: String,
    pub discount: PromoDiscount,
    /// The goods (after promotions) must reach this for the code to apply.
    pub min_order: Money,
    /// First instant it applies.
    pub valid_from: OffsetDateTime,
    /// First instant it no longer applies.
    pub valid_until: OffsetDateTime,
    /// Most orders that may use it in all; `None` for no cap.
    pub max_uses: Option<u32>,
    /// Most orders one customer may use it on; `None` for no cap.
    pub max_uses_per_customer: Option<u32>,
    /// When not empty, only these products are discounted.
    pub product_ids: Vec<ProductId>,
    /// Live uses: placed orders that used it and were not cancelled.
    pub uses: u32,
    pub active: bool,
}

/// The stored form of a code typed by a customer: trimmed and upper-case.
#[must_use]
pub fn normalize_code(typed: &str) -> String {
    typed.trim().to_uppercase()
}

/// The fewest characters of a promo code.
pub const PROMO_CODE_MIN_CHARS: usize = 3;
/// The most characters of a promo code.
pub const PROMO_CODE_MAX_CHARS: usize = 32;
/// The most characters of a promo code's description.
pub const PROMO_DESCRIPTION_MAX_CHARS: usize = 200;

/// An admin's code in its stored form: normalized, 3 to 32 characters of `A-Z`, `0-9`, `_` and `-`.
///
/// # Errors
/// `Invalid` naming `code`.
pub fn parse_code(typed: &str) -> Result<String, Invalid> {
    let code = normalize_code(typed);
    let len = code.chars().count();
    if !(PROMO_CODE_MIN_CHARS..=PROMO_CODE_MAX_CHARS).contains(&len) {
        return Err(Invalid::field(
            "code",
            format!("must be {PROMO_CODE_MIN_CHARS} to {PROMO_CODE_MAX_CHARS} characters"),
            "Choose a code customers can type, e.g. RAMADAN10.",
        ));
    }
    if !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-') {
        return Err(Invalid::field(
            "code",
            "may hold only letters A-Z, digits, '_' and '-'",
            "Leave out spaces, accents and other symbols, e.g. SUMMER-2026.",
        ));
    }
    Ok(code)
}

impl PromoCode {
    /// Checks the rules every stored code meets, naming every field at fault (by its API name):
    /// the code's form ([`parse_code`]), a description of at most 200 characters, a percentage of
    /// 1 to 10 000 basis points or a fixed amount above zero, money in `currency` (the business's),
    /// a minimum order of zero or more, `valid_until` after `valid_from`, caps of at least 1.
    /// Whether the products exist is for the caller to check.
    ///
    /// # Errors
    /// `Invalid` listing every problem.
    pub fn check(&self, currency: Currency) -> Result<(), Invalid> {
        let mut p = Problems::new();
        match parse_code(&self.code) {
            Err(e) => p.add("code", e.0[0].problem.clone(), e.0[0].hint.clone()),
            Ok(stored) if stored != self.code => p.add("code", "is not in its stored form", "Send it upper-case, without spaces."),
            Ok(_) => {}
        }
        if self.description.chars().count() > PROMO_DESCRIPTION_MAX_CHARS {
            p.add("description", format!("is longer than {PROMO_DESCRIPTION_MAX_CHARS} characters"), "Shorten the description.");
        }
        let amount_currency = match self.discount {
            PromoDiscount::Percent { basis_points } => {
                if !(1..=10_000).contains(&basis_points) {
                    p.add(
                        "percentBasisPoints",
                        format!("{basis_points} is outside 1..=10000"),
                        "Give the percentage in basis points: 1000 is 10 %, 10000 is 100 %.",
                    );
                }
                None
            }
            PromoDiscount::Fixed(amount) => {
                if amount.minor <= 0 {
                    p.add("amountMinor", "must be above zero", "Give the amount off in minor units (fils), e.g. 500.");
                }
                Some(amount.currency)
            }
        };
        if amount_currency.is_some_and(|c| c != currency) || self.min_order.currency != currency {
            let code = currency.code();
            p.add("currency", format!("is not {code}"), format!("Give amounts in {code}, the business's currency."));
        }
        if self.min_order.minor < 0 {
            p.add("minOrderMinor", "is below zero", "Give 0 for no minimum.");
        }
        if self.valid_until <= self.valid_from {
            p.add("validUntil", "is not after validFrom", "End the window after it starts.");
        }
        for (field, cap) in [("maxUses", self.max_uses), ("maxUsesPerCustomer", self.max_uses_per_customer)] {
            if cap == Some(0) {
                p.add(field, "is 0", "Give at least 1, or leave it out for no cap.");
            }
        }
        p.finish()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn code() -> PromoCode {
        PromoCode {
            id: PromoCodeId(Uuid::nil()),
            code: "RAMADAN-10".into(),
            description: "Ten percent off".into(),
            discount: PromoDiscount::Percent { basis_points: 1000 },
            min_order: Money::zero(Currency::Aed),
            valid_from: datetime!(2026-03-01 00:00 UTC),
            valid_until: datetime!(2026-04-01 00:00 UTC),
            max_uses: Some(100),
            max_uses_per_customer: Some(1),
            product_ids: vec![],
            uses: 0,
            active: true,
        }
    }

    fn fields(r: Result<(), Invalid>) -> Vec<String> {
        r.err().map(|e| e.0.into_iter().map(|p| p.field).collect()).unwrap_or_default()
    }

    #[test]
    fn codes_are_stored_upper_case_and_keep_to_their_alphabet() {
        assert_eq!(parse_code("  ramadan_10 "), Ok("RAMADAN_10".to_owned()));
        assert_eq!(parse_code("ab").map_err(|e| e.0[0].field.clone()), Err("code".to_owned()));
        assert!(parse_code(&"A".repeat(33)).is_err());
        assert!(parse_code(&"A".repeat(32)).is_ok());
        assert!(parse_code("TEN OFF").is_err());
        assert!(parse_code("ÉTÉ10").is_err());
    }

    #[test]
    fn a_valid_code_passes_and_every_broken_rule_is_named() {
        assert_eq!(code().check(Currency::Aed), Ok(()));
        let broken = PromoCode {
            code: "ten off".into(),
            description: "x".repeat(201),
            discount: PromoDiscount::Percent { basis_points: 10_001 },
            min_order: Money::new(-1, Currency::Aed),
            valid_until: datetime!(2026-03-01 00:00 UTC),
            max_uses: Some(0),
            max_uses_per_customer: Some(0),
            ..code()
        };
        assert_eq!(
            fields(broken.check(Currency::Aed)),
            ["code", "description", "percentBasisPoints", "minOrderMinor", "validUntil", "maxUses", "maxUsesPerCustomer"]
        );
    }

    #[test]
    fn fixed_amounts_are_above_zero_in_the_business_currency() {
        let fixed = |minor, currency| PromoCode { discount: PromoDiscount::Fixed(Money::new(minor, currency)), ..code() };
        assert_eq!(fixed(500, Currency::Aed).check(Currency::Aed), Ok(()));
        assert_eq!(fields(fixed(0, Currency::Aed).check(Currency::Aed)), ["amountMinor"]);
        assert_eq!(fields(fixed(500, Currency::Kwd).check(Currency::Aed)), ["currency"]);
        assert_eq!(fields(code().check(Currency::Kwd)), ["currency"], "the minimum order is in the business currency too");
        assert_eq!(
            fields(PromoCode { discount: PromoDiscount::Percent { basis_points: 0 }, ..code() }.check(Currency::Aed)),
            ["percentBasisPoints"]
        );
    }
}
