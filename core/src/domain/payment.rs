//! Amounts as payment providers write them: decimal text in major units with the currency's fixed
//! number of decimals (`1.500` KWD, `10.00` AED), parsed back exactly (no floats), and the text Tap
//! signs its webhooks over.
use super::money::{Currency, Money};

/// Why an amount's text is not an amount of the currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a decimal number (`abc`, `1,5`, `1.`, `NaN`).
    #[error("{0:?} is not a decimal number")]
    NotANumber(String),
    /// More significant decimals than the currency has minor units (`1.2345` KWD, `1.005` AED).
    #[error("{text:?} has more decimals than {currency} allows ({decimals})")]
    TooPrecise {
        /// The text as given.
        text: String,
        /// The currency's ISO code.
        currency: &'static str,
        /// Its number of minor-unit decimals.
        decimals: u32,
    },
    /// Too large to count in minor units.
    #[error("{0:?} is too large an amount")]
    OutOfRange(String),
}

/// The amount in major units with exactly the currency's decimals and no currency code: `1.500` for
/// 1500 fils of KWD, `10.00` for 1000 fils of AED, `-0.250` for a negative KWD quarter.
#[must_use]
pub fn format_amount(amount: Money) -> String {
    let decimals = amount.currency.decimals();
    let scale = 10_u64.pow(decimals);
    let sign = if amount.minor < 0 { "-" } else { "" };
    let abs = amount.minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = decimals as usize)
}

/// Reads the text of a JSON number (`1.5`, `1.500`, `15e-1`, `2`) as an exact amount of `currency`.
/// Trailing zeros beyond the currency's decimals are accepted (`1.5000` KWD is 1500 fils); any other
/// digit beyond them is refused rather than rounded.
///
/// # Errors
/// `NotANumber` for text that is not a JSON number, `TooPrecise` when it has non-zero digits below
/// the currency's minor unit, `OutOfRange` when it does not fit in `i64` minor units.
pub fn parse_amount(text: &str, currency: Currency) -> Result<Money, AmountError> {
    let not_a_number = || AmountError::NotANumber(text.to_owned());
    let out_of_range = || AmountError::OutOfRange(text.to_owned());
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => {
            let exp = &unsigned[at + 1..];
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_a_number());
            }
            // An exponent this large cannot describe an amount; parse would overflow the shift below.
            let value: i64 = exp.parse().map_err(|_| out_of_range())?;
            (&unsigned[..at], value)
        }
        None => (unsigned, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((int, frac)) if !frac.is_empty() => (int, frac),
        Some(_) => return Err(not_a_number()),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
        return Err(not_a_number());
    }
    // JSON forbids leading zeros ("01.5"); refusing them keeps one spelling per number.
    if int_part.len() > 1 && int_part.starts_with('0') {
        return Err(not_a_number());
    }
    // All digits as one integer string, and where the decimal point sits in it after the exponent.
    let digits = format!("{int_part}{frac_part}");
    let frac_len = i64::try_from(frac_part.len()).map_err(|_| out_of_range())?;
    let decimals = i64::from(currency.decimals());
    // The value is digits × 10^(exponent − frac_len); in minor units, × 10^decimals more.
    let shift = exponent.checked_sub(frac_len).and_then(|s| s.checked_add(decimals)).ok_or_else(out_of_range)?;
    let significant = digits.trim_start_matches('0');
    // The magnitude in minor units; u64 holds one more than i64::MAX, so i64::MIN round-trips.
    let magnitude: u64 = if shift >= 0 {
        if significant.is_empty() {
            0
        } else {
            let shift = usize::try_from(shift).map_err(|_| out_of_range())?;
            if significant.len().saturating_add(shift) > 20 {
                return Err(out_of_range());
            }
            format!("{significant}{}", "0".repeat(shift)).parse().map_err(|_| out_of_range())?
        }
    } else {
        let cut = usize::try_from(shift.unsigned_abs()).map_err(|_| out_of_range())?;
        let keep = digits.len().saturating_sub(cut);
        let (whole, dropped) = digits.split_at(keep);
        if dropped.bytes().any(|b| b != b'0') {
            return Err(AmountError::TooPrecise { text: text.to_owned(), currency: currency.code(), decimals: currency.decimals() });
        }
        let whole = whole.trim_start_matches('0');
        if whole.is_empty() { 0 } else { whole.parse().map_err(|_| out_of_range())? }
    };
    let signed = if negative { -i128::from(magnitude) } else { i128::from(magnitude) };
    let minor = i64::try_from(signed).map_err(|_| out_of_range())?;
    Ok(Money::new(minor, currency))
}

/// The message Tap's webhook `hashstring` header is the HMAC-SHA256 of (key: the secret API key):
/// `x_id{id}x_amount{amount}x_currency{currency}x_gateway_reference{gateway}x_payment_reference{payment}`
/// `x_status{status}x_created{created}`, with the amount written with the currency's fixed decimals
/// (`1.500`, never `1.5`) and the currency taken from `amount`. Absent references are empty text.
#[must_use]
pub fn tap_hash_input(id: &str, amount: Money, gateway_reference: &str, payment_reference: &str, status: &str, created: &str) -> String {
    format!(
        "x_id{id}x_amount{}x_currency{}x_gateway_reference{gateway_reference}x_payment_reference{payment_reference}x_status{status}x_created{created}",
        format_amount(amount),
        amount.currency.code(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kwd(minor: i64) -> Money {
        Money::new(minor, Currency::Kwd)
    }

    fn aed(minor: i64) -> Money {
        Money::new(minor, Currency::Aed)
    }

    #[test]
    fn amounts_are_written_with_the_currencys_fixed_decimals() {
        assert_eq!(format_amount(kwd(1500)), "1.500");
        assert_eq!(format_amount(kwd(5)), "0.005");
        assert_eq!(format_amount(kwd(0)), "0.000");
        assert_eq!(format_amount(aed(1000)), "10.00");
        assert_eq!(format_amount(aed(7)), "0.07");
        assert_eq!(format_amount(kwd(-250)), "-0.250");
        assert_eq!(format_amount(kwd(i64::MIN)), "-9223372036854775.808");
    }

    #[test]
    fn json_number_text_parses_exactly() {
        assert_eq!(parse_amount("1.5", Currency::Kwd), Ok(kwd(1500)));
        assert_eq!(parse_amount("1.500", Currency::Kwd), Ok(kwd(1500)));
        assert_eq!(parse_amount("1.5000", Currency::Kwd), Ok(kwd(1500)), "trailing zeros carry no value");
        assert_eq!(parse_amount("2", Currency::Kwd), Ok(kwd(2000)));
        assert_eq!(parse_amount("0.1", Currency::Kwd), Ok(kwd(100)));
        assert_eq!(parse_amount("0.001", Currency::Kwd), Ok(kwd(1)));
        assert_eq!(parse_amount("10.00", Currency::Aed), Ok(aed(1000)));
        assert_eq!(parse_amount("0.07", Currency::Aed), Ok(aed(7)));
        assert_eq!(parse_amount("15e-1", Currency::Kwd), Ok(kwd(1500)));
        assert_eq!(parse_amount("1.5E2", Currency::Aed), Ok(aed(15000)));
        assert_eq!(parse_amount("1e+1", Currency::Aed), Ok(aed(1000)));
        assert_eq!(parse_amount("-0.250", Currency::Kwd), Ok(kwd(-250)));
        assert_eq!(parse_amount("0", Currency::Aed), Ok(aed(0)));
        assert_eq!(parse_amount("0e400", Currency::Aed), Ok(aed(0)));
    }

    #[test]
    fn digits_below_the_minor_unit_are_refused_not_rounded() {
        assert!(matches!(parse_amount("1.2345", Currency::Kwd), Err(AmountError::TooPrecise { decimals: 3, .. })));
        assert!(matches!(parse_amount("1.005", Currency::Aed), Err(AmountError::TooPrecise { currency: "AED", .. })));
        assert!(matches!(parse_amount("1e-4", Currency::Kwd), Err(AmountError::TooPrecise { .. })));
        assert!(matches!(parse_amount("1e-400", Currency::Kwd), Err(AmountError::TooPrecise { .. })));
    }

    #[test]
    fn text_that_is_not_a_json_number_is_refused() {
        for bad in ["", "-", "abc", "1,5", "1.", ".5", "+1", "01.5", "1.5.0", "1e", "1e+", "NaN", "inf", " 1", "1 "] {
            assert!(matches!(parse_amount(bad, Currency::Kwd), Err(AmountError::NotANumber(_))), "{bad:?}");
        }
    }

    #[test]
    fn amounts_beyond_i64_minor_units_are_out_of_range() {
        assert!(matches!(parse_amount("9223372036854775.808", Currency::Kwd), Err(AmountError::OutOfRange(_))));
        assert!(matches!(parse_amount("1e30", Currency::Kwd), Err(AmountError::OutOfRange(_))));
        assert!(matches!(parse_amount("1e99999999999999999999", Currency::Kwd), Err(AmountError::OutOfRange(_))));
        assert_eq!(parse_amount("9223372036854775.807", Currency::Kwd), Ok(kwd(i64::MAX)));
        assert_eq!(parse_amount("-9223372036854775.808", Currency::Kwd), Ok(kwd(i64::MIN)));
    }

    #[test]
    fn the_tap_hash_input_follows_the_documented_layout() {
        let s = tap_hash_input("chg_1", kwd(1500), "gw", "py", "CAPTURED", "1700");
        assert_eq!(s, "x_idchg_1x_amount1.500x_currencyKWDx_gateway_referencegwx_payment_referencepyx_statusCAPTUREDx_created1700");
        let s = tap_hash_input("chg_2", aed(1000), "", "", "DECLINED", "1");
        assert_eq!(s, "x_idchg_2x_amount10.00x_currencyAEDx_gateway_referencex_payment_referencex_statusDECLINEDx_created1");
    }

    fn currency() -> impl Strategy<Value = Currency> {
        prop_oneof![Just(Currency::Kwd), Just(Currency::Aed)]
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_back_the_same_minor_units(minor in any::<i64>(), currency in currency()) {
            let money = Money::new(minor, currency);
            prop_assert_eq!(parse_amount(&format_amount(money), currency), Ok(money));
        }

        #[test]
        fn formatted_amounts_have_exactly_the_currencys_decimals(minor in any::<i64>(), currency in currency()) {
            let text = format_amount(Money::new(minor, currency));
            let (_, frac) = text.split_once('.').expect("a decimal point");
            prop_assert_eq!(frac.len(), currency.decimals() as usize);
        }

        #[test]
        fn the_shortest_float_text_of_an_amount_parses_to_the_same_amount(minor in 0_i64..100_000_000_000, currency in currency()) {
            // What a float-based JSON writer (Tap's, or serde_json without arbitrary precision) prints.
            let float_text = format!("{}", format_amount(Money::new(minor, currency)).parse::<f64>().expect("a float"));
            prop_assert_eq!(parse_amount(&float_text, currency), Ok(Money::new(minor, currency)));
        }

        #[test]
        fn one_more_digit_than_the_currency_has_is_refused(minor in 0_i64..1_000_000_000, digit in 1_u8..10, currency in currency()) {
            let text = format!("{}{digit}", format_amount(Money::new(minor, currency)));
            prop_assert!(
                matches!(parse_amount(&text, currency), Err(AmountError::TooPrecise { .. })),
                "{} should be too precise", text
            );
        }
    }
}
