//! SQL stores of products and promotions.
use async_trait::async_trait;
use sabil_core::domain::catalog::{Product, ProductId, ProductType, Promotion, PromotionId, PromotionKind};
use sabil_core::domain::{Currency, LocalizedText, Money, Page};
use sabil_core::error::RepoError;
use sabil_core::ports::{ProductQuery, ProductRepository, PromotionRepository};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::users::page_of;
use super::{Db, DbTime, Dialect, repo_error, with_db};

const PRODUCT_COLUMNS: &str = "id, sap_id, title_ar, title_en, description_ar, description_en, product_type, volume_ml, \
     bottles_per_pack, price_minor, currency, min_quantity, max_quantity, image_id, active, sort_order, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: Uuid,
    sap_id: Option<String>,
    title_ar: String,
    title_en: String,
    description_ar: String,
    description_en: String,
    product_type: String,
    volume_ml: i32,
    bottles_per_pack: i32,
    price_minor: i64,
    currency: String,
    min_quantity: i32,
    max_quantity: i32,
    image_id: Option<Uuid>,
    active: bool,
    sort_order: i32,
    created_at: DbTime,
    updated_at: DbTime,
}

pub(crate) fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Internal(format!("stored {what} {value:?} is not valid"))
}

pub(crate) fn currency(code: &str) -> Result<Currency, RepoError> {
    Currency::parse(code).map_err(|_| corrupt("currency", code))
}

fn count(v: i32, what: &str) -> Result<u32, RepoError> {
    u32::try_from(v).map_err(|_| corrupt(what, &v.to_string()))
}

pub(super) fn db_count(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

impl TryFrom<ProductRow> for Product {
    type Error = RepoError;

    fn try_from(r: ProductRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: ProductId(r.id),
            sap_id: r.sap_id,
            title: LocalizedText { ar: r.title_ar, en: r.title_en },
            description: LocalizedText { ar: r.description_ar, en: r.description_en },
            product_type: ProductType::parse(&r.product_type).ok_or_else(|| corrupt("product type", &r.product_type))?,
            volume_ml: count(r.volume_ml, "volume")?,
            bottles_per_pack: count(r.bottles_per_pack, "bottles per pack")?,
            price_per_pack: Money::new(r.price_minor, currency(&r.currency)?),
            min_quantity: count(r.min_quantity, "min quantity")?,
            max_quantity: count(r.max_quantity, "max quantity")?,
            image_id: r.image_id,
            active: r.active,
            sort_order: r.sort_order,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// Products in SQL.
#[derive(Clone, Debug)]
pub struct SqlProductRepository {
    db: Db,
}

impl SqlProductRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl ProductRepository for SqlProductRepository {
    async fn create(&self, p: &Product) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO products (id, sap_id, title_ar, title_en, description_ar, description_en, product_type, volume_ml, \
             bottles_per_pack, price_minor, currency, min_quantity, max_quantity, image_id, active, sort_order, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(p.id.0).bind(&p.sap_id).bind(&p.title.ar).bind(&p.title.en).bind(&p.description.ar).bind(&p.description.en)
        .bind(p.product_type.as_str()).bind(db_count(p.volume_ml)).bind(db_count(p.bottles_per_pack)).bind(p.price_per_pack.minor)
        .bind(p.price_per_pack.currency.code()).bind(db_count(p.min_quantity)).bind(db_count(p.max_quantity)).bind(p.image_id)
        .bind(p.active).bind(p.sort_order).bind(DbTime(p.created_at)).bind(DbTime(p.updated_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn update(&self, p: &Product) -> Result<(), RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE products SET sap_id = $2, title_ar = $3, title_en = $4, description_ar = $5, description_en = $6, product_type = $7, \
             volume_ml = $8, bottles_per_pack = $9, price_minor = $10, currency = $11, min_quantity = $12, max_quantity = $13, \
             image_id = $14, active = $15, sort_order = $16, updated_at = $17 WHERE id = $1",
        )
        .bind(p.id.0).bind(&p.sap_id).bind(&p.title.ar).bind(&p.title.en).bind(&p.description.ar).bind(&p.description.en)
        .bind(p.product_type.as_str()).bind(db_count(p.volume_ml)).bind(db_count(p.bottles_per_pack)).bind(p.price_per_pack.minor)
        .bind(p.price_per_pack.currency.code()).bind(db_count(p.min_quantity)).bind(db_count(p.max_quantity)).bind(p.image_id)
        .bind(p.active).bind(p.sort_order).bind(DbTime(p.updated_at))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        if n == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn get(&self, id: ProductId) -> Result<Option<Product>, RepoError> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1");
        let row: Option<ProductRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, ProductRow>(AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(Product::try_from).transpose()
    }

    async fn find_by_sap_id(&self, sap_id: &str) -> Result<Option<Product>, RepoError> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE sap_id = $1");
        let row: Option<ProductRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, ProductRow>(AssertSqlSafe(sql)).bind(sap_id).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(Product::try_from).transpose()
    }

    async fn list(&self, q: &ProductQuery) -> Result<Page<Product>, RepoError> {
        // Keyset on (sort_order, id): the cursor is the last id, its sort order looked up.
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM products p WHERE ($1 IS NULL OR p.product_type = $1) AND ($2 = FALSE OR p.active = TRUE) \
             AND ($3 IS NULL OR p.sort_order > (SELECT c.sort_order FROM products c WHERE c.id = $3) \
                  OR (p.sort_order = (SELECT c.sort_order FROM products c WHERE c.id = $3) AND p.id > $3)) \
             ORDER BY p.sort_order, p.id LIMIT $4"
        );
        let rows: Vec<ProductRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, ProductRow>(AssertSqlSafe(sql))
            .bind(q.product_type.map(ProductType::as_str)).bind(q.active_only).bind(q.page.cursor).bind(i64::from(q.page.limit) + 1)
            .fetch_all(pool).await)
        .map_err(repo_error)?;
        let products = rows.into_iter().map(Product::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(products, q.page.limit, |p| p.id.0))
    }
}

#[derive(sqlx::FromRow)]
struct PromotionRow {
    id: Uuid,
    sap_id: Option<String>,
    title_ar: String,
    title_en: String,
    kind: String,
    buy_packs: Option<i32>,
    free_packs: Option<i32>,
    bundle_packs: Option<i32>,
    bundle_price_minor: Option<i64>,
    bundle_currency: Option<String>,
    valid_from: DbTime,
    valid_until: DbTime,
    image_id: Option<Uuid>,
    active: bool,
}

const PROMOTION_COLUMNS: &str = "id, sap_id, title_ar, title_en, kind, buy_packs, free_packs, bundle_packs, bundle_price_minor, \
     bundle_currency, valid_from, valid_until, image_id, active";

fn promotion(r: PromotionRow, product_ids: Vec<ProductId>) -> Result<Promotion, RepoError> {
    let kind = match (r.kind.as_str(), r.buy_packs, r.free_packs, r.bundle_packs, r.bundle_price_minor, r.bundle_currency.as_deref()) {
        ("buy_get_free", Some(buy), Some(free), ..) => {
            PromotionKind::BuyGetFree { buy: count(buy, "buy packs")?, free: count(free, "free packs")? }
        }
        ("fixed_price_bundle", _, _, Some(packs), Some(price), Some(code)) => {
            PromotionKind::FixedPriceBundle { packs: count(packs, "bundle packs")?, price: Money::new(price, currency(code)?) }
        }
        (kind, ..) => return Err(corrupt("promotion kind", kind)),
    };
    Ok(Promotion {
        id: PromotionId(r.id),
        sap_id: r.sap_id,
        title: LocalizedText { ar: r.title_ar, en: r.title_en },
        kind,
        valid_from: r.valid_from.0,
        valid_until: r.valid_until.0,
        product_ids,
        image_id: r.image_id,
        active: r.active,
    })
}

/// The kind's columns: kind, buy, free, bundle packs, bundle price, bundle currency.
type KindColumns = (&'static str, Option<i32>, Option<i32>, Option<i32>, Option<i64>, Option<&'static str>);

fn kind_columns(kind: &PromotionKind) -> KindColumns {
    match kind {
        PromotionKind::BuyGetFree { buy, free } => ("buy_get_free", Some(db_count(*buy)), Some(db_count(*free)), None, None, None),
        PromotionKind::FixedPriceBundle { packs, price } => {
            ("fixed_price_bundle", None, None, Some(db_count(*packs)), Some(price.minor), Some(price.currency.code()))
        }
    }
}

/// Promotions in SQL.
#[derive(Clone, Debug)]
pub struct SqlPromotionRepository {
    db: Db,
}

impl SqlPromotionRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Promotions matching `condition` (on alias `p`, binding `$1`) with their product links.
    async fn load(&self, condition: &str, bind: Bind) -> Result<Vec<Promotion>, RepoError> {
        let rows_sql = format!("SELECT {PROMOTION_COLUMNS} FROM promotions p WHERE {condition} ORDER BY p.valid_until, p.id");
        let links_sql = format!(
            "SELECT pp.promotion_id, pp.product_id FROM promotion_products pp JOIN promotions p ON p.id = pp.promotion_id \
             WHERE {condition} ORDER BY pp.product_id"
        );
        let (rows, links): (Vec<PromotionRow>, Vec<(Uuid, Uuid)>) = with_db!(&self.db, pool, E => {
            let rows = match bind {
                Bind::Id(id) => sqlx::query_as::<E, PromotionRow>(AssertSqlSafe(rows_sql)).bind(id).fetch_all(pool).await,
                Bind::Time(t) => sqlx::query_as::<E, PromotionRow>(AssertSqlSafe(rows_sql)).bind(DbTime(t)).fetch_all(pool).await,
            }
            .map_err(repo_error)?;
            let links = match bind {
                Bind::Id(id) => sqlx::query_as::<E, (Uuid, Uuid)>(AssertSqlSafe(links_sql)).bind(id).fetch_all(pool).await,
                Bind::Time(t) => sqlx::query_as::<E, (Uuid, Uuid)>(AssertSqlSafe(links_sql)).bind(DbTime(t)).fetch_all(pool).await,
            }
            .map_err(repo_error)?;
            (rows, links)
        });
        rows.into_iter()
            .map(|r| {
                let ids = links.iter().filter(|(p, _)| *p == r.id).map(|(_, product)| ProductId(*product)).collect();
                promotion(r, ids)
            })
            .collect()
    }

    /// Writes the promotion row (insert or update) and replaces its links, in one transaction.
    async fn write(&self, p: &Promotion, insert: bool) -> Result<(), RepoError> {
        let (kind, buy, free, packs, price, code) = kind_columns(&p.kind);
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let sql = if insert {
                "INSERT INTO promotions (id, sap_id, title_ar, title_en, kind, buy_packs, free_packs, bundle_packs, bundle_price_minor, \
                 bundle_currency, valid_from, valid_until, image_id, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            } else {
                "UPDATE promotions SET sap_id = $2, title_ar = $3, title_en = $4, kind = $5, buy_packs = $6, free_packs = $7, \
                 bundle_packs = $8, bundle_price_minor = $9, bundle_currency = $10, valid_from = $11, valid_until = $12, image_id = $13, \
                 active = $14 WHERE id = $1"
            };
            let n = sqlx::query::<E>(sql)
                .bind(p.id.0).bind(&p.sap_id).bind(&p.title.ar).bind(&p.title.en).bind(kind).bind(buy).bind(free).bind(packs).bind(price)
                .bind(code).bind(DbTime(p.valid_from)).bind(DbTime(p.valid_until)).bind(p.image_id).bind(p.active)
                .execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
            if n == 0 {
                return Err(RepoError::NotFound);
            }
            sqlx::query::<E>("DELETE FROM promotion_products WHERE promotion_id = $1").bind(p.id.0).execute(&mut *tx).await.map_err(repo_error)?;
            for product in &p.product_ids {
                sqlx::query::<E>("INSERT INTO promotion_products (promotion_id, product_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(p.id.0).bind(product.0).execute(&mut *tx).await.map_err(repo_error)?;
            }
            tx.commit().await.map_err(repo_error)
        })
    }
}

#[derive(Clone, Copy)]
enum Bind {
    Id(Uuid),
    Time(OffsetDateTime),
}

#[async_trait]
impl PromotionRepository for SqlPromotionRepository {
    async fn create(&self, p: &Promotion) -> Result<(), RepoError> {
        self.write(p, true).await
    }

    async fn update(&self, p: &Promotion) -> Result<(), RepoError> {
        self.write(p, false).await
    }

    async fn get(&self, id: PromotionId) -> Result<Option<Promotion>, RepoError> {
        Ok(self.load("p.id = $1", Bind::Id(id.0)).await?.into_iter().next())
    }

    async fn valid_at(&self, now: OffsetDateTime) -> Result<Vec<Promotion>, RepoError> {
        self.load("p.active = TRUE AND p.valid_from <= $1 AND p.valid_until > $1", Bind::Time(now)).await
    }
}
