//! `/api/admin/...` for feedback: managing surveys and reading their answers, ratings with their
//! averages per area and week, and answering customers' questions.
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use sabil_core::domain::delivery::DeliveryAreaId;
use sabil_core::domain::feedback::{CustomerQuestionId, SurveyId};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{PageRequest, Role};

use super::ApiTags;
use super::catalog_dto::language;
use super::dto::NoContent;
use super::feedback_dto::{QuestionAnswerInput, QuestionDto, QuestionPage, QuestionStatusDto, RatingPage, RatingSummaryDto};
use super::orders_dto::parse_date;
use super::survey_dto::{AdminSurveyDto, AdminSurveyPage, SurveyAnswerPage};
use super::survey_input::{SurveyInput, SurveyUpdateInput};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

/// 201 with the survey as stored.
#[derive(ApiResponse)]
pub enum SurveyCreated {
    /// Stored, with the ids of its questions and choices; recorded for SAP.
    #[oai(status = 201)]
    Created(Json<AdminSurveyDto>),
}

/// Surveys, ratings and questions, for admins.
#[derive(Default)]
pub struct AdminFeedbackApi;

#[OpenApi(prefix_path = "/admin", tag = "ApiTags::Admin")]
impl AdminFeedbackApi {
    /// List surveys
    ///
    /// Every survey, inactive ones too, newest first, with its answer count.
    #[oai(path = "/surveys", method = "get", operation_id = "adminListSurveys")]
    async fn surveys(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AdminSurveyPage>> {
        auth.require(&[Role::Admin])?;
        let page = state.app.feedback.surveys(&auth.0, PageRequest::parse(limit.0, cursor.0.as_deref())?).await?;
        Ok(Json(AdminSurveyPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// Create a survey
    ///
    /// Questions of kind `single_choice` and `multiple_choice` need 2 to 20 `options`; `rating` and
    /// `free_text` take none. Recorded in the change feed for SAP.
    #[oai(path = "/surveys", method = "post", operation_id = "createSurvey")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<SurveyInput>) -> ApiResult<SurveyCreated> {
        auth.require(&[Role::Admin])?;
        let survey = state.app.feedback.create_survey(&auth.0, body.0.parse()?).await?;
        Ok(SurveyCreated::Created(Json(AdminSurveyDto::new(survey, 0))))
    }

    /// Get a survey
    #[oai(path = "/surveys/:id", method = "get", operation_id = "adminGetSurvey")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<AdminSurveyDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.feedback.survey(&auth.0, SurveyId(id.0)).await?.into()))
    }

    /// Replace a survey
    ///
    /// Title, window and flags always; `questions` (with new ids) only while nobody answered the
    /// survey (409 `survey.has_answers` after). Recorded in the change feed for SAP.
    #[oai(path = "/surveys/:id", method = "put", operation_id = "updateSurvey")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<SurveyUpdateInput>,
    ) -> ApiResult<Json<AdminSurveyDto>> {
        auth.require(&[Role::Admin])?;
        let survey = state.app.feedback.update_survey(&auth.0, SurveyId(id.0), body.0.parse()?).await?;
        Ok(Json(state.app.feedback.survey(&auth.0, survey.id).await?.into()))
    }

    /// Deactivate a survey
    ///
    /// No longer offered or answerable; its answers stay. Deactivating again changes nothing.
    #[oai(path = "/surveys/:id/deactivate", method = "post", operation_id = "deactivateSurvey")]
    async fn deactivate(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<AdminSurveyDto>> {
        auth.require(&[Role::Admin])?;
        let survey = state.app.feedback.deactivate_survey(&auth.0, SurveyId(id.0)).await?;
        Ok(Json(state.app.feedback.survey(&auth.0, survey.id).await?.into()))
    }

    /// Delete a survey nobody answered
    ///
    /// An answered survey answers 409 `survey.has_answers`: deactivate it instead. Recorded in the
    /// change feed for SAP.
    #[oai(path = "/surveys/:id", method = "delete", operation_id = "deleteSurvey")]
    async fn delete(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<NoContent> {
        auth.require(&[Role::Admin])?;
        state.app.feedback.delete_survey(&auth.0, SurveyId(id.0)).await?;
        Ok(NoContent::Done)
    }

    /// List a survey's answers
    ///
    /// Newest first.
    #[oai(path = "/surveys/:id/answers", method = "get", operation_id = "listSurveyAnswers")]
    async fn answers(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<SurveyAnswerPage>> {
        auth.require(&[Role::Admin])?;
        let page = state.app.feedback.survey_answers(&auth.0, SurveyId(id.0), PageRequest::parse(limit.0, cursor.0.as_deref())?).await?;
        Ok(Json(SurveyAnswerPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// List ratings of orders
    ///
    /// Newest first; optionally only those given on the business days `from` to `to` (`YYYY-MM-DD`,
    /// both included) and of one delivery area.
    #[oai(path = "/ratings", method = "get", operation_id = "adminListRatings")]
    #[allow(clippy::too_many_arguments)]
    async fn ratings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// First business day, `YYYY-MM-DD`.
        #[oai(validator(max_length = 10))]
        from: Query<Option<String>>,
        /// Last business day (included), `YYYY-MM-DD`.
        #[oai(validator(max_length = 10))]
        to: Query<Option<String>>,
        /// Only ratings of orders delivered in this area.
        #[oai(name = "areaId")]
        area_id: Query<Option<uuid::Uuid>>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<RatingPage>> {
        auth.require(&[Role::Admin])?;
        let mut p = Problems::new();
        let from = from.0.as_deref().and_then(|f| parse_date("from", f, &mut p));
        let to = to.0.as_deref().and_then(|t| parse_date("to", t, &mut p));
        let page = p.keep(PageRequest::parse(limit.0, cursor.0.as_deref()));
        p.finish()?;
        let page = page.unwrap_or(PageRequest { limit: PageRequest::DEFAULT_LIMIT, cursor: None });
        let ratings = state.app.feedback.ratings(&auth.0, from, to, area_id.0.map(DeliveryAreaId), page).await?;
        Ok(Json(RatingPage {
            items: ratings.items.into_iter().map(Into::into).collect(),
            next_cursor: ratings.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// Average ratings per area and per week
    ///
    /// Ratings given on the business days `from` to `to` (`YYYY-MM-DD`, both included): overall, per
    /// delivery area and per ISO week (Monday to Sunday, business time), counted and averaged by the
    /// database. Area names follow `Accept-Language`.
    #[oai(path = "/ratings/summary", method = "get", operation_id = "ratingSummary")]
    async fn summary(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// First business day, `YYYY-MM-DD`.
        #[oai(validator(max_length = 10))]
        from: Query<String>,
        /// Last business day (included), `YYYY-MM-DD`.
        #[oai(validator(max_length = 10))]
        to: Query<String>,
        /// `ar` for Arabic area names, English otherwise.
        #[oai(name = "Accept-Language")]
        accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<RatingSummaryDto>> {
        auth.require(&[Role::Admin])?;
        let mut p = Problems::new();
        let from = parse_date("from", &from.0, &mut p);
        let to = parse_date("to", &to.0, &mut p);
        p.finish()?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(sabil_core::domain::Invalid::field("from", "is not a date", "Use YYYY-MM-DD.").into());
        };
        let report = state.app.feedback.rating_summary(&auth.0, from, to).await?;
        Ok(Json(RatingSummaryDto::new(report, language(accept_language.0.as_deref()))))
    }

    /// List customers' questions
    ///
    /// Oldest first (the order support works through them); only `open` or `answered` ones when asked.
    #[oai(path = "/questions", method = "get", operation_id = "adminListQuestions")]
    async fn questions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// `open` or `answered`; both when absent.
        status: Query<Option<QuestionStatusDto>>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<QuestionPage>> {
        auth.require(&[Role::Admin])?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let questions = state.app.feedback.questions(&auth.0, status.0.map(Into::into), page).await?;
        Ok(Json(QuestionPage {
            items: questions.items.into_iter().map(|q| QuestionDto::new(q, true)).collect(),
            next_cursor: questions.next_cursor.map(|c| c.to_string()),
        }))
    }

    /// Answer a customer's question
    ///
    /// Once (409 `question.already_answered` after); the customer is notified (in-app and push)
    /// through the outbox, written with the answer.
    #[oai(path = "/questions/:id/answer", method = "post", operation_id = "answerQuestion")]
    async fn answer_question(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<QuestionAnswerInput>,
    ) -> ApiResult<Json<QuestionDto>> {
        auth.require(&[Role::Admin])?;
        let question = state.app.feedback.answer_question(&auth.0, CustomerQuestionId(id.0), &body.0.answer).await?;
        Ok(Json(QuestionDto::new(question, true)))
    }
}
