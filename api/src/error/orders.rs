//! How the cart, checkout, order and payment outcomes are answered.
use sabil_core::domain::delivery::SlotUnavailable;
use sabil_core::domain::orders::pricing::PromoRejection;
use sabil_core::services::{CheckoutError, OrderError, PaymentError};

use super::{ApiError, FieldProblemBody, body};

fn refused(code: &str, message: impl Into<String>, hint: &str, field: &str, problem: &str) -> ApiError {
    let fields = vec![FieldProblemBody { field: field.to_owned(), problem: problem.to_owned() }];
    ApiError::Unprocessable(body("validation", code, message, Some(hint), fields))
}

fn promo(r: PromoRejection) -> ApiError {
    let hint = "Remove the promo code, or check its conditions.";
    let (code, message) = match r {
        PromoRejection::Inactive => ("promo_code.inactive", "This promo code is not active.".to_owned()),
        PromoRejection::NotYetValid { starts } => ("promo_code.not_yet_valid", format!("This promo code is valid from {starts}.")),
        PromoRejection::Expired => ("promo_code.expired", "This promo code has expired.".to_owned()),
        PromoRejection::MinimumNotMet { minimum, goods } => (
            "promo_code.minimum_not_met",
            format!("This promo code needs an order of at least {}; the cart has {}.", minimum.formatted(), goods.formatted()),
        ),
        PromoRejection::UsedUp => ("promo_code.used_up", "This promo code has been used up.".to_owned()),
        PromoRejection::UsedUpByCustomer => {
            ("promo_code.used_by_customer", "You have already used this promo code as often as allowed.".to_owned())
        }
        PromoRejection::NoEligibleProducts => {
            ("promo_code.no_eligible_products", "This promo code covers none of the products in the cart.".to_owned())
        }
        PromoRejection::CurrencyMismatch => ("promo_code.other_currency", "This promo code is for another currency.".to_owned()),
    };
    refused(code, message, hint, "promoCode", "does not apply")
}

impl From<CheckoutError> for ApiError {
    fn from(e: CheckoutError) -> Self {
        match e {
            CheckoutError::NotAllowed => {
                Self::forbidden("auth.role_forbidden", "Only customers have a cart and orders.", "Sign in with an active customer account.")
            }
            CheckoutError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            CheckoutError::Invalid(invalid) => invalid.into(),
            CheckoutError::CartEmpty => {
                Self::unprocessable("cart.empty", "The cart is empty.", "Add products with POST /api/cart/items first.")
            }
            CheckoutError::ProductUnavailable(p) => refused(
                "cart.product_unavailable",
                format!("Product {} cannot be ordered now.", p.0),
                "Remove it from the cart; see what is on sale with GET /api/products.",
                "productId",
                "not on sale",
            ),
            CheckoutError::QuantityOutOfRange { min, max, quantity, .. } => refused(
                "cart.quantity_out_of_range",
                format!("This product is sold in {min} to {max} packs, not {quantity}."),
                &format!("Choose a quantity from {min} to {max}."),
                "quantity",
                "out of range",
            ),
            CheckoutError::AddressNotFound => refused(
                "order.address_not_found",
                "No such address among yours.",
                "Pick one of GET /api/addresses, or add one.",
                "delivery.addressId",
                "not one of your addresses",
            ),
            CheckoutError::OrderNotFound => {
                Self::not_found("order.not_found", "No such order.", Some("List your orders with GET /api/orders."))
            }
            CheckoutError::MosqueNotFound => {
                refused("order.mosque_not_found", "No such mosque.", "Pick one of GET /api/mosques.", "delivery.mosqueId", "unknown mosque")
            }
            CheckoutError::AreaNotServed => refused(
                "order.area_not_served",
                "We do not deliver to that place yet.",
                "Choose an address in one of GET /api/delivery-areas.",
                "delivery",
                "outside the areas we serve",
            ),
            CheckoutError::SlotNotFound => refused(
                "order.slot_not_found",
                "No such delivery slot.",
                "Pick one of GET /api/delivery-slots?areaId=..",
                "slotId",
                "unknown slot",
            ),
            CheckoutError::SlotNotInArea => refused(
                "order.slot_not_in_area",
                "This slot does not serve the delivery address's area.",
                "Pick a slot from GET /api/delivery-slots?areaId=<the address's areaId>.",
                "slotId",
                "another area's slot",
            ),
            CheckoutError::SlotUnavailable(why) => {
                let (code, message) = match why {
                    SlotUnavailable::WrongWeekday => ("order.slot_wrong_day", "This slot is not delivered on that day of the week."),
                    SlotUnavailable::Inactive => ("order.slot_inactive", "This slot is no longer offered."),
                    SlotUnavailable::PastCutoff => ("order.slot_past_cutoff", "This slot is closed for new orders (past its cut-off)."),
                    SlotUnavailable::Full => ("order.slot_full", "This slot is full on that date."),
                };
                refused(code, message, "Pick another slot or date from GET /api/delivery-slots.", "slotId", "not bookable")
            }
            CheckoutError::BelowMinimum { missing, minimum } => refused(
                "order.below_minimum",
                format!("The area's minimum order is {}; add {} more.", minimum.formatted(), missing.formatted()),
                "Add products to the cart.",
                "delivery",
                "minimum order not reached",
            ),
            CheckoutError::PromoCodeUnknown => {
                refused("promo_code.unknown", "No such promo code.", "Check the spelling, or remove the code.", "promoCode", "unknown code")
            }
            CheckoutError::PromoCode(r) => promo(r),
            CheckoutError::CouponsNotInCart(p) => refused(
                "coupons.not_in_cart",
                format!("Coupons for product {} must pay packs of that product in the cart, at most its quantity.", p.0),
                "Use coupons only for products in the cart, up to each line's quantity.",
                "coupons",
                "does not match the cart",
            ),
            CheckoutError::NotEnoughCoupons { product, available } => refused(
                "coupons.not_enough",
                format!("You have {available} coupons for product {}.", product.0),
                "Use fewer coupons; see your balance with GET /api/coupons/wallet.",
                "coupons",
                "more than the wallet holds",
            ),
            CheckoutError::PaymentMethodNotAccepted(m) => refused(
                "order.payment_method_not_accepted",
                format!("Payment method {} is not accepted.", m.as_str()),
                "Pay by card (KNET only in KWD; cash only where enabled).",
                "paymentMethod",
                "not accepted",
            ),
            CheckoutError::KeyReused => refused(
                "order.idempotency_key_reused",
                "This Idempotency-Key was used for a different checkout.",
                "Send a new key for a new checkout; reuse a key only to retry the very same request.",
                "Idempotency-Key",
                "used for another request",
            ),
            CheckoutError::Storage(e) => e.into(),
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::NotAllowed => {
                Self::forbidden("auth.role_forbidden", "Only customers have orders.", "Sign in with an active customer account.")
            }
            OrderError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            OrderError::Admin(denied) => denied.into(),
            OrderError::NotFound => Self::not_found("order.not_found", "No such order.", Some("List orders with GET /api/orders.")),
            OrderError::Transition(t) => {
                let allowed: Vec<&str> = t.allowed.iter().map(|s| s.as_str()).collect();
                let hint = if allowed.is_empty() {
                    format!("An order in {} cannot be moved by you.", t.from.as_str())
                } else {
                    format!("From {} you may move it to: {}.", t.from.as_str(), allowed.join(", "))
                };
                Self::conflict(
                    "order.transition_not_allowed",
                    format!("An order cannot move from {} to {}.", t.from.as_str(), t.to.as_str()),
                    &hint,
                )
            }
            OrderError::Concurrent(now) => Self::conflict(
                "order.changed",
                format!("The order changed meanwhile; it is now {}.", now.as_str()),
                "Reload the order and decide again.",
            ),
            OrderError::Invalid(invalid) => invalid.into(),
            OrderError::Storage(e) => e.into(),
        }
    }
}

impl From<PaymentError> for ApiError {
    fn from(e: PaymentError) -> Self {
        match e {
            PaymentError::Order(e) => e.into(),
            PaymentError::NotPayable(status) => Self::conflict(
                "payment.not_payable",
                format!("The order is {} and takes no online payment.", status.as_str()),
                "Only card or KNET orders waiting for payment can be paid.",
            ),
            PaymentError::BadSignature(why) => {
                Self::unauthorized("payment.bad_signature", format!("Rejected: {why}."), "Only the payment provider may call this.")
            }
            PaymentError::Mismatch(_) => Self::unprocessable(
                "payment.mismatch",
                "The charge does not match the order.",
                "The payment was not applied; support will look into it.",
            ),
            PaymentError::UnknownCharge => Self::not_found("payment.unknown_charge", "No payment of ours has this charge id.", None),
            PaymentError::Provider(g) => {
                if g.is_retryable() {
                    tracing::warn!(error = %g, "payment provider unavailable");
                    Self::unavailable(
                        "payment.provider_unavailable",
                        "The payment provider cannot be reached.",
                        Some(std::time::Duration::from_secs(10)),
                    )
                } else {
                    tracing::warn!(error = %g, "payment provider refused");
                    Self::Unprocessable(body(
                        "validation",
                        "payment.provider_refused",
                        "The payment provider refused the payment.",
                        Some("Try another payment method, or try again later."),
                        vec![],
                    ))
                }
            }
            PaymentError::Storage(e) => e.into(),
        }
    }
}
