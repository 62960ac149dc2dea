//! The SQL store of customers' delivery addresses, with the per-customer cap enforced atomically. Every
//! creation, update and deletion writes its change record for SAP in the same transaction.
use async_trait::async_trait;
use sabil_core::domain::address::{Address, AddressDetails, AddressFields, AddressId, AddressKind, AddressText};
use sabil_core::domain::delivery::{DeliveryAreaId, MapPoint};
use sabil_core::domain::sync::{ChangeOperation, OutboundEntity};
use sabil_core::domain::{Page, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{AddressRepository, truncate_to_micros};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use super::catalog::corrupt;
use super::change_json::address_change;
use super::sync::insert_change;
use super::users::page_of;
use super::{Db, DbTime, Dialect, repo_error, with_db};

const ADDRESS_COLUMNS: &str = "id, user_id, sap_id, kind, label, block, street, avenue, house, building, floor, apartment, office, \
     directions, latitude, longitude, area_id, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct AddressRow {
    id: Uuid,
    user_id: Uuid,
    sap_id: Option<String>,
    kind: String,
    label: String,
    block: String,
    street: String,
    avenue: Option<String>,
    house: Option<String>,
    building: Option<String>,
    floor: Option<String>,
    apartment: Option<String>,
    office: Option<String>,
    directions: Option<String>,
    latitude: f64,
    longitude: f64,
    area_id: Uuid,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<AddressRow> for Address {
    type Error = RepoError;

    fn try_from(r: AddressRow) -> Result<Self, RepoError> {
        let kind = AddressKind::parse(&r.kind).ok_or_else(|| corrupt("address kind", &r.kind))?;
        let fields = AddressFields {
            label: Some(r.label),
            block: Some(r.block),
            street: Some(r.street),
            avenue: r.avenue,
            house: r.house,
            building: r.building,
            floor: r.floor,
            apartment: r.apartment,
            office: r.office,
            directions: r.directions,
        };
        let details = AddressDetails::from_stored(kind, fields).ok_or_else(|| corrupt("address fields of kind", &r.kind))?;
        Ok(Self {
            id: AddressId(r.id),
            user_id: UserId(r.user_id),
            sap_id: r.sap_id,
            details,
            location: MapPoint { latitude: r.latitude, longitude: r.longitude },
            area_id: DeliveryAreaId(r.area_id),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// The kind-dependent columns: house, building, floor, apartment, office.
fn premises_columns(d: &AddressDetails) -> [Option<&str>; 5] {
    let p = &d.premises;
    [p.house(), p.building(), p.floor(), p.apartment(), p.office()].map(|t| t.map(AddressText::as_str))
}

/// Delivery addresses in SQL.
#[derive(Clone, Debug)]
pub struct SqlAddressRepository {
    db: Db,
}

impl SqlAddressRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes the owner's addresses matching `condition` (`$1` the id, `$2` the owner) with one deletion
    /// record each (the address as it was, by id), in one transaction; returns how many.
    async fn delete_where(&self, condition: &'static str, id: Option<Uuid>, owner: UserId) -> Result<u64, RepoError> {
        // The port passes no time for deletions.
        let now = truncate_to_micros(OffsetDateTime::now_utc());
        let sql = format!("DELETE FROM addresses WHERE {condition} RETURNING {ADDRESS_COLUMNS}");
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let rows: Vec<AddressRow> = sqlx::query_as::<E, AddressRow>(AssertSqlSafe(sql))
                .bind(id).bind(owner.0).fetch_all(&mut *tx).await.map_err(repo_error)?;
            let mut deleted = rows.into_iter().map(Address::try_from).collect::<Result<Vec<_>, _>>()?;
            deleted.sort_by_key(|a| a.id);
            for a in &deleted {
                insert_change!(E, tx, OutboundEntity::Address, a.id.0, ChangeOperation::Delete, address_change(a), now);
            }
            tx.commit().await.map_err(repo_error)?;
            Ok(deleted.len() as u64)
        })
    }
}

#[async_trait]
impl AddressRepository for SqlAddressRepository {
    async fn create(&self, a: &Address, limit: u32) -> Result<bool, RepoError> {
        let d = &a.details;
        let [house, building, floor, apartment, office] = premises_columns(d);
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            // The owner's row is the lock: concurrent creations for one customer count one after
            // the other (SQLite's write transactions are exclusive anyway).
            let lock = format!("SELECT id FROM users WHERE id = $1{}", E::FOR_UPDATE);
            let owner: Option<(Uuid,)> =
                sqlx::query_as::<E, (Uuid,)>(AssertSqlSafe(lock)).bind(a.user_id.0).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            if owner.is_none() {
                return Err(RepoError::Conflict("addresses.user_id".into()));
            }
            let (count,): (i64,) = sqlx::query_as::<E, (i64,)>("SELECT COUNT(*) FROM addresses WHERE user_id = $1")
                .bind(a.user_id.0).fetch_one(&mut *tx).await.map_err(repo_error)?;
            if count >= i64::from(limit) {
                return Ok(false);
            }
            sqlx::query::<E>(
                "INSERT INTO addresses (id, user_id, sap_id, kind, label, block, street, avenue, house, building, floor, apartment, \
                 office, directions, latitude, longitude, area_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
            )
            .bind(a.id.0).bind(a.user_id.0).bind(&a.sap_id).bind(d.kind().as_str()).bind(d.label.as_str()).bind(d.block.as_str())
            .bind(d.street.as_str()).bind(d.avenue.as_ref().map(AddressText::as_str)).bind(house).bind(building).bind(floor)
            .bind(apartment).bind(office).bind(d.directions.as_ref().map(AddressText::as_str)).bind(a.location.latitude)
            .bind(a.location.longitude).bind(a.area_id.0).bind(DbTime(a.created_at)).bind(DbTime(a.updated_at))
            .execute(&mut *tx).await.map_err(repo_error)?;
            insert_change!(E, tx, OutboundEntity::Address, a.id.0, ChangeOperation::Create, address_change(a), a.created_at);
            tx.commit().await.map_err(repo_error)?;
            Ok(true)
        })
    }

    async fn update(&self, a: &Address) -> Result<(), RepoError> {
        let d = &a.details;
        let [house, building, floor, apartment, office] = premises_columns(d);
        let sql = format!(
            "UPDATE addresses SET kind = $3, label = $4, block = $5, street = $6, avenue = $7, house = $8, building = $9, floor = $10, \
             apartment = $11, office = $12, directions = $13, latitude = $14, longitude = $15, area_id = $16, updated_at = $17 \
             WHERE id = $1 AND user_id = $2 RETURNING {ADDRESS_COLUMNS}"
        );
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let row: Option<AddressRow> = sqlx::query_as::<E, AddressRow>(AssertSqlSafe(sql))
                .bind(a.id.0).bind(a.user_id.0).bind(d.kind().as_str()).bind(d.label.as_str()).bind(d.block.as_str()).bind(d.street.as_str())
                .bind(d.avenue.as_ref().map(AddressText::as_str)).bind(house).bind(building).bind(floor).bind(apartment).bind(office)
                .bind(d.directions.as_ref().map(AddressText::as_str)).bind(a.location.latitude).bind(a.location.longitude).bind(a.area_id.0)
                .bind(DbTime(a.updated_at))
                .fetch_optional(&mut *tx).await.map_err(repo_error)?;
            // The stored row, not `a`: its SAP id may have arrived since `a` was read.
            let stored = Address::try_from(row.ok_or(RepoError::NotFound)?)?;
            insert_change!(E, tx, OutboundEntity::Address, stored.id.0, ChangeOperation::Update, address_change(&stored), a.updated_at);
            tx.commit().await.map_err(repo_error)
        })
    }

    async fn get(&self, owner: UserId, id: AddressId) -> Result<Option<Address>, RepoError> {
        let sql = format!("SELECT {ADDRESS_COLUMNS} FROM addresses WHERE id = $1 AND user_id = $2");
        let row: Option<AddressRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, AddressRow>(AssertSqlSafe(sql))
            .bind(id.0).bind(owner.0).fetch_optional(pool).await)
        .map_err(repo_error)?;
        row.map(Address::try_from).transpose()
    }

    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<Address>, RepoError> {
        let sql = format!("SELECT {ADDRESS_COLUMNS} FROM addresses WHERE user_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3");
        let rows: Vec<AddressRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, AddressRow>(AssertSqlSafe(sql))
            .bind(owner.0).bind(page.cursor).bind(i64::from(page.limit) + 1).fetch_all(pool).await)
        .map_err(repo_error)?;
        let addresses = rows.into_iter().map(Address::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(addresses, page.limit, |a| a.id.0))
    }

    async fn delete(&self, owner: UserId, id: AddressId) -> Result<(), RepoError> {
        let deleted = self.delete_where("id = $1 AND user_id = $2", Some(id.0), owner).await?;
        if deleted == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn delete_all_for(&self, owner: UserId) -> Result<u64, RepoError> {
        self.delete_where("($1 IS NULL OR id = $1) AND user_id = $2", None, owner).await
    }
}
