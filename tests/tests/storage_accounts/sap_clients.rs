//! `SapClientRepository`: round trips, the client id's uniqueness, the list and disabling.
use sabil_core::domain::SapClient;
use sabil_core::error::RepoError;
use sabil_tests::conformance;
use sabil_tests::fixtures::{at, sap_client};

conformance!(a_sap_client_reads_back_with_every_field, |stores| async move {
    let enabled = sap_client("sap-erp-prod", at(0));
    let disabled = SapClient { disabled: true, ..sap_client("sap-erp-old", at(1)) };
    for client in [&enabled, &disabled] {
        stores.sap_clients.create(client).await.expect("create");
        assert_eq!(stores.sap_clients.find_by_client_id(&client.client_id).await.expect("find").as_ref(), Some(client));
    }
    assert_eq!(stores.sap_clients.find_by_client_id("sap-erp-test").await.expect("find"), None);
});

conformance!(a_second_sap_client_with_the_same_client_id_is_a_conflict, |stores| async move {
    let first = sap_client("sap-erp-prod", at(0));
    stores.sap_clients.create(&first).await.expect("create");
    let result = stores.sap_clients.create(&SapClient { name: "Impostor".to_owned(), ..sap_client("sap-erp-prod", at(5)) }).await;
    assert!(matches!(result, Err(RepoError::Conflict(_))), "{result:?}");
    assert_eq!(stores.sap_clients.find_by_client_id("sap-erp-prod").await.expect("find"), Some(first));
});

conformance!(sap_clients_are_listed_oldest_first_enabled_or_not, |stores| async move {
    assert_eq!(stores.sap_clients.list().await.expect("list"), Vec::new());
    let first = sap_client("sap-erp-prod", at(0));
    let second = SapClient { disabled: true, ..sap_client("sap-erp-old", at(1)) };
    stores.sap_clients.create(&first).await.expect("create");
    stores.sap_clients.create(&second).await.expect("create");
    assert_eq!(stores.sap_clients.list().await.expect("list"), vec![first, second]);
});

conformance!(disabling_a_sap_client_keeps_it_listed_and_disabled, |stores| async move {
    let client = sap_client("sap-erp-prod", at(0));
    stores.sap_clients.create(&client).await.expect("create");
    let disabled = stores.sap_clients.disable("sap-erp-prod", at(10)).await.expect("disable");
    assert_eq!(disabled, SapClient { disabled: true, ..client.clone() });
    assert_eq!(stores.sap_clients.find_by_client_id("sap-erp-prod").await.expect("find"), Some(disabled.clone()));
    assert_eq!(stores.sap_clients.disable("sap-erp-prod", at(20)).await.expect("again"), disabled, "disabling twice changes nothing");
    assert_eq!(stores.sap_clients.list().await.expect("list"), vec![disabled]);
});

conformance!(disabling_an_unknown_sap_client_is_not_found, |stores| async move {
    assert_eq!(stores.sap_clients.disable("sap-nobody", at(0)).await, Err(RepoError::NotFound));
});
