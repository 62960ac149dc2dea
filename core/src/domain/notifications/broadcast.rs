//! Admin broadcasts: one announcement (title and text in Arabic and English) to every customer, the
//! customers of one delivery area, or a list of customers, delivered in batches by the worker with its
//! progress kept on the broadcast so a restarted worker continues where it stopped.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::account::{Language, UserId};
use crate::domain::delivery::DeliveryAreaId;
use crate::domain::localized::LocalizedText;
use crate::domain::validation::Invalid;

/// The longest broadcast title, per language.
pub const BROADCAST_TITLE_MAX: usize = 100;
/// The longest broadcast text, per language.
pub const BROADCAST_BODY_MAX: usize = 1000;
/// The most customers one broadcast may name one by one.
pub const BROADCAST_USERS_MAX: usize = 10_000;

/// Identifier of a broadcast (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BroadcastId(pub Uuid);

/// Who a broadcast goes to; only active customer accounts are ever recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    AllCustomers,
    /// Customers with at least one address in the area.
    Area(DeliveryAreaId),
    /// These customers (distinct, by id).
    Users(Vec<UserId>),
}

impl Audience {
    /// A list audience: 1 to `BROADCAST_USERS_MAX` ids, repeats dropped, sorted.
    ///
    /// # Errors
    /// `Invalid` (field `audience.userIds`) for an empty or too long list.
    pub fn users(ids: &[Uuid]) -> Result<Self, Invalid> {
        let mut distinct: Vec<UserId> = ids.iter().map(|id| UserId(*id)).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.is_empty() || distinct.len() > BROADCAST_USERS_MAX {
            return Err(Invalid::field(
                "audience.userIds",
                format!("must name 1 to {BROADCAST_USERS_MAX} customers"),
                "List the customers' ids, or send the broadcast to all customers or to an area.",
            ));
        }
        Ok(Self::Users(distinct))
    }

    /// The audience of a request: `kind` (`all_customers`, `area` or `users`) with the area's id for
    /// `area` and the list for `users`, and nothing else.
    ///
    /// # Errors
    /// `Invalid` naming `audience.kind`, `audience.areaId` or `audience.userIds`.
    pub fn parse(kind: &str, area_id: Option<Uuid>, user_ids: Option<&[Uuid]>) -> Result<Self, Invalid> {
        let extra = |field: &str| {
            Invalid::field(field, format!("is not used with kind {kind}"), "Send areaId only with kind area, userIds only with kind users.")
        };
        match (kind, area_id, user_ids) {
            ("all_customers", None, None) => Ok(Self::AllCustomers),
            ("area", Some(area), None) => Ok(Self::Area(DeliveryAreaId(area))),
            ("users", None, Some(ids)) => Self::users(ids),
            ("area", None, _) => {
                Err(Invalid::field("audience.areaId", "is missing", "Give the delivery area's id (GET /api/delivery-areas)."))
            }
            ("users", _, None) => Err(Invalid::field("audience.userIds", "is missing", "List the customers' ids.")),
            ("all_customers" | "users", Some(_), _) => Err(extra("audience.areaId")),
            ("all_customers" | "area", _, Some(_)) => Err(extra("audience.userIds")),
            _ => Err(Invalid::field("audience.kind", format!("{kind:?} is not an audience"), "Use all_customers, area or users.")),
        }
    }

    /// Stored and wire name of the audience's kind: `all_customers`, `area` or `users`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AllCustomers => "all_customers",
            Self::Area(_) => "area",
            Self::Users(_) => "users",
        }
    }
}

/// Where a broadcast's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BroadcastStatus {
    /// Waiting for the worker.
    Queued,
    /// Being delivered batch by batch.
    Sending,
    /// Every recipient was handled.
    Done,
    /// Given up after the push provider kept failing; `last_error` says why.
    Failed,
}

impl BroadcastStatus {
    /// Stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// The status with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Sending, Self::Done, Self::Failed].into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the worker still has work on it.
    #[must_use]
    pub fn is_open(self) -> bool {
        matches!(self, Self::Queued | Self::Sending)
    }
}

/// A broadcast with its delivery progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    pub id: BroadcastId,
    pub title: LocalizedText,
    pub body: LocalizedText,
    pub audience: Audience,
    pub status: BroadcastStatus,
    /// Recipients, counted when delivery started; `None` before.
    pub total: Option<u64>,
    /// Recipients handled so far (in-app notification written, pushes tried).
    pub processed: u64,
    /// Pushes the provider accepted.
    pub sent: u64,
    /// Pushes refused (invalid token or message refused).
    pub failed: u64,
    /// The last recipient handled: recipients are handled in id order, the next batch starts after it.
    pub after: Option<UserId>,
    /// Failed steps in a row (the push provider unavailable).
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The next step is due at this time (later after a failed step).
    pub available_at: OffsetDateTime,
    /// The admin who sent it.
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

/// One recipient of a broadcast batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: UserId,
    /// The account's language: the in-app notification is written in it.
    pub language: Language,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_list_drops_repeats_and_sorts_by_id() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(Audience::users(&[b, a, b]), Ok(Audience::Users(vec![UserId(a), UserId(b)])));
    }

    #[test]
    fn a_user_list_is_neither_empty_nor_too_long() {
        assert_eq!(Audience::users(&[]).unwrap_err().0[0].field, "audience.userIds");
        let many: Vec<Uuid> = (0..=BROADCAST_USERS_MAX).map(|_| Uuid::now_v7()).collect();
        assert!(Audience::users(&many).is_err());
        assert!(Audience::users(&many[..BROADCAST_USERS_MAX]).is_ok());
    }

    #[test]
    fn an_audience_takes_exactly_what_its_kind_needs() {
        let id = Uuid::now_v7();
        assert_eq!(Audience::parse("all_customers", None, None), Ok(Audience::AllCustomers));
        assert_eq!(Audience::parse("area", Some(id), None), Ok(Audience::Area(DeliveryAreaId(id))));
        assert_eq!(Audience::parse("users", None, Some(&[id])), Ok(Audience::Users(vec![UserId(id)])));
        let field = |r: Result<Audience, Invalid>| r.unwrap_err().0[0].field.clone();
        assert_eq!(field(Audience::parse("area", None, None)), "audience.areaId");
        assert_eq!(field(Audience::parse("users", None, None)), "audience.userIds");
        assert_eq!(field(Audience::parse("all_customers", Some(id), None)), "audience.areaId");
        assert_eq!(field(Audience::parse("area", Some(id), Some(&[id]))), "audience.userIds");
        assert_eq!(field(Audience::parse("everyone", None, None)), "audience.kind");
    }

    #[test]
    fn statuses_round_trip_and_only_queued_and_sending_are_open() {
        for s in [BroadcastStatus::Queued, BroadcastStatus::Sending, BroadcastStatus::Done, BroadcastStatus::Failed] {
            assert_eq!(BroadcastStatus::parse(s.as_str()), Some(s));
        }
        assert!(BroadcastStatus::Queued.is_open() && BroadcastStatus::Sending.is_open());
        assert!(!BroadcastStatus::Done.is_open() && !BroadcastStatus::Failed.is_open());
    }
}
