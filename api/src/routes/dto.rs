//! Request and response shapes shared by several route groups.
use poem_openapi::{ApiResponse, Enum, Object};
use sabil_core::domain::{GeoLocation, Invalid, Language, Role, TokenPair, User, UserStatus};
use sabil_core::services::CodeSent;
use serde::Deserialize;
use time::OffsetDateTime;

/// A language the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum LanguageDto {
    /// Arabic.
    Ar,
    /// English.
    En,
}

impl From<LanguageDto> for Language {
    fn from(l: LanguageDto) -> Self {
        match l {
            LanguageDto::Ar => Self::Ar,
            LanguageDto::En => Self::En,
        }
    }
}

impl From<Language> for LanguageDto {
    fn from(l: Language) -> Self {
        match l {
            Language::Ar => Self::Ar,
            Language::En => Self::En,
        }
    }
}

/// A point on the map (WGS 84 degrees).
#[derive(Debug, Clone, Copy, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocationDto {
    /// Degrees north, -90..90.
    pub latitude: f64,
    /// Degrees east, -180..180.
    pub longitude: f64,
    /// The device's horizontal accuracy in metres, when known.
    #[oai(skip_serializing_if_is_none)]
    pub accuracy_meters: Option<f64>,
}

impl LocationDto {
    /// The location as the domain checks it.
    ///
    /// # Errors
    /// `Invalid` naming `location.latitude`, `location.longitude` or `location.accuracyMeters`.
    pub fn parse(self) -> Result<GeoLocation, Invalid> {
        GeoLocation::parse(self.latitude, self.longitude, self.accuracy_meters)
    }
}

impl From<GeoLocation> for LocationDto {
    fn from(l: GeoLocation) -> Self {
        Self { latitude: l.latitude, longitude: l.longitude, accuracy_meters: l.accuracy_meters }
    }
}

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RoleDto {
    /// A person who orders through the app.
    Customer,
    /// Staff using the admin panel.
    Admin,
    /// The SAP ERP's machine client.
    Sap,
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::Customer => Self::Customer,
            RoleDto::Admin => Self::Admin,
            RoleDto::Sap => Self::Sap,
        }
    }
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Customer => Self::Customer,
            Role::Admin => Self::Admin,
            Role::Sap => Self::Sap,
        }
    }
}

/// An account's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum UserStatusDto {
    /// Registered, phone not yet confirmed.
    Unverified,
    /// May sign in.
    Active,
    /// Blocked by an admin.
    Blocked,
    /// Deleted by its owner.
    Deleted,
}

impl From<UserStatus> for UserStatusDto {
    fn from(s: UserStatus) -> Self {
        match s {
            UserStatus::Unverified => Self::Unverified,
            UserStatus::Active => Self::Active,
            UserStatus::Blocked => Self::Blocked,
            UserStatus::Deleted => Self::Deleted,
        }
    }
}

/// An account as its owner and admins see it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct UserDto {
    /// The account's id (a UUID), as used in paths such as `/api/admin/users/{id}/block`.
    pub id: uuid::Uuid,
    /// E.164; absent once the account is deleted.
    pub phone: Option<String>,
    /// The name as the person gave it, e.g. `Fatima Al-Sabah`; `Deleted user` once the account is deleted.
    pub full_name: String,
    /// `customer` or `admin`.
    pub role: RoleDto,
    /// `unverified` until the phone is confirmed by SMS, then `active`; `blocked` by an admin; `deleted` by its owner.
    pub status: UserStatusDto,
    /// The language the app and text messages use for this account: `ar` or `en`.
    pub language: LanguageDto,
    /// Where the customer was at registration (or last set it).
    pub location: Option<LocationDto>,
    /// When the account was registered (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
    /// When the phone was confirmed (RFC 3339, UTC); `null` while the account is unverified.
    pub verified_at: Option<OffsetDateTime>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id.0,
            phone: u.phone.map(|p| p.to_string()),
            full_name: u.full_name.as_str().to_owned(),
            role: u.role.into(),
            status: u.status.into(),
            language: u.language.into(),
            location: u.location.map(Into::into),
            created_at: u.created_at,
            verified_at: u.verified_at,
        }
    }
}

/// Tokens for the signed-in principal.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// When the access token expires (RFC 3339, UTC); refresh before then.
    pub access_token_expires_at: OffsetDateTime,
    /// Exchange at POST /api/auth/refresh for a new pair; it works once. Absent for SAP clients.
    #[oai(skip_serializing_if_is_none)]
    pub refresh_token: Option<String>,
    /// When the refresh token expires (RFC 3339, UTC), unless used first. Absent for SAP clients.
    #[oai(skip_serializing_if_is_none)]
    pub refresh_token_expires_at: Option<OffsetDateTime>,
    /// The role the tokens carry: `customer`, `admin` or `sap`.
    pub role: RoleDto,
}

impl TokenResponse {
    /// The response for a token pair issued at `now`; `expiresIn` counts from it.
    pub fn new(t: TokenPair, now: OffsetDateTime) -> Self {
        Self {
            expires_in: (t.access_expires_at - now).as_seconds_f64().round().max(0.0) as i64,
            access_token: t.access_token,
            token_type: "Bearer".to_owned(),
            access_token_expires_at: t.access_expires_at,
            refresh_token: t.refresh_token,
            refresh_token_expires_at: t.refresh_expires_at,
            role: t.role.into(),
        }
    }
}

/// A code was sent (or, to protect account privacy, the request was accepted as if one was).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct CodeSentResponse {
    /// Always `code_sent`.
    pub status: String,
    /// How long the code stays valid.
    pub code_expires_in_seconds: u64,
    /// The earliest time to ask for another code.
    pub resend_after_seconds: u64,
}

impl From<CodeSent> for CodeSentResponse {
    fn from(c: CodeSent) -> Self {
        Self {
            status: "code_sent".to_owned(),
            code_expires_in_seconds: c.code_ttl.as_secs(),
            resend_after_seconds: c.resend_after.as_secs(),
        }
    }
}

/// 202 with the code-sent body.
#[derive(ApiResponse)]
pub enum CodeSentAnswer {
    /// Accepted: if the phone may receive a code, it is on its way.
    #[oai(status = 202)]
    Accepted(poem_openapi::payload::Json<CodeSentResponse>),
}

/// 204 without a body.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}
