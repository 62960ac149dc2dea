//! The Google service account FCM is called as: read from the JSON key file the Firebase console hands
//! out, and the RS256-signed JWT assertion that is exchanged for an access token at its `token_uri`.
//! The private key never reaches logs or `Debug` output, and a parse error never quotes the file.
use std::fmt;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

/// The scope the access token must carry to send messages.
pub const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// Google's token endpoint, when the key file names none.
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// How long an assertion is valid (Google accepts at most one hour).
const ASSERTION_LIFETIME: time::Duration = time::Duration::hours(1);

/// A service account able to sign assertions.
#[derive(Clone)]
pub struct ServiceAccount {
    /// `client_email`: the assertion's issuer.
    pub client_email: String,
    /// `project_id`, when the file has one (it does when downloaded from the Firebase console).
    pub project_id: Option<String>,
    /// `token_uri`: where assertions are exchanged (and the assertion's audience).
    pub token_uri: String,
    /// `private_key_id`, sent as the assertion's `kid`.
    key_id: Option<String>,
    key: EncodingKey,
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_email", &self.client_email)
            .field("project_id", &self.project_id)
            .field("token_uri", &self.token_uri)
            .field("private_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

impl ServiceAccount {
    /// Reads a service-account key file's JSON and checks that its key signs.
    ///
    /// # Errors
    /// What is wrong with it, in words that never quote the file's content.
    pub fn parse(json: &str) -> Result<Self, String> {
        // Read as a plain value first: serde's messages for a typed struct may quote field values.
        let value: Value = serde_json::from_str(json)
            .map_err(|e| format!("is not JSON (line {}, column {}); expected a service-account key file", e.line(), e.column()))?;
        let Value::Object(fields) = value else {
            return Err("is not a JSON object; expected a service-account key file".to_owned());
        };
        let text = |name: &str| -> Result<Option<String>, String> {
            match fields.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
                Some(_) => Err(format!("has a {name} that is not a string")),
            }
        };
        match text("type")?.as_deref() {
            None | Some("service_account") => {}
            Some(other) => {
                return Err(format!(
                    "is a {other:?} credential, not a service account (download one under Project settings → Service accounts)"
                ));
            }
        }
        let client_email = text("client_email")?.ok_or("has no client_email")?;
        let private_key = text("private_key")?.ok_or("has no private_key")?;
        let token_uri = text("token_uri")?.unwrap_or_else(|| DEFAULT_TOKEN_URI.to_owned());
        if !(token_uri.starts_with("https://") || token_uri.starts_with("http://")) || token_uri.contains(char::is_whitespace) {
            return Err("has a token_uri that is not an http(s) URL".to_owned());
        }
        let key = EncodingKey::from_rsa_pem(private_key.as_bytes())
            .map_err(|_| "has a private_key that is not an RSA private key in PEM form".to_owned())?;
        let account = Self { client_email, project_id: text("project_id")?, token_uri, key_id: text("private_key_id")?, key };
        // A key that parses may still be refused by the signer: find out now, not at the first push.
        account.assertion(OffsetDateTime::now_utc()).map_err(|_| "has a private_key that cannot sign (RS256)".to_owned())?;
        Ok(account)
    }

    /// The signed JWT assertion asking for a messaging token, issued at `now` and valid one hour.
    ///
    /// # Errors
    /// When the key cannot sign (checked once by `parse`).
    pub fn assertion(&self, now: OffsetDateTime) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid.clone_from(&self.key_id);
        let claims = AssertionClaims {
            iss: &self.client_email,
            scope: SCOPE,
            aud: &self.token_uri,
            iat: now.unix_timestamp(),
            exp: (now + ASSERTION_LIFETIME).unix_timestamp(),
        };
        jsonwebtoken::encode(&header, &claims, &self.key)
    }
}

#[cfg(test)]
pub(super) mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    /// The throwaway test key pair (see `testdata/README.md`).
    pub const TEST_KEY: &str = include_str!("testdata/test-key.pem");
    pub const TEST_PUBLIC_KEY: &str = include_str!("testdata/test-key.pub.pem");

    /// A service-account key file as the Firebase console hands it out, with `token_uri` pointing at `token_uri`.
    pub fn key_file(token_uri: &str) -> String {
        serde_json::json!({
            "type": "service_account",
            "project_id": "sabil-test",
            "private_key_id": "0123456789abcdef",
            "private_key": TEST_KEY,
            "client_email": "fcm-sender@sabil-test.iam.gserviceaccount.com",
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
        })
        .to_string()
    }

    #[test]
    fn a_console_key_file_is_read_with_its_project_and_token_uri() {
        let account = ServiceAccount::parse(&key_file("http://127.0.0.1:1/token")).expect("a valid key file");
        assert_eq!(account.client_email, "fcm-sender@sabil-test.iam.gserviceaccount.com");
        assert_eq!(account.project_id.as_deref(), Some("sabil-test"));
        assert_eq!(account.token_uri, "http://127.0.0.1:1/token");
        let shown = format!("{account:?}");
        assert!(!shown.contains("PRIVATE KEY") && shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn the_assertion_is_signed_for_the_token_uri_and_valid_one_hour() {
        let account = ServiceAccount::parse(&key_file("https://oauth2.example/token")).expect("a valid key file");
        let now = OffsetDateTime::now_utc();
        let jwt = account.assertion(now).expect("signs");
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.set_audience(&["https://oauth2.example/token"]);
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(TEST_PUBLIC_KEY.as_bytes()).expect("the public key");
        let data = jsonwebtoken::decode::<serde_json::Value>(&jwt, &key, &validation).expect("a valid signature");
        assert_eq!(data.header.kid.as_deref(), Some("0123456789abcdef"));
        assert_eq!(data.claims["iss"], "fcm-sender@sabil-test.iam.gserviceaccount.com");
        assert_eq!(data.claims["scope"], SCOPE);
        assert_eq!(data.claims["iat"], now.unix_timestamp());
        assert_eq!(data.claims["exp"], now.unix_timestamp() + 3600);
    }

    #[test]
    fn unusable_key_files_are_refused_without_quoting_them() {
        let good: Value = serde_json::from_str(&key_file(DEFAULT_TOKEN_URI)).expect("JSON");
        let with = |field: &str, value: Value| {
            let mut v = good.clone();
            v[field] = value;
            v.to_string()
        };
        let cases = [
            ("{not json".to_owned(), "is not JSON"),
            ("[1, 2]".to_owned(), "is not a JSON object"),
            (with("type", "authorized_user".into()), "not a service account"),
            (with("client_email", Value::Null), "has no client_email"),
            (with("private_key", Value::Null), "has no private_key"),
            (with("private_key", "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n".into()), "not an RSA private key"),
            (with("private_key", 42.into()), "not a string"),
            (with("token_uri", "ftp://example".into()), "token_uri"),
        ];
        for (json, expected) in cases {
            let err = ServiceAccount::parse(&json).expect_err(expected);
            assert!(err.contains(expected), "{expected}: {err}");
            assert!(!err.contains("c2VjcmV0") && !err.contains("BEGIN"), "{err}");
        }
    }
}
