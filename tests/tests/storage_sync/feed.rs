//! Reading and confirming the change feed, the backlog per entity type, and the worker's notes.
use sabil_core::ports::{Confirmed, EntityBacklog};
use sabil_tests::conformance;
use sabil_tests::fixtures::at;
use uuid::Uuid;

use crate::{LIMIT, area, feed, house, ids, verified};

conformance!(unprocessed_changes_come_by_seq_after_a_position_and_up_to_a_limit, |stores| async move {
    assert!(feed(&stores).await.is_empty(), "an empty feed");
    let mut customers = Vec::new();
    for (n, phone) in ["+96550031001", "+96550031002", "+96550031003", "+96550031004"].into_iter().enumerate() {
        customers.push(verified(&stores, phone, i64::try_from(n).unwrap()).await);
    }
    let all = feed(&stores).await;
    assert_eq!(all.iter().map(|c| c.entity_id).collect::<Vec<_>>(), customers.iter().map(|c| c.id.0).collect::<Vec<_>>());
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq), "by seq");
    for (n, c) in all.iter().enumerate() {
        assert_eq!((c.entity.as_str(), c.operation.as_str()), ("customer", "create"));
        assert_eq!(c.created_at, at(i64::try_from(n).unwrap()));
        assert_eq!((c.is_completed, c.attempts, &c.last_error, c.next_attempt_at, c.dead_at), (false, 0, &None, None, None));
        let data: serde_json::Value = serde_json::from_str(&c.data).expect("data is JSON");
        assert_eq!(data["id"], serde_json::json!(c.entity_id), "the data carries our id");
        assert_eq!(data["sapId"], serde_json::Value::Null, "and SAP's (none yet)");
        assert_eq!(stores.changes.get(c.id).await.expect("get").as_ref(), Some(c));
    }
    assert_eq!(stores.changes.get(Uuid::now_v7()).await.expect("get"), None);

    let first_two = stores.changes.unprocessed(None, 2).await.expect("first page");
    assert_eq!(ids(&first_two), ids(&all[..2]));
    let after = stores.changes.unprocessed(Some(first_two[1].seq), 10).await.expect("next page");
    assert_eq!(ids(&after), ids(&all[2..]));
    assert!(stores.changes.unprocessed(Some(all[3].seq), 10).await.expect("past the end").is_empty());

    stores.changes.confirm(&[all[1].id], "sap", at(10)).await.expect("confirm");
    stores.changes.dead_letter(all[2].id, "SAP refused it", at(10)).await.expect("dead letter");
    let left = feed(&stores).await;
    assert_eq!(ids(&left), vec![all[0].id, all[2].id, all[3].id], "completed ones leave, dead letters stay");
});

conformance!(confirming_completes_each_change_once_and_reports_repeats_and_unknown_ids, |stores| async move {
    for (n, phone) in ["+96550032001", "+96550032002", "+96550032003", "+96550032004"].into_iter().enumerate() {
        verified(&stores, phone, i64::try_from(n).unwrap()).await;
    }
    let all = feed(&stores).await;
    let (a, b, c, d) = (all[0].id, all[1].id, all[2].id, all[3].id);
    let unknown = Uuid::now_v7();

    let first = stores.changes.confirm(&[b, a, b, unknown], "sap", at(10)).await.expect("confirm");
    assert_eq!(first, Confirmed { completed: vec![b, a], already: vec![], unknown: vec![unknown] });
    let again = stores.changes.confirm(&[c, a, unknown, b], "sap", at(11)).await.expect("confirm again");
    assert_eq!(again, Confirmed { completed: vec![c], already: vec![a, b], unknown: vec![unknown] });
    assert_eq!(stores.changes.confirm(&[], "sap", at(12)).await.expect("confirm nothing"), Confirmed::default());
    assert!(stores.changes.get(a).await.expect("get").expect("exists").is_completed);
    assert_eq!(crate::settlement(&stores, a).await, (Some("sap".to_owned()), None));

    stores.changes.dead_letter(d, "SAP refused it", at(13)).await.expect("dead letter");
    let settled = stores.changes.confirm(&[d], "push", at(14)).await.expect("confirm the dead letter");
    assert_eq!(settled.completed, vec![d]);
    assert!(stores.changes.dead_letters(10).await.expect("dead letters").is_empty(), "a confirmed dead letter is settled");
    assert!(feed(&stores).await.is_empty());
    assert_eq!(crate::settlement(&stores, d).await.0.as_deref(), Some("push"));
});

conformance!(the_backlog_counts_pending_and_dead_changes_per_entity_with_the_oldest, |stores| async move {
    assert!(stores.changes.backlog().await.expect("backlog").is_empty());
    let first = verified(&stores, "+96550033001", 1).await;
    verified(&stores, "+96550033002", 2).await;
    verified(&stores, "+96550033003", 3).await;
    let place = area(&stores).await;
    stores.addresses.create(&house(first.id, place, "Home", 5), LIMIT).await.expect("create");
    stores.addresses.create(&house(first.id, place, "Work", 4), LIMIT).await.expect("create");
    let all = feed(&stores).await;
    stores.changes.confirm(&[all[0].id], "sap", at(10)).await.expect("confirm the first customer");
    stores.changes.dead_letter(all[2].id, "SAP refused it", at(10)).await.expect("dead-letter the third");

    let backlog = stores.changes.backlog().await.expect("backlog");
    assert_eq!(
        backlog,
        vec![
            EntityBacklog { entity: "address".into(), pending: 2, dead: 0, oldest: Some(at(4)) },
            EntityBacklog { entity: "customer".into(), pending: 1, dead: 1, oldest: Some(at(2)) },
        ]
    );
    stores.changes.confirm(&ids(&all), "sap", at(11)).await.expect("confirm everything");
    assert!(stores.changes.backlog().await.expect("backlog").is_empty(), "nothing waiting, nothing listed");
});

conformance!(notes_keep_the_latest_value_of_each_fact_by_name, |stores| async move {
    assert!(stores.changes.notes().await.expect("notes").is_empty());
    stores.changes.note("last_push", "ok", at(1)).await.expect("note");
    stores.changes.note("last_pull", "3 changes", at(2)).await.expect("note");
    stores.changes.note("last_push", "SAP unavailable", at(3)).await.expect("note again");
    assert_eq!(
        stores.changes.notes().await.expect("notes"),
        vec![("last_pull".to_owned(), "3 changes".to_owned(), at(2)), ("last_push".to_owned(), "SAP unavailable".to_owned(), at(3))]
    );
});
