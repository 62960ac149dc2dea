//! Behaviour of `CouponService` and `PromoCodeService` on the in-memory fakes: the wallet a customer
//! sees, what an admin may issue (checked and audited), expiry that takes exactly what is left, the
//! ledger rules the checkout follows, and promo codes managed by admins with their rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sabil_core::domain::catalog::{Product, ProductId, ProductType};
use sabil_core::domain::orders::{CouponEntryKind, OrderId, OrderStatus, PromoCodeId, PromoDiscount};
use sabil_core::domain::{
    AccessClaims, AuditKind, Currency, FullName, Language, LocalizedText, Money, NewUser, PageRequest, PasswordHash, Phone, RequestMeta,
    Role, Subject, UserId, UserStatus,
};
use sabil_core::ports::Clock as _;
use sabil_core::services::authorization::AdminDenied;
use sabil_core::services::{CouponError, CouponGrant, CouponService, PromoCodeChanges, PromoCodeDraft, PromoCodeError, PromoCodeService};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

struct World {
    fakes: FakeWorld,
    coupons: CouponService,
    promo_codes: PromoCodeService,
}

fn world() -> World {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    World {
        coupons: CouponService::new(fakes.ports.clone()),
        promo_codes: PromoCodeService::new(fakes.ports.clone(), Currency::Aed),
        fakes,
    }
}

fn meta() -> RequestMeta {
    RequestMeta { route: "POST /api/admin/coupons".into(), client_ip: Some("192.0.2.1".into()), request_id: None }
}

fn id_of(claims: &AccessClaims) -> UserId {
    let Subject::User(id) = claims.subject else { unreachable!() };
    id
}

fn page(limit: u32, cursor: Option<Uuid>) -> PageRequest {
    PageRequest { limit, cursor }
}

impl World {
    fn now(&self) -> OffsetDateTime {
        self.fakes.clock.now()
    }

    async fn user(&self, phone: &str, role: Role, status: UserStatus) -> AccessClaims {
        let now = self.now();
        let user = NewUser {
            id: UserId(Uuid::now_v7()),
            phone: Phone::parse(phone).unwrap(),
            full_name: FullName::parse("Fatima Al-Sabah").unwrap(),
            password_hash: PasswordHash("hash".into()),
            role,
            status,
            language: Language::Ar,
            location: None,
            now,
        };
        let user = self.fakes.ports.users.create(&user).await.unwrap();
        AccessClaims { subject: Subject::User(user.id), role, issued_at: now, expires_at: now + Duration::minutes(15) }
    }

    async fn product(&self, title: &str) -> ProductId {
        let now = self.now();
        let product = Product {
            id: ProductId(Uuid::now_v7()),
            sap_id: None,
            title: LocalizedText { ar: format!("{title} ar"), en: title.to_owned() },
            description: LocalizedText { ar: "ماء".into(), en: "Water".into() },
            product_type: ProductType::Refill,
            volume_ml: 18_900,
            bottles_per_pack: 1,
            price_per_pack: Money::new(1_250, Currency::Aed),
            min_quantity: 1,
            max_quantity: 10,
            image_id: None,
            active: true,
            sort_order: 1,
            created_at: now,
            updated_at: now,
        };
        self.fakes.ports.products.create(&product).await.unwrap();
        product.id
    }

    fn grant(customer: &AccessClaims, product: ProductId, count: u32, expires_in: Option<Duration>) -> CouponGrant {
        CouponGrant {
            customer_id: id_of(customer),
            product_id: product,
            count,
            expires_at: expires_in.map(|d| datetime!(2026-03-01 09:00 UTC) + d),
            note: Some("  goodwill  ".into()),
        }
    }
}

#[tokio::test]
async fn the_wallet_shows_balances_with_titles_and_history_newest_first() {
    let w = world();
    let admin = w.user("+96550000001", Role::Admin, UserStatus::Active).await;
    let customer = w.user("+96550000002", Role::Customer, UserStatus::Active).await;
    let other = w.user("+96550000003", Role::Customer, UserStatus::Active).await;
    let gallon = w.product("5 gallon").await;
    let cartons = w.product("Cartons").await;

    let first = w.coupons.issue(&admin, World::grant(&customer, gallon, 10, Some(Duration::days(30))), &meta()).await.unwrap();
    assert_eq!((first.balance.balance.available, first.balance.balance.next_expiry), (10, Some(datetime!(2026-03-31 09:00 UTC))));
    w.fakes.clock.advance(Duration::minutes(1));
    let second = w.coupons.issue(&admin, World::grant(&customer, gallon, 5, Some(Duration::days(10))), &meta()).await.unwrap();
    assert_eq!((second.balance.balance.available, second.balance.balance.next_expiry), (15, Some(datetime!(2026-03-11 09:00 UTC))));
    w.fakes.clock.advance(Duration::minutes(1));
    w.coupons.issue(&admin, World::grant(&customer, cartons, 2, None), &meta()).await.unwrap();
    w.coupons.issue(&admin, World::grant(&other, cartons, 7, None), &meta()).await.unwrap();

    let wallet = w.coupons.wallet(&customer, page(2, None)).await.unwrap();
    let mut shown: Vec<(ProductId, u32, String)> =
        wallet.balances.iter().map(|b| (b.balance.product_id, b.balance.available, b.product_title.clone().unwrap().en)).collect();
    shown.sort();
    let mut expected = vec![(gallon, 15, "5 gallon".to_owned()), (cartons, 2, "Cartons".to_owned())];
    expected.sort();
    assert_eq!(shown, expected, "another customer's coupons are not in this wallet");
    let newest: Vec<(i32, ProductId)> = wallet.history.items.iter().map(|e| (e.entry.delta, e.entry.product_id)).collect();
    assert_eq!(newest, [(2, cartons), (5, gallon)]);
    assert_eq!(wallet.history.items[0].product_title.as_ref().map(|t| t.en.as_str()), Some("Cartons"));
    let rest = w.coupons.history(&customer, page(2, wallet.history.next_cursor)).await.unwrap();
    assert_eq!(rest.items.iter().map(|e| e.entry.delta).collect::<Vec<_>>(), [10]);
    assert_eq!(rest.next_cursor, None);
    assert!(rest.items.iter().all(|e| e.entry.kind == CouponEntryKind::Issued && e.entry.order_id.is_none()));
}

#[tokio::test]
async fn only_active_customers_have_a_wallet() {
    let w = world();
    let admin = w.user("+96550000001", Role::Admin, UserStatus::Active).await;
    assert_eq!(w.coupons.wallet(&admin, page(10, None)).await.err(), Some(CouponError::CustomersOnly));
    let blocked = w.user("+96550000002", Role::Customer, UserStatus::Blocked).await;
    assert_eq!(w.coupons.history(&blocked, page(10, None)).await.err(), Some(CouponError::AccountBlocked));
    let empty = w.user("+96550000003", Role::Customer, UserStatus::Active).await;
    let wallet = w.coupons.wallet(&empty, page(10, None)).await.unwrap();
    assert!(wallet.balances.is_empty() && wallet.history.items.is_empty());
}

#[tokio::test]
async fn admins_issue_checked_coupons_and_every_issue_is_audited() {
    let w = world();
    let admin = w.user("+96550000001", Role::Admin, UserStatus::Active).await;
    let customer = w.user("+96550000002", Role::Customer, UserStatus::Active).await;
    let gallon = w.product("5 gallon").await;

    assert_eq!(
        w.coupons.issue(&customer, World::grant(&customer, gallon, 1, None), &meta()).await.err(),
        Some(CouponError::Denied(AdminDenied::NotAdmin))
    );
    let bad = CouponGrant {
        customer_id: id_of(&admin),
        product_id: ProductId(Uuid::now_v7()),
        count: 1001,
        expires_at: Some(w.now()),
        note: Some("x".repeat(501)),
    };
    let Err(CouponError::Invalid(invalid)) = w.coupons.issue(&admin, bad, &meta()).await else { panic!("refused") };
    let fields: Vec<&str> = invalid.0.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["customerId", "productId", "count", "expiresAt", "note"]);
    let none = w.coupons.issue(&admin, World::grant(&customer, gallon, 0, None), &meta()).await;
    assert!(matches!(none, Err(CouponError::Invalid(ref e)) if e.0[0].field == "count"), "{none:?}");
    let nobody = CouponGrant { customer_id: UserId(Uuid::now_v7()), ..World::grant(&customer, gallon, 1, None) };
    assert!(matches!(w.coupons.issue(&admin, nobody, &meta()).await, Err(CouponError::Invalid(ref e)) if e.0[0].field == "customerId"));

    let issued = w.coupons.issue(&admin, World::grant(&customer, gallon, 1000, None), &meta()).await.unwrap();
    assert_eq!((issued.balance.balance.available, issued.balance.balance.next_expiry), (1000, None));
    let audit = w.fakes.ports.audit.recent(10).await.unwrap();
    assert_eq!(audit.len(), 1, "refusals are not issues");
    assert_eq!(audit[0].kind, AuditKind::CouponsIssued);
    assert_eq!(audit[0].subject, Some(format!("user:{}", id_of(&customer))));
    assert!(audit[0].reason.contains(&format!("admin user:{}", id_of(&admin))) && audit[0].reason.contains(&issued.batch_id.0.to_string()));
    assert_eq!(audit[0].route, "POST /api/admin/coupons");
}

#[tokio::test]
async fn expiry_takes_exactly_what_is_left_once() {
    let w = world();
    let admin = w.user("+96550000001", Role::Admin, UserStatus::Active).await;
    let customer = w.user("+96550000002", Role::Customer, UserStatus::Active).await;
    let gallon = w.product("5 gallon").await;
    w.coupons.issue(&admin, World::grant(&customer, gallon, 4, Some(Duration::days(1))), &meta()).await.unwrap();
    w.coupons.issue(&admin, World::grant(&customer, gallon, 3, None), &meta()).await.unwrap();
    let order = OrderId(Uuid::now_v7());
    // The checkout takes from the batch that expires first.
    w.fakes.coupons.redeem(id_of(&customer), gallon, 5, order, w.now()).unwrap();
    assert_eq!(w.fakes.coupons.redeem(id_of(&customer), gallon, 3, OrderId(Uuid::now_v7()), w.now()), Err(2));
    let wallet = w.coupons.wallet(&customer, page(10, None)).await.unwrap();
    assert_eq!((wallet.balances[0].balance.available, wallet.balances[0].balance.next_expiry), (2, None));
    w.fakes.coupons.restore(order, w.now());
    let wallet = w.coupons.wallet(&customer, page(10, None)).await.unwrap();
    assert_eq!((wallet.balances[0].balance.available, wallet.balances[0].balance.next_expiry), (7, Some(datetime!(2026-03-02 09:00 UTC))));

    w.fakes.clock.advance(Duration::days(1));
    assert_eq!(
        w.coupons.wallet(&customer, page(10, None)).await.unwrap().balances[0].balance.available,
        3,
        "expired before the worker ran"
    );
    assert_eq!(w.coupons.expire_due(w.now()).await.unwrap(), 1);
    assert_eq!(w.coupons.expire_due(w.now()).await.unwrap(), 0, "a batch is expired once");
    let history = w.coupons.history(&customer, page(1, None)).await.unwrap();
    assert_eq!((history.items[0].entry.kind, history.items[0].entry.delta), (CouponEntryKind::Expired, -4));
    assert_eq!(w.coupons.wallet(&customer, page(10, None)).await.unwrap().balances[0].balance.available, 3);
}

fn draft(code: &str) -> PromoCodeDraft {
    PromoCodeDraft {
        code: code.to_owned(),
        description: " Ten percent off ".to_owned(),
        discount: PromoDiscount::Percent { basis_points: 1000 },
        min_order: Money::new(2_000, Currency::Aed),
        valid_from: datetime!(2026-03-01 00:00 UTC),
        valid_until: datetime!(2026-04-01 00:00 UTC),
        max_uses: Some(100),
        max_uses_per_customer: Some(1),
        product_ids: vec![],
        active: true,
    }
}

#[tokio::test]
async fn admins_create_promo_codes_stored_normalized_and_unique() {
    let w = world();
    let admin = w.user("+96550000001", Role::Admin, UserStatus::Active).await;
    let gallon = w.product("5 gallon").await;
    let code =
        w.promo_codes.create(&admin, PromoCodeDraft { product_ids: vec![gallon, gallon], ..draft(" ramadan10 ") }, &meta()).await.unwrap();
    assert_eq!((code.code.as_str(), code.description.as_str(), code.uses), ("RAMADAN10", "Ten percent off", 0));
    assert_eq!(code.product_ids, [gallon]);
    assert_eq!(w.fakes.ports.promo_codes.find_by_code("RAMADAN10").await.unwrap(), Some(code.clone()));
    assert_eq!(w.promo_codes.create(&admin, draft("Ramadan10"), &meta()).await, Err(PromoCodeError::CodeTaken("RAMADAN10".into())));
    assert_eq!(w.fakes.ports.audit.recent(10).await.unwrap()[0].kind, AuditKind::PromoCodeSaved);

    let missing = ProductId(Uuid::now_v7());
    let broken = PromoCodeDraft {
        discount: PromoDiscount::Fixed(Money::new(0, Currency::Aed)),
        valid_until: datetime!(2026-02-01 00:00 UTC),
        product_ids: vec![missing],
        ..draft("no")
    };
    let Err(PromoCodeError::Invalid(invalid)) = w.promo_codes.create(&admin, broken, &meta()).await else { panic!("refused") };
    let fields: Vec<&str> = invalid.0.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["code", "amountMinor", "validUntil", "productIds"]);
    assert!(invalid.0[3].problem.contains(&missing.0.to_string()));

    let customer = w.user("+96550000002", Role::Customer, UserStatus::Active).await;
    assert_eq!(w.promo_codes.create(&customer, draft("OTHER"), &meta()).await, Err(PromoCodeError::Denied(AdminDenied::NotAdmin)));
    assert_eq!(w.promo_codes.list(&customer, page(10, None)).await.err(), Some(PromoCodeError::Denied(AdminDenied::NotAdmin)));
}

#[tokio::test]
async fn changing_a_promo_code_keeps_its_uses_and_what_was_not_changed() {
    let w = world();
    let admin = w.user("+96550000001", Role::Admin, UserStatus::Active).await;
    let customer = w.user("+96550000002", Role::Customer, UserStatus::Active).await;
    let code = w.promo_codes.create(&admin, draft("SPRING"), &meta()).await.unwrap();
    w.fakes.promo_codes.record_order(OrderId(Uuid::now_v7()), code.id, id_of(&customer), OrderStatus::Paid);
    let cancelled = OrderId(Uuid::now_v7());
    w.fakes.promo_codes.record_order(cancelled, code.id, id_of(&customer), OrderStatus::PendingPayment);
    w.fakes.promo_codes.record_order(cancelled, code.id, id_of(&customer), OrderStatus::Cancelled);
    assert_eq!(w.fakes.ports.promo_codes.customer_uses(code.id, id_of(&customer)).await.unwrap(), 1);

    let changes = PromoCodeChanges {
        code: Some("spring-2026".into()),
        discount: Some(PromoDiscount::Fixed(Money::new(500, Currency::Aed))),
        max_uses: Some(None),
        ..PromoCodeChanges::default()
    };
    let changed = w.promo_codes.update(&admin, code.id, changes, &meta()).await.unwrap();
    assert_eq!((changed.code.as_str(), changed.max_uses, changed.max_uses_per_customer, changed.uses), ("SPRING-2026", None, Some(1), 1));
    assert_eq!(changed.min_order, code.min_order);
    assert_eq!(w.promo_codes.get(&admin, code.id).await.unwrap(), changed);
    let off = w.promo_codes.deactivate(&admin, code.id, &meta()).await.unwrap();
    assert!(!off.active);

    let window = PromoCodeChanges { valid_until: Some(datetime!(2026-01-01 00:00 UTC)), ..PromoCodeChanges::default() };
    let refused = w.promo_codes.update(&admin, code.id, window, &meta()).await;
    assert!(matches!(refused, Err(PromoCodeError::Invalid(ref e)) if e.0[0].field == "validUntil"), "{refused:?}");
    let unknown = w.promo_codes.update(&admin, PromoCodeId(Uuid::now_v7()), PromoCodeChanges::default(), &meta()).await;
    assert_eq!(unknown, Err(PromoCodeError::NotFound));
    w.promo_codes.create(&admin, draft("TAKEN"), &meta()).await.unwrap();
    let clash = PromoCodeChanges { code: Some("taken".into()), ..PromoCodeChanges::default() };
    assert_eq!(w.promo_codes.update(&admin, code.id, clash, &meta()).await, Err(PromoCodeError::CodeTaken("TAKEN".into())));
}

#[tokio::test]
async fn promo_codes_are_listed_newest_first_across_pages() {
    let w = world();
    let admin = w.user("+96550000001", Role::Admin, UserStatus::Active).await;
    for code in ["FIRST", "SECOND", "THIRD"] {
        w.promo_codes.create(&admin, draft(code), &meta()).await.unwrap();
    }
    let first = w.promo_codes.list(&admin, page(2, None)).await.unwrap();
    assert_eq!(first.items.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["THIRD", "SECOND"]);
    let rest = w.promo_codes.list(&admin, page(2, first.next_cursor)).await.unwrap();
    assert_eq!(rest.items.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["FIRST"]);
    assert_eq!(rest.next_cursor, None);
}
