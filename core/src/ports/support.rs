//! Persistence of mosques and of support content: FAQ categories and questions, contact channels,
//! terms versions and customers' acceptances of them.
use async_trait::async_trait;

use crate::domain::UserId;
use crate::domain::delivery::DeliveryAreaId;
use crate::domain::mosque::{Mosque, MosqueId};
use crate::domain::support::{
    ContactChannel, ContactChannelId, FaqCategory, FaqCategoryId, FaqQuestion, FaqQuestionId, TermsAcceptance, TermsVersion,
};
use crate::error::RepoError;

/// Which mosques to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MosqueQuery {
    /// Only mosques served by this area.
    pub area: Option<DeliveryAreaId>,
    /// Leave out inactive mosques (what customers see).
    pub active_only: bool,
}

/// Stores mosques.
#[async_trait]
pub trait MosqueRepository: Send + Sync {
    /// Stores a new mosque.
    ///
    /// # Errors
    /// `Conflict` when the id or the SAP id is taken, or the area does not exist.
    async fn create(&self, mosque: &Mosque) -> Result<(), RepoError>;

    /// Replaces every field of an existing mosque but its `created_at`.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Conflict` when the SAP id belongs to another mosque or the
    /// area does not exist.
    async fn update(&self, mosque: &Mosque) -> Result<(), RepoError>;

    /// The mosque with this id, active or not.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: MosqueId) -> Result<Option<Mosque>, RepoError>;

    /// Every mosque matching the query, by English name (compared byte-wise), then id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, query: &MosqueQuery) -> Result<Vec<Mosque>, RepoError>;
}

/// Stores FAQ categories and their questions.
#[async_trait]
pub trait FaqRepository: Send + Sync {
    /// Stores a new category.
    ///
    /// # Errors
    /// `Conflict` when the id is taken.
    async fn create_category(&self, category: &FaqCategory) -> Result<(), RepoError>;

    /// Replaces a category's title, sort order, active flag and `updated_at`.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    async fn update_category(&self, category: &FaqCategory) -> Result<(), RepoError>;

    /// The category with this id, active or not.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get_category(&self, id: FaqCategoryId) -> Result<Option<FaqCategory>, RepoError>;

    /// Every category (active ones only when asked), by sort order, then id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn categories(&self, active_only: bool) -> Result<Vec<FaqCategory>, RepoError>;

    /// Stores a new question.
    ///
    /// # Errors
    /// `Conflict` when the id is taken or the category does not exist.
    async fn create_question(&self, question: &FaqQuestion) -> Result<(), RepoError>;

    /// Replaces every field of a question but its `created_at` (it may move to another category).
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Conflict` when the category does not exist.
    async fn update_question(&self, question: &FaqQuestion) -> Result<(), RepoError>;

    /// The question with this id, active or not.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get_question(&self, id: FaqQuestionId) -> Result<Option<FaqQuestion>, RepoError>;

    /// Every question of every category (only active questions when asked; the category's own flag
    /// is not considered), by sort order, then id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn questions(&self, active_only: bool) -> Result<Vec<FaqQuestion>, RepoError>;
}

/// Stores contact channels.
#[async_trait]
pub trait ContactRepository: Send + Sync {
    /// Stores a new channel.
    ///
    /// # Errors
    /// `Conflict` when the id is taken.
    async fn create(&self, channel: &ContactChannel) -> Result<(), RepoError>;

    /// Replaces every field of a channel but its `created_at`.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    async fn update(&self, channel: &ContactChannel) -> Result<(), RepoError>;

    /// The channel with this id, active or not.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: ContactChannelId) -> Result<Option<ContactChannel>, RepoError>;

    /// Every channel (active ones only when asked), by sort order, then id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list(&self, active_only: bool) -> Result<Vec<ContactChannel>, RepoError>;
}

/// Stores terms versions and who accepted which.
#[async_trait]
pub trait TermsRepository: Send + Sync {
    /// Stores a new version, provided its number is greater than every stored one (versions only
    /// go up, so of two concurrent publishers of the same number one is refused).
    ///
    /// # Errors
    /// `Conflict` when a version with this number or a higher one exists.
    async fn publish(&self, terms: &TermsVersion) -> Result<(), RepoError>;

    /// The version with the highest number; `None` before the first is published.
    ///
    /// # Errors
    /// Storage failures only.
    async fn latest(&self) -> Result<Option<TermsVersion>, RepoError>;

    /// The version with this number.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, version: u32) -> Result<Option<TermsVersion>, RepoError>;

    /// Records that the user accepted the version, once: accepting again changes nothing and
    /// returns the first acceptance (with its time).
    ///
    /// # Errors
    /// `Conflict` when the user or the version does not exist.
    async fn accept(&self, acceptance: &TermsAcceptance) -> Result<TermsAcceptance, RepoError>;

    /// The user's acceptance of the version, if they accepted it.
    ///
    /// # Errors
    /// Storage failures only.
    async fn acceptance(&self, user: UserId, version: u32) -> Result<Option<TermsAcceptance>, RepoError>;
}
