//! Admin broadcasts: an admin queues one (the request only stores it); the worker delivers it one step
//! at a time: the next batch of recipients by id gets its in-app notifications in one write and its
//! pushes, and the progress (last recipient, counts) is saved with the step, so a restarted worker
//! continues after the last recipient saved. A step redone after a crash writes no second in-app
//! notification (one per user and broadcast) but may push again to its batch: pushes are at least once.
use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

use super::concurrent::join_all;
use super::delivery::backoff;
use super::{NotificationError, NotificationService};
use crate::domain::notifications::{
    Audience, Broadcast, BroadcastId, BroadcastStatus, Device, Notification, NotificationId, NotificationKind,
};
use crate::domain::{AccessClaims, LocalizedText, UserId};
use crate::error::{GatewayError, RepoError};
use crate::services::authorization::acting_admin;

/// A broadcast as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadcastDraft {
    pub title: LocalizedText,
    pub body: LocalizedText,
    pub audience: Audience,
}

/// What one delivery step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BroadcastStep {
    pub broadcast: BroadcastId,
    /// Recipients handled in this step.
    pub recipients: u32,
    /// Pushes the provider accepted in this step.
    pub sent: u64,
    /// Where the broadcast stands after it.
    pub status: BroadcastStatus,
}

impl NotificationService {
    /// Queues a broadcast for the worker; nothing is sent in the request.
    ///
    /// # Errors
    /// `Denied` for anyone but an active admin, `AreaNotFound`, `Storage`.
    pub async fn send_broadcast(&self, actor: &AccessClaims, draft: BroadcastDraft) -> Result<Broadcast, NotificationError> {
        let admin = acting_admin(&self.ports, actor).await?;
        if let Audience::Area(area) = draft.audience
            && self.ports.delivery_areas.get(area).await?.is_none()
        {
            return Err(NotificationError::AreaNotFound);
        }
        let now = self.ports.clock.now();
        let broadcast = Broadcast {
            id: BroadcastId(Uuid::now_v7()),
            title: draft.title,
            body: draft.body,
            audience: draft.audience,
            status: BroadcastStatus::Queued,
            total: None,
            processed: 0,
            sent: 0,
            failed: 0,
            after: None,
            attempts: 0,
            last_error: None,
            available_at: now,
            created_by: admin.id,
            created_at: now,
            updated_at: now,
            finished_at: None,
        };
        self.ports.broadcasts.create(&broadcast).await.map_err(|e| match (e, &broadcast.audience) {
            // The area went away between the check and the write.
            (RepoError::Conflict(_), Audience::Area(_)) => NotificationError::AreaNotFound,
            (e, _) => e.into(),
        })?;
        tracing::info!(broadcast = %broadcast.id.0, audience = broadcast.audience.kind(), "broadcast queued");
        Ok(broadcast)
    }

    /// A broadcast with its progress.
    ///
    /// # Errors
    /// `Denied`, `BroadcastNotFound`, `Storage`.
    pub async fn broadcast(&self, actor: &AccessClaims, id: BroadcastId) -> Result<Broadcast, NotificationError> {
        acting_admin(&self.ports, actor).await?;
        self.ports.broadcasts.get(id).await?.ok_or(NotificationError::BroadcastNotFound)
    }

    /// Delivers the next batch of the oldest due broadcast; `None` when no broadcast is due.
    ///
    /// # Errors
    /// `Storage`; the step's lease then expires and a later step does it again.
    pub async fn deliver_broadcasts(&self) -> Result<Option<BroadcastStep>, NotificationError> {
        let now = self.ports.clock.now();
        let Some(mut b) = self.ports.broadcasts.claim_due(now, now + self.settings.lease).await? else { return Ok(None) };
        if b.total.is_none() {
            b.total = Some(self.ports.broadcasts.count_recipients(b.id, &b.audience).await?);
            b.status = BroadcastStatus::Sending;
        }
        let batch = self.ports.broadcasts.recipients(b.id, &b.audience, b.after, self.settings.broadcast_batch).await?;
        let now = self.ports.clock.now();
        let data = BTreeMap::from([("broadcastId".to_owned(), b.id.0.to_string())]);
        let notes: Vec<Notification> = batch
            .iter()
            .map(|r| Notification {
                id: NotificationId(Uuid::now_v7()),
                user_id: r.user_id,
                kind: NotificationKind::Broadcast,
                title: b.title.get(r.language).to_owned(),
                body: b.body.get(r.language).to_owned(),
                data: data.clone(),
                dedupe_key: format!("broadcast:{}", b.id.0),
                read_at: None,
                created_at: now,
            })
            .collect();
        self.ports.notifications.insert_many(&notes).await?;
        let ids: Vec<UserId> = batch.iter().map(|r| r.user_id).collect();
        let mut devices: HashMap<UserId, Vec<Device>> = HashMap::new();
        for d in self.ports.devices.of_users(&ids).await? {
            devices.entry(d.user_id).or_default().push(d);
        }
        let (sent_before, mut handled, mut stop) = (b.sent, 0u32, None);
        // A few recipients at a time, their pushes together; the progress moves only past a group whose
        // pushes all ended, so a group cut short by an unavailable provider is pushed again on resume.
        for group in batch.chunks(self.settings.push_concurrency.max(1)) {
            let pushes = group.iter().flat_map(|r| devices.get(&r.user_id).map_or(&[][..], Vec::as_slice)).map(|d| {
                // Broadcast pushes name the broadcast: a redone step's notification ids are not the stored ones.
                let (title, body) = (b.title.get(d.language).to_owned(), b.body.get(d.language).to_owned());
                self.push(&d.token, title, body, NotificationKind::Broadcast, data.clone())
            });
            let outcomes = join_all(pushes.collect()).await;
            if let Some(e) = outcomes.iter().find_map(|o| o.as_ref().err().filter(|e| e.is_retryable())) {
                stop = Some(e.clone());
                break;
            }
            for outcome in outcomes {
                match outcome {
                    Ok(true) => b.sent += 1,
                    Ok(false) => b.failed += 1,
                    Err(e) => {
                        tracing::warn!(broadcast = %b.id.0, error = %e, "broadcast push refused");
                        b.failed += 1;
                    }
                }
            }
            b.after = group.last().map(|r| r.user_id).or(b.after);
            b.processed += group.len() as u64;
            handled += u32::try_from(group.len()).unwrap_or(u32::MAX);
        }
        let now = self.ports.clock.now();
        match stop {
            Some(e) => {
                b.attempts += 1;
                b.last_error = Some(e.to_string());
                if b.attempts >= self.settings.broadcast_max_attempts {
                    tracing::error!(broadcast = %b.id.0, error = %e, "broadcast given up: the push provider kept failing");
                    b.status = BroadcastStatus::Failed;
                    b.finished_at = Some(now);
                } else {
                    let hint = match &e {
                        GatewayError::Unavailable { retry_after, .. } => *retry_after,
                        _ => None,
                    };
                    tracing::warn!(broadcast = %b.id.0, error = %e, "broadcast paused: the push provider is unavailable");
                    b.available_at = now + backoff(b.attempts - 1, hint);
                }
            }
            None => {
                b.attempts = 0;
                b.last_error = None;
                if batch.len() < self.settings.broadcast_batch as usize {
                    b.status = BroadcastStatus::Done;
                    b.finished_at = Some(now);
                    tracing::info!(broadcast = %b.id.0, recipients = b.processed, sent = b.sent, failed = b.failed, "broadcast delivered");
                }
            }
        }
        b.updated_at = now;
        self.ports.broadcasts.save_progress(&b).await?;
        Ok(Some(BroadcastStep { broadcast: b.id, recipients: handled, sent: b.sent - sent_before, status: b.status }))
    }
}
