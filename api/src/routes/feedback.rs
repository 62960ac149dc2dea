//! The customer's side of feedback: `/api/surveys` open to them and their answers, the rating of a
//! delivered order (`/api/orders/{id}/rating`), and questions to support (`/api/questions`).
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use sabil_core::domain::feedback::{Score, SurveyId, parse_comment};
use sabil_core::domain::orders::OrderId;
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{PageRequest, Role};

use super::ApiTags;
use super::catalog_dto::language;
use super::feedback_dto::{QuestionDto, QuestionInput, QuestionPage, RatingDto, RatingInput};
use super::survey_dto::{SurveyAnswerDto, SurveyDto};
use super::survey_input::SurveyAnswersInput;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

/// 201 with the answers as stored.
#[derive(ApiResponse)]
pub enum SurveyAnswered {
    /// Stored; the survey is no longer offered to the caller.
    #[oai(status = 201)]
    Created(Json<SurveyAnswerDto>),
}

/// 201 with the rating.
#[derive(ApiResponse)]
pub enum OrderRated {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<RatingDto>),
}

/// 201 with the question.
#[derive(ApiResponse)]
pub enum QuestionAsked {
    /// Stored; support answers it and the caller is notified.
    #[oai(status = 201)]
    Created(Json<QuestionDto>),
}

/// Surveys, ratings and questions, for customers.
#[derive(Default)]
pub struct FeedbackApi;

#[OpenApi(tag = "ApiTags::Feedback")]
impl FeedbackApi {
    /// Surveys open to the caller
    ///
    /// Active surveys inside their window that the caller has not answered; a survey for customers
    /// after a delivery is listed once the caller has an order in status `delivered`. Texts follow
    /// `Accept-Language`. Customers only.
    #[oai(path = "/surveys", method = "get", operation_id = "listOpenSurveys")]
    async fn surveys(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// `ar` for Arabic texts, English otherwise.
        #[oai(name = "Accept-Language")]
        accept_language: Header<Option<String>>,
    ) -> ApiResult<Json<Vec<SurveyDto>>> {
        auth.require(&[Role::Customer])?;
        let lang = language(accept_language.0.as_deref());
        Ok(Json(state.app.feedback.open_surveys(&auth.0).await?.into_iter().map(|s| SurveyDto::new(s, lang)).collect()))
    }

    /// Answer a survey
    ///
    /// Once per survey (a second answer is 409 `survey.already_answered`). Each answer must fit its
    /// question: `optionIds` from the question's options (exactly one for `single_choice`), `rating`
    /// 1 to 5, `text` 1 to 2000 characters; every required question answered. Problems are 422 with
    /// the field named: `answers[i].questionId`, `answers[i].optionIds`, `answers[i].rating`,
    /// `answers[i].text`, `answers[i]`, or `answers.<questionId>` for a required question left out.
    #[oai(path = "/surveys/:id/answers", method = "post", operation_id = "answerSurvey")]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The survey's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<SurveyAnswersInput>,
    ) -> ApiResult<SurveyAnswered> {
        auth.require(&[Role::Customer])?;
        let answer = state.app.feedback.answer_survey(&auth.0, SurveyId(id.0), &body.0.submitted()).await?;
        Ok(SurveyAnswered::Created(Json(answer.into())))
    }

    /// Rate a delivered order
    ///
    /// The caller's own order, once it is `delivered` (422 `order.not_delivered` before); once per
    /// order (409 `rating.already_given`). Another customer's order answers 404.
    #[oai(path = "/orders/:id/rating", method = "post", operation_id = "rateOrder")]
    async fn rate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<RatingInput>,
    ) -> ApiResult<OrderRated> {
        auth.require(&[Role::Customer])?;
        let mut p = Problems::new();
        let score = p.keep(Score::parse(body.0.rating));
        let comment = p.keep(parse_comment(body.0.comment.as_deref()));
        p.finish()?;
        let (Some(score), Some(comment)) = (score, comment) else {
            return Err(sabil_core::domain::Invalid::field("body", "could not be read", "Check the request.").into());
        };
        let rating = state.app.feedback.rate_order(&auth.0, OrderId(id.0), score, comment).await?;
        Ok(OrderRated::Created(Json(rating.into())))
    }

    /// Ask support a question
    ///
    /// 1 to 2000 characters. Support's answer appears in GET /api/questions and the caller is notified.
    #[oai(path = "/questions", method = "post", operation_id = "askQuestion")]
    async fn ask(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<QuestionInput>) -> ApiResult<QuestionAsked> {
        auth.require(&[Role::Customer])?;
        let question = state.app.feedback.ask(&auth.0, &body.0.text).await?;
        Ok(QuestionAsked::Created(Json(QuestionDto::new(question, false))))
    }

    /// The caller's questions
    ///
    /// Newest first, with support's answers.
    #[oai(path = "/questions", method = "get", operation_id = "listMyQuestions")]
    async fn my_questions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<QuestionPage>> {
        auth.require(&[Role::Customer])?;
        let page = state.app.feedback.my_questions(&auth.0, PageRequest::parse(limit.0, cursor.0.as_deref())?).await?;
        Ok(Json(QuestionPage {
            items: page.items.into_iter().map(|q| QuestionDto::new(q, false)).collect(),
            next_cursor: page.next_cursor.map(|c| c.to_string()),
        }))
    }
}
