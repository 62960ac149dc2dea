//! Persistence of promo codes and the products they are restricted to. The live `uses` count is
//! kept by the checkout inside each order's transaction; this port never writes it.
use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::UserId;
use crate::domain::orders::{PromoCode, PromoCodeId};
use crate::domain::{Page, PageRequest};
use crate::error::RepoError;

/// Stores promo codes.
#[async_trait]
pub trait PromoCodeRepository: Send + Sync {
    /// Stores a new code with its product restriction, created and updated at `now`. Its `uses`
    /// starts at 0 whatever `code.uses` says.
    ///
    /// # Errors
    /// `Conflict` when the id or the code is taken, or a listed product does not exist.
    async fn create(&self, code: &PromoCode, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Replaces every field of an existing code but `uses` (the checkout's count stays as stored),
    /// and its product restriction, atomically; `updated_at` becomes `now`.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Conflict` when the code belongs to another promo code or a
    /// listed product does not exist.
    async fn update(&self, code: &PromoCode, now: OffsetDateTime) -> Result<(), RepoError>;

    /// The code with this id, active or not; `product_ids` by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: PromoCodeId) -> Result<Option<PromoCode>, RepoError>;

    /// The code stored as `code` exactly (pass it through [`normalize_code`](crate::domain::orders::normalize_code)
    /// first), active or not.
    ///
    /// # Errors
    /// Storage failures only.
    async fn find_by_code(&self, code: &str) -> Result<Option<PromoCode>, RepoError>;

    /// Every code, newest first (by id, which is time-ordered); keyset-paged by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, page: PageRequest) -> Result<Page<PromoCode>, RepoError>;

    /// How many of the customer's orders use the code and still count: every status but `cancelled`
    /// and `refunded`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn customer_uses(&self, code: PromoCodeId, customer: UserId) -> Result<u32, RepoError>;
}
