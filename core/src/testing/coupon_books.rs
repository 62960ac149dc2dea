//! Coupon books in memory.
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{InMemoryProducts, lock};
use crate::domain::catalog::ProductId;
use crate::domain::orders::CouponBook;
use crate::error::RepoError;
use crate::ports::CouponBookRepository;

/// Coupon-book definitions, checked against the products fake.
#[derive(Debug)]
pub struct InMemoryCouponBooks {
    products: Arc<InMemoryProducts>,
    books: Mutex<Vec<CouponBook>>,
}

impl InMemoryCouponBooks {
    #[must_use]
    pub fn new(products: Arc<InMemoryProducts>) -> Self {
        Self { products, books: Mutex::new(Vec::new()) }
    }
}

#[async_trait]
impl CouponBookRepository for InMemoryCouponBooks {
    async fn set(&self, book: &CouponBook) -> Result<(), RepoError> {
        if book.product_id == book.coupon_product_id
            || !self.products.contains(book.product_id)
            || !self.products.contains(book.coupon_product_id)
        {
            return Err(RepoError::Conflict("coupon_books".into()));
        }
        let mut books = lock(&self.books);
        books.retain(|b| b.product_id != book.product_id);
        books.push(*book);
        Ok(())
    }

    async fn remove(&self, product: ProductId) -> Result<bool, RepoError> {
        let mut books = lock(&self.books);
        let before = books.len();
        books.retain(|b| b.product_id != product);
        Ok(books.len() < before)
    }

    async fn for_products(&self, products: &[ProductId]) -> Result<Vec<CouponBook>, RepoError> {
        Ok(lock(&self.books).iter().filter(|b| products.contains(&b.product_id)).copied().collect())
    }
}
