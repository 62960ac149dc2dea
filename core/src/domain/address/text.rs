//! One line of an address as typed: trimmed, bounded and free of control characters.
use super::super::validation::Invalid;

/// One line of an address as the customer typed it: trimmed, not empty, bounded, and free of
/// control characters (directions may span lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressText(String);

impl AddressText {
    /// The text trimmed and checked; `field` names it in the problem.
    ///
    /// # Errors
    /// `Invalid` (field `field`) when empty, longer than `max` characters, or containing control
    /// characters (line breaks are allowed only where `multiline`).
    pub(super) fn parse(field: &str, raw: &str, max: usize, multiline: bool) -> Result<Self, Invalid> {
        let text = raw.trim();
        let len = text.chars().count();
        if len == 0 {
            return Err(Invalid::field(field, "is empty", format!("Give the {field} of the address.")));
        }
        if len > max {
            return Err(Invalid::field(field, format!("is {len} characters long"), format!("Shorten it to at most {max} characters.")));
        }
        if text.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
            return Err(Invalid::field(field, "contains control characters", "Use letters, digits, spaces and punctuation only."));
        }
        Ok(Self(text.to_owned()))
    }

    /// A stored text, trusted as valid when it was written.
    #[must_use]
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The text as the customer gave it, trimmed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
