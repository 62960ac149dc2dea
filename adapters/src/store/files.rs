//! The SQL store of file metadata (the bytes are in the file store, `crate::files`).
use async_trait::async_trait;
use sabil_core::domain::files::{FileId, ImageType, StoredFile};
use sabil_core::domain::{Page, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::FileRepository;
use uuid::Uuid;

use super::users::page_of;
use super::{Db, DbTime, repo_error, with_db};

/// File metadata in SQL.
#[derive(Clone, Debug)]
pub struct SqlFileRepository {
    db: Db,
}

impl SqlFileRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct FileRow {
    id: Uuid,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    created_at: DbTime,
    uploaded_by: Uuid,
}

impl TryFrom<FileRow> for StoredFile {
    type Error = RepoError;

    fn try_from(r: FileRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: FileId(r.id),
            content_type: ImageType::from_mime(&r.content_type)
                .ok_or_else(|| RepoError::Internal(format!("stored content type {:?} is not valid", r.content_type)))?,
            size: u64::try_from(r.size_bytes).map_err(|_| RepoError::Internal(format!("stored file size {} is negative", r.size_bytes)))?,
            sha256: r.sha256,
            created_at: r.created_at.0,
            uploaded_by: UserId(r.uploaded_by),
        })
    }
}

#[async_trait]
impl FileRepository for SqlFileRepository {
    async fn create(&self, f: &StoredFile) -> Result<(), RepoError> {
        let size = i64::try_from(f.size).map_err(|_| RepoError::Internal(format!("file size {} does not fit the column", f.size)))?;
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO files (id, content_type, size_bytes, sha256, created_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(f.id.0).bind(f.content_type.mime()).bind(size).bind(&f.sha256).bind(DbTime(f.created_at)).bind(f.uploaded_by.0)
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn get(&self, id: FileId) -> Result<Option<StoredFile>, RepoError> {
        const SQL: &str = "SELECT id, content_type, size_bytes, sha256, created_at, uploaded_by FROM files WHERE id = $1";
        let row: Option<FileRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, FileRow>(SQL)
            .bind(id.0).fetch_optional(pool).await)
        .map_err(repo_error)?;
        row.map(StoredFile::try_from).transpose()
    }

    async fn list(&self, page: &PageRequest) -> Result<Page<StoredFile>, RepoError> {
        const SQL: &str = "SELECT id, content_type, size_bytes, sha256, created_at, uploaded_by FROM files \
             WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2";
        let rows: Vec<FileRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, FileRow>(SQL)
            .bind(page.cursor).bind(i64::from(page.limit) + 1).fetch_all(pool).await)
        .map_err(repo_error)?;
        let files = rows.into_iter().map(StoredFile::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(files, page.limit, |f| f.id.0))
    }
}
