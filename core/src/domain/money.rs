//! Money in integer minor units of one currency (fils for KWD, 1/1000; fils for AED, 1/100). Never
//! floats: sums and comparisons are exact, and formatting happens only at the edges.
use super::validation::Invalid;

/// A currency the business sells in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Currency {
    /// Kuwaiti dinar: 3 decimal places (1 KWD = 1000 fils).
    Kwd,
    /// UAE dirham: 2 decimal places (1 AED = 100 fils).
    Aed,
}

impl Currency {
    /// ISO 4217 code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Kwd => "KWD",
            Self::Aed => "AED",
        }
    }

    /// Minor-unit decimal places.
    #[must_use]
    pub fn decimals(self) -> u32 {
        match self {
            Self::Kwd => 3,
            Self::Aed => 2,
        }
    }

    /// The currency with this ISO code.
    ///
    /// # Errors
    /// `Invalid` for codes the business does not sell in.
    pub fn parse(code: &str) -> Result<Self, Invalid> {
        match code {
            "KWD" => Ok(Self::Kwd),
            "AED" => Ok(Self::Aed),
            other => Err(Invalid::field("currency", format!("{other:?} is not a currency we sell in"), "Use KWD or AED.")),
        }
    }
}

/// An amount of one currency in minor units; may be negative only as an intermediate (a discount).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Money {
    /// Minor units (fils).
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    #[must_use]
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in `currency`.
    #[must_use]
    pub fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// `1.250 KWD`, `12.50 AED`.
    #[must_use]
    pub fn formatted(&self) -> String {
        let scale = 10_i64.pow(self.currency.decimals());
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let scale = scale.unsigned_abs();
        format!("{sign}{}.{:0width$} {}", abs / scale, abs % scale, self.currency.code(), width = self.currency.decimals() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_format_with_the_currencys_decimals() {
        assert_eq!(Money::new(1250, Currency::Kwd).formatted(), "1.250 KWD");
        assert_eq!(Money::new(5, Currency::Kwd).formatted(), "0.005 KWD");
        assert_eq!(Money::new(1250, Currency::Aed).formatted(), "12.50 AED");
        assert_eq!(Money::new(-100, Currency::Aed).formatted(), "-1.00 AED");
    }

    #[test]
    fn only_currencies_we_sell_in_parse() {
        assert_eq!(Currency::parse("KWD"), Ok(Currency::Kwd));
        assert!(Currency::parse("USD").is_err());
    }
}
