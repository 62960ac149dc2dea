//! Payments through the payment provider. Starting one creates a charge (idempotent per attempt) and
//! hands the customer its payment page; an order becomes paid only when the provider, asked directly,
//! says the charge was captured with our amount, currency and order. Webhooks are checked for the
//! provider's signature and then only name the charge to ask about; a worker job asks about payments
//! left pending, and another returns the money of cancelled paid orders.
use std::time::Duration;

use uuid::Uuid;

use crate::domain::AccessClaims;
use crate::domain::money::Money;
use crate::domain::orders::{Actor, OrderId, OrderStatus, PaymentMethod};
use crate::error::GatewayError;
use crate::ports::{ChargeRequest, OutboxMessage, PaymentAttempt, PaymentSource, RefundRecord, RefundRequest};

use super::{OrderError, OrderService, PaymentError};

/// Where to send the customer to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentStart {
    pub payment_id: Uuid,
    pub charge_id: String,
    pub payment_url: String,
    pub amount: Money,
}

/// What a provider notification (or a check) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The order became paid now.
    Paid(OrderId),
    /// The payment failed and the order now says so.
    Failed(OrderId),
    /// Nothing changed: still pending, or already applied (a repeated or late notification).
    Unchanged(OrderId),
}

/// Statuses of attempts whose outcome is still open.
const OPEN: [&str; 4] = ["CREATING", "INITIATED", "IN_PROGRESS", "UNKNOWN"];
/// An open attempt's payment page is offered again for this long instead of creating a new charge.
const REUSE_FOR: Duration = Duration::from_secs(15 * 60);
/// Refunds are tried this many times before an operator must look.
const MAX_REFUND_ATTEMPTS: u32 = 8;

impl OrderService {
    /// Starts (or resumes) paying one of the caller's orders online and returns the provider's payment page.
    ///
    /// # Errors
    /// `NotPayable` when the order does not wait for an online payment; `Provider` when the provider
    /// refused or could not be reached (nothing is charged; try again); `Order(NotFound | NotAllowed |
    /// AccountBlocked)`; `Storage`.
    pub async fn start_payment(&self, actor: &AccessClaims, id: OrderId) -> Result<PaymentStart, PaymentError> {
        let customer = self.customer(actor).await?;
        let order = self.ports.orders.get(id).await?.filter(|o| o.customer_id == customer).ok_or(OrderError::NotFound)?;
        let source = match order.payment_method {
            PaymentMethod::Card => PaymentSource::Card,
            PaymentMethod::Knet => PaymentSource::Knet,
            PaymentMethod::Cash | PaymentMethod::None => return Err(PaymentError::NotPayable(order.status)),
        };
        match order.status {
            OrderStatus::PendingPayment => {}
            OrderStatus::PaymentFailed => {
                self.move_order(&order, OrderStatus::PendingPayment, Actor::customer(customer), Some("payment retried".into())).await?;
            }
            other => return Err(PaymentError::NotPayable(other)),
        }
        let now = self.ports.clock.now();
        let attempts = self.ports.payments.for_order(id).await?;
        if let Some(open) = attempts
            .iter()
            .find(|a| a.status == "INITIATED" && a.payment_url.is_some() && a.charge_id.is_some() && now - a.created_at < REUSE_FOR)
        {
            return Ok(PaymentStart {
                payment_id: open.id,
                charge_id: open.charge_id.clone().unwrap_or_default(),
                payment_url: open.payment_url.clone().unwrap_or_default(),
                amount: open.amount,
            });
        }
        let user = self.ports.users.get(customer).await?.ok_or(OrderError::NotAllowed)?;
        let amount = order.totals.amount_to_pay;
        let mut attempt = PaymentAttempt {
            id: Uuid::now_v7(),
            order_id: id,
            provider: self.ports.payment_gateway.provider().to_owned(),
            method: order.payment_method,
            charge_id: None,
            amount,
            status: "CREATING".into(),
            payment_url: None,
            last_error: None,
            created_at: now,
            updated_at: now,
            checked_at: None,
        };
        self.ports.payments.create(&attempt).await?;
        let base = &self.settings.public_url;
        let request = ChargeRequest {
            order_id: id.0,
            order_number: order.number,
            attempt_id: attempt.id,
            amount,
            source,
            customer_name: user.full_name.as_str().to_owned(),
            customer_phone: user.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            description: format!("Sabil order {}", order.number),
            redirect_url: format!("{base}/pay/return/{}", id.0),
            post_url: format!("{base}/api/payments/tap/webhook"),
        };
        let charge = match self.ports.payment_gateway.create_charge(&request).await {
            Ok(charge) => charge,
            Err(e) => {
                attempt.status = if e.is_retryable() { "CREATING".into() } else { "FAILED".into() };
                attempt.last_error = Some(e.to_string());
                attempt.updated_at = self.ports.clock.now();
                self.ports.payments.update(&attempt).await?;
                return Err(PaymentError::Provider(e));
            }
        };
        attempt.charge_id = Some(charge.id.clone());
        attempt.status = charge.status.as_str().to_owned();
        attempt.payment_url = charge.payment_url.clone();
        attempt.updated_at = self.ports.clock.now();
        self.ports.payments.update(&attempt).await?;
        let Some(payment_url) = charge.payment_url else {
            return Err(PaymentError::Provider(GatewayError::Protocol("the provider gave no payment page".into())));
        };
        tracing::info!(order = %id.0, payment = %attempt.id, charge = %charge.id, "payment started");
        Ok(PaymentStart { payment_id: attempt.id, charge_id: charge.id, payment_url, amount })
    }

    /// Takes a provider notification: checks its signature, then asks the provider about the charge it
    /// names and applies what the provider says.
    ///
    /// # Errors
    /// `BadSignature` (nothing else is done), `UnknownCharge`, `Mismatch`, `Provider`, `Order`, `Storage`.
    pub async fn payment_webhook(&self, signature: Option<&str>, body: &[u8]) -> Result<WebhookOutcome, PaymentError> {
        let charge_id =
            self.ports.payment_gateway.verify_webhook(signature, body).map_err(|e| PaymentError::BadSignature(e.to_string()))?;
        self.check_charge(&charge_id).await
    }

    /// Asks the provider about one of our charges and applies its answer: captured with our amount,
    /// currency and order → the order is paid; failed → payment failed; pending → nothing. Repeating it
    /// changes nothing more.
    ///
    /// # Errors
    /// `UnknownCharge`, `Mismatch` (logged; the order is not touched), `Provider`, `Order`, `Storage`.
    pub async fn check_charge(&self, charge_id: &str) -> Result<WebhookOutcome, PaymentError> {
        let mut attempt = self.ports.payments.by_charge(charge_id).await?.ok_or(PaymentError::UnknownCharge)?;
        let order_id = attempt.order_id;
        let charge = self.ports.payment_gateway.retrieve_charge(charge_id).await?;
        let now = self.ports.clock.now();
        attempt.checked_at = Some(now);
        attempt.updated_at = now;
        let reference_ok = charge.order_reference.as_deref().is_none_or(|r| r == order_id.0.to_string());
        if charge.amount != attempt.amount || !reference_ok {
            let problem = format!(
                "charge {} is {} for order {:?}; we asked {} for order {}",
                charge.id,
                charge.amount.formatted(),
                charge.order_reference,
                attempt.amount.formatted(),
                order_id.0
            );
            tracing::error!(%problem, "payment does not match its order; not applied");
            attempt.last_error = Some(problem.clone());
            self.ports.payments.update(&attempt).await?;
            return Err(PaymentError::Mismatch(problem));
        }
        attempt.status = charge.status.as_str().to_owned();
        self.ports.payments.update(&attempt).await?;
        let provider = Actor::payment_provider(charge_id);
        if charge.status.is_paid() {
            if let Some(moved) = self.move_if_allowed(order_id, OrderStatus::Paid, provider, "payment captured").await? {
                return Ok(WebhookOutcome::Paid(moved.id));
            }
            // Paid after the order was cancelled: the money goes back.
            let order = self.ports.orders.get(order_id).await?.ok_or(OrderError::NotFound)?;
            if matches!(order.status, OrderStatus::Cancelled) {
                let refund = OutboxMessage::RefundPayment { order_id, payment_id: attempt.id };
                if self.ports.outbox.enqueue(&refund, now).await? {
                    tracing::warn!(order = %order_id.0, charge = %charge_id, "payment captured on a cancelled order; refunding");
                }
            }
            return Ok(WebhookOutcome::Unchanged(order_id));
        }
        if charge.status.is_failed() {
            let reason = format!("payment {}", charge.status.as_str().to_lowercase());
            if let Some(moved) = self.move_if_allowed(order_id, OrderStatus::PaymentFailed, provider, &reason).await? {
                return Ok(WebhookOutcome::Failed(moved.id));
            }
        }
        Ok(WebhookOutcome::Unchanged(order_id))
    }

    /// One pass of the reconciliation job: asks the provider about payments still open after the
    /// configured delay (so a lost webhook never strands a paid order). Returns how many were checked.
    ///
    /// # Errors
    /// Storage failures reading the attempts; a failure about one payment is logged and the pass goes on.
    pub async fn reconcile_payments(&self, limit: u32) -> Result<u32, PaymentError> {
        let now = self.ports.clock.now();
        let after = self.settings.payment_check_after;
        let due = self.ports.payments.needing_check(&OPEN, now - after, now - after, limit).await?;
        let mut checked = 0;
        for mut attempt in due {
            checked += 1;
            let Some(charge_id) = attempt.charge_id.clone() else {
                // The provider never answered the creation, so the customer never saw a payment page.
                attempt.status = "ABANDONED".into();
                attempt.last_error = Some("the provider never confirmed creating the charge".into());
                attempt.checked_at = Some(now);
                attempt.updated_at = now;
                self.ports.payments.update(&attempt).await?;
                continue;
            };
            if let Err(e) = self.check_charge(&charge_id).await {
                tracing::warn!(payment = %attempt.id, charge = %charge_id, error = %e, "payment check failed; will ask again");
                attempt.checked_at = Some(now);
                attempt.updated_at = now;
                attempt.last_error = Some(e.to_string());
                self.ports.payments.update(&attempt).await?;
            }
        }
        Ok(checked)
    }

    /// One pass of the refund job: returns the money of captured payments of cancelled orders, then marks
    /// those orders refunded. Failures are retried with backoff and dead-lettered after a few tries.
    /// Returns how many refunds completed.
    ///
    /// # Errors
    /// Storage failures claiming messages.
    pub async fn process_refunds(&self, limit: u32) -> Result<u32, PaymentError> {
        let now = self.ports.clock.now();
        let lease = now + Duration::from_secs(300);
        let mut done = 0;
        for entry in self.ports.outbox.claim("payment.refund", limit, now, lease).await? {
            let OutboxMessage::RefundPayment { order_id, payment_id } = entry.message else {
                self.ports.outbox.dead_letter(entry.id, "not a refund message", now).await?;
                continue;
            };
            match self.refund_one(order_id, payment_id).await {
                Ok(true) => {
                    self.ports.outbox.complete(entry.id, self.ports.clock.now()).await?;
                    done += 1;
                }
                Ok(false) => {
                    // The provider is still processing it; ask again later.
                    let retry_at = self.ports.clock.now() + backoff(entry.attempts);
                    self.ports.outbox.retry(entry.id, "refund pending at the provider", retry_at).await?;
                }
                Err(e) => {
                    let retryable = matches!(&e, PaymentError::Provider(g) if g.is_retryable()) || matches!(e, PaymentError::Storage(_));
                    let error = e.to_string();
                    tracing::warn!(order = %order_id.0, payment = %payment_id, %error, "refund failed");
                    if retryable && entry.attempts + 1 < MAX_REFUND_ATTEMPTS {
                        self.ports.outbox.retry(entry.id, &error, self.ports.clock.now() + backoff(entry.attempts)).await?;
                    } else {
                        tracing::error!(order = %order_id.0, payment = %payment_id, %error, "refund dead-lettered; an operator must act");
                        self.ports.outbox.dead_letter(entry.id, &error, self.ports.clock.now()).await?;
                    }
                }
            }
        }
        Ok(done)
    }

    /// Refunds one payment; `true` when the provider has returned the money.
    async fn refund_one(&self, order_id: OrderId, payment_id: Uuid) -> Result<bool, PaymentError> {
        let attempt = self.ports.payments.get(payment_id).await?.ok_or(PaymentError::UnknownCharge)?;
        let charge_id = attempt.charge_id.clone().ok_or(PaymentError::UnknownCharge)?;
        let request = RefundRequest {
            charge_id,
            // One refund per payment: the payment's id is the refund's idempotency key.
            refund_id: payment_id,
            amount: attempt.amount,
            reason: "order cancelled".into(),
        };
        let refund = self.ports.payment_gateway.refund(&request).await?;
        let now = self.ports.clock.now();
        if self.ports.payments.refund_for(payment_id).await?.is_none() {
            let record = RefundRecord {
                id: Uuid::now_v7(),
                order_id,
                payment_id,
                provider_refund_id: Some(refund.id.clone()),
                amount: refund.amount,
                status: refund.status.clone(),
                created_at: now,
            };
            self.ports.payments.create_refund(&record).await?;
        }
        let refunded = matches!(refund.status.as_str(), "REFUNDED" | "SUCCEEDED" | "CAPTURED");
        if refunded {
            self.move_if_allowed(order_id, OrderStatus::Refunded, Actor::system(), "payment refunded").await?;
        }
        Ok(refunded)
    }
}

/// Wait before retry `attempts + 1`: 30 s doubling, at most an hour.
fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(30u64.saturating_mul(1u64 << attempts.min(7)).min(3600))
}
