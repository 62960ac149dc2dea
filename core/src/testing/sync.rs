//! In-memory SAP synchronisation: the change feed the other fakes append to (as the SQL stores write
//! `changes` rows in their transactions), SAP links, the log of refused changes, and a scripted ERP
//! that records what it was sent.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{InMemoryAddresses, InMemoryOrders, InMemoryProducts, InMemoryUsers, lock};
use crate::domain::catalog::{Product, ProductId};
use crate::domain::sync::{ChangeOperation, ChangeRecord, InboundEntity, OutboundEntity};
use crate::error::{GatewayError, RepoError};
use crate::ports::{
    ChangeFeedRepository, Confirmed, EntityBacklog, ErpChange, ErpGateway, Pushed, SapLink, SapLinkRepository, SapProductSave, SyncFailure,
    SyncFailureRepository,
};

/// The data of a change in the fakes: the ids alone, as JSON (core has no JSON library; the SQL stores
/// write the whole entity).
pub(crate) fn change_data(id: Uuid, sap_id: Option<&str>) -> String {
    match sap_id {
        Some(sap_id) => format!("{{\"id\":\"{id}\",\"sapId\":{sap_id:?}}}"),
        None => format!("{{\"id\":\"{id}\",\"sapId\":null}}"),
    }
}

#[derive(Debug, Clone)]
struct Row {
    record: ChangeRecord,
    completed_by: Option<String>,
    skip_reason: Option<String>,
}

#[derive(Debug, Default)]
struct FeedState {
    rows: Vec<Row>,
    notes: BTreeMap<String, (String, OffsetDateTime)>,
}

/// The change feed in memory. The order, account and address fakes append to it exactly when the SQL
/// stores write a change row.
#[derive(Debug, Default)]
pub struct InMemoryChanges(Mutex<FeedState>);

impl InMemoryChanges {
    /// Records a change of `entity` `entity_id` made at `at`; returns its `seq`.
    pub(crate) fn append(
        &self,
        entity: OutboundEntity,
        entity_id: Uuid,
        operation: ChangeOperation,
        data: String,
        at: OffsetDateTime,
    ) -> i64 {
        let mut state = lock(&self.0);
        let seq = state.rows.last().map_or(1, |r| r.record.seq + 1);
        state.rows.push(Row {
            record: ChangeRecord {
                seq,
                id: Uuid::now_v7(),
                entity: entity.as_str().to_owned(),
                entity_id,
                operation,
                data,
                created_at: at,
                is_completed: false,
                attempts: 0,
                last_error: None,
                next_attempt_at: None,
                dead_at: None,
            },
            completed_by: None,
            skip_reason: None,
        });
        seq
    }

    /// Every change recorded, completed or not, by `seq`.
    #[must_use]
    pub fn all(&self) -> Vec<ChangeRecord> {
        lock(&self.0).rows.iter().map(|r| r.record.clone()).collect()
    }

    /// Who completed the change (`sap`, `push`, `operator`) and the reason an operator gave for skipping it.
    #[must_use]
    pub fn settlement(&self, id: Uuid) -> Option<(Option<String>, Option<String>)> {
        lock(&self.0).rows.iter().find(|r| r.record.id == id).map(|r| (r.completed_by.clone(), r.skip_reason.clone()))
    }

    fn select(&self, limit: u32, keep: impl Fn(&[Row], &Row) -> bool) -> Vec<ChangeRecord> {
        let state = lock(&self.0);
        state.rows.iter().filter(|r| keep(&state.rows, r)).take(limit as usize).map(|r| r.record.clone()).collect()
    }

    fn update(&self, id: Uuid, f: impl FnOnce(&mut ChangeRecord)) {
        if let Some(row) = lock(&self.0).rows.iter_mut().find(|r| r.record.id == id) {
            f(&mut row.record);
        }
    }
}

fn is_dead_letter(r: &ChangeRecord) -> bool {
    r.dead_at.is_some() && !r.is_completed
}

#[async_trait]
impl ChangeFeedRepository for InMemoryChanges {
    async fn unprocessed(&self, after: Option<i64>, limit: u32) -> Result<Vec<ChangeRecord>, RepoError> {
        Ok(self.select(limit, |_, r| !r.record.is_completed && after.is_none_or(|a| r.record.seq > a)))
    }

    async fn confirm(&self, ids: &[Uuid], by: &str, _now: OffsetDateTime) -> Result<Confirmed, RepoError> {
        let mut state = lock(&self.0);
        let mut confirmed = Confirmed::default();
        let mut seen = HashSet::new();
        for id in ids.iter().copied().filter(|id| seen.insert(*id)) {
            match state.rows.iter_mut().find(|r| r.record.id == id) {
                None => confirmed.unknown.push(id),
                Some(row) if row.record.is_completed => confirmed.already.push(id),
                Some(row) => {
                    row.record.is_completed = true;
                    row.completed_by = Some(by.to_owned());
                    confirmed.completed.push(id);
                }
            }
        }
        Ok(confirmed)
    }

    async fn pushable(&self, limit: u32) -> Result<Vec<ChangeRecord>, RepoError> {
        Ok(self.select(limit, |rows, r| {
            let c = &r.record;
            !c.is_completed
                && c.dead_at.is_none()
                && !rows.iter().any(|d| {
                    let d = &d.record;
                    d.entity == c.entity && d.entity_id == c.entity_id && d.seq < c.seq && is_dead_letter(d)
                })
        }))
    }

    async fn push_failed(&self, id: Uuid, error: &str, next_attempt_at: OffsetDateTime) -> Result<(), RepoError> {
        self.update(id, |r| {
            r.attempts += 1;
            r.last_error = Some(error.to_owned());
            r.next_attempt_at = Some(next_attempt_at);
        });
        Ok(())
    }

    async fn dead_letter(&self, id: Uuid, error: &str, now: OffsetDateTime) -> Result<(), RepoError> {
        self.update(id, |r| {
            r.attempts += 1;
            r.last_error = Some(error.to_owned());
            r.dead_at = Some(now);
        });
        Ok(())
    }

    async fn dead_letters(&self, limit: u32) -> Result<Vec<ChangeRecord>, RepoError> {
        Ok(self.select(limit, |_, r| is_dead_letter(&r.record)))
    }

    async fn retry(&self, id: Option<Uuid>, now: OffsetDateTime) -> Result<u64, RepoError> {
        let mut state = lock(&self.0);
        let mut n = 0;
        for r in state.rows.iter_mut().map(|r| &mut r.record).filter(|r| is_dead_letter(r) && id.is_none_or(|id| r.id == id)) {
            r.dead_at = None;
            r.attempts = 0;
            r.next_attempt_at = Some(now);
            n += 1;
        }
        Ok(n)
    }

    async fn skip(&self, id: Uuid, reason: &str, _now: OffsetDateTime) -> Result<bool, RepoError> {
        let mut state = lock(&self.0);
        match state.rows.iter_mut().find(|r| r.record.id == id && !r.record.is_completed) {
            None => Ok(false),
            Some(row) => {
                row.record.is_completed = true;
                row.completed_by = Some("operator".to_owned());
                row.skip_reason = Some(reason.to_owned());
                Ok(true)
            }
        }
    }

    async fn get(&self, id: Uuid) -> Result<Option<ChangeRecord>, RepoError> {
        Ok(lock(&self.0).rows.iter().find(|r| r.record.id == id).map(|r| r.record.clone()))
    }

    async fn backlog(&self) -> Result<Vec<EntityBacklog>, RepoError> {
        let mut by_entity: BTreeMap<String, EntityBacklog> = BTreeMap::new();
        for r in lock(&self.0).rows.iter().map(|r| &r.record).filter(|r| !r.is_completed) {
            let b = by_entity.entry(r.entity.clone()).or_insert_with(|| EntityBacklog {
                entity: r.entity.clone(),
                pending: 0,
                dead: 0,
                oldest: None,
            });
            if r.dead_at.is_some() {
                b.dead += 1;
            } else {
                b.pending += 1;
            }
            b.oldest = Some(b.oldest.map_or(r.created_at, |o| o.min(r.created_at)));
        }
        Ok(by_entity.into_values().collect())
    }

    async fn note(&self, name: &str, value: &str, now: OffsetDateTime) -> Result<(), RepoError> {
        lock(&self.0).notes.insert(name.to_owned(), (value.to_owned(), now));
        Ok(())
    }

    async fn notes(&self) -> Result<Vec<(String, String, OffsetDateTime)>, RepoError> {
        Ok(lock(&self.0).notes.iter().map(|(name, (value, at))| (name.clone(), value.clone(), *at)).collect())
    }
}

/// SAP links in memory; SAP ids SAP gives our entities are stored on the order, account and address fakes.
pub struct InMemorySapLinks {
    links: Mutex<HashMap<(InboundEntity, String), SapLink>>,
    users: Arc<InMemoryUsers>,
    addresses: Arc<InMemoryAddresses>,
    orders: Arc<InMemoryOrders>,
    products: Arc<InMemoryProducts>,
}

impl InMemorySapLinks {
    /// Links whose `remember_sap_id` sets the SAP id on these fakes' entities, and whose `save_product`
    /// writes these products.
    #[must_use]
    pub fn new(
        users: Arc<InMemoryUsers>,
        addresses: Arc<InMemoryAddresses>,
        orders: Arc<InMemoryOrders>,
        products: Arc<InMemoryProducts>,
    ) -> Self {
        Self { links: Mutex::default(), users, addresses, orders, products }
    }
}

impl std::fmt::Debug for InMemorySapLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemorySapLinks").field("links", &self.links).finish_non_exhaustive()
    }
}

#[async_trait]
impl SapLinkRepository for InMemorySapLinks {
    async fn find(&self, entity: InboundEntity, sap_id: &str) -> Result<Option<SapLink>, RepoError> {
        Ok(lock(&self.links).get(&(entity, sap_id.to_owned())).cloned())
    }

    async fn record(
        &self,
        entity: InboundEntity,
        sap_id: &str,
        app_id: Uuid,
        version: i64,
        _now: OffsetDateTime,
    ) -> Result<bool, RepoError> {
        let mut links = lock(&self.links);
        let key = (entity, sap_id.to_owned());
        if links.get(&key).is_some_and(|l| l.version > version) {
            return Ok(false);
        }
        links.insert(key, SapLink { app_id, version });
        Ok(true)
    }

    async fn remember_sap_id(&self, entity: OutboundEntity, app_id: Uuid, sap_id: &str) -> Result<bool, RepoError> {
        match entity {
            OutboundEntity::Order => self.orders.remember_sap_id(app_id, sap_id),
            OutboundEntity::Customer => self.users.remember_sap_id(app_id, sap_id),
            OutboundEntity::Address => self.addresses.remember_sap_id(app_id, sap_id),
            OutboundEntity::Survey | OutboundEntity::SurveyAnswer => Ok(false),
        }
    }

    async fn save_product(&self, product: &Product, pinned: bool, version: i64, _now: OffsetDateTime) -> Result<SapProductSave, RepoError> {
        let Some(sap_id) = product.sap_id.clone() else {
            return Err(RepoError::Internal("a product from SAP without its SAP id".into()));
        };
        // The links stay locked across the product write: the check and both writes are one step.
        let mut links = lock(&self.links);
        let key = (InboundEntity::Product, sap_id);
        let id = match links.get(&key) {
            Some(l) if l.version >= version || (pinned && l.app_id != product.id.0) => return Ok(SapProductSave::NotApplied),
            Some(l) => ProductId(l.app_id),
            None => product.id,
        };
        let created = self.products.save(&Product { id, image_id: None, ..product.clone() })?;
        links.insert(key, SapLink { app_id: id.0, version });
        Ok(if created { SapProductSave::Created(id) } else { SapProductSave::Updated(id) })
    }
}

/// The log of refused changes in memory.
#[derive(Debug, Default)]
pub struct InMemorySyncFailures(Mutex<Vec<SyncFailure>>);

#[async_trait]
impl SyncFailureRepository for InMemorySyncFailures {
    async fn record(&self, failure: &SyncFailure) -> Result<(), RepoError> {
        let mut failures = lock(&self.0);
        if failures.iter().any(|f| f.id == failure.id) {
            return Err(RepoError::Conflict("sync_failures_pkey".into()));
        }
        failures.push(failure.clone());
        Ok(())
    }

    async fn recent(&self, limit: u32) -> Result<Vec<SyncFailure>, RepoError> {
        let mut failures = lock(&self.0).clone();
        failures.sort_by_key(|f| std::cmp::Reverse((f.created_at, f.id)));
        failures.truncate(limit as usize);
        Ok(failures)
    }
}

/// How the fake ERP answers a push it has no specific answer for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErpOutcome {
    /// Accepts it.
    #[default]
    Accept,
    /// Is down: pushes, pulls and confirmations fail as `Unavailable`.
    Unavailable,
    /// Refuses it (a 4xx): `Rejected`.
    Reject,
}

#[derive(Debug, Default)]
struct ErpState {
    default: ErpOutcome,
    rejected: HashSet<Uuid>,
    sap_ids: HashMap<Uuid, String>,
    pushed: Vec<(ChangeRecord, bool)>,
    feed: Vec<ErpChange>,
    confirmed: Vec<String>,
}

/// A scripted SAP: records every push in order, answers by its default outcome (or rejects changes of
/// entities marked rejected, or gives SAP ids set per entity), serves a queue of its own changes to
/// pull until they are confirmed, and records the confirmations.
#[derive(Debug, Default)]
pub struct RecordingErp(Mutex<ErpState>);

impl RecordingErp {
    /// How pushes are answered from now on (and whether pulls and confirmations fail).
    pub fn set_default(&self, outcome: ErpOutcome) {
        lock(&self.0).default = outcome;
    }

    /// Refuses every push of a change of our entity `entity_id` (whatever the default, unless SAP is down).
    pub fn reject(&self, entity_id: Uuid) {
        lock(&self.0).rejected.insert(entity_id);
    }

    /// Accepts pushes of `entity_id` again (after `reject`).
    pub fn accept(&self, entity_id: Uuid) {
        lock(&self.0).rejected.remove(&entity_id);
    }

    /// Answers an accepted push of a change of `entity_id` with this SAP id.
    pub fn answer_sap_id(&self, entity_id: Uuid, sap_id: &str) {
        lock(&self.0).sap_ids.insert(entity_id, sap_id.to_owned());
    }

    /// Adds a change to SAP's feed, for `pull` to serve.
    pub fn queue(&self, change: ErpChange) {
        lock(&self.0).feed.push(change);
    }

    /// Every change pushed, accepted or not, in order.
    #[must_use]
    pub fn pushed(&self) -> Vec<ChangeRecord> {
        lock(&self.0).pushed.iter().map(|(c, _)| c.clone()).collect()
    }

    /// The changes SAP accepted, in order.
    #[must_use]
    pub fn accepted(&self) -> Vec<ChangeRecord> {
        lock(&self.0).pushed.iter().filter(|(_, ok)| *ok).map(|(c, _)| c.clone()).collect()
    }

    /// The ids of SAP's changes we confirmed, in order.
    #[must_use]
    pub fn confirmed(&self) -> Vec<String> {
        lock(&self.0).confirmed.clone()
    }

    /// SAP's changes still waiting for our confirmation.
    #[must_use]
    pub fn waiting(&self) -> Vec<ErpChange> {
        lock(&self.0).feed.clone()
    }
}

fn down() -> GatewayError {
    GatewayError::Unavailable { message: "the fake SAP is down".into(), retry_after: None }
}

#[async_trait]
impl ErpGateway for RecordingErp {
    async fn push(&self, change: &ChangeRecord) -> Result<Pushed, GatewayError> {
        let mut state = lock(&self.0);
        let outcome = match state.default {
            ErpOutcome::Unavailable => Err(down()),
            _ if state.rejected.contains(&change.entity_id) || state.default == ErpOutcome::Reject => {
                Err(GatewayError::Rejected { code: "400".into(), message: format!("the fake SAP refused change {}", change.id) })
            }
            _ => Ok(Pushed { sap_id: state.sap_ids.get(&change.entity_id).cloned() }),
        };
        state.pushed.push((change.clone(), outcome.is_ok()));
        outcome
    }

    async fn pull(&self, limit: u32) -> Result<Vec<ErpChange>, GatewayError> {
        let state = lock(&self.0);
        if state.default == ErpOutcome::Unavailable {
            return Err(down());
        }
        Ok(state.feed.iter().take(limit as usize).cloned().collect())
    }

    async fn confirm(&self, ids: &[String]) -> Result<(), GatewayError> {
        let mut state = lock(&self.0);
        if state.default == ErpOutcome::Unavailable {
            return Err(down());
        }
        state.feed.retain(|c| !ids.contains(&c.id));
        state.confirmed.extend(ids.iter().cloned());
        Ok(())
    }

    fn name(&self) -> &'static str {
        "recording"
    }
}
