//! Ports: the traits through which services reach storage and the outside world. Each method documents
//! its contract; the in-memory fakes (`testing`) and the real adapters pass the same conformance suite.
mod accounts;
mod audit;
mod clock;
mod security;
mod sms;
mod throttle;

use std::sync::Arc;

pub use accounts::{
    CodeIssue, RefreshTokenRecord, RefreshTokenRepository, SapClientRepository, SendPolicy, StoredCode, UserQuery, UserRepository,
    VerificationCodeRepository,
};
pub use audit::AuditRepository;
pub use clock::{Clock, SystemClock, truncate_to_micros};
pub use security::{AccessTokenError, AccessTokens, PasswordHasher, Secrets};
pub use sms::{SmsGateway, SmsMessage};
pub use throttle::FailureCounter;

/// Every port a service may need, shared by reference.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserRepository>,
    pub codes: Arc<dyn VerificationCodeRepository>,
    pub refresh_tokens: Arc<dyn RefreshTokenRepository>,
    pub sap_clients: Arc<dyn SapClientRepository>,
    pub audit: Arc<dyn AuditRepository>,
    pub sms: Arc<dyn SmsGateway>,
    pub passwords: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn AccessTokens>,
    pub secrets: Arc<dyn Secrets>,
    pub failures: Arc<dyn FailureCounter>,
    pub clock: Arc<dyn Clock>,
}
