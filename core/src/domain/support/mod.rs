//! Support content the app shows: frequently asked questions grouped in categories, the channels
//! customers reach the business through, and the versioned terms and conditions they accept.
mod contact;
mod terms;

use time::OffsetDateTime;
use uuid::Uuid;

use super::localized::LocalizedText;

pub use contact::{CONTACT_LABEL_MAX, ContactAddress, ContactChannel, ContactChannelId, ContactKind};
pub use terms::{TERMS_BODY_MAX, TermsAcceptance, TermsVersion};

/// Longest FAQ category title, per language.
pub const FAQ_TITLE_MAX: usize = 100;
/// Longest FAQ question, per language.
pub const FAQ_QUESTION_MAX: usize = 300;
/// Longest FAQ answer, per language.
pub const FAQ_ANSWER_MAX: usize = 4_000;

/// Identifier of a FAQ category (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaqCategoryId(pub Uuid);

/// A group of questions, e.g. "Orders and delivery".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaqCategory {
    /// The category's identifier.
    pub id: FaqCategoryId,
    /// Its heading on the FAQ screen.
    pub title: LocalizedText,
    /// Lower first.
    pub sort_order: i32,
    /// Inactive categories are hidden from customers with all their questions.
    pub active: bool,
    /// When it was created (UTC).
    pub created_at: OffsetDateTime,
    /// When it last changed (UTC).
    pub updated_at: OffsetDateTime,
}

/// Identifier of a FAQ question (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaqQuestionId(pub Uuid);

/// A question with its answer, in one category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaqQuestion {
    /// The question's identifier.
    pub id: FaqQuestionId,
    /// The category it is listed under.
    pub category_id: FaqCategoryId,
    /// The question as customers ask it.
    pub question: LocalizedText,
    /// The answer shown under it.
    pub answer: LocalizedText,
    /// Lower first within its category.
    pub sort_order: i32,
    /// Inactive questions are hidden from customers.
    pub active: bool,
    /// When it was created (UTC).
    pub created_at: OffsetDateTime,
    /// When it last changed (UTC).
    pub updated_at: OffsetDateTime,
}

/// A category with its questions, as the FAQ screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaqSection {
    /// The category.
    pub category: FaqCategory,
    /// Its questions, in display order.
    pub questions: Vec<FaqQuestion>,
}

/// Groups questions under their categories, both by sort order then id. With `active_only`,
/// inactive categories (with every question in them) and inactive questions are left out; otherwise
/// everything is kept. Questions of a category not in `categories` are dropped.
#[must_use]
pub fn faq_sections(mut categories: Vec<FaqCategory>, mut questions: Vec<FaqQuestion>, active_only: bool) -> Vec<FaqSection> {
    categories.retain(|c| c.active || !active_only);
    categories.sort_by_key(|c| (c.sort_order, c.id));
    questions.retain(|q| q.active || !active_only);
    questions.sort_by_key(|q| (q.sort_order, q.id));
    categories
        .into_iter()
        .map(|category| {
            let questions = questions.iter().filter(|q| q.category_id == category.id).cloned().collect();
            FaqSection { category, questions }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn text(en: &str) -> LocalizedText {
        LocalizedText { ar: format!("{en} ar"), en: en.to_owned() }
    }

    fn category(n: u128, sort_order: i32, active: bool) -> FaqCategory {
        FaqCategory {
            id: FaqCategoryId(Uuid::from_u128(n)),
            title: text(&format!("Category {n}")),
            sort_order,
            active,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    fn question(n: u128, category: u128, sort_order: i32, active: bool) -> FaqQuestion {
        FaqQuestion {
            id: FaqQuestionId(Uuid::from_u128(n)),
            category_id: FaqCategoryId(Uuid::from_u128(category)),
            question: text(&format!("Question {n}?")),
            answer: text("Yes."),
            sort_order,
            active,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    fn shape(sections: &[FaqSection]) -> Vec<(u128, Vec<u128>)> {
        sections.iter().map(|s| (s.category.id.0.as_u128(), s.questions.iter().map(|q| q.id.0.as_u128()).collect())).collect()
    }

    #[test]
    fn customers_see_active_categories_with_their_active_questions_in_sort_order() {
        let categories = vec![category(1, 2, true), category(2, 1, true), category(3, 0, false)];
        let questions = vec![
            question(10, 1, 5, true),
            question(11, 1, 1, true),
            question(12, 1, 0, false),
            question(20, 2, 0, true),
            question(30, 3, 0, true),
            question(40, 9, 0, true),
        ];
        let sections = faq_sections(categories, questions, true);
        assert_eq!(shape(&sections), vec![(2, vec![20]), (1, vec![11, 10])]);
    }

    #[test]
    fn admins_see_everything_and_ties_are_broken_by_id() {
        let categories = vec![category(2, 0, true), category(1, 0, false)];
        let questions = vec![question(11, 1, 0, false), question(10, 1, 0, true)];
        let sections = faq_sections(categories, questions, false);
        assert_eq!(shape(&sections), vec![(1, vec![10, 11]), (2, vec![])]);
    }
}
