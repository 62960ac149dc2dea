//! The real `sabil-api` binary as an operator runs it: first start on a fresh data directory,
//! refusing bad settings, graceful shutdown on SIGTERM, and native TLS with reload on SIGHUP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    base: String,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().danger_accept_invalid_certs(true).tls_info(true).timeout(Duration::from_secs(30)).build().expect("client")
}

async fn start(scheme: &str, extra: &[(&str, String)]) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sabil-api"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SABIL_DATA_DIR", dir.path())
        .env("SABIL_BIND", format!("127.0.0.1:{port}"))
        .env("SABIL_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("sabil-api starts");
    let server = Server { child, base: format!("{scheme}://127.0.0.1:{port}"), dir };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client().get(format!("{}/readyz", server.base)).send().await
            && r.status() == 200
        {
            return server;
        }
        assert!(Instant::now() < deadline, "sabil-api did not become ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill").args([format!("-{name}"), child.id().to_string()]).status().expect("kill runs").success();
    assert!(ok, "signal {name} delivered");
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("status") {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not stop in time");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn a_first_start_creates_the_database_and_the_development_key_and_says_where_the_docs_are() {
    let mut server = start("http", &[]).await;
    assert!(server.dir.path().join("sabil.db").exists());
    assert!(server.dir.path().join("jwt-secret").exists());
    let docs = client().get(format!("{}/docs", server.base)).send().await.expect("docs");
    assert_eq!(docs.status(), 200);
    let spec = client().get(format!("{}/openapi.json", server.base)).send().await.expect("spec");
    let spec: serde_json::Value = spec.json().await.expect("json");
    assert_eq!(spec["paths"]["/auth/register"]["post"]["operationId"], "register");
    signal(&server.child, "TERM");
    assert!(wait_exit(&mut server.child, Duration::from_secs(10)).success());
    let mut out = String::new();
    std::io::Read::read_to_string(server.child.stdout.as_mut().expect("stdout"), &mut out).expect("stdout");
    assert!(out.contains("docs: http://127.0.0.1:"), "{out}");
    assert!(out.contains("demo customer: phone +96500000002"), "{out}");
}

#[test]
fn a_bad_setting_stops_the_start_with_one_line_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_sabil-api")).env_clear().env("SABIL_BIND", "localhost").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("SABIL_BIND") && err.contains("example: SABIL_BIND="), "{err}");
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let mut server = start("http", &[]).await;
    // Registrations hash a password (argon2, a couple per core at a time), so a burst stays in
    // flight for a while; 25 stays under the per-address allowance of code requests.
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..25 {
        let url = format!("{}/api/auth/register", server.base);
        requests.spawn(async move {
            let body = serde_json::json!({"phone": format!("+9655100{i:04}"), "fullName": "Ali", "password": "water-for-the-mosque"});
            let status = client().post(url).json(&body).send().await.map(|r| r.status().as_u16());
            (status, Instant::now())
        });
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let signalled = Instant::now();
    signal(&server.child, "TERM");
    let answers: Vec<_> = requests.join_all().await;
    assert!(answers.iter().all(|(s, _)| matches!(s, Ok(202))), "every accepted request was answered: {answers:?}");
    let after_signal = answers.iter().filter(|(_, at)| *at > signalled).count();
    assert!(after_signal > 0, "the burst was over before SIGTERM, so nothing was in flight");
    assert!(wait_exit(&mut server.child, Duration::from_secs(30)).success());
}

fn self_signed(name: &str) -> (String, String) {
    let certified = rcgen::generate_simple_self_signed(vec![name.to_owned(), "localhost".to_owned()]).expect("certificate");
    (certified.cert.pem(), certified.signing_key.serialize_pem())
}

async fn peer_certificate(base: &str) -> (Vec<u8>, Option<String>) {
    let resp = client().get(format!("{base}/healthz")).send().await.expect("https answers");
    let hsts = resp.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let der =
        resp.extensions().get::<reqwest::tls::TlsInfo>().and_then(|i| i.peer_certificate().map(<[u8]>::to_vec)).expect("peer certificate");
    (der, hsts)
}

#[tokio::test]
async fn tls_is_served_natively_and_the_certificate_reloads_on_sighup() {
    let tls_dir = tempfile::tempdir().expect("dir");
    let (cert_path, key_path) = (tls_dir.path().join("cert.pem"), tls_dir.path().join("key.pem"));
    let (cert, key) = self_signed("first.sabil.test");
    std::fs::write(&cert_path, &cert).expect("write");
    std::fs::write(&key_path, &key).expect("write");
    let server =
        start("https", &[("SABIL_TLS_CERT", cert_path.display().to_string()), ("SABIL_TLS_KEY", key_path.display().to_string())]).await;
    let (first, hsts) = peer_certificate(&server.base).await;
    assert!(hsts.is_some_and(|h| h.contains("max-age=")), "HSTS over TLS");

    let (cert, key) = self_signed("second.sabil.test");
    std::fs::write(&cert_path, &cert).expect("write");
    std::fs::write(&key_path, &key).expect("write");
    signal(&server.child, "HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (now, _) = peer_certificate(&server.base).await;
        if now != first {
            break;
        }
        assert!(Instant::now() < deadline, "the new certificate was not picked up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
