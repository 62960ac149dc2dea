//! One active sync-worker among replicas: on PostgreSQL a session advisory lock held on a dedicated
//! connection (released by the server when the worker's connection dies, so a standby takes over); on
//! SQLite an exclusive lock on a file beside the database (released by the OS when the process dies).
use std::fs::{File, OpenOptions, TryLockError};

use sqlx::{PgConnection, Row};

use super::Db;

/// The advisory-lock key of the SAP sync worker ("sabil" + 1 in ASCII, as a number).
pub const SYNC_WORKER_LOCK: i64 = 0x7361_6269_6C01;

/// Held leadership; dropping it gives leadership up (the PostgreSQL connection is taken out of the pool,
/// so dropping it closes the session and the server releases the lock).
#[derive(Debug)]
pub enum Leadership {
    Postgres(PgConnection),
    File(File),
    /// An in-memory SQLite database cannot be shared by processes: nothing to lock.
    Alone,
}

/// Tries to become the one active worker for `key`; `Ok(None)` when another process leads.
///
/// # Errors
/// The database or the lock file could not be reached.
pub async fn try_lead(db: &Db, key: i64) -> Result<Option<Leadership>, String> {
    match db {
        Db::Postgres(pool) => {
            let mut conn = pool.acquire().await.map_err(|e| e.to_string())?.detach();
            let got: bool = sqlx::query("SELECT pg_try_advisory_lock($1)")
                .bind(key)
                .fetch_one(&mut conn)
                .await
                .and_then(|row| row.try_get(0))
                .map_err(|e| e.to_string())?;
            Ok(got.then_some(Leadership::Postgres(conn)))
        }
        Db::Sqlite(pool) => {
            let db_file = pool.connect_options().get_filename().to_path_buf();
            if db_file.as_os_str().is_empty() || db_file.to_string_lossy().contains(":memory:") {
                return Ok(Some(Leadership::Alone));
            }
            let mut path = db_file.into_os_string();
            path.push(format!(".lock-{key:x}"));
            let file = OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| e.to_string())?;
            match file.try_lock() {
                Ok(()) => Ok(Some(Leadership::File(file))),
                Err(TryLockError::WouldBlock) => Ok(None),
                Err(TryLockError::Error(e)) => Err(e.to_string()),
            }
        }
    }
}

impl Leadership {
    /// Whether the lock is still held (the PostgreSQL connection still answers; a file lock lasts as
    /// long as the process).
    pub async fn still_held(&mut self) -> bool {
        match self {
            Self::Postgres(conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok(),
            Self::File(_) | Self::Alone => true,
        }
    }
}
