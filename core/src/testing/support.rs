//! In-memory stores of mosques and support content, behaving as the SQL stores do (checked by the
//! conformance suite).
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::lock;
use crate::domain::UserId;
use crate::domain::mosque::{Mosque, MosqueId};
use crate::domain::support::{
    ContactChannel, ContactChannelId, FaqCategory, FaqCategoryId, FaqQuestion, FaqQuestionId, TermsAcceptance, TermsVersion,
};
use crate::error::RepoError;
use crate::ports::{
    ContactRepository, DeliveryAreaRepository, FaqRepository, MosqueQuery, MosqueRepository, TermsRepository, UserRepository,
};

/// Mosques in memory; their area must exist in `areas`.
pub struct InMemoryMosques {
    areas: Arc<dyn DeliveryAreaRepository>,
    rows: Mutex<Vec<Mosque>>,
}

impl InMemoryMosques {
    /// Mosques whose areas are looked up in `areas`.
    #[must_use]
    pub fn new(areas: Arc<dyn DeliveryAreaRepository>) -> Self {
        Self { areas, rows: Mutex::new(Vec::new()) }
    }

    async fn check_area(&self, m: &Mosque) -> Result<(), RepoError> {
        match self.areas.get(m.area_id).await? {
            Some(_) => Ok(()),
            None => Err(RepoError::Conflict("mosques.area_id".into())),
        }
    }
}

fn sap_taken(rows: &[Mosque], m: &Mosque) -> bool {
    m.sap_id.is_some() && rows.iter().any(|r| r.id != m.id && r.sap_id == m.sap_id)
}

#[async_trait]
impl MosqueRepository for InMemoryMosques {
    async fn create(&self, m: &Mosque) -> Result<(), RepoError> {
        self.check_area(m).await?;
        let mut rows = lock(&self.rows);
        if rows.iter().any(|r| r.id == m.id) || sap_taken(&rows, m) {
            return Err(RepoError::Conflict("mosques".into()));
        }
        rows.push(m.clone());
        Ok(())
    }

    async fn update(&self, m: &Mosque) -> Result<(), RepoError> {
        let exists = lock(&self.rows).iter().any(|r| r.id == m.id);
        if !exists {
            return Err(RepoError::NotFound);
        }
        self.check_area(m).await?;
        let mut rows = lock(&self.rows);
        if sap_taken(&rows, m) {
            return Err(RepoError::Conflict("mosques.sap_id".into()));
        }
        let row = rows.iter_mut().find(|r| r.id == m.id).ok_or(RepoError::NotFound)?;
        *row = Mosque { created_at: row.created_at, ..m.clone() };
        Ok(())
    }

    async fn get(&self, id: MosqueId) -> Result<Option<Mosque>, RepoError> {
        Ok(lock(&self.rows).iter().find(|m| m.id == id).cloned())
    }

    async fn list(&self, q: &MosqueQuery) -> Result<Vec<Mosque>, RepoError> {
        let mut found: Vec<Mosque> =
            lock(&self.rows).iter().filter(|m| q.area.is_none_or(|a| m.area_id == a) && (m.active || !q.active_only)).cloned().collect();
        found.sort_by(|a, b| (a.name.en.as_str(), a.id).cmp(&(b.name.en.as_str(), b.id)));
        Ok(found)
    }
}

/// FAQ categories and questions in memory.
#[derive(Debug, Default)]
pub struct InMemoryFaq {
    categories: Mutex<Vec<FaqCategory>>,
    questions: Mutex<Vec<FaqQuestion>>,
}

impl InMemoryFaq {
    fn has_category(&self, id: FaqCategoryId) -> bool {
        lock(&self.categories).iter().any(|c| c.id == id)
    }
}

#[async_trait]
impl FaqRepository for InMemoryFaq {
    async fn create_category(&self, c: &FaqCategory) -> Result<(), RepoError> {
        let mut rows = lock(&self.categories);
        if rows.iter().any(|r| r.id == c.id) {
            return Err(RepoError::Conflict("faq_categories".into()));
        }
        rows.push(c.clone());
        Ok(())
    }

    async fn update_category(&self, c: &FaqCategory) -> Result<(), RepoError> {
        let mut rows = lock(&self.categories);
        let row = rows.iter_mut().find(|r| r.id == c.id).ok_or(RepoError::NotFound)?;
        *row = FaqCategory { created_at: row.created_at, ..c.clone() };
        Ok(())
    }

    async fn get_category(&self, id: FaqCategoryId) -> Result<Option<FaqCategory>, RepoError> {
        Ok(lock(&self.categories).iter().find(|c| c.id == id).cloned())
    }

    async fn categories(&self, active_only: bool) -> Result<Vec<FaqCategory>, RepoError> {
        let mut found: Vec<FaqCategory> = lock(&self.categories).iter().filter(|c| c.active || !active_only).cloned().collect();
        found.sort_by_key(|c| (c.sort_order, c.id));
        Ok(found)
    }

    async fn create_question(&self, q: &FaqQuestion) -> Result<(), RepoError> {
        if !self.has_category(q.category_id) {
            return Err(RepoError::Conflict("faq_questions.category_id".into()));
        }
        let mut rows = lock(&self.questions);
        if rows.iter().any(|r| r.id == q.id) {
            return Err(RepoError::Conflict("faq_questions".into()));
        }
        rows.push(q.clone());
        Ok(())
    }

    async fn update_question(&self, q: &FaqQuestion) -> Result<(), RepoError> {
        let has_category = self.has_category(q.category_id);
        let mut rows = lock(&self.questions);
        let row = rows.iter_mut().find(|r| r.id == q.id).ok_or(RepoError::NotFound)?;
        if !has_category {
            return Err(RepoError::Conflict("faq_questions.category_id".into()));
        }
        *row = FaqQuestion { created_at: row.created_at, ..q.clone() };
        Ok(())
    }

    async fn get_question(&self, id: FaqQuestionId) -> Result<Option<FaqQuestion>, RepoError> {
        Ok(lock(&self.questions).iter().find(|q| q.id == id).cloned())
    }

    async fn questions(&self, active_only: bool) -> Result<Vec<FaqQuestion>, RepoError> {
        let mut found: Vec<FaqQuestion> = lock(&self.questions).iter().filter(|q| q.active || !active_only).cloned().collect();
        found.sort_by_key(|q| (q.sort_order, q.id));
        Ok(found)
    }
}

/// Contact channels in memory.
#[derive(Debug, Default)]
pub struct InMemoryContacts(Mutex<Vec<ContactChannel>>);

#[async_trait]
impl ContactRepository for InMemoryContacts {
    async fn create(&self, c: &ContactChannel) -> Result<(), RepoError> {
        let mut rows = lock(&self.0);
        if rows.iter().any(|r| r.id == c.id) {
            return Err(RepoError::Conflict("contact_channels".into()));
        }
        rows.push(c.clone());
        Ok(())
    }

    async fn update(&self, c: &ContactChannel) -> Result<(), RepoError> {
        let mut rows = lock(&self.0);
        let row = rows.iter_mut().find(|r| r.id == c.id).ok_or(RepoError::NotFound)?;
        *row = ContactChannel { created_at: row.created_at, ..c.clone() };
        Ok(())
    }

    async fn get(&self, id: ContactChannelId) -> Result<Option<ContactChannel>, RepoError> {
        Ok(lock(&self.0).iter().find(|c| c.id == id).cloned())
    }

    async fn list(&self, active_only: bool) -> Result<Vec<ContactChannel>, RepoError> {
        let mut found: Vec<ContactChannel> = lock(&self.0).iter().filter(|c| c.active || !active_only).cloned().collect();
        found.sort_by_key(|c| (c.sort_order, c.id));
        Ok(found)
    }
}

/// Terms versions and acceptances in memory; acceptances must name a user of `users`.
pub struct InMemoryTerms {
    users: Arc<dyn UserRepository>,
    versions: Mutex<Vec<TermsVersion>>,
    acceptances: Mutex<Vec<TermsAcceptance>>,
}

impl InMemoryTerms {
    /// Terms whose acceptances name users of `users`.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>) -> Self {
        Self { users, versions: Mutex::new(Vec::new()), acceptances: Mutex::new(Vec::new()) }
    }
}

#[async_trait]
impl TermsRepository for InMemoryTerms {
    async fn publish(&self, terms: &TermsVersion) -> Result<(), RepoError> {
        let mut versions = lock(&self.versions);
        if terms.version == 0 || versions.iter().any(|v| v.version >= terms.version) {
            return Err(RepoError::Conflict("terms_versions.version".into()));
        }
        versions.push(terms.clone());
        Ok(())
    }

    async fn latest(&self) -> Result<Option<TermsVersion>, RepoError> {
        Ok(lock(&self.versions).iter().max_by_key(|v| v.version).cloned())
    }

    async fn get(&self, version: u32) -> Result<Option<TermsVersion>, RepoError> {
        Ok(lock(&self.versions).iter().find(|v| v.version == version).cloned())
    }

    async fn accept(&self, a: &TermsAcceptance) -> Result<TermsAcceptance, RepoError> {
        let user_exists = self.users.get(a.user_id).await?.is_some();
        let version_exists = lock(&self.versions).iter().any(|v| v.version == a.version);
        if !user_exists || !version_exists {
            return Err(RepoError::Conflict("terms_acceptances".into()));
        }
        let mut rows = lock(&self.acceptances);
        if let Some(first) = rows.iter().find(|r| r.user_id == a.user_id && r.version == a.version) {
            return Ok(*first);
        }
        rows.push(*a);
        Ok(*a)
    }

    async fn acceptance(&self, user: UserId, version: u32) -> Result<Option<TermsAcceptance>, RepoError> {
        Ok(lock(&self.acceptances).iter().find(|r| r.user_id == user && r.version == version).copied())
    }
}
