//! Customers' devices: the push provider's registration token of one app install, with its platform and
//! the language the app shows on it.
use time::OffsetDateTime;

use crate::domain::account::{Language, UserId};
use crate::domain::validation::Invalid;

/// The longest token accepted (FCM tokens are about 160 characters; the margin is for other providers).
pub const DEVICE_TOKEN_MAX: usize = 4096;

/// A push registration token (FCM token): 1 to 4096 printable ASCII characters, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceToken(String);

impl DeviceToken {
    /// The token as the app sent it, surrounding whitespace removed.
    ///
    /// # Errors
    /// `Invalid` (field `token`) for an empty or too long token, or one with spaces or non-ASCII characters.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let t = s.trim();
        let hint = "Send the registration token the Firebase SDK gave the app, unchanged.";
        if t.is_empty() || t.len() > DEVICE_TOKEN_MAX {
            return Err(Invalid::field("token", format!("must be 1 to {DEVICE_TOKEN_MAX} characters"), hint));
        }
        if !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Invalid::field("token", "may hold only printable ASCII characters without spaces", hint));
        }
        Ok(Self(t.to_owned()))
    }

    /// A token read back from storage, where only parsed tokens are written.
    #[must_use]
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The operating system of the app install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Android,
    Ios,
    /// A browser (Firebase web push).
    Web,
}

impl Platform {
    /// Stored and wire name: `android`, `ios` or `web`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Android => "android",
            Self::Ios => "ios",
            Self::Web => "web",
        }
    }

    /// The platform with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Android, Self::Ios, Self::Web].into_iter().find(|p| p.as_str() == s)
    }
}

/// One app install that receives pushes for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub token: DeviceToken,
    pub user_id: UserId,
    pub platform: Platform,
    /// The language pushes to this device are written in (the app's language on it).
    pub language: Language,
    /// When the token was first registered (by any user).
    pub created_at: OffsetDateTime,
    /// When it was last registered.
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_trimmed_and_kept_as_sent() {
        let t = DeviceToken::parse("  fcm:APA91b-xyz_123  ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.as_str(), "fcm:APA91b-xyz_123");
    }

    #[test]
    fn empty_spaced_non_ascii_and_oversized_tokens_are_refused() {
        for bad in ["", "   ", "two words", "tökén", &"a".repeat(DEVICE_TOKEN_MAX + 1)] {
            let e = DeviceToken::parse(bad).err().unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert_eq!(e.0[0].field, "token");
        }
        assert!(DeviceToken::parse(&"a".repeat(DEVICE_TOKEN_MAX)).is_ok());
    }

    #[test]
    fn platforms_round_trip_through_their_names() {
        for p in [Platform::Android, Platform::Ios, Platform::Web] {
            assert_eq!(Platform::parse(p.as_str()), Some(p));
        }
        assert_eq!(Platform::parse("windows"), None);
    }
}
