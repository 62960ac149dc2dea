//! The coupon wallet and promo-code stores on every backend: batches issued once (SAP ids are
//! idempotent), balances summed from the ledger over live batches only, history newest first,
//! expiry that takes exactly what is left once, promo codes unique by code with their products,
//! `uses` left to the checkout, and per-customer uses counted over live orders.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use sabil_adapters::store::{Db, DbTime};
use sabil_core::domain::catalog::{Product, ProductId, ProductType};
use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, DeliverySlot, DeliverySlotId};
use sabil_core::domain::orders::{
    CouponBalance, CouponBatchId, CouponEntryKind, CouponSource, NewCouponBatch, OrderId, OrderStatus, PromoCode, PromoCodeId,
    PromoDiscount,
};
use sabil_core::domain::{Currency, LocalizedText, Money, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_tests::fixtures::{T0, at, create_user};
use sabil_tests::{Stores, conformance};
use uuid::Uuid;

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} بالعربية"), en: en.to_owned() }
}

async fn customer(stores: &Stores, phone: &str) -> UserId {
    create_user(stores, phone, T0).await.id
}

async fn product(stores: &Stores) -> ProductId {
    let product = Product {
        id: ProductId(Uuid::now_v7()),
        sap_id: None,
        title: text("Sabil 5 gallon"),
        description: text("Refill"),
        product_type: ProductType::Refill,
        volume_ml: 18_900,
        bottles_per_pack: 1,
        price_per_pack: Money::new(1_250, Currency::Kwd),
        min_quantity: 1,
        max_quantity: 20,
        image_id: None,
        active: true,
        sort_order: 1,
        created_at: at(0),
        updated_at: at(0),
    };
    stores.products.create(&product).await.expect("create the product");
    product.id
}

/// A batch of `count` coupons expiring `expires` seconds after `T0` (never for `None`).
fn batch(customer: UserId, product: ProductId, count: u32, expires: Option<i64>) -> NewCouponBatch {
    NewCouponBatch {
        customer_id: customer,
        product_id: product,
        count,
        source: CouponSource::Admin,
        sap_id: None,
        issued_by: Some(Uuid::now_v7()),
        note: Some("goodwill".into()),
        expires_at: expires.map(at),
    }
}

fn page(limit: u32, cursor: Option<Uuid>) -> PageRequest {
    PageRequest { limit, cursor }
}

/// Runs one statement on the SQL backend's pool.
macro_rules! exec {
    ($db:expr, $sql:expr $(, $bind:expr)*) => {
        match $db {
            Db::Sqlite(pool) => sqlx::query($sql)$(.bind($bind))*.execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query($sql)$(.bind($bind))*.execute(pool).await.map(|_| ()),
        }
        .expect("statement runs")
    };
}

/// Takes `count` coupons from `batch` for an order, as the checkout does (on the fakes through the
/// fake's redemption, which takes from the earliest-expiring batch: callers arrange that it is `batch`).
async fn redeem(stores: &Stores, customer: UserId, product: ProductId, batch: CouponBatchId, count: i32, seconds: i64) {
    let order = OrderId(Uuid::now_v7());
    match (&stores.coupon_fake, &stores.db) {
        (Some(fake), _) => fake.redeem(customer, product, u32::try_from(count).unwrap(), order, at(seconds)).expect("enough coupons"),
        (None, Some(db)) => exec!(
            db,
            "INSERT INTO coupon_ledger (id, batch_id, user_id, product_id, kind, delta, order_id, created_at) \
             VALUES ($1, $2, $3, $4, 'redeemed', $5, $6, $7)",
            Uuid::now_v7(),
            batch.0,
            customer.0,
            product.0,
            -count,
            order.0,
            DbTime(at(seconds))
        ),
        (None, None) => unreachable!("every backend has a fake or a database"),
    }
}

/// Stores an order of `customer` that used `code` in `status`, raising the code's `uses` when the
/// order counts, as the checkout does.
async fn record_order(stores: &Stores, code: PromoCodeId, customer: UserId, status: OrderStatus) {
    let order = OrderId(Uuid::now_v7());
    let Some(db) = &stores.db else {
        stores.promo_code_fake.as_ref().expect("the fake").record_order(order, code, customer, status);
        return;
    };
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: text("Salmiya"),
        boundary: None,
        delivery_fee: Money::new(500, Currency::Kwd),
        minimum_order: Money::new(0, Currency::Kwd),
        active: true,
        created_at: at(0),
        updated_at: at(0),
    };
    stores.delivery_areas.create(&area).await.expect("area");
    let slot = DeliverySlot {
        id: DeliverySlotId(Uuid::now_v7()),
        area_id: area.id,
        weekday: time::Weekday::Monday,
        starts_at: time::macros::time!(10:00),
        ends_at: time::macros::time!(12:00),
        capacity: 10,
        active: true,
    };
    stores.delivery_slots.create(&slot).await.expect("slot");
    let number = i64::from(u32::from_be_bytes(order.0.as_bytes()[12..16].try_into().unwrap()));
    exec!(
        db,
        "INSERT INTO orders (id, number, user_id, status, payment_method, currency, sub_total, promotion_discount, order_discount, \
         order_discount_bp, delivery_fee, tax_rate_bp, tax_total, net_amount, coupon_credit, amount_to_pay, promo_code_id, promo_code, \
         delivery_kind, address, area_id, slot_id, delivery_date, slot_starts_minute, slot_ends_minute, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'cash', 'KWD', 2500, 0, 250, 1000, 500, 0, 0, 2750, 0, 2750, $5, 'CODE', 'address', 'Block 1', \
         $6, $7, $8, 600, 720, $9, $9)",
        order.0,
        number,
        customer.0,
        status.as_str(),
        code.0,
        area.id.0,
        slot.id.0,
        time::macros::date!(2026 - 03 - 02),
        DbTime(at(0))
    );
    if !matches!(status, OrderStatus::Cancelled | OrderStatus::Refunded) {
        exec!(db, "UPDATE promo_codes SET uses = uses + 1 WHERE id = $1", code.0);
    }
}

conformance!(issued_coupons_are_summed_per_product_and_listed_newest_first, |stores| async move {
    let fatima = customer(&stores, "+96550001001").await;
    let other = customer(&stores, "+96550001002").await;
    let (gallon, cartons) = (product(&stores).await, product(&stores).await);
    stores.coupons.issue(&batch(fatima, gallon, 10, Some(5_000)), at(1)).await.expect("issue");
    stores.coupons.issue(&batch(fatima, gallon, 5, Some(3_000)), at(2)).await.expect("issue");
    stores.coupons.issue(&batch(fatima, gallon, 1, None), at(3)).await.expect("issue");
    let third = stores.coupons.issue(&batch(fatima, cartons, 2, None), at(4)).await.expect("issue");
    stores.coupons.issue(&batch(other, cartons, 7, None), at(5)).await.expect("issue");

    let mut expected = vec![
        CouponBalance { product_id: gallon, available: 16, next_expiry: Some(at(3_000)) },
        CouponBalance { product_id: cartons, available: 2, next_expiry: None },
    ];
    expected.sort_by_key(|b| b.product_id);
    assert_eq!(stores.coupons.balances(fatima, at(10)).await.expect("balances"), expected, "by product id");

    let first = stores.coupons.history(fatima, page(3, None)).await.expect("history");
    let shown: Vec<(i32, ProductId, time::OffsetDateTime)> = first.items.iter().map(|e| (e.delta, e.product_id, e.at)).collect();
    assert_eq!(shown, [(2, cartons, at(4)), (1, gallon, at(3)), (5, gallon, at(2))], "newest first, microseconds kept");
    assert_eq!((first.items[0].batch_id, first.items[0].kind, first.items[0].order_id), (third, CouponEntryKind::Issued, None));
    let rest = stores.coupons.history(fatima, page(3, first.next_cursor)).await.expect("history");
    assert_eq!(rest.items.iter().map(|e| e.delta).collect::<Vec<_>>(), [10]);
    assert_eq!(rest.next_cursor, None);

    let theirs = stores.coupons.history(other, page(10, None)).await.expect("history");
    assert_eq!(theirs.items.len(), 1, "each customer sees their own ledger");
    assert!(stores.coupons.history(other, page(10, first.next_cursor)).await.expect("history").items.is_empty(), "not their cursor");
    let nobody = customer(&stores, "+96550001003").await;
    assert!(stores.coupons.balances(nobody, at(10)).await.expect("balances").is_empty());
});

conformance!(a_batch_sap_sends_twice_is_issued_once, |stores| async move {
    let fatima = customer(&stores, "+96550001101").await;
    let gallon = product(&stores).await;
    let from_sap = NewCouponBatch { source: CouponSource::Sap, sap_id: Some("CPN-0001".into()), ..batch(fatima, gallon, 10, None) };
    let id = stores.coupons.issue(&from_sap, at(1)).await.expect("issue");
    let again = stores.coupons.issue(&NewCouponBatch { count: 99, ..from_sap.clone() }, at(2)).await.expect("issue again");
    assert_eq!(again, id);
    let racing = NewCouponBatch { sap_id: Some("CPN-0002".into()), ..from_sap.clone() };
    let (a, b) = tokio::join!(stores.coupons.issue(&racing, at(3)), stores.coupons.issue(&racing, at(3)));
    assert_eq!(a.expect("first"), b.expect("second"), "concurrent issues of one SAP batch agree");
    assert_eq!(stores.coupons.balances(fatima, at(10)).await.expect("balances")[0].available, 20);
    assert_eq!(stores.coupons.history(fatima, page(10, None)).await.expect("history").items.len(), 2);
});

conformance!(coupons_need_an_existing_customer_and_product, |stores| async move {
    let fatima = customer(&stores, "+96550001201").await;
    let gallon = product(&stores).await;
    for bad in
        [batch(UserId(Uuid::now_v7()), gallon, 1, None), batch(fatima, ProductId(Uuid::now_v7()), 1, None), batch(fatima, gallon, 0, None)]
    {
        assert!(matches!(stores.coupons.issue(&bad, at(1)).await, Err(RepoError::Conflict(_))), "{bad:?}");
    }
    assert!(stores.coupons.history(fatima, page(10, None)).await.expect("history").items.is_empty(), "nothing half-written");
});

conformance!(an_expired_batch_leaves_the_balance_at_its_expiry, |stores| async move {
    let fatima = customer(&stores, "+96550001301").await;
    let gallon = product(&stores).await;
    stores.coupons.issue(&batch(fatima, gallon, 4, Some(100)), at(1)).await.expect("issue");
    stores.coupons.issue(&batch(fatima, gallon, 3, Some(200)), at(1)).await.expect("issue");
    let before = stores.coupons.balances(fatima, at(99)).await.expect("balances");
    assert_eq!((before[0].available, before[0].next_expiry), (7, Some(at(100))));
    let at_expiry = stores.coupons.balances(fatima, at(100)).await.expect("balances");
    assert_eq!((at_expiry[0].available, at_expiry[0].next_expiry), (3, Some(at(200))), "expired at its instant");
    assert!(stores.coupons.balances(fatima, at(200)).await.expect("balances").is_empty(), "nothing left, nothing listed");
});

conformance!(expiry_takes_exactly_what_each_batch_holds_once, |stores| async move {
    let fatima = customer(&stores, "+96550001401").await;
    let gallon = product(&stores).await;
    let soon = stores.coupons.issue(&batch(fatima, gallon, 5, Some(100)), at(1)).await.expect("issue");
    stores.coupons.issue(&batch(fatima, gallon, 3, Some(200)), at(1)).await.expect("issue");
    stores.coupons.issue(&batch(fatima, gallon, 2, None), at(1)).await.expect("issue");
    stores.coupons.issue(&batch(fatima, gallon, 1, Some(10_000)), at(1)).await.expect("issue");
    let spent = stores.coupons.issue(&batch(fatima, gallon, 1, Some(50)), at(1)).await.expect("issue");
    redeem(&stores, fatima, gallon, spent, 1, 10).await;
    redeem(&stores, fatima, gallon, soon, 2, 20).await;
    assert_eq!(stores.coupons.balances(fatima, at(30)).await.expect("balances")[0].available, 9);

    assert_eq!(stores.coupons.expire_due(at(300), 1).await.expect("expire"), 1, "at most the limit, earliest first");
    let newest = stores.coupons.history(fatima, page(1, None)).await.expect("history");
    assert_eq!((newest.items[0].kind, newest.items[0].delta, newest.items[0].batch_id), (CouponEntryKind::Expired, -3, soon));
    assert_eq!(newest.items[0].at, at(300));
    assert_eq!(stores.coupons.expire_due(at(300), 10).await.expect("expire"), 1, "the used-up batch needs nothing");
    assert_eq!(stores.coupons.expire_due(at(300), 10).await.expect("expire"), 0, "running again writes nothing");
    let kinds: Vec<(CouponEntryKind, i32)> =
        stores.coupons.history(fatima, page(3, None)).await.expect("history").items.iter().map(|e| (e.kind, e.delta)).collect();
    assert_eq!(kinds[..2], [(CouponEntryKind::Expired, -3), (CouponEntryKind::Expired, -3)]);
    let left = stores.coupons.balances(fatima, at(300)).await.expect("balances");
    assert_eq!((left[0].available, left[0].next_expiry), (3, Some(at(10_000))));
    assert_eq!(stores.coupons.balances(fatima, at(20_000)).await.expect("balances")[0].available, 2, "by time alone");
});

fn promo(code: &str, products: Vec<ProductId>) -> PromoCode {
    PromoCode {
        id: PromoCodeId(Uuid::now_v7()),
        code: code.to_owned(),
        description: "Ten percent off".into(),
        discount: PromoDiscount::Percent { basis_points: 1_000 },
        min_order: Money::new(2_000, Currency::Kwd),
        valid_from: at(0),
        valid_until: at(86_400),
        max_uses: Some(100),
        max_uses_per_customer: None,
        product_ids: products,
        uses: 7,
        active: true,
    }
}

conformance!(promo_codes_are_unique_by_code_and_keep_their_products, |stores| async move {
    let (a, b) = (product(&stores).await, product(&stores).await);
    let code = promo("RAMADAN10", vec![b, a]);
    stores.promo_codes.create(&code, at(1)).await.expect("create");
    let mut sorted = vec![a, b];
    sorted.sort();
    let stored = PromoCode { product_ids: sorted, uses: 0, ..code.clone() };
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get"), Some(stored.clone()), "uses start at 0; products by id");
    assert_eq!(stores.promo_codes.find_by_code("RAMADAN10").await.expect("find"), Some(stored));
    assert_eq!(stores.promo_codes.find_by_code("ramadan10").await.expect("find"), None, "callers normalize first");
    for taken in
        [promo("RAMADAN10", vec![]), PromoCode { code: "OTHER".into(), ..code.clone() }, promo("GHOST", vec![ProductId(Uuid::now_v7())])]
    {
        assert!(matches!(stores.promo_codes.create(&taken, at(2)).await, Err(RepoError::Conflict(_))), "{taken:?}");
    }
    assert_eq!(stores.promo_codes.find_by_code("GHOST").await.expect("find"), None, "nothing half-written");
    let fixed = PromoCode { discount: PromoDiscount::Fixed(Money::new(1_250, Currency::Kwd)), ..promo("FLAT", vec![]) };
    stores.promo_codes.create(&fixed, at(3)).await.expect("create");
    assert_eq!(stores.promo_codes.get(fixed.id).await.expect("get"), Some(PromoCode { uses: 0, ..fixed }));
});

conformance!(changing_a_promo_code_keeps_the_checkouts_use_count, |stores| async move {
    let fatima = customer(&stores, "+96550001501").await;
    let a = product(&stores).await;
    let code = promo("SPRING", vec![a]);
    stores.promo_codes.create(&code, at(1)).await.expect("create");
    record_order(&stores, code.id, fatima, OrderStatus::Paid).await;
    let changed = PromoCode {
        code: "SPRING-2026".into(),
        description: "Five off".into(),
        discount: PromoDiscount::Fixed(Money::new(500, Currency::Kwd)),
        min_order: Money::new(0, Currency::Kwd),
        valid_from: at(10),
        valid_until: at(20),
        max_uses: None,
        max_uses_per_customer: Some(2),
        product_ids: vec![],
        uses: 99,
        active: false,
        ..code.clone()
    };
    stores.promo_codes.update(&changed, at(2)).await.expect("update");
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get"), Some(PromoCode { uses: 1, ..changed.clone() }));
    assert_eq!(stores.promo_codes.find_by_code("SPRING").await.expect("find"), None);

    let unknown = PromoCode { id: PromoCodeId(Uuid::now_v7()), ..changed.clone() };
    assert_eq!(stores.promo_codes.update(&unknown, at(3)).await, Err(RepoError::NotFound));
    stores.promo_codes.create(&promo("TAKEN", vec![]), at(3)).await.expect("create");
    let clash = PromoCode { code: "TAKEN".into(), ..changed.clone() };
    assert!(matches!(stores.promo_codes.update(&clash, at(4)).await, Err(RepoError::Conflict(_))));
    let ghost = PromoCode { product_ids: vec![ProductId(Uuid::now_v7())], ..changed.clone() };
    assert!(matches!(stores.promo_codes.update(&ghost, at(4)).await, Err(RepoError::Conflict(_))));
    assert_eq!(
        stores.promo_codes.get(code.id).await.expect("get"),
        Some(PromoCode { uses: 1, ..changed }),
        "refused changes change nothing"
    );
});

conformance!(promo_codes_are_listed_newest_first, |stores| async move {
    let codes = [promo("FIRST", vec![]), promo("SECOND", vec![]), promo("THIRD", vec![])];
    for c in &codes {
        stores.promo_codes.create(c, at(1)).await.expect("create");
    }
    let first = stores.promo_codes.list(page(2, None)).await.expect("list");
    assert_eq!(first.items.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["THIRD", "SECOND"]);
    let rest = stores.promo_codes.list(page(2, first.next_cursor)).await.expect("list");
    assert_eq!(rest.items.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["FIRST"]);
    assert_eq!(rest.next_cursor, None);
});

conformance!(a_customers_uses_count_orders_that_were_not_cancelled_or_refunded, |stores| async move {
    let (fatima, other) = (customer(&stores, "+96550001601").await, customer(&stores, "+96550001602").await);
    let code = promo("ONCE", vec![]);
    let another = promo("TWICE", vec![]);
    stores.promo_codes.create(&code, at(1)).await.expect("create");
    stores.promo_codes.create(&another, at(1)).await.expect("create");
    for status in
        [OrderStatus::Paid, OrderStatus::PendingPayment, OrderStatus::PaymentFailed, OrderStatus::Cancelled, OrderStatus::Refunded]
    {
        record_order(&stores, code.id, fatima, status).await;
    }
    record_order(&stores, code.id, other, OrderStatus::Delivered).await;
    record_order(&stores, another.id, fatima, OrderStatus::Delivered).await;
    assert_eq!(stores.promo_codes.customer_uses(code.id, fatima).await.expect("uses"), 3);
    assert_eq!(stores.promo_codes.customer_uses(code.id, other).await.expect("uses"), 1);
    assert_eq!(stores.promo_codes.customer_uses(another.id, other).await.expect("uses"), 0);
    assert_eq!(stores.promo_codes.get(code.id).await.expect("get").map(|c| c.uses), Some(4));
});
