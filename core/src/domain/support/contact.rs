//! Contact channels: how customers reach the business (a phone line, a WhatsApp number, an email
//! address), each value checked for its kind.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::localized::LocalizedText;
use crate::domain::phone::Phone;
use crate::domain::validation::Invalid;

/// Longest contact label, per language.
pub const CONTACT_LABEL_MAX: usize = 100;

/// Identifier of a contact channel (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactChannelId(pub Uuid);

/// What kind of channel it is; decides what its value may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactKind {
    /// A number to call: E.164, or a local service number such as 800 or 600 lines.
    Phone,
    /// A WhatsApp number, E.164 (what `wa.me` links need).
    Whatsapp,
    /// An email address.
    Email,
}

impl ContactKind {
    /// Stored and wire name: `phone`, `whatsapp` or `email`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Whatsapp => "whatsapp",
            Self::Email => "email",
        }
    }

    /// The kind with this name; `None` for any other text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Phone, Self::Whatsapp, Self::Email].into_iter().find(|k| k.as_str() == s)
    }
}

/// A channel's kind with a value valid for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAddress {
    kind: ContactKind,
    value: String,
}

impl ContactAddress {
    /// Checks `raw` (field `value`) for `kind`: E.164 or 3 to 15 digits for a phone, E.164 for
    /// WhatsApp, a plain `local@domain.tld` address (domain lower-cased) for email.
    ///
    /// # Errors
    /// `Invalid` naming `value`, with the form the kind expects.
    pub fn parse(kind: ContactKind, raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let value = match kind {
            ContactKind::Phone if !raw.starts_with('+') => {
                if (3..=15).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
                    raw.to_owned()
                } else {
                    return Err(Invalid::field(
                        "value",
                        "is not a phone number",
                        "Send E.164 (e.g. +97126661234) or a local service number of 3 to 15 digits (e.g. 800722245).",
                    ));
                }
            }
            ContactKind::Phone | ContactKind::Whatsapp => Phone::parse(raw).map_err(|e| e.at("value"))?.as_str().to_owned(),
            ContactKind::Email => email(raw)?,
        };
        Ok(Self { kind, value })
    }

    /// A stored address, trusted as validated when it was written.
    #[must_use]
    pub fn from_stored(kind: ContactKind, value: String) -> Self {
        Self { kind, value }
    }

    /// What kind of channel it is.
    #[must_use]
    pub fn kind(&self) -> ContactKind {
        self.kind
    }

    /// The number or address, in its canonical form.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }
}

fn email(raw: &str) -> Result<String, Invalid> {
    let fail = |problem: &str| Err(Invalid::field("value", problem, "Send one address such as support@sabil.example."));
    if raw.len() > 254 {
        return fail("is longer than 254 characters");
    }
    let Some((local, domain)) = raw.split_once('@') else { return fail("has no '@'") };
    if local.is_empty() || local.len() > 64 || local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '@') {
        return fail("has an invalid part before the '@'");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let tld_ok = labels.last().is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return fail("has an invalid domain after the '@'");
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

/// One way to reach the business, shown on the contact screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChannel {
    /// The channel's identifier.
    pub id: ContactChannelId,
    /// Its kind and number or address.
    pub address: ContactAddress,
    /// What the app shows next to it, e.g. "Customer service".
    pub label: LocalizedText,
    /// Lower first.
    pub sort_order: i32,
    /// Inactive channels are hidden from customers.
    pub active: bool,
    /// When it was created (UTC).
    pub created_at: OffsetDateTime,
    /// When it last changed (UTC).
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(kind: ContactKind, raw: &str) -> Result<String, String> {
        ContactAddress::parse(kind, raw).map(|a| a.value().to_owned()).map_err(|e| e.0[0].field.clone())
    }

    #[test]
    fn phones_are_e164_or_local_service_numbers() {
        assert_eq!(value(ContactKind::Phone, " +97126661234 "), Ok("+97126661234".to_owned()));
        assert_eq!(value(ContactKind::Phone, "800722245"), Ok("800722245".to_owned()));
        assert_eq!(value(ContactKind::Phone, "999"), Ok("999".to_owned()));
        assert_eq!(value(ContactKind::Phone, "12"), Err("value".to_owned()));
        assert_eq!(value(ContactKind::Phone, "800 722"), Err("value".to_owned()));
        assert_eq!(value(ContactKind::Phone, "+0123456789"), Err("value".to_owned()));
    }

    #[test]
    fn whatsapp_needs_an_international_number() {
        assert_eq!(value(ContactKind::Whatsapp, "+971501234567"), Ok("+971501234567".to_owned()));
        assert_eq!(value(ContactKind::Whatsapp, "0501234567"), Err("value".to_owned()));
        assert_eq!(value(ContactKind::Whatsapp, "support@sabil.example"), Err("value".to_owned()));
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(value(ContactKind::Email, "Care@Sabil.EXAMPLE"), Ok("Care@sabil.example".to_owned()));
        for bad in
            ["care", "@sabil.example", "care@", "care@sabil", "care@@sabil.example", "ca re@sabil.example", "care@-x.example", "care@x.1"]
        {
            assert!(ContactAddress::parse(ContactKind::Email, bad).is_err(), "{bad}");
        }
        assert!(ContactAddress::parse(ContactKind::Email, &format!("{}@sabil.example", "a".repeat(65))).is_err());
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in [ContactKind::Phone, ContactKind::Whatsapp, ContactKind::Email] {
            assert_eq!(ContactKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ContactKind::parse("fax"), None);
    }
}
