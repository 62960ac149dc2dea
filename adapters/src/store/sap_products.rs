//! SAP's product writes: the product and the version applied for its SAP id, in one atomic step (one
//! statement on PostgreSQL, one write transaction on SQLite), so a newer version written meanwhile is never
//! overwritten and a crash cannot leave one written without the other.
use sabil_core::domain::catalog::{Product, ProductId};
use sabil_core::domain::sync::InboundEntity;
use sabil_core::error::RepoError;
use sabil_core::ports::SapProductSave;
use time::OffsetDateTime;
use uuid::Uuid;

use super::catalog::db_count;
use super::{Db, DbTime, Dialect, repo_error};

/// The link upsert: writes only when the version is newer (and, when pinned, the SAP id is linked to
/// this product), and returns the product id to write.
const LINK: &str = "INSERT INTO sap_links (entity, sap_id, app_id, version, updated_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (entity, sap_id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at \
     WHERE sap_links.version < excluded.version AND ($6 = FALSE OR sap_links.app_id = excluded.app_id) RETURNING app_id";

/// The product columns SAP manages (not its image, not its creation time), as `col = excluded.col`.
const SAP_COLUMNS: &str = "sap_id = excluded.sap_id, title_ar = excluded.title_ar, title_en = excluded.title_en, \
     description_ar = excluded.description_ar, description_en = excluded.description_en, product_type = excluded.product_type, \
     volume_ml = excluded.volume_ml, bottles_per_pack = excluded.bottles_per_pack, price_minor = excluded.price_minor, \
     currency = excluded.currency, min_quantity = excluded.min_quantity, max_quantity = excluded.max_quantity, \
     active = excluded.active, sort_order = excluded.sort_order, updated_at = excluded.updated_at";

/// Binds the product fields SAP sends, in the order of `FIELDS`.
macro_rules! bind_sap_fields {
    ($query:expr, $p:expr) => {{
        let p: &Product = $p;
        $query
            .bind(&p.title.ar)
            .bind(&p.title.en)
            .bind(&p.description.ar)
            .bind(&p.description.en)
            .bind(p.product_type.as_str())
            .bind(db_count(p.volume_ml))
            .bind(db_count(p.bottles_per_pack))
            .bind(p.price_per_pack.minor)
            .bind(p.price_per_pack.currency.code())
            .bind(db_count(p.min_quantity))
            .bind(db_count(p.max_quantity))
            .bind(p.active)
            .bind(p.sort_order)
            .bind(DbTime(p.created_at))
            .bind(DbTime(p.updated_at))
    }};
}

/// The product columns written, in the order `bind_sap_fields!` binds them after the id and SAP id (the image,
/// which SAP never sends, is NULL for a new product).
const FIELDS: &str = "id, sap_id, title_ar, title_en, description_ar, description_en, product_type, volume_ml, bottles_per_pack, \
     price_minor, currency, min_quantity, max_quantity, active, sort_order, created_at, updated_at, image_id";

/// Writes SAP's `version` of `p` and its link (the contract of `SapLinkRepository::save_product`).
pub(super) async fn save_product(
    db: &Db,
    p: &Product,
    pinned: bool,
    version: i64,
    now: OffsetDateTime,
) -> Result<SapProductSave, RepoError> {
    let Some(sap_id) = p.sap_id.as_deref() else {
        return Err(RepoError::Internal("a product from SAP without its SAP id".into()));
    };
    let entity = InboundEntity::Product.as_str();
    let (id, created) = match db {
        Db::Postgres(pool) => {
            // One statement: the link's CTE decides, the product insert-or-update follows from its row.
            let sql = format!(
                "WITH link AS ({LINK}) INSERT INTO products ({FIELDS}) \
                 SELECT link.app_id, $2, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, NULL FROM link \
                 ON CONFLICT (id) DO UPDATE SET {SAP_COLUMNS} RETURNING id, (xmax = 0) AS created"
            );
            let query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(entity)
                .bind(sap_id)
                .bind(p.id.0)
                .bind(version)
                .bind(DbTime(now))
                .bind(pinned);
            let row: Option<(Uuid, bool)> = bind_sap_fields!(query, p).fetch_optional(pool).await.map_err(repo_error)?;
            match row {
                Some(row) => row,
                None => return Ok(SapProductSave::NotApplied),
            }
        }
        Db::Sqlite(pool) => {
            // No data-modifying CTEs in SQLite: the same steps in one write transaction.
            let mut tx = sqlx::Sqlite::begin_write(pool).await.map_err(repo_error)?;
            let linked: Option<(Uuid,)> = sqlx::query_as(LINK)
                .bind(entity)
                .bind(sap_id)
                .bind(p.id.0)
                .bind(version)
                .bind(DbTime(now))
                .bind(pinned)
                .fetch_optional(&mut *tx)
                .await
                .map_err(repo_error)?;
            let Some((id,)) = linked else {
                return Ok(SapProductSave::NotApplied);
            };
            let existed: Option<(i32,)> =
                sqlx::query_as("SELECT 1 FROM products WHERE id = $1").bind(id).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let sql = format!(
                "INSERT INTO products ({FIELDS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL) \
                 ON CONFLICT (id) DO UPDATE SET {SAP_COLUMNS}"
            );
            let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(sap_id);
            bind_sap_fields!(query, p).execute(&mut *tx).await.map_err(repo_error)?;
            tx.commit().await.map_err(repo_error)?;
            (id, existed.is_none())
        }
    };
    Ok(if created { SapProductSave::Created(ProductId(id)) } else { SapProductSave::Updated(ProductId(id)) })
}
