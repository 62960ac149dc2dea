//! The simulator over real HTTP: login, pushes keyed by app id with duplicates detected, the feed and
//! its confirmations, and each fault switch.
use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Faults, NewFeedItem, SapSimulator, SimulatorConfig};

struct Harness {
    sim: SapSimulator,
    http: Client,
    token: String,
}

async fn start_with(config: SimulatorConfig) -> Harness {
    let sim = SapSimulator::start(config).await.unwrap();
    let http = Client::builder().no_proxy().build().unwrap();
    let mut h = Harness { sim, http, token: String::new() };
    h.token = h.login().await;
    h
}

async fn start() -> Harness {
    start_with(SimulatorConfig::default()).await
}

impl Harness {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.url())
    }

    async fn login(&self) -> String {
        let res = self.http.post(self.url("/api/login")).json(&json!({"login": "sabil", "password": "sabil-dev"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["expiresIn"], 3600);
        body["accessToken"].as_str().unwrap().to_owned()
    }

    async fn push(&self, method: Method, entity: &str, change_id: Uuid, app_id: Uuid, seq: i64) -> reqwest::Response {
        let operation = match method {
            Method::POST => "create",
            Method::PUT => "update",
            _ => "delete",
        };
        let body = json!({"changeId": change_id, "seq": seq, "appId": app_id, "sapId": null, "operation": operation, "data": {"seq": seq}});
        self.raw_push(method, entity, &change_id.to_string(), &body).await
    }

    async fn raw_push(&self, method: Method, entity: &str, key: &str, body: &Value) -> reqwest::Response {
        self.http
            .request(method, self.url(&format!("/api/{entity}")))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn sap_id(&self, res: reqwest::Response) -> String {
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        body["sapId"].as_str().unwrap().to_owned()
    }

    async fn get_changes(&self, query: &str) -> reqwest::Response {
        self.http.get(self.url(&format!("/api/changes{query}"))).bearer_auth(&self.token).send().await.unwrap()
    }

    async fn put_faults(&self, patch: Value) -> Value {
        let res = self.http.put(self.url("/__sim/faults")).json(&patch).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

#[tokio::test]
async fn every_api_call_but_login_needs_a_live_token() {
    let h = start().await;
    let bad = h.http.post(h.url("/api/login")).json(&json!({"login": "sabil", "password": "nope"})).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let anonymous = h.http.get(h.url("/api/changes")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let forged = h.http.get(h.url("/api/changes")).bearer_auth("sim.forged").send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(h.get_changes("").await.status(), StatusCode::OK);

    h.sim.expire_tokens();
    assert_eq!(h.get_changes("").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(h.push(Method::POST, "orders", Uuid::now_v7(), Uuid::now_v7(), 1).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_stops_working_after_its_ttl() {
    let sim = SapSimulator::start(SimulatorConfig { token_ttl: Duration::ZERO, ..SimulatorConfig::default() }).await.unwrap();
    let http = Client::builder().no_proxy().build().unwrap();
    let body: Value = http
        .post(format!("{}/api/login", sim.url()))
        .json(&json!({"login": "sabil", "password": "sabil-dev"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["expiresIn"], 0);
    let token = body["accessToken"].as_str().unwrap();
    let res = http.get(format!("{}/api/changes", sim.url())).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pushes_are_keyed_by_app_id_and_a_redelivered_change_is_not_applied_again() {
    let h = start().await;
    let (order_a, order_b, customer) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let (c1, c2, c3, c4) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());

    let first = h.sap_id(h.push(Method::POST, "orders", c1, order_a, 1).await).await;
    assert_eq!(first, "SO000001");
    assert_eq!(h.sap_id(h.push(Method::PUT, "orders", c2, order_a, 2).await).await, first);
    let again = h.push(Method::POST, "orders", c1, order_a, 1).await;
    assert_eq!(again.headers()["x-sim-duplicate"], "true");
    assert_eq!(h.sap_id(again).await, first, "a duplicate gets the first answer");
    assert_eq!(h.sap_id(h.push(Method::POST, "orders", c3, order_b, 3).await).await, "SO000002");
    assert_eq!(h.sap_id(h.push(Method::POST, "customers", c4, customer, 4).await).await, "C000001");

    let state = h.sim.state();
    let a = state.record("orders", order_a).unwrap();
    assert_eq!((a.applied, a.last_change_id, a.last_seq, a.last_operation.as_str()), (2, c2, 2, "update"));
    assert_eq!(a.data, json!({"seq": 2}));
    assert_eq!(state.totals.applied, 4);
    assert_eq!(state.totals.duplicates, 1);
    let orders: Vec<(Uuid, i64)> = state.arrivals_of("orders").map(|a| (a.change_id, a.seq)).collect();
    assert_eq!(orders, vec![(c1, 1), (c2, 2), (c3, 3)]);
    assert_eq!(state.received["customers"][0].sap_id, "C000001");

    let over_http: Value = h.http.get(h.url("/__sim/state")).send().await.unwrap().json().await.unwrap();
    assert_eq!(over_http["totals"]["duplicates"], 1);
    assert_eq!(over_http["received"]["orders"][0]["lastChangeId"], c2.to_string());
    assert_eq!(over_http["arrivals"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_sap_id_sent_on_first_sight_is_kept() {
    let h = start().await;
    let (app_id, change) = (Uuid::now_v7(), Uuid::now_v7());
    let body = json!({"changeId": change, "seq": 9, "appId": app_id, "sapId": "C777", "operation": "update", "data": {}});
    assert_eq!(h.sap_id(h.raw_push(Method::PUT, "customers", &change.to_string(), &body).await).await, "C777");
}

#[tokio::test]
async fn malformed_pushes_get_400_naming_the_problem_and_unknown_entities_404() {
    let h = start().await;
    let change = Uuid::now_v7();
    let key = change.to_string();
    let good = json!({"changeId": change, "seq": 1, "appId": Uuid::now_v7(), "sapId": null, "operation": "create", "data": {}});
    let cases = [
        (Method::POST, key.as_str(), json!({"changeId": change, "appId": Uuid::now_v7(), "operation": "create", "data": {}}), "seq"),
        (
            Method::POST,
            key.as_str(),
            json!({"changeId": "nope", "seq": 1, "appId": Uuid::now_v7(), "operation": "create", "data": {}}),
            "changeId",
        ),
        (
            Method::POST,
            key.as_str(),
            json!({"changeId": change, "seq": 1, "appId": Uuid::now_v7(), "operation": "create", "data": 5}),
            "data",
        ),
        (
            Method::POST,
            key.as_str(),
            json!({"changeId": change, "seq": 1, "appId": Uuid::now_v7(), "operation": "upsert", "data": {}}),
            "operation",
        ),
        (Method::PUT, key.as_str(), good.clone(), "method"),
        (Method::POST, "0190a0b0-0000-7000-8000-000000000000", good.clone(), "Idempotency-Key"),
    ];
    for (method, key, body, needle) in cases {
        let res = h.raw_push(method, "orders", key, &body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let answer: Value = res.json().await.unwrap();
        assert!(answer["error"].as_str().unwrap().contains(needle), "{answer} should name {needle}");
    }
    let no_key = h.http.post(h.url("/api/orders")).bearer_auth(&h.token).json(&good).send().await.unwrap();
    assert_eq!(no_key.status(), StatusCode::BAD_REQUEST);
    assert_eq!(h.raw_push(Method::POST, "products", &key, &good).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(h.sim.state().totals.applied, 0);
}

#[tokio::test]
async fn the_rejected_entity_gets_422_and_nothing_is_applied() {
    let h = start().await;
    h.sim.set_faults(Faults { reject_entity: Some("surveys".to_owned()), ..Faults::default() });
    let res = h.push(Method::POST, "surveys", Uuid::now_v7(), Uuid::now_v7(), 1).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json::<Value>().await.unwrap()["error"].is_string());
    assert_eq!(h.push(Method::POST, "survey-answers", Uuid::now_v7(), Uuid::now_v7(), 2).await.status(), StatusCode::OK);
    let state = h.sim.state();
    assert_eq!((state.totals.rejected, state.totals.applied), (1, 1));
    assert!(!state.received.contains_key("surveys"));

    let faults = h.put_faults(json!({"rejectEntity": null})).await;
    assert_eq!(faults["rejectEntity"], Value::Null);
    assert_eq!(h.push(Method::POST, "surveys", Uuid::now_v7(), Uuid::now_v7(), 3).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn down_answers_503_on_the_api_while_the_control_routes_stay_up() {
    let h = start().await;
    let faults = h.put_faults(json!({"down": true, "latencyMs": 5})).await;
    assert_eq!((faults["down"].clone(), faults["latencyMs"].clone(), faults["errorRate"].clone()), (json!(true), json!(5), json!(0.0)));
    let login = h.http.post(h.url("/api/login")).json(&json!({"login": "sabil", "password": "sabil-dev"})).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.get_changes("").await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.push(Method::POST, "orders", Uuid::now_v7(), Uuid::now_v7(), 1).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.http.get(h.url("/__sim/state")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(h.sim.state().totals.unavailable, 3);

    let faults = h.put_faults(json!({"down": false})).await;
    assert_eq!(faults["latencyMs"], 5, "a switch left out of the patch keeps its value");
    assert_eq!(h.get_changes("").await.status(), StatusCode::OK);
    let bad = h.http.put(h.url("/__sim/faults")).json(&json!({"errorRate": 1.5})).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_error_rate_of_one_fails_every_call_but_login() {
    let h = start().await;
    h.sim.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
    assert_eq!(h.get_changes("").await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.push(Method::POST, "orders", Uuid::now_v7(), Uuid::now_v7(), 1).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    h.login().await;
    assert_eq!(h.sim.state().totals.applied, 0);
}

#[tokio::test]
async fn the_feed_serves_changes_in_order_until_they_are_confirmed() {
    let h = start().await;
    let res = h
        .http
        .post(h.url("/__sim/feed"))
        .json(&json!({"items": [
            {"entity": "product", "operation": "update", "data": {"sapId": "P1"}},
            {"entity": "coupon", "operation": "create", "data": {"sapId": "K1"}},
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut ids: Vec<String> = serde_json::from_value(res.json::<Value>().await.unwrap()["ids"].clone()).unwrap();
    ids.extend(h.sim.push_feed([NewFeedItem {
        entity: "order".to_owned(),
        operation: "update".to_owned(),
        data: json!({"status": "delivered"}),
    }]));

    let page: Value = h.get_changes("?limit=2").await.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.iter().map(|i| i["id"].as_str().unwrap()).collect::<Vec<_>>(), ids[..2].to_vec());
    assert_eq!((items[0]["entity"].as_str(), items[0]["operation"].as_str()), (Some("product"), Some("update")));
    assert_eq!(items[1]["data"], json!({"sapId": "K1"}));
    time::OffsetDateTime::parse(items[0]["createdAt"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();

    let confirm = |ids: Value| h.http.post(h.url("/api/confirm-changes")).bearer_auth(&h.token).json(&json!({ "ids": ids })).send();
    let answer: Value = confirm(json!([ids[0], "never-seen"])).await.unwrap().json().await.unwrap();
    assert_eq!(answer, json!({"confirmed": [ids[0]], "unknown": ["never-seen"]}));
    let answer: Value = confirm(json!([ids[0]])).await.unwrap().json().await.unwrap();
    assert_eq!(answer, json!({"confirmed": [ids[0]], "unknown": []}), "confirming twice is harmless");

    let page: Value = h.get_changes("").await.json().await.unwrap();
    let left: Vec<&str> = page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(left, vec![ids[1].as_str(), ids[2].as_str()]);
    let feed = h.sim.state().feed;
    assert_eq!((feed.pending, feed.confirmed), (ids[1..].to_vec(), vec![ids[0].clone()]));
    assert_eq!(h.get_changes("?limit=0").await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn seeded_products_wait_in_the_feed_at_start() {
    let h = start_with(SimulatorConfig { seed_products: 3, ..SimulatorConfig::default() }).await;
    let page: Value = h.get_changes("").await.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i["entity"] == "product" && i["operation"] == "update"));
    assert_eq!(items[2]["data"]["sapId"], "P000003");
}

#[tokio::test]
async fn the_malformed_json_switch_breaks_bodies_but_still_applies_pushes() {
    let h = start().await;
    h.sim.push_feed([NewFeedItem { entity: "product".to_owned(), operation: "update".to_owned(), data: json!({}) }]);
    h.put_faults(json!({"malformedJson": true})).await;
    let changes = h.get_changes("").await;
    assert_eq!(changes.status(), StatusCode::OK);
    assert!(serde_json::from_slice::<Value>(&changes.bytes().await.unwrap()).is_err());
    let pushed = h.push(Method::POST, "orders", Uuid::now_v7(), Uuid::now_v7(), 1).await;
    assert_eq!(pushed.status(), StatusCode::OK);
    assert!(serde_json::from_slice::<Value>(&pushed.bytes().await.unwrap()).is_err());
    assert_eq!(h.sim.state().totals.applied, 1, "the push was applied; only the answer was garbled");
}

#[tokio::test]
async fn latency_delays_calls_without_serialising_them() {
    let h = start().await;
    h.sim.set_faults(Faults { latency_ms: 300, ..Faults::default() });
    let began = Instant::now();
    let calls = (0..4).map(|_| h.get_changes(""));
    for res in futures_util::future::join_all(calls).await {
        assert_eq!(res.status(), StatusCode::OK);
    }
    let took = began.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_millis(1100), "four calls of 300 ms overlapped: {took:?}");
}

#[tokio::test]
async fn reset_forgets_everything_and_shutdown_stops_serving() {
    let h = start().await;
    h.push(Method::POST, "orders", Uuid::now_v7(), Uuid::now_v7(), 1).await;
    h.sim.push_feed([NewFeedItem { entity: "product".to_owned(), operation: "update".to_owned(), data: json!({}) }]);
    h.put_faults(json!({"latencyMs": 1})).await;
    let res = h.http.post(h.url("/__sim/reset")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(h.sim.state(), super::SimState::default());
    assert_eq!(h.sim.faults(), Faults::default());
    assert_eq!(h.get_changes("").await.status(), StatusCode::OK, "tokens survive a reset");

    let url = h.sim.url();
    h.sim.shutdown().await.unwrap();
    let fresh = Client::builder().no_proxy().build().unwrap();
    assert!(fresh.get(format!("{url}/__sim/state")).send().await.is_err());
}
