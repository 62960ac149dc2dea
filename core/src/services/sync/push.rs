//! The sync-worker's push of our changes to SAP. Changes of one entity (same type and id) go one at a
//! time in sequence order — a change is sent only after the one before it was accepted — while
//! different entities go side by side (the worker runs the chains of `plan_push` concurrently). A
//! refused change (SAP's 4xx) or one that failed `max_attempts` times is dead-lettered, and the later
//! changes of its entity wait behind it until an operator retries or skips it.
use std::collections::HashMap;
use std::time::Duration;

use time::OffsetDateTime;

use super::SyncService;
use crate::domain::sync::{ChangeOperation, ChangeRecord, OutboundEntity};
use crate::error::{GatewayError, RepoError};

/// The `Rejected` code an ERP gateway gives when SAP refuses our credentials.
pub const LOGIN_REFUSED: &str = "login_refused";

/// Tunables of the push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSettings {
    /// Changes read per pass.
    pub batch: u32,
    /// Failed tries before a change is dead-lettered.
    pub max_attempts: u32,
    /// The first retry delay; doubled per attempt, with jitter.
    pub base_delay: Duration,
    /// The longest retry delay.
    pub max_delay: Duration,
}

impl Default for PushSettings {
    fn default() -> Self {
        Self { batch: 500, max_attempts: 8, base_delay: Duration::from_secs(5), max_delay: Duration::from_secs(900) }
    }
}

/// What one chain (or a whole pass) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Accepted by SAP and marked completed.
    pub pushed: u32,
    /// Failed and scheduled again.
    pub retried: u32,
    /// Given up on until an operator acts.
    pub dead_lettered: u32,
    /// Not tried: behind a change of the same entity that failed or waits for its retry time.
    pub waiting: u32,
    /// SAP refused our credentials: nothing was counted against the changes; the operator must fix
    /// `SABIL_SAP_LOGIN`/`SABIL_SAP_PASSWORD` (the worker waits longer before the next pass).
    pub login_refused: bool,
}

impl PushReport {
    /// Adds another report's counts.
    pub fn add(&mut self, other: PushReport) {
        self.pushed += other.pushed;
        self.retried += other.retried;
        self.dead_lettered += other.dead_lettered;
        self.waiting += other.waiting;
        self.login_refused |= other.login_refused;
    }
}

/// Splits changes (in sequence order) into chains, one per entity, each in sequence order; chains whose
/// first change waits for its retry time are left out and counted as waiting. Chains come in the order
/// of their first change.
#[must_use]
pub fn plan_push(changes: Vec<ChangeRecord>, now: OffsetDateTime) -> (Vec<Vec<ChangeRecord>>, u32) {
    let mut index: HashMap<(String, uuid::Uuid), usize> = HashMap::new();
    let mut chains: Vec<Vec<ChangeRecord>> = Vec::new();
    for change in changes {
        let key = (change.entity.clone(), change.entity_id);
        match index.get(&key) {
            Some(&i) => chains[i].push(change),
            None => {
                index.insert(key, chains.len());
                chains.push(vec![change]);
            }
        }
    }
    let mut waiting = 0;
    chains.retain(|chain| {
        let due = chain.first().is_none_or(|head| head.next_attempt_at.is_none_or(|at| at <= now));
        if !due {
            waiting += u32::try_from(chain.len()).unwrap_or(u32::MAX);
        }
        due
    });
    (chains, waiting)
}

/// The delay before retry number `attempt` (1 for the first retry): `base * 2^(attempt-1)`, capped at
/// `max`, then spread over its upper half by `jitter_seed` so that many changes failing together do
/// not come back together.
#[must_use]
pub fn backoff(attempt: u32, settings: &PushSettings, jitter_seed: u64) -> Duration {
    let exp = settings.base_delay.saturating_mul(1_u32 << attempt.saturating_sub(1).min(20));
    let capped = exp.min(settings.max_delay);
    let half = capped / 2;
    let spread = u64::try_from(half.as_millis()).unwrap_or(u64::MAX).max(1);
    half + Duration::from_millis(jitter_seed % spread)
}

impl SyncService {
    /// The next changes to push, planned into chains (see `plan_push`).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn plan(&self, settings: &PushSettings) -> Result<(Vec<Vec<ChangeRecord>>, u32), RepoError> {
        let changes = self.ports.changes.pushable(settings.batch).await?;
        Ok(plan_push(changes, self.ports.clock.now()))
    }

    /// Pushes one entity's chain in order, stopping at the first change that fails (it is retried
    /// later or dead-lettered; the rest of the chain waits).
    ///
    /// # Errors
    /// Storage failures (the change being handled is pushed again on the next pass; SAP is keyed by our
    /// ids and change ids, so a second delivery changes nothing there).
    pub async fn push_chain(&self, chain: &[ChangeRecord], settings: &PushSettings) -> Result<PushReport, RepoError> {
        let mut report = PushReport::default();
        for (i, change) in chain.iter().enumerate() {
            match self.ports.erp.push(change).await {
                Ok(pushed) => {
                    self.ports.changes.confirm(&[change.id], "push", self.ports.clock.now()).await?;
                    report.pushed += 1;
                    if let (Some(sap_id), Some(entity)) = (pushed.sap_id, OutboundEntity::parse(&change.entity))
                        && change.operation != ChangeOperation::Delete
                        && let Err(e) = self.ports.sap_links.remember_sap_id(entity, change.entity_id, &sap_id).await
                    {
                        tracing::warn!(error = %e, change = %change.id, %sap_id, "could not store the SAP id SAP gave");
                    }
                }
                Err(GatewayError::Rejected { code, message }) if code == LOGIN_REFUSED => {
                    // Not this change's fault: no attempt is counted, nothing is dead-lettered.
                    tracing::error!(%message, "SAP refused our credentials; check SABIL_SAP_LOGIN and SABIL_SAP_PASSWORD");
                    report.login_refused = true;
                    report.waiting += u32::try_from(chain.len() - i).unwrap_or(u32::MAX);
                    break;
                }
                Err(e) => {
                    let now = self.ports.clock.now();
                    let attempt = change.attempts + 1;
                    let message = e.to_string();
                    if !e.is_retryable() || attempt >= settings.max_attempts {
                        self.ports.changes.dead_letter(change.id, &message, now).await?;
                        report.dead_lettered += 1;
                        tracing::error!(change = %change.id, entity = %change.entity, entity_id = %change.entity_id, attempt, error = %message, "change dead-lettered");
                    } else {
                        let delay = backoff(attempt, settings, change.id.as_u128() as u64 ^ u64::from(attempt));
                        let at = now + delay;
                        self.ports.changes.push_failed(change.id, &message, at).await?;
                        report.retried += 1;
                        tracing::warn!(change = %change.id, entity = %change.entity, attempt, retry_in_ms = delay.as_millis() as u64, error = %message, "push failed; will retry");
                    }
                    report.waiting += u32::try_from(chain.len() - i - 1).unwrap_or(u32::MAX);
                    break;
                }
            }
        }
        Ok(report)
    }
}
