//! Which slots of an area's weekly schedule can still be booked, and how many places are left.
//!
//! Slot times are wall-clock times in the business time zone; the caller says which UTC offset
//! applies on each date (Asia/Dubai is UTC+4 all year), and every instant handed back is in UTC.
use time::{Date, OffsetDateTime, UtcOffset};

use super::{DeliverySlot, DeliverySlotId};

/// The most days [`available_slots`] looks ahead; longer requests are cut to this many, which
/// bounds the work and the answer of one listing (a month of schedule).
pub const MAX_SLOT_DAYS: u32 = 31;

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

/// Why an order may not take a slot on a date; checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlotUnavailable {
    /// The slot runs on another day of the week than the date asked for.
    #[error("the slot is not delivered on that day of the week")]
    WrongWeekday,
    /// The slot was switched off, or its window does not end after it starts.
    #[error("the slot is not offered")]
    Inactive,
    /// The cut-off before the slot's start has passed (or the slot is already under way).
    #[error("the slot is closed for new orders")]
    PastCutoff,
    /// Every place on that date is reserved.
    #[error("the slot is full")]
    Full,
}

/// Every active slot of `slots` on each business date from `from` for `days` days (at most
/// [`MAX_SLOT_DAYS`]), with its remaining places, sorted by start and then by slot id.
///
/// `offset_on` gives the business time zone's UTC offset on a date; `reserved` the places already
/// reserved for a slot on a date. Slots still open for listing but full or past their cut-off are
/// included with `bookable: false` (the app greys them out); slots that have already ended are left
/// out. A slot whose `ends_at` is not after its `starts_at` (e.g. 22:00–00:00) is malformed and
/// never listed: windows do not cross midnight, so a late slot ends at 23:59 at the latest.
#[must_use]
pub fn available_slots(
    slots: &[DeliverySlot],
    from: Date,
    days: u32,
    offset_on: impl Fn(Date) -> UtcOffset,
    now: OffsetDateTime,
    rules: SlotRules,
    reserved: impl Fn(DeliverySlotId, Date) -> u32,
) -> Vec<SlotAvailability> {
    let mut listed = Vec::new();
    let mut next = Some(from);
    for _ in 0..days.min(MAX_SLOT_DAYS) {
        let Some(date) = next else { break };
        let offset = offset_on(date);
        for slot in slots.iter().filter(|s| s.active && s.weekday == date.weekday()) {
            let Some((starts_at, ends_at)) = window(slot, date, offset) else { continue };
            if ends_at <= now {
                continue;
            }
            let reserved = reserved(slot.id, date);
            let remaining = slot.capacity.saturating_sub(reserved);
            listed.push(SlotAvailability {
                slot_id: slot.id,
                date,
                starts_at,
                ends_at,
                capacity: slot.capacity,
                reserved,
                remaining,
                bookable: remaining > 0 && before_cutoff(now, rules, starts_at),
            });
        }
        next = date.next_day();
    }
    listed.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then(a.slot_id.cmp(&b.slot_id)));
    listed
}

/// Whether an order placed at `now` may take `slot` on the business date `date`, where the business
/// time zone is at `offset`, given the places already `reserved` for it on that date. A slot is
/// bookable up to and including the instant `now + cutoff == start`.
///
/// # Errors
/// The first [`SlotUnavailable`] reason that applies, in the order the enum lists them.
pub fn slot_is_bookable(
    slot: &DeliverySlot,
    date: Date,
    offset: UtcOffset,
    now: OffsetDateTime,
    rules: SlotRules,
    reserved: u32,
) -> Result<(), SlotUnavailable> {
    if slot.weekday != date.weekday() {
        return Err(SlotUnavailable::WrongWeekday);
    }
    let Some((starts_at, _)) = window(slot, date, offset).filter(|_| slot.active) else {
        return Err(SlotUnavailable::Inactive);
    };
    if !before_cutoff(now, rules, starts_at) {
        return Err(SlotUnavailable::PastCutoff);
    }
    if reserved >= slot.capacity {
        return Err(SlotUnavailable::Full);
    }
    Ok(())
}

/// The slot's start and end on `date` as UTC instants; `None` for a window that does not end after
/// it starts, or one outside the representable range.
fn window(slot: &DeliverySlot, date: Date, offset: UtcOffset) -> Option<(OffsetDateTime, OffsetDateTime)> {
    if slot.ends_at <= slot.starts_at {
        return None;
    }
    let instant = |t| date.with_time(t).assume_offset(offset).checked_to_offset(UtcOffset::UTC);
    Some((instant(slot.starts_at)?, instant(slot.ends_at)?))
}

/// `now + cutoff <= starts_at`; a cut-off too long to add to `now` closes everything.
fn before_cutoff(now: OffsetDateTime, rules: SlotRules, starts_at: OffsetDateTime) -> bool {
    time::Duration::try_from(rules.cutoff).ok().and_then(|cutoff| now.checked_add(cutoff)).is_some_and(|latest| latest <= starts_at)
}

#[cfg(test)]
mod tests;
