//! Phone numbers in E.164 form (`+` then 8 to 15 digits, no leading zero): the account identifier.
use super::validation::Invalid;

/// A phone number in E.164 form, e.g. `+96550001234`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// Parses E.164. Spaces, dashes and parentheses are not accepted, so the stored form is canonical.
    ///
    /// # Errors
    /// `Invalid` naming the problem and showing the expected form.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        const HINT: &str = "Send the number in international E.164 form: '+', the country code, then the number, \
                            with no spaces or dashes, e.g. +96550001234.";
        let fail = |problem: &str| Err(Invalid::field("phone", problem, HINT));
        let Some(digits) = raw.strip_prefix('+') else {
            return fail("must start with '+' and the country code");
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return fail("may contain only digits after the '+'");
        }
        if digits.starts_with('0') {
            return fail("the country code cannot start with 0");
        }
        if !(8..=15).contains(&digits.len()) {
            return fail("must have 8 to 15 digits after the '+'");
        }
        Ok(Self(raw.to_owned()))
    }

    /// The number in E.164 form, e.g. `+96550001234`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last three digits masked, for logs and audit rows.
    #[must_use]
    pub fn masked(&self) -> String {
        let keep = 3.min(self.0.len());
        let (head, tail) = self.0.split_at(self.0.len() - keep);
        format!("+{}{}", "*".repeat(head.len().saturating_sub(1)), tail)
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_gulf_numbers_in_e164() {
        for ok in ["+96550001234", "+971501234567", "+12025550123"] {
            assert_eq!(Phone::parse(ok).map(|p| p.to_string()), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn rejects_local_formats_with_a_hint() {
        for bad in ["96550001234", "+965 5000 1234", "+965-50001234", "+0965500012", "+1234567", "", "+", "'; DROP TABLE users;--"] {
            let err = Phone::parse(bad).expect_err(bad);
            assert_eq!(err.0[0].field, "phone");
            assert!(err.0[0].hint.contains("E.164"));
        }
    }

    #[test]
    fn masking_keeps_only_the_last_digits() {
        let phone = Phone::parse("+96550001234").expect("valid");
        assert_eq!(phone.masked(), "+********234");
    }
}
