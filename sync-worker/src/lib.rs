//! The sync-worker's steps, each callable once by tests (`push_once`, `pull_once`) and looped by the
//! daemon (`main.rs`): pushing our change feed to SAP (entities side by side, each entity's changes in
//! order) and applying SAP's feed (in SAP's order, confirming exactly what was applied).
use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use sabil_adapters::app::App;
use sabil_adapters::sap_records::{parse_change, problems_json, sap_id_of};
use sabil_core::domain::sync::{ChangeOperation, InboundEntity};
use sabil_core::error::{GatewayError, RepoError};
use sabil_core::ports::{ErpChange, FailureSource};
use sabil_core::services::SapInboundService;
use sabil_core::services::sync::{InboundError, PushReport, PushSettings};

/// Tunables of the worker.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub push: PushSettings,
    /// Entities pushed side by side.
    pub concurrency: usize,
    /// Changes read from SAP's feed per pull.
    pub pull_limit: u32,
    /// Tries of a change that hits a storage failure, within one pull.
    pub storage_tries: u32,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self { push: PushSettings::default(), concurrency: 32, pull_limit: 500, storage_tries: 3 }
    }
}

/// What one pull did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PullReport {
    /// Changes SAP's feed gave.
    pub read: u32,
    /// Applied (or found applied before) and confirmed to SAP.
    pub applied: u32,
    /// Refused (logged in `sync_failures`), not confirmed.
    pub refused: u32,
    /// Not tried: behind a refused change of the same entity.
    pub waiting: u32,
    /// Older than the version applied: logged, and confirmed as processed (an obsolete change must not
    /// hold back the newer changes of its entity).
    pub superseded: u32,
}

/// Why a pull stopped early.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("SAP: {0}")]
    Sap(#[from] GatewayError),
    /// Our database failed; what was applied before it was confirmed.
    #[error("storage: {0}")]
    Storage(RepoError),
}

/// The worker over a wired application.
#[derive(Clone)]
pub struct SyncWorker {
    pub app: App,
    pub settings: WorkerSettings,
    /// SAP's change ids already logged as refused: a change that stays in SAP's feed is refused again on
    /// every pull, but logged once per worker run.
    logged: std::sync::Arc<std::sync::Mutex<HashSet<String>>>,
}

impl SyncWorker {
    #[must_use]
    pub fn new(app: App, settings: WorkerSettings) -> Self {
        Self { app, settings, logged: std::sync::Arc::default() }
    }

    /// One pass of the push: reads up to `push.batch` pushable changes and pushes them, one chain per
    /// entity, `concurrency` chains at a time.
    ///
    /// # Errors
    /// Storage failures (what was pushed before stays pushed).
    pub async fn push_once(&self) -> Result<PushReport, RepoError> {
        let started = Instant::now();
        let (chains, waiting) = self.app.sync.plan(&self.settings.push).await?;
        let mut report = PushReport { waiting, ..PushReport::default() };
        if chains.is_empty() {
            return Ok(report);
        }
        let sync = &self.app.sync;
        let push = &self.settings.push;
        let mut results = futures_util::stream::iter(chains.iter())
            .map(|chain| sync.push_chain(chain, push))
            .buffer_unordered(self.settings.concurrency.max(1));
        let mut first_error = None;
        while let Some(result) = results.next().await {
            match result {
                Ok(r) => report.add(r),
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        metrics::counter!("sabil_sync_pushed_total").increment(u64::from(report.pushed));
        metrics::counter!("sabil_sync_push_failures_total").increment(u64::from(report.retried + report.dead_lettered));
        metrics::histogram!("sabil_sync_push_pass_seconds").record(started.elapsed().as_secs_f64());
        if let Some(e) = first_error {
            return Err(e);
        }
        if report.pushed > 0 {
            let now = self.app.ports.clock.now();
            self.app.ports.changes.note("last_push", &format!("{} changes", report.pushed), now).await?;
        }
        Ok(report)
    }

    /// Pushes until nothing more can be pushed now (what waits for a retry time stays).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn push_until_idle(&self) -> Result<PushReport, RepoError> {
        let mut total = PushReport::default();
        loop {
            let r = self.push_once().await?;
            total.pushed += r.pushed;
            total.retried += r.retried;
            total.dead_lettered += r.dead_lettered;
            total.waiting = r.waiting;
            if r.pushed == 0 {
                return Ok(total);
            }
        }
    }

    /// One pull of SAP's feed: applies its changes in SAP's order (a refused change holds back the later
    /// changes of the same entity; other entities go on), then confirms exactly the applied ones.
    ///
    /// # Errors
    /// `Sap` when SAP cannot be read or the confirmation fails (the applied changes come again and are
    /// found applied: their versions are recorded), `Storage` when our database fails (the changes
    /// applied before are confirmed first).
    pub async fn pull_once(&self) -> Result<PullReport, PullError> {
        let started = Instant::now();
        let items = self.app.ports.erp.pull(self.settings.pull_limit).await?;
        let mut report = PullReport { read: u32::try_from(items.len()).unwrap_or(u32::MAX), ..PullReport::default() };
        let mut applied: Vec<String> = Vec::new();
        let mut held: HashSet<(String, String)> = HashSet::new();
        let mut storage_error = None;
        for item in &items {
            let key = entity_key(item);
            if held.contains(&key) {
                report.waiting += 1;
                continue;
            }
            match self.apply_pulled(item).await {
                Ok(Pulled::Applied) => applied.push(item.id.clone()),
                Ok(Pulled::Superseded) => {
                    report.superseded += 1;
                    applied.push(item.id.clone());
                }
                Err(Refusal::Refused) => {
                    report.refused += 1;
                    held.insert(key);
                }
                Err(Refusal::Storage(e)) => {
                    storage_error = Some(e);
                    break;
                }
            }
        }
        report.applied = u32::try_from(applied.len()).unwrap_or(u32::MAX) - report.superseded;
        if !applied.is_empty() {
            self.app.ports.erp.confirm(&applied).await?;
        }
        metrics::counter!("sabil_sync_pulled_total").increment(u64::from(report.applied));
        metrics::histogram!("sabil_sync_pull_seconds").record(started.elapsed().as_secs_f64());
        if let Some(e) = storage_error {
            return Err(PullError::Storage(e));
        }
        let now = self.app.ports.clock.now();
        self.app
            .ports
            .changes
            .note("last_pull", &format!("{} applied, {} refused", report.applied, report.refused), now)
            .await
            .map_err(PullError::Storage)?;
        Ok(report)
    }

    /// Pulls until SAP's feed gives nothing new to apply (the catch-up after downtime).
    ///
    /// # Errors
    /// As `pull_once`.
    pub async fn catch_up(&self) -> Result<PullReport, PullError> {
        let mut total = PullReport::default();
        loop {
            let r = self.pull_once().await?;
            total.read += r.read;
            total.applied += r.applied;
            total.refused += r.refused;
            total.superseded += r.superseded;
            total.waiting = r.waiting;
            if r.applied + r.superseded == 0 {
                return Ok(total);
            }
        }
    }

    async fn apply_pulled(&self, item: &ErpChange) -> Result<Pulled, Refusal> {
        let inbound = &LoggedOnce { inbound: &self.app.sap_inbound, logged: &self.logged, change_id: &item.id };
        let refuse = |status: u16, kind: &str, errors: String| {
            let mut f =
                SapInboundService::failure(FailureSource::Pull, &item.entity, &item.operation, status, kind, errors, item.data.clone());
            f.change_id = Some(item.id.clone());
            f.sap_id = serde_json::from_str(&item.data).ok().as_ref().and_then(sap_id_of);
            f
        };
        let Some(entity) = InboundEntity::parse(&item.entity) else {
            inbound.refused(refuse(404, "not_found", problem("entity", "is not an entity SAP shares with us"))).await;
            return Err(Refusal::Refused);
        };
        let Some(operation) = ChangeOperation::parse(&item.operation) else {
            inbound.refused(refuse(400, "schema", problem("operation", "is not create, update or delete"))).await;
            return Err(Refusal::Refused);
        };
        let body: serde_json::Value = match serde_json::from_str(&item.data) {
            Ok(v) => v,
            Err(e) => {
                inbound.refused(refuse(400, "schema", problem("data", &format!("is not JSON: {e}")))).await;
                return Err(Refusal::Refused);
            }
        };
        let change = match parse_change(entity, operation, &body) {
            Ok(c) => c,
            Err(problems) => {
                inbound.refused(refuse(400, "schema", problems_json(&problems))).await;
                return Err(Refusal::Refused);
            }
        };
        let mut tries = 0;
        loop {
            tries += 1;
            match inbound.apply(&change).await {
                Ok(_) => return Ok(Pulled::Applied),
                Err(InboundError::Storage(e)) if tries < self.settings.storage_tries => {
                    tracing::warn!(error = %e, change = %item.id, tries, "storage failed applying a SAP change; trying again");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(tries))).await;
                }
                Err(InboundError::Storage(e)) => return Err(Refusal::Storage(e)),
                Err(e) => {
                    let (status, kind) = e.status();
                    inbound.refused(refuse(status, kind, problems_json(&e.problems()))).await;
                    // An obsolete version is processed (superseded), anything else holds its entity back.
                    return if matches!(e, InboundError::Stale { .. }) { Ok(Pulled::Superseded) } else { Err(Refusal::Refused) };
                }
            }
        }
    }
}

/// Logs a refused pulled change unless this worker logged it before.
struct LoggedOnce<'a> {
    inbound: &'a SapInboundService,
    logged: &'a std::sync::Mutex<HashSet<String>>,
    change_id: &'a str,
}

impl LoggedOnce<'_> {
    async fn refused(&self, failure: sabil_core::ports::SyncFailure) {
        let first = self.logged.lock().map(|mut l| l.insert(self.change_id.to_owned())).unwrap_or(true);
        if first {
            self.inbound.refused(failure).await;
        }
    }

    async fn apply(
        &self,
        change: &sabil_core::domain::sync::inbound::InboundChange,
    ) -> Result<sabil_core::services::sync::InboundOutcome, InboundError> {
        self.inbound.apply(change).await
    }
}

enum Pulled {
    Applied,
    Superseded,
}

enum Refusal {
    Refused,
    Storage(RepoError),
}

fn problem(field: &str, problem: &str) -> String {
    serde_json::json!([{"field": field, "problem": problem}]).to_string()
}

/// The entity a pulled change is about (its type and SAP id), for holding back later changes of it.
fn entity_key(item: &ErpChange) -> (String, String) {
    let entity = InboundEntity::parse(&item.entity).map_or_else(|| item.entity.clone(), |e| e.as_str().to_owned());
    let sap_id = serde_json::from_str::<serde_json::Value>(&item.data).ok().as_ref().and_then(sap_id_of).unwrap_or_default();
    (entity, sap_id)
}
