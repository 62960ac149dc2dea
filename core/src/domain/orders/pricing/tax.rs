//! Tax at checkout: the countries the business sells in, their currency and their tax rule.
use super::mul_div_round_half_up;
use crate::domain::money::{Currency, Money};
use crate::domain::validation::Invalid;

/// A tax charged on top of VAT-exclusive catalog prices, as a rate in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaxRule {
    /// 500 = 5 %.
    pub rate_bp: u32,
}

impl TaxRule {
    /// UAE VAT: 5 %.
    pub const UAE_VAT: Self = Self { rate_bp: 500 };

    /// The tax on `amount` minor units: `round_half_up(amount × rate_bp / 10 000)`, halves rounded away from zero
    /// to the minor unit; `None` when it does not fit.
    #[must_use]
    pub fn tax_on(self, amount: i64) -> Option<i64> {
        mul_div_round_half_up(amount, i64::from(self.rate_bp), 10_000)
    }

    /// [`TaxRule::tax_on`] for an amount of money, in its currency.
    #[must_use]
    pub fn tax_on_money(self, amount: Money) -> Option<Money> {
        self.tax_on(amount.minor).map(|minor| Money::new(minor, amount.currency))
    }
}

/// A country the business delivers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Country {
    /// United Arab Emirates: AED, 5 % VAT.
    Ae,
    /// Kuwait: KWD, no VAT.
    Kw,
}

impl Country {
    /// ISO 3166-1 alpha-2 code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Ae => "AE",
            Self::Kw => "KW",
        }
    }

    /// The country with this ISO code (`AE`, `KW`).
    ///
    /// # Errors
    /// `Invalid` for countries the business does not deliver in.
    pub fn parse(code: &str) -> Result<Self, Invalid> {
        match code {
            "AE" => Ok(Self::Ae),
            "KW" => Ok(Self::Kw),
            other => Err(Invalid::field("country", format!("{other:?} is not a country we deliver in"), "Use AE or KW.")),
        }
    }

    /// The currency orders are priced in.
    #[must_use]
    pub fn currency(self) -> Currency {
        match self {
            Self::Ae => Currency::Aed,
            Self::Kw => Currency::Kwd,
        }
    }

    /// The tax added at checkout, if any.
    #[must_use]
    pub fn tax(self) -> Option<TaxRule> {
        match self {
            Self::Ae => Some(TaxRule::UAE_VAT),
            Self::Kw => None,
        }
    }
}
