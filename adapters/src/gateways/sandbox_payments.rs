//! The built-in payment sandbox, the default when no Tap key is configured: charges live in the
//! database (`store::SqlSandboxCharges`), a page of our own approves or declines them (`decide`), and
//! the webhook it produces has Tap's shape and a `hashstring` signed by the same code that checks Tap's.
use std::sync::Arc;

use async_trait::async_trait;
use sabil_core::error::{GatewayError, RepoError};
use sabil_core::ports::{Charge, ChargeRequest, ChargeStatus, Clock, PaymentGateway, PaymentMode, Refund, RefundRequest, WebhookRejected};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::tap::{TapCharge, TapReference, TapTransaction, TapUrl, WebhookSigner, amount_number, raw_string};
pub use crate::store::SandboxCharge;
use crate::store::{Db, SqlSandboxCharges};

/// What deciding a charge produced: the webhook to deliver to `post_url` (as Tap would POST it, with
/// the `hashstring` header) and where to send the customer's browser back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxWebhook {
    /// The charge JSON in Tap's webhook shape.
    pub body: Vec<u8>,
    /// The `hashstring` header for `body`.
    pub hashstring: String,
    /// Where the webhook goes (the charge's `post.url`).
    pub post_url: String,
    /// The charge's `redirect.url` with `tap_id=<charge id>` added, as Tap sends customers back.
    pub return_url: String,
}

/// Why a sandbox charge could not be decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    /// No sandbox charge has this id.
    #[error("there is no sandbox charge {0}")]
    NotFound(String),
    /// The charge was approved or declined already.
    #[error("the sandbox charge is already {0}")]
    AlreadyDecided(String),
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// The sandbox's webhook signing key, derived from the server secret so every instance agrees on it.
#[must_use]
pub fn sandbox_secret(server_secret: &SecretString) -> SecretString {
    SecretString::from(super::tap::hmac_hex(server_secret.expose_secret().as_bytes(), b"sabil-payment-sandbox"))
}

/// [`PaymentGateway`] that moves no money: charges wait for a decision on `/pay/sandbox/{id}`.
#[derive(Clone)]
pub struct SandboxPaymentGateway {
    charges: SqlSandboxCharges,
    clock: Arc<dyn Clock>,
    signer: WebhookSigner,
    public_url: String,
}

impl std::fmt::Debug for SandboxPaymentGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxPaymentGateway").field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

impl SandboxPaymentGateway {
    /// The sandbox on `db`, signing webhooks with `secret`; payment pages are under `public_url`.
    #[must_use]
    pub fn new(db: Db, clock: Arc<dyn Clock>, secret: SecretString, public_url: String) -> Self {
        let signer = WebhookSigner::new(secret.expose_secret());
        Self { charges: SqlSandboxCharges::new(db), clock, signer, public_url: public_url.trim_end_matches('/').to_owned() }
    }

    /// The charge, for its payment page.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn charge(&self, id: &str) -> Result<Option<SandboxCharge>, RepoError> {
        self.charges.get(id).await
    }

    /// Approves (`CAPTURED`) or declines (`DECLINED`) an `INITIATED` charge and returns the webhook Tap
    /// would send for it.
    ///
    /// # Errors
    /// `NotFound` for an unknown id, `AlreadyDecided` when it is no longer `INITIATED`, `Storage`.
    pub async fn decide(&self, charge_id: &str, approve: bool) -> Result<SandboxWebhook, SandboxError> {
        let to = if approve { ChargeStatus::Captured } else { ChargeStatus::Declined };
        if !self.charges.change_status(charge_id, &ChargeStatus::Initiated, &to, self.clock.now()).await? {
            return Err(match self.charges.get(charge_id).await? {
                None => SandboxError::NotFound(charge_id.to_owned()),
                Some(charge) => SandboxError::AlreadyDecided(charge.status.as_str().to_owned()),
            });
        }
        let charge = self.charges.get(charge_id).await?.ok_or_else(|| SandboxError::NotFound(charge_id.to_owned()))?;
        let wire = self.wire(&charge).map_err(|e| RepoError::Internal(format!("sandbox webhook: {e}")))?;
        let hashstring = self.signer.sign(&wire).map_err(|e| RepoError::Internal(format!("sandbox webhook signature: {e}")))?;
        let body = serde_json::to_vec(&wire).map_err(|e| RepoError::Internal(format!("sandbox webhook body: {e}")))?;
        let separator = if charge.redirect_url.contains('?') { '&' } else { '?' };
        Ok(SandboxWebhook {
            body,
            hashstring,
            return_url: format!("{}{separator}tap_id={}", charge.redirect_url, charge.id),
            post_url: charge.post_url,
        })
    }

    /// The customer's payment page for a charge.
    #[must_use]
    pub fn payment_url(&self, charge_id: &str) -> String {
        format!("{}/pay/sandbox/{charge_id}", self.public_url)
    }

    /// The charge as Tap's JSON (the webhook body).
    fn wire(&self, c: &SandboxCharge) -> Result<TapCharge, String> {
        let created = c.created_at.unix_timestamp_nanos() / 1_000_000;
        let suffix = c.id.strip_prefix(ID_PREFIX).unwrap_or(&c.id);
        Ok(TapCharge {
            id: c.id.clone(),
            object: Some("charge".into()),
            live_mode: Some(false),
            status: c.status.as_str().to_owned(),
            amount: amount_number(c.amount)?,
            currency: c.amount.currency.code().to_owned(),
            description: Some("Sabil payment sandbox".into()),
            reference: TapReference {
                gateway: Some(raw_string("sandbox")?),
                payment: Some(raw_string(suffix)?),
                transaction: Some(raw_string(&c.attempt_id)?),
                order: Some(raw_string(&c.order_reference)?),
            },
            transaction: TapTransaction { url: Some(self.payment_url(&c.id)), created: Some(raw_string(&created.to_string())?) },
            post: Some(TapUrl { url: Some(c.post_url.clone()) }),
            redirect: Some(TapUrl { url: Some(c.redirect_url.clone()) }),
        })
    }

    fn to_charge(&self, c: SandboxCharge) -> Charge {
        Charge {
            payment_url: Some(self.payment_url(&c.id)),
            id: c.id,
            status: c.status,
            amount: c.amount,
            order_reference: Some(c.order_reference),
        }
    }
}

const ID_PREFIX: &str = "chg_sandbox_";

fn rejected(code: &str, message: impl Into<String>) -> GatewayError {
    GatewayError::Rejected { code: code.to_owned(), message: message.into() }
}

fn storage(e: RepoError) -> GatewayError {
    GatewayError::Unavailable { message: format!("payment sandbox storage: {e}"), retry_after: None }
}

#[async_trait]
impl PaymentGateway for SandboxPaymentGateway {
    fn mode(&self) -> PaymentMode {
        PaymentMode::Sandbox
    }

    fn provider(&self) -> &'static str {
        "sandbox"
    }

    async fn create_charge(&self, req: &ChargeRequest) -> Result<Charge, GatewayError> {
        if req.amount.minor <= 0 {
            return Err(rejected("invalid_amount", format!("the amount must be positive, not {}", req.amount.formatted())));
        }
        if !req.source.accepts(req.amount.currency) {
            return Err(rejected("invalid_source", format!("{} cannot pay in {}", req.source.tap_source_id(), req.amount.currency.code())));
        }
        let now = self.clock.now();
        let fresh = SandboxCharge {
            id: format!("{ID_PREFIX}{}", Uuid::now_v7().simple()),
            attempt_id: req.attempt_id.to_string(),
            order_reference: req.order_id.to_string(),
            amount: req.amount,
            refunded: sabil_core::domain::Money::zero(req.amount.currency),
            status: ChargeStatus::Initiated,
            post_url: req.post_url.clone(),
            redirect_url: req.redirect_url.clone(),
            created_at: now,
            updated_at: now,
        };
        let charge = self.charges.create_once(&fresh).await.map_err(storage)?;
        tracing::info!(charge_id = %charge.id, order = %charge.order_reference, "sandbox charge created; decide it on its payment page");
        Ok(self.to_charge(charge))
    }

    async fn retrieve_charge(&self, charge_id: &str) -> Result<Charge, GatewayError> {
        let charge = self.charges.get(charge_id).await.map_err(storage)?;
        charge.map(|c| self.to_charge(c)).ok_or_else(|| rejected("not_found", format!("there is no sandbox charge {charge_id}")))
    }

    async fn refund(&self, req: &RefundRequest) -> Result<Refund, GatewayError> {
        let Some(charge) = self.charges.get(&req.charge_id).await.map_err(storage)? else {
            return Err(rejected("not_found", format!("there is no sandbox charge {}", req.charge_id)));
        };
        if req.amount.currency != charge.amount.currency {
            return Err(rejected("invalid_currency", format!("the charge is in {}", charge.amount.currency.code())));
        }
        if req.amount.minor <= 0 || req.amount.minor > charge.amount.minor {
            return Err(rejected("invalid_amount", format!("a refund must be more than 0 and at most {}", charge.amount.formatted())));
        }
        if charge.status != ChargeStatus::Captured {
            return Err(rejected(
                "not_captured",
                format!("only a captured charge can be refunded; this one is {}", charge.status.as_str()),
            ));
        }
        let recorded = charge.refunded.minor == 0
            && self.charges.record_refund(&charge.id, req.amount.minor, self.clock.now()).await.map_err(storage)?;
        if !recorded {
            // Refunded before (or just now by a racing request): the same amount is the same refund.
            let again = self.charges.get(&charge.id).await.map_err(storage)?.unwrap_or(charge);
            if again.refunded != req.amount {
                return Err(rejected("already_refunded", format!("the charge was already refunded {}", again.refunded.formatted())));
            }
        }
        Ok(Refund { id: refund_id(&req.charge_id), status: "REFUNDED".into(), amount: req.amount })
    }

    fn verify_webhook(&self, hashstring: Option<&str>, body: &[u8]) -> Result<String, WebhookRejected> {
        self.signer.verify(hashstring, body)
    }
}

/// The sandbox allows one refund per charge (Sabil makes at most one per payment), so the charge
/// names it: asking again for the same refund returns the same id.
fn refund_id(charge_id: &str) -> String {
    format!("re_sandbox_{}", charge_id.strip_prefix(ID_PREFIX).unwrap_or(charge_id))
}

#[cfg(test)]
mod tests;
