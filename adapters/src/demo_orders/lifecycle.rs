//! Where each history order went: its moves through the lifecycle with who made them and when. Most are
//! delivered in their slot; some card payments fail or are abandoned, some orders are cancelled (paid ones
//! then refunded). Moves later than `cap` have not happened yet, which leaves recent orders pending,
//! confirmed or out for delivery.
use sabil_core::domain::UserId;
use sabil_core::domain::orders::{Actor, ActorKind, OrderEvent, OrderStatus, PaymentMethod};
use time::{Duration, OffsetDateTime};

use super::rng::Rng;

/// The delivery slot booked, as instants.
#[derive(Debug, Clone, Copy)]
pub(super) struct SlotTimes {
    pub starts: OffsetDateTime,
    pub ends: OffsetDateTime,
}

fn minutes(rng: &mut Rng, lo: i64, hi: i64) -> Duration {
    Duration::seconds(rng.between(lo * 60, hi * 60))
}

fn event(
    from: Option<OrderStatus>,
    to: OrderStatus,
    kind: ActorKind,
    id: Option<String>,
    reason: Option<&str>,
    at: OffsetDateTime,
) -> OrderEvent {
    OrderEvent { from, to, actor: Actor { kind, id }, reason: reason.map(str::to_owned), at }
}

/// The order's events from its creation, ending no later than `cap` (the first is always there).
pub(super) fn events(
    rng: &mut Rng,
    method: PaymentMethod,
    customer: UserId,
    created: OffsetDateTime,
    slot: SlotTimes,
    cap: OffsetDateTime,
) -> Vec<OrderEvent> {
    use OrderStatus::{Cancelled, Confirmed, Delivered, OutForDelivery, Paid, PaymentFailed, PendingPayment, Refunded};
    let me = Some(customer.0.to_string());
    let online = method.is_online();
    let first = if online { PendingPayment } else { Confirmed };
    let reason = (!online).then_some("cash on delivery");
    let mut moves = vec![event(None, first, ActorKind::Customer, me.clone(), reason, created)];
    let mut at = created;
    let push = |moves: &mut Vec<OrderEvent>, to: OrderStatus, kind: ActorKind, id: Option<String>, reason: Option<&str>, when| {
        let from = moves.last().map(|e: &OrderEvent| e.to);
        moves.push(event(from, to, kind, id, reason, when));
    };
    // Cancelling is possible until an hour before the slot.
    let latest_cancel = slot.starts - Duration::HOUR;
    let fate = rng.unit();
    if online {
        let charge = Some(format!("chg_demo_{:016x}", rng.next_u64()));
        if fate < 0.04 {
            push(&mut moves, PaymentFailed, ActorKind::PaymentProvider, charge, Some("card declined"), at + minutes(rng, 2, 15));
            return within(moves, cap);
        }
        if fate < 0.08 {
            push(&mut moves, Cancelled, ActorKind::System, None, Some("payment not completed"), at + minutes(rng, 30, 60));
            return within(moves, cap);
        }
        at += minutes(rng, 1, 5);
        push(&mut moves, Paid, ActorKind::PaymentProvider, charge, None, at);
        if fate < 0.11 {
            let when = at + (latest_cancel - at).max(Duration::MINUTE) * rng.unit();
            push(&mut moves, Cancelled, ActorKind::Customer, me, Some("changed my mind"), when);
            push(&mut moves, Refunded, ActorKind::System, None, Some("refund completed"), when + minutes(rng, 60, 36 * 60));
            return within(moves, cap);
        }
        at += minutes(rng, 5, 90);
        push(&mut moves, Confirmed, ActorKind::Sap, None, None, at);
    } else if fate < 0.06 {
        let when = at + (latest_cancel - at).max(Duration::MINUTE) * rng.unit();
        let (kind, id, why) =
            if rng.chance(0.8) { (ActorKind::Customer, me, "no longer needed") } else { (ActorKind::Admin, None, "customer unreachable") };
        push(&mut moves, Cancelled, kind, id, Some(why), when);
        return within(moves, cap);
    }
    let out = (slot.starts - minutes(rng, 0, 30)).max(at + Duration::MINUTE);
    push(&mut moves, OutForDelivery, ActorKind::Sap, None, None, out);
    let window = (slot.ends - out).max(Duration::MINUTE);
    let delivered = out + window * (0.1 + 0.85 * rng.unit());
    push(&mut moves, Delivered, ActorKind::Sap, None, None, delivered);
    within(moves, cap)
}

/// The moves made by `cap` (the creation always stays).
fn within(mut moves: Vec<OrderEvent>, cap: OffsetDateTime) -> Vec<OrderEvent> {
    let keep = moves.iter().skip(1).take_while(|e| e.at <= cap).count() + 1;
    moves.truncate(keep);
    moves
}

/// A rating of a delivered order (about 30 % are rated): score and comment, given after delivery and by `cap`.
pub(super) fn rating(rng: &mut Rng, delivered: OffsetDateTime, cap: OffsetDateTime) -> Option<(u8, Option<&'static str>, OffsetDateTime)> {
    if !rng.chance(0.3) {
        return None;
    }
    let score = [5, 4, 3, 2, 1][rng.weighted(&[0.55, 0.25, 0.1, 0.05, 0.05])];
    let comment = match score {
        5 if rng.chance(0.2) => Some("Fast delivery, thank you"),
        4 if rng.chance(0.15) => Some("Good, the driver was a bit late"),
        1 | 2 if rng.chance(0.6) => Some("The driver came outside the slot"),
        _ => None,
    };
    let at = delivered + minutes(rng, 10, 36 * 60);
    (at <= cap).then_some((score, comment, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    fn slot() -> SlotTimes {
        SlotTimes { starts: datetime!(2026-11-10 06:00 UTC), ends: datetime!(2026-11-10 08:00 UTC) }
    }

    #[test]
    fn every_move_is_one_the_lifecycle_allows_and_comes_in_time_order() {
        let mut rng = Rng::new(5);
        let created = datetime!(2026-11-09 15:00 UTC);
        for i in 0..5_000 {
            let method = if i % 2 == 0 { PaymentMethod::Card } else { PaymentMethod::Cash };
            let cap = created + Duration::minutes(rng.between(0, 3 * 24 * 60));
            let moves = events(&mut rng, method, UserId(Uuid::nil()), created, slot(), cap);
            assert_eq!(moves[0].from, None);
            assert!(moves.iter().all(|e| e.at <= cap.max(created)));
            for pair in moves.windows(2) {
                assert_eq!(pair[1].from, Some(pair[0].to));
                assert!(pair[0].at <= pair[1].at, "{moves:?}");
                pair[0].to.check_move(pair[1].to, pair[1].actor.kind).expect("an allowed move");
            }
        }
    }

    #[test]
    fn most_old_orders_end_delivered() {
        let mut rng = Rng::new(6);
        let created = datetime!(2026-11-09 15:00 UTC);
        let delivered = (0..1_000)
            .filter(|_| {
                let moves = events(&mut rng, PaymentMethod::Card, UserId(Uuid::nil()), created, slot(), datetime!(2026-12-01 0:00 UTC));
                moves.last().map(|e| e.to) == Some(OrderStatus::Delivered)
            })
            .count();
        assert!((850..=930).contains(&delivered), "{delivered}");
    }
}
