//! `VerificationCodeRepository`: the send policy, one active code per purpose, expiry, attempts,
//! consumption, and atomicity under concurrent callers.
use std::sync::Arc;
use std::time::Duration;

use sabil_core::domain::CodePurpose;
use sabil_core::ports::StoredCode;
use sabil_tests::conformance;
use sabil_tests::fixtures::{POLICY, at, code_issue, create_user};
use tokio::task::JoinSet;

const PHONE: &str = "+96550001234";

conformance!(a_stored_code_is_the_active_one, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let code = code_issue(user.id, CodePurpose::VerifyPhone, at(0));
    assert_eq!(stores.codes.issue(&code, &POLICY).await, Ok(None));

    let expected = StoredCode { id: code.id, code_fingerprint: code.code_fingerprint.clone(), attempts: 0, expires_at: code.expires_at };
    assert_eq!(stores.codes.active(user.id, CodePurpose::VerifyPhone, at(1)).await.expect("active"), Some(expected));
    // A code of one purpose never serves another.
    assert_eq!(stores.codes.active(user.id, CodePurpose::ResetPassword, at(1)).await.expect("active"), None);
});

conformance!(a_second_code_within_the_interval_is_refused_with_the_wait, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let first = code_issue(user.id, CodePurpose::VerifyPhone, at(0));
    assert_eq!(stores.codes.issue(&first, &POLICY).await, Ok(None));

    let too_soon = code_issue(user.id, CodePurpose::VerifyPhone, at(10));
    assert_eq!(stores.codes.issue(&too_soon, &POLICY).await, Ok(Some(Duration::from_secs(50))));
    // The refused code was not stored: the first one is still the active one.
    let active = stores.codes.active(user.id, CodePurpose::VerifyPhone, at(11)).await.expect("active");
    assert_eq!(active.map(|c| c.id), Some(first.id));

    // Another purpose has a policy count of its own.
    let reset = code_issue(user.id, CodePurpose::ResetPassword, at(10));
    assert_eq!(stores.codes.issue(&reset, &POLICY).await, Ok(None));
    let active = stores.codes.active(user.id, CodePurpose::VerifyPhone, at(11)).await.expect("active");
    assert_eq!(active.map(|c| c.id), Some(first.id));

    let later = code_issue(user.id, CodePurpose::VerifyPhone, at(60));
    assert_eq!(stores.codes.issue(&later, &POLICY).await, Ok(None));
});

conformance!(the_sixth_code_in_the_window_is_refused_until_the_oldest_leaves_it, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    for i in 0..5 {
        let code = code_issue(user.id, CodePurpose::VerifyPhone, at(i * 60));
        assert_eq!(stores.codes.issue(&code, &POLICY).await, Ok(None), "code {i}");
    }
    // The oldest counted code (at 0 s) leaves the one-hour window at 3600 s.
    let sixth = code_issue(user.id, CodePurpose::VerifyPhone, at(300));
    assert_eq!(stores.codes.issue(&sixth, &POLICY).await, Ok(Some(Duration::from_secs(3300))));
    let still = code_issue(user.id, CodePurpose::VerifyPhone, at(3599));
    assert_eq!(stores.codes.issue(&still, &POLICY).await, Ok(Some(Duration::from_secs(1))));

    let after_window = code_issue(user.id, CodePurpose::VerifyPhone, at(3601));
    assert_eq!(stores.codes.issue(&after_window, &POLICY).await, Ok(None));
});

conformance!(a_new_code_retires_the_older_one, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let older = code_issue(user.id, CodePurpose::VerifyPhone, at(0));
    let newer = code_issue(user.id, CodePurpose::VerifyPhone, at(61));
    assert_eq!(stores.codes.issue(&older, &POLICY).await, Ok(None));
    assert_eq!(stores.codes.issue(&newer, &POLICY).await, Ok(None));

    let active = stores.codes.active(user.id, CodePurpose::VerifyPhone, at(62)).await.expect("active");
    assert_eq!(active.map(|c| c.id), Some(newer.id));
    assert_eq!(stores.codes.begin_attempt(older.id, 5).await, Ok(None));
    assert_eq!(stores.codes.consume(older.id, at(62)).await, Ok(false));
    assert_eq!(stores.codes.begin_attempt(newer.id, 5).await, Ok(Some(1)));
});

conformance!(an_expired_code_is_not_active, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let code = code_issue(user.id, CodePurpose::VerifyPhone, at(0));
    assert_eq!(stores.codes.issue(&code, &POLICY).await, Ok(None));

    let just_before = code.expires_at - time::Duration::microseconds(1);
    assert!(stores.codes.active(user.id, CodePurpose::VerifyPhone, just_before).await.expect("active").is_some());
    assert_eq!(stores.codes.active(user.id, CodePurpose::VerifyPhone, code.expires_at).await.expect("active"), None);
    assert_eq!(stores.codes.active(user.id, CodePurpose::VerifyPhone, at(3600)).await.expect("active"), None);
});

conformance!(attempts_are_counted_up_to_the_maximum, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let code = code_issue(user.id, CodePurpose::VerifyPhone, at(0));
    assert_eq!(stores.codes.issue(&code, &POLICY).await, Ok(None));

    for n in 1..=3 {
        assert_eq!(stores.codes.begin_attempt(code.id, 3).await, Ok(Some(n)));
    }
    assert_eq!(stores.codes.begin_attempt(code.id, 3).await, Ok(None));
    let active = stores.codes.active(user.id, CodePurpose::VerifyPhone, at(1)).await.expect("active");
    assert_eq!(active.map(|c| c.attempts), Some(3));
    // A higher maximum allows more guesses on the same code.
    assert_eq!(stores.codes.begin_attempt(code.id, 4).await, Ok(Some(4)));
    assert_eq!(stores.codes.begin_attempt(uuid::Uuid::now_v7(), 3).await, Ok(None));
});

conformance!(a_code_is_consumed_only_once, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let code = code_issue(user.id, CodePurpose::VerifyPhone, at(0));
    assert_eq!(stores.codes.issue(&code, &POLICY).await, Ok(None));

    assert_eq!(stores.codes.consume(code.id, at(5)).await, Ok(true));
    assert_eq!(stores.codes.consume(code.id, at(6)).await, Ok(false));
    assert_eq!(stores.codes.active(user.id, CodePurpose::VerifyPhone, at(7)).await.expect("active"), None);
    assert_eq!(stores.codes.begin_attempt(code.id, 5).await, Ok(None));
    assert_eq!(stores.codes.consume(uuid::Uuid::now_v7(), at(8)).await, Ok(false));
});

conformance!(concurrent_guesses_never_exceed_the_maximum, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;
    let code = code_issue(user.id, CodePurpose::VerifyPhone, at(0));
    assert_eq!(stores.codes.issue(&code, &POLICY).await, Ok(None));

    let mut guesses = JoinSet::new();
    for _ in 0..20 {
        let codes = Arc::clone(&stores.codes);
        guesses.spawn(async move { codes.begin_attempt(code.id, 5).await });
    }
    let mut counted: Vec<u32> = guesses.join_all().await.into_iter().filter_map(|r| r.expect("begin_attempt")).collect();
    counted.sort_unstable();
    assert_eq!(counted, [1, 2, 3, 4, 5]);
    let active = stores.codes.active(user.id, CodePurpose::VerifyPhone, at(1)).await.expect("active");
    assert_eq!(active.map(|c| c.attempts), Some(5));
});

conformance!(concurrent_sends_store_at_most_one_code, |stores| async move {
    let user = create_user(&stores, PHONE, at(0)).await;

    let mut sends = JoinSet::new();
    for i in 0..10 {
        let codes = Arc::clone(&stores.codes);
        let code = code_issue(user.id, CodePurpose::VerifyPhone, at(0) + time::Duration::milliseconds(i));
        sends.spawn(async move { (code.id, codes.issue(&code, &POLICY).await.expect("issue")) });
    }
    let results = sends.join_all().await;
    let stored: Vec<_> = results.iter().filter(|(_, refused)| refused.is_none()).map(|(id, _)| *id).collect();
    assert_eq!(stored.len(), 1, "{results:?}");
    let active = stores.codes.active(user.id, CodePurpose::VerifyPhone, at(1)).await.expect("active");
    assert_eq!(active.map(|c| c.id), Some(stored[0]));
});
