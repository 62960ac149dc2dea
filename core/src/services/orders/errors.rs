//! Business outcomes of the order use cases other than success.
use crate::domain::Invalid;
use crate::domain::catalog::ProductId;
use crate::domain::delivery::SlotUnavailable;
use crate::domain::money::Money;
use crate::domain::orders::pricing::PromoRejection;
use crate::domain::orders::{OrderStatus, PaymentMethod, TransitionRejected};
use crate::error::{GatewayError, RepoError};
use crate::services::authorization::AdminDenied;

use super::NotCustomer;

/// Why a cart change, a quote or a checkout was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    #[error("only an active customer may do this")]
    NotAllowed,
    #[error("the account is blocked")]
    AccountBlocked,
    /// A field of the request is malformed.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("the cart is empty")]
    CartEmpty,
    /// The product does not exist, is inactive or is priced in another currency.
    #[error("product {} cannot be ordered", .0.0)]
    ProductUnavailable(ProductId),
    #[error("product {} must be ordered in {min} to {max} packs, not {quantity}", .product.0)]
    QuantityOutOfRange { product: ProductId, min: u32, max: u32, quantity: u32 },
    #[error("no such address")]
    AddressNotFound,
    /// No such order, or someone else's (reorder).
    #[error("no such order")]
    OrderNotFound,
    #[error("no such mosque")]
    MosqueNotFound,
    /// The address's or mosque's area is not served (any more).
    #[error("we do not deliver to that area")]
    AreaNotServed,
    #[error("no such delivery slot")]
    SlotNotFound,
    #[error("the delivery slot is not one of the area's")]
    SlotNotInArea,
    #[error("the delivery slot cannot be booked: {0}")]
    SlotUnavailable(SlotUnavailable),
    #[error("the order is {} short of the area's minimum order {}", .missing.formatted(), .minimum.formatted())]
    BelowMinimum { missing: Money, minimum: Money },
    #[error("no such promo code")]
    PromoCodeUnknown,
    #[error("the promo code does not apply: {0}")]
    PromoCode(PromoRejection),
    /// Coupons were asked for a product that is not in the cart, or for more packs than the line has.
    #[error("coupons for product {} do not match the cart", .0.0)]
    CouponsNotInCart(ProductId),
    #[error("not enough coupons for product {}: {available} available", .product.0)]
    NotEnoughCoupons { product: ProductId, available: u32 },
    /// The payment method is not accepted here (cash disabled, KNET outside KWD).
    #[error("payment method {} is not accepted", .0.as_str())]
    PaymentMethodNotAccepted(PaymentMethod),
    /// The idempotency key was used before for a different checkout.
    #[error("the idempotency key was used for another checkout")]
    KeyReused,
    #[error(transparent)]
    Storage(#[from] RepoError),
}

impl From<NotCustomer> for CheckoutError {
    fn from(e: NotCustomer) -> Self {
        match e {
            NotCustomer::NotAllowed => Self::NotAllowed,
            NotCustomer::Blocked => Self::AccountBlocked,
            NotCustomer::Storage(e) => Self::Storage(e),
        }
    }
}

/// Why an order could not be read or moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("only an active customer may do this")]
    NotAllowed,
    #[error("the account is blocked")]
    AccountBlocked,
    #[error(transparent)]
    Admin(#[from] AdminDenied),
    /// No such order, or (for a customer) someone else's.
    #[error("no such order")]
    NotFound,
    /// The lifecycle does not allow the move.
    #[error(transparent)]
    Transition(#[from] TransitionRejected),
    /// The order moved meanwhile; its status now is given.
    #[error("the order changed meanwhile and is now {}", .0.as_str())]
    Concurrent(OrderStatus),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Storage(#[from] RepoError),
}

impl From<NotCustomer> for OrderError {
    fn from(e: NotCustomer) -> Self {
        match e {
            NotCustomer::NotAllowed => Self::NotAllowed,
            NotCustomer::Blocked => Self::AccountBlocked,
            NotCustomer::Storage(e) => Self::Storage(e),
        }
    }
}

/// Why a payment could not be started or a provider notification was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error(transparent)]
    Order(#[from] OrderError),
    /// The order does not wait for an online payment (paid, cash, cancelled, ...).
    #[error("the order is {} and takes no payment", .0.as_str())]
    NotPayable(OrderStatus),
    /// The webhook's signature is missing or wrong.
    #[error("the notification is not signed by the payment provider: {0}")]
    BadSignature(String),
    /// The provider's charge does not match our record (amount, currency or order).
    #[error("the provider's charge does not match our payment: {0}")]
    Mismatch(String),
    /// The charge is not one of ours.
    #[error("unknown charge")]
    UnknownCharge,
    /// The payment provider failed or refused.
    #[error(transparent)]
    Provider(#[from] GatewayError),
    #[error(transparent)]
    Storage(#[from] RepoError),
}

impl From<NotCustomer> for PaymentError {
    fn from(e: NotCustomer) -> Self {
        Self::Order(OrderError::from(e))
    }
}
