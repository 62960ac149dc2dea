//! The SQL store of coupon-book definitions.
use async_trait::async_trait;
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::orders::CouponBook;
use sabil_core::error::RepoError;
use sabil_core::ports::CouponBookRepository;
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::{Db, repo_error, with_db};

/// Coupon books in SQL.
#[derive(Clone, Debug)]
pub struct SqlCouponBookRepository {
    db: Db,
}

impl SqlCouponBookRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn count(v: i32) -> Result<u32, RepoError> {
    u32::try_from(v).map_err(|_| RepoError::Internal(format!("stored coupon count {v} is not valid")))
}

#[async_trait]
impl CouponBookRepository for SqlCouponBookRepository {
    async fn set(&self, b: &CouponBook) -> Result<(), RepoError> {
        let per_pack = i32::try_from(b.coupons_per_pack).map_err(|_| RepoError::Conflict("coupon_books.coupons_per_pack".into()))?;
        let days = b.validity_days.map(|d| i32::try_from(d).unwrap_or(i32::MAX));
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO coupon_books (product_id, coupon_product_id, coupons_per_pack, validity_days) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (product_id) DO UPDATE SET coupon_product_id = excluded.coupon_product_id, \
             coupons_per_pack = excluded.coupons_per_pack, validity_days = excluded.validity_days",
        )
        .bind(b.product_id.0).bind(b.coupon_product_id.0).bind(per_pack).bind(days).execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn remove(&self, product: ProductId) -> Result<bool, RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>("DELETE FROM coupon_books WHERE product_id = $1")
            .bind(product.0).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n > 0)
    }

    async fn for_products(&self, products: &[ProductId]) -> Result<Vec<CouponBook>, RepoError> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let marks = (1..=products.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT product_id, coupon_product_id, coupons_per_pack, validity_days FROM coupon_books WHERE product_id IN ({marks})"
        );
        let rows: Vec<(Uuid, Uuid, i32, Option<i32>)> = with_db!(&self.db, pool, E => {
            let mut q = sqlx::query_as::<E, (Uuid, Uuid, i32, Option<i32>)>(AssertSqlSafe(sql));
            for p in products {
                q = q.bind(p.0);
            }
            q.fetch_all(pool).await
        })
        .map_err(repo_error)?;
        rows.into_iter()
            .map(|(product, coupon_product, per_pack, days)| {
                Ok(CouponBook {
                    product_id: ProductId(product),
                    coupon_product_id: ProductId(coupon_product),
                    coupons_per_pack: count(per_pack)?,
                    validity_days: days.map(count).transpose()?,
                })
            })
            .collect()
    }
}
