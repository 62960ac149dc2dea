//! The SAP simulator's memory: what was pushed to it (per entity and app id, with the SAP ids it gave
//! and the order changes arrived in), its own change feed with confirmations, and the login tokens.
//! Plain data behind one lock in `Shared`; the snapshot types are what tests and `/__sim/state` see.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// The entities our side pushes, by the path segment of `/api/{entity}`, with the prefix of the SAP ids
/// the simulator gives them.
pub const PUSH_ENTITIES: [(&str, &str); 5] =
    [("orders", "SO"), ("customers", "C"), ("delivery-details", "DD"), ("surveys", "SV"), ("survey-answers", "SA")];

/// The entities SAP's feed speaks of (what `GET /api/changes` may name).
pub const FEED_ENTITIES: [&str; 6] = ["product", "promotion", "coupon", "customer", "delivery-details", "order"];

/// What the simulator keeps about one entity pushed to it (per entity and app id).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimRecord {
    /// The path segment it was pushed to (`orders`, `customers`, ...).
    pub entity: String,
    pub app_id: Uuid,
    /// The SAP id given on first sight (or the one the first push carried).
    pub sap_id: String,
    /// Changes applied to it (duplicates not counted).
    pub applied: u64,
    pub last_change_id: Uuid,
    pub last_seq: i64,
    /// `create`, `update` or `delete`.
    pub last_operation: String,
    /// The last operation applied was a delete.
    pub deleted: bool,
    /// The `data` of the last change applied.
    pub data: Value,
}

/// One change applied, in the order changes arrived (duplicates and refused changes are not logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Arrival {
    pub entity: String,
    pub app_id: Uuid,
    pub change_id: Uuid,
    pub seq: i64,
    pub operation: String,
}

/// Counters over all pushes since the start (or the last reset).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimTotals {
    /// Changes applied.
    pub applied: u64,
    /// Changes delivered again (their change id was applied before): answered 200, not applied.
    pub duplicates: u64,
    /// Pushes answered 422 by the `rejectEntity` switch.
    pub rejected: u64,
    /// `/api/*` calls answered 503 by the `down` or `errorRate` switches.
    pub unavailable: u64,
}

/// One of SAP's own changes, as `GET /api/changes` serves it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedItem {
    pub id: String,
    pub entity: String,
    pub operation: String,
    pub data: Value,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A change to add to SAP's feed (the id and time are given by the simulator). Neither the entity nor the
/// operation is checked, so drills can feed changes our side must refuse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFeedItem {
    pub entity: String,
    pub operation: String,
    #[serde(default = "empty_object")]
    pub data: Value,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

/// SAP's feed: ids of changes waiting for confirmation (in feed order) and of those confirmed (in
/// confirmation order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedState {
    pub pending: Vec<String>,
    pub confirmed: Vec<String>,
}

/// A snapshot of the simulator (`SapSimulator::state`, `GET /__sim/state`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimState {
    /// Records per entity (path segment), in the order their app ids were first seen.
    pub received: BTreeMap<String, Vec<SimRecord>>,
    /// Every change applied, in arrival order.
    pub arrivals: Vec<Arrival>,
    pub totals: SimTotals,
    pub feed: FeedState,
}

impl SimState {
    /// The record of `app_id` pushed to `entity` (`orders`, ...).
    #[must_use]
    pub fn record(&self, entity: &str, app_id: Uuid) -> Option<&SimRecord> {
        self.received.get(entity)?.iter().find(|r| r.app_id == app_id)
    }

    /// The changes applied to `entity`, in arrival order.
    pub fn arrivals_of<'a>(&'a self, entity: &'a str) -> impl Iterator<Item = &'a Arrival> + 'a {
        self.arrivals.iter().filter(move |a| a.entity == entity)
    }
}

/// A push, validated.
#[derive(Debug, Clone)]
pub(crate) struct Push {
    pub entity: String,
    pub change_id: Uuid,
    pub seq: i64,
    pub app_id: Uuid,
    pub sap_id: Option<String>,
    pub operation: String,
    pub data: Value,
}

/// How a push went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PushOutcome {
    pub sap_id: String,
    pub duplicate: bool,
}

/// What a confirmation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfirmOutcome {
    /// Confirmed now or before.
    pub confirmed: Vec<String>,
    /// Never in the feed.
    pub unknown: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    received: BTreeMap<String, Vec<SimRecord>>,
    index: HashMap<(String, Uuid), usize>,
    /// Change id → the SAP id answered when it was applied.
    applied_changes: HashMap<Uuid, String>,
    arrivals: Vec<Arrival>,
    pub totals: SimTotals,
    sap_counters: HashMap<String, u64>,
    pending: Vec<FeedItem>,
    confirmed: Vec<String>,
    confirmed_set: HashSet<String>,
    /// Token → when it stops working.
    tokens: HashMap<String, Instant>,
}

impl Store {
    /// Applies `push` unless its change id was applied before (a duplicate: the first answer again).
    pub fn push(&mut self, push: Push) -> PushOutcome {
        if let Some(sap_id) = self.applied_changes.get(&push.change_id) {
            self.totals.duplicates += 1;
            return PushOutcome { sap_id: sap_id.clone(), duplicate: true };
        }
        let key = (push.entity.clone(), push.app_id);
        let deleted = push.operation == "delete";
        let sap_id = match self.index.get(&key) {
            Some(&i) => {
                let records = self.received.entry(push.entity.clone()).or_default();
                let record = &mut records[i];
                record.applied += 1;
                record.last_change_id = push.change_id;
                record.last_seq = push.seq;
                record.last_operation.clone_from(&push.operation);
                record.deleted = deleted;
                record.data = push.data;
                record.sap_id.clone()
            }
            None => {
                let sap_id = push.sap_id.filter(|s| !s.is_empty()).unwrap_or_else(|| self.next_sap_id(&push.entity));
                let records = self.received.entry(push.entity.clone()).or_default();
                records.push(SimRecord {
                    entity: push.entity.clone(),
                    app_id: push.app_id,
                    sap_id: sap_id.clone(),
                    applied: 1,
                    last_change_id: push.change_id,
                    last_seq: push.seq,
                    last_operation: push.operation.clone(),
                    deleted,
                    data: push.data,
                });
                self.index.insert(key, records.len() - 1);
                sap_id
            }
        };
        self.applied_changes.insert(push.change_id, sap_id.clone());
        self.arrivals.push(Arrival {
            entity: push.entity,
            app_id: push.app_id,
            change_id: push.change_id,
            seq: push.seq,
            operation: push.operation,
        });
        self.totals.applied += 1;
        PushOutcome { sap_id, duplicate: false }
    }

    fn next_sap_id(&mut self, entity: &str) -> String {
        let prefix = PUSH_ENTITIES.iter().find(|(e, _)| *e == entity).map_or("X", |(_, p)| p);
        let n = self.sap_counters.entry(entity.to_owned()).or_insert(0);
        *n += 1;
        format!("{prefix}{n:06}")
    }

    /// Appends changes to SAP's feed; returns their ids.
    pub fn append_feed(&mut self, items: Vec<NewFeedItem>) -> Vec<String> {
        let created_at = OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default();
        items
            .into_iter()
            .map(|item| {
                let id = Uuid::now_v7().to_string();
                self.pending.push(FeedItem {
                    id: id.clone(),
                    entity: item.entity,
                    operation: item.operation,
                    data: item.data,
                    created_at: created_at.clone(),
                });
                id
            })
            .collect()
    }

    /// The first `limit` changes not confirmed, in feed order.
    pub fn pending(&self, limit: usize) -> Vec<FeedItem> {
        self.pending.iter().take(limit).cloned().collect()
    }

    /// Confirms the pending changes among `ids`; ids confirmed before count as confirmed again.
    pub fn confirm(&mut self, ids: Vec<String>) -> ConfirmOutcome {
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let mut now_confirmed = Vec::new();
        self.pending.retain(|item| {
            let hit = wanted.contains(item.id.as_str());
            if hit {
                now_confirmed.push(item.id.clone());
            }
            !hit
        });
        for id in now_confirmed {
            self.confirmed_set.insert(id.clone());
            self.confirmed.push(id);
        }
        let mut outcome = ConfirmOutcome::default();
        for id in ids {
            if self.confirmed_set.contains(&id) {
                outcome.confirmed.push(id);
            } else {
                outcome.unknown.push(id);
            }
        }
        outcome
    }

    /// A new token, good for `ttl`; expired tokens are forgotten.
    pub fn issue_token(&mut self, ttl: Duration) -> String {
        let now = Instant::now();
        self.tokens.retain(|_, until| *until > now);
        let bytes: [u8; 24] = rand::random();
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let token = format!("sim.{token}");
        self.tokens.insert(token.clone(), now + ttl);
        token
    }

    pub fn token_live(&self, token: &str) -> bool {
        self.tokens.get(token).is_some_and(|until| *until > Instant::now())
    }

    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    /// Forgets everything but the tokens.
    pub fn reset(&mut self) {
        let tokens = std::mem::take(&mut self.tokens);
        *self = Self { tokens, ..Self::default() };
    }

    pub fn snapshot(&self) -> SimState {
        SimState {
            received: self.received.clone(),
            arrivals: self.arrivals.clone(),
            totals: self.totals.clone(),
            feed: FeedState { pending: self.pending.iter().map(|i| i.id.clone()).collect(), confirmed: self.confirmed.clone() },
        }
    }
}

/// `n` product changes as SAP might send them (for `--seed-products`): SAP's header (`sapId`, `appId`,
/// `version`) and the product's fields.
#[must_use]
pub fn seed_products(n: u32, operation: &str) -> Vec<NewFeedItem> {
    (1..=n)
        .map(|i| NewFeedItem {
            entity: "product".to_owned(),
            operation: operation.to_owned(),
            data: serde_json::json!({
                "sapId": format!("P{i:06}"),
                "appId": null,
                "version": 1,
                "titleEn": format!("Water {i}"),
                "titleAr": format!("ماء {i}"),
                "descriptionEn": format!("Simulated product {i}"),
                "descriptionAr": format!("منتج تجريبي {i}"),
                "type": if i % 2 == 0 { "pack" } else { "refill" },
                "volumeMl": if i % 2 == 0 { 500 } else { 18900 },
                "bottlesPerPack": if i % 2 == 0 { 24 } else { 1 },
                "price": 1000 + i64::from(i) * 50,
                "currency": "KWD",
                "minQuantity": 1,
                "maxQuantity": 20,
                "active": true,
                "sortOrder": i,
            }),
        })
        .collect()
}
