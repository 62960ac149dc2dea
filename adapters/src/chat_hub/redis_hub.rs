//! The chat hub across instances: events go to this instance's feeds at once and to the other
//! instances over Redis pub/sub; presence is a Redis hash per user (`sabil:chat:online:<user>`, one
//! field per instance holding when its claim expires), refreshed by every instance for its live
//! connections, so any instance can tell whether a customer is connected anywhere. A crashed
//! instance's claims lapse within `PRESENCE_TTL`.
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures_util::StreamExt as _;
use redis::aio::ConnectionManager;
use sabil_core::domain::UserId;
use sabil_core::error::GatewayError;
use sabil_core::ports::{ChatEvent, ChatFeed, ChatHub, FeedItem, FeedScope};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::wire::Envelope;
use super::{LocalChatHub, OnGone};

/// The channel chat events travel on between instances.
const CHANNEL: &str = "sabil:chat:events";
/// How long an instance's claim that a user is connected lasts without a refresh.
const PRESENCE_TTL: Duration = Duration::from_secs(30);
/// How often live claims are refreshed (well within the TTL).
const REFRESH_EVERY: Duration = Duration::from_secs(10);
/// The longest a Redis call may hold up a request.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);

fn presence_key(user: UserId) -> String {
    format!("sabil:chat:online:{}", user.0)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn unavailable(message: impl std::fmt::Display) -> GatewayError {
    GatewayError::Unavailable { message: format!("redis: {message}"), retry_after: None }
}

/// Runs a Redis call with the time limit.
async fn call<T>(f: impl Future<Output = redis::RedisResult<T>>) -> Result<T, GatewayError> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(unavailable(e)),
        Err(_) => Err(unavailable("no answer in time")),
    }
}

/// The hub over Redis; see the module docs.
#[derive(Clone)]
pub struct RedisChatHub {
    local: LocalChatHub,
    conn: ConnectionManager,
    /// This instance's name in presence hashes and on the channel.
    instance: Uuid,
}

impl RedisChatHub {
    /// Connects, starts listening for other instances' events (waiting up to five seconds for the
    /// subscription, so events published right after start are heard) and starts refreshing presence.
    ///
    /// # Errors
    /// A description when the URL is invalid or Redis cannot be reached.
    pub async fn connect(url: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| e.to_string())?;
        let conn = ConnectionManager::new(client.clone()).await.map_err(|e| e.to_string())?;
        let hub = Self { local: LocalChatHub::default(), conn, instance: Uuid::now_v7() };
        let (subscribed, ready) = oneshot::channel();
        tokio::spawn(listen(client, hub.local.clone(), hub.instance, subscribed));
        if tokio::time::timeout(Duration::from_secs(5), ready).await.is_err() {
            tracing::warn!("the chat event listener has not subscribed yet; it keeps trying");
        }
        tokio::spawn(refresh_presence(hub.clone()));
        Ok(hub)
    }

    /// Claims (or renews the claim) that the users are connected here.
    async fn claim(&self, users: &[UserId]) -> Result<(), GatewayError> {
        if users.is_empty() {
            return Ok(());
        }
        let until = now_ms() + i64::try_from(PRESENCE_TTL.as_millis()).unwrap_or(i64::MAX);
        let ttl_ms = u64::try_from(PRESENCE_TTL.as_millis()).unwrap_or(u64::MAX);
        let mut pipe = redis::pipe();
        for user in users {
            let key = presence_key(*user);
            pipe.cmd("HSET").arg(&key).arg(self.instance.to_string()).arg(until).ignore();
            pipe.cmd("PEXPIRE").arg(&key).arg(ttl_ms).ignore();
        }
        let mut conn = self.conn.clone();
        call(pipe.query_async::<()>(&mut conn)).await
    }

    /// Withdraws this instance's claim for a user whose last connection here closed (unless one
    /// opened again meanwhile).
    fn on_gone(&self) -> OnGone {
        let hub = self.clone();
        Arc::new(move |user| {
            let hub = hub.clone();
            tokio::spawn(async move {
                if hub.local.customers.here(user) {
                    return;
                }
                let mut conn = hub.conn.clone();
                let mut withdraw = redis::cmd("HDEL");
                withdraw.arg(presence_key(user)).arg(hub.instance.to_string());
                if let Err(e) = call(withdraw.query_async::<i64>(&mut conn)).await {
                    tracing::warn!(error = %e, "could not withdraw a chat presence claim; it lapses by itself");
                }
            });
        })
    }
}

/// Renews this instance's claims for its connected users until the process ends.
async fn refresh_presence(hub: RedisChatHub) {
    let mut every = tokio::time::interval(REFRESH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = hub.claim(&hub.local.customers.users()).await {
            tracing::warn!(error = %e, "could not renew chat presence claims");
        }
    }
}

/// Hands other instances' events to this instance's feeds, reconnecting after failures; after a
/// reconnection the feeds are told they may have missed events.
async fn listen(client: redis::Client, local: LocalChatHub, instance: Uuid, subscribed: oneshot::Sender<()>) {
    let mut subscribed = Some(subscribed);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(CHANNEL).await {
                Ok(()) => {
                    match subscribed.take() {
                        Some(ready) => {
                            let _ = ready.send(());
                        }
                        None => local.deliver(FeedItem::Missed),
                    }
                    let mut messages = pubsub.on_message();
                    while let Some(msg) = messages.next().await {
                        let payload: String = match msg.get_payload() {
                            Ok(p) => p,
                            Err(e) => {
                                tracing::warn!(error = %e, "unreadable chat event payload");
                                continue;
                            }
                        };
                        match serde_json::from_str::<Envelope>(&payload).map_err(|e| e.to_string()).and_then(|envelope| {
                            if envelope.origin == instance { Ok(None) } else { envelope.into_event().map(Some).map_err(|e| e.to_string()) }
                        }) {
                            Ok(Some(event)) => local.deliver(FeedItem::Event(Arc::new(event))),
                            Ok(None) => {}
                            Err(e) => tracing::warn!(error = %e, "unreadable chat event from another instance"),
                        }
                    }
                    tracing::warn!("lost the chat event subscription; reconnecting");
                }
                Err(e) => tracing::warn!(error = %e, "could not subscribe to chat events"),
            },
            Err(e) => tracing::warn!(error = %e, "the chat event listener cannot reach Redis"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[async_trait]
impl ChatHub for RedisChatHub {
    async fn publish(&self, event: &ChatEvent) {
        // This instance's connections hear it at once; the others through the channel.
        self.local.deliver(FeedItem::Event(Arc::new(event.clone())));
        let payload = match serde_json::to_string(&Envelope::new(self.instance, event)) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "could not encode a chat event");
                return;
            }
        };
        let mut conn = self.conn.clone();
        if let Err(e) = call(redis::cmd("PUBLISH").arg(CHANNEL).arg(payload).query_async::<i64>(&mut conn)).await {
            tracing::warn!(error = %e, "could not pass a chat event to other instances; their clients catch up from history");
        }
    }

    async fn subscribe(&self, scope: FeedScope) -> Result<Box<dyn ChatFeed>, GatewayError> {
        let feed = self.local.open(scope, Some(self.on_gone()));
        if let FeedScope::Customer(user) = scope {
            // Claimed at once (not at the next refresh), so a reply sent right after the connection
            // opened finds the customer online on every instance.
            self.claim(&[user]).await?;
        }
        Ok(Box::new(feed))
    }

    async fn is_online(&self, user: UserId) -> Result<bool, GatewayError> {
        if self.local.customers.here(user) {
            return Ok(true);
        }
        let mut conn = self.conn.clone();
        let claims: Vec<i64> = call(redis::cmd("HVALS").arg(presence_key(user)).query_async(&mut conn)).await?;
        let now = now_ms();
        Ok(claims.into_iter().any(|until| until > now))
    }
}
