//! Behaviour of `MosqueService` and `SupportService` on the in-memory fakes: who may manage the
//! content, the rules a draft must meet, mosque lists nearest first across pages, and the terms
//! accepted version by version.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, MapPoint};
use sabil_core::domain::support::{ContactAddress, ContactKind, FaqCategoryId};
use sabil_core::domain::{AccessClaims, Currency, Language, LocalizedText, Money, PageRequest, Role, Subject, UserStatus};
use sabil_core::ports::Clock as _;
use sabil_core::services::authorization::AdminDenied;
use sabil_core::services::mosques::{MosqueDraft, MosqueSearch};
use sabil_core::services::support::{CategoryDraft, ContactDraft, QuestionDraft};
use sabil_core::services::{MosqueError, MosqueService, SupportError, SupportService};
use sabil_core::testing::{FakeWorld, fake_world};
use time::macros::datetime;
use uuid::Uuid;

struct World {
    fakes: FakeWorld,
    mosques: MosqueService,
    support: SupportService,
}

fn world() -> World {
    let fakes = fake_world(datetime!(2026-03-01 09:00 UTC));
    let changes = std::sync::Arc::new(sabil_core::testing::RecordingCatalogChanges::default());
    World {
        mosques: MosqueService::new(fakes.ports.clone(), changes.clone()),
        support: SupportService::new(fakes.ports.clone(), changes),
        fakes,
    }
}

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} ar"), en: en.to_owned() }
}

impl World {
    /// A stored account with this role and status, and claims for it.
    async fn user(&self, phone: &str, role: Role, status: UserStatus) -> AccessClaims {
        common::signed_in(&self.fakes, phone, role, status, Language::Ar).await.1
    }

    async fn admin(&self) -> AccessClaims {
        self.user("+96550000001", Role::Admin, UserStatus::Active).await
    }

    async fn area(&self) -> DeliveryAreaId {
        let now = self.fakes.clock.now();
        let area = DeliveryArea {
            id: DeliveryAreaId(Uuid::now_v7()),
            sap_id: None,
            name: text("Al Bateen"),
            boundary: None,
            delivery_fee: Money::new(500, Currency::Aed),
            minimum_order: Money::new(2_000, Currency::Aed),
            active: true,
            created_at: now,
            updated_at: now,
        };
        self.fakes.ports.delivery_areas.create(&area).await.unwrap();
        area.id
    }
}

fn mosque(name: &str, area: DeliveryAreaId, latitude: f64) -> MosqueDraft {
    MosqueDraft { sap_id: None, name: text(name), location: MapPoint { latitude, longitude: 54.37 }, area_id: area, active: true }
}

fn search(near: Option<MapPoint>, limit: u32, cursor: Option<Uuid>) -> MosqueSearch {
    MosqueSearch { area: None, near, page: PageRequest { limit, cursor } }
}

#[tokio::test]
async fn mosque_pages_follow_the_nearest_first_order() {
    let w = world();
    let admin = w.admin().await;
    let area = w.area().await;
    for (name, lat) in [("Third", 24.48), ("First", 24.451), ("Fourth", 24.60), ("Second", 24.46)] {
        w.mosques.create(&admin, mosque(name, area, lat)).await.unwrap();
    }
    let near = Some(MapPoint { latitude: 24.45, longitude: 54.37 });
    let first = w.mosques.search(&search(near, 3, None)).await.unwrap();
    let names: Vec<&str> = first.items.iter().map(|h| h.mosque.name.en.as_str()).collect();
    assert_eq!(names, ["First", "Second", "Third"]);
    let rest = w.mosques.search(&search(near, 3, first.next_cursor)).await.unwrap();
    assert_eq!(rest.items.iter().map(|h| h.mosque.name.en.as_str()).collect::<Vec<_>>(), ["Fourth"]);
    assert_eq!(rest.next_cursor, None);
    let too_many = w.mosques.search(&search(None, 51, None)).await;
    assert!(matches!(too_many, Err(MosqueError::Invalid(ref e)) if e.0[0].field == "limit"), "{too_many:?}");
}

#[tokio::test]
async fn only_active_admins_manage_mosques_and_the_area_must_exist() {
    let w = world();
    let area = w.area().await;
    let customer = w.user("+96550000002", Role::Customer, UserStatus::Active).await;
    assert_eq!(w.mosques.create(&customer, mosque("A", area, 24.0)).await, Err(MosqueError::Denied(AdminDenied::NotAdmin)));
    let blocked = w.user("+96550000003", Role::Admin, UserStatus::Blocked).await;
    assert_eq!(w.mosques.create(&blocked, mosque("A", area, 24.0)).await, Err(MosqueError::Denied(AdminDenied::Blocked)));
    assert_eq!(w.mosques.search_all(&customer, &search(None, 10, None)).await.err(), Some(MosqueError::Denied(AdminDenied::NotAdmin)));

    let admin = w.admin().await;
    let nowhere = w.mosques.create(&admin, mosque("A", DeliveryAreaId(Uuid::now_v7()), 24.0)).await;
    assert!(matches!(nowhere, Err(MosqueError::Invalid(ref e)) if e.0[0].field == "areaId"), "{nowhere:?}");
    let with_sap = MosqueDraft { sap_id: Some("MSQ-1".into()), ..mosque("A", area, 24.0) };
    let created = w.mosques.create(&admin, with_sap.clone()).await.unwrap();
    assert_eq!(w.mosques.create(&admin, with_sap.clone()).await, Err(MosqueError::SapIdTaken));

    let hidden = w.mosques.update(&admin, created.id, MosqueDraft { active: false, ..with_sap }).await.unwrap();
    assert_eq!(hidden.created_at, created.created_at);
    assert_eq!(w.mosques.mosque(created.id, false).await, Err(MosqueError::NotFound));
    assert!(w.mosques.search(&search(None, 10, None)).await.unwrap().items.is_empty());
    assert_eq!(w.mosques.search_all(&admin, &search(None, 10, None)).await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn faq_questions_need_an_existing_category_and_admins_see_everything() {
    let w = world();
    let admin = w.admin().await;
    let category = w.support.create_category(&admin, CategoryDraft { title: text("Orders"), sort_order: 1, active: true }).await.unwrap();
    let draft = |category_id| QuestionDraft { category_id, question: text("When?"), answer: text("Soon."), sort_order: 1, active: true };
    let orphan = w.support.create_question(&admin, draft(FaqCategoryId(Uuid::now_v7()))).await;
    assert!(matches!(orphan, Err(SupportError::Invalid(ref e)) if e.0[0].field == "categoryId"), "{orphan:?}");
    w.support.create_question(&admin, draft(category.id)).await.unwrap();
    w.support.update_category(&admin, category.id, CategoryDraft { title: text("Orders"), sort_order: 1, active: false }).await.unwrap();
    assert!(w.support.faq().await.unwrap().is_empty(), "a hidden category hides its questions");
    let all = w.support.faq_all(&admin).await.unwrap();
    assert_eq!((all.len(), all[0].questions.len()), (1, 1));
    let missing =
        w.support.update_category(&admin, FaqCategoryId(Uuid::now_v7()), CategoryDraft { title: text("X"), sort_order: 0, active: true });
    assert_eq!(missing.await, Err(SupportError::NotFound("FAQ category")));

    let customer = w.user("+96550000002", Role::Customer, UserStatus::Active).await;
    let contact = ContactDraft {
        address: ContactAddress::parse(ContactKind::Phone, "800722245").unwrap(),
        label: text("Call us"),
        sort_order: 1,
        active: true,
    };
    assert_eq!(w.support.create_contact(&customer, contact).await, Err(SupportError::Denied(AdminDenied::NotAdmin)));
}

#[tokio::test]
async fn terms_are_accepted_version_by_version_by_active_customers_only() {
    let w = world();
    let admin = w.admin().await;
    let customer = w.user("+96550000002", Role::Customer, UserStatus::Active).await;
    let Subject::User(customer_id) = customer.subject else { unreachable!() };
    assert_eq!(w.support.current_terms(Some(customer_id)).await, Err(SupportError::NoTerms));
    assert_eq!(w.support.accept_terms(&customer, 1).await, Err(SupportError::NoTerms));

    assert_eq!(w.support.publish_terms(&admin, text("v1")).await.unwrap().version, 1);
    assert_eq!(w.support.accept_terms(&customer, 2).await, Err(SupportError::NotFound("terms version")));
    assert_eq!(w.support.accept_terms(&customer, 0).await, Err(SupportError::NotFound("terms version")));
    let first = w.support.accept_terms(&customer, 1).await.unwrap();
    w.fakes.clock.advance(time::Duration::minutes(1));
    assert_eq!(w.support.accept_terms(&customer, 1).await.unwrap(), first, "the first acceptance stands");
    assert_eq!(w.support.current_terms(Some(customer_id)).await.unwrap().acceptance, Some(first));

    assert_eq!(w.support.publish_terms(&admin, text("v2")).await.unwrap().version, 2);
    let current = w.support.current_terms(Some(customer_id)).await.unwrap();
    assert_eq!((current.terms.version, current.acceptance), (2, None));
    assert_eq!(w.support.accept_terms(&customer, 1).await, Err(SupportError::TermsOutdated { version: 1, current: 2 }));

    assert_eq!(w.support.accept_terms(&admin, 2).await, Err(SupportError::CustomersOnly));
    let blocked = w.user("+96550000003", Role::Customer, UserStatus::Blocked).await;
    assert_eq!(w.support.accept_terms(&blocked, 2).await, Err(SupportError::AccountBlocked));
    assert_eq!(w.support.publish_terms(&customer, text("v3")).await, Err(SupportError::Denied(AdminDenied::NotAdmin)));
}
