//! Which products are coupon books, and what buying one gives.
use async_trait::async_trait;

use crate::domain::catalog::ProductId;
use crate::domain::orders::CouponBook;
use crate::error::RepoError;

/// Stores coupon-book definitions.
#[async_trait]
pub trait CouponBookRepository: Send + Sync {
    /// Makes `book.product_id` a coupon book (or changes what it gives).
    ///
    /// # Errors
    /// `Conflict` when either product does not exist or both are the same.
    async fn set(&self, book: &CouponBook) -> Result<(), RepoError>;

    /// Stops a product being a coupon book; `false` when it was not one.
    ///
    /// # Errors
    /// Storage failures only.
    async fn remove(&self, product: ProductId) -> Result<bool, RepoError>;

    /// The coupon books among `products`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn for_products(&self, products: &[ProductId]) -> Result<Vec<CouponBook>, RepoError>;
}
