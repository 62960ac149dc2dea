//! Rows of the survey tables and how they assemble into surveys and answers; the macros that read a
//! page of them (with their questions, choices or answer items, one query per table) and write a
//! survey's questions, through a pool or inside a transaction.
use std::collections::HashMap;

use sabil_core::domain::feedback::{
    AnswerValue, ChoiceOptionId, QuestionAnswer, QuestionKind, Score, Survey, SurveyAnswer, SurveyAnswerId, SurveyId, SurveyOption,
    SurveyQuestion, SurveyQuestionId, SurveyWindow,
};
use sabil_core::domain::{LocalizedText, UserId};
use sabil_core::error::RepoError;
use uuid::Uuid;

use crate::store::DbTime;
use crate::store::catalog::corrupt;

pub(super) const SURVEY_COLUMNS: &str =
    "id, sap_id, title_ar, title_en, starts_at, ends_at, after_delivery, active, created_at, updated_at";
pub(super) const ANSWER_COLUMNS: &str = "id, sap_id, survey_id, user_id, created_at";

#[derive(sqlx::FromRow)]
pub(super) struct SurveyRow {
    pub id: Uuid,
    sap_id: Option<String>,
    title_ar: String,
    title_en: String,
    starts_at: DbTime,
    ends_at: DbTime,
    after_delivery: bool,
    active: bool,
    created_at: DbTime,
    updated_at: DbTime,
}

#[derive(sqlx::FromRow)]
pub(super) struct QuestionRow {
    id: Uuid,
    survey_id: Uuid,
    kind: String,
    text_ar: String,
    text_en: String,
    required: bool,
}

#[derive(sqlx::FromRow)]
pub(super) struct OptionRow {
    id: Uuid,
    question_id: Uuid,
    label_ar: String,
    label_en: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct AnswerRow {
    pub id: Uuid,
    sap_id: Option<String>,
    survey_id: Uuid,
    user_id: Uuid,
    created_at: DbTime,
}

#[derive(sqlx::FromRow)]
pub(super) struct ItemRow {
    answer_id: Uuid,
    question_id: Uuid,
    option_id: Option<Uuid>,
    rating: Option<i32>,
    text: Option<String>,
}

/// `$1, $2, ...` for `n` binds.
pub(super) fn marks(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Surveys from their rows (kept in order), questions (by position) and choices (by position).
pub(super) fn surveys(rows: Vec<SurveyRow>, questions: Vec<QuestionRow>, options: Vec<OptionRow>) -> Result<Vec<Survey>, RepoError> {
    let mut choices: HashMap<Uuid, Vec<SurveyOption>> = HashMap::new();
    for o in options {
        let label = LocalizedText { ar: o.label_ar, en: o.label_en };
        choices.entry(o.question_id).or_default().push(SurveyOption { id: ChoiceOptionId(o.id), label });
    }
    let mut by_survey: HashMap<Uuid, Vec<SurveyQuestion>> = HashMap::new();
    for q in questions {
        let kind = QuestionKind::parse(&q.kind).ok_or_else(|| corrupt("survey question kind", &q.kind))?;
        by_survey.entry(q.survey_id).or_default().push(SurveyQuestion {
            id: SurveyQuestionId(q.id),
            kind,
            text: LocalizedText { ar: q.text_ar, en: q.text_en },
            required: q.required,
            options: choices.remove(&q.id).unwrap_or_default(),
        });
    }
    rows.into_iter()
        .map(|r| {
            let window = SurveyWindow::new(r.starts_at.0, r.ends_at.0).map_err(|_| corrupt("survey window of", &r.id.to_string()))?;
            Ok(Survey {
                id: SurveyId(r.id),
                sap_id: r.sap_id,
                title: LocalizedText { ar: r.title_ar, en: r.title_en },
                questions: by_survey.remove(&r.id).unwrap_or_default(),
                window,
                after_delivery: r.after_delivery,
                active: r.active,
                created_at: r.created_at.0,
                updated_at: r.updated_at.0,
            })
        })
        .collect()
}

/// Answers from their rows (kept in order) and items (by answer, then item number): consecutive
/// choices of one question make one answer.
pub(super) fn answers(rows: Vec<AnswerRow>, items: Vec<ItemRow>) -> Result<Vec<SurveyAnswer>, RepoError> {
    let mut by_answer: HashMap<Uuid, Vec<QuestionAnswer>> = HashMap::new();
    for i in items {
        let list = by_answer.entry(i.answer_id).or_default();
        let question_id = SurveyQuestionId(i.question_id);
        let value = match (i.option_id, i.rating, i.text) {
            (Some(option), None, None) => {
                if let Some(QuestionAnswer { question_id: last, value: AnswerValue::Choices(ids) }) = list.last_mut()
                    && *last == question_id
                {
                    ids.push(ChoiceOptionId(option));
                    continue;
                }
                AnswerValue::Choices(vec![ChoiceOptionId(option)])
            }
            (None, Some(r), None) => AnswerValue::Rating(Score::parse(i64::from(r)).map_err(|_| corrupt("survey rating", &r.to_string()))?),
            (None, None, Some(t)) => AnswerValue::Text(t),
            _ => return Err(corrupt("survey answer item of", &i.answer_id.to_string())),
        };
        list.push(QuestionAnswer { question_id, value });
    }
    Ok(rows
        .into_iter()
        .map(|r| SurveyAnswer {
            id: SurveyAnswerId(r.id),
            sap_id: r.sap_id,
            survey_id: SurveyId(r.survey_id),
            customer_id: UserId(r.user_id),
            answers: by_answer.remove(&r.id).unwrap_or_default(),
            created_at: r.created_at.0,
        })
        .collect())
}

/// One row of `survey_answer_items` to write.
pub(super) struct NewItem<'a> {
    pub no: i32,
    pub question: Uuid,
    pub option: Option<Uuid>,
    pub rating: Option<i32>,
    pub text: Option<&'a str>,
}

/// The item rows of an answer, numbered from 1: one per choice picked, rating or text.
pub(super) fn item_values(a: &SurveyAnswer) -> Vec<NewItem<'_>> {
    let mut rows = Vec::new();
    for qa in &a.answers {
        let question = qa.question_id.0;
        let item = |option, rating, text| NewItem { no: 0, question, option, rating, text };
        match &qa.value {
            AnswerValue::Choices(ids) => rows.extend(ids.iter().map(|id| item(Some(id.0), None, None))),
            AnswerValue::Rating(s) => rows.push(item(None, Some(i32::from(s.get())), None)),
            AnswerValue::Text(t) => rows.push(item(None, None, Some(t.as_str()))),
        }
    }
    for (row, no) in rows.iter_mut().zip(1..) {
        row.no = no;
    }
    rows
}

/// Reads the surveys of `$rows` (`Vec<SurveyRow>`) with their questions and choices through `$exec`
/// (a pool, or `&mut *tx`); evaluates to `Vec<Survey>` in the rows' order.
macro_rules! with_questions {
    ($E:ty, $exec:expr, $rows:expr) => {{
        let rows: Vec<$crate::store::feedback::survey_rows::SurveyRow> = $rows;
        let ids: Vec<::uuid::Uuid> = rows.iter().map(|r| r.id).collect();
        let mut questions = Vec::new();
        let mut options = Vec::new();
        for chunk in ids.chunks(100) {
            let marks = $crate::store::feedback::survey_rows::marks(chunk.len());
            let sql = format!(
                "SELECT id, survey_id, kind, text_ar, text_en, required FROM survey_questions WHERE survey_id IN ({marks}) \
                 ORDER BY survey_id, position"
            );
            let mut query = ::sqlx::query_as::<$E, $crate::store::feedback::survey_rows::QuestionRow>(::sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            questions.extend(query.fetch_all($exec).await.map_err($crate::store::repo_error)?);
            let sql = format!(
                "SELECT o.id, o.question_id, o.label_ar, o.label_en FROM survey_options o \
                 JOIN survey_questions q ON q.id = o.question_id WHERE q.survey_id IN ({marks}) ORDER BY o.question_id, o.position"
            );
            let mut query = ::sqlx::query_as::<$E, $crate::store::feedback::survey_rows::OptionRow>(::sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            options.extend(query.fetch_all($exec).await.map_err($crate::store::repo_error)?);
        }
        $crate::store::feedback::survey_rows::surveys(rows, questions, options)?
    }};
}
pub(crate) use with_questions;

/// Reads the items of the answers `$rows` (`Vec<AnswerRow>`) through `$exec`; evaluates to
/// `Vec<SurveyAnswer>` in the rows' order.
macro_rules! with_items {
    ($E:ty, $exec:expr, $rows:expr) => {{
        let rows: Vec<$crate::store::feedback::survey_rows::AnswerRow> = $rows;
        let ids: Vec<::uuid::Uuid> = rows.iter().map(|r| r.id).collect();
        let mut items = Vec::new();
        for chunk in ids.chunks(100) {
            let marks = $crate::store::feedback::survey_rows::marks(chunk.len());
            let sql = format!(
                "SELECT answer_id, question_id, option_id, rating, text FROM survey_answer_items WHERE answer_id IN ({marks}) \
                 ORDER BY answer_id, item_no"
            );
            let mut query = ::sqlx::query_as::<$E, $crate::store::feedback::survey_rows::ItemRow>(::sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            items.extend(query.fetch_all($exec).await.map_err($crate::store::repo_error)?);
        }
        $crate::store::feedback::survey_rows::answers(rows, items)?
    }};
}
pub(crate) use with_items;

/// Writes the questions and choices of `$survey` inside the transaction `$tx`.
macro_rules! insert_questions {
    ($E:ty, $tx:ident, $survey:expr) => {{
        let survey: &::sabil_core::domain::feedback::Survey = $survey;
        for (q, position) in survey.questions.iter().zip(1_i32..) {
            ::sqlx::query::<$E>(
                "INSERT INTO survey_questions (id, survey_id, position, kind, text_ar, text_en, required) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(q.id.0)
            .bind(survey.id.0)
            .bind(position)
            .bind(q.kind.as_str())
            .bind(&q.text.ar)
            .bind(&q.text.en)
            .bind(q.required)
            .execute(&mut *$tx)
            .await
            .map_err($crate::store::repo_error)?;
            for (o, position) in q.options.iter().zip(1_i32..) {
                ::sqlx::query::<$E>(
                    "INSERT INTO survey_options (id, question_id, position, label_ar, label_en) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(o.id.0)
                .bind(q.id.0)
                .bind(position)
                .bind(&o.label.ar)
                .bind(&o.label.en)
                .execute(&mut *$tx)
                .await
                .map_err($crate::store::repo_error)?;
            }
        }
    }};
}
pub(crate) use insert_questions;
