//! Admins: listing and searching users, blocking and unblocking.
use poem::http::StatusCode;
use serde_json::json;

use crate::harness::{PASSWORD, api_test, token};

api_test!(admins_list_search_and_page_users, |t| {
    let admin = t.admin("+96550009000").await;
    for i in 1..=5 {
        t.customer(&format!("+9655000910{i}")).await;
    }
    let page = t.get_as("/api/admin/users?limit=2", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body["items"].as_array().map(Vec::len), Some(2));
    let cursor = page.body["nextCursor"].as_str().expect("more pages").to_owned();
    let next = t.get_as(&format!("/api/admin/users?limit=2&cursor={cursor}"), &admin).await;
    assert_ne!(next.body["items"][0]["id"], page.body["items"][0]["id"]);
    let all = t.get_as("/api/admin/users?limit=100", &admin).await;
    assert_eq!(all.body["items"].as_array().map(Vec::len), Some(6));
    assert!(all.body["nextCursor"].is_null());
    let found = t.get_as("/api/admin/users?search=%2B96550009103", &admin).await;
    assert_eq!(found.body["items"].as_array().map(Vec::len), Some(1));
    let by_name = t.get_as("/api/admin/users?search=sabil%20adm", &admin).await;
    assert_eq!(by_name.body["items"][0]["role"], "admin");
    let nothing = t.get_as("/api/admin/users?search=%25", &admin).await;
    assert_eq!(nothing.body["items"].as_array().map(Vec::len), Some(0), "wildcards are matched literally");
    let admins = t.get_as("/api/admin/users?role=admin&limit=100", &admin).await;
    let roles: Vec<&str> = admins.body["items"].as_array().expect("items").iter().filter_map(|u| u["role"].as_str()).collect();
    assert_eq!(roles, vec!["admin"], "{}", admins.body);
    let customers = t.get_as("/api/admin/users?role=customer&search=%2B9655000910&limit=100", &admin).await;
    assert_eq!(customers.body["items"].as_array().map(Vec::len), Some(5), "role and search together");
    let wrong = t.get_as("/api/admin/users?role=superuser", &admin).await;
    assert_eq!(wrong.assert_error(400, "schema"), "request.invalid_parameter");
    assert_eq!(wrong.fields(), vec!["role"]);
});

api_test!(a_blocked_user_cannot_sign_in_or_refresh_until_unblocked, |t| {
    let admin = t.admin("+96550009200").await;
    let phone = "+96550009201";
    let session = t.customer(phone).await;
    let id = t.get_as("/api/users/me", &token(&session, "accessToken")).await.body["id"].as_str().expect("id").to_owned();

    let blocked = t.post_as(&format!("/api/admin/users/{id}/block"), json!({}), &admin).await;
    assert_eq!((blocked.status, blocked.body["status"].as_str()), (StatusCode::OK, Some("blocked")));
    let login = t.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await;
    assert_eq!(login.assert_error(403, "forbidden"), "auth.account_blocked");
    let refresh = t.post("/api/auth/refresh", json!({"refreshToken": token(&session, "refreshToken")})).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    assert_eq!(t.get_as("/api/users/me", &token(&session, "accessToken")).await.assert_error(403, "forbidden"), "auth.account_blocked");

    let unblocked = t.post_as(&format!("/api/admin/users/{id}/unblock"), json!({}), &admin).await;
    assert_eq!(unblocked.body["status"], "active");
    assert_eq!(t.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await.status, StatusCode::OK);
});

api_test!(blocking_and_unblocking_are_audited_with_the_acting_admin, |t| {
    let admin = t.admin("+96550009300").await;
    let session = t.customer("+96550009301").await;
    let id = t.get_as("/api/users/me", &token(&session, "accessToken")).await.body["id"].as_str().expect("id").to_owned();
    t.post_as(&format!("/api/admin/users/{id}/block"), json!({}), &admin).await;
    t.post_as(&format!("/api/admin/users/{id}/unblock"), json!({}), &admin).await;
    let audit = t.audit().await;
    assert!(audit.iter().any(|e| e.starts_with("user_blocked|POST /api/admin/users/{id}/block|blocked by admin user:")), "{audit:?}");
    assert!(audit.iter().any(|e| e.starts_with("user_unblocked|POST /api/admin/users/{id}/unblock|unblocked by admin user:")), "{audit:?}");
});
