//! User accounts: customers and admins who sign in with phone and password, with their profile,
//! language, status and the location captured at registration.
use time::OffsetDateTime;
use uuid::Uuid;

use super::password::PasswordHash;
use super::phone::Phone;
use super::validation::Invalid;

/// Identifier of a user (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub Uuid);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What a principal may do. Customers and admins are users; `Sap` is the ERP's machine client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A person who orders water through the mobile app.
    Customer,
    /// Staff using the admin panel: may list, block and unblock users.
    Admin,
    /// The SAP ERP's machine client, signing in with a client id and secret.
    Sap,
}

impl Role {
    /// The role's stored and wire name: `customer`, `admin` or `sap`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Admin => "admin",
            Self::Sap => "sap",
        }
    }

    /// The role with this name (as `as_str` spells it); `None` for any other text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(Self::Customer),
            "admin" => Some(Self::Admin),
            "sap" => Some(Self::Sap),
            _ => None,
        }
    }
}

/// The language a user reads the app and their messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Arabic, the default.
    #[default]
    Ar,
    /// English.
    En,
}

impl Language {
    /// The language's stored and wire name (ISO 639-1): `ar` or `en`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ar => "ar",
            Self::En => "en",
        }
    }

    /// The language with this name (as `as_str` spells it); `None` for any other text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ar" => Some(Self::Ar),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// Where an account is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserStatus {
    /// Registered, phone not yet confirmed by SMS code: cannot sign in.
    Unverified,
    /// Phone confirmed: may sign in.
    Active,
    /// Blocked by an admin: cannot sign in, refresh tokens revoked.
    Blocked,
    /// Deleted by its owner: personal data erased, the row kept for the orders that reference it.
    Deleted,
}

impl UserStatus {
    /// The status's stored and wire name: `unverified`, `active`, `blocked` or `deleted`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Active => "active",
            Self::Blocked => "blocked",
            Self::Deleted => "deleted",
        }
    }

    /// The status with this name (as `as_str` spells it); `None` for any other text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unverified" => Some(Self::Unverified),
            "active" => Some(Self::Active),
            "blocked" => Some(Self::Blocked),
            "deleted" => Some(Self::Deleted),
            _ => None,
        }
    }
}

/// A person's full name: trimmed, 2 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

impl FullName {
    /// A name as typed, trimmed and checked.
    ///
    /// # Errors
    /// `Invalid` when empty, too long or containing control characters.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        let len = name.chars().count();
        if len < 2 {
            return Err(Invalid::field("fullName", "is too short", "Give at least 2 characters, e.g. 'Fatima Al-Sabah'."));
        }
        if len > 100 {
            return Err(Invalid::field("fullName", format!("is {len} characters long"), "Shorten it to at most 100 characters."));
        }
        if name.chars().any(char::is_control) {
            return Err(Invalid::field("fullName", "contains control characters", "Use letters, spaces and punctuation only."));
        }
        Ok(Self(name.to_owned()))
    }

    /// A stored name, trusted as already valid.
    #[must_use]
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    /// The name as the person gave it, trimmed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A point on the map in WGS 84 degrees, with the device's accuracy when known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoLocation {
    /// Degrees north of the equator, -90 to 90 (e.g. 29.3759 for Kuwait City).
    pub latitude: f64,
    /// Degrees east of Greenwich, -180 to 180 (e.g. 47.9774 for Kuwait City).
    pub longitude: f64,
    /// The device's horizontal accuracy in metres (0 to 100000); `None` when the device did not say.
    pub accuracy_meters: Option<f64>,
}

impl GeoLocation {
    /// A location from the device's coordinates, checked to lie on the globe.
    ///
    /// # Errors
    /// `Invalid` for coordinates off the globe, NaN, or a negative accuracy.
    pub fn parse(latitude: f64, longitude: f64, accuracy_meters: Option<f64>) -> Result<Self, Invalid> {
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            return Err(Invalid::field("location.latitude", "is outside -90..90", "Send degrees, e.g. 29.3759 for Kuwait City."));
        }
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            return Err(Invalid::field("location.longitude", "is outside -180..180", "Send degrees, e.g. 47.9774 for Kuwait City."));
        }
        if let Some(acc) = accuracy_meters
            && (!acc.is_finite() || !(0.0..=100_000.0).contains(&acc))
        {
            return Err(Invalid::field(
                "location.accuracyMeters",
                "must be between 0 and 100000",
                "Send the device's horizontal accuracy in metres, or leave it out.",
            ));
        }
        Ok(Self { latitude, longitude, accuracy_meters })
    }
}

/// A stored account. Personal fields are `None` once the account is deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// The account's identifier, never reused.
    pub id: UserId,
    /// The phone the person signs in with; `None` once the account is deleted.
    pub phone: Option<Phone>,
    /// The person's name; `DELETED_NAME` once the account is deleted.
    pub full_name: FullName,
    /// The hash of the current password; `None` once the account is deleted.
    pub password_hash: Option<PasswordHash>,
    /// What the account may do: `Customer` or `Admin` (never `Sap`, which is a machine client).
    pub role: Role,
    /// Where the account is in its life; only `Active` accounts may sign in.
    pub status: UserStatus,
    /// The language the person reads the app and their text messages in.
    pub language: Language,
    /// Where the customer was when they registered (or last set it).
    pub location: Option<GeoLocation>,
    /// The account's identifier in SAP, once the ERP knows it; `None` until then.
    pub sap_id: Option<String>,
    /// When the account was registered (UTC).
    pub created_at: OffsetDateTime,
    /// When any of the account's details last changed (UTC).
    pub updated_at: OffsetDateTime,
    /// When the phone was confirmed (or the account created active); `None` while unverified.
    pub verified_at: Option<OffsetDateTime>,
}

/// Everything needed to store a new account.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// The new account's identifier (UUIDv7, generated by the service).
    pub id: UserId,
    /// The phone the person will sign in with; must not belong to another account.
    pub phone: Phone,
    /// The person's name.
    pub full_name: FullName,
    /// The hash of the chosen password.
    pub password_hash: PasswordHash,
    /// `Customer` for self-registration, `Admin` for accounts operators create.
    pub role: Role,
    /// `Unverified` for self-registration (awaiting the SMS code), `Active` for accounts operators create.
    pub status: UserStatus,
    /// The language for the app and text messages.
    pub language: Language,
    /// Where the customer was when registering; `None` when the app could not tell.
    pub location: Option<GeoLocation>,
    /// The time of registration: the account's creation time (and verification time when created `Active`).
    pub now: OffsetDateTime,
}

/// Changes a user may make to their own profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileChanges {
    /// A new name for the account.
    pub full_name: Option<FullName>,
    /// A new language for the app and text messages.
    pub language: Option<Language>,
    /// A new location, replacing the one captured at registration.
    pub location: Option<GeoLocation>,
}

impl User {
    /// Whether SAP hears of this account's changes: customers, once their phone is verified (an
    /// unverified registration is not a customer of the business yet; staff never are).
    #[must_use]
    pub fn is_sap_customer(&self) -> bool {
        self.role == Role::Customer && self.verified_at.is_some()
    }
}

impl ProfileChanges {
    /// Whether no field would change.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.full_name.is_none() && self.language.is_none() && self.location.is_none()
    }
}

/// The name a deleted account keeps in place of its owner's.
pub const DELETED_NAME: &str = "Deleted user";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(FullName::parse("  Fatima  ").map(|n| n.as_str().to_owned()), Ok("Fatima".to_owned()));
        assert!(FullName::parse(" ").is_err());
        assert!(FullName::parse(&"x".repeat(10_000)).is_err());
        assert!(FullName::parse("bad\u{0}name").is_err());
        assert!(FullName::parse("فاطمة الصباح").is_ok());
    }

    #[test]
    fn locations_off_the_globe_are_rejected() {
        assert!(GeoLocation::parse(29.37, 47.97, Some(12.0)).is_ok());
        assert_eq!(GeoLocation::parse(91.0, 0.0, None).expect_err("lat").0[0].field, "location.latitude");
        assert_eq!(GeoLocation::parse(0.0, f64::NAN, None).expect_err("lon").0[0].field, "location.longitude");
        assert!(GeoLocation::parse(0.0, 0.0, Some(-1.0)).is_err());
    }

    #[test]
    fn enums_round_trip_through_their_names() {
        for r in [Role::Customer, Role::Admin, Role::Sap] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for s in [UserStatus::Unverified, UserStatus::Active, UserStatus::Blocked, UserStatus::Deleted] {
            assert_eq!(UserStatus::parse(s.as_str()), Some(s));
        }
        for l in [Language::Ar, Language::En] {
            assert_eq!(Language::parse(l.as_str()), Some(l));
        }
    }
}
