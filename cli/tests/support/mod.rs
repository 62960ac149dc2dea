//! Runs the real `sabil` binary against a fresh database: a SQLite file in a temporary data directory,
//! or a fresh PostgreSQL database on `SABIL_TEST_POSTGRES_URL` (dropped at the end).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The demo admin `demo load` creates.
pub const DEMO_ADMIN: &str = "+96500000001";

/// One database and data directory for one test.
pub struct Sabil {
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
    url: Option<String>,
}

impl Sabil {
    /// A fresh SQLite data directory.
    pub fn sqlite() -> Self {
        Self { dir: tempfile::tempdir().expect("dir"), postgres: None, url: None }
    }

    /// A fresh PostgreSQL database; `None` when `SABIL_TEST_POSTGRES_URL` is unset (and not required).
    pub async fn postgres() -> Option<Self> {
        let admin_url = match std::env::var("SABIL_TEST_POSTGRES_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ if std::env::var("SABIL_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => panic!("SABIL_TEST_POSTGRES_URL is required"),
            _ => return None,
        };
        let name = format!("sabil_cli_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::connect(&admin_url).await.expect("PostgreSQL reachable");
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.expect("database created");
        let _ = admin.close().await;
        let (base, query) = admin_url.split_once('?').map_or((admin_url.as_str(), None), |(b, q)| (b, Some(q)));
        let base = &base[..base.rfind('/').expect("a URL with a path")];
        let url = format!("{base}/{name}{}", query.map_or_else(String::new, |q| format!("?{q}")));
        Some(Self { dir: tempfile::tempdir().expect("dir"), postgres: Some((admin_url.clone(), name)), url: Some(url) })
    }

    /// Runs `sabil args...` with `stdin` and extra environment variables.
    pub fn run_with(&self, args: &[&str], stdin: Option<&str>, extra: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sabil"));
        cmd.env_clear().env("SABIL_DATA_DIR", self.dir.path()).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        if let Some(url) = &self.url {
            cmd.env("SABIL_DATABASE_URL", url);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = cmd.spawn().expect("sabil runs");
        if let Some(input) = stdin {
            child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
        }
        child.wait_with_output().expect("output")
    }

    /// Runs `sabil args...`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, None, &[])
    }

    /// Runs `sabil args...`, which must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "sabil {args:?} failed: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// Runs `sabil args...`, which must succeed; its standard output as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap_or_else(|e| panic!("sabil {args:?} printed no JSON: {e}"))
    }

    /// Runs `sabil args...`, which must fail with one line on stderr; that line.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "sabil {args:?} succeeded: {}", text(&out.stdout));
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "one line on stderr for {args:?}: {err}");
        err
    }

    /// A file in the data directory.
    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Sabil {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let dropped = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut admin).await.ok();
                let _ = admin.close().await;
                dropped
            })
        });
        let _ = dropper.join();
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
