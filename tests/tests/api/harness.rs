//! A running application per test: temporary data directory, fresh database, local SMS outbox,
//! and helpers that send JSON and read back status, headers and body.
use std::collections::HashMap;
use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderMap, StatusCode};
use poem::test::TestClient;
use poem::{EndpointExt, Response};
use sabil_adapters::app::App;
use sabil_adapters::config::Config;
use sabil_api::AppState;
use sabil_core::domain::{FullName, Password, Phone};
use sabil_tests::TestDatabase;
use serde_json::{Value, json};

pub const JWT_SECRET: &str = "test-signing-key-0123456789abcdef0123456789";
pub const PASSWORD: &str = "water-for-the-mosque";

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static, Response>>,
    pub app: App,
    /// The database this instance runs on.
    pub database_url: String,
    _dir: tempfile::TempDir,
    _pg: Option<TestDatabase>,
}

/// The answer to one request.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// Asserts the one error shape and returns the code.
    pub fn assert_error(&self, status: u16, kind: &str) -> &str {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        let e = &self.body["error"];
        assert_eq!(e["type"], kind, "unexpected error type; body: {}", self.body);
        assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "error without code: {}", self.body);
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "error without message: {}", self.body);
        self.code()
    }

    /// The fields named by an error body.
    pub fn fields(&self) -> Vec<String> {
        self.body["error"]["fields"]
            .as_array()
            .map(|a| a.iter().filter_map(|f| f["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

impl TestApp {
    /// A fresh application; `None` when PostgreSQL is asked for but not configured (and not required).
    pub async fn start(engine: Engine, extra: &[(&str, &str)]) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(TestDatabase::create().await?),
        };
        let mut vars: HashMap<String, String> = HashMap::from([
            ("SABIL_DATA_DIR".to_owned(), dir.path().display().to_string()),
            ("SABIL_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
            ("SABIL_AUTO_MIGRATE".to_owned(), "true".to_owned()),
        ]);
        if let Some(pg) = &pg {
            vars.insert("SABIL_DATABASE_URL".to_owned(), pg.url().to_owned());
        }
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_vars(&vars).expect("test configuration is valid");
        let database_url = config.database_url.clone();
        let app = App::from_config(&config).await.expect("application starts");
        let state = AppState::new(app.clone(), Arc::new(config), sabil_api::telemetry::metrics_handle());
        let client = TestClient::new(sabil_api::app(state).boxed());
        Some(Self { client, app, database_url, _dir: dir, _pg: pg })
    }

    /// A second application on the database of `first` (another API instance), with `extra` settings.
    pub async fn another_instance(first: &TestApp, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = first.database_url.clone();
        let mut vars: HashMap<String, String> = HashMap::from([
            ("SABIL_DATA_DIR".to_owned(), dir.path().display().to_string()),
            ("SABIL_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
            ("SABIL_DATABASE_URL".to_owned(), url.clone()),
        ]);
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_vars(&vars).expect("test configuration is valid");
        let app = App::from_config(&config).await.expect("application starts");
        let state = AppState::new(app.clone(), Arc::new(config), sabil_api::telemetry::metrics_handle());
        let client = TestClient::new(sabil_api::app(state).boxed());
        Self { client, app, database_url: url, _dir: dir, _pg: None }
    }

    /// Sends `body` (raw text) with the given method, path, content type and bearer token.
    pub async fn raw(&self, method: &str, path: &str, content_type: Option<&str>, body: Option<String>, token: Option<&str>) -> Answer {
        let method = poem::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, path);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        let resp = req.send().await.0;
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.into_body().into_string().await.expect("body readable");
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Answer { status, headers, body }
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.raw("POST", path, Some("application/json"), Some(body.to_string()), None).await
    }

    pub async fn post_as(&self, path: &str, body: Value, token: &str) -> Answer {
        self.raw("POST", path, Some("application/json"), Some(body.to_string()), Some(token)).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Answer {
        self.raw("GET", path, None, None, Some(token)).await
    }

    /// The newest code texted to `phone` by the local SMS outbox.
    pub async fn last_code(&self, phone: &str) -> String {
        let outbox = self.app.sms_outbox.as_ref().expect("local SMS outbox in tests");
        let messages = outbox.list(50).await.expect("outbox readable");
        let body = messages.into_iter().find(|m| m.to == phone).expect("a message to the phone").body;
        sabil_core::testing::extract_code(&body).expect("a 6-digit code in the message")
    }

    /// Registers and verifies a customer; returns the token response.
    pub async fn customer(&self, phone: &str) -> Value {
        let a = self.post("/api/auth/register", json!({"phone": phone, "fullName": "Fatima Al-Sabah", "password": PASSWORD})).await;
        assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
        let code = self.last_code(phone).await;
        let a = self.post("/api/auth/verify-phone", json!({"phone": phone, "code": code, "password": PASSWORD})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.body
    }

    /// Creates an admin (as `sabil admin create` does) and signs in.
    pub async fn admin(&self, phone: &str) -> String {
        self.app
            .accounts
            .create_admin(
                Phone::parse(phone).expect("phone"),
                FullName::parse("Sabil Admin").expect("name"),
                &Password::parse(PASSWORD).expect("pw"),
            )
            .await
            .expect("admin created");
        let a = self.post("/api/auth/login", json!({"phone": phone, "password": PASSWORD})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.body["accessToken"].as_str().expect("token").to_owned()
    }

    /// A shop to order from, made as `admin`: one refill product (12.50 AED a pack), and an area named
    /// `name_en` / `name_ar` (a 0.02° square from longitude `west`, latitude 24.49–24.51; delivery 5 AED,
    /// minimum 20 AED) with a Sunday 10:00–12:00 slot of 10 places. Returns (area id, slot id, product id).
    pub async fn shop(&self, admin: &str, (name_en, name_ar): (&str, &str), west: f64) -> (String, String, String) {
        let product = self
            .post_as(
                "/api/admin/products",
                json!({"titleAr": "سبيل ٥ جالون", "titleEn": "Sabil 5 gallon", "descriptionAr": "مياه", "descriptionEn": "Water",
                       "type": "refill", "volumeMl": 18900, "bottlesPerPack": 1, "price": {"amount": 1250, "currency": "AED"},
                       "minQuantity": 1, "maxQuantity": 10, "active": true, "sortOrder": 1}),
                admin,
            )
            .await;
        let east = west + 0.02;
        let boundary =
            json!({"type": "Polygon", "coordinates": [[[west, 24.49], [east, 24.49], [east, 24.51], [west, 24.51], [west, 24.49]]]});
        let area = self
            .post_as(
                "/api/admin/delivery-areas",
                json!({"nameAr": name_ar, "nameEn": name_en, "boundary": boundary,
                       "deliveryFee": {"amount": 500, "currency": "AED"}, "minimumOrder": {"amount": 2000, "currency": "AED"}, "active": true}),
                admin,
            )
            .await;
        let area = id_of(&area, StatusCode::OK);
        let slot = self
            .post_as(
                "/api/admin/delivery-slots",
                json!({"areaId": area, "weekday": "sunday", "startsAt": "10:00", "endsAt": "12:00", "capacity": 10, "active": true}),
                admin,
            )
            .await;
        (area, id_of(&slot, StatusCode::OK), id_of(&product, StatusCode::OK))
    }

    /// A cash order (confirmed at once; the app must run with `SABIL_CASH_ON_DELIVERY=true`) by the
    /// customer `me` of two packs from `shop`, to a new house at latitude 24.50 and `longitude`, for
    /// Sunday 2030-01-06, placed with the idempotency key `key`. Returns the placed order.
    pub async fn cash_order(&self, me: &str, (_, slot, product): &(String, String, String), longitude: f64, key: &str) -> Value {
        let address = self
            .post_as(
                "/api/addresses",
                json!({"type": "house", "label": key, "block": "3", "street": "Street 12", "house": "14A",
                       "location": {"latitude": 24.50, "longitude": longitude}}),
                me,
            )
            .await;
        let address = id_of(&address, StatusCode::CREATED);
        let added = self.post_as("/api/cart/items", json!({"productId": product, "quantity": 2}), me).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let resp = self
            .client
            .post("/api/cart/checkout")
            .header("authorization", format!("Bearer {me}"))
            .header("idempotency-key", key)
            .content_type("application/json")
            .body(json!({"delivery": {"addressId": address}, "slotId": slot, "date": "2030-01-06", "paymentMethod": "cash"}).to_string())
            .send()
            .await
            .0;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let placed: Value = serde_json::from_str(&resp.into_body().into_string().await.expect("body")).expect("json");
        assert_eq!(placed["status"], "confirmed", "{placed}");
        placed
    }

    /// Audit rows, newest first, as `kind|route|reason`.
    pub async fn audit(&self) -> Vec<String> {
        self.app
            .ports
            .audit
            .recent(100)
            .await
            .expect("audit readable")
            .into_iter()
            .map(|e| format!("{}|{}|{}", e.kind.as_str(), e.route, e.reason))
            .collect()
    }
}

/// The `id` of an answer that has the expected status.
fn id_of(a: &Answer, expected: StatusCode) -> String {
    assert_eq!(a.status, expected, "{}", a.body);
    token(&a.body, "id")
}

pub fn token(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or_else(|| panic!("{field} in {v}")).to_owned()
}

/// One test body run on SQLite and on PostgreSQL (skipped there when not configured).
macro_rules! api_test {
    ($name:ident, |$app:ident| $body:block) => {
        api_test!($name, &[], |$app| $body);
    };
    ($name:ident, $extra:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn case($app: $crate::harness::TestApp) $body

            #[tokio::test]
            async fn on_sqlite() {
                let app = $crate::harness::TestApp::start($crate::harness::Engine::Sqlite, $extra).await.expect("sqlite always runs");
                case(app).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                if let Some(app) = $crate::harness::TestApp::start($crate::harness::Engine::Postgres, $extra).await {
                    case(app).await;
                }
            }
        }
    };
}
pub(crate) use api_test;
