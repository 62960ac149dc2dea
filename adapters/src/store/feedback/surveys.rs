//! The SQL store of surveys and customers' answers. Every write of a survey or an answer records its
//! change for SAP in the same transaction; the database refuses a second answer of one customer, and
//! (by foreign keys) the deletion of an answered survey or the replacement of its questions.
use async_trait::async_trait;
use sabil_core::domain::feedback::{Survey, SurveyAnswer, SurveyId};
use sabil_core::domain::sync::{ChangeOperation, OutboundEntity};
use sabil_core::domain::{Page, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::SurveyRepository;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use super::json::{answer_change, survey_change};
use super::survey_rows::{ANSWER_COLUMNS, AnswerRow, SURVEY_COLUMNS, SurveyRow, insert_questions, item_values, with_items, with_questions};
use crate::store::sync::insert_change;
use crate::store::users::page_of;
use crate::store::{Db, DbTime, Dialect, repo_error, with_db};

/// Surveys and their answers in SQL.
#[derive(Clone, Debug)]
pub struct SqlSurveyRepository {
    db: Db,
}

impl SqlSurveyRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl SurveyRepository for SqlSurveyRepository {
    async fn create(&self, s: &Survey) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            sqlx::query::<E>(
                "INSERT INTO surveys (id, sap_id, title_ar, title_en, starts_at, ends_at, after_delivery, active, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(s.id.0).bind(&s.sap_id).bind(&s.title.ar).bind(&s.title.en).bind(DbTime(s.window.starts_at))
            .bind(DbTime(s.window.ends_at)).bind(s.after_delivery).bind(s.active).bind(DbTime(s.created_at)).bind(DbTime(s.updated_at))
            .execute(&mut *tx).await.map_err(repo_error)?;
            insert_questions!(E, tx, s);
            insert_change!(E, tx, OutboundEntity::Survey, s.id.0, ChangeOperation::Create, survey_change(s), s.created_at);
            tx.commit().await.map_err(repo_error)
        })
    }

    async fn update(&self, s: &Survey) -> Result<Survey, RepoError> {
        let sql = format!(
            "UPDATE surveys SET title_ar = $2, title_en = $3, starts_at = $4, ends_at = $5, after_delivery = $6, active = $7, \
             updated_at = $8 WHERE id = $1 RETURNING {SURVEY_COLUMNS}"
        );
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let row: Option<SurveyRow> = sqlx::query_as::<E, SurveyRow>(AssertSqlSafe(sql))
                .bind(s.id.0).bind(&s.title.ar).bind(&s.title.en).bind(DbTime(s.window.starts_at)).bind(DbTime(s.window.ends_at))
                .bind(s.after_delivery).bind(s.active).bind(DbTime(s.updated_at))
                .fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let row = row.ok_or(RepoError::NotFound)?;
            let mut stored = with_questions!(E, &mut *tx, vec![row]).pop().ok_or(RepoError::NotFound)?;
            if stored.questions != s.questions {
                // Answers point at the questions: with answers, this deletion fails and nothing is written.
                sqlx::query::<E>("DELETE FROM survey_questions WHERE survey_id = $1")
                    .bind(s.id.0).execute(&mut *tx).await.map_err(repo_error)?;
                insert_questions!(E, tx, s);
                stored.questions = s.questions.clone();
            }
            insert_change!(E, tx, OutboundEntity::Survey, s.id.0, ChangeOperation::Update, survey_change(&stored), s.updated_at);
            tx.commit().await.map_err(repo_error)?;
            Ok(stored)
        })
    }

    async fn delete(&self, id: SurveyId, now: OffsetDateTime) -> Result<(), RepoError> {
        let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1");
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let row: Option<SurveyRow> =
                sqlx::query_as::<E, SurveyRow>(AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let row = row.ok_or(RepoError::NotFound)?;
            let gone = with_questions!(E, &mut *tx, vec![row]).pop().ok_or(RepoError::NotFound)?;
            // Answers point at the survey: with answers, this deletion fails and nothing is written.
            sqlx::query::<E>("DELETE FROM surveys WHERE id = $1").bind(id.0).execute(&mut *tx).await.map_err(repo_error)?;
            insert_change!(E, tx, OutboundEntity::Survey, id.0, ChangeOperation::Delete, survey_change(&gone), now);
            tx.commit().await.map_err(repo_error)
        })
    }

    async fn get(&self, id: SurveyId) -> Result<Option<Survey>, RepoError> {
        let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1");
        with_db!(&self.db, pool, E => {
            let rows: Vec<SurveyRow> = sqlx::query_as::<E, SurveyRow>(AssertSqlSafe(sql)).bind(id.0).fetch_all(pool).await.map_err(repo_error)?;
            Ok(with_questions!(E, pool, rows).pop())
        })
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Survey>, RepoError> {
        let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2");
        let surveys = with_db!(&self.db, pool, E => {
            let rows: Vec<SurveyRow> = sqlx::query_as::<E, SurveyRow>(AssertSqlSafe(sql))
                .bind(page.cursor).bind(i64::from(page.limit) + 1).fetch_all(pool).await.map_err(repo_error)?;
            with_questions!(E, pool, rows)
        });
        Ok(page_of(surveys, page.limit, |s| s.id.0))
    }

    async fn open_unanswered(&self, customer: UserId, now: OffsetDateTime) -> Result<Vec<Survey>, RepoError> {
        let sql = format!(
            "SELECT {SURVEY_COLUMNS} FROM surveys s WHERE s.active AND s.starts_at <= $1 AND s.ends_at > $1 \
             AND NOT EXISTS (SELECT 1 FROM survey_answers a WHERE a.survey_id = s.id AND a.user_id = $2) ORDER BY s.starts_at, s.id"
        );
        with_db!(&self.db, pool, E => {
            let rows: Vec<SurveyRow> = sqlx::query_as::<E, SurveyRow>(AssertSqlSafe(sql))
                .bind(DbTime(now)).bind(customer.0).fetch_all(pool).await.map_err(repo_error)?;
            Ok(with_questions!(E, pool, rows))
        })
    }

    async fn answer(&self, a: &SurveyAnswer) -> Result<(), RepoError> {
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            sqlx::query::<E>("INSERT INTO survey_answers (id, sap_id, survey_id, user_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(a.id.0).bind(&a.sap_id).bind(a.survey_id.0).bind(a.customer_id.0).bind(DbTime(a.created_at))
                .execute(&mut *tx).await.map_err(repo_error)?;
            for item in item_values(a) {
                sqlx::query::<E>(
                    "INSERT INTO survey_answer_items (answer_id, item_no, survey_id, question_id, option_id, rating, text) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(a.id.0).bind(item.no).bind(a.survey_id.0).bind(item.question).bind(item.option).bind(item.rating).bind(item.text)
                .execute(&mut *tx).await.map_err(repo_error)?;
            }
            insert_change!(E, tx, OutboundEntity::SurveyAnswer, a.id.0, ChangeOperation::Create, answer_change(a), a.created_at);
            tx.commit().await.map_err(repo_error)
        })
    }

    async fn answer_of(&self, survey: SurveyId, customer: UserId) -> Result<Option<SurveyAnswer>, RepoError> {
        let sql = format!("SELECT {ANSWER_COLUMNS} FROM survey_answers WHERE survey_id = $1 AND user_id = $2");
        with_db!(&self.db, pool, E => {
            let rows: Vec<AnswerRow> = sqlx::query_as::<E, AnswerRow>(AssertSqlSafe(sql))
                .bind(survey.0).bind(customer.0).fetch_all(pool).await.map_err(repo_error)?;
            Ok(with_items!(E, pool, rows).pop())
        })
    }

    async fn answers(&self, survey: SurveyId, page: PageRequest) -> Result<Page<SurveyAnswer>, RepoError> {
        let sql = format!(
            "SELECT {ANSWER_COLUMNS} FROM survey_answers WHERE survey_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        );
        let answers = with_db!(&self.db, pool, E => {
            let rows: Vec<AnswerRow> = sqlx::query_as::<E, AnswerRow>(AssertSqlSafe(sql))
                .bind(survey.0).bind(page.cursor).bind(i64::from(page.limit) + 1).fetch_all(pool).await.map_err(repo_error)?;
            with_items!(E, pool, rows)
        });
        Ok(page_of(answers, page.limit, |a| a.id.0))
    }

    async fn answer_count(&self, survey: SurveyId) -> Result<u64, RepoError> {
        let (n,): (i64,) =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, (i64,)>("SELECT COUNT(*) FROM survey_answers WHERE survey_id = $1")
            .bind(survey.0).fetch_one(pool).await)
            .map_err(repo_error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
