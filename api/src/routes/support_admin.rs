//! `/api/admin/...` for support content: FAQ categories and questions, contact channels, and
//! publishing a new terms version. Deactivating is a replacement with `active: false`.
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sabil_core::domain::support::{
    CONTACT_LABEL_MAX, ContactAddress, ContactChannelId, FAQ_ANSWER_MAX, FAQ_QUESTION_MAX, FAQ_TITLE_MAX, FaqCategoryId, FaqQuestionId,
    TERMS_BODY_MAX,
};
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Invalid, Role};
use sabil_core::services::support::{CategoryDraft, ContactDraft, QuestionDraft};
use serde::Deserialize;

use super::ApiTags;
use super::support_dto::{
    AdminContactDto, AdminFaqCategoryDto, AdminFaqQuestionDto, AdminFaqSectionDto, AdminTermsDto, ContactKindDto, LocalizedTextDto,
};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

fn unreadable() -> Invalid {
    Invalid::field("body", "could not be read", "Check the request against /openapi.json.")
}

/// A FAQ category as an admin sends it (create, or full replacement).
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaqCategoryInput {
    /// 1 to 100 characters in each language.
    pub title: LocalizedTextDto,
    /// Lower first.
    pub sort_order: i32,
    /// `false` hides the category and all its questions from customers.
    pub active: bool,
}

impl FaqCategoryInput {
    fn parse(self) -> Result<CategoryDraft, Invalid> {
        Ok(CategoryDraft { title: self.title.parse("title", FAQ_TITLE_MAX)?, sort_order: self.sort_order, active: self.active })
    }
}

/// A FAQ question as an admin sends it (create, or full replacement).
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaqQuestionInput {
    /// The category it belongs to (GET /api/admin/faq); changing it moves the question.
    pub category_id: uuid::Uuid,
    /// 1 to 300 characters in each language.
    pub question: LocalizedTextDto,
    /// 1 to 4000 characters in each language.
    pub answer: LocalizedTextDto,
    /// Lower first within the category.
    pub sort_order: i32,
    /// `false` hides it from customers.
    pub active: bool,
}

impl FaqQuestionInput {
    fn parse(self) -> Result<QuestionDraft, Invalid> {
        let mut p = Problems::new();
        let question = p.keep(self.question.parse("question", FAQ_QUESTION_MAX));
        let answer = p.keep(self.answer.parse("answer", FAQ_ANSWER_MAX));
        p.finish()?;
        let (Some(question), Some(answer)) = (question, answer) else { return Err(unreadable()) };
        Ok(QuestionDraft {
            category_id: FaqCategoryId(self.category_id),
            question,
            answer,
            sort_order: self.sort_order,
            active: self.active,
        })
    }
}

/// A contact channel as an admin sends it (create, or full replacement).
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactInput {
    /// `phone`, `whatsapp` or `email`; decides what `value` may be.
    pub kind: ContactKindDto,
    /// For `phone`: E.164 (+97126661234) or a local service number of 3 to 15 digits (800722245);
    /// for `whatsapp`: E.164; for `email`: an address.
    pub value: String,
    /// 1 to 100 characters in each language, e.g. "Customer service".
    pub label: LocalizedTextDto,
    /// Lower first.
    pub sort_order: i32,
    /// `false` hides it from customers.
    pub active: bool,
}

impl ContactInput {
    fn parse(self) -> Result<ContactDraft, Invalid> {
        let mut p = Problems::new();
        let address = p.keep(ContactAddress::parse(self.kind.into(), &self.value));
        let label = p.keep(self.label.parse("label", CONTACT_LABEL_MAX));
        p.finish()?;
        let (Some(address), Some(label)) = (address, label) else { return Err(unreadable()) };
        Ok(ContactDraft { address, label, sort_order: self.sort_order, active: self.active })
    }
}

/// A new version of the terms and conditions.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TermsInput {
    /// The full text, 1 to 100000 characters in each language.
    pub body: LocalizedTextDto,
}

/// Managing the FAQ, contact channels and the terms.
#[derive(Default)]
pub struct AdminSupportApi;

#[OpenApi(prefix_path = "/admin", tag = "ApiTags::Admin")]
impl AdminSupportApi {
    /// The whole FAQ, inactive categories and questions too
    #[oai(path = "/faq", method = "get", operation_id = "adminGetFaq")]
    async fn faq(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<Vec<AdminFaqSectionDto>>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.support.faq_all(&auth.0).await?.into_iter().map(Into::into).collect()))
    }

    /// Create a FAQ category
    #[oai(path = "/faq/categories", method = "post", operation_id = "createFaqCategory")]
    async fn create_category(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<FaqCategoryInput>,
    ) -> ApiResult<Json<AdminFaqCategoryDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.support.create_category(&auth.0, body.0.parse()?).await?.into()))
    }

    /// Replace a FAQ category (deactivate with `active: false`)
    #[oai(path = "/faq/categories/:id", method = "put", operation_id = "updateFaqCategory")]
    async fn update_category(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<FaqCategoryInput>,
    ) -> ApiResult<Json<AdminFaqCategoryDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.support.update_category(&auth.0, FaqCategoryId(id.0), body.0.parse()?).await?.into()))
    }

    /// Create a FAQ question
    #[oai(path = "/faq/questions", method = "post", operation_id = "createFaqQuestion")]
    async fn create_question(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<FaqQuestionInput>,
    ) -> ApiResult<Json<AdminFaqQuestionDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.support.create_question(&auth.0, body.0.parse()?).await?.into()))
    }

    /// Replace a FAQ question (deactivate with `active: false`)
    #[oai(path = "/faq/questions/:id", method = "put", operation_id = "updateFaqQuestion")]
    async fn update_question(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<FaqQuestionInput>,
    ) -> ApiResult<Json<AdminFaqQuestionDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.support.update_question(&auth.0, FaqQuestionId(id.0), body.0.parse()?).await?.into()))
    }

    /// List every contact channel, inactive ones too
    #[oai(path = "/contacts", method = "get", operation_id = "adminListContacts")]
    async fn contacts(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<Vec<AdminContactDto>>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.support.contacts_all(&auth.0).await?.into_iter().map(Into::into).collect()))
    }

    /// Create a contact channel
    #[oai(path = "/contacts", method = "post", operation_id = "createContact")]
    async fn create_contact(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<ContactInput>,
    ) -> ApiResult<Json<AdminContactDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.support.create_contact(&auth.0, body.0.parse()?).await?.into()))
    }

    /// Replace a contact channel (deactivate with `active: false`)
    #[oai(path = "/contacts/:id", method = "put", operation_id = "updateContact")]
    async fn update_contact(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<ContactInput>,
    ) -> ApiResult<Json<AdminContactDto>> {
        auth.require(&[Role::Admin])?;
        Ok(Json(state.app.support.update_contact(&auth.0, ContactChannelId(id.0), body.0.parse()?).await?.into()))
    }

    /// Publish a new version of the terms
    ///
    /// Numbered one above the current version and effective at once: every customer's
    /// `acceptedByYou` is `false` until they accept it.
    #[oai(path = "/terms", method = "post", operation_id = "publishTerms")]
    async fn publish_terms(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<TermsInput>) -> ApiResult<Json<AdminTermsDto>> {
        auth.require(&[Role::Admin])?;
        let text = body.0.body.parse("body", TERMS_BODY_MAX)?;
        Ok(Json(state.app.support.publish_terms(&auth.0, text).await?.into()))
    }
}
