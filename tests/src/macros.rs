//! `conformance!` states a repository behaviour once and makes one test of it per backend.

/// Generates a module named after the behaviour with one test per backend: `<name>::on_fakes`,
/// `<name>::on_sqlite` and `<name>::on_postgres` (skipped when PostgreSQL is not configured).
/// The case is a closure taking the backend's [`Stores`](crate::Stores):
///
/// ```text
/// conformance!(duplicate_phone_is_a_conflict, |stores| async move {
///     stores.users.create(&new_user("+96550001234")).await.expect("first");
///     assert!(matches!(stores.users.create(&new_user("+96550001234")).await, Err(RepoError::Conflict(_))));
/// });
/// ```
///
/// `conformance!(sql: name, |stores| async move { ... })` makes only the SQLite and PostgreSQL
/// tests, for stores that have no fake. Every test runs on a two-worker multi-thread runtime, so the
/// concurrency cases race for real.
#[macro_export]
macro_rules! conformance {
    (sql: $name:ident, $case:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                $crate::run_sql($crate::Backend::Sqlite, $case).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                $crate::run_sql($crate::Backend::Postgres, $case).await;
            }
        }
    };
    ($name:ident, $case:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_fakes() {
                $crate::run($crate::Backend::Fake, $case).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                $crate::run($crate::Backend::Sqlite, $case).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                $crate::run($crate::Backend::Postgres, $case).await;
            }
        }
    };
}
