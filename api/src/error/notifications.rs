//! How the notification outcomes are answered (kept beside `error.rs`, which would otherwise outgrow
//! one file).
use sabil_core::services::NotificationError;

use super::ApiError;

impl From<NotificationError> for ApiError {
    fn from(e: NotificationError) -> Self {
        match e {
            NotificationError::Invalid(invalid) => invalid.into(),
            NotificationError::NotFound => Self::not_found(
                "notification.not_found",
                "No such notification.",
                Some("List your notifications with GET /api/notifications."),
            ),
            NotificationError::DeviceNotFound => Self::not_found(
                "device.not_found",
                "No such device is registered to your account.",
                Some("Register it with POST /api/devices."),
            ),
            NotificationError::BroadcastNotFound => Self::not_found("broadcast.not_found", "No such broadcast.", None),
            NotificationError::AreaNotFound => Self::unprocessable(
                "broadcast.area_not_found",
                "The delivery area does not exist.",
                "Pick an area from GET /api/delivery-areas.",
            ),
            NotificationError::CustomersOnly => {
                Self::forbidden("auth.role_forbidden", "Only a customer account may do this.", "Sign in with an active customer account.")
            }
            NotificationError::AccountBlocked => {
                Self::forbidden("auth.account_blocked", "This account is blocked.", "Contact customer support to have it unblocked.")
            }
            NotificationError::Denied(denied) => denied.into(),
            NotificationError::Storage(e) => e.into(),
        }
    }
}
