//! Mosque and support-content stores on every backend: mosques in their delivery areas, FAQ
//! categories and questions, contact channels, terms versions that only go up, and acceptances
//! recorded once.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use sabil_core::domain::delivery::{DeliveryArea, DeliveryAreaId, MapPoint};
use sabil_core::domain::mosque::{Mosque, MosqueId};
use sabil_core::domain::support::{
    ContactAddress, ContactChannel, ContactChannelId, ContactKind, FaqCategory, FaqCategoryId, FaqQuestion, FaqQuestionId, TermsAcceptance,
    TermsVersion,
};
use sabil_core::domain::{Currency, LocalizedText, Money, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::MosqueQuery;
use sabil_tests::fixtures::{at, create_user};
use sabil_tests::{Stores, conformance};
use uuid::Uuid;

fn text(en: &str) -> LocalizedText {
    LocalizedText { ar: format!("{en} بالعربية"), en: en.to_owned() }
}

async fn new_area(stores: &Stores) -> DeliveryAreaId {
    let area = DeliveryArea {
        id: DeliveryAreaId(Uuid::now_v7()),
        sap_id: None,
        name: text("Al Bateen"),
        boundary: None,
        delivery_fee: Money::new(500, Currency::Aed),
        minimum_order: Money::new(2_000, Currency::Aed),
        active: true,
        created_at: at(0),
        updated_at: at(0),
    };
    stores.delivery_areas.create(&area).await.expect("create the area");
    area.id
}

fn mosque(name: &str, area: DeliveryAreaId, active: bool) -> Mosque {
    Mosque {
        id: MosqueId(Uuid::now_v7()),
        sap_id: None,
        name: text(name),
        location: MapPoint { latitude: 24.453_884_123_456, longitude: 54.377_343_987_654 },
        area_id: area,
        active,
        created_at: at(1),
        updated_at: at(2),
    }
}

fn category(sort_order: i32, active: bool) -> FaqCategory {
    FaqCategory { id: FaqCategoryId(Uuid::now_v7()), title: text("Orders"), sort_order, active, created_at: at(1), updated_at: at(2) }
}

fn question(category: FaqCategoryId, sort_order: i32, active: bool) -> FaqQuestion {
    FaqQuestion {
        id: FaqQuestionId(Uuid::now_v7()),
        category_id: category,
        question: text("When will my water arrive?"),
        answer: text("In the slot you picked."),
        sort_order,
        active,
        created_at: at(1),
        updated_at: at(2),
    }
}

fn contact(kind: ContactKind, value: &str, sort_order: i32, active: bool) -> ContactChannel {
    ContactChannel {
        id: ContactChannelId(Uuid::now_v7()),
        address: ContactAddress::parse(kind, value).expect("valid contact"),
        label: text("Customer service"),
        sort_order,
        active,
        created_at: at(1),
        updated_at: at(2),
    }
}

fn terms(version: u32) -> TermsVersion {
    TermsVersion { version, body: text(&format!("Terms v{version}")), published_at: at(i64::from(version) * 10) }
}

fn ids<T, I: PartialEq + std::fmt::Debug>(items: &[T], id: impl Fn(&T) -> I) -> Vec<I> {
    items.iter().map(id).collect()
}

conformance!(a_mosque_reads_back_with_every_field, |stores| async move {
    let area = new_area(&stores).await;
    let mut m = mosque("Sheikh Zayed Grand Mosque", area, true);
    m.sap_id = Some("MSQ-0001".into());
    stores.mosques.create(&m).await.expect("create");
    assert_eq!(stores.mosques.get(m.id).await.expect("get"), Some(m.clone()));
    assert_eq!(stores.mosques.get(MosqueId(Uuid::now_v7())).await.expect("get"), None);
});

conformance!(mosque_sap_ids_are_unique_and_the_area_must_exist, |stores| async move {
    let area = new_area(&stores).await;
    let mut first = mosque("Al Noor", area, true);
    first.sap_id = Some("MSQ-7".into());
    stores.mosques.create(&first).await.expect("create");
    let mut twin = mosque("Al Noor 2", area, true);
    twin.sap_id = first.sap_id.clone();
    assert!(matches!(stores.mosques.create(&twin).await, Err(RepoError::Conflict(_))), "SAP ids are unique");
    assert!(matches!(stores.mosques.create(&first).await, Err(RepoError::Conflict(_))), "ids are unique");
    let nowhere = mosque("Nowhere", DeliveryAreaId(Uuid::now_v7()), true);
    assert!(matches!(stores.mosques.create(&nowhere).await, Err(RepoError::Conflict(_))), "the area must exist");
    stores.mosques.create(&mosque("No SAP id 1", area, true)).await.expect("mosques without a SAP id");
    stores.mosques.create(&mosque("No SAP id 2", area, true)).await.expect("do not clash");
});

conformance!(updating_a_mosque_keeps_its_creation_time_and_checks_the_same_rules, |stores| async move {
    let area = new_area(&stores).await;
    let other_area = new_area(&stores).await;
    let mut taken = mosque("Taken", area, true);
    taken.sap_id = Some("MSQ-1".into());
    stores.mosques.create(&taken).await.expect("create");
    let m = mosque("Al Bateen Mosque", area, true);
    stores.mosques.create(&m).await.expect("create");

    let changed = Mosque {
        name: text("Al Bateen Grand Mosque"),
        location: MapPoint { latitude: 25.2, longitude: 55.3 },
        area_id: other_area,
        active: false,
        sap_id: Some("MSQ-2".into()),
        created_at: at(99),
        updated_at: at(50),
        ..m.clone()
    };
    stores.mosques.update(&changed).await.expect("update");
    assert_eq!(stores.mosques.get(m.id).await.expect("get"), Some(Mosque { created_at: m.created_at, ..changed.clone() }));

    let stolen = Mosque { sap_id: taken.sap_id.clone(), ..changed.clone() };
    assert!(matches!(stores.mosques.update(&stolen).await, Err(RepoError::Conflict(_))));
    let moved = Mosque { area_id: DeliveryAreaId(Uuid::now_v7()), ..changed.clone() };
    assert!(matches!(stores.mosques.update(&moved).await, Err(RepoError::Conflict(_))));
    let unknown = mosque("Unknown", area, true);
    assert_eq!(stores.mosques.update(&unknown).await, Err(RepoError::NotFound));
});

conformance!(mosques_are_listed_by_area_and_activity_in_name_order, |stores| async move {
    let a = new_area(&stores).await;
    let b = new_area(&stores).await;
    let zayed = mosque("Zayed", a, true);
    let bateen = mosque("Bateen", a, true);
    let closed = mosque("Closed", a, false);
    let elsewhere = mosque("Elsewhere", b, true);
    for m in [&zayed, &bateen, &closed, &elsewhere] {
        stores.mosques.create(m).await.expect("create");
    }
    let all = stores.mosques.list(&MosqueQuery { area: None, active_only: false }).await.expect("list");
    assert_eq!(ids(&all, |m| m.id), vec![bateen.id, closed.id, elsewhere.id, zayed.id]);
    let active_in_a = stores.mosques.list(&MosqueQuery { area: Some(a), active_only: true }).await.expect("list");
    assert_eq!(ids(&active_in_a, |m| m.id), vec![bateen.id, zayed.id]);
    let in_nowhere = stores.mosques.list(&MosqueQuery { area: Some(DeliveryAreaId(Uuid::now_v7())), active_only: false }).await;
    assert_eq!(in_nowhere.expect("list"), vec![]);
});

conformance!(faq_categories_round_trip_in_sort_order, |stores| async move {
    let second = category(2, true);
    let first = category(1, true);
    let hidden = category(0, false);
    for c in [&second, &first, &hidden] {
        stores.faq.create_category(c).await.expect("create");
    }
    assert!(matches!(stores.faq.create_category(&first).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.faq.get_category(first.id).await.expect("get"), Some(first.clone()));
    assert_eq!(ids(&stores.faq.categories(false).await.expect("all"), |c| c.id), vec![hidden.id, first.id, second.id]);
    assert_eq!(ids(&stores.faq.categories(true).await.expect("active"), |c| c.id), vec![first.id, second.id]);

    let renamed =
        FaqCategory { title: text("Payments"), sort_order: 9, active: false, created_at: at(99), updated_at: at(60), ..first.clone() };
    stores.faq.update_category(&renamed).await.expect("update");
    assert_eq!(stores.faq.get_category(first.id).await.expect("get"), Some(FaqCategory { created_at: first.created_at, ..renamed }));
    assert_eq!(stores.faq.update_category(&category(0, true)).await, Err(RepoError::NotFound));
});

conformance!(faq_questions_belong_to_an_existing_category, |stores| async move {
    let orders = category(1, true);
    let payments = category(2, true);
    stores.faq.create_category(&orders).await.expect("create");
    stores.faq.create_category(&payments).await.expect("create");
    let later = question(orders.id, 5, true);
    let sooner = question(orders.id, 1, true);
    let hidden = question(payments.id, 0, false);
    for q in [&later, &sooner, &hidden] {
        stores.faq.create_question(q).await.expect("create");
    }
    assert_eq!(stores.faq.get_question(sooner.id).await.expect("get"), Some(sooner.clone()));
    assert_eq!(ids(&stores.faq.questions(false).await.expect("all"), |q| q.id), vec![hidden.id, sooner.id, later.id]);
    assert_eq!(ids(&stores.faq.questions(true).await.expect("active"), |q| q.id), vec![sooner.id, later.id]);

    let orphan = question(FaqCategoryId(Uuid::now_v7()), 0, true);
    assert!(matches!(stores.faq.create_question(&orphan).await, Err(RepoError::Conflict(_))));
    let moved = FaqQuestion { category_id: payments.id, answer: text("Within two hours."), created_at: at(99), ..later.clone() };
    stores.faq.update_question(&moved).await.expect("move");
    assert_eq!(stores.faq.get_question(later.id).await.expect("get"), Some(FaqQuestion { created_at: later.created_at, ..moved.clone() }));
    let lost = FaqQuestion { category_id: FaqCategoryId(Uuid::now_v7()), ..moved };
    assert!(matches!(stores.faq.update_question(&lost).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.faq.update_question(&orphan).await, Err(RepoError::NotFound));
});

conformance!(contact_channels_round_trip_in_sort_order, |stores| async move {
    let email = contact(ContactKind::Email, "care@sabil.example", 3, true);
    let phone = contact(ContactKind::Phone, "800722245", 1, true);
    let whatsapp = contact(ContactKind::Whatsapp, "+971501234567", 2, false);
    for c in [&email, &phone, &whatsapp] {
        stores.contacts.create(c).await.expect("create");
    }
    assert!(matches!(stores.contacts.create(&email).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.contacts.get(whatsapp.id).await.expect("get"), Some(whatsapp.clone()));
    assert_eq!(ids(&stores.contacts.list(false).await.expect("all"), |c| c.id), vec![phone.id, whatsapp.id, email.id]);
    assert_eq!(ids(&stores.contacts.list(true).await.expect("active"), |c| c.id), vec![phone.id, email.id]);

    let changed = ContactChannel {
        address: ContactAddress::parse(ContactKind::Whatsapp, "+96550001234").expect("valid"),
        label: text("WhatsApp"),
        active: true,
        created_at: at(99),
        updated_at: at(70),
        ..phone.clone()
    };
    stores.contacts.update(&changed).await.expect("update");
    assert_eq!(stores.contacts.get(phone.id).await.expect("get"), Some(ContactChannel { created_at: phone.created_at, ..changed }));
    assert_eq!(stores.contacts.update(&contact(ContactKind::Email, "x@y.example", 0, true)).await, Err(RepoError::NotFound));
});

conformance!(terms_versions_only_go_up, |stores| async move {
    assert_eq!(stores.terms.latest().await.expect("latest"), None);
    stores.terms.publish(&terms(1)).await.expect("v1");
    assert!(matches!(stores.terms.publish(&terms(1)).await, Err(RepoError::Conflict(_))), "the same number again");
    stores.terms.publish(&terms(3)).await.expect("v3: gaps are allowed, only lower numbers are not");
    assert!(matches!(stores.terms.publish(&terms(2)).await, Err(RepoError::Conflict(_))), "a lower number");
    assert!(matches!(stores.terms.publish(&terms(0)).await, Err(RepoError::Conflict(_))), "zero");
    assert_eq!(stores.terms.latest().await.expect("latest"), Some(terms(3)));
    assert_eq!(stores.terms.get(1).await.expect("get"), Some(terms(1)));
    assert_eq!(stores.terms.get(2).await.expect("get"), None);
});

conformance!(of_concurrent_publishers_of_one_version_exactly_one_wins, |stores| async move {
    let stores = Arc::new(stores);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let stores = stores.clone();
            tokio::spawn(async move { stores.terms.publish(&terms(1)).await })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(()) => won += 1,
            Err(RepoError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 1);
});

conformance!(an_acceptance_is_recorded_once_per_user_and_version, |stores| async move {
    let user = create_user(&stores, "+96550007001", at(0)).await.id;
    stores.terms.publish(&terms(1)).await.expect("v1");
    stores.terms.publish(&terms(2)).await.expect("v2");
    assert_eq!(stores.terms.acceptance(user, 2).await.expect("read"), None);

    let first = TermsAcceptance { user_id: user, version: 2, accepted_at: at(100) };
    assert_eq!(stores.terms.accept(&first).await.expect("accept"), first);
    let again = TermsAcceptance { accepted_at: at(200), ..first };
    assert_eq!(stores.terms.accept(&again).await.expect("accept again"), first, "the first acceptance stands");
    assert_eq!(stores.terms.acceptance(user, 2).await.expect("read"), Some(first));
    assert_eq!(stores.terms.acceptance(user, 1).await.expect("read"), None, "per version");

    let unknown_version = TermsAcceptance { version: 9, ..first };
    assert!(matches!(stores.terms.accept(&unknown_version).await, Err(RepoError::Conflict(_))));
    let unknown_user = TermsAcceptance { user_id: UserId(Uuid::now_v7()), ..first };
    assert!(matches!(stores.terms.accept(&unknown_user).await, Err(RepoError::Conflict(_))));
});
