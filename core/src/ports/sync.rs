//! SAP synchronisation ports: our change feed (what SAP reads and confirms, and what the sync-worker
//! pushes), the links between SAP's ids and ours with the version last applied, the log of refused
//! changes, and the ERP itself.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::catalog::{Product, ProductId};
use crate::domain::sync::{ChangeRecord, InboundEntity, OutboundEntity};
use crate::error::{GatewayError, RepoError};

/// What a confirmation did, id by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confirmed {
    /// Marked completed by this call.
    pub completed: Vec<Uuid>,
    /// Already completed before (a repeated confirmation).
    pub already: Vec<Uuid>,
    /// No change has this id.
    pub unknown: Vec<Uuid>,
}

/// The backlog of one entity type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityBacklog {
    pub entity: String,
    /// Not completed and not dead-lettered.
    pub pending: u64,
    /// Dead-lettered, waiting for an operator.
    pub dead: u64,
    /// When the oldest change not completed was made.
    pub oldest: Option<OffsetDateTime>,
}

/// Our change feed and the sync-worker's delivery state. Changes are written by the stores of the
/// entities, in the transaction of the change itself (never through this port).
#[async_trait]
pub trait ChangeFeedRepository: Send + Sync {
    /// Changes not completed (dead-lettered ones included) with `seq > after`, by `seq`, at most `limit`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn unprocessed(&self, after: Option<i64>, limit: u32) -> Result<Vec<ChangeRecord>, RepoError>;

    /// Marks the changes with these ids completed at `now` by `by` (`sap`, `push`, `operator`), each
    /// once: repeating a confirmation changes nothing and reports the id as `already`. A dead letter
    /// that is confirmed is settled too.
    ///
    /// # Errors
    /// Storage failures only (then nothing was marked).
    async fn confirm(&self, ids: &[Uuid], by: &str, now: OffsetDateTime) -> Result<Confirmed, RepoError>;

    /// The next changes to push, by `seq`, at most `limit`: not completed, not dead-lettered, and with no
    /// dead-lettered change of the same entity (`entity`, `entity_id`) before them. Changes whose
    /// `next_attempt_at` is later than `now` are included, so the caller sees that they hold up the
    /// changes of their entity behind them.
    ///
    /// # Errors
    /// Storage failures only.
    async fn pushable(&self, limit: u32) -> Result<Vec<ChangeRecord>, RepoError>;

    /// Records a failed push: one more attempt, the error, and when to try again.
    ///
    /// # Errors
    /// Storage failures only.
    async fn push_failed(&self, id: Uuid, error: &str, next_attempt_at: OffsetDateTime) -> Result<(), RepoError>;

    /// Gives up on a change until an operator acts: records the error (and the attempt) and the time.
    ///
    /// # Errors
    /// Storage failures only.
    async fn dead_letter(&self, id: Uuid, error: &str, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Dead-lettered changes not completed, oldest first, at most `limit`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn dead_letters(&self, limit: u32) -> Result<Vec<ChangeRecord>, RepoError>;

    /// Puts dead letters back in the queue (attempts reset, due now): the one with `id`, or every one
    /// when `id` is `None`. Returns how many.
    ///
    /// # Errors
    /// Storage failures only.
    async fn retry(&self, id: Option<Uuid>, now: OffsetDateTime) -> Result<u64, RepoError>;

    /// Settles a change without sending it (an operator's decision, with the reason kept on the row):
    /// it is completed by `operator`. `false` when no change has this id or it is already completed.
    ///
    /// # Errors
    /// Storage failures only.
    async fn skip(&self, id: Uuid, reason: &str, now: OffsetDateTime) -> Result<bool, RepoError>;

    /// The change with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn get(&self, id: Uuid) -> Result<Option<ChangeRecord>, RepoError>;

    /// The backlog per entity type (types with nothing waiting are left out), by entity name.
    ///
    /// # Errors
    /// Storage failures only.
    async fn backlog(&self) -> Result<Vec<EntityBacklog>, RepoError>;

    /// Keeps a named fact of the worker (`last_push`, `last_pull`, ...) with the time it was noted.
    ///
    /// # Errors
    /// Storage failures only.
    async fn note(&self, name: &str, value: &str, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Every noted fact: name, value, when noted; by name.
    ///
    /// # Errors
    /// Storage failures only.
    async fn notes(&self) -> Result<Vec<(String, String, OffsetDateTime)>, RepoError>;
}

/// What we know about one of SAP's entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SapLink {
    /// Our id of the entity.
    pub app_id: Uuid,
    /// The version of SAP's last change applied.
    pub version: i64,
}

/// Links between SAP's ids and ours, with the version of SAP's last applied change.
#[async_trait]
pub trait SapLinkRepository: Send + Sync {
    /// The link of SAP's entity `sap_id`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn find(&self, entity: InboundEntity, sap_id: &str) -> Result<Option<SapLink>, RepoError>;

    /// Records that SAP's `version` of `sap_id` (our `app_id`) is applied, unless a newer version is
    /// recorded: `false` then, and nothing changes. An equal version is recorded again (`true`).
    ///
    /// # Errors
    /// Storage failures only.
    async fn record(&self, entity: InboundEntity, sap_id: &str, app_id: Uuid, version: i64, now: OffsetDateTime)
    -> Result<bool, RepoError>;

    /// Stores the SAP id SAP gave one of our entities when it accepted its push (the entity's `sap_id`
    /// column, unless it already has one). Writes no change for SAP. `false` when the entity does not
    /// exist or already has a SAP id.
    ///
    /// # Errors
    /// `Conflict` when another entity of the type has this SAP id; storage failures.
    async fn remember_sap_id(&self, entity: OutboundEntity, app_id: Uuid, sap_id: &str) -> Result<bool, RepoError>;

    /// Writes SAP's `version` of a product (SAP id `product.sap_id`) and records it as applied, in one atomic
    /// step, so a newer version written meanwhile is never overwritten. The product written is the one
    /// already linked to the SAP id, else `product.id`. Nothing is written (`NotApplied`) when a version
    /// equal or newer is recorded, or when `pinned` and the SAP id is linked to another product than
    /// `product.id`; read the link to tell which. SAP sends no images: a new product has none, an existing
    /// one keeps its image and creation time.
    ///
    /// # Errors
    /// `Conflict` when another product has the SAP id; storage failures.
    async fn save_product(&self, product: &Product, pinned: bool, version: i64, now: OffsetDateTime) -> Result<SapProductSave, RepoError>;
}

/// What [`SapLinkRepository::save_product`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SapProductSave {
    /// A new product with this id.
    Created(ProductId),
    /// The product with this id, replaced.
    Updated(ProductId),
    /// Nothing: an equal or newer version is applied, or the SAP id belongs to another product.
    NotApplied,
}

/// Where a refused change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureSource {
    /// SAP pushed it to one of our endpoints.
    Push,
    /// The sync-worker pulled it from SAP's feed.
    Pull,
}

impl FailureSource {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Push => "push",
            Self::Pull => "pull",
        }
    }
}

/// A change from SAP we refused, kept for investigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncFailure {
    pub id: Uuid,
    pub source: FailureSource,
    /// The entity named (as sent, so unknown entities are kept too).
    pub entity: String,
    pub operation: String,
    pub sap_id: Option<String>,
    /// SAP's change id, for pulled changes.
    pub change_id: Option<String>,
    /// The HTTP status it got (or would have got, when pulled).
    pub status: u16,
    /// `schema`, `validation`, `conflict`, `not_found`, ...
    pub error_type: String,
    /// The problems found, as JSON.
    pub errors: String,
    /// The payload as received.
    pub payload: String,
    pub created_at: OffsetDateTime,
}

/// The log of refused changes.
#[async_trait]
pub trait SyncFailureRepository: Send + Sync {
    /// Stores one refused change.
    ///
    /// # Errors
    /// Storage failures only.
    async fn record(&self, failure: &SyncFailure) -> Result<(), RepoError>;

    /// The latest refused changes, newest first, at most `limit`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn recent(&self, limit: u32) -> Result<Vec<SyncFailure>, RepoError>;
}

/// A change read from SAP's feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErpChange {
    /// SAP's id of the change (what we confirm).
    pub id: String,
    /// The entity named (SAP's word; `InboundEntity::parse` reads it).
    pub entity: String,
    /// The operation named (`create`, `update`, `delete`; kept raw so a bad one can be logged).
    pub operation: String,
    /// The entity's JSON, as sent to our `/api/{entity}` endpoints.
    pub data: String,
}

/// What SAP answered to a push it accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pushed {
    /// SAP's id of the entity, when it gave one.
    pub sap_id: Option<String>,
}

/// The SAP ERP.
#[async_trait]
pub trait ErpGateway: Send + Sync {
    /// Sends one of our changes to SAP (`POST`/`PUT`/`DELETE /api/{entity}`, keyed by our ids, so sending it
    /// again is harmless).
    ///
    /// # Errors
    /// `Rejected` when SAP refused the change (a 4xx: sending it again will not help), `Unavailable`
    /// for timeouts, network failures and 5xx, `Protocol` for an answer that cannot be read.
    async fn push(&self, change: &ChangeRecord) -> Result<Pushed, GatewayError>;

    /// SAP's changes not yet confirmed by us, in SAP's order, at most `limit`.
    ///
    /// # Errors
    /// As for `push`.
    async fn pull(&self, limit: u32) -> Result<Vec<ErpChange>, GatewayError>;

    /// Tells SAP that these changes of its feed are applied.
    ///
    /// # Errors
    /// As for `push`.
    async fn confirm(&self, ids: &[String]) -> Result<(), GatewayError>;

    /// `sap` for the HTTP adapter, `local` for the stand-in (readiness and logs).
    fn name(&self) -> &'static str;
}
