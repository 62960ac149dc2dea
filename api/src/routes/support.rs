//! Public support content: `/api/faq`, `/api/contacts`, `/api/terms` and accepting the terms.
//! Texts follow `Accept-Language`.
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, SecurityScheme};
use sabil_core::domain::{Role, Subject};

use super::ApiTags;
use super::catalog_dto::language;
use super::support_dto::{ContactDto, FaqCategoryDto, TermsAcceptanceDto, TermsDto};
use crate::auth::BearerAuth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// An access token when the caller sends one; anonymous callers are welcome too.
#[derive(SecurityScheme)]
pub enum OptionalBearer {
    /// A valid access token.
    Bearer(BearerAuth),
    /// No token.
    #[oai(fallback)]
    Anonymous,
}

impl OptionalBearer {
    /// The caller's claims when a valid token came; `None` without one.
    ///
    /// # Errors
    /// 401 when a token came but is not valid (the fallback hides the bearer check's own answer).
    fn customer(&self, req: &Request) -> Result<Option<sabil_core::domain::UserId>, ApiError> {
        match self {
            Self::Bearer(auth) => Ok(match (auth.0.role, auth.0.subject) {
                (Role::Customer, Subject::User(id)) => Some(id),
                _ => None,
            }),
            Self::Anonymous if req.headers().contains_key("authorization") => Err(ApiError::unauthorized(
                "auth.token_invalid",
                "The access token is not valid or has expired.",
                "Get a new one with POST /api/auth/refresh, or call without `Authorization` to read anonymously.",
            )),
            Self::Anonymous => Ok(None),
        }
    }
}

/// FAQ, contact channels, terms and conditions.
#[derive(Default)]
pub struct SupportApi;

#[OpenApi(tag = "ApiTags::Support")]
impl SupportApi {
    /// The FAQ
    ///
    /// Active categories with their active questions, both in display order.
    #[oai(path = "/faq", method = "get", operation_id = "getFaq")]
    async fn faq(
        &self,
        state: Data<&AppState>,
        /// `ar` for Arabic texts, English otherwise.
        #[oai(name = "Accept-Language")]
        accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<Vec<FaqCategoryDto>>> {
        let lang = language(accept_language.0.as_deref());
        Ok(Json(state.app.support.faq().await?.into_iter().map(|s| FaqCategoryDto::new(s, lang)).collect()))
    }

    /// Contact channels
    ///
    /// Active phone, WhatsApp and email channels in display order.
    #[oai(path = "/contacts", method = "get", operation_id = "listContacts")]
    async fn contacts(
        &self,
        state: Data<&AppState>,
        /// `ar` for Arabic labels, English otherwise.
        #[oai(name = "Accept-Language")]
        accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<Vec<ContactDto>>> {
        let lang = language(accept_language.0.as_deref());
        Ok(Json(state.app.support.contacts().await?.into_iter().map(|c| ContactDto::new(c, lang)).collect()))
    }

    /// The current terms and conditions
    ///
    /// The latest published version. With a customer's token, `acceptedByYou` tells whether they
    /// accepted this version; when a new version is published it is `false` again until they
    /// accept it. Without a token (or with an admin's) it is absent.
    #[oai(path = "/terms", method = "get", operation_id = "getTerms")]
    async fn terms(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: OptionalBearer,
        /// `ar` for the Arabic text, English otherwise.
        #[oai(name = "Accept-Language")]
        accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<TermsDto>> {
        let customer = auth.customer(req)?;
        let current = state.app.support.current_terms(customer).await?;
        let terms = current.terms;
        Ok(Json(TermsDto {
            version: terms.version,
            body: terms.body.get(language(accept_language.0.as_deref())).to_owned(),
            published_at: terms.published_at,
            accepted_by_you: customer.map(|_| current.acceptance.is_some()),
            accepted_at: current.acceptance.map(|a| a.accepted_at),
        }))
    }

    /// Accept the terms and conditions
    ///
    /// Records that the calling customer accepts `version`, which must be the current one (409
    /// `terms.outdated` for a replaced version). Accepting again changes nothing.
    #[oai(path = "/terms/:version/accept", method = "post", operation_id = "acceptTerms")]
    async fn accept(&self, state: Data<&AppState>, auth: BearerAuth, version: Path<u32>) -> ApiResult<Json<TermsAcceptanceDto>> {
        auth.require(&[Role::Customer])?;
        let acceptance = state.app.support.accept_terms(&auth.0, version.0).await?;
        Ok(Json(TermsAcceptanceDto { version: acceptance.version, accepted_at: acceptance.accepted_at }))
    }
}
