//! Terms and conditions: numbered versions, the latest published one being current, and each
//! customer's acceptance of a version (a new version asks them again).
use time::OffsetDateTime;

use crate::domain::account::UserId;
use crate::domain::localized::LocalizedText;

/// Longest terms text, per language.
pub const TERMS_BODY_MAX: usize = 100_000;

/// One published version of the terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsVersion {
    /// 1 for the first version, one more for each later one.
    pub version: u32,
    /// The full text.
    pub body: LocalizedText,
    /// When it took effect (UTC).
    pub published_at: OffsetDateTime,
}

/// A customer's acceptance of one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermsAcceptance {
    /// The customer who accepted.
    pub user_id: UserId,
    /// The version they accepted.
    pub version: u32,
    /// When they first accepted it.
    pub accepted_at: OffsetDateTime,
}
