//! A payment provider in memory: charges it was asked to create, a switch to decide their outcome, and a
//! webhook signature tests can forge or get right (`signed:<charge id>`).
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use crate::error::GatewayError;
use crate::ports::{Charge, ChargeRequest, ChargeStatus, PaymentGateway, PaymentMode, Refund, RefundRequest, WebhookRejected};

/// The provider fake.
#[derive(Debug, Default)]
pub struct FakePaymentGateway {
    charges: Mutex<Vec<(uuid::Uuid, Charge)>>,
    refunds: Mutex<Vec<RefundRequest>>,
    down: std::sync::atomic::AtomicBool,
}

impl FakePaymentGateway {
    /// Sets what the provider will report for a charge (as a payer's approval or decline would).
    pub fn decide(&self, charge_id: &str, status: ChargeStatus) {
        if let Some((_, c)) = lock(&self.charges).iter_mut().find(|(_, c)| c.id == charge_id) {
            c.status = status;
        }
    }

    /// Replaces a charge's amount as the provider reports it (to test mismatches).
    pub fn tamper_amount(&self, charge_id: &str, minor: i64) {
        if let Some((_, c)) = lock(&self.charges).iter_mut().find(|(_, c)| c.id == charge_id) {
            c.amount.minor = minor;
        }
    }

    /// Every charge created, oldest first.
    #[must_use]
    pub fn charges(&self) -> Vec<Charge> {
        lock(&self.charges).iter().map(|(_, c)| c.clone()).collect()
    }

    /// Every refund asked for.
    #[must_use]
    pub fn refunds(&self) -> Vec<RefundRequest> {
        lock(&self.refunds).clone()
    }

    /// Makes every call fail as unavailable (or work again).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// The body and signature of a webhook naming `charge_id`.
    #[must_use]
    pub fn webhook(charge_id: &str) -> (Vec<u8>, String) {
        (format!("{{\"id\":\"{charge_id}\"}}").into_bytes(), format!("signed:{charge_id}"))
    }

    fn check_up(&self) -> Result<(), GatewayError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            Err(GatewayError::Unavailable { message: "provider down".into(), retry_after: None })
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl PaymentGateway for FakePaymentGateway {
    fn mode(&self) -> PaymentMode {
        PaymentMode::Sandbox
    }

    fn provider(&self) -> &'static str {
        "fake"
    }

    async fn create_charge(&self, req: &ChargeRequest) -> Result<Charge, GatewayError> {
        self.check_up()?;
        let mut charges = lock(&self.charges);
        if let Some((_, c)) = charges.iter().find(|(attempt, _)| *attempt == req.attempt_id) {
            return Ok(c.clone());
        }
        let id = format!("chg_fake_{}", req.attempt_id.simple());
        let charge = Charge {
            id: id.clone(),
            status: ChargeStatus::Initiated,
            amount: req.amount,
            order_reference: Some(req.order_id.to_string()),
            payment_url: Some(format!("https://pay.example/{id}")),
        };
        charges.push((req.attempt_id, charge.clone()));
        Ok(charge)
    }

    async fn retrieve_charge(&self, charge_id: &str) -> Result<Charge, GatewayError> {
        self.check_up()?;
        lock(&self.charges)
            .iter()
            .find(|(_, c)| c.id == charge_id)
            .map(|(_, c)| c.clone())
            .ok_or_else(|| GatewayError::Rejected { code: "404".into(), message: "no such charge".into() })
    }

    async fn refund(&self, req: &RefundRequest) -> Result<Refund, GatewayError> {
        self.check_up()?;
        let mut refunds = lock(&self.refunds);
        if !refunds.iter().any(|r| r.refund_id == req.refund_id) {
            refunds.push(req.clone());
        }
        Ok(Refund { id: format!("re_fake_{}", req.refund_id.simple()), status: "REFUNDED".into(), amount: req.amount })
    }

    fn verify_webhook(&self, hashstring: Option<&str>, body: &[u8]) -> Result<String, WebhookRejected> {
        let signature = hashstring.ok_or(WebhookRejected::MissingSignature)?;
        let text = std::str::from_utf8(body).map_err(|e| WebhookRejected::Malformed(e.to_string()))?;
        let id = text
            .strip_prefix("{\"id\":\"")
            .and_then(|rest| rest.strip_suffix("\"}"))
            .ok_or_else(|| WebhookRejected::Malformed("no id".into()))?;
        if signature == format!("signed:{id}") { Ok(id.to_owned()) } else { Err(WebhookRejected::BadSignature) }
    }
}
