//! The push settings: the Firebase service account pushes are sent as (none: the local stand-in that
//! keeps them in the database for `sabil push list`). The key file is read and its key tried here, so a
//! bad file stops the start (and `sabil config check`) with one line naming the variable.
use std::path::PathBuf;
use std::time::Duration;

use super::{ConfigError, Env};
use crate::gateways::fcm::{DEFAULT_BASE_URL, FcmConfig, ServiceAccount};

/// Firebase Cloud Messaging.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SABIL_FCM_CREDENTIALS_FILE` | none: the local stand-in | the service-account key file (JSON) from the Firebase console |
/// | `SABIL_FCM_CREDENTIALS_JSON` | none | the same JSON inline, instead of the file (never shown) |
/// | `SABIL_FCM_PROJECT_ID` | the key file's `project_id` | the Firebase project pushes are sent in |
/// | `SABIL_FCM_BASE_URL` | `https://fcm.googleapis.com` | FCM's API (tests point it at a local fake) |
/// | `SABIL_FCM_TIMEOUT_MS` | `10000` | limit for connecting and for each whole call, 1..=120000 |
pub(super) fn fcm(env: &Env<'_>) -> Result<Option<FcmConfig>, ConfigError> {
    const FILE: &str = "SABIL_FCM_CREDENTIALS_FILE";
    const JSON: &str = "SABIL_FCM_CREDENTIALS_JSON";
    let (account, var, credentials_file) = match (env.get(FILE), env.get(JSON)) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => return Err(Env::err(JSON, format!("must not be set together with {FILE} (set one)"))),
        (Some(path), None) => {
            let json = std::fs::read_to_string(path).map_err(|e| Env::err(FILE, format!("cannot read {path:?}: {e}")))?;
            let account = ServiceAccount::parse(&json).map_err(|problem| Env::err(FILE, format!("{path:?} {problem}")))?;
            (account, FILE, Some(PathBuf::from(path)))
        }
        (None, Some(json)) => (ServiceAccount::parse(json).map_err(|problem| Env::err(JSON, problem))?, JSON, None),
    };
    let project_id = match env.get("SABIL_FCM_PROJECT_ID").map(str::to_owned).or_else(|| account.project_id.clone()) {
        Some(id) => id,
        None => return Err(Env::err("SABIL_FCM_PROJECT_ID", format!("is required: the credentials of {var} name no project_id"))),
    };
    if !project_id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_')) {
        return Err(Env::err("SABIL_FCM_PROJECT_ID", format!("{project_id:?} is not a Firebase project id")));
    }
    let base_url = env.get("SABIL_FCM_BASE_URL").unwrap_or(DEFAULT_BASE_URL).trim_end_matches('/').to_owned();
    let host = base_url.strip_prefix("https://").or_else(|| base_url.strip_prefix("http://"));
    if host.is_none_or(|h| h.is_empty() || h.starts_with('/')) || base_url.contains(['?', '#', ' ', '@']) {
        return Err(Env::err("SABIL_FCM_BASE_URL", format!("{base_url:?} is not an http(s) URL without credentials, query or fragment")));
    }
    let timeout_ms: u64 = env.parse("SABIL_FCM_TIMEOUT_MS", 10_000, "a number of milliseconds")?;
    if timeout_ms == 0 || timeout_ms > 120_000 {
        return Err(Env::err("SABIL_FCM_TIMEOUT_MS", "must be between 1 and 120000 milliseconds"));
    }
    Ok(Some(FcmConfig { account, project_id, base_url, timeout: Duration::from_millis(timeout_ms), credentials_file }))
}

/// The effective push settings for `sabil config check`, the inline credentials redacted.
pub(super) fn redacted(fcm: Option<&FcmConfig>) -> Vec<(&'static str, String)> {
    let unused = || "(unused)".to_owned();
    vec![
        (
            "SABIL_FCM_CREDENTIALS_FILE",
            match fcm {
                None => "(none: local push stand-in, see `sabil push list`)".to_owned(),
                Some(c) => c.credentials_file.as_ref().map_or_else(unused, |p| format!("{} ({})", p.display(), c.account.client_email)),
            },
        ),
        (
            "SABIL_FCM_CREDENTIALS_JSON",
            match fcm {
                Some(c) if c.credentials_file.is_none() => format!("(set, redacted; {})", c.account.client_email),
                _ => "(none)".to_owned(),
            },
        ),
        ("SABIL_FCM_PROJECT_ID", fcm.map_or_else(unused, |c| c.project_id.clone())),
        ("SABIL_FCM_BASE_URL", fcm.map_or_else(unused, |c| c.base_url.clone())),
        ("SABIL_FCM_TIMEOUT_MS", fcm.map_or_else(unused, |c| c.timeout.as_millis().to_string())),
    ]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use std::collections::HashMap;

    use super::super::Config;
    use super::*;
    use crate::gateways::fcm::DEFAULT_TOKEN_URI;

    const KEY: &str = include_str!("../gateways/fcm/testdata/test-key.pem");

    fn key_file(project_id: Option<&str>) -> String {
        let mut json = serde_json::json!({
            "type": "service_account",
            "private_key_id": "0123456789abcdef",
            "private_key": KEY,
            "client_email": "fcm-sender@sabil-test.iam.gserviceaccount.com",
        });
        if let Some(id) = project_id {
            json["project_id"] = id.into();
        }
        json.to_string()
    }

    fn read(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(&vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<HashMap<_, _>>())
    }

    #[test]
    fn without_credentials_pushes_go_to_the_local_stand_in() {
        let c = read(&[]).expect("defaults are valid");
        assert!(c.fcm.is_none());
        assert!(c.redacted().iter().any(|(k, v)| *k == "SABIL_FCM_CREDENTIALS_FILE" && v.contains("local push stand-in")));
    }

    #[test]
    fn a_key_file_selects_fcm_with_its_project_and_google_token_uri() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("firebase.json");
        std::fs::write(&path, key_file(Some("sabil-prod"))).expect("write the key file");
        let c =
            read(&[("SABIL_FCM_CREDENTIALS_FILE", path.to_str().expect("a UTF-8 path")), ("SABIL_FCM_TIMEOUT_MS", "2500")]).expect("valid");
        let fcm = c.fcm.as_ref().expect("FCM configured");
        assert_eq!((fcm.project_id.as_str(), fcm.base_url.as_str()), ("sabil-prod", "https://fcm.googleapis.com"));
        assert_eq!((fcm.account.token_uri.as_str(), fcm.timeout), (DEFAULT_TOKEN_URI, Duration::from_millis(2500)));
        assert_eq!(fcm.credentials_file.as_deref(), Some(path.as_path()));
    }

    #[test]
    fn inline_credentials_need_a_project_and_never_show() {
        let inline = key_file(None);
        let err = read(&[("SABIL_FCM_CREDENTIALS_JSON", &inline)]).expect_err("no project");
        assert_eq!(err.var, "SABIL_FCM_PROJECT_ID");
        let c = read(&[
            ("SABIL_FCM_CREDENTIALS_JSON", &inline),
            ("SABIL_FCM_PROJECT_ID", "sabil-test"),
            ("SABIL_FCM_BASE_URL", "http://127.0.0.1:9/"),
        ])
        .expect("valid");
        assert_eq!(c.fcm.as_ref().map(|f| f.base_url.as_str()), Some("http://127.0.0.1:9"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("PRIVATE KEY") && shown.contains("(set, redacted; fcm-sender@"), "{shown}");
    }

    #[test]
    fn unusable_credentials_stop_the_start_naming_the_variable() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let garbage = folder.path().join("garbage.json");
        std::fs::write(&garbage, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n").expect("write");
        let missing = folder.path().join("missing.json");
        let (garbage, missing) = (garbage.display().to_string(), missing.display().to_string());
        let file = "SABIL_FCM_CREDENTIALS_FILE";
        // (variables, the variable named, the problem)
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: [Case<'_>; 6] = [
            (&[(file, &missing)], file, "cannot read"),
            (&[(file, &garbage)], file, "is not JSON"),
            (
                &[("SABIL_FCM_CREDENTIALS_JSON", r#"{"type": "service_account", "client_email": "a@b"}"#)],
                "SABIL_FCM_CREDENTIALS_JSON",
                "no private_key",
            ),
            (&[(file, &missing), ("SABIL_FCM_CREDENTIALS_JSON", "{}")], "SABIL_FCM_CREDENTIALS_JSON", "together"),
            (&[("SABIL_FCM_CREDENTIALS_JSON", &key_file(Some("a/b")))], "SABIL_FCM_PROJECT_ID", "not a Firebase project id"),
            (&[("SABIL_FCM_CREDENTIALS_JSON", &key_file(Some("p"))), ("SABIL_FCM_TIMEOUT_MS", "0")], "SABIL_FCM_TIMEOUT_MS", "between"),
        ];
        for (vars, var, problem) in cases {
            let err = read(vars).expect_err(problem);
            assert_eq!(err.var, var, "{err}");
            assert!(err.to_string().contains(problem) && !err.to_string().contains("c2VjcmV0"), "{err}");
        }
    }
}
