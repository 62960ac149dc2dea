//! How the coupon-wallet and promo-code outcomes are answered (kept beside `error.rs`, which would
//! otherwise outgrow one file).
use sabil_core::services::{CouponError, PromoCodeError};

use super::ApiError;

impl From<CouponError> for ApiError {
    fn from(e: CouponError) -> Self {
        match e {
            CouponError::Invalid(invalid) => invalid.into(),
            CouponError::CustomersOnly => {
                Self::forbidden("auth.role_forbidden", "Only a customer has a coupon wallet.", "Sign in with an active customer account.")
            }
            CouponError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            CouponError::Denied(denied) => denied.into(),
            CouponError::Storage(e) => e.into(),
        }
    }
}

impl From<PromoCodeError> for ApiError {
    fn from(e: PromoCodeError) -> Self {
        match e {
            PromoCodeError::Invalid(invalid) => invalid.into(),
            PromoCodeError::NotFound => {
                Self::not_found("promo_code.not_found", "No such promo code.", Some("List promo codes with GET /api/admin/promo-codes."))
            }
            PromoCodeError::CodeTaken(code) => Self::conflict(
                "promo_code.taken",
                format!("Another promo code is already called {code}."),
                "Choose another code, or change the existing one with PATCH /api/admin/promo-codes/{id}.",
            ),
            PromoCodeError::Denied(denied) => denied.into(),
            PromoCodeError::Storage(e) => e.into(),
        }
    }
}
