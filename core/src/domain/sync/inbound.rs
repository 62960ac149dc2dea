//! A change from SAP, parsed from its JSON (every field present and of the right type: the schema
//! check), before the business rules are applied by `SapInboundService`. SAP refers to other entities
//! by its own ids (`productSapIds`, `customerSapId`) or by ours (`customerAppId`).
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ChangeOperation, InboundEntity, SapHeader};
use crate::domain::LocalizedText;
use crate::domain::address::{AddressFields, AddressKind};
use crate::domain::catalog::{ProductType, PromotionKind};
use crate::domain::money::Money;

/// A product as SAP sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SapProduct {
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub product_type: ProductType,
    pub volume_ml: u32,
    pub bottles_per_pack: u32,
    pub price_per_pack: Money,
    pub min_quantity: u32,
    pub max_quantity: u32,
    pub active: bool,
    pub sort_order: i32,
}

/// A promotion as SAP sends it; its products by SAP item code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SapPromotion {
    pub title: LocalizedText,
    pub kind: PromotionKind,
    pub valid_from: OffsetDateTime,
    pub valid_until: OffsetDateTime,
    pub product_sap_ids: Vec<String>,
    pub active: bool,
}

/// A customer of SAP's or ours, by either id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRef {
    App(Uuid),
    Sap(String),
}

/// A batch of coupons SAP gives a customer (sold or granted in SAP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SapCoupon {
    pub customer: CustomerRef,
    pub product_sap_id: String,
    pub count: u32,
    pub expires_at: Option<OffsetDateTime>,
    pub note: Option<String>,
}

/// What SAP may change about a customer: the name and language. Customers are created in the app (by
/// phone registration), so SAP's create links its id to an existing customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SapCustomer {
    pub full_name: Option<String>,
    pub language: Option<String>,
}

/// A delivery address as SAP sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct SapAddress {
    /// The owner (an address never changes hands: on an update it must be the owner already).
    pub customer: CustomerRef,
    pub kind: AddressKind,
    pub fields: AddressFields,
    pub latitude: f64,
    pub longitude: f64,
}

/// A status (and delivery) update of one of our orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SapOrderUpdate {
    /// The status to move to (`OrderStatus` names, e.g. `out_for_delivery`).
    pub status: String,
    pub reason: Option<String>,
}

/// The entity part of a change from SAP (absent on a delete).
#[derive(Debug, Clone, PartialEq)]
pub enum SapRecord {
    Coupon(SapCoupon),
    Product(SapProduct),
    Promotion(SapPromotion),
    Customer(SapCustomer),
    DeliveryDetails(SapAddress),
    Order(SapOrderUpdate),
    /// The owner of the address a delete of delivery details removes (the only delete with a body
    /// beyond the ids: addresses are kept per customer).
    AddressOwner(CustomerRef),
}

/// A change from SAP, schema-checked.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundChange {
    pub entity: InboundEntity,
    pub operation: ChangeOperation,
    pub header: SapHeader,
    /// `None` exactly when `operation` is `Delete` (except delivery details: `AddressOwner`).
    pub record: Option<SapRecord>,
}
