//! The security audit trail: denied requests, sign-ins and token events, with who, where and why.
use time::OffsetDateTime;
use uuid::Uuid;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditKind {
    /// A request answered 401 or 403.
    AccessDenied,
    /// A user or SAP client signed in (including the sign-in that completes phone verification).
    LoginSucceeded,
    /// A sign-in was refused: wrong credentials, or too many recent failures.
    LoginFailed,
    /// A refresh token was exchanged for a new pair.
    TokenRefreshed,
    /// A sign-out revoked a session's refresh tokens.
    TokenRevoked,
    /// A refresh token was presented again after rotation: its whole family was revoked.
    RefreshTokenReused,
    /// An admin blocked an account (subject: the account; reason names the admin).
    UserBlocked,
    /// An admin unblocked an account.
    UserUnblocked,
    /// An admin gave a customer coupons (subject: the customer; reason names the admin and the batch).
    CouponsIssued,
    /// An admin created or changed a promo code (subject: the admin; reason names the code).
    PromoCodeSaved,
    /// An operator put dead-lettered SAP changes back in the queue (subject: the change, or none for all).
    SyncRetried,
    /// An operator settled a SAP change without sending it (subject: the change; reason: why).
    SyncSkipped,
    /// An operator revoked a SAP client (subject: the client; reason names the operator).
    SapClientRevoked,
}

impl AuditKind {
    /// The kind's stored name, e.g. `login_failed`.
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
            Self::CouponsIssued => "coupons_issued",
            Self::PromoCodeSaved => "promo_code_saved",
            Self::SyncRetried => "sync_retried",
            Self::SyncSkipped => "sync_skipped",
            Self::SapClientRevoked => "sap_client_revoked",
        }
    }

    /// Every kind, so storage can read back whatever was written.
    pub const ALL: [Self; 13] = [
        Self::AccessDenied,
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::TokenRefreshed,
        Self::TokenRevoked,
        Self::RefreshTokenReused,
        Self::UserBlocked,
        Self::UserUnblocked,
        Self::CouponsIssued,
        Self::PromoCodeSaved,
        Self::SyncRetried,
        Self::SyncSkipped,
        Self::SapClientRevoked,
    ];

    /// The kind with this stored name; `None` for a name not listed here.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a request came from, passed by inbound adapters to services that audit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    /// The route as declared (e.g. `POST /api/auth/login`), never with ids filled in.
    pub route: String,
    /// The client's address after trusted-proxy resolution.
    pub client_ip: Option<String>,
    /// The request's correlation id (`X-Request-Id`), when it has one.
    pub request_id: Option<String>,
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The event's identifier (UUIDv7, so it also orders events by time).
    pub id: Uuid,
    /// When it happened (UTC).
    pub occurred_at: OffsetDateTime,
    /// What happened.
    pub kind: AuditKind,
    /// The route as declared (e.g. `POST /api/auth/login`), never with ids filled in.
    pub route: String,
    /// `user:<id>`, `sap:<id>` or a masked phone; `None` when nobody could be identified.
    pub subject: Option<String>,
    /// The client's address after trusted-proxy resolution; `None` when unknown.
    pub client_ip: Option<String>,
    /// Why, in a few words for the security team (never a secret).
    pub reason: String,
    /// The request's correlation id, for finding its log lines; `None` when it had none.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_name() {
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AuditKind::parse("something_else"), None);
    }
}
