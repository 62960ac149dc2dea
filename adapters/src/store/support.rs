//! SQL stores of support content: FAQ categories and questions, contact channels, terms versions
//! and acceptances.
use async_trait::async_trait;
use sabil_core::domain::support::{
    ContactAddress, ContactChannel, ContactChannelId, ContactKind, FaqCategory, FaqCategoryId, FaqQuestion, FaqQuestionId, TermsAcceptance,
    TermsVersion,
};
use sabil_core::domain::{LocalizedText, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{ContactRepository, FaqRepository, TermsRepository};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::catalog::corrupt;
use super::{Db, DbTime, Dialect, repo_error, with_db};

const CATEGORY_COLUMNS: &str = "id, title_ar, title_en, sort_order, active, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: Uuid,
    title_ar: String,
    title_en: String,
    sort_order: i32,
    active: bool,
    created_at: DbTime,
    updated_at: DbTime,
}

impl From<CategoryRow> for FaqCategory {
    fn from(r: CategoryRow) -> Self {
        Self {
            id: FaqCategoryId(r.id),
            title: LocalizedText { ar: r.title_ar, en: r.title_en },
            sort_order: r.sort_order,
            active: r.active,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

const QUESTION_COLUMNS: &str =
    "id, category_id, question_ar, question_en, answer_ar, answer_en, sort_order, active, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: Uuid,
    category_id: Uuid,
    question_ar: String,
    question_en: String,
    answer_ar: String,
    answer_en: String,
    sort_order: i32,
    active: bool,
    created_at: DbTime,
    updated_at: DbTime,
}

impl From<QuestionRow> for FaqQuestion {
    fn from(r: QuestionRow) -> Self {
        Self {
            id: FaqQuestionId(r.id),
            category_id: FaqCategoryId(r.category_id),
            question: LocalizedText { ar: r.question_ar, en: r.question_en },
            answer: LocalizedText { ar: r.answer_ar, en: r.answer_en },
            sort_order: r.sort_order,
            active: r.active,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

fn affected(n: u64) -> Result<(), RepoError> {
    if n == 0 { Err(RepoError::NotFound) } else { Ok(()) }
}

/// FAQ categories and questions in SQL.
#[derive(Clone, Debug)]
pub struct SqlFaqRepository {
    db: Db,
}

impl SqlFaqRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl FaqRepository for SqlFaqRepository {
    async fn create_category(&self, c: &FaqCategory) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO faq_categories (id, title_ar, title_en, sort_order, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.id.0).bind(&c.title.ar).bind(&c.title.en).bind(c.sort_order).bind(c.active).bind(DbTime(c.created_at))
        .bind(DbTime(c.updated_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn update_category(&self, c: &FaqCategory) -> Result<(), RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE faq_categories SET title_ar = $2, title_en = $3, sort_order = $4, active = $5, updated_at = $6 WHERE id = $1",
        )
        .bind(c.id.0).bind(&c.title.ar).bind(&c.title.en).bind(c.sort_order).bind(c.active).bind(DbTime(c.updated_at))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        affected(n)
    }

    async fn get_category(&self, id: FaqCategoryId) -> Result<Option<FaqCategory>, RepoError> {
        let sql = format!("SELECT {CATEGORY_COLUMNS} FROM faq_categories WHERE id = $1");
        let row: Option<CategoryRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, CategoryRow>(AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        Ok(row.map(FaqCategory::from))
    }

    async fn categories(&self, active_only: bool) -> Result<Vec<FaqCategory>, RepoError> {
        let sql = format!("SELECT {CATEGORY_COLUMNS} FROM faq_categories WHERE ($1 = FALSE OR active = TRUE) ORDER BY sort_order, id");
        let rows: Vec<CategoryRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, CategoryRow>(AssertSqlSafe(sql)).bind(active_only).fetch_all(pool).await)
                .map_err(repo_error)?;
        Ok(rows.into_iter().map(FaqCategory::from).collect())
    }

    async fn create_question(&self, q: &FaqQuestion) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO faq_questions (id, category_id, question_ar, question_en, answer_ar, answer_en, sort_order, active, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(q.id.0).bind(q.category_id.0).bind(&q.question.ar).bind(&q.question.en).bind(&q.answer.ar).bind(&q.answer.en)
        .bind(q.sort_order).bind(q.active).bind(DbTime(q.created_at)).bind(DbTime(q.updated_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn update_question(&self, q: &FaqQuestion) -> Result<(), RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE faq_questions SET category_id = $2, question_ar = $3, question_en = $4, answer_ar = $5, answer_en = $6, \
             sort_order = $7, active = $8, updated_at = $9 WHERE id = $1",
        )
        .bind(q.id.0).bind(q.category_id.0).bind(&q.question.ar).bind(&q.question.en).bind(&q.answer.ar).bind(&q.answer.en)
        .bind(q.sort_order).bind(q.active).bind(DbTime(q.updated_at))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        affected(n)
    }

    async fn get_question(&self, id: FaqQuestionId) -> Result<Option<FaqQuestion>, RepoError> {
        let sql = format!("SELECT {QUESTION_COLUMNS} FROM faq_questions WHERE id = $1");
        let row: Option<QuestionRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, QuestionRow>(AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        Ok(row.map(FaqQuestion::from))
    }

    async fn questions(&self, active_only: bool) -> Result<Vec<FaqQuestion>, RepoError> {
        let sql = format!("SELECT {QUESTION_COLUMNS} FROM faq_questions WHERE ($1 = FALSE OR active = TRUE) ORDER BY sort_order, id");
        let rows: Vec<QuestionRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, QuestionRow>(AssertSqlSafe(sql)).bind(active_only).fetch_all(pool).await)
                .map_err(repo_error)?;
        Ok(rows.into_iter().map(FaqQuestion::from).collect())
    }
}

const CONTACT_COLUMNS: &str = "id, kind, value, label_ar, label_en, sort_order, active, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: Uuid,
    kind: String,
    value: String,
    label_ar: String,
    label_en: String,
    sort_order: i32,
    active: bool,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<ContactRow> for ContactChannel {
    type Error = RepoError;

    fn try_from(r: ContactRow) -> Result<Self, RepoError> {
        let kind = ContactKind::parse(&r.kind).ok_or_else(|| corrupt("contact kind", &r.kind))?;
        Ok(Self {
            id: ContactChannelId(r.id),
            address: ContactAddress::from_stored(kind, r.value),
            label: LocalizedText { ar: r.label_ar, en: r.label_en },
            sort_order: r.sort_order,
            active: r.active,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// Contact channels in SQL.
#[derive(Clone, Debug)]
pub struct SqlContactRepository {
    db: Db,
}

impl SqlContactRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl ContactRepository for SqlContactRepository {
    async fn create(&self, c: &ContactChannel) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO contact_channels (id, kind, value, label_ar, label_en, sort_order, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.id.0).bind(c.address.kind().as_str()).bind(c.address.value()).bind(&c.label.ar).bind(&c.label.en).bind(c.sort_order)
        .bind(c.active).bind(DbTime(c.created_at)).bind(DbTime(c.updated_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)
    }

    async fn update(&self, c: &ContactChannel) -> Result<(), RepoError> {
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "UPDATE contact_channels SET kind = $2, value = $3, label_ar = $4, label_en = $5, sort_order = $6, active = $7, \
             updated_at = $8 WHERE id = $1",
        )
        .bind(c.id.0).bind(c.address.kind().as_str()).bind(c.address.value()).bind(&c.label.ar).bind(&c.label.en).bind(c.sort_order)
        .bind(c.active).bind(DbTime(c.updated_at))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        affected(n)
    }

    async fn get(&self, id: ContactChannelId) -> Result<Option<ContactChannel>, RepoError> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contact_channels WHERE id = $1");
        let row: Option<ContactRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, ContactRow>(AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(ContactChannel::try_from).transpose()
    }

    async fn list(&self, active_only: bool) -> Result<Vec<ContactChannel>, RepoError> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contact_channels WHERE ($1 = FALSE OR active = TRUE) ORDER BY sort_order, id");
        let rows: Vec<ContactRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, ContactRow>(AssertSqlSafe(sql)).bind(active_only).fetch_all(pool).await)
                .map_err(repo_error)?;
        rows.into_iter().map(ContactChannel::try_from).collect()
    }
}

#[derive(sqlx::FromRow)]
struct TermsRow {
    version: i32,
    body_ar: String,
    body_en: String,
    published_at: DbTime,
}

impl TryFrom<TermsRow> for TermsVersion {
    type Error = RepoError;

    fn try_from(r: TermsRow) -> Result<Self, RepoError> {
        Ok(Self {
            version: u32::try_from(r.version).map_err(|_| corrupt("terms version", &r.version.to_string()))?,
            body: LocalizedText { ar: r.body_ar, en: r.body_en },
            published_at: r.published_at.0,
        })
    }
}

fn db_version(v: u32) -> Result<i32, RepoError> {
    i32::try_from(v).map_err(|_| RepoError::Conflict("terms_versions.version".into()))
}

/// Terms versions and acceptances in SQL.
#[derive(Clone, Debug)]
pub struct SqlTermsRepository {
    db: Db,
}

impl SqlTermsRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn one(&self, condition: &str, version: Option<i32>) -> Result<Option<TermsVersion>, RepoError> {
        let sql = format!("SELECT version, body_ar, body_en, published_at FROM terms_versions {condition}");
        let row: Option<TermsRow> = with_db!(&self.db, pool, E => {
            let query = sqlx::query_as::<E, TermsRow>(AssertSqlSafe(sql));
            match version {
                Some(v) => query.bind(v).fetch_optional(pool).await,
                None => query.fetch_optional(pool).await,
            }
        })
        .map_err(repo_error)?;
        row.map(TermsVersion::try_from).transpose()
    }
}

#[async_trait]
impl TermsRepository for SqlTermsRepository {
    async fn publish(&self, t: &TermsVersion) -> Result<(), RepoError> {
        let version = db_version(t.version)?;
        // Only a number above every stored one goes in; two publishers of one number collide on the key.
        let n = with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO terms_versions (version, body_ar, body_en, published_at) SELECT $1, $2, $3, $4 \
             WHERE NOT EXISTS (SELECT 1 FROM terms_versions WHERE version >= $1)",
        )
        .bind(version).bind(&t.body.ar).bind(&t.body.en).bind(DbTime(t.published_at))
        .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(repo_error)?;
        if n == 0 { Err(RepoError::Conflict("terms_versions.version".into())) } else { Ok(()) }
    }

    async fn latest(&self) -> Result<Option<TermsVersion>, RepoError> {
        self.one("ORDER BY version DESC LIMIT 1", None).await
    }

    async fn get(&self, version: u32) -> Result<Option<TermsVersion>, RepoError> {
        let Ok(version) = i32::try_from(version) else { return Ok(None) };
        self.one("WHERE version = $1", Some(version)).await
    }

    async fn accept(&self, a: &TermsAcceptance) -> Result<TermsAcceptance, RepoError> {
        let version = db_version(a.version)?;
        let accepted_at: DbTime = with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            sqlx::query::<E>("INSERT INTO terms_acceptances (user_id, version, accepted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(a.user_id.0).bind(version).bind(DbTime(a.accepted_at)).execute(&mut *tx).await.map_err(repo_error)?;
            let first: (DbTime,) = sqlx::query_as::<E, (DbTime,)>("SELECT accepted_at FROM terms_acceptances WHERE user_id = $1 AND version = $2")
                .bind(a.user_id.0).bind(version).fetch_one(&mut *tx).await.map_err(repo_error)?;
            tx.commit().await.map_err(repo_error)?;
            first.0
        });
        Ok(TermsAcceptance { accepted_at: accepted_at.0, ..*a })
    }

    async fn acceptance(&self, user: UserId, version: u32) -> Result<Option<TermsAcceptance>, RepoError> {
        let Ok(v) = i32::try_from(version) else { return Ok(None) };
        let row: Option<(DbTime,)> = with_db!(&self.db, pool, E => sqlx::query_as::<E, (DbTime,)>(
            "SELECT accepted_at FROM terms_acceptances WHERE user_id = $1 AND version = $2",
        )
        .bind(user.0).bind(v).fetch_optional(pool).await)
        .map_err(repo_error)?;
        Ok(row.map(|(t,)| TermsAcceptance { user_id: user, version, accepted_at: t.0 }))
    }
}
