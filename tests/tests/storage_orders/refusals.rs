//! A refused checkout writes nothing: whichever step refuses (the slot, the promo code, the coupons), no
//! order, slot place, promo-code use, coupon, change record, outbox row or checkout key is left, and the
//! cart stays. On SQL the tables themselves are counted, so a rolled-back change row would show.
use sabil_adapters::store::Db;
use sabil_core::domain::orders::{CouponBalance, CouponSource, NewCouponBatch, Order};
use sabil_core::domain::{PageRequest, UserId};
use sabil_core::ports::{CartItem, CouponRedemption, NewOrder, OrderQuery, PlaceRefused};
use sabil_tests::fixtures::{T0, at};
use sabil_tests::order_fixtures::{
    NEXT_SUNDAY, SUNDAY, Shop, change_operations, customer, new_order, open_shop, order, outbox_keys, promo_claim, promo_code, reserved,
    stored,
};
use sabil_tests::{Stores, conformance};

/// Rows of each table a checkout writes, on SQL (`None` on the fakes).
async fn table_rows(stores: &Stores) -> Option<Vec<(&'static str, i64)>> {
    let db = stores.db.as_ref()?;
    let mut counts = Vec::new();
    for (table, sql) in [
        ("orders", "SELECT COUNT(*) FROM orders"),
        ("order_lines", "SELECT COUNT(*) FROM order_lines"),
        ("order_events", "SELECT COUNT(*) FROM order_events"),
        ("idempotency_keys", "SELECT COUNT(*) FROM idempotency_keys"),
        ("changes", "SELECT COUNT(*) FROM changes"),
        ("outbox", "SELECT COUNT(*) FROM outbox"),
        ("redeemed coupons", "SELECT COUNT(*) FROM coupon_ledger WHERE kind <> 'issued'"),
        ("taken slot places", "SELECT COALESCE(SUM(reserved), 0) FROM slot_reservations"),
    ] {
        let n: i64 = match db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .expect("count rows");
        counts.push((table, n));
    }
    Some(counts)
}

async fn issue(stores: &Stores, customer: UserId, shop: &Shop, count: u32) {
    let batch = NewCouponBatch {
        customer_id: customer,
        product_id: shop.refill,
        count,
        source: CouponSource::Admin,
        sap_id: None,
        issued_by: None,
        note: None,
        expires_at: None,
    };
    stores.coupons.issue(&batch, T0).await.expect("issue");
}

fn of(customer: UserId) -> OrderQuery {
    OrderQuery { customer: Some(customer), status: None, from: None, until: None, page: PageRequest { limit: 10, cursor: None } }
}

fn refill_balance(shop: &Shop, available: u32) -> Vec<CouponBalance> {
    vec![CouponBalance { product_id: shop.refill, available, next_expiry: None }]
}

conformance!(a_checkout_refused_at_the_coupons_leaves_nothing_behind, |stores| async move {
    let shop = open_shop(&stores, 10).await;
    let code = promo_code("WELCOME", Some(5), None);
    stores.promo_codes.create(&code, T0).await.expect("create the code");
    let buyer = customer(&stores, "+96550005001").await;
    issue(&stores, buyer, &shop, 1).await;
    let cart = vec![CartItem { product_id: shop.refill, quantity: 3 }];
    stores.carts.put(buyer, cart[0], at(1)).await.expect("put");

    let mut o = order(buyer, &shop, SUNDAY, 10, 2);
    o.promo_code = Some(code.code.clone());
    let new = NewOrder {
        coupons: vec![CouponRedemption { product_id: shop.refill, count: 2 }],
        promo_code: Some(promo_claim(&code)),
        ..new_order(o.clone(), "checkout-1")
    };
    assert_eq!(stores.orders.place(&new, at(10)).await, Err(PlaceRefused::NotEnoughCoupons { product: shop.refill, available: 1 }));

    assert_eq!(stores.orders.get(o.id).await.expect("get"), None);
    assert_eq!(stores.orders.list(&of(buyer)).await.expect("list").items, Vec::<Order>::new());
    assert_eq!(stores.orders.events(o.id).await.expect("events"), vec![]);
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 0, "no slot place taken");
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").expect("the code").uses, 0, "no promo use counted");
    assert_eq!(stores.coupons.balances(buyer, at(10)).await.expect("balances"), refill_balance(&shop, 1));
    assert_eq!(change_operations(&stores, o.id).await, Vec::<String>::new(), "no change record");
    assert_eq!(outbox_keys(&stores).await, Vec::<String>::new(), "no outbox row");
    assert_eq!(stores.outbox.pending("notification.order").await, Ok(0));
    assert_eq!(stores.carts.items(buyer).await.expect("cart"), cart, "the cart is intact");
    assert_eq!(stores.orders.by_idempotency_key(buyer, "checkout-1").await.expect("key"), None, "the key is not kept");
    if let Some(counts) = table_rows(&stores).await {
        assert!(counts.iter().all(|(_, n)| *n == 0), "rows left behind: {counts:?}");
    }

    // The key is free again: the corrected request goes through under it.
    let mut fixed = NewOrder { coupons: vec![CouponRedemption { product_id: shop.refill, count: 1 }], ..new.clone() };
    fixed.order.lines[0].coupons = 1;
    fixed.idempotency.request_fingerprint = "fp-one-coupon".into();
    let placed = stored(stores.orders.place(&fixed, at(20)).await);
    assert_eq!(stores.orders.by_idempotency_key(buyer, "checkout-1").await.expect("key"), Some(("fp-one-coupon".to_owned(), placed.id)));
    assert_eq!(stores.coupons.balances(buyer, at(20)).await.expect("balances"), vec![]);
    assert_eq!(stores.carts.items(buyer).await.expect("cart"), vec![]);
});

conformance!(a_checkout_refused_for_a_full_slot_or_a_used_up_code_takes_nothing, |stores| async move {
    let shop = open_shop(&stores, 2).await;
    let code = promo_code("FIRSTCOME", Some(1), None);
    stores.promo_codes.create(&code, T0).await.expect("create the code");
    let buyer = customer(&stores, "+96550005101").await;
    issue(&stores, buyer, &shop, 2).await;
    // Others fill Sunday and take the code's only use on the Sunday after.
    let checkout = |who: UserId, day, key: &str, with_code: bool, coupons: u32| {
        let mut o = order(who, &shop, day, 10, coupons);
        o.promo_code = with_code.then(|| code.code.clone());
        NewOrder {
            coupons: vec![CouponRedemption { product_id: shop.refill, count: coupons }],
            promo_code: with_code.then(|| promo_claim(&code)),
            ..new_order(o, key)
        }
    };
    for (i, day) in [(1, SUNDAY), (2, SUNDAY), (3, NEXT_SUNDAY)] {
        let other = customer(&stores, &format!("+9655000511{i}")).await;
        stored(stores.orders.place(&checkout(other, day, "checkout", i == 3, 0), at(5)).await);
    }
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").expect("the code").uses, 1);

    let late = checkout(buyer, SUNDAY, "checkout-1", true, 1);
    assert_eq!(stores.orders.place(&late, at(10)).await, Err(PlaceRefused::SlotFull));
    let used_up = checkout(buyer, NEXT_SUNDAY, "checkout-2", true, 1);
    assert_eq!(stores.orders.place(&used_up, at(11)).await, Err(PlaceRefused::PromoCodeUsedUp));

    assert_eq!(stores.orders.list(&of(buyer)).await.expect("list").items, Vec::<Order>::new());
    assert_eq!(reserved(&stores, &shop, SUNDAY).await, 2);
    assert_eq!(reserved(&stores, &shop, NEXT_SUNDAY).await, 1, "the place taken before the code refused is given back");
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").expect("the code").uses, 1);
    assert_eq!(stores.coupons.balances(buyer, at(11)).await.expect("balances"), refill_balance(&shop, 2));
    assert_eq!(change_operations(&stores, late.order.id).await, Vec::<String>::new());
    assert_eq!(change_operations(&stores, used_up.order.id).await, Vec::<String>::new());
    assert_eq!(outbox_keys(&stores).await.len(), 3, "the three stored orders' messages only");
    assert_eq!(stores.orders.by_idempotency_key(buyer, "checkout-1").await.expect("key"), None);
    assert_eq!(stores.orders.by_idempotency_key(buyer, "checkout-2").await.expect("key"), None);
});
