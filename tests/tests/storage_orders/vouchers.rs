//! What a checkout takes from the customer's vouchers and what a cancellation gives back: coupons from
//! the earliest-expiring live batch first (never from an expired one), promo-code caps per customer, and
//! the slot place, coupons and promo-code use returned on cancelling.
use sabil_core::domain::PageRequest;
use sabil_core::domain::UserId;
use sabil_core::domain::catalog::ProductId;
use sabil_core::domain::orders::{CouponBalance, CouponBatchId, CouponEntryKind, CouponSource, NewCouponBatch, OrderId, OrderStatus};
use sabil_core::ports::{CouponRedemption, NewOrder, PlaceRefused};
use sabil_tests::fixtures::{T0, at};
use sabil_tests::order_fixtures::{
    NEXT_SUNDAY, SUNDAY, customer, new_order, open_shop, order, promo_claim, promo_code, reserved, status_change, stored,
};
use sabil_tests::{Stores, conformance};

/// Issues `count` coupons of `product` to `customer`, expiring `expires` seconds after `T0` (never for `None`).
async fn issue(stores: &Stores, customer: UserId, product: ProductId, count: u32, expires: Option<i64>) -> CouponBatchId {
    let batch = NewCouponBatch {
        customer_id: customer,
        product_id: product,
        count,
        source: CouponSource::Sap,
        sap_id: None,
        issued_by: None,
        note: Some("coupon book".into()),
        expires_at: expires.map(at),
    };
    stores.coupons.issue(&batch, T0).await.expect("issue")
}

/// The customer's ledger entries of `kind`, as (batch, delta, order), oldest first.
async fn entries(stores: &Stores, customer: UserId, kind: CouponEntryKind) -> Vec<(CouponBatchId, i32, Option<OrderId>)> {
    let history = stores.coupons.history(customer, PageRequest { limit: 100, cursor: None }).await.expect("history");
    let mut found: Vec<_> = history.items.iter().filter(|e| e.kind == kind).map(|e| (e.batch_id, e.delta, e.order_id)).collect();
    found.sort();
    found
}

conformance!(coupons_come_from_the_earliest_expiring_live_batch_first, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let buyer = customer(&stores, "+96550004001").await;
    let neighbour = customer(&stores, "+96550004002").await;
    issue(&stores, buyer, shop.refill, 5, Some(50)).await;
    let later = issue(&stores, buyer, shop.refill, 2, Some(10_000)).await;
    issue(&stores, buyer, shop.refill, 2, None).await;
    let soon = issue(&stores, buyer, shop.refill, 2, Some(1_000)).await;
    issue(&stores, buyer, shop.case, 1, None).await;
    issue(&stores, neighbour, shop.refill, 4, Some(500)).await;

    let o = order(buyer, &shop, SUNDAY, 100, 3);
    let new = NewOrder { coupons: vec![CouponRedemption { product_id: shop.refill, count: 3 }], ..new_order(o.clone(), "checkout-1") };
    stored(stores.orders.place(&new, at(100)).await);
    let mut expected = vec![(soon, -2, Some(o.id)), (later, -1, Some(o.id))];
    expected.sort();
    assert_eq!(entries(&stores, buyer, CouponEntryKind::Redeemed).await, expected, "soonest first, expired and never-expiring untouched");
    assert_eq!(
        stores.coupons.balances(buyer, at(100)).await.expect("balances"),
        vec![
            CouponBalance { product_id: shop.refill, available: 3, next_expiry: Some(at(10_000)) },
            CouponBalance { product_id: shop.case, available: 1, next_expiry: None },
        ]
    );
    assert_eq!(entries(&stores, neighbour, CouponEntryKind::Redeemed).await, vec![], "only the buyer's wallet");

    // The expired batch's five do not count as available.
    let greedy = NewOrder {
        coupons: vec![CouponRedemption { product_id: shop.refill, count: 4 }],
        ..new_order(order(buyer, &shop, SUNDAY, 110, 3), "checkout-2")
    };
    assert_eq!(stores.orders.place(&greedy, at(110)).await, Err(PlaceRefused::NotEnoughCoupons { product: shop.refill, available: 3 }));
});

conformance!(a_promo_code_capped_per_customer_refuses_their_second_order, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let code = promo_code("ONCEEACH", None, Some(1));
    stores.promo_codes.create(&code, T0).await.expect("create the code");
    let buyer = customer(&stores, "+96550004101").await;
    let neighbour = customer(&stores, "+96550004102").await;
    let with_code = |who: UserId, key: &str, seconds: i64| {
        let mut o = order(who, &shop, SUNDAY, seconds, 0);
        o.promo_code = Some(code.code.clone());
        NewOrder { promo_code: Some(promo_claim(&code)), ..new_order(o, key) }
    };
    stored(stores.orders.place(&with_code(buyer, "checkout-1", 10), at(10)).await);
    let again = with_code(buyer, "checkout-2", 20);
    assert_eq!(stores.orders.place(&again, at(20)).await, Err(PlaceRefused::PromoCodeUsedUpByCustomer));
    assert_eq!(stores.orders.get(again.order.id).await.expect("get"), None);
    stored(stores.orders.place(&with_code(neighbour, "checkout-1", 30), at(30)).await);
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").expect("the code").uses, 2);
    assert_eq!(stores.promo_codes.customer_uses(code.id, buyer).await, Ok(1));
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 2, "the refused checkout gave its place back");
});

conformance!(cancelling_gives_back_the_slot_place_the_coupons_and_the_promo_code_use, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let code = promo_code("COMEBACK", Some(5), Some(1));
    stores.promo_codes.create(&code, T0).await.expect("create the code");
    let buyer = customer(&stores, "+96550004201").await;
    let batch = issue(&stores, buyer, shop.refill, 2, Some(10_000)).await;
    let checkout = |key: &str, seconds: i64| {
        let mut o = order(buyer, &shop, SUNDAY, seconds, 2);
        o.promo_code = Some(code.code.clone());
        NewOrder {
            coupons: vec![CouponRedemption { product_id: shop.refill, count: 2 }],
            promo_code: Some(promo_claim(&code)),
            ..new_order(o, key)
        }
    };
    let placed = stored(stores.orders.place(&checkout("checkout-1", 10), at(10)).await);
    assert_eq!(stores.coupons.balances(buyer, at(10)).await.expect("balances"), vec![]);
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").expect("the code").uses, 1);
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 1);

    let cancel = status_change(&placed, OrderStatus::PendingPayment, OrderStatus::Cancelled, 20);
    let cancelled = stores.orders.change_status(&cancel, at(20)).await.expect("cancel").expect("cancelled");
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(
        stores.coupons.balances(buyer, at(20)).await.expect("balances"),
        vec![CouponBalance { product_id: shop.refill, available: 2, next_expiry: Some(at(10_000)) }],
        "the coupons are back in their batch"
    );
    assert_eq!(entries(&stores, buyer, CouponEntryKind::Restored).await, vec![(batch, 2, Some(placed.id))]);
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").expect("the code").uses, 0, "the use is given back");
    assert_eq!(stores.promo_codes.customer_uses(code.id, buyer).await, Ok(0));
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 0, "the slot place is released");

    // What was given back can be used again; a later move that is not a cancellation gives nothing more.
    let again = stored(stores.orders.place(&checkout("checkout-2", 30), at(30)).await);
    let refunded = status_change(&placed, OrderStatus::Cancelled, OrderStatus::Refunded, 40);
    assert!(stores.orders.change_status(&refunded, at(40)).await.expect("move").is_some());
    assert_eq!(stores.coupons.balances(buyer, at(40)).await.expect("balances"), vec![]);
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").expect("the code").uses, 1);
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 1);
    assert_eq!(reserved(&stores, &shop, NEXT_SUNDAY).await, 0);
    assert_eq!(stores.orders.get(again.id).await.expect("get").map(|o| o.status), Some(OrderStatus::PendingPayment));
});
