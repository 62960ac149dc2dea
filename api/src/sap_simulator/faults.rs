//! The simulator's fault switches: down, slow, flaky, refusing one entity, or answering broken JSON.
//! `Faults` is the whole set (what `GET /__sim/faults` shows); `FaultsPatch` is what `PUT /__sim/faults`
//! reads, where a missing field leaves its switch as it is.
use serde::{Deserialize, Deserializer, Serialize};

/// The body answered with 200 when `malformed_json` is on: JSON cut in the middle of a string.
pub(crate) const MALFORMED_BODY: &str = "{\"items\": [{\"id\": \"0190-broken";

/// Every fault switch. The default is a healthy SAP.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Every `/api/*` route answers 503 (`/__sim` stays up).
    pub down: bool,
    /// Each `/api/*` call waits this long before it is handled (concurrent calls overlap).
    pub latency_ms: u64,
    /// The share (0 to 1) of `/api/*` calls other than login answered 503.
    pub error_rate: f64,
    /// Pushes to this entity (`orders`, ...) are answered 422 and not applied.
    pub reject_entity: Option<String>,
    /// `GET /api/changes` and pushes answer 200 with a body that is not JSON (pushes are applied first,
    /// as when SAP's answer is garbled on the way back).
    pub malformed_json: bool,
}

impl Faults {
    /// The same switches with `error_rate` brought into 0..=1 (NaN counts as 0).
    #[must_use]
    pub fn clamped(mut self) -> Self {
        self.error_rate = if self.error_rate.is_nan() { 0.0 } else { self.error_rate.clamp(0.0, 1.0) };
        self
    }

    /// Whether this call gets the random 503.
    pub(crate) fn roll_error(&self) -> bool {
        self.error_rate > 0.0 && rand::random::<f64>() < self.error_rate
    }

    /// Whether pushes to `entity` are refused.
    pub(crate) fn rejects(&self, entity: &str) -> bool {
        self.reject_entity.as_deref() == Some(entity)
    }
}

/// A change to some of the switches (`PUT /__sim/faults`): `None` leaves a switch as it is;
/// `"rejectEntity": null` turns refusing off.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultsPatch {
    pub down: Option<bool>,
    pub latency_ms: Option<u64>,
    pub error_rate: Option<f64>,
    #[serde(default, deserialize_with = "present")]
    pub reject_entity: Option<Option<String>>,
    pub malformed_json: Option<bool>,
}

/// A field that is present, `null` or not, is `Some`; an absent one stays `None` through `default`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl FaultsPatch {
    /// `faults` with this patch applied.
    ///
    /// # Errors
    /// An `errorRate` outside 0..=1.
    pub fn apply(self, faults: &Faults) -> Result<Faults, String> {
        if let Some(rate) = self.error_rate
            && !(0.0..=1.0).contains(&rate)
        {
            return Err(format!("errorRate must be between 0 and 1, got {rate}"));
        }
        let mut next = faults.clone();
        if let Some(down) = self.down {
            next.down = down;
        }
        if let Some(latency) = self.latency_ms {
            next.latency_ms = latency;
        }
        if let Some(rate) = self.error_rate {
            next.error_rate = rate;
        }
        if let Some(entity) = self.reject_entity {
            next.reject_entity = entity.filter(|e| !e.is_empty());
        }
        if let Some(malformed) = self.malformed_json {
            next.malformed_json = malformed;
        }
        Ok(next)
    }
}
