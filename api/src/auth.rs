//! Bearer authentication: the security scheme of the spec, the token check, and role requirements.
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use sabil_core::domain::{AccessClaims, Role, Subject, UserId};
use sabil_core::ports::AccessTokenError;

use crate::context::ctx;
use crate::error::ApiError;
use crate::state::AppState;

/// `Authorization: Bearer <access token>` from `POST /api/auth/login` (or `/api/auth/sap/login`).
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub AccessClaims);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<AccessClaims> {
    let state = req.data::<AppState>().ok_or_else(|| ApiError::internal(&"application state missing"))?;
    match state.app.accounts.authenticate(&bearer.token) {
        Ok(claims) => {
            ctx(req).set_subject(claims.subject.to_string());
            Ok(claims)
        }
        Err(AccessTokenError::Expired) => {
            Err(ApiError::unauthorized("auth.token_expired", "The access token has expired.", "Get a new one with POST /api/auth/refresh.")
                .into())
        }
        Err(AccessTokenError::Invalid) => Err(ApiError::unauthorized(
            "auth.token_invalid",
            "The access token is not valid.",
            "Send the accessToken from POST /api/auth/login as `Authorization: Bearer <token>`.",
        )
        .into()),
    }
}

impl BearerAuth {
    /// The claims, if the caller's role is one of `roles`.
    ///
    /// # Errors
    /// 403 naming the roles allowed.
    pub fn require(&self, roles: &[Role]) -> Result<&AccessClaims, ApiError> {
        if roles.contains(&self.0.role) {
            Ok(&self.0)
        } else {
            let allowed = roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ");
            Err(ApiError::forbidden(
                "auth.role_forbidden",
                format!("A {} may not do this.", self.0.role.as_str()),
                &format!("This operation is for the {allowed} role."),
            ))
        }
    }

    /// The calling user's id, if the caller is a user (customer or admin).
    ///
    /// # Errors
    /// 403 for SAP clients.
    pub fn user(&self) -> Result<UserId, ApiError> {
        self.require(&[Role::Customer, Role::Admin])?;
        match self.0.subject {
            Subject::User(id) => Ok(id),
            Subject::SapClient(_) => {
                Err(ApiError::forbidden("auth.role_forbidden", "A SAP client has no user account.", "Use a customer or admin token."))
            }
        }
    }
}
