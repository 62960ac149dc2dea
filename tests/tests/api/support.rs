//! Support content: the FAQ and contact channels as customers read them and admins manage them,
//! and the terms and conditions accepted version by version.
use poem::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{Answer, TestApp, api_test, token};
use crate::mosques::put_as;

fn text(en: &str) -> Value {
    json!({"ar": format!("{en} (ar)"), "en": en})
}

fn ok(a: Answer) -> Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
}

async fn category(t: &TestApp, admin: &str, title: &str, sort_order: i32) -> String {
    let body = json!({"title": text(title), "sortOrder": sort_order, "active": true});
    ok(t.post_as("/api/admin/faq/categories", body, admin).await)["id"].as_str().expect("id").to_owned()
}

fn question(category: &str, q: &str, sort_order: i32) -> Value {
    json!({"categoryId": category, "question": text(q), "answer": text("Yes."), "sortOrder": sort_order, "active": true})
}

async fn get_lang(t: &TestApp, path: &str, lang: &str, bearer: Option<&str>) -> Answer {
    let mut req = t.client.get(path).header("accept-language", lang);
    if let Some(b) = bearer {
        req = req.header("authorization", format!("Bearer {b}"));
    }
    let resp = req.send().await.0;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = serde_json::from_str(&resp.into_body().into_string().await.expect("body")).unwrap_or(Value::Null);
    Answer { status, headers, body }
}

api_test!(the_faq_shows_active_categories_with_their_active_questions_in_order, |t| {
    let admin = t.admin("+96550005000").await;
    let payments = category(&t, &admin, "Payments", 2).await;
    let orders = category(&t, &admin, "Orders", 1).await;
    let hidden = category(&t, &admin, "Internal", 0).await;
    ok(t.post_as("/api/admin/faq/questions", question(&orders, "Can I change the slot?", 2), &admin).await);
    ok(t.post_as("/api/admin/faq/questions", question(&orders, "When will it arrive?", 1), &admin).await);
    let card = ok(t.post_as("/api/admin/faq/questions", question(&payments, "Do you take cards?", 1), &admin).await);
    ok(t.post_as("/api/admin/faq/questions", question(&hidden, "Secret?", 1), &admin).await);
    let mut off = json!({"title": text("Internal"), "sortOrder": 0, "active": false});
    ok(put_as(&t, &format!("/api/admin/faq/categories/{hidden}"), off.clone(), &admin).await);
    let mut card_off = question(&payments, "Do you take cards?", 1);
    card_off["active"] = json!(false);
    ok(put_as(&t, &format!("/api/admin/faq/questions/{}", card["id"].as_str().expect("id")), card_off, &admin).await);

    let faq = ok(t.raw("GET", "/api/faq", None, None, None).await);
    let shape: Vec<(String, Vec<String>)> = faq
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| {
            let qs = c["questions"].as_array().expect("questions").iter().map(|q| q["question"].as_str().expect("q").to_owned()).collect();
            (c["title"].as_str().expect("title").to_owned(), qs)
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("Orders".to_owned(), vec!["When will it arrive?".to_owned(), "Can I change the slot?".to_owned()]),
            ("Payments".to_owned(), vec![]),
        ]
    );
    let arabic = get_lang(&t, "/api/faq", "ar", None).await;
    assert_eq!(arabic.body[0]["title"], "Orders (ar)");
    assert_eq!(arabic.body[0]["questions"][0]["answer"], "Yes. (ar)");

    let everything = ok(t.get_as("/api/admin/faq", &admin).await);
    assert_eq!(everything.as_array().map(Vec::len), Some(3), "admins see inactive categories");
    assert_eq!(everything[0]["category"]["active"], false);
    assert_eq!(everything[2]["questions"][0]["active"], false);
    assert_eq!(everything[2]["questions"][0]["question"], text("Do you take cards?"));

    let orphan = t.post_as("/api/admin/faq/questions", question(&Uuid::now_v7().to_string(), "Lost?", 1), &admin).await;
    orphan.assert_error(422, "validation");
    assert_eq!(orphan.fields(), ["categoryId"]);
    off["title"]["en"] = json!("");
    let blank = put_as(&t, &format!("/api/admin/faq/categories/{hidden}"), off.clone(), &admin).await;
    blank.assert_error(422, "validation");
    assert_eq!(blank.fields(), ["title.en"]);
    off["title"]["en"] = json!("Internal");
    let missing = put_as(&t, &format!("/api/admin/faq/categories/{}", Uuid::now_v7()), off, &admin).await;
    assert_eq!(missing.assert_error(404, "not_found"), "faq_category.not_found");
    let mut bad = question(&orders, "Too long?", 1);
    bad["answer"]["ar"] = json!("x".repeat(4001));
    bad["question"]["en"] = json!(" ");
    let named = t.post_as("/api/admin/faq/questions", bad, &admin).await;
    assert_eq!(named.fields(), ["question.en", "answer.ar"]);
});

api_test!(contact_channels_are_checked_for_their_kind_and_listed_in_order, |t| {
    let admin = t.admin("+96550005100").await;
    let channel = |kind: &str, value: &str, sort_order: i32| json!({"kind": kind, "value": value, "label": text("Customer service"), "sortOrder": sort_order, "active": true});
    let email = ok(t.post_as("/api/admin/contacts", channel("email", "Care@Sabil.EXAMPLE", 3), &admin).await);
    assert_eq!(email["value"], "Care@sabil.example");
    ok(t.post_as("/api/admin/contacts", channel("phone", "800722245", 1), &admin).await);
    let whatsapp = ok(t.post_as("/api/admin/contacts", channel("whatsapp", "+971501234567", 2), &admin).await);

    for (kind, value) in [("whatsapp", "0501234567"), ("email", "care@sabil"), ("phone", "12")] {
        let refused = t.post_as("/api/admin/contacts", channel(kind, value, 9), &admin).await;
        refused.assert_error(422, "validation");
        assert_eq!(refused.fields(), ["value"], "{kind} {value}");
    }
    let fax = t.post_as("/api/admin/contacts", channel("fax", "+97126661234", 9), &admin).await;
    fax.assert_error(400, "schema");
    assert_eq!(fax.fields(), ["kind"]);

    let mut off = channel("whatsapp", "+971501234567", 2);
    off["active"] = json!(false);
    ok(put_as(&t, &format!("/api/admin/contacts/{}", whatsapp["id"].as_str().expect("id")), off.clone(), &admin).await);
    let listed = ok(t.raw("GET", "/api/contacts", None, None, None).await);
    let kinds: Vec<&str> = listed.as_array().expect("list").iter().map(|c| c["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["phone", "email"]);
    assert_eq!(listed[0]["label"], "Customer service");
    assert_eq!(get_lang(&t, "/api/contacts", "ar", None).await.body[0]["label"], "Customer service (ar)");
    assert_eq!(ok(t.get_as("/api/admin/contacts", &admin).await).as_array().map(Vec::len), Some(3));
    let missing = put_as(&t, &format!("/api/admin/contacts/{}", Uuid::now_v7()), off, &admin).await;
    assert_eq!(missing.assert_error(404, "not_found"), "contact_channel.not_found");
});

api_test!(customers_may_not_manage_support_content, |t| {
    let customer = token(&t.customer("+96550005201").await, "accessToken");
    let contact = json!({"kind": "phone", "value": "800722245", "label": text("Call us"), "sortOrder": 1, "active": true});
    let writes = [
        ("POST", "/api/admin/faq/categories".to_owned(), json!({"title": text("Orders"), "sortOrder": 1, "active": true})),
        ("POST", "/api/admin/faq/questions".to_owned(), question(&Uuid::now_v7().to_string(), "Q?", 1)),
        ("PUT", format!("/api/admin/faq/questions/{}", Uuid::now_v7()), question(&Uuid::now_v7().to_string(), "Q?", 1)),
        ("POST", "/api/admin/contacts".to_owned(), contact.clone()),
        ("PUT", format!("/api/admin/contacts/{}", Uuid::now_v7()), contact),
        ("POST", "/api/admin/terms".to_owned(), json!({"body": text("Terms")})),
    ];
    for (method, path, body) in writes {
        let a = t.raw(method, &path, Some("application/json"), Some(body.to_string()), Some(&customer)).await;
        assert_eq!(a.assert_error(403, "forbidden"), "auth.role_forbidden", "{method} {path}");
    }
    for path in ["/api/admin/faq", "/api/admin/contacts"] {
        t.get_as(path, &customer).await.assert_error(403, "forbidden");
        t.raw("GET", path, None, None, None).await.assert_error(401, "auth");
    }
    assert_eq!(ok(t.raw("GET", "/api/faq", None, None, None).await), json!([]), "nothing was stored");
});

async fn terms_as(t: &TestApp, bearer: Option<&str>) -> Value {
    ok(get_lang(t, "/api/terms", "en", bearer).await)
}

api_test!(customers_accept_the_current_terms_and_are_asked_again_for_a_new_version, |t| {
    let admin = t.admin("+96550005300").await;
    let customer = token(&t.customer("+96550005301").await, "accessToken");
    let none = t.raw("GET", "/api/terms", None, None, None).await;
    assert_eq!(none.assert_error(404, "not_found"), "terms.none_published");
    assert_eq!(t.post_as("/api/terms/1/accept", json!({}), &customer).await.assert_error(404, "not_found"), "terms.none_published");

    let v1 = ok(t.post_as("/api/admin/terms", json!({"body": text("First terms")}), &admin).await);
    assert_eq!((v1["version"].as_u64(), &v1["body"]), (Some(1), &text("First terms")));
    let anonymous = terms_as(&t, None).await;
    assert_eq!((anonymous["version"].as_u64(), anonymous["body"].as_str()), (Some(1), Some("First terms")));
    assert!(anonymous.get("acceptedByYou").is_none(), "anonymous callers are not asked");
    assert_eq!(get_lang(&t, "/api/terms", "ar", None).await.body["body"], "First terms (ar)");
    assert_eq!(terms_as(&t, Some(&customer)).await["acceptedByYou"], false);
    assert!(terms_as(&t, Some(&admin)).await.get("acceptedByYou").is_none(), "admins are not asked");

    let accepted = ok(t.post_as("/api/terms/1/accept", json!({}), &customer).await);
    let again = ok(t.post_as("/api/terms/1/accept", json!({}), &customer).await);
    assert_eq!(again, accepted, "accepting again changes nothing");
    let seen = terms_as(&t, Some(&customer)).await;
    assert_eq!((seen["acceptedByYou"].as_bool(), &seen["acceptedAt"]), (Some(true), &accepted["acceptedAt"]));
    assert_eq!(t.post_as("/api/terms/2/accept", json!({}), &customer).await.assert_error(404, "not_found"), "terms_version.not_found");

    let v2 = ok(t.post_as("/api/admin/terms", json!({"body": text("Second terms")}), &admin).await);
    assert_eq!(v2["version"], 2);
    let asked = terms_as(&t, Some(&customer)).await;
    assert_eq!((asked["version"].as_u64(), asked["acceptedByYou"].as_bool()), (Some(2), Some(false)));
    assert!(asked.get("acceptedAt").is_none());
    let outdated = t.post_as("/api/terms/1/accept", json!({}), &customer).await;
    assert_eq!(outdated.assert_error(409, "conflict"), "terms.outdated");
    ok(t.post_as("/api/terms/2/accept", json!({}), &customer).await);
    assert_eq!(terms_as(&t, Some(&customer)).await["acceptedByYou"], true);

    let other = token(&t.customer("+96550005302").await, "accessToken");
    assert_eq!(terms_as(&t, Some(&other)).await["acceptedByYou"], false, "acceptance is per customer");
});

api_test!(only_customers_accept_terms_and_bad_terms_input_is_named, |t| {
    let admin = t.admin("+96550005400").await;
    ok(t.post_as("/api/admin/terms", json!({"body": text("Terms")}), &admin).await);
    assert_eq!(t.post_as("/api/terms/1/accept", json!({}), &admin).await.assert_error(403, "forbidden"), "auth.role_forbidden");
    t.post("/api/terms/1/accept", json!({})).await.assert_error(401, "auth");
    let stale = get_lang(&t, "/api/terms", "en", Some("not-a-token")).await;
    stale.assert_error(401, "auth");
    let not_a_number = t.post_as("/api/terms/latest/accept", json!({}), &admin).await;
    not_a_number.assert_error(400, "schema");

    let blank = t.post_as("/api/admin/terms", json!({"body": {"ar": "نص", "en": " "}}), &admin).await;
    blank.assert_error(422, "validation");
    assert_eq!(blank.fields(), ["body.en"]);
    let unknown = t.post_as("/api/admin/terms", json!({"body": text("Terms"), "version": 7}), &admin).await;
    unknown.assert_error(400, "schema");
    assert_eq!(unknown.fields(), ["version"]);
    assert_eq!(terms_as(&t, None).await["version"], 1, "nothing else was published");
});
