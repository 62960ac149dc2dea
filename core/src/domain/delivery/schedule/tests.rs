//! Slot listings and booking checks over a Sunday-to-Thursday schedule in Asia/Dubai (UTC+4).
use time::macros::{date, datetime, time};
use time::{Time, Weekday};
use uuid::Uuid;

use super::*;
use crate::domain::delivery::DeliveryAreaId;

const WORKDAYS: [Weekday; 5] = [Weekday::Sunday, Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday];

fn dubai(_: Date) -> UtcOffset {
    UtcOffset::from_hms(4, 0, 0).unwrap()
}

fn two_hours() -> SlotRules {
    SlotRules { cutoff: std::time::Duration::from_secs(2 * 60 * 60) }
}

fn none_reserved(_: DeliverySlotId, _: Date) -> u32 {
    0
}

fn slot(n: u128, weekday: Weekday, starts_at: Time, ends_at: Time, capacity: u32) -> DeliverySlot {
    DeliverySlot {
        id: DeliverySlotId(Uuid::from_u128(n)),
        area_id: DeliveryAreaId(Uuid::from_u128(1000)),
        weekday,
        starts_at,
        ends_at,
        capacity,
        active: true,
    }
}

/// Sunday to Thursday, 10:00–12:00 and 16:00–18:00 business time, five places each.
fn workweek() -> Vec<DeliverySlot> {
    let mut slots = Vec::new();
    for (i, weekday) in (0u128..).zip(WORKDAYS) {
        slots.push(slot(2 * i + 1, weekday, time!(10:00), time!(12:00), 5));
        slots.push(slot(2 * i + 2, weekday, time!(16:00), time!(18:00), 5));
    }
    slots
}

const FRIDAY: Date = date!(2026 - 12 - 04);
const THURSDAY_BEFORE: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

#[test]
fn a_week_from_friday_lists_sunday_to_thursday_in_utc_and_in_order() {
    let listed = available_slots(&workweek(), FRIDAY, 7, dubai, THURSDAY_BEFORE, two_hours(), none_reserved);
    assert_eq!(listed.len(), 10);
    let dates: Vec<Date> = listed.iter().map(|s| s.date).collect();
    let expected_dates = [6, 6, 7, 7, 8, 8, 9, 9, 10, 10].map(|day| Date::from_calendar_date(2026, time::Month::December, day).unwrap());
    assert_eq!(dates, expected_dates);
    assert_eq!(listed[0].starts_at, datetime!(2026-12-06 06:00 UTC));
    assert_eq!(listed[0].ends_at, datetime!(2026-12-06 08:00 UTC));
    assert_eq!(listed[1].starts_at, datetime!(2026-12-06 12:00 UTC));
    assert_eq!(listed[0].starts_at.offset(), UtcOffset::UTC);
    assert!(listed.windows(2).all(|w| w[0].starts_at < w[1].starts_at));
    assert!(listed.iter().all(|s| s.bookable && s.remaining == 5 && s.reserved == 0 && s.capacity == 5));
}

#[test]
fn a_slot_is_bookable_when_the_cutoff_falls_exactly_on_its_start() {
    let sunday_morning = [slot(1, Weekday::Sunday, time!(10:00), time!(12:00), 5)];
    let at_cutoff = datetime!(2026-12-06 04:00 UTC);
    let listed = available_slots(&sunday_morning, FRIDAY, 7, dubai, at_cutoff, two_hours(), none_reserved);
    assert!(listed[0].bookable);
    assert_eq!(slot_is_bookable(&sunday_morning[0], date!(2026 - 12 - 06), dubai(FRIDAY), at_cutoff, two_hours(), 0), Ok(()));

    let a_second_late = at_cutoff + time::Duration::SECOND;
    let listed = available_slots(&sunday_morning, FRIDAY, 7, dubai, a_second_late, two_hours(), none_reserved);
    assert_eq!(listed.len(), 1, "still listed, greyed out");
    assert!(!listed[0].bookable);
    assert_eq!(listed[0].remaining, 5);
    assert_eq!(
        slot_is_bookable(&sunday_morning[0], date!(2026 - 12 - 06), dubai(FRIDAY), a_second_late, two_hours(), 0),
        Err(SlotUnavailable::PastCutoff)
    );
}

#[test]
fn slots_under_way_are_greyed_out_and_slots_that_ended_are_left_out() {
    let sunday = [slot(1, Weekday::Sunday, time!(10:00), time!(12:00), 5), slot(2, Weekday::Sunday, time!(16:00), time!(18:00), 5)];
    let during_the_afternoon_slot = datetime!(2026-12-06 13:00 UTC);
    let listed = available_slots(&sunday, date!(2026 - 12 - 06), 1, dubai, during_the_afternoon_slot, two_hours(), none_reserved);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].slot_id, DeliverySlotId(Uuid::from_u128(2)));
    assert!(!listed[0].bookable);

    let exactly_at_the_end = datetime!(2026-12-06 14:00 UTC);
    let listed = available_slots(&sunday, date!(2026 - 12 - 06), 1, dubai, exactly_at_the_end, two_hours(), none_reserved);
    assert!(listed.is_empty());
}

#[test]
fn full_slots_are_listed_with_nothing_remaining_and_refuse_orders() {
    let slots = workweek();
    let monday = date!(2026 - 12 - 07);
    let reserved = |id: DeliverySlotId, date: Date| match (id.0.as_u128(), date == monday) {
        (3, true) => 5,
        (4, true) => 9,
        _ => 2,
    };
    let listed = available_slots(&slots, FRIDAY, 7, dubai, THURSDAY_BEFORE, two_hours(), reserved);
    let on_monday: Vec<&SlotAvailability> = listed.iter().filter(|s| s.date == monday).collect();
    assert_eq!(on_monday.len(), 2);
    assert!(on_monday.iter().all(|s| s.remaining == 0 && !s.bookable));
    assert_eq!(on_monday[1].reserved, 9, "more reserved than capacity is reported as is");
    assert!(listed.iter().filter(|s| s.date != monday).all(|s| s.remaining == 3 && s.bookable));

    let monday_morning = &slots[2];
    assert_eq!(slot_is_bookable(monday_morning, monday, dubai(monday), THURSDAY_BEFORE, two_hours(), 5), Err(SlotUnavailable::Full));
    assert_eq!(slot_is_bookable(monday_morning, monday, dubai(monday), THURSDAY_BEFORE, two_hours(), 9), Err(SlotUnavailable::Full));
    assert_eq!(slot_is_bookable(monday_morning, monday, dubai(monday), THURSDAY_BEFORE, two_hours(), 4), Ok(()));
}

#[test]
fn inactive_slots_are_never_listed_and_refuse_orders() {
    let mut slots = workweek();
    slots[0].active = false;
    let listed = available_slots(&slots, FRIDAY, 7, dubai, THURSDAY_BEFORE, two_hours(), none_reserved);
    assert_eq!(listed.len(), 9);
    assert!(listed.iter().all(|s| s.slot_id != slots[0].id));
    let sunday = date!(2026 - 12 - 06);
    assert_eq!(slot_is_bookable(&slots[0], sunday, dubai(sunday), THURSDAY_BEFORE, two_hours(), 0), Err(SlotUnavailable::Inactive));
}

#[test]
fn a_slot_asked_for_on_another_weekday_is_refused() {
    let sunday_morning = slot(1, Weekday::Sunday, time!(10:00), time!(12:00), 5);
    assert_eq!(
        slot_is_bookable(&sunday_morning, FRIDAY, dubai(FRIDAY), THURSDAY_BEFORE, two_hours(), 0),
        Err(SlotUnavailable::WrongWeekday)
    );
}

#[test]
fn zero_days_list_nothing() {
    assert!(available_slots(&workweek(), FRIDAY, 0, dubai, THURSDAY_BEFORE, two_hours(), none_reserved).is_empty());
}

#[test]
fn listings_stop_after_thirty_one_days() {
    let every_day: Vec<DeliverySlot> = (1u128..=7)
        .zip([
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ])
        .map(|(n, weekday)| slot(n, weekday, time!(10:00), time!(12:00), 5))
        .collect();
    let listed = available_slots(&every_day, FRIDAY, 365, dubai, THURSDAY_BEFORE, two_hours(), none_reserved);
    assert_eq!(listed.len(), MAX_SLOT_DAYS as usize);
    assert_eq!(listed.last().map(|s| s.date), Some(date!(2027 - 01 - 03)));
}

#[test]
fn a_window_that_does_not_end_after_it_starts_is_never_offered() {
    let midnight_end = slot(1, Weekday::Sunday, time!(22:00), time!(00:00), 5);
    let backwards = slot(2, Weekday::Sunday, time!(12:00), time!(10:00), 5);
    let empty = slot(3, Weekday::Sunday, time!(12:00), time!(12:00), 5);
    let late = slot(4, Weekday::Sunday, time!(22:00), time!(23:59), 5);
    let slots = [midnight_end.clone(), backwards, empty, late];
    let listed = available_slots(&slots, FRIDAY, 7, dubai, THURSDAY_BEFORE, two_hours(), none_reserved);
    assert_eq!(listed.iter().map(|s| s.slot_id.0.as_u128()).collect::<Vec<_>>(), [4]);
    assert_eq!(listed[0].ends_at, datetime!(2026-12-06 19:59 UTC));
    let sunday = date!(2026 - 12 - 06);
    assert_eq!(slot_is_bookable(&midnight_end, sunday, dubai(sunday), THURSDAY_BEFORE, two_hours(), 0), Err(SlotUnavailable::Inactive));
}

#[test]
fn slots_starting_together_are_ordered_by_id() {
    let slots = [slot(9, Weekday::Sunday, time!(10:00), time!(12:00), 5), slot(3, Weekday::Sunday, time!(10:00), time!(11:00), 5)];
    let listed = available_slots(&slots, FRIDAY, 7, dubai, THURSDAY_BEFORE, two_hours(), none_reserved);
    assert_eq!(listed.iter().map(|s| s.slot_id.0.as_u128()).collect::<Vec<_>>(), [3, 9]);
}

#[test]
fn each_date_uses_its_own_business_offset() {
    let slots = [slot(1, Weekday::Sunday, time!(10:00), time!(12:00), 5)];
    let second_sunday = date!(2026 - 12 - 13);
    let shifting = |d: Date| if d < second_sunday { UtcOffset::from_hms(4, 0, 0).unwrap() } else { UtcOffset::from_hms(3, 0, 0).unwrap() };
    let listed = available_slots(&slots, FRIDAY, 14, shifting, THURSDAY_BEFORE, two_hours(), none_reserved);
    assert_eq!(listed.iter().map(|s| s.starts_at).collect::<Vec<_>>(), [datetime!(2026-12-06 06:00 UTC), datetime!(2026-12-13 07:00 UTC)]);
}

#[test]
fn the_cutoff_counts_against_the_slots_start_not_its_end() {
    let sunday_morning = slot(1, Weekday::Sunday, time!(10:00), time!(12:00), 5);
    let sunday = date!(2026 - 12 - 06);
    let one_hour_before_start = datetime!(2026-12-06 05:00 UTC);
    assert_eq!(
        slot_is_bookable(&sunday_morning, sunday, dubai(sunday), one_hour_before_start, two_hours(), 0),
        Err(SlotUnavailable::PastCutoff)
    );
    let no_cutoff = SlotRules { cutoff: std::time::Duration::ZERO };
    assert_eq!(slot_is_bookable(&sunday_morning, sunday, dubai(sunday), one_hour_before_start, no_cutoff, 0), Ok(()));
    let endless = SlotRules { cutoff: std::time::Duration::MAX };
    assert_eq!(slot_is_bookable(&sunday_morning, sunday, dubai(sunday), THURSDAY_BEFORE, endless, 0), Err(SlotUnavailable::PastCutoff));
}
