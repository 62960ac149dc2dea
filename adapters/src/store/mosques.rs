//! The SQL store of mosques.
use async_trait::async_trait;
use sabil_core::domain::LocalizedText;
use sabil_core::domain::delivery::{DeliveryAreaId, MapPoint};
use sabil_core::domain::mosque::{Mosque, MosqueId};
use sabil_core::error::RepoError;
use sabil_core::ports::{MosqueQuery, MosqueRepository};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::{Db, DbTime, repo_error, with_db};

const MOSQUE_COLUMNS: &str = "id, sap_id, name_ar, name_en, latitude, longitude, area_id, active, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct MosqueRow {
    id: Uuid,
    sap_id: Option<String>,
    name_ar: String,
    name_en: String,
    latitude: f64,
    longitude: f64,
    area_id: Uuid,
    active: bool,
    created_at: DbTime,
    updated_at: DbTime,
}

impl From<MosqueRow> for Mosque {
    fn from(r: MosqueRow) -> Self {
        Self {
            id: MosqueId(r.id),
            sap_id: r.sap_id,
            name: LocalizedText { ar: r.name_ar, en: r.name_en },
            location: MapPoint { latitude: r.latitude, longitude: r.longitude },
            area_id: DeliveryAreaId(r.area_id),
            active: r.active,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

/// Mosques in SQL.
#[derive(Clone, Debug)]
pub struct SqlMosqueRepository {
    db: Db,
}

impl SqlMosqueRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl MosqueRepository for SqlMosqueRepository {
    async fn create(&self, m: &Mosque) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO mosques (id, sap_id, name_ar, name_en, latitude, longitude, area_id, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(m.id.0).bind(&m.sap_id).bind(&m.name.ar).bind(&m.name.en).bind(m.location.latitude).bind(m.location.longitude)
        .bind(m.area_id.0).bind(m.active).bind(DbTime(m.created_at)).bind(DbTime(m.updated_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn update(&self, m: &Mosque) -> Result<(), RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE mosques SET sap_id = $2, name_ar = $3, name_en = $4, latitude = $5, longitude = $6, area_id = $7, active = $8, \
             updated_at = $9 WHERE id = $1",
        )
        .bind(m.id.0).bind(&m.sap_id).bind(&m.name.ar).bind(&m.name.en).bind(m.location.latitude).bind(m.location.longitude)
        .bind(m.area_id.0).bind(m.active).bind(DbTime(m.updated_at))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        if n == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn get(&self, id: MosqueId) -> Result<Option<Mosque>, RepoError> {
        let sql = format!("SELECT {MOSQUE_COLUMNS} FROM mosques WHERE id = $1");
        let row: Option<MosqueRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, MosqueRow>(AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        Ok(row.map(Mosque::from))
    }

    async fn list(&self, q: &MosqueQuery) -> Result<Vec<Mosque>, RepoError> {
        let sql = format!("SELECT {MOSQUE_COLUMNS} FROM mosques WHERE ($1 IS NULL OR area_id = $1) AND ($2 = FALSE OR active = TRUE)");
        let rows: Vec<MosqueRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, MosqueRow>(AssertSqlSafe(sql))
            .bind(q.area.map(|a| a.0)).bind(q.active_only).fetch_all(pool).await)
        .map_err(repo_error)?;
        let mut mosques: Vec<Mosque> = rows.into_iter().map(Mosque::from).collect();
        // Sorted here, byte-wise: database collations differ between the engines.
        mosques.sort_by(|a, b| (a.name.en.as_str(), a.id).cmp(&(b.name.en.as_str(), b.id)));
        Ok(mosques)
    }
}
