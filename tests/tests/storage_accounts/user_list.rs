//! `UserRepository::list`: newest first, keyset paging, and search by name or phone.
use sabil_core::domain::{Page, PageRequest, User};
use sabil_core::ports::UserQuery;
use sabil_tests::Stores;
use sabil_tests::conformance;
use sabil_tests::fixtures::create_named;
use uuid::Uuid;

async fn list(stores: &Stores, search: Option<&str>, limit: u32, cursor: Option<Uuid>) -> Page<User> {
    let query = UserQuery { search: search.map(str::to_owned), role: None, page: PageRequest { limit, cursor } };
    stores.users.list(&query).await.expect("list")
}

/// Names of every match, newest first, fetched in pages of 100.
async fn search(stores: &Stores, text: &str) -> Vec<String> {
    let page = list(stores, Some(text), 100, None).await;
    assert_eq!(page.next_cursor, None);
    page.items.iter().map(|u| u.full_name.as_str().to_owned()).collect()
}

conformance!(accounts_are_listed_newest_first_in_pages, |stores| async move {
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(create_named(&stores, &format!("Customer {i}"), &format!("+9655000100{i}")).await);
    }
    let newest_first: Vec<User> = created.into_iter().rev().collect();

    let first = list(&stores, None, 3, None).await;
    assert_eq!(first.items, newest_first[0..3]);
    assert_eq!(first.next_cursor, Some(newest_first[2].id.0));

    let second = list(&stores, None, 3, first.next_cursor).await;
    assert_eq!(second.items, newest_first[3..6]);
    assert_eq!(second.next_cursor, Some(newest_first[5].id.0));

    let third = list(&stores, None, 3, second.next_cursor).await;
    assert_eq!(third, Page { items: newest_first[6..].to_vec(), next_cursor: None });
});

conformance!(a_page_that_ends_the_list_has_no_cursor, |stores| async move {
    assert_eq!(list(&stores, None, 3, None).await, Page { items: Vec::new(), next_cursor: None });
    for i in 0..3 {
        create_named(&stores, &format!("Customer {i}"), &format!("+9655000100{i}")).await;
    }
    let all = list(&stores, None, 3, None).await;
    assert_eq!((all.items.len(), all.next_cursor), (3, None));
});

conformance!(search_matches_a_name_substring_in_any_case, |stores| async move {
    create_named(&stores, "Fatima Al-Sabah", "+96550001001").await;
    create_named(&stores, "Ahmad Al-Mutairi", "+96550001002").await;
    create_named(&stores, "FATIMA HASSAN", "+96550001003").await;
    create_named(&stores, "فاطمة الصباح", "+96550001004").await;

    assert_eq!(search(&stores, "fatima").await, ["FATIMA HASSAN", "Fatima Al-Sabah"]);
    assert_eq!(search(&stores, "aL-").await, ["Ahmad Al-Mutairi", "Fatima Al-Sabah"]);
    assert_eq!(search(&stores, "الصباح").await, ["فاطمة الصباح"]);
    assert_eq!(search(&stores, "nobody").await, Vec::<String>::new());
});

conformance!(search_matches_a_phone_substring, |stores| async move {
    create_named(&stores, "Fatima Al-Sabah", "+96550001001").await;
    create_named(&stores, "Ahmad Al-Mutairi", "+96599887766").await;
    create_named(&stores, "Hassan Ali", "+97150001001").await;

    assert_eq!(search(&stores, "9887").await, ["Ahmad Al-Mutairi"]);
    assert_eq!(search(&stores, "50001001").await, ["Hassan Ali", "Fatima Al-Sabah"]);
    assert_eq!(search(&stores, "+965").await, ["Ahmad Al-Mutairi", "Fatima Al-Sabah"]);
});

conformance!(search_wildcards_are_matched_literally, |stores| async move {
    create_named(&stores, "Ali_Water", "+96550001001").await;
    create_named(&stores, "Ali Water", "+96550001002").await;
    create_named(&stores, "Ali%Water", "+96550001003").await;
    create_named(&stores, "Ali\\Water", "+96550001004").await;
    create_named(&stores, "AliXWater", "+96550001005").await;

    assert_eq!(search(&stores, "i_w").await, ["Ali_Water"]);
    assert_eq!(search(&stores, "i%w").await, ["Ali%Water"]);
    assert_eq!(search(&stores, "%").await, ["Ali%Water"]);
    assert_eq!(search(&stores, "_").await, ["Ali_Water"]);
    assert_eq!(search(&stores, "i\\w").await, ["Ali\\Water"]);
});

conformance!(search_results_are_paged_too, |stores| async move {
    let older = create_named(&stores, "Fatima One", "+96550001001").await;
    create_named(&stores, "Ahmad", "+96550001002").await;
    let newer = create_named(&stores, "Fatima Two", "+96550001003").await;
    create_named(&stores, "Hassan", "+96550001004").await;

    let first = list(&stores, Some("FATIMA"), 1, None).await;
    assert_eq!(first, Page { items: vec![newer.clone()], next_cursor: Some(newer.id.0) });
    let second = list(&stores, Some("FATIMA"), 1, first.next_cursor).await;
    assert_eq!(second, Page { items: vec![older], next_cursor: None });
});

conformance!(a_role_filter_lists_only_accounts_with_that_role, |stores| async move {
    let mut admin = sabil_tests::fixtures::new_user("+96550001001", sabil_tests::fixtures::at(0));
    admin.role = sabil_core::domain::Role::Admin;
    admin.full_name = sabil_core::domain::FullName::parse("Ops Admin").expect("name");
    let admin = stores.users.create(&admin).await.expect("admin");
    create_named(&stores, "Customer Ali", "+96550001002").await;

    let only = |role| UserQuery { search: None, role: Some(role), page: PageRequest { limit: 10, cursor: None } };
    let admins = stores.users.list(&only(sabil_core::domain::Role::Admin)).await.expect("admins");
    assert_eq!(admins, Page { items: vec![admin], next_cursor: None });
    let customers = stores.users.list(&only(sabil_core::domain::Role::Customer)).await.expect("customers");
    assert_eq!(customers.items.iter().map(|u| u.full_name.as_str()).collect::<Vec<_>>(), ["Customer Ali"]);
    let with_search = UserQuery { search: Some("ali".to_owned()), ..only(sabil_core::domain::Role::Admin) };
    assert!(stores.users.list(&with_search).await.expect("none").items.is_empty());
});
