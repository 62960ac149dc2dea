//! `/api/auth/*`: registration, phone verification, sign-in, token refresh and sign-out, password
//! reset, and SAP client sign-in.
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{FullName, Language, OtpCode, Password, Phone};
use sabil_core::services::RegisterInput;
use serde::Deserialize;

use super::ApiTags;
use super::dto::{CodeSentAnswer, LanguageDto, LocationDto, NoContent, TokenResponse};
use crate::body::JsonBody;
use crate::context::ctx;
use crate::error::ApiResult;
use crate::state::AppState;

/// A new customer account.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    /// Mobile number in E.164 form, e.g. `+96550001234`.
    pub phone: String,
    /// 2 to 100 characters.
    pub full_name: String,
    /// 8 to 128 characters, not one of the most common passwords.
    pub password: String,
    /// The language for messages; Arabic when absent.
    pub language: Option<LanguageDto>,
    /// Where the customer is while registering (the app asks for location permission).
    pub location: Option<LocationDto>,
}

/// A phone with the code texted to it, and the password chosen at registration.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyPhoneRequest {
    /// The phone given to POST /api/auth/register, in the same E.164 form, e.g. `+96550001234`.
    pub phone: String,
    /// The 6-digit code from the SMS, e.g. `482913`.
    pub code: String,
    /// The password given to POST /api/auth/register. Required so that someone else registering the
    /// same pending phone cannot have their password activated by the owner's code.
    #[oai(validator(max_length = 128))]
    pub password: String,
}

/// A phone number.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhoneRequest {
    /// Mobile number in E.164 form: `+`, country code, number, no spaces or dashes, e.g. `+96550001234`.
    pub phone: String,
}

/// Phone and password.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    /// The phone the account was registered with, in E.164 form, e.g. `+96550001234`.
    pub phone: String,
    /// The account's current password (at most 128 characters).
    #[oai(validator(max_length = 128))]
    pub password: String,
}

/// A refresh token.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    /// The `refreshToken` of the latest sign-in or refresh, unchanged. Each one works once: after a
    /// refresh, keep the new one.
    #[oai(validator(max_length = 256))]
    pub refresh_token: String,
}

/// A new password with the reset code.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The phone given to POST /api/auth/password/forgot, in E.164 form, e.g. `+96550001234`.
    pub phone: String,
    /// The 6-digit code from the password-reset SMS, e.g. `482913`.
    pub code: String,
    /// The new password: 8 to 128 characters, not one of the most common passwords.
    pub new_password: String,
}

/// SAP client credentials (created with `sabil sap-client create`).
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase")]
#[oai(deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SapLoginRequest {
    /// The client id printed by `sabil sap-client create`, e.g. `sap-0190b7d2c3e47a6f9e1d2c3b4a596877`.
    #[oai(validator(max_length = 128))]
    pub client_id: String,
    /// The secret printed once when the client was created.
    #[oai(validator(max_length = 256))]
    pub client_secret: String,
}

fn phone(raw: &str) -> Result<Phone, crate::error::ApiError> {
    Ok(Phone::parse(raw)?)
}

/// The `/api/auth` operations.
#[derive(Default)]
pub struct AuthApi;

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Register a customer account
    ///
    /// Creates an unverified account and texts a 6-digit code to the phone (valid 10 minutes).
    /// Registering a phone that is still unverified replaces the pending details and sends a new
    /// code. The answer is the same whether or not the phone already has an account.
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(&self, state: Data<&AppState>, req: &Request, body: JsonBody<RegisterRequest>) -> ApiResult<CodeSentAnswer> {
        let b = body.0;
        let mut problems = Problems::new();
        let phone = problems.check("phone", Phone::parse(&b.phone));
        let full_name = problems.check("fullName", FullName::parse(&b.full_name));
        let password = problems.check("password", Password::parse(&b.password));
        let location = b.location.and_then(|l| problems.keep(l.parse()));
        problems.finish()?;
        let (Some(phone), Some(full_name), Some(password)) = (phone, full_name, password) else { unreachable_fields()? };
        let input = RegisterInput { phone, full_name, password, language: b.language.map_or(Language::Ar, Into::into), location };
        Ok(CodeSentAnswer::Accepted(Json(state.app.accounts.register(input, &ctx(req).meta()).await?.into())))
    }

    /// Verify the phone with the SMS code
    ///
    /// Activates the account and signs it in. Send the password chosen at registration with the
    /// code. A code allows 5 attempts, then a new one is needed.
    #[oai(path = "/verify-phone", method = "post", operation_id = "verifyPhone")]
    async fn verify_phone(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<VerifyPhoneRequest>,
    ) -> ApiResult<Json<TokenResponse>> {
        let mut problems = Problems::new();
        let phone = problems.check("phone", Phone::parse(&body.0.phone));
        let code = problems.check("code", OtpCode::parse(&body.0.code));
        problems.finish()?;
        let (Some(phone), Some(code)) = (phone, code) else { unreachable_fields()? };
        let password = Password::presented(&body.0.password);
        let tokens = state.app.accounts.verify_phone(&phone, &code, &password, &ctx(req).meta()).await?;
        Ok(Json(TokenResponse::new(tokens, state.app.ports.clock.now())))
    }

    /// Send a new verification code
    ///
    /// At most one code a minute and five an hour per phone.
    #[oai(path = "/resend-code", method = "post", operation_id = "resendCode")]
    async fn resend_code(&self, state: Data<&AppState>, req: &Request, body: JsonBody<PhoneRequest>) -> ApiResult<CodeSentAnswer> {
        let phone = phone(&body.0.phone)?;
        Ok(CodeSentAnswer::Accepted(Json(state.app.accounts.resend_code(&phone, &ctx(req).meta()).await?.into())))
    }

    /// Sign in with phone and password
    ///
    /// Returns a 15-minute access token and a 30-day refresh token. Repeated failures for a phone
    /// or from an address are refused for a while (429 with `Retry-After`).
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(&self, state: Data<&AppState>, req: &Request, body: JsonBody<LoginRequest>) -> ApiResult<Json<TokenResponse>> {
        let phone = phone(&body.0.phone)?;
        let password = Password::presented(&body.0.password);
        let tokens = state.app.accounts.login(&phone, &password, &ctx(req).meta()).await?;
        Ok(Json(TokenResponse::new(tokens, state.app.ports.clock.now())))
    }

    /// Exchange a refresh token for a new pair
    ///
    /// The presented refresh token stops working. Presenting it again ends every session of that
    /// sign-in (it may have been stolen).
    #[oai(path = "/refresh", method = "post", operation_id = "refreshTokens")]
    async fn refresh(&self, state: Data<&AppState>, req: &Request, body: JsonBody<RefreshRequest>) -> ApiResult<Json<TokenResponse>> {
        let tokens = state.app.accounts.refresh(&body.0.refresh_token, &ctx(req).meta()).await?;
        Ok(Json(TokenResponse::new(tokens, state.app.ports.clock.now())))
    }

    /// Sign out
    ///
    /// Revokes the refresh token and every token of its sign-in. Repeating it is harmless.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, state: Data<&AppState>, req: &Request, body: JsonBody<RefreshRequest>) -> ApiResult<NoContent> {
        state.app.accounts.logout(&body.0.refresh_token, &ctx(req).meta()).await?;
        Ok(NoContent::Done)
    }

    /// Ask for a password-reset code
    ///
    /// Texts a code to the phone if it has an active account; the answer is the same either way.
    #[oai(path = "/password/forgot", method = "post", operation_id = "forgotPassword")]
    async fn forgot_password(&self, state: Data<&AppState>, req: &Request, body: JsonBody<PhoneRequest>) -> ApiResult<CodeSentAnswer> {
        let phone = phone(&body.0.phone)?;
        Ok(CodeSentAnswer::Accepted(Json(state.app.accounts.forgot_password(&phone, &ctx(req).meta()).await?.into())))
    }

    /// Set a new password with the reset code
    ///
    /// Signs the account out on every device.
    #[oai(path = "/password/reset", method = "post", operation_id = "resetPassword")]
    async fn reset_password(&self, state: Data<&AppState>, req: &Request, body: JsonBody<ResetPasswordRequest>) -> ApiResult<NoContent> {
        let mut problems = Problems::new();
        let phone = problems.check("phone", Phone::parse(&body.0.phone));
        let code = problems.check("code", OtpCode::parse(&body.0.code));
        let password = problems.check("newPassword", Password::parse(&body.0.new_password));
        problems.finish()?;
        let (Some(phone), Some(code), Some(password)) = (phone, code, password) else { unreachable_fields()? };
        state.app.accounts.reset_password(&phone, &code, &password, &ctx(req).meta()).await?;
        Ok(NoContent::Done)
    }

    /// Sign a SAP client in
    ///
    /// Returns an access token with the `sap` role (1 hour); sign in again when it expires.
    #[oai(path = "/sap/login", method = "post", operation_id = "sapLogin")]
    async fn sap_login(&self, state: Data<&AppState>, req: &Request, body: JsonBody<SapLoginRequest>) -> ApiResult<Json<TokenResponse>> {
        let tokens = state.app.accounts.sap_login(&body.0.client_id, &body.0.client_secret, &ctx(req).meta()).await?;
        Ok(Json(TokenResponse::new(tokens, state.app.ports.clock.now())))
    }
}

/// `Problems::finish` returned `Ok`, so every field parsed; this only satisfies the compiler.
fn unreachable_fields<T>() -> Result<T, crate::error::ApiError> {
    Err(crate::error::ApiError::internal(&"a parsed field went missing"))
}
