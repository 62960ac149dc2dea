//! Collecting card and KNET payments through a provider (Tap, or the built-in sandbox): charges, their
//! statuses, refunds, and the check of the provider's webhook signature. The provider's word on a
//! charge, fetched by id, is what counts; a webhook only says which charge to fetch.
use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::{Currency, Money};
use crate::error::GatewayError;

/// Which provider account payments go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMode {
    /// The built-in sandbox: no provider, no money; a page approves or declines each charge.
    Sandbox,
    /// The provider's test mode (`sk_test_…`): real API, test cards, no money moves.
    Test,
    /// The provider's live mode (`sk_live_…`): real money.
    Live,
}

impl PaymentMode {
    /// `sandbox`, `test` or `live`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Test => "test",
            Self::Live => "live",
        }
    }
}

/// How the customer pays on the provider's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentSource {
    /// Any card (Tap's `src_card`).
    Card,
    /// KNET, Kuwait's debit network (Tap's `src_kw.knet`); KWD only.
    Knet,
}

impl PaymentSource {
    /// Tap's `source.id`.
    #[must_use]
    pub fn tap_source_id(self) -> &'static str {
        match self {
            Self::Card => "src_card",
            Self::Knet => "src_kw.knet",
        }
    }

    /// Whether this source can pay in `currency` (KNET takes only dinars).
    #[must_use]
    pub fn accepts(self, currency: Currency) -> bool {
        match self {
            Self::Card => true,
            Self::Knet => currency == Currency::Kwd,
        }
    }
}

/// What to charge, for which order attempt, and where the provider sends the customer and its webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    /// The order being paid.
    pub order_id: Uuid,
    /// The order's number, as customers and support read it.
    pub order_number: i64,
    /// One attempt to pay the order: the idempotency key (Tap's `reference.idempotent`). Sending the
    /// same attempt again returns the charge already made for it instead of a second one.
    pub attempt_id: Uuid,
    /// What to collect; must be positive.
    pub amount: Money,
    /// Card or KNET.
    pub source: PaymentSource,
    /// The customer's name as the provider shows it.
    pub customer_name: String,
    /// The customer's phone in E.164 form, e.g. `+96550000001`.
    pub customer_phone: String,
    /// What the customer is paying for, shown on the provider's page.
    pub description: String,
    /// Where the provider sends the customer's browser back after paying (with `tap_id`).
    pub redirect_url: String,
    /// Where the provider posts its webhook.
    pub post_url: String,
}

/// A charge's status, with the provider's names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChargeStatus {
    Initiated,
    InProgress,
    /// Paid: the only status that means the money was collected.
    Captured,
    /// Held but not collected (the authorize flow, which Sabil does not use).
    Authorized,
    Abandoned,
    Cancelled,
    Failed,
    Declined,
    Restricted,
    Void,
    TimedOut,
    /// `UNKNOWN`, or a status this code does not know: ask again later.
    Unknown(String),
}

impl ChargeStatus {
    /// The provider's name: `INITIATED`, `CAPTURED`, `TIMEDOUT`, ...; an unknown status as received.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Initiated => "INITIATED",
            Self::InProgress => "IN_PROGRESS",
            Self::Captured => "CAPTURED",
            Self::Authorized => "AUTHORIZED",
            Self::Abandoned => "ABANDONED",
            Self::Cancelled => "CANCELLED",
            Self::Failed => "FAILED",
            Self::Declined => "DECLINED",
            Self::Restricted => "RESTRICTED",
            Self::Void => "VOID",
            Self::TimedOut => "TIMEDOUT",
            Self::Unknown(name) => name,
        }
    }

    /// The status with the provider's name; anything unrecognised (`UNKNOWN` included) is `Unknown`.
    #[must_use]
    pub fn parse(name: &str) -> Self {
        match name {
            "INITIATED" => Self::Initiated,
            "IN_PROGRESS" => Self::InProgress,
            "CAPTURED" => Self::Captured,
            "AUTHORIZED" => Self::Authorized,
            "ABANDONED" => Self::Abandoned,
            "CANCELLED" => Self::Cancelled,
            "FAILED" => Self::Failed,
            "DECLINED" => Self::Declined,
            "RESTRICTED" => Self::Restricted,
            "VOID" => Self::Void,
            "TIMEDOUT" => Self::TimedOut,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// Whether the money was collected (`CAPTURED` only).
    #[must_use]
    pub fn is_paid(&self) -> bool {
        matches!(self, Self::Captured)
    }

    /// Whether the outcome is still open: `INITIATED`, `IN_PROGRESS`, or unknown (ask again later).
    #[must_use]
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Initiated | Self::InProgress | Self::Unknown(_))
    }

    /// Whether the charge ended without collecting money. `AUTHORIZED` is neither paid, pending nor failed.
    #[must_use]
    pub fn is_failed(&self) -> bool {
        matches!(self, Self::Abandoned | Self::Cancelled | Self::Failed | Self::Declined | Self::Restricted | Self::Void | Self::TimedOut)
    }
}

/// A charge as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The provider's id (`chg_…`).
    pub id: String,
    pub status: ChargeStatus,
    /// The amount charged, in the charge's currency.
    pub amount: Money,
    /// The order it was made for (Tap's `reference.order`, our order id), when the provider echoes it.
    pub order_reference: Option<String>,
    /// The provider's payment page to send the customer to (Tap's `transaction.url`), when there is one.
    pub payment_url: Option<String>,
}

/// Money back on a paid charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The charge to refund.
    pub charge_id: String,
    /// Our id of this refund: the idempotency key (the same id again is the same refund).
    pub refund_id: Uuid,
    /// How much to give back; positive, at most what was charged.
    pub amount: Money,
    /// Why, for the provider's records.
    pub reason: String,
}

/// A refund as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The provider's id (`re_…`).
    pub id: String,
    /// The provider's refund status: `REFUNDED`, `PENDING`, `FAILED`, `DECLINED`, ...
    pub status: String,
    pub amount: Money,
}

/// Why a webhook was not accepted. Answer it with a 4xx and do nothing else.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRejected {
    /// No `hashstring` header.
    #[error("the webhook has no hashstring header")]
    MissingSignature,
    /// The `hashstring` does not match the body: forged, altered, or signed with another key.
    #[error("the webhook's hashstring does not match its body")]
    BadSignature,
    /// The body is not a charge the signature could be checked over.
    #[error("the webhook body is not a charge: {0}")]
    Malformed(String),
}

/// Charges and refunds through a payment provider.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// The account payments go to.
    fn mode(&self) -> PaymentMode;

    /// The provider's name for storage and logs: `tap` or `sandbox`.
    fn provider(&self) -> &'static str;

    /// Creates a charge for one payment attempt and returns it, usually `INITIATED` with the
    /// `payment_url` to send the customer to. The same `attempt_id` again returns the charge already
    /// made for it (the provider keeps the key at least 24 hours), never a second charge.
    ///
    /// # Errors
    /// `Rejected` when the provider refuses the request (amount below its minimum, a source that
    /// cannot pay the currency, invalid customer data, refused credentials); `Unavailable` (with the
    /// provider's `retry_after` when it gave one) when it is down, timed out or throttling us, and then
    /// retrying with the same `attempt_id` is safe; `Protocol` for an answer that could not be read.
    async fn create_charge(&self, req: &ChargeRequest) -> Result<Charge, GatewayError>;

    /// The charge's current state, from the provider. The only source of truth for whether an order
    /// was paid.
    ///
    /// # Errors
    /// `Rejected` when the provider refuses the query (unknown charge id, refused credentials): it
    /// says nothing about the payment, so callers must not treat it as a failed payment;
    /// `Unavailable` when the provider cannot be asked now; `Protocol` for an unreadable answer.
    async fn retrieve_charge(&self, charge_id: &str) -> Result<Charge, GatewayError>;

    /// Gives money back on a captured charge. The same `refund_id` again is the same refund.
    ///
    /// # Errors
    /// `Rejected` when the provider refuses (charge not captured or unknown, more than was charged, a
    /// charge already refunded); `Unavailable` when it cannot be reached, and then retrying with the
    /// same `refund_id` is safe; `Protocol` for an unreadable answer.
    async fn refund(&self, req: &RefundRequest) -> Result<Refund, GatewayError>;

    /// Checks a webhook's `hashstring` header against the body and returns the charge id it names.
    /// Never trusts the body's status: callers retrieve the charge.
    ///
    /// # Errors
    /// `MissingSignature` without a header, `Malformed` when the body is not a charge with the signed
    /// fields, `BadSignature` when the header does not match the body under this gateway's key.
    fn verify_webhook(&self, hashstring: Option<&str>, body: &[u8]) -> Result<String, WebhookRejected>;
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&str; 12] = [
        "INITIATED",
        "IN_PROGRESS",
        "CAPTURED",
        "AUTHORIZED",
        "ABANDONED",
        "CANCELLED",
        "FAILED",
        "DECLINED",
        "RESTRICTED",
        "VOID",
        "TIMEDOUT",
        "UNKNOWN",
    ];

    #[test]
    fn statuses_round_trip_through_the_providers_names() {
        for name in ALL.into_iter().chain(["VALID", "SOMETHING_NEW"]) {
            assert_eq!(ChargeStatus::parse(name).as_str(), name);
        }
        assert_eq!(ChargeStatus::parse("UNKNOWN"), ChargeStatus::Unknown("UNKNOWN".into()));
        assert_eq!(ChargeStatus::parse("TIMEDOUT"), ChargeStatus::TimedOut);
    }

    #[test]
    fn only_captured_is_paid_and_every_status_is_at_most_one_of_paid_pending_failed() {
        for name in ALL {
            let status = ChargeStatus::parse(name);
            let outcomes = [status.is_paid(), status.is_pending(), status.is_failed()].into_iter().filter(|b| *b).count();
            let expected = usize::from(status != ChargeStatus::Authorized);
            assert_eq!(outcomes, expected, "{name}");
            assert_eq!(status.is_paid(), name == "CAPTURED", "{name}");
        }
        assert!(ChargeStatus::parse("UNKNOWN").is_pending());
        assert!(ChargeStatus::parse("IN_PROGRESS").is_pending());
        assert!(ChargeStatus::parse("ABANDONED").is_failed());
    }

    #[test]
    fn knet_takes_only_dinars() {
        assert!(PaymentSource::Knet.accepts(Currency::Kwd));
        assert!(!PaymentSource::Knet.accepts(Currency::Aed));
        assert!(PaymentSource::Card.accepts(Currency::Aed));
        assert_eq!(PaymentSource::Knet.tap_source_id(), "src_kw.knet");
        assert_eq!(PaymentMode::Sandbox.as_str(), "sandbox");
    }
}
