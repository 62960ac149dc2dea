//! Conformance of the feedback stores, stated once and run on the in-memory fakes, SQLite and
//! PostgreSQL (`conformance!`): surveys with their questions and choices, answered once per customer,
//! each write recorded for SAP in its own transaction (and never for a refused one); ratings once per
//! order with their averages per area and ISO week; customers' questions answered once with the
//! notification written in the same transaction.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "storage_feedback/questions.rs"]
mod questions;
#[path = "storage_feedback/ratings.rs"]
mod ratings;
#[path = "storage_feedback/surveys.rs"]
mod surveys;

use sabil_core::domain::feedback::{QuestionDraft, QuestionKind, Survey, SurveyId, SurveyWindow, build_questions};
use sabil_core::domain::sync::ChangeRecord;
use sabil_core::domain::{LocalizedText, Role, User, UserStatus};
use sabil_tests::Stores;
use sabil_tests::fixtures::{at, new_user};
use uuid::Uuid;

pub(crate) fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} بالعربية"), en: en.to_owned() }
}

/// A survey open from `T0` for 30 days (created `seconds` after `T0`): a required single choice of two,
/// a required rating, an optional multiple choice of three and an optional free text.
pub(crate) fn survey(title: &str, seconds: i64) -> Survey {
    let q = |kind, required, options: &[&str]| QuestionDraft {
        kind,
        text: text("How was it?"),
        required,
        options: options.iter().map(|o| text(o)).collect(),
    };
    Survey {
        id: SurveyId(Uuid::now_v7()),
        sap_id: None,
        title: text(title),
        questions: build_questions(vec![
            q(QuestionKind::SingleChoice, true, &["Yes", "No"]),
            q(QuestionKind::Rating, true, &[]),
            q(QuestionKind::MultipleChoice, false, &["Price", "Speed", "Driver"]),
            q(QuestionKind::FreeText, false, &[]),
        ])
        .expect("valid questions"),
        window: SurveyWindow::new(at(0), at(30 * 86_400)).expect("valid window"),
        after_delivery: false,
        active: true,
        created_at: at(seconds),
        updated_at: at(seconds),
    }
}

/// An active admin with this phone.
pub(crate) async fn admin(stores: &Stores, raw_phone: &str) -> User {
    let mut user = new_user(raw_phone, at(0));
    (user.role, user.status) = (Role::Admin, UserStatus::Active);
    stores.users.create(&user).await.expect("create the admin")
}

/// Every change not completed, of entity `entity`, by `seq`.
pub(crate) async fn changes(stores: &Stores, entity: &str) -> Vec<ChangeRecord> {
    stores.changes.unprocessed(None, 1_000).await.expect("read the feed").into_iter().filter(|c| c.entity == entity).collect()
}
