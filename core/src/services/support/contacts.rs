//! Contact channels: read by everyone, managed by admins.
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SupportError, SupportService, not_found};
use crate::domain::support::{ContactAddress, ContactChannel, ContactChannelId};
use crate::domain::{AccessClaims, LocalizedText};
use crate::services::authorization::acting_admin;

/// A contact channel as an admin submits it (create, or full replacement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    /// Kind and value, already checked for each other.
    pub address: ContactAddress,
    /// What the app shows next to it.
    pub label: LocalizedText,
    /// Lower first.
    pub sort_order: i32,
    /// `false` hides it from customers.
    pub active: bool,
}

fn channel_from(id: ContactChannelId, d: ContactDraft, created_at: OffsetDateTime, updated_at: OffsetDateTime) -> ContactChannel {
    ContactChannel { id, address: d.address, label: d.label, sort_order: d.sort_order, active: d.active, created_at, updated_at }
}

impl SupportService {
    /// The active channels, in sort order.
    ///
    /// # Errors
    /// `Storage`.
    pub async fn contacts(&self) -> Result<Vec<ContactChannel>, SupportError> {
        Ok(self.ports.contacts.list(true).await?)
    }

    /// Every channel, inactive ones too (admins only).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn contacts_all(&self, actor: &AccessClaims) -> Result<Vec<ContactChannel>, SupportError> {
        acting_admin(&self.ports, actor).await?;
        Ok(self.ports.contacts.list(false).await?)
    }

    /// Creates a channel (admins only).
    ///
    /// # Errors
    /// `Denied`, `Storage`.
    pub async fn create_contact(&self, actor: &AccessClaims, draft: ContactDraft) -> Result<ContactChannel, SupportError> {
        acting_admin(&self.ports, actor).await?;
        let now = self.ports.clock.now();
        let channel = channel_from(ContactChannelId(Uuid::now_v7()), draft, now, now);
        self.ports.contacts.create(&channel).await?;
        self.changes.catalog_changed().await;
        Ok(channel)
    }

    /// Replaces a channel (admins only); deactivate with `active: false`.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Storage`.
    pub async fn update_contact(
        &self,
        actor: &AccessClaims,
        id: ContactChannelId,
        draft: ContactDraft,
    ) -> Result<ContactChannel, SupportError> {
        acting_admin(&self.ports, actor).await?;
        let existing = self.ports.contacts.get(id).await?.ok_or(SupportError::NotFound("contact channel"))?;
        let channel = channel_from(id, draft, existing.created_at, self.ports.clock.now());
        self.ports.contacts.update(&channel).await.map_err(not_found("contact channel"))?;
        self.changes.catalog_changed().await;
        Ok(channel)
    }
}
