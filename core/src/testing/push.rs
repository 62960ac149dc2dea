//! A push gateway that records what it is handed and answers as told.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use crate::error::GatewayError;
use crate::ports::{PushGateway, PushMessage, PushOutcome};

/// Records every push; can be told that tokens are unregistered, or to fail sends.
///
/// Answers, first match wins: the failure set for the message's token (`fail_token`), the failure
/// set for every send (`fail_with`), `TokenInvalid` for a token marked `invalidate`, else `Sent`
/// with a provider id `fake-push-N`.
#[derive(Debug, Default)]
pub struct RecordingPush(Mutex<PushState>);

#[derive(Debug, Default)]
struct PushState {
    /// Every message handed to `send`, with whether it was accepted.
    attempts: Vec<(PushMessage, bool)>,
    invalid: BTreeSet<String>,
    fail_with: Option<GatewayError>,
    fail_tokens: BTreeMap<String, GatewayError>,
}

impl RecordingPush {
    /// The pushes accepted so far, oldest first.
    #[must_use]
    pub fn sent(&self) -> Vec<PushMessage> {
        lock(&self.0).attempts.iter().filter(|(_, ok)| *ok).map(|(m, _)| m.clone()).collect()
    }

    /// The pushes accepted for `token`, oldest first.
    #[must_use]
    pub fn sent_to(&self, token: &str) -> Vec<PushMessage> {
        self.sent().into_iter().filter(|m| m.token == token).collect()
    }

    /// Every push handed to the gateway, accepted or not, oldest first.
    #[must_use]
    pub fn attempts(&self) -> Vec<PushMessage> {
        lock(&self.0).attempts.iter().map(|(m, _)| m.clone()).collect()
    }

    /// Answers `TokenInvalid` for `token` from now on (as FCM does for an uninstalled app).
    pub fn invalidate(&self, token: &str) {
        lock(&self.0).invalid.insert(token.to_owned());
    }

    /// Makes every following send fail with `error` (or answer normally again with `None`).
    pub fn fail_with(&self, error: Option<GatewayError>) {
        lock(&self.0).fail_with = error;
    }

    /// Makes every following send to `token` fail with `error` (or answer normally again with `None`).
    pub fn fail_token(&self, token: &str, error: Option<GatewayError>) {
        let mut state = lock(&self.0);
        match error {
            Some(e) => state.fail_tokens.insert(token.to_owned(), e),
            None => state.fail_tokens.remove(token),
        };
    }
}

#[async_trait]
impl PushGateway for RecordingPush {
    async fn send(&self, message: &PushMessage) -> Result<PushOutcome, GatewayError> {
        let mut state = lock(&self.0);
        let answer = if let Some(e) = state.fail_tokens.get(&message.token).or(state.fail_with.as_ref()) {
            Err(e.clone())
        } else if state.invalid.contains(&message.token) {
            Ok(PushOutcome::TokenInvalid { reason: "UNREGISTERED (fake)".to_owned() })
        } else {
            let n = state.attempts.iter().filter(|(_, ok)| *ok).count() + 1;
            Ok(PushOutcome::Sent { provider_id: format!("fake-push-{n}") })
        };
        state.attempts.push((message.clone(), matches!(answer, Ok(PushOutcome::Sent { .. }))));
        answer
    }

    fn name(&self) -> &'static str {
        "fake"
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    fn push(token: &str) -> PushMessage {
        PushMessage { token: token.to_owned(), title: "t".to_owned(), body: "b".to_owned(), data: BTreeMap::new() }
    }

    #[tokio::test]
    async fn it_answers_as_told_and_records_what_it_accepted() {
        let fake = RecordingPush::default();
        let down = GatewayError::Unavailable { message: "down".into(), retry_after: None };
        fake.invalidate("gone");
        fake.fail_token("flaky", Some(down.clone()));

        assert_eq!(fake.send(&push("a")).await, Ok(PushOutcome::Sent { provider_id: "fake-push-1".into() }));
        assert!(matches!(fake.send(&push("gone")).await, Ok(PushOutcome::TokenInvalid { .. })));
        assert_eq!(fake.send(&push("flaky")).await, Err(down.clone()));
        fake.fail_with(Some(down.clone()));
        assert_eq!(fake.send(&push("a")).await, Err(down));
        fake.fail_with(None);
        fake.fail_token("flaky", None);
        assert_eq!(fake.send(&push("flaky")).await, Ok(PushOutcome::Sent { provider_id: "fake-push-2".into() }));

        let tokens = |messages: Vec<PushMessage>| messages.into_iter().map(|m| m.token).collect::<Vec<_>>();
        assert_eq!(tokens(fake.sent()), ["a", "flaky"]);
        assert_eq!(tokens(fake.attempts()), ["a", "gone", "flaky", "a", "flaky"]);
        assert_eq!(tokens(fake.sent_to("a")), ["a"]);
    }
}
