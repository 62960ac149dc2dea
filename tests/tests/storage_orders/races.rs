//! Checkouts racing for what is scarce: the places of a slot, a customer's last coupon, a promo code's
//! last use. Each is granted exactly as often as it exists, and the losers store nothing.
use std::sync::Arc;

use sabil_core::domain::PageRequest;
use sabil_core::domain::orders::{CouponSource, NewCouponBatch, Order};
use sabil_core::ports::{CouponRedemption, NewOrder, OrderQuery, OrderRepository, PlaceRefused, Placed};
use sabil_tests::conformance;
use sabil_tests::fixtures::{T0, at};
use sabil_tests::order_fixtures::{
    NEXT_SUNDAY, SUNDAY, change_operations, customer, new_order, open_shop, order, outbox_keys, promo_claim, promo_code, reserved,
};

/// Places every checkout at once, each on a task of its own.
async fn race(orders: &Arc<dyn OrderRepository>, checkouts: Vec<NewOrder>) -> Vec<Result<Placed, PlaceRefused>> {
    let mut racers = tokio::task::JoinSet::new();
    for new in checkouts {
        let orders = Arc::clone(orders);
        racers.spawn(async move { orders.place(&new, at(100)).await });
    }
    racers.join_all().await
}

fn winners(results: &[Result<Placed, PlaceRefused>]) -> Vec<Order> {
    results.iter().filter_map(|r| if let Ok(Placed::New(o)) = r { Some(o.clone()) } else { None }).collect()
}

conformance!(fifty_racing_checkouts_fill_a_slot_of_ten_exactly, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let mut checkouts = Vec::new();
    for i in 0..50 {
        let buyer = customer(&stores, &format!("+965500031{i:02}")).await;
        checkouts.push(new_order(order(buyer, &shop, SUNDAY, i, 0), &format!("checkout-{i}")));
    }
    let results = race(&stores.orders, checkouts).await;
    let won = winners(&results);
    let full = results.iter().filter(|r| **r == Err(PlaceRefused::SlotFull)).count();
    assert_eq!((won.len(), full), (10, 40), "{results:?}");
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 10);

    let listed = stores.orders.list(&OrderQuery {
        customer: None,
        status: None,
        from: None,
        until: None,
        page: PageRequest { limit: 100, cursor: None },
    });
    let mut listed: Vec<Order> = listed.await.expect("list").items;
    listed.sort_by_key(|o| o.id);
    let mut expected = won.clone();
    expected.sort_by_key(|o| o.id);
    assert_eq!(listed, expected, "only the winners are stored");
    let mut numbers: Vec<i64> = won.iter().map(|o| o.number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 10, "every order has a number of its own");
    for o in &won {
        assert_eq!(change_operations(&stores, o.id).await, ["create"]);
    }
    assert_eq!(outbox_keys(&stores).await.len(), 10, "one message per stored order");
});

conformance!(two_checkouts_racing_for_the_last_coupon_take_it_once, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let buyer = customer(&stores, "+96550003201").await;
    let batch = NewCouponBatch {
        customer_id: buyer,
        product_id: shop.refill,
        count: 1,
        source: CouponSource::Purchase,
        sap_id: None,
        issued_by: None,
        note: None,
        expires_at: None,
    };
    stores.coupons.issue(&batch, T0).await.expect("issue");
    // Two dates, so the slot's row does not serialize the checkouts: only the coupons may.
    let checkouts: Vec<NewOrder> = [(SUNDAY, "checkout-a"), (NEXT_SUNDAY, "checkout-b")]
        .into_iter()
        .map(|(day, key)| NewOrder {
            coupons: vec![CouponRedemption { product_id: shop.refill, count: 1 }],
            ..new_order(order(buyer, &shop, day, 10, 1), key)
        })
        .collect();
    let results = race(&stores.orders, checkouts).await;
    assert_eq!(winners(&results).len(), 1, "{results:?}");
    assert!(results.contains(&Err(PlaceRefused::NotEnoughCoupons { product: shop.refill, available: 0 })), "{results:?}");
    assert_eq!(stores.coupons.balances(buyer, at(100)).await.expect("balances"), vec![], "the wallet is empty, never below zero");
    assert_eq!(reserved(&stores, &shop, SUNDAY).await + reserved(&stores, &shop, NEXT_SUNDAY).await, 1);
});

conformance!(the_last_use_of_a_promo_code_goes_to_one_of_two_racing_checkouts, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let code = promo_code("LASTONE", Some(1), None);
    stores.promo_codes.create(&code, T0).await.expect("create the code");
    let mut checkouts = Vec::new();
    for (i, day) in [SUNDAY, NEXT_SUNDAY].into_iter().enumerate() {
        let buyer = customer(&stores, &format!("+9655000330{i}")).await;
        let mut o = order(buyer, &shop, day, 10, 0);
        o.promo_code = Some(code.code.clone());
        checkouts.push(NewOrder { promo_code: Some(promo_claim(&code)), ..new_order(o, "checkout") });
    }
    let results = race(&stores.orders, checkouts).await;
    assert_eq!(winners(&results).len(), 1, "{results:?}");
    assert!(results.contains(&Err(PlaceRefused::PromoCodeUsedUp)), "{results:?}");
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").expect("the code").uses, 1);
    assert_eq!(reserved(&stores, &shop, SUNDAY).await + reserved(&stores, &shop, NEXT_SUNDAY).await, 1);
});
