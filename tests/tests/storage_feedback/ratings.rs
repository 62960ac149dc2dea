//! Ratings of orders: one per order, listed newest first by period and area, and averaged per area and
//! per ISO week (in business time) by the store.
use sabil_core::domain::delivery::DeliveryAreaId;
use sabil_core::domain::feedback::{AreaRating, RatingAverage, RatingId, Score, ServiceRating, WeekRating};
use sabil_core::domain::orders::{Order, OrderId};
use sabil_core::domain::{PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::RatingQuery;
use sabil_tests::order_fixtures::{SUNDAY, Shop, customer, new_order, open_shop, order, stored};
use sabil_tests::{Stores, conformance};
use time::macros::date;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use sabil_tests::fixtures::at;

/// Places an order of `who` in `shop` (placed `seconds` after `T0`).
async fn placed(stores: &Stores, who: UserId, shop: &Shop, seconds: i64) -> Order {
    let key = format!("k-{}", Uuid::now_v7());
    stored(stores.orders.place(&new_order(order(who, shop, SUNDAY, seconds, 0), &key), at(seconds)).await)
}

fn rating(o: &Order, score: i64, at: OffsetDateTime) -> ServiceRating {
    ServiceRating {
        id: RatingId(Uuid::now_v7()),
        order_id: o.id,
        customer_id: o.customer_id,
        area_id: o.slot.area_id,
        score: Score::parse(score).unwrap(),
        comment: Some(format!("{score} stars, \"really\"")),
        created_at: at,
    }
}

fn query(from: Option<OffsetDateTime>, until: Option<OffsetDateTime>, area: Option<DeliveryAreaId>, limit: u32) -> RatingQuery {
    RatingQuery { from, until, area, page: PageRequest { limit, cursor: None } }
}

conformance!(an_order_is_rated_once_and_its_rating_round_trips, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let fatima = customer(&stores, "+96550071001").await;
    let o = placed(&stores, fatima, &shop, 1).await;
    let first = ServiceRating { comment: None, ..rating(&o, 5, at(2)) };
    stores.ratings.create(&first).await.expect("rate");
    assert_eq!(stores.ratings.for_order(o.id).await.unwrap(), Some(first.clone()));
    let again = rating(&o, 1, at(3));
    assert!(matches!(stores.ratings.create(&again).await, Err(RepoError::Conflict(_))), "once per order");
    assert_eq!(stores.ratings.for_order(o.id).await.unwrap(), Some(first));

    let ghost = ServiceRating { order_id: OrderId(Uuid::now_v7()), ..rating(&o, 3, at(4)) };
    assert!(matches!(stores.ratings.create(&ghost).await, Err(RepoError::Conflict(_))), "unknown order");
    assert_eq!(stores.ratings.for_order(ghost.order_id).await.unwrap(), None);
});

conformance!(ratings_are_listed_newest_first_by_period_and_area, |stores| async move {
    let (north, south) = (open_shop(&stores, 10).await, open_shop(&stores, 10).await);
    let fatima = customer(&stores, "+96550072001").await;
    let mut all = Vec::new();
    for (i, shop) in [&north, &south, &north].into_iter().enumerate() {
        let seconds = i64::try_from(i).unwrap() * 100;
        let o = placed(&stores, fatima, shop, seconds).await;
        let r = rating(&o, 4, at(seconds + 10));
        stores.ratings.create(&r).await.unwrap();
        all.push(r);
    }
    let ids = |page: sabil_core::domain::Page<ServiceRating>| page.items.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(stores.ratings.list(&query(None, None, None, 10)).await.unwrap()), [all[2].id, all[1].id, all[0].id]);
    assert_eq!(ids(stores.ratings.list(&query(None, None, Some(north.area), 10)).await.unwrap()), [all[2].id, all[0].id]);
    assert_eq!(ids(stores.ratings.list(&query(Some(at(110)), Some(at(211)), None, 10)).await.unwrap()), [all[2].id, all[1].id]);
    assert_eq!(ids(stores.ratings.list(&query(Some(at(10)), Some(at(110)), None, 10)).await.unwrap()), [all[0].id], "until is excluded");
    let first = stores.ratings.list(&query(None, None, None, 2)).await.unwrap();
    assert_eq!(first.next_cursor, Some(all[1].id.0));
    let next = RatingQuery { page: PageRequest { limit: 2, cursor: first.next_cursor }, ..query(None, None, None, 2) };
    let rest = stores.ratings.list(&next).await.unwrap();
    assert_eq!((rest.items, rest.next_cursor), (vec![all[0].clone()], None));
});

conformance!(the_summary_counts_and_averages_per_area_and_per_iso_week_of_business_time, |stores| async move {
    let (a, b) = (open_shop(&stores, 20).await, open_shop(&stores, 20).await);
    let fatima = customer(&stores, "+96550073001").await;
    let hour = 3_600;
    let day = 24 * hour;
    // T0 is Sunday 2026-03-01 09:00 UTC. 21:30 UTC that Sunday is already Monday 00:30 at UTC+3.
    let given: [(&Shop, i64, i64); 6] = [
        (&a, 5, 0),
        (&a, 4, 12 * hour + 30 * 60),
        (&a, 3, 3 * day),
        (&b, 2, day),
        (&b, 5, 8 * day),
        (&b, 1, -day), // before the period
    ];
    for (shop, score, seconds) in given {
        let o = placed(&stores, fatima, shop, seconds).await;
        stores.ratings.create(&rating(&o, score, at(seconds))).await.unwrap();
    }
    let avg = |count: u64, average: f64| RatingAverage { count, average: Some(average) };
    let (from, until) = (at(-hour), at(10 * day));
    let kuwait = UtcOffset::from_hms(3, 0, 0).unwrap();
    let s = stores.ratings.summary(from, until, kuwait).await.unwrap();
    assert_eq!(s.overall, avg(5, 3.8));
    let mut areas = vec![AreaRating { area_id: a.area, ratings: avg(3, 4.0) }, AreaRating { area_id: b.area, ratings: avg(2, 3.5) }];
    areas.sort_by_key(|r| r.area_id);
    assert_eq!(s.by_area, areas);
    assert_eq!(
        s.by_week,
        [
            WeekRating { week_start: date!(2026 - 02 - 23), ratings: avg(1, 5.0) },
            WeekRating { week_start: date!(2026 - 03 - 02), ratings: avg(3, 3.0) },
            WeekRating { week_start: date!(2026 - 03 - 09), ratings: avg(1, 5.0) },
        ]
    );
    assert_eq!(s.by_week[1].iso_week(), "2026-W10");

    let utc = stores.ratings.summary(from, until, UtcOffset::UTC).await.unwrap();
    let weeks: Vec<_> = utc.by_week.iter().map(|w| (w.week_start, w.ratings)).collect();
    assert_eq!(
        weeks,
        [(date!(2026 - 02 - 23), avg(2, 4.5)), (date!(2026 - 03 - 02), avg(2, 2.5)), (date!(2026 - 03 - 09), avg(1, 5.0))],
        "in UTC the 21:30 rating is still Sunday's"
    );

    let empty = stores.ratings.summary(at(20 * day), at(30 * day), kuwait).await.unwrap();
    assert_eq!((empty.overall, empty.by_area.len(), empty.by_week.len()), (RatingAverage { count: 0, average: None }, 0, 0));
});
