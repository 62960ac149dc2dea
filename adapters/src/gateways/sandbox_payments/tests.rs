//! The payment sandbox on a fresh SQLite file: create (idempotent per attempt), retrieve, decide on the
//! payment page with a webhook that verifies, and refund (idempotent, bounded by the charge).
#![allow(clippy::expect_used)]
use super::*;
use sabil_core::domain::{Currency, Money};
use sabil_core::ports::{PaymentSource, SystemClock};

const SECRET: &str = "0123456789abcdef0123456789abcdef";

struct Sandbox {
    gateway: SandboxPaymentGateway,
    // Held so the database file outlives the gateway.
    _folder: tempfile::TempDir,
}

async fn sandbox() -> Sandbox {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let db = Db::connect(&format!("sqlite://{}", folder.path().join("sabil.db").display()), 2).await.expect("open SQLite");
    db.migrate().await.expect("migrate");
    let secret = sandbox_secret(&SecretString::from(SECRET));
    let gateway = SandboxPaymentGateway::new(db, Arc::new(SystemClock), secret, "http://127.0.0.1:8080/".into());
    Sandbox { gateway, _folder: folder }
}

fn request(attempt_id: Uuid, amount: Money, source: PaymentSource) -> ChargeRequest {
    ChargeRequest {
        order_id: Uuid::now_v7(),
        order_number: 100_001,
        attempt_id,
        amount,
        source,
        customer_name: "Fatima".into(),
        customer_phone: "+96550000001".into(),
        description: "Sabil order 100001".into(),
        redirect_url: "http://127.0.0.1:8080/pay/return".into(),
        post_url: "http://127.0.0.1:8080/api/payments/webhook".into(),
    }
}

fn kwd(minor: i64) -> Money {
    Money::new(minor, Currency::Kwd)
}

#[tokio::test]
async fn a_charge_is_created_once_per_attempt_and_waits_on_its_payment_page() {
    let s = sandbox().await;
    let req = request(Uuid::now_v7(), kwd(1500), PaymentSource::Knet);

    let first = s.gateway.create_charge(&req).await.expect("created");
    let again = s.gateway.create_charge(&req).await.expect("same attempt");

    assert!(first.id.starts_with("chg_sandbox_"), "{}", first.id);
    assert_eq!(again, first);
    assert_eq!(first.status, ChargeStatus::Initiated);
    assert_eq!(first.amount, kwd(1500));
    assert_eq!(first.order_reference, Some(req.order_id.to_string()));
    assert_eq!(first.payment_url, Some(format!("http://127.0.0.1:8080/pay/sandbox/{}", first.id)));
    assert_eq!(s.gateway.retrieve_charge(&first.id).await.expect("retrieved"), first);
    let other = s.gateway.create_charge(&request(Uuid::now_v7(), kwd(1500), PaymentSource::Knet)).await.expect("another attempt");
    assert_ne!(other.id, first.id);
    assert_eq!((s.gateway.provider(), s.gateway.mode()), ("sandbox", PaymentMode::Sandbox));
}

#[tokio::test]
async fn approving_captures_the_charge_and_yields_a_webhook_that_verifies() {
    let s = sandbox().await;
    let charge = s.gateway.create_charge(&request(Uuid::now_v7(), kwd(1500), PaymentSource::Card)).await.expect("created");

    let webhook = s.gateway.decide(&charge.id, true).await.expect("approved");

    assert_eq!(s.gateway.verify_webhook(Some(&webhook.hashstring), &webhook.body), Ok(charge.id.clone()));
    let body: serde_json::Value = serde_json::from_slice(&webhook.body).expect("JSON");
    assert_eq!(body["status"], "CAPTURED");
    assert_eq!(body["currency"], "KWD");
    assert!(String::from_utf8_lossy(&webhook.body).contains(r#""amount":1.500"#));
    assert_eq!(webhook.post_url, "http://127.0.0.1:8080/api/payments/webhook");
    assert_eq!(webhook.return_url, format!("http://127.0.0.1:8080/pay/return?tap_id={}", charge.id));
    let now = s.gateway.retrieve_charge(&charge.id).await.expect("retrieved");
    assert!(now.status.is_paid());
    let stored = s.gateway.charge(&charge.id).await.expect("read").expect("exists");
    assert_eq!(stored.status, ChargeStatus::Captured);
}

#[tokio::test]
async fn a_decided_charge_cannot_be_decided_again_and_unknown_ids_are_not_found() {
    let s = sandbox().await;
    let charge = s.gateway.create_charge(&request(Uuid::now_v7(), kwd(1500), PaymentSource::Card)).await.expect("created");

    s.gateway.decide(&charge.id, false).await.expect("declined");

    assert_eq!(s.gateway.decide(&charge.id, true).await, Err(SandboxError::AlreadyDecided("DECLINED".into())));
    assert!(s.gateway.retrieve_charge(&charge.id).await.expect("retrieved").status.is_failed());
    assert_eq!(s.gateway.decide("chg_sandbox_nope", true).await, Err(SandboxError::NotFound("chg_sandbox_nope".into())));
    assert!(matches!(s.gateway.retrieve_charge("chg_sandbox_nope").await, Err(GatewayError::Rejected { .. })));
    assert_eq!(s.gateway.charge("chg_sandbox_nope").await, Ok(None));
}

#[tokio::test]
async fn a_webhook_altered_or_signed_with_another_key_is_refused() {
    let s = sandbox().await;
    let charge = s.gateway.create_charge(&request(Uuid::now_v7(), kwd(1500), PaymentSource::Card)).await.expect("created");
    let webhook = s.gateway.decide(&charge.id, false).await.expect("declined");

    let forged = String::from_utf8(webhook.body.clone()).expect("UTF-8").replace("DECLINED", "CAPTURED");
    assert_eq!(s.gateway.verify_webhook(Some(&webhook.hashstring), forged.as_bytes()), Err(WebhookRejected::BadSignature));
    assert_eq!(s.gateway.verify_webhook(None, &webhook.body), Err(WebhookRejected::MissingSignature));
    let tap = super::super::tap::WebhookSigner::new("sk_test_someone_else");
    assert_eq!(tap.verify(Some(&webhook.hashstring), &webhook.body), Err(WebhookRejected::BadSignature));
}

#[tokio::test]
async fn a_captured_charge_is_refunded_once_and_the_same_refund_again_is_the_same_refund() {
    let s = sandbox().await;
    let charge = s.gateway.create_charge(&request(Uuid::now_v7(), kwd(1500), PaymentSource::Knet)).await.expect("created");
    let refund_id = Uuid::now_v7();
    let req = RefundRequest { charge_id: charge.id.clone(), refund_id, amount: kwd(1500), reason: "cancelled".into() };
    assert!(matches!(s.gateway.refund(&req).await, Err(GatewayError::Rejected { code, .. }) if code == "not_captured"));
    s.gateway.decide(&charge.id, true).await.expect("approved");

    let too_much = RefundRequest { amount: kwd(1501), ..req.clone() };
    assert!(matches!(s.gateway.refund(&too_much).await, Err(GatewayError::Rejected { code, .. }) if code == "invalid_amount"));
    let first = s.gateway.refund(&req).await.expect("refunded");
    let again = s.gateway.refund(&req).await.expect("the same refund");

    assert_eq!(first, again);
    assert_eq!((first.status.as_str(), first.amount), ("REFUNDED", kwd(1500)));
    let partial = RefundRequest { refund_id: Uuid::now_v7(), amount: kwd(500), ..req.clone() };
    assert!(matches!(s.gateway.refund(&partial).await, Err(GatewayError::Rejected { code, .. }) if code == "already_refunded"));
    let stored = s.gateway.charge(&charge.id).await.expect("read").expect("exists");
    assert_eq!((stored.refunded, stored.status), (kwd(1500), ChargeStatus::Captured));
}

#[tokio::test]
async fn knet_in_dirhams_and_non_positive_amounts_are_rejected() {
    let s = sandbox().await;
    let knet_aed = request(Uuid::now_v7(), Money::new(1000, Currency::Aed), PaymentSource::Knet);
    assert!(matches!(s.gateway.create_charge(&knet_aed).await, Err(GatewayError::Rejected { .. })));
    assert!(matches!(
        s.gateway.create_charge(&request(Uuid::now_v7(), kwd(0), PaymentSource::Card)).await,
        Err(GatewayError::Rejected { .. })
    ));
}

#[test]
fn the_sandbox_key_is_derived_from_the_server_secret() {
    let a = sandbox_secret(&SecretString::from(SECRET));
    let b = sandbox_secret(&SecretString::from(SECRET));
    let c = sandbox_secret(&SecretString::from("another-secret-another-secret-xx"));
    assert_eq!(a.expose_secret(), b.expose_secret());
    assert_ne!(a.expose_secret(), c.expose_secret());
    assert_ne!(a.expose_secret(), SECRET);
}
