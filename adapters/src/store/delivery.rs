//! SQL stores of delivery areas and slots, with atomic slot reservations.
use async_trait::async_trait;
use sabil_core::domain::delivery::{AreaBoundary, DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId, MapPoint};
use sabil_core::domain::{LocalizedText, Money};
use sabil_core::error::RepoError;
use sabil_core::ports::{DeliveryAreaRepository, DeliverySlotRepository, SlotReservations};
use time::{Date, Time, Weekday};
use uuid::Uuid;

use super::catalog::{corrupt, currency};
use super::{Db, DbTime, Dialect, repo_error, with_db};

/// A boundary as stored: GeoJSON MultiPolygon coordinates, `[polygon][ring][[lon, lat]]`.
fn boundary_json(b: &AreaBoundary) -> String {
    let coords: Vec<Vec<Vec<[f64; 2]>>> = b
        .polygons()
        .iter()
        .map(|poly| poly.iter().map(|ring| ring.iter().map(|p| [p.longitude, p.latitude]).collect()).collect())
        .collect();
    serde_json::to_string(&coords).unwrap_or_else(|_| "[]".to_owned())
}

fn boundary_from_json(text: &str) -> Result<AreaBoundary, RepoError> {
    let coords: Vec<Vec<Vec<[f64; 2]>>> = serde_json::from_str(text).map_err(|_| corrupt("boundary", text))?;
    Ok(AreaBoundary::from_stored(
        coords
            .into_iter()
            .map(|poly| {
                poly.into_iter()
                    .map(|ring| ring.into_iter().map(|[lon, lat]| MapPoint { latitude: lat, longitude: lon }).collect())
                    .collect()
            })
            .collect(),
    ))
}

const AREA_COLUMNS: &str =
    "id, sap_id, name_ar, name_en, boundary, delivery_fee_minor, minimum_order_minor, currency, active, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct AreaRow {
    id: Uuid,
    sap_id: Option<String>,
    name_ar: String,
    name_en: String,
    boundary: Option<String>,
    delivery_fee_minor: i64,
    minimum_order_minor: i64,
    currency: String,
    active: bool,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<AreaRow> for DeliveryArea {
    type Error = RepoError;

    fn try_from(r: AreaRow) -> Result<Self, RepoError> {
        let currency = currency(&r.currency)?;
        Ok(Self {
            id: DeliveryAreaId(r.id),
            sap_id: r.sap_id,
            name: LocalizedText { ar: r.name_ar, en: r.name_en },
            boundary: r.boundary.as_deref().map(boundary_from_json).transpose()?,
            delivery_fee: Money::new(r.delivery_fee_minor, currency),
            minimum_order: Money::new(r.minimum_order_minor, currency),
            active: r.active,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// Delivery areas in SQL. Fee and minimum order share the area's currency.
#[derive(Clone, Debug)]
pub struct SqlDeliveryAreaRepository {
    db: Db,
}

impl SqlDeliveryAreaRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl DeliveryAreaRepository for SqlDeliveryAreaRepository {
    async fn create(&self, a: &DeliveryArea) -> Result<(), RepoError> {
        if a.delivery_fee.currency != a.minimum_order.currency {
            return Err(RepoError::Conflict("delivery_areas.currency".into()));
        }
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO delivery_areas (id, sap_id, name_ar, name_en, boundary, delivery_fee_minor, minimum_order_minor, currency, active, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(a.id.0).bind(&a.sap_id).bind(&a.name.ar).bind(&a.name.en).bind(a.boundary.as_ref().map(boundary_json))
        .bind(a.delivery_fee.minor).bind(a.minimum_order.minor).bind(a.delivery_fee.currency.code()).bind(a.active)
        .bind(DbTime(a.created_at)).bind(DbTime(a.updated_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn update(&self, a: &DeliveryArea) -> Result<(), RepoError> {
        if a.delivery_fee.currency != a.minimum_order.currency {
            return Err(RepoError::Conflict("delivery_areas.currency".into()));
        }
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE delivery_areas SET sap_id = $2, name_ar = $3, name_en = $4, boundary = $5, delivery_fee_minor = $6, \
             minimum_order_minor = $7, currency = $8, active = $9, updated_at = $10 WHERE id = $1",
        )
        .bind(a.id.0).bind(&a.sap_id).bind(&a.name.ar).bind(&a.name.en).bind(a.boundary.as_ref().map(boundary_json))
        .bind(a.delivery_fee.minor).bind(a.minimum_order.minor).bind(a.delivery_fee.currency.code()).bind(a.active)
        .bind(DbTime(a.updated_at))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        if n == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn get(&self, id: DeliveryAreaId) -> Result<Option<DeliveryArea>, RepoError> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM delivery_areas WHERE id = $1");
        let row: Option<AreaRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, AreaRow>(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(DeliveryArea::try_from).transpose()
    }

    async fn list(&self, active_only: bool) -> Result<Vec<DeliveryArea>, RepoError> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM delivery_areas WHERE ($1 = FALSE OR active = TRUE)");
        let rows: Vec<AreaRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, AreaRow>(sqlx::AssertSqlSafe(sql)).bind(active_only).fetch_all(pool).await)
                .map_err(repo_error)?;
        let mut areas = rows.into_iter().map(DeliveryArea::try_from).collect::<Result<Vec<_>, _>>()?;
        // Sorted here, byte-wise: database collations differ between the engines.
        areas.sort_by(|a, b| (a.name.en.as_str(), a.id).cmp(&(b.name.en.as_str(), b.id)));
        Ok(areas)
    }
}

#[derive(sqlx::FromRow)]
struct SlotRow {
    id: Uuid,
    area_id: Uuid,
    weekday: i32,
    starts_minute: i32,
    ends_minute: i32,
    capacity: i32,
    active: bool,
}

fn weekday(n: i32) -> Result<Weekday, RepoError> {
    Ok(match n {
        1 => Weekday::Monday,
        2 => Weekday::Tuesday,
        3 => Weekday::Wednesday,
        4 => Weekday::Thursday,
        5 => Weekday::Friday,
        6 => Weekday::Saturday,
        7 => Weekday::Sunday,
        other => return Err(corrupt("weekday", &other.to_string())),
    })
}

/// Minutes after midnight; 1440 (end of day) reads back as 23:59:59.999.
fn minute_of_day(t: Time) -> i32 {
    i32::from(t.hour()) * 60 + i32::from(t.minute())
}

fn time_of(minutes: i32) -> Result<Time, RepoError> {
    if minutes == 1440 {
        return Time::from_hms_milli(23, 59, 59, 999).map_err(|_| corrupt("slot time", "1440"));
    }
    let hour = u8::try_from(minutes / 60).map_err(|_| corrupt("slot time", &minutes.to_string()))?;
    let minute = u8::try_from(minutes % 60).map_err(|_| corrupt("slot time", &minutes.to_string()))?;
    Time::from_hms(hour, minute, 0).map_err(|_| corrupt("slot time", &minutes.to_string()))
}

impl TryFrom<SlotRow> for DeliverySlot {
    type Error = RepoError;

    fn try_from(r: SlotRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: DeliverySlotId(r.id),
            area_id: DeliveryAreaId(r.area_id),
            weekday: weekday(r.weekday)?,
            starts_at: time_of(r.starts_minute)?,
            ends_at: time_of(r.ends_minute)?,
            capacity: u32::try_from(r.capacity).map_err(|_| corrupt("capacity", &r.capacity.to_string()))?,
            active: r.active,
        })
    }
}

/// Delivery slots and their reservations in SQL.
#[derive(Clone, Debug)]
pub struct SqlDeliverySlotRepository {
    db: Db,
}

impl SqlDeliverySlotRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

const SLOT_COLUMNS: &str = "id, area_id, weekday, starts_minute, ends_minute, capacity, active";

/// The stored end minute: a slot ending at 23:59:59.999 ends at minute 1440.
fn end_minute(t: Time) -> i32 {
    if t.hour() == 23 && t.minute() == 59 && t.second() == 59 { 1440 } else { minute_of_day(t) }
}

#[async_trait]
impl DeliverySlotRepository for SqlDeliverySlotRepository {
    async fn create(&self, s: &DeliverySlot) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO delivery_slots (id, area_id, weekday, starts_minute, ends_minute, capacity, active) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(s.id.0).bind(s.area_id.0).bind(i32::from(s.weekday.number_from_monday())).bind(minute_of_day(s.starts_at))
        .bind(end_minute(s.ends_at)).bind(i32::try_from(s.capacity).unwrap_or(i32::MAX)).bind(s.active)
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn update(&self, s: &DeliverySlot) -> Result<(), RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE delivery_slots SET weekday = $2, starts_minute = $3, ends_minute = $4, capacity = $5, active = $6 WHERE id = $1",
        )
        .bind(s.id.0).bind(i32::from(s.weekday.number_from_monday())).bind(minute_of_day(s.starts_at)).bind(end_minute(s.ends_at))
        .bind(i32::try_from(s.capacity).unwrap_or(i32::MAX)).bind(s.active)
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        if n == 0 { Err(RepoError::NotFound) } else { Ok(()) }
    }

    async fn get(&self, id: DeliverySlotId) -> Result<Option<DeliverySlot>, RepoError> {
        let sql = format!("SELECT {SLOT_COLUMNS} FROM delivery_slots WHERE id = $1");
        let row: Option<SlotRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, SlotRow>(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(DeliverySlot::try_from).transpose()
    }

    async fn for_area(&self, area: DeliveryAreaId) -> Result<Vec<DeliverySlot>, RepoError> {
        let sql = format!("SELECT {SLOT_COLUMNS} FROM delivery_slots WHERE area_id = $1 ORDER BY weekday, starts_minute, id");
        let rows: Vec<SlotRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, SlotRow>(sqlx::AssertSqlSafe(sql)).bind(area.0).fetch_all(pool).await)
                .map_err(repo_error)?;
        rows.into_iter().map(DeliverySlot::try_from).collect()
    }

    async fn reservations(&self, area: DeliveryAreaId, from: Date, until: Date) -> Result<Vec<SlotReservations>, RepoError> {
        let rows: Vec<(Uuid, Date, i32)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (Uuid, Date, i32)>(
            "SELECT r.slot_id, r.delivery_date, r.reserved FROM slot_reservations r JOIN delivery_slots s ON s.id = r.slot_id \
             WHERE s.area_id = $1 AND r.delivery_date >= $2 AND r.delivery_date < $3 AND r.reserved > 0 ORDER BY r.delivery_date, r.slot_id",
        )
        .bind(area.0).bind(from).bind(until).fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(rows
            .into_iter()
            .map(|(slot, date, reserved)| SlotReservations {
                slot_id: DeliverySlotId(slot),
                date,
                reserved: u32::try_from(reserved).unwrap_or(0),
            })
            .collect())
    }

    async fn reserve(&self, slot: DeliverySlotId, date: Date) -> Result<bool, RepoError> {
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let exists: Option<(i32,)> = sqlx::query_as::<E, (i32,)>("SELECT capacity FROM delivery_slots WHERE id = $1")
                .bind(slot.0).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            if exists.is_none() {
                return Err(RepoError::NotFound);
            }
            sqlx::query::<E>("INSERT INTO slot_reservations (slot_id, delivery_date, reserved) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
                .bind(slot.0).bind(date).execute(&mut *tx).await.map_err(repo_error)?;
            // The capacity check and the increment are one statement: on PostgreSQL concurrent updates
            // of the row wait for each other and re-check the condition; SQLite writers are serial.
            let taken = sqlx::query::<E>(
                "UPDATE slot_reservations SET reserved = reserved + 1 WHERE slot_id = $1 AND delivery_date = $2 \
                 AND reserved < (SELECT capacity FROM delivery_slots WHERE id = $1)",
            )
            .bind(slot.0).bind(date).execute(&mut *tx).await.map_err(repo_error)?.rows_affected();
            tx.commit().await.map_err(repo_error)?;
            Ok(taken == 1)
        })
    }

    async fn release(&self, slot: DeliverySlotId, date: Date) -> Result<bool, RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE slot_reservations SET reserved = reserved - 1 WHERE slot_id = $1 AND delivery_date = $2 AND reserved > 0",
        )
        .bind(slot.0).bind(date).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        Ok(n == 1)
    }
}
