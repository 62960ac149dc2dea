//! The order lifecycle as a table: which status may follow which, and who may make each move.
//! Anything not in the table is refused, and the refusal names the moves that are allowed.
use super::super::account::UserId;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderStatus {
    /// Placed; waiting for the payment provider to confirm the card or KNET payment.
    PendingPayment,
    /// The provider captured the payment (or nothing was left to pay online).
    Paid,
    /// Accepted by the business (or SAP) for delivery.
    Confirmed,
    OutForDelivery,
    Delivered,
    Cancelled,
    /// The provider declined or the payment was abandoned; the customer may try again.
    PaymentFailed,
    /// Cancelled after payment and the money returned.
    Refunded,
}

/// Every status, in lifecycle order.
pub const ALL_STATUSES: [OrderStatus; 8] = [
    OrderStatus::PendingPayment,
    OrderStatus::Paid,
    OrderStatus::Confirmed,
    OrderStatus::OutForDelivery,
    OrderStatus::Delivered,
    OrderStatus::Cancelled,
    OrderStatus::PaymentFailed,
    OrderStatus::Refunded,
];

impl OrderStatus {
    /// Stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Paid => "paid",
            Self::Confirmed => "confirmed",
            Self::OutForDelivery => "out_for_delivery",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
            Self::PaymentFailed => "payment_failed",
            Self::Refunded => "refunded",
        }
    }

    /// The status with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        ALL_STATUSES.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether nothing can follow it.
    #[must_use]
    pub fn is_final(self) -> bool {
        Transition::TABLE.iter().all(|t| t.from != self)
    }

    /// The moves allowed from this status for `actor`.
    #[must_use]
    pub fn next_for(self, actor: ActorKind) -> Vec<OrderStatus> {
        Transition::TABLE.iter().filter(|t| t.from == self && t.by.contains(&actor)).map(|t| t.to).collect()
    }

    /// Checks that `actor` may move an order from `self` to `to`.
    ///
    /// # Errors
    /// [`TransitionRejected`] naming the statuses `actor` may move this order to instead.
    pub fn check_move(self, to: OrderStatus, actor: ActorKind) -> Result<(), TransitionRejected> {
        if Transition::TABLE.iter().any(|t| t.from == self && t.to == to && t.by.contains(&actor)) {
            Ok(())
        } else {
            Err(TransitionRejected { from: self, to, allowed: self.next_for(actor) })
        }
    }
}

/// Who moves orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    Customer,
    Admin,
    Sap,
    /// The payment provider's confirmed word (a verified webhook or a charge we retrieved).
    PaymentProvider,
    /// The platform itself (a refund completing, cash orders skipping payment).
    System,
}

impl ActorKind {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Admin => "admin",
            Self::Sap => "sap",
            Self::PaymentProvider => "payment_provider",
            Self::System => "system",
        }
    }

    /// The kind with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Customer, Self::Admin, Self::Sap, Self::PaymentProvider, Self::System].into_iter().find(|k| k.as_str() == s)
    }
}

/// Who made a move: the kind and, when there is one, the account or client id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    /// The user id of a customer or admin, the SAP client id, or the provider's charge id.
    pub id: Option<String>,
}

impl Actor {
    #[must_use]
    pub fn customer(id: UserId) -> Self {
        Self { kind: ActorKind::Customer, id: Some(id.0.to_string()) }
    }

    #[must_use]
    pub fn admin(id: UserId) -> Self {
        Self { kind: ActorKind::Admin, id: Some(id.0.to_string()) }
    }

    #[must_use]
    pub fn system() -> Self {
        Self { kind: ActorKind::System, id: None }
    }

    #[must_use]
    pub fn payment_provider(charge_id: &str) -> Self {
        Self { kind: ActorKind::PaymentProvider, id: Some(charge_id.to_owned()) }
    }
}

/// One allowed move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: OrderStatus,
    pub to: OrderStatus,
    /// Who may make it.
    pub by: &'static [ActorKind],
}

use ActorKind::{Admin, Customer, PaymentProvider, Sap, System};
use OrderStatus::{Cancelled, Confirmed, Delivered, OutForDelivery, Paid, PaymentFailed, PendingPayment, Refunded};

impl Transition {
    /// The whole lifecycle. Only the payment provider's confirmed word makes an order paid; a paid order
    /// that is cancelled goes on to `refunded` when the provider has returned the money.
    pub const TABLE: &'static [Transition] = &[
        Transition { from: PendingPayment, to: Paid, by: &[PaymentProvider] },
        Transition { from: PendingPayment, to: PaymentFailed, by: &[PaymentProvider] },
        Transition { from: PendingPayment, to: Cancelled, by: &[Customer, Admin, Sap, System] },
        Transition { from: PaymentFailed, to: Paid, by: &[PaymentProvider] },
        Transition { from: PaymentFailed, to: PendingPayment, by: &[Customer, System] },
        Transition { from: PaymentFailed, to: Cancelled, by: &[Customer, Admin, Sap, System] },
        Transition { from: Paid, to: Confirmed, by: &[Admin, Sap] },
        Transition { from: Paid, to: Cancelled, by: &[Customer, Admin, Sap] },
        Transition { from: Confirmed, to: OutForDelivery, by: &[Admin, Sap] },
        Transition { from: Confirmed, to: Cancelled, by: &[Customer, Admin, Sap] },
        Transition { from: OutForDelivery, to: Delivered, by: &[Admin, Sap] },
        Transition { from: OutForDelivery, to: Cancelled, by: &[Admin, Sap] },
        Transition { from: Cancelled, to: Refunded, by: &[System] },
    ];
}

/// A move the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an order cannot move from {} to {}", .from.as_str(), .to.as_str())]
pub struct TransitionRejected {
    pub from: OrderStatus,
    pub to: OrderStatus,
    /// Where this actor may move the order instead (empty when nowhere).
    pub allowed: Vec<OrderStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_payment_provider_marks_an_order_paid() {
        for st in ALL_STATUSES {
            for actor in [Customer, Admin, Sap, System] {
                assert!(st.check_move(Paid, actor).is_err(), "{actor:?} moved {st:?} to paid");
            }
        }
        assert!(PendingPayment.check_move(Paid, PaymentProvider).is_ok());
    }

    #[test]
    fn orders_never_move_backwards_along_the_delivery_path() {
        let path = [Paid, Confirmed, OutForDelivery, Delivered];
        for (i, later) in path.iter().enumerate() {
            for earlier in &path[..i] {
                for actor in [Customer, Admin, Sap, PaymentProvider, System] {
                    assert!(later.check_move(*earlier, actor).is_err(), "{later:?} -> {earlier:?} by {actor:?}");
                }
            }
        }
    }

    #[test]
    fn customers_cannot_cancel_once_out_for_delivery() {
        let refused = OutForDelivery.check_move(Cancelled, Customer).unwrap_err();
        assert!(refused.allowed.is_empty());
        assert!(Confirmed.check_move(Cancelled, Customer).is_ok());
    }

    #[test]
    fn a_refusal_lists_the_allowed_moves() {
        let refused = Paid.check_move(Delivered, Admin).unwrap_err();
        assert_eq!(refused.allowed, vec![Confirmed, Cancelled]);
    }

    #[test]
    fn delivered_and_refunded_are_final() {
        assert!(Delivered.is_final());
        assert!(Refunded.is_final());
        assert!(!Cancelled.is_final());
    }

    #[test]
    fn status_names_round_trip() {
        for st in ALL_STATUSES {
            assert_eq!(OrderStatus::parse(st.as_str()), Some(st));
        }
    }
}
