//! SAP: the HTTP client of SAP's API (`SapErpGateway`: a bearer token from `POST /api/login`, our changes
//! pushed to `/api/{entity}`, SAP's feed read from `/api/changes` and confirmed) and the local stand-in
//! (`LocalErp`). Every call is logged on the `sabil::sap` target, which also feeds the SAP request log file.
mod http;
mod local;
mod sales_order;
mod token;
mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use sabil_core::domain::sync::{ChangeRecord, OutboundEntity};
use sabil_core::error::GatewayError;
use sabil_core::ports::{ErpChange, ErpGateway, Pushed};
use secrecy::SecretString;
use tokio::sync::Mutex;

use super::{error_chain, unavailable};
use crate::config::Config;
pub use local::LocalErp;

/// How the shared HTTP failure messages name this system.
const PROVIDER: &str = "SAP";

/// The tracing target of every SAP call (the SAP request log file receives exactly this target).
pub const LOG_TARGET: &str = "sabil::sap";

/// Where SAP's API is and as whom we log in.
#[derive(Clone)]
pub struct SapClientConfig {
    /// The API's base URL without a trailing slash (`https://sap.example` serves `/api/login`, ...).
    pub base_url: String,
    /// The login SAP gave us.
    pub login: String,
    /// Its password; never logged.
    pub password: SecretString,
    /// Limit for connecting and for each whole call.
    pub timeout: Duration,
}

impl fmt::Debug for SapClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SapClientConfig")
            .field("base_url", &self.base_url)
            .field("login", &self.login)
            .field("password", &"[redacted]")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// [`ErpGateway`] backed by SAP's HTTP API.
pub struct SapErpGateway {
    client: reqwest::Client,
    config: SapClientConfig,
    /// The access token in use; the lock is held while logging in, so only one login runs at a time.
    token: Mutex<Option<token::Token>>,
}

impl fmt::Debug for SapErpGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SapErpGateway").field("config", &self.config).finish_non_exhaustive()
    }
}

impl SapErpGateway {
    /// Builds the HTTP client with the configured timeouts; nothing is called yet (the first call logs in).
    ///
    /// # Errors
    /// `Unavailable` when the HTTP client cannot be built (fixed by the operator, not by retrying).
    pub fn new(config: SapClientConfig) -> Result<Self, GatewayError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // SAP's API does not redirect; following one would only send our token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| unavailable(format!("could not build the SAP HTTP client: {}", error_chain(&err))))?;
        Ok(Self { client, config, token: Mutex::new(None) })
    }
}

#[async_trait]
impl ErpGateway for SapErpGateway {
    async fn push(&self, change: &ChangeRecord) -> Result<Pushed, GatewayError> {
        let entity = OutboundEntity::parse(&change.entity).ok_or_else(|| GatewayError::Rejected {
            code: "unknown_entity".into(),
            message: format!("change {} is of entity {:?}, which is not sent to SAP", change.id, change.entity),
        })?;
        let body = wire::push_body(change, entity)?;
        let method = match change.operation.method() {
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            _ => Method::POST,
        };
        let answer = self.call(method, &format!("/api/{}", entity.path()), Some(body), Some(change.id)).await?;
        wire::pushed(&answer.body)
    }

    async fn pull(&self, limit: u32) -> Result<Vec<ErpChange>, GatewayError> {
        let answer = self.call(Method::GET, &format!("/api/changes?limit={limit}"), None, None).await?;
        wire::feed(&answer.body)
    }

    async fn confirm(&self, ids: &[String]) -> Result<(), GatewayError> {
        if ids.is_empty() {
            return Ok(());
        }
        let body = serde_json::json!({ "ids": ids }).to_string().into_bytes();
        let answer = self.call(Method::POST, "/api/confirm-changes", Some(body), None).await?;
        let unknown = wire::unknown_confirmations(&answer.body);
        if !unknown.is_empty() {
            tracing::warn!(target: LOG_TARGET, unknown = ?unknown, "SAP does not know some of the changes we confirmed");
        }
        Ok(())
    }

    fn name(&self) -> &'static str {
        "sap"
    }
}

/// SAP's HTTP API when `SABIL_SAP_BASE_URL` is configured, otherwise the local stand-in.
///
/// # Errors
/// `Unavailable` when SAP's HTTP client cannot be built (fixed by the operator, not by retrying).
pub fn erp_gateway(config: &Config) -> Result<Arc<dyn ErpGateway>, GatewayError> {
    match &config.sap.client {
        Some(client) => Ok(Arc::new(SapErpGateway::new(client.clone())?)),
        None => Ok(Arc::new(LocalErp)),
    }
}

#[cfg(test)]
mod tests;
