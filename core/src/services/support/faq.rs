//! The FAQ: categories and their questions, read by everyone, managed by admins.
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SupportError, SupportService, not_found};
use crate::domain::support::{FaqCategory, FaqCategoryId, FaqQuestion, FaqQuestionId, FaqSection, faq_sections};
use crate::domain::{AccessClaims, Invalid, LocalizedText};
use crate::services::authorization::acting_admin;

/// A FAQ category as an admin submits it (create, or full replacement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryDraft {
    /// Its heading in both languages.
    pub title: LocalizedText,
    /// Lower first.
    pub sort_order: i32,
    /// `false` hides it and all its questions from customers.
    pub active: bool,
}

/// A FAQ question as an admin submits it (create, or full replacement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionDraft {
    /// Must be an existing category.
    pub category_id: FaqCategoryId,
    /// The question in both languages.
    pub question: LocalizedText,
    /// The answer in both languages.
    pub answer: LocalizedText,
    /// Lower first within the category.
    pub sort_order: i32,
    /// `false` hides it from customers.
    pub active: bool,
}

fn category_from(id: FaqCategoryId, d: CategoryDraft, created_at: OffsetDateTime, updated_at: OffsetDateTime) -> FaqCategory {
    FaqCategory { id, title: d.title, sort_order: d.sort_order, active: d.active, created_at, updated_at }
}

fn question_from(id: FaqQuestionId, d: QuestionDraft, created_at: OffsetDateTime, updated_at: OffsetDateTime) -> FaqQuestion {
    FaqQuestion {
        id,
        category_id: d.category_id,
        question: d.question,
        answer: d.answer,
        sort_order: d.sort_order,
        active: d.active,
        created_at,
        updated_at,
    }
}

impl SupportService {
    /// The FAQ customers see: active categories with their active questions, in sort order.
    ///
    /// # Errors
    /// `Storage`.
    pub async fn faq(&self) -> Result<Vec<FaqSection>, SupportError> {
        self.sections(true).await
    }

    /// Every category with every question, inactive ones too (admins only).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn faq_all(&self, actor: &AccessClaims) -> Result<Vec<FaqSection>, SupportError> {
        acting_admin(&self.ports, actor).await?;
        self.sections(false).await
    }

    async fn sections(&self, active_only: bool) -> Result<Vec<FaqSection>, SupportError> {
        let categories = self.ports.faq.categories(active_only).await?;
        let questions = self.ports.faq.questions(active_only).await?;
        Ok(faq_sections(categories, questions, active_only))
    }

    /// Creates a FAQ category (admins only).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn create_category(&self, actor: &AccessClaims, draft: CategoryDraft) -> Result<FaqCategory, SupportError> {
        acting_admin(&self.ports, actor).await?;
        let now = self.ports.clock.now();
        let category = category_from(FaqCategoryId(Uuid::now_v7()), draft, now, now);
        self.ports.faq.create_category(&category).await?;
        self.changes.catalog_changed().await;
        Ok(category)
    }

    /// Replaces a FAQ category (admins only); deactivating it hides all its questions.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Storage`.
    pub async fn update_category(
        &self,
        actor: &AccessClaims,
        id: FaqCategoryId,
        draft: CategoryDraft,
    ) -> Result<FaqCategory, SupportError> {
        acting_admin(&self.ports, actor).await?;
        let existing = self.ports.faq.get_category(id).await?.ok_or(SupportError::NotFound("FAQ category"))?;
        let category = category_from(id, draft, existing.created_at, self.ports.clock.now());
        self.ports.faq.update_category(&category).await.map_err(not_found("FAQ category"))?;
        self.changes.catalog_changed().await;
        Ok(category)
    }

    /// Creates a FAQ question in an existing category (admins only).
    ///
    /// # Errors
    /// `Denied`, `Invalid` (unknown category), `Storage`.
    pub async fn create_question(&self, actor: &AccessClaims, draft: QuestionDraft) -> Result<FaqQuestion, SupportError> {
        acting_admin(&self.ports, actor).await?;
        self.check_category(draft.category_id).await?;
        let now = self.ports.clock.now();
        let question = question_from(FaqQuestionId(Uuid::now_v7()), draft, now, now);
        self.ports.faq.create_question(&question).await?;
        self.changes.catalog_changed().await;
        Ok(question)
    }

    /// Replaces a FAQ question, possibly moving it to another category (admins only).
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Invalid` (unknown category), `Storage`.
    pub async fn update_question(
        &self,
        actor: &AccessClaims,
        id: FaqQuestionId,
        draft: QuestionDraft,
    ) -> Result<FaqQuestion, SupportError> {
        acting_admin(&self.ports, actor).await?;
        let existing = self.ports.faq.get_question(id).await?.ok_or(SupportError::NotFound("FAQ question"))?;
        self.check_category(draft.category_id).await?;
        let question = question_from(id, draft, existing.created_at, self.ports.clock.now());
        self.ports.faq.update_question(&question).await.map_err(not_found("FAQ question"))?;
        self.changes.catalog_changed().await;
        Ok(question)
    }

    async fn check_category(&self, id: FaqCategoryId) -> Result<(), SupportError> {
        match self.ports.faq.get_category(id).await? {
            Some(_) => Ok(()),
            None => Err(Invalid::field("categoryId", "is not a FAQ category", "Pick an id from GET /api/admin/faq.").into()),
        }
    }
}
