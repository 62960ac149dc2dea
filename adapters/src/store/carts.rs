//! The SQL store of customers' carts: one row per (customer, product).
use async_trait::async_trait;
use sabil_core::domain::UserId;
use sabil_core::domain::catalog::ProductId;
use sabil_core::error::RepoError;
use sabil_core::ports::{CartItem, CartRepository};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Db, DbTime, repo_error, with_db};

/// Carts in SQL.
#[derive(Clone, Debug)]
pub struct SqlCartRepository {
    db: Db,
}

impl SqlCartRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl CartRepository for SqlCartRepository {
    async fn items(&self, customer: UserId) -> Result<Vec<CartItem>, RepoError> {
        let rows: Vec<(Uuid, i32)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (Uuid, i32)>(
            "SELECT product_id, quantity FROM cart_items WHERE user_id = $1 ORDER BY added_at, product_id",
        )
        .bind(customer.0).fetch_all(pool).await)
        .map_err(repo_error)?;
        rows.into_iter()
            .map(|(product, quantity)| {
                let quantity = u32::try_from(quantity).map_err(|_| RepoError::Internal(format!("cart quantity {quantity}")))?;
                Ok(CartItem { product_id: ProductId(product), quantity })
            })
            .collect()
    }

    async fn put(&self, customer: UserId, item: CartItem, now: OffsetDateTime) -> Result<(), RepoError> {
        let quantity = i32::try_from(item.quantity).map_err(|_| RepoError::Conflict("cart_items.quantity".into()))?;
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO cart_items (user_id, product_id, quantity, added_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at",
        )
        .bind(customer.0).bind(item.product_id.0).bind(quantity).bind(DbTime(now)).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn remove(&self, customer: UserId, product: ProductId) -> Result<bool, RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>("DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2")
            .bind(customer.0).bind(product.0).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n > 0)
    }

    async fn clear(&self, customer: UserId) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>("DELETE FROM cart_items WHERE user_id = $1")
            .bind(customer.0).execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }
}
