//! The SQL store of promo codes and their product restrictions. `uses` is the checkout's (raised
//! and lowered in the order's transaction); this store only reads it.
use async_trait::async_trait;
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::orders::{PromoCode, PromoCodeId, PromoDiscount};
use sabil_core::domain::{Money, Page, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::PromoCodeRepository;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::catalog::{corrupt, currency};
use super::users::page_of;
use super::{Db, DbTime, Dialect, repo_error, with_db};

const COLUMNS: &str = "p.id, p.code, p.description, p.discount_kind, p.percent_bp, p.amount_minor, p.currency, p.min_order_minor, \
     p.valid_from, p.valid_until, p.max_uses, p.max_uses_per_customer, p.uses, p.active";

/// Promo codes in SQL.
#[derive(Clone, Debug)]
pub struct SqlPromoCodeRepository {
    db: Db,
}

impl SqlPromoCodeRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct PromoCodeRow {
    id: Uuid,
    code: String,
    description: String,
    discount_kind: String,
    percent_bp: Option<i32>,
    amount_minor: Option<i64>,
    currency: String,
    min_order_minor: i64,
    valid_from: DbTime,
    valid_until: DbTime,
    max_uses: Option<i32>,
    max_uses_per_customer: Option<i32>,
    uses: i32,
    active: bool,
}

fn count(v: i32, what: &str) -> Result<u32, RepoError> {
    u32::try_from(v).map_err(|_| corrupt(what, &v.to_string()))
}

fn db_count(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn promo_code(r: PromoCodeRow, product_ids: Vec<ProductId>) -> Result<PromoCode, RepoError> {
    let currency = currency(&r.currency)?;
    let discount = match (r.discount_kind.as_str(), r.percent_bp, r.amount_minor) {
        ("percent", Some(bp), None) => PromoDiscount::Percent { basis_points: count(bp, "promo code percentage")? },
        ("fixed", None, Some(minor)) => PromoDiscount::Fixed(Money::new(minor, currency)),
        (kind, ..) => return Err(corrupt("promo code discount", kind)),
    };
    Ok(PromoCode {
        id: PromoCodeId(r.id),
        code: r.code,
        description: r.description,
        discount,
        min_order: Money::new(r.min_order_minor, currency),
        valid_from: r.valid_from.0,
        valid_until: r.valid_until.0,
        max_uses: r.max_uses.map(|v| count(v, "promo code cap")).transpose()?,
        max_uses_per_customer: r.max_uses_per_customer.map(|v| count(v, "promo code cap")).transpose()?,
        product_ids,
        uses: count(r.uses, "promo code uses")?,
        active: r.active,
    })
}

/// The discount as its three columns: kind, basis points, amount.
fn discount_columns(d: PromoDiscount) -> (&'static str, Option<i32>, Option<i64>) {
    match d {
        PromoDiscount::Percent { basis_points } => ("percent", Some(db_count(basis_points)), None),
        PromoDiscount::Fixed(amount) => ("fixed", None, Some(amount.minor)),
    }
}

/// What a query selects by: one id, one code, or a page.
#[derive(Clone, Copy)]
enum Select<'a> {
    Id(Uuid),
    Code(&'a str),
    Page(Option<Uuid>, i64),
}

impl SqlPromoCodeRepository {
    /// The codes `select` names, in its order, with their product links.
    async fn load(&self, select: Select<'_>) -> Result<Vec<PromoCode>, RepoError> {
        let sql = match select {
            Select::Id(_) => format!("SELECT {COLUMNS} FROM promo_codes p WHERE p.id = $1"),
            Select::Code(_) => format!("SELECT {COLUMNS} FROM promo_codes p WHERE p.code = $1"),
            Select::Page(..) => format!("SELECT {COLUMNS} FROM promo_codes p WHERE ($1 IS NULL OR p.id < $1) ORDER BY p.id DESC LIMIT $2"),
        };
        let rows: Vec<PromoCodeRow> = with_db!(&self.db, pool, E => {
            let query = sqlx::query_as::<E, PromoCodeRow>(AssertSqlSafe(sql));
            match select {
                Select::Id(id) => query.bind(id),
                Select::Code(code) => query.bind(code),
                Select::Page(cursor, limit) => query.bind(cursor).bind(limit),
            }
            .fetch_all(pool).await
        })
        .map_err(repo_error)?;
        let (Some(low), Some(high)) = (rows.iter().map(|r| r.id).min(), rows.iter().map(|r| r.id).max()) else { return Ok(vec![]) };
        // The links of every code in the id range of the rows read (a code stored meanwhile is ignored).
        const LINKS: &str = "SELECT promo_code_id, product_id FROM promo_code_products \
             WHERE promo_code_id >= $1 AND promo_code_id <= $2 ORDER BY product_id";
        let links: Vec<(Uuid, Uuid)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (Uuid, Uuid)>(LINKS)
            .bind(low).bind(high).fetch_all(pool).await)
        .map_err(repo_error)?;
        rows.into_iter()
            .map(|r| {
                let ids = links.iter().filter(|(code, _)| *code == r.id).map(|(_, product)| ProductId(*product)).collect();
                promo_code(r, ids)
            })
            .collect()
    }

    /// Writes the code's row (insert, or update of everything but `uses` and `created_at`) and
    /// replaces its product links, in one transaction.
    async fn write(&self, c: &PromoCode, now: OffsetDateTime, insert: bool) -> Result<(), RepoError> {
        let (kind, percent, amount) = discount_columns(c.discount);
        let currency = match c.discount {
            PromoDiscount::Fixed(amount) => amount.currency,
            PromoDiscount::Percent { .. } => c.min_order.currency,
        };
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let sql = if insert {
                "INSERT INTO promo_codes (id, code, description, discount_kind, percent_bp, amount_minor, currency, min_order_minor, \
                 valid_from, valid_until, max_uses, max_uses_per_customer, active, uses, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $14)"
            } else {
                "UPDATE promo_codes SET code = $2, description = $3, discount_kind = $4, percent_bp = $5, amount_minor = $6, \
                 currency = $7, min_order_minor = $8, valid_from = $9, valid_until = $10, max_uses = $11, \
                 max_uses_per_customer = $12, active = $13, updated_at = $14 WHERE id = $1"
            };
            let n = sqlx::query::<E>(sql)
                .bind(c.id.0).bind(&c.code).bind(&c.description).bind(kind).bind(percent).bind(amount).bind(currency.code())
                .bind(c.min_order.minor).bind(DbTime(c.valid_from)).bind(DbTime(c.valid_until)).bind(c.max_uses.map(db_count))
                .bind(c.max_uses_per_customer.map(db_count)).bind(c.active).bind(DbTime(now))
                .execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
            if n == 0 {
                return Err(RepoError::NotFound);
            }
            sqlx::query::<E>("DELETE FROM promo_code_products WHERE promo_code_id = $1").bind(c.id.0).execute(&mut *tx).await.map_err(repo_error)?;
            for product in &c.product_ids {
                sqlx::query::<E>("INSERT INTO promo_code_products (promo_code_id, product_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(c.id.0).bind(product.0).execute(&mut *tx).await.map_err(repo_error)?;
            }
            tx.commit().await.map_err(repo_error)
        })
    }
}

#[async_trait]
impl PromoCodeRepository for SqlPromoCodeRepository {
    async fn create(&self, code: &PromoCode, now: OffsetDateTime) -> Result<(), RepoError> {
        self.write(code, now, true).await
    }

    async fn update(&self, code: &PromoCode, now: OffsetDateTime) -> Result<(), RepoError> {
        self.write(code, now, false).await
    }

    async fn get(&self, id: PromoCodeId) -> Result<Option<PromoCode>, RepoError> {
        Ok(self.load(Select::Id(id.0)).await?.into_iter().next())
    }

    async fn find_by_code(&self, code: &str) -> Result<Option<PromoCode>, RepoError> {
        Ok(self.load(Select::Code(code)).await?.into_iter().next())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<PromoCode>, RepoError> {
        let codes = self.load(Select::Page(page.cursor, i64::from(page.limit) + 1)).await?;
        Ok(page_of(codes, page.limit, |c| c.id.0))
    }

    async fn customer_uses(&self, code: PromoCodeId, customer: UserId) -> Result<u32, RepoError> {
        const SQL: &str =
            "SELECT COUNT(*) FROM orders WHERE promo_code_id = $1 AND user_id = $2 AND status NOT IN ('cancelled', 'refunded')";
        let (n,): (i64,) = with_db!(&self.db, pool, E => sqlx::query_as::<E, (i64,)>(SQL)
            .bind(code.0).bind(customer.0).fetch_one(pool).await)
        .map_err(repo_error)?;
        u32::try_from(n).map_err(|_| corrupt("use count", &n.to_string()))
    }
}
