//! The SQL store of customers' questions to support. An answer is given once (compare and set on the
//! open question) and written with the outbox row of its notification in one transaction.
use async_trait::async_trait;
use sabil_core::domain::feedback::{CustomerQuestion, CustomerQuestionId, QuestionReply, QuestionStatus};
use sabil_core::domain::{Page, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{CustomerQuestionRepository, OutboxMessage};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use crate::store::catalog::corrupt;
use crate::store::orders::outbox_payload;
use crate::store::users::page_of;
use crate::store::{Db, DbTime, Dialect, repo_error, with_db};

const QUESTION_COLUMNS: &str = "id, user_id, body, answer, answered_by, answered_at, created_at";

#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: Uuid,
    user_id: Uuid,
    body: String,
    answer: Option<String>,
    answered_by: Option<Uuid>,
    answered_at: Option<DbTime>,
    created_at: DbTime,
}

impl TryFrom<QuestionRow> for CustomerQuestion {
    type Error = RepoError;

    fn try_from(r: QuestionRow) -> Result<Self, RepoError> {
        let reply = match (r.answer, r.answered_by, r.answered_at) {
            (None, None, None) => None,
            (Some(text), Some(by), Some(at)) => Some(QuestionReply { text, answered_by: UserId(by), answered_at: at.0 }),
            _ => return Err(corrupt("answer of question", &r.id.to_string())),
        };
        Ok(Self { id: CustomerQuestionId(r.id), customer_id: UserId(r.user_id), text: r.body, reply, created_at: r.created_at.0 })
    }
}

fn questions(rows: Vec<QuestionRow>) -> Result<Vec<CustomerQuestion>, RepoError> {
    rows.into_iter().map(CustomerQuestion::try_from).collect()
}

/// Customers' questions in SQL.
#[derive(Clone, Debug)]
pub struct SqlCustomerQuestionRepository {
    db: Db,
}

impl SqlCustomerQuestionRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl CustomerQuestionRepository for SqlCustomerQuestionRepository {
    async fn create(&self, q: &CustomerQuestion) -> Result<(), RepoError> {
        let (answer, by, at) = match &q.reply {
            Some(r) => (Some(r.text.as_str()), Some(r.answered_by.0), Some(DbTime(r.answered_at))),
            None => (None, None, None),
        };
        with_db!(&self.db, pool, E => sqlx::query::<E>(
            "INSERT INTO customer_questions (id, user_id, body, answer, answered_by, answered_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(q.id.0).bind(q.customer_id.0).bind(&q.text).bind(answer).bind(by).bind(at).bind(DbTime(q.created_at))
        .execute(pool).await.map(|_| ()))
        .map_err(repo_error)?;
        Ok(())
    }

    async fn get(&self, id: CustomerQuestionId) -> Result<Option<CustomerQuestion>, RepoError> {
        let sql = format!("SELECT {QUESTION_COLUMNS} FROM customer_questions WHERE id = $1");
        let row: Option<QuestionRow> =
            with_db!(&self.db, pool, E => sqlx::query_as::<E, QuestionRow>(AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await)
                .map_err(repo_error)?;
        row.map(CustomerQuestion::try_from).transpose()
    }

    async fn list_for(&self, customer: UserId, page: PageRequest) -> Result<Page<CustomerQuestion>, RepoError> {
        let sql = format!(
            "SELECT {QUESTION_COLUMNS} FROM customer_questions WHERE user_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        );
        let rows: Vec<QuestionRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, QuestionRow>(AssertSqlSafe(sql))
            .bind(customer.0).bind(page.cursor).bind(i64::from(page.limit) + 1).fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(page_of(questions(rows)?, page.limit, |q| q.id.0))
    }

    async fn list(&self, status: Option<QuestionStatus>, page: PageRequest) -> Result<Page<CustomerQuestion>, RepoError> {
        let filter = match status {
            None => "TRUE",
            Some(QuestionStatus::Open) => "answer IS NULL",
            Some(QuestionStatus::Answered) => "answer IS NOT NULL",
        };
        let sql =
            format!("SELECT {QUESTION_COLUMNS} FROM customer_questions WHERE {filter} AND ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2");
        let rows: Vec<QuestionRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, QuestionRow>(AssertSqlSafe(sql))
            .bind(page.cursor).bind(i64::from(page.limit) + 1).fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(page_of(questions(rows)?, page.limit, |q| q.id.0))
    }

    async fn answer(&self, id: CustomerQuestionId, reply: &QuestionReply, notify: &OutboxMessage) -> Result<CustomerQuestion, RepoError> {
        let sql = format!(
            "UPDATE customer_questions SET answer = $2, answered_by = $3, answered_at = $4 WHERE id = $1 AND answer IS NULL \
             RETURNING {QUESTION_COLUMNS}"
        );
        with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            // The notification first: whatever refuses the answer below also takes it back.
            sqlx::query::<E>(
                "INSERT INTO outbox (id, topic, dedupe_key, payload, created_at, available_at) VALUES ($1, $2, $3, $4, $5, $5) \
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(Uuid::now_v7()).bind(notify.topic()).bind(notify.dedupe_key()).bind(outbox_payload(notify)).bind(DbTime(reply.answered_at))
            .execute(&mut *tx).await.map_err(repo_error)?;
            let row: Option<QuestionRow> = sqlx::query_as::<E, QuestionRow>(AssertSqlSafe(sql))
                .bind(id.0).bind(&reply.text).bind(reply.answered_by.0).bind(DbTime(reply.answered_at))
                .fetch_optional(&mut *tx).await.map_err(repo_error)?;
            let Some(row) = row else {
                let exists: Option<(Uuid,)> = sqlx::query_as::<E, (Uuid,)>("SELECT id FROM customer_questions WHERE id = $1")
                    .bind(id.0).fetch_optional(&mut *tx).await.map_err(repo_error)?;
                return Err(if exists.is_some() { RepoError::Conflict("customer_questions.answered".into()) } else { RepoError::NotFound });
            };
            tx.commit().await.map_err(repo_error)?;
            CustomerQuestion::try_from(row)
        })
    }
}
