//! Ratings: a customer rates their own delivered order once; admins read averages for a period of
//! business days (UTC+3 here), grouped per area and per ISO week.
use sabil_core::domain::feedback::{RatingAverage, Score};
use sabil_core::domain::orders::{OrderId, OrderStatus};
use sabil_core::services::FeedbackError;
use sabil_core::services::authorization::AdminDenied;
use time::Duration;
use time::macros::date;
use uuid::Uuid;

use super::world;

fn score(n: i64) -> Score {
    Score::parse(n).unwrap()
}

#[tokio::test]
async fn a_customer_rates_their_own_delivered_order_once() {
    let w = world();
    let (fatima, omar) = (w.customer("+96550096001").await, w.customer("+96550096002").await);
    let area = w.area("Salmiya").await;
    let on_the_way = w.order(&fatima, area, OrderStatus::OutForDelivery);
    let delivered = w.order(&fatima, area, OrderStatus::Delivered);
    assert_eq!(
        w.feedback.rate_order(&fatima, on_the_way, score(5), None).await,
        Err(FeedbackError::OrderNotDelivered(OrderStatus::OutForDelivery))
    );
    assert_eq!(w.feedback.rate_order(&omar, delivered, score(5), None).await, Err(FeedbackError::NotFound("order")), "not theirs");
    assert_eq!(w.feedback.rate_order(&fatima, OrderId(Uuid::now_v7()), score(5), None).await, Err(FeedbackError::NotFound("order")));
    let admin = w.admin().await;
    assert_eq!(w.feedback.rate_order(&admin, delivered, score(5), None).await, Err(FeedbackError::CustomersOnly));

    let rating = w.feedback.rate_order(&fatima, delivered, score(4), Some("Quick".into())).await.unwrap();
    assert_eq!((rating.order_id, rating.area_id, rating.score.get(), rating.comment.as_deref()), (delivered, area, 4, Some("Quick")));
    assert_eq!(w.feedback.rate_order(&fatima, delivered, score(1), None).await, Err(FeedbackError::OrderAlreadyRated));
}

#[tokio::test]
async fn the_summary_covers_whole_business_days_and_names_the_areas() {
    let w = world();
    let admin = w.admin().await;
    let fatima = w.customer("+96550097001").await;
    let (salmiya, hawally) = (w.area("Salmiya").await, w.area("Hawally").await);
    // The clock starts on Sunday 2026-03-01 09:00 UTC (12:00 in business time).
    let first = w.order(&fatima, salmiya, OrderStatus::Delivered);
    w.feedback.rate_order(&fatima, first, score(5), None).await.unwrap();
    w.fakes.clock.advance(Duration::hours(12)); // 21:00 UTC: already Monday 00:00 in business time.
    let second = w.order(&fatima, hawally, OrderStatus::Delivered);
    w.feedback.rate_order(&fatima, second, score(2), None).await.unwrap();

    let sunday = w.feedback.rating_summary(&admin, date!(2026 - 03 - 01), date!(2026 - 03 - 01)).await.unwrap();
    assert_eq!(sunday.summary.overall, RatingAverage { count: 1, average: Some(5.0) });
    let both = w.feedback.rating_summary(&admin, date!(2026 - 03 - 01), date!(2026 - 03 - 02)).await.unwrap();
    assert_eq!(both.summary.overall, RatingAverage { count: 2, average: Some(3.5) });
    let weeks: Vec<String> = both.summary.by_week.iter().map(|w| w.iso_week()).collect();
    assert_eq!(weeks, ["2026-W09", "2026-W10"], "Monday 00:00 business time starts a week");
    assert_eq!(both.area_names.get(&hawally).map(|n| n.en.as_str()), Some("Hawally"));
    assert_eq!(both.summary.by_area.len(), 2);

    let backwards = w.feedback.rating_summary(&admin, date!(2026 - 03 - 02), date!(2026 - 03 - 01)).await.unwrap_err();
    assert!(matches!(&backwards, FeedbackError::Invalid(i) if i.0[0].field == "to"), "{backwards:?}");
    assert_eq!(
        w.feedback.rating_summary(&fatima, date!(2026 - 03 - 01), date!(2026 - 03 - 01)).await.map(|_| ()),
        Err(FeedbackError::Denied(AdminDenied::NotAdmin))
    );
    let listed = w
        .feedback
        .ratings(&admin, Some(date!(2026 - 03 - 02)), None, None, sabil_core::domain::PageRequest { limit: 10, cursor: None })
        .await
        .unwrap();
    assert_eq!(listed.items.iter().map(|r| r.order_id).collect::<Vec<_>>(), [second]);
}
