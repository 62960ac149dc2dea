//! A fresh PostgreSQL database per test, named `sabil_test_<uuid>` so parallel tests never share one,
//! created on the server named by `SABIL_TEST_POSTGRES_URL` and dropped (best effort) when the test ends.
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use uuid::Uuid;

/// The server to create test databases on.
const URL_VAR: &str = "SABIL_TEST_POSTGRES_URL";
/// Set to `1` (CI does) to fail instead of skipping when `SABIL_TEST_POSTGRES_URL` is unset.
const REQUIRE_VAR: &str = "SABIL_REQUIRE_POSTGRES";

/// A database that exists for one test and is dropped with this value.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database; `None` when PostgreSQL is not configured and not required.
    ///
    /// # Panics
    /// When PostgreSQL is required but not configured, or the server refuses.
    pub async fn create() -> Option<Self> {
        let admin_url = match std::env::var(URL_VAR) {
            Ok(url) if !url.trim().is_empty() => url,
            _ if std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1") => panic!(
                "{REQUIRE_VAR}=1 but {URL_VAR} is not set: point it at a server where the tests may create databases, \
                 e.g. {URL_VAR}=postgres://postgres@127.0.0.1:5432/postgres"
            ),
            _ => return None,
        };
        let name = format!("sabil_test_{}", Uuid::now_v7().simple());
        let mut admin =
            PgConnection::connect(&admin_url).await.unwrap_or_else(|e| panic!("cannot connect to {URL_VAR} ({}): {e}", redact(&admin_url)));
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let _ = admin.close().await;
        let url = with_database(&admin_url, &name);
        Some(Self { admin_url, name, url })
    }

    /// The URL of the test database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, where nothing can be awaited: drop the database from a
        // thread of its own with a small runtime, and wait for it so the process does not exit first.
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                let dropped = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut admin).await.ok();
                let _ = admin.close().await;
                dropped
            })
        });
        if !matches!(dropper.join(), Ok(Some(_))) {
            eprintln!("could not drop the test database {}; remove it by hand", self.name);
        }
    }
}

/// `url` with its database (the path) replaced by `database`; the query string is kept.
#[must_use]
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end], &rest[at..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_of_a_url_is_replaced_and_the_rest_kept() {
        assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"), "postgres://postgres@127.0.0.1:5432/t1");
        assert_eq!(with_database("postgres://u:p@db:5432", "t1"), "postgres://u:p@db:5432/t1");
        assert_eq!(with_database("postgresql://u@db/app?sslmode=disable", "t1"), "postgresql://u@db/t1?sslmode=disable");
        assert_eq!(with_database("postgres://u@db/?sslmode=require", "t1"), "postgres://u@db/t1?sslmode=require");
    }

    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(redact("postgres://u:secret@db:5432/app"), "postgres://u:***@db:5432/app");
        assert_eq!(redact("postgres://u@db/app"), "postgres://u@db/app");
    }
}
