//! Customers' questions: their own newest first, admins' oldest first by status, and an answer given
//! once with its notification in the outbox, written in the same transaction (or not at all).
use sabil_core::domain::feedback::{CustomerQuestion, CustomerQuestionId, QuestionReply, QuestionStatus};
use sabil_core::domain::notifications::NotificationEvent;
use sabil_core::domain::{PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::OutboxMessage;
use sabil_tests::conformance;
use sabil_tests::fixtures::at;
use sabil_tests::order_fixtures::{customer, outbox_keys};
use uuid::Uuid;

use crate::admin;

fn question(who: UserId, text: &str, seconds: i64) -> CustomerQuestion {
    CustomerQuestion {
        id: CustomerQuestionId(Uuid::now_v7()),
        customer_id: who,
        text: text.to_owned(),
        reply: None,
        created_at: at(seconds),
    }
}

fn reply(by: UserId, text: &str, seconds: i64) -> QuestionReply {
    QuestionReply { text: text.to_owned(), answered_by: by, answered_at: at(seconds) }
}

fn notify(q: &CustomerQuestion) -> OutboxMessage {
    OutboxMessage::Notify { user_id: q.customer_id, event: NotificationEvent::QuestionAnswered { question_id: q.id.0 } }
}

fn page(limit: u32, cursor: Option<Uuid>) -> PageRequest {
    PageRequest { limit, cursor }
}

conformance!(a_customers_questions_round_trip_newest_first, |stores| async move {
    let (fatima, omar) = (customer(&stores, "+96550081001").await, customer(&stores, "+96550081002").await);
    let asked: Vec<CustomerQuestion> = vec![
        question(fatima, "Do you deliver on Fridays?", 1),
        question(omar, "Can I pay cash?", 2),
        question(fatima, "هل يمكن تغيير موعد التوصيل؟", 3),
        question(fatima, "Is the 5-gallon bottle \"BPA free\"?", 4),
    ];
    for q in &asked {
        stores.customer_questions.create(q).await.expect("ask");
    }
    assert_eq!(stores.customer_questions.get(asked[2].id).await.unwrap(), Some(asked[2].clone()));
    let first = stores.customer_questions.list_for(fatima, page(2, None)).await.unwrap();
    assert_eq!((first.items, first.next_cursor), (vec![asked[3].clone(), asked[2].clone()], Some(asked[2].id.0)));
    let rest = stores.customer_questions.list_for(fatima, page(2, Some(asked[2].id.0))).await.unwrap();
    assert_eq!((rest.items, rest.next_cursor), (vec![asked[0].clone()], None));

    let stranger = question(UserId(Uuid::now_v7()), "Who am I?", 5);
    assert!(matches!(stores.customer_questions.create(&stranger).await, Err(RepoError::Conflict(_))), "unknown customer");
    assert!(matches!(stores.customer_questions.create(&asked[0]).await, Err(RepoError::Conflict(_))), "id taken");
});

conformance!(admins_list_questions_oldest_first_by_status, |stores| async move {
    let fatima = customer(&stores, "+96550082001").await;
    let support = admin(&stores, "+96550082009").await;
    let asked: Vec<CustomerQuestion> = (1..=4).map(|i| question(fatima, &format!("Question {i}"), i)).collect();
    for q in &asked {
        stores.customer_questions.create(q).await.unwrap();
    }
    stores.customer_questions.answer(asked[1].id, &reply(support.id, "Yes.", 10), &notify(&asked[1])).await.unwrap();
    let ids = |p: sabil_core::domain::Page<CustomerQuestion>| p.items.into_iter().map(|q| q.id).collect::<Vec<_>>();
    let open = stores.customer_questions.list(Some(QuestionStatus::Open), page(2, None)).await.unwrap();
    assert_eq!(open.next_cursor, Some(asked[2].id.0));
    assert_eq!(ids(open), [asked[0].id, asked[2].id]);
    let more = stores.customer_questions.list(Some(QuestionStatus::Open), page(2, Some(asked[2].id.0))).await.unwrap();
    assert_eq!((ids(more.clone()), more.next_cursor), (vec![asked[3].id], None));
    assert_eq!(ids(stores.customer_questions.list(Some(QuestionStatus::Answered), page(10, None)).await.unwrap()), [asked[1].id]);
    assert_eq!(ids(stores.customer_questions.list(None, page(10, None)).await.unwrap()), asked.iter().map(|q| q.id).collect::<Vec<_>>());
});

conformance!(an_answer_is_given_once_with_its_notification_in_the_same_transaction, |stores| async move {
    let fatima = customer(&stores, "+96550083001").await;
    let (support, other) = (admin(&stores, "+96550083008").await, admin(&stores, "+96550083009").await);
    let q = question(fatima, "Do you deliver on Fridays?", 1);
    stores.customer_questions.create(&q).await.unwrap();

    // Refused (the admin does not exist): neither the answer nor the notification is kept.
    let nobody = reply(UserId(Uuid::now_v7()), "Yes.", 2);
    assert!(matches!(stores.customer_questions.answer(q.id, &nobody, &notify(&q)).await, Err(RepoError::Conflict(_))));
    assert_eq!(stores.customer_questions.get(q.id).await.unwrap(), Some(q.clone()), "still open");
    assert!(outbox_keys(&stores).await.is_empty(), "no notification for a refused answer");

    let given = reply(support.id, "Yes, from 14:00 to 22:00.", 3);
    let answered = stores.customer_questions.answer(q.id, &given, &notify(&q)).await.expect("answer");
    let expected = CustomerQuestion { reply: Some(given), ..q.clone() };
    assert_eq!((answered.clone(), answered.status()), (expected.clone(), QuestionStatus::Answered));
    assert_eq!(stores.customer_questions.get(q.id).await.unwrap(), Some(expected.clone()));
    assert_eq!(outbox_keys(&stores).await, [format!("question-answered:{}", q.id.0)]);
    let claimed = stores.outbox.claim("notification.user", 10, at(4), at(64)).await.unwrap();
    assert_eq!(claimed.iter().map(|e| e.message.clone()).collect::<Vec<_>>(), [notify(&q)]);

    let late = reply(other.id, "No.", 5);
    assert!(matches!(stores.customer_questions.answer(q.id, &late, &notify(&q)).await, Err(RepoError::Conflict(_))), "once");
    assert_eq!(stores.customer_questions.get(q.id).await.unwrap(), Some(expected), "the first answer stays");
    assert_eq!(outbox_keys(&stores).await.len(), 1);
    let unknown = CustomerQuestionId(Uuid::now_v7());
    assert_eq!(stores.customer_questions.answer(unknown, &late, &notify(&q)).await, Err(RepoError::NotFound));
    assert_eq!(outbox_keys(&stores).await.len(), 1);
});
