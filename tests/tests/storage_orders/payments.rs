//! Payment records: attempts created once, updated with what the provider said (and nothing else), found
//! by charge, listed per order newest first, picked for a status check by status and age; one refund per
//! payment.
use sabil_core::domain::orders::{OrderId, PaymentMethod};
use sabil_core::domain::{Currency, Money};
use sabil_core::error::RepoError;
use sabil_core::ports::{PaymentAttempt, RefundRecord};
use sabil_tests::fixtures::at;
use sabil_tests::order_fixtures::{BIG_PRICE, SUNDAY, customer, new_order, open_shop, order, stored};
use sabil_tests::{Stores, conformance};
use uuid::Uuid;

/// Stores an order to pay for.
async fn an_order(stores: &Stores, phone: &str) -> OrderId {
    let shop = open_shop(stores, 10).await;
    let buyer = customer(stores, phone).await;
    stored(stores.orders.place(&new_order(order(buyer, &shop, SUNDAY, 1, 0), "checkout-1"), at(1)).await).id
}

fn attempt(order: OrderId, status: &str, seconds: i64) -> PaymentAttempt {
    PaymentAttempt {
        id: Uuid::now_v7(),
        order_id: order,
        provider: "tap".into(),
        method: PaymentMethod::Knet,
        charge_id: None,
        amount: Money::new(BIG_PRICE, Currency::Kwd),
        status: status.into(),
        payment_url: None,
        last_error: None,
        created_at: at(seconds),
        updated_at: at(seconds),
        checked_at: None,
    }
}

fn ids(attempts: &[PaymentAttempt]) -> Vec<Uuid> {
    attempts.iter().map(|a| a.id).collect()
}

/// The attempts in `statuses` created before 100 s and not checked since `checked_before` s.
async fn needing(stores: &Stores, statuses: &[&str], checked_before: i64, limit: u32) -> Vec<Uuid> {
    ids(&stores.payments.needing_check(statuses, at(100), at(checked_before), limit).await.expect("needing check"))
}

conformance!(payment_attempts_keep_what_the_provider_said, |stores| async move {
    let order = an_order(&stores, "+96550007001").await;
    let first = attempt(order, "CREATING", 10);
    stores.payments.create(&first).await.expect("create");
    assert_eq!(stores.payments.get(first.id).await.expect("get"), Some(first.clone()));
    assert_eq!(stores.payments.get(Uuid::now_v7()).await.expect("get"), None);
    assert!(matches!(stores.payments.create(&first).await, Err(RepoError::Conflict(_))), "same id");

    // Only what the provider tells changes; the order, provider, method, amount and creation stay.
    let told = PaymentAttempt {
        charge_id: Some("chg_TS01".into()),
        status: "INITIATED".into(),
        payment_url: Some("https://pay.example/chg_TS01?lang=ar&x=1".into()),
        last_error: Some("3-D Secure pending".into()),
        updated_at: at(11),
        checked_at: Some(at(11)),
        provider: "sandbox".into(),
        method: PaymentMethod::Card,
        amount: Money::new(1, Currency::Aed),
        created_at: at(99),
        ..first.clone()
    };
    stores.payments.update(&told).await.expect("update");
    let updated = PaymentAttempt {
        charge_id: told.charge_id.clone(),
        status: told.status.clone(),
        payment_url: told.payment_url.clone(),
        last_error: told.last_error.clone(),
        updated_at: at(11),
        checked_at: Some(at(11)),
        ..first.clone()
    };
    assert_eq!(stores.payments.get(first.id).await.expect("get"), Some(updated.clone()));
    assert_eq!(stores.payments.by_charge("chg_TS01").await.expect("by charge"), Some(updated.clone()));
    assert_eq!(stores.payments.by_charge("chg_NONE").await.expect("by charge"), None);
    assert_eq!(stores.payments.update(&attempt(order, "INITIATED", 12)).await, Err(RepoError::NotFound));

    let mut second = attempt(order, "INITIATED", 20);
    second.charge_id = Some("chg_TS01".into());
    assert!(matches!(stores.payments.create(&second).await, Err(RepoError::Conflict(_))), "a charge belongs to one attempt");
    second.charge_id = Some("chg_TS02".into());
    stores.payments.create(&second).await.expect("create");
    let stolen = PaymentAttempt { charge_id: Some("chg_TS01".into()), ..second.clone() };
    assert!(matches!(stores.payments.update(&stolen).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.payments.get(second.id).await.expect("get"), Some(second.clone()), "a refused update changes nothing");

    assert_eq!(ids(&stores.payments.for_order(order).await.expect("for order")), vec![second.id, first.id], "newest first");
    assert_eq!(stores.payments.for_order(OrderId(Uuid::now_v7())).await.expect("for order"), vec![]);
});

conformance!(attempts_needing_a_check_are_picked_by_status_and_age_oldest_first, |stores| async move {
    let order = an_order(&stores, "+96550007101").await;
    let mut checked = attempt(order, "INITIATED", 10);
    checked.checked_at = Some(at(50));
    let unchecked = attempt(order, "INITIATED", 20);
    let creating = attempt(order, "CREATING", 30);
    let captured = attempt(order, "CAPTURED", 5);
    let fresh = attempt(order, "INITIATED", 500);
    for a in [&checked, &unchecked, &creating, &captured, &fresh] {
        stores.payments.create(a).await.expect("create");
    }
    let open = ["INITIATED", "CREATING"];
    assert_eq!(
        needing(&stores, &open, 50, 10).await,
        vec![unchecked.id, creating.id],
        "checked at 50 is not before 50; created at 500 too new"
    );
    assert_eq!(needing(&stores, &open, 51, 10).await, vec![checked.id, unchecked.id, creating.id], "oldest first");
    assert_eq!(needing(&stores, &open, 51, 2).await, vec![checked.id, unchecked.id]);
    assert_eq!(needing(&stores, &["CAPTURED"], 51, 10).await, vec![captured.id]);
    assert_eq!(needing(&stores, &[], 51, 10).await, Vec::<Uuid>::new());
});

conformance!(a_payment_has_at_most_one_refund, |stores| async move {
    let order = an_order(&stores, "+96550007201").await;
    let mut paid = attempt(order, "CAPTURED", 10);
    paid.charge_id = Some("chg_TS09".into());
    let other = attempt(order, "CAPTURED", 11);
    stores.payments.create(&paid).await.expect("create");
    stores.payments.create(&other).await.expect("create");
    let refund = RefundRecord {
        id: Uuid::now_v7(),
        order_id: order,
        payment_id: paid.id,
        provider_refund_id: Some("re_TS01".into()),
        amount: Money::new(BIG_PRICE, Currency::Kwd),
        status: "PENDING".into(),
        created_at: at(20),
    };
    stores.payments.create_refund(&refund).await.expect("refund");
    assert_eq!(stores.payments.refund_for(paid.id).await.expect("refund for"), Some(refund.clone()));
    assert_eq!(stores.payments.refund_for(other.id).await.expect("refund for"), None);
    let twice = RefundRecord { id: Uuid::now_v7(), provider_refund_id: None, ..refund.clone() };
    assert!(matches!(stores.payments.create_refund(&twice).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.payments.refund_for(paid.id).await.expect("refund for"), Some(refund));
});

conformance!(sql: payments_and_refunds_need_their_order_and_payment, |stores| async move {
    let order = an_order(&stores, "+96550007301").await;
    let orphan = attempt(OrderId(Uuid::now_v7()), "CREATING", 10);
    assert!(matches!(stores.payments.create(&orphan).await, Err(RepoError::Conflict(_))), "unknown order");
    let refund = RefundRecord {
        id: Uuid::now_v7(),
        order_id: order,
        payment_id: Uuid::now_v7(),
        provider_refund_id: None,
        amount: Money::new(1_250, Currency::Kwd),
        status: "PENDING".into(),
        created_at: at(20),
    };
    assert!(matches!(stores.payments.create_refund(&refund).await, Err(RepoError::Conflict(_))), "unknown payment");
});
