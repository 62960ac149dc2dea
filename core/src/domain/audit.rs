//! The security audit trail: denied requests, sign-ins and token events, with who, where and why.
use time::OffsetDateTime;
use uuid::Uuid;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditKind {
    /// A request answered 401 or 403.
    AccessDenied,
    LoginSucceeded,
    LoginFailed,
    TokenRefreshed,
    TokenRevoked,
    /// A refresh token was presented again after rotation: its whole family was revoked.
    RefreshTokenReused,
    /// An admin blocked an account (subject: the account; reason names the admin).
    UserBlocked,
    /// An admin unblocked an account.
    UserUnblocked,
}

impl AuditKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::TokenRefreshed => "token_refreshed",
            Self::TokenRevoked => "token_revoked",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::UserBlocked => "user_blocked",
            Self::UserUnblocked => "user_unblocked",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::AccessDenied, Self::LoginSucceeded, Self::LoginFailed, Self::TokenRefreshed, Self::TokenRevoked, Self::RefreshTokenReused]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where a request came from, passed by inbound adapters to services that audit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    /// The route as declared (e.g. `POST /api/auth/login`), never with ids filled in.
    pub route: String,
    /// The client's address after trusted-proxy resolution.
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: OffsetDateTime,
    pub kind: AuditKind,
    pub route: String,
    /// `user:<id>`, `sap:<id>` or a masked phone; `None` when nobody could be identified.
    pub subject: Option<String>,
    pub client_ip: Option<String>,
    pub reason: String,
    pub request_id: Option<String>,
}

impl AuditEvent {
    /// A new event for the request described by `meta`.
    #[must_use]
    pub fn new(meta: &RequestMeta, now: OffsetDateTime, kind: AuditKind, subject: Option<String>, reason: impl Into<String>) -> Self {
        Self {
            id: Uuid::now_v7(),
            occurred_at: now,
            kind,
            route: meta.route.clone(),
            subject,
            client_ip: meta.client_ip.clone(),
            reason: reason.into(),
            request_id: meta.request_id.clone(),
        }
    }
}
