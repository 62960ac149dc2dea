//! Which slots of an area's weekly schedule can still be booked, and how many places are left.
use time::{Date, OffsetDateTime};

use super::DeliverySlotId;

/// The business rules for booking slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRules {
    /// A slot closes for new orders this long before it starts.
    pub cutoff: std::time::Duration,
}

/// One slot on one date, as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotAvailability {
    pub slot_id: DeliverySlotId,
    /// The business-time date of the delivery.
    pub date: Date,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub capacity: u32,
    /// Places already reserved.
    pub reserved: u32,
    /// `capacity - reserved`, never below zero.
    pub remaining: u32,
    /// Still before the cut-off and not full.
    pub bookable: bool,
}
