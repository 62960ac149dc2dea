//! SAP synchronisation: the entities shared with SAP in each direction, the changes we record for it
//! (our change feed), and the header every change from SAP carries (its id, ours, and its version).
pub mod inbound;

use time::OffsetDateTime;
use uuid::Uuid;

/// What a change did to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeOperation {
    Create,
    Update,
    Delete,
}

impl ChangeOperation {
    /// Stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }

    /// The operation with this name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(Self::Create),
            "update" => Some(Self::Update),
            "delete" => Some(Self::Delete),
            _ => None,
        }
    }

    /// The HTTP method that carries this operation to the other system (`POST`, `PUT`, `DELETE`).
    #[must_use]
    pub fn method(self) -> &'static str {
        match self {
            Self::Create => "POST",
            Self::Update => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

/// An entity whose changes we record for SAP (APP → SAP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutboundEntity {
    Order,
    Customer,
    Address,
    Survey,
    SurveyAnswer,
}

impl OutboundEntity {
    /// Every outbound entity.
    pub const ALL: [Self; 5] = [Self::Order, Self::Customer, Self::Address, Self::Survey, Self::SurveyAnswer];

    /// Stored name (`changes.entity`) and the `entity` field of the feed.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Customer => "customer",
            Self::Address => "address",
            Self::Survey => "survey",
            Self::SurveyAnswer => "survey_answer",
        }
    }

    /// The path segment of SAP's endpoint for it (`/api/{path}`).
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Self::Order => "orders",
            Self::Customer => "customers",
            Self::Address => "delivery-details",
            Self::Survey => "surveys",
            Self::SurveyAnswer => "survey-answers",
        }
    }

    /// The entity with this stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// An entity SAP changes in our system (SAP → APP), by the path of its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InboundEntity {
    Coupon,
    Product,
    Promotion,
    Customer,
    DeliveryDetails,
    Order,
}

impl InboundEntity {
    /// Every inbound entity.
    pub const ALL: [Self; 6] = [Self::Coupon, Self::Product, Self::Promotion, Self::Customer, Self::DeliveryDetails, Self::Order];

    /// Stored name (`sap_links.entity`, `sync_failures.entity`) and the `entity` field of SAP's feed.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coupon => "coupon",
            Self::Product => "product",
            Self::Promotion => "promotion",
            Self::Customer => "customer",
            Self::DeliveryDetails => "address",
            Self::Order => "order",
        }
    }

    /// The path segment of our endpoint for it (`/api/{path}`).
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Self::Coupon => "coupons",
            Self::Product => "products",
            Self::Promotion => "promotions",
            Self::Customer => "customers",
            Self::DeliveryDetails => "delivery-details",
            Self::Order => "orders",
        }
    }

    /// The entity with this stored name or path segment (SAP's feed may use either).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s || e.path() == s)
    }
}

/// One row of our change feed: a change of a shared entity, recorded in the transaction that made it,
/// with the sync-worker's delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRecord {
    /// Position in the feed; increases with every change (PostgreSQL may make a lower number visible
    /// after a higher one, so readers never treat a gap as final; per entity the order is exact).
    pub seq: i64,
    /// The change's id (what SAP confirms).
    pub id: Uuid,
    /// The entity's stored name (`OutboundEntity::as_str`).
    pub entity: String,
    /// Our id of the entity.
    pub entity_id: Uuid,
    pub operation: ChangeOperation,
    /// The entity as JSON after the change, with both ids.
    pub data: String,
    pub created_at: OffsetDateTime,
    /// SAP has it (confirmed by SAP, accepted on a push, or settled by an operator).
    pub is_completed: bool,
    /// Pushes tried and failed.
    pub attempts: u32,
    pub last_error: Option<String>,
    /// When the next push may be tried; `None` for now.
    pub next_attempt_at: Option<OffsetDateTime>,
    /// Given up on until an operator acts; later changes of the same entity wait behind it.
    pub dead_at: Option<OffsetDateTime>,
}

/// What SAP says about one of its entities on every change it sends us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SapHeader {
    /// SAP's id of the entity (required).
    pub sap_id: String,
    /// Our id, when SAP knows it.
    pub app_id: Option<Uuid>,
    /// SAP's version of the entity (a counter or a timestamp in milliseconds); an update older than the
    /// one applied is refused.
    pub version: i64,
}
