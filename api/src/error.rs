//! The one error shape of every non-2xx answer, and the mapping of each service outcome to it.
use std::time::Duration;

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use sabil_core::domain::Invalid;
use sabil_core::error::RepoError;
use sabil_core::services::AccountError;
use sabil_core::services::AddressError;
use sabil_core::services::FileError;
use sabil_core::services::authorization::AdminDenied;

mod chat;
mod coupons;
mod feedback;
mod notifications;
mod orders;
mod stats;
mod support;
mod sync;

/// One field's problem.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct FieldProblemBody {
    /// The field, as spelled in the request (`location.latitude` for nested fields).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

/// What went wrong, how to fix it, and which fields are at fault.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// `schema`, `validation`, `auth`, `forbidden`, `not_found`, `conflict`, `payload_too_large`,
    /// `unsupported_media_type`, `rate_limited`, `unavailable` or `internal`.
    #[oai(rename = "type")]
    pub kind: String,
    /// Stable machine-readable code, e.g. `auth.invalid_credentials`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// How to fix the request, when the client can.
    #[oai(skip_serializing_if_is_none)]
    pub hint: Option<String>,
    /// Every field at fault.
    #[oai(skip_serializing_if_is_empty)]
    pub fields: Vec<FieldProblemBody>,
}

/// Body of every error response.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// Every error an operation can answer.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// Malformed or mistyped input.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Missing, malformed or expired credentials.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Valid credentials that may not do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// The addressed resource or route does not exist.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The path exists, but not with this method.
    #[oai(status = 405)]
    MethodNotAllowed(Json<ErrorBody>),
    /// The request clashes with the current state (a taken phone, a concurrent change).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The body is larger than the limit.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The body's Content-Type is not accepted, or an uploaded file is not a JPEG, PNG or WebP image.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Well-formed input that breaks a business rule.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// Too many attempts; retry after the given seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// An unexpected failure on our side; the details are logged, not shown.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// A dependency is down; retry later.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] Option<u64>),
}

fn body(kind: &str, code: &str, message: impl Into<String>, hint: Option<&str>, fields: Vec<FieldProblemBody>) -> Json<ErrorBody> {
    Json(ErrorBody {
        error: ErrorDetail { kind: kind.to_owned(), code: code.to_owned(), message: message.into(), hint: hint.map(str::to_owned), fields },
    })
}

fn secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl ApiError {
    /// 400 (`type: schema`): the input is malformed or mistyped; `fields` names the culprits.
    pub fn schema(code: &str, message: impl Into<String>, hint: &str, fields: Vec<FieldProblemBody>) -> Self {
        Self::BadRequest(body("schema", code, message, Some(hint), fields))
    }

    /// 401 (`type: auth`): credentials are missing, malformed, expired or wrong.
    pub fn unauthorized(code: &str, message: impl Into<String>, hint: &str) -> Self {
        Self::Unauthorized(body("auth", code, message, Some(hint), vec![]))
    }

    /// 403 (`type: forbidden`): the caller is known but may not do this.
    pub fn forbidden(code: &str, message: impl Into<String>, hint: &str) -> Self {
        Self::Forbidden(body("forbidden", code, message, Some(hint), vec![]))
    }

    /// 404 (`type: not_found`), with a hint only when the client can do something about it.
    pub fn not_found(code: &str, message: impl Into<String>, hint: Option<&str>) -> Self {
        Self::NotFound(body("not_found", code, message, hint, vec![]))
    }

    /// 409 (`type: conflict`): the request clashes with the current state.
    pub fn conflict(code: &str, message: impl Into<String>, hint: &str) -> Self {
        Self::Conflict(body("conflict", code, message, Some(hint), vec![]))
    }

    /// 422 (`type: validation`): well-formed input that breaks a business rule.
    pub fn unprocessable(code: &str, message: impl Into<String>, hint: &str) -> Self {
        Self::Unprocessable(body("validation", code, message, Some(hint), vec![]))
    }

    /// 413 (`type: payload_too_large`) for a body over `limit` bytes; pass 0 when the limit is unknown.
    pub fn too_large(limit: usize) -> Self {
        Self::PayloadTooLarge(body(
            "payload_too_large",
            "request.too_large",
            if limit > 0 { format!("The request body is larger than {limit} bytes.") } else { "The request body is too large.".to_owned() },
            Some("Send a smaller body."),
            vec![],
        ))
    }

    /// 415 (`type: unsupported_media_type`); `got` is the Content-Type the client sent, if any.
    pub fn unsupported_media_type(got: Option<&str>) -> Self {
        Self::UnsupportedMediaType(body(
            "unsupported_media_type",
            "request.content_type",
            got.map_or_else(|| "The request has no Content-Type.".to_owned(), |ct| format!("Content-Type {ct} is not accepted here.")),
            Some("Send the body with a Content-Type this operation accepts (application/json for JSON bodies; see /openapi.json)."),
            vec![],
        ))
    }

    /// 429 (`type: rate_limited`) with `Retry-After` set to `retry_after` rounded up to whole seconds (at least 1).
    pub fn rate_limited(code: &str, message: impl Into<String>, retry_after: Duration) -> Self {
        let s = secs(retry_after).max(1);
        Self::TooManyRequests(body("rate_limited", code, message, Some(&format!("Wait {s} seconds, then try again.")), vec![]), s)
    }

    /// 503 (`type: unavailable`), with `Retry-After` (rounded up to whole seconds) when the wait is known.
    pub fn unavailable(code: &str, message: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self::Unavailable(body("unavailable", code, message, Some("Try again in a little while."), vec![]), retry_after.map(secs))
    }

    /// The answer to an unexpected failure: logged here with its cause, shown without details.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::Internal(body(
            "internal",
            "internal",
            "Something went wrong on our side.",
            Some("Try again; if it keeps failing, contact support."),
            vec![],
        ))
    }

    /// An arbitrary status that has no dedicated variant (e.g. 404 for unknown routes, 405).
    pub fn for_status(status: u16, message: &str) -> Self {
        match status {
            404 => Self::not_found("route.not_found", message, Some("Check the path against /openapi.json.")),
            405 => Self::BadRequest(body(
                "schema",
                "route.method_not_allowed",
                message,
                Some("Check the method against /openapi.json."),
                vec![],
            )),
            413 => Self::too_large(0),
            s if s >= 500 => Self::internal(&message),
            _ => Self::schema("request.invalid", message, "Check the request against /openapi.json.", vec![]),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        let hint = e.0.iter().map(|p| p.hint.as_str()).collect::<Vec<_>>().join(" ");
        let fields = e.0.iter().map(|p| FieldProblemBody { field: p.field.clone(), problem: p.problem.clone() }).collect();
        Self::Unprocessable(body("validation", "request.invalid_fields", e.to_string(), Some(&hint), fields))
    }
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Unavailable(cause) => {
                tracing::error!(error = %cause, "storage unavailable");
                Self::unavailable("storage.unavailable", "The service is temporarily unavailable.", Some(Duration::from_secs(5)))
            }
            // The record vanished or changed state between two steps of one request (a concurrent
            // request won): nothing was half-done, and the client may simply retry.
            RepoError::NotFound => Self::conflict(
                "request.concurrent_change",
                "The record changed while this request was being handled.",
                "Reload and try again.",
            ),
            other => Self::internal(&other),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(invalid) => invalid.into(),
            AccountError::InvalidCredentials => Self::unauthorized(
                "auth.invalid_credentials",
                "The phone number or password is wrong.",
                "Check both and try again, or reset the password with POST /api/auth/password/forgot.",
            ),
            AccountError::PhoneNotVerified => Self::forbidden(
                "auth.phone_not_verified",
                "This phone number has not been verified yet.",
                "Enter the code we texted you with POST /api/auth/verify-phone, or ask for a new one with POST /api/auth/resend-code.",
            ),
            AccountError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            AccountError::TooManyAttempts { retry_after } => {
                Self::rate_limited("auth.too_many_attempts", "Too many failed attempts.", retry_after)
            }
            AccountError::CodeInvalid { attempts_left } => Self::unprocessable(
                "auth.code_invalid",
                "The code is wrong or has expired.",
                &if attempts_left > 0 {
                    format!("Check the code in the SMS and try again ({attempts_left} attempts left).")
                } else {
                    "Ask for a new code and use the newest SMS.".to_owned()
                },
            ),
            AccountError::CodeExhausted => Self::unprocessable(
                "auth.code_exhausted",
                "The code was entered wrongly too many times and no longer works.",
                "Ask for a new code (POST /api/auth/resend-code or /api/auth/password/forgot).",
            ),
            AccountError::SendLimited { retry_after } => {
                Self::rate_limited("auth.code_send_limited", "A new code cannot be sent yet.", retry_after)
            }
            AccountError::SmsUndeliverable => Self::unprocessable(
                "auth.sms_undeliverable",
                "We cannot send text messages to this number.",
                "Use a mobile number that can receive SMS.",
            ),
            AccountError::SmsUnavailable { retry_after } => {
                Self::unavailable("sms.unavailable", "We could not send the text message right now.", retry_after)
            }
            AccountError::RefreshTokenInvalid => Self::unauthorized(
                "auth.refresh_token_invalid",
                "The refresh token is not valid (unknown, expired or signed out).",
                "Sign in again with POST /api/auth/login.",
            ),
            AccountError::RefreshTokenReused => Self::unauthorized(
                "auth.refresh_token_reused",
                "This refresh token was already used, so every session of this sign-in was ended for safety.",
                "Sign in again with POST /api/auth/login.",
            ),
            AccountError::UserNotFound => Self::not_found("user.not_found", "No such user.", None),
            AccountError::NotAllowed { required } => Self::forbidden(
                "auth.role_forbidden",
                "Your role may not do this.",
                &format!("This operation is for an active account with the {} role.", required.as_str()),
            ),
            AccountError::PhoneTaken => {
                Self::conflict("user.phone_taken", "This phone number already has an account.", "Use another phone number.")
            }
            AccountError::SapClientTaken => Self::conflict("sap_client.taken", "This SAP client id is taken.", "Choose another name."),
            AccountError::SapClientNotFound => Self::not_found("sap_client.not_found", "No SAP client has this client id.", None),
            AccountError::Storage(e) => e.into(),
        }
    }
}

impl From<AddressError> for ApiError {
    fn from(e: AddressError) -> Self {
        const AREAS: &str = "See where we deliver with GET /api/delivery-areas (the area at a point: \
                             GET /api/delivery-areas/lookup?latitude=..&longitude=..).";
        let refused = |code: &str, message: &str, hint: &str, fields: &[(&str, &str)]| {
            let fields = fields.iter().map(|(f, p)| FieldProblemBody { field: (*f).to_owned(), problem: (*p).to_owned() }).collect();
            Self::Unprocessable(body("validation", code, message, Some(hint), fields))
        };
        match e {
            AddressError::NotAllowed => Self::forbidden(
                "auth.role_forbidden",
                "Only customers have delivery addresses.",
                "Sign in with an active customer account.",
            ),
            AddressError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            AddressError::AddressNotFound => Self::not_found(
                "address.not_found",
                "You have no address with this id.",
                Some("List your addresses with GET /api/addresses."),
            ),
            AddressError::OutsideDeliveryArea => refused(
                "address.outside_delivery_area",
                "We do not deliver to this location yet.",
                &format!("Check the pin on the map. {AREAS}"),
                &[("location", "is outside every delivery area")],
            ),
            AddressError::AreaUnknown => refused(
                "address.area_unknown",
                "No delivery area has this id.",
                &format!("Leave areaId out to have the area found from the pin. {AREAS}"),
                &[("areaId", "is not a delivery area")],
            ),
            AddressError::AreaInactive => refused(
                "address.area_inactive",
                "We no longer deliver to this area.",
                &format!("Leave areaId out to have the area found from the pin. {AREAS}"),
                &[("areaId", "is not an active delivery area")],
            ),
            AddressError::OutsideChosenArea => refused(
                "address.outside_chosen_area",
                "The pin is not inside the chosen delivery area.",
                &format!("Move the pin inside the area, or leave areaId out to have the area found from the pin. {AREAS}"),
                &[("location", "is outside the chosen delivery area"), ("areaId", "does not contain the location")],
            ),
            AddressError::LimitReached { limit } => Self::unprocessable(
                "address.limit_reached",
                format!("You already have {limit} addresses, the most an account may keep."),
                "Delete one you no longer use with DELETE /api/addresses/{id}, or change one with PUT /api/addresses/{id}.",
            ),
            AddressError::Storage(e) => e.into(),
        }
    }
}

impl From<AdminDenied> for ApiError {
    fn from(e: AdminDenied) -> Self {
        match e {
            AdminDenied::NotAdmin => Self::forbidden(
                "auth.role_forbidden",
                "Your role may not do this.",
                "This operation is for an active account with the admin role.",
            ),
            AdminDenied::Blocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            AdminDenied::Storage(e) => e.into(),
        }
    }
}

impl From<FileError> for ApiError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Denied(denied) => denied.into(),
            FileError::TooLarge { limit } => Self::PayloadTooLarge(body(
                "payload_too_large",
                "file.too_large",
                format!("The file is larger than {} MiB ({limit} bytes).", limit / (1024 * 1024)),
                Some("Upload a smaller image: scale it down or compress it."),
                vec![],
            )),
            FileError::UnsupportedType => Self::UnsupportedMediaType(body(
                "unsupported_media_type",
                "file.unsupported_type",
                "The file is not a JPEG, PNG or WebP image.",
                Some("Upload a JPEG, PNG or WebP image; the type is read from the file's contents, not from its name or Content-Type."),
                vec![],
            )),
            FileError::NotFound => Self::not_found("file.not_found", "No file has this id.", None),
            FileError::Storage(e) => e.into(),
        }
    }
}

/// Result of an operation.
pub type ApiResult<T> = Result<T, ApiError>;
