//! Text the app shows in Arabic and English.
use super::account::Language;
use super::validation::Invalid;

/// The same text in both languages the app speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedText {
    pub ar: String,
    pub en: String,
}

impl LocalizedText {
    /// Both versions trimmed, each 1 to `max` characters.
    ///
    /// # Errors
    /// `Invalid` naming `field.ar` or `field.en`.
    pub fn parse(field: &str, ar: &str, en: &str, max: usize) -> Result<Self, Invalid> {
        let check = |lang: &str, text: &str| -> Result<String, Invalid> {
            let t = text.trim();
            let len = t.chars().count();
            if len == 0 || len > max {
                return Err(Invalid::field(
                    &format!("{field}.{lang}"),
                    format!("must be 1 to {max} characters"),
                    "Give the text in both Arabic and English.",
                ));
            }
            Ok(t.to_owned())
        };
        Ok(Self { ar: check("ar", ar)?, en: check("en", en)? })
    }

    /// The text in `language`.
    #[must_use]
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Ar => &self.ar,
            Language::En => &self.en,
        }
    }
}
