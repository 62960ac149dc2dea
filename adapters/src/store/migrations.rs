//! What `sabil db status` shows: each embedded migration of the engine and whether the database applied
//! it (when, and whether the applied text is still the embedded one), plus any migration the database
//! has that this build does not know (a newer build migrated it).
use std::collections::BTreeMap;

use sqlx::migrate::Migrator;

use super::{Db, with_db};

/// Where one migration stands in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied, with the embedded text.
    Applied,
    /// Not applied yet: `sabil db migrate` applies it.
    Pending,
    /// Applied, but the embedded file has changed since (never edit an applied migration).
    Changed,
    /// Recorded as failed halfway.
    Failed,
    /// Applied by another build; this build does not have it.
    Unknown,
}

impl MigrationState {
    /// Lower-case name, for tables and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Pending => "pending",
            Self::Changed => "changed",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }
}

/// One migration and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub state: MigrationState,
    /// When the database applied it, as the database wrote it (UTC); `None` while pending.
    pub installed_on: Option<String>,
}

type AppliedRow = (i64, String, String, bool, Vec<u8>);

const APPLIED: &str = "SELECT version, description, CAST(installed_on AS TEXT), success, checksum FROM _sqlx_migrations ORDER BY version";

impl Db {
    fn migrator(&self) -> Migrator {
        match self {
            Self::Sqlite(_) => sqlx::migrate!("../migrations/sqlite"),
            Self::Postgres(_) => sqlx::migrate!("../migrations/postgres"),
        }
    }

    /// Every migration, embedded or recorded, by version.
    ///
    /// # Errors
    /// The database's error text when it cannot be read.
    pub async fn migration_status(&self) -> Result<Vec<MigrationStatus>, String> {
        let exists: (i64,) = match self {
            Self::Sqlite(pool) => {
                sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                    .fetch_one(pool)
                    .await
            }
            Self::Postgres(pool) => {
                sqlx::query_as("SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = '_sqlx_migrations'").fetch_one(pool).await
            }
        }
        .map_err(|e| e.to_string())?;
        let applied: Vec<AppliedRow> = if exists.0 == 0 {
            Vec::new()
        } else {
            with_db!(self, pool, E => sqlx::query_as::<E, AppliedRow>(APPLIED).fetch_all(pool).await).map_err(|e| e.to_string())?
        };
        let mut applied: BTreeMap<i64, AppliedRow> = applied.into_iter().map(|row| (row.0, row)).collect();
        let mut all = Vec::new();
        for m in self.migrator().iter().filter(|m| !m.migration_type.is_down_migration()) {
            let (state, installed_on) = match applied.remove(&m.version) {
                None => (MigrationState::Pending, None),
                Some((_, _, _, false, _)) => (MigrationState::Failed, None),
                Some((_, _, on, true, checksum)) if checksum != *m.checksum => (MigrationState::Changed, Some(on)),
                Some((_, _, on, true, _)) => (MigrationState::Applied, Some(on)),
            };
            all.push(MigrationStatus { version: m.version, description: m.description.to_string(), state, installed_on });
        }
        all.extend(applied.into_values().map(|(version, description, on, _, _)| MigrationStatus {
            version,
            description,
            state: MigrationState::Unknown,
            installed_on: Some(on),
        }));
        all.sort_by_key(|m| m.version);
        Ok(all)
    }
}
