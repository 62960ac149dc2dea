//! The chat hub: fans chat events out to the live connections and tracks who is connected. In one
//! process (the default) tokio broadcast channels (one for support, one per connected customer); with `SABIL_REDIS_URL`,
//! events also travel between instances over Redis pub/sub and presence is kept in Redis hashes
//! with a time to live that live connections keep refreshing (see `redis_hub`).
mod redis_hub;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sabil_core::domain::UserId;
use sabil_core::error::GatewayError;
use sabil_core::ports::{ChatEvent, ChatFeed, ChatHub, FeedItem, FeedScope};
use tokio::sync::broadcast;

pub use self::redis_hub::RedisChatHub;

/// Events support's feeds may fall behind by before they are told they missed some.
const SUPPORT_BACKLOG: usize = 4_096;
/// The same for one customer's feeds (they only get their own conversations' events).
const CUSTOMER_BACKLOG: usize = 256;

/// Called when a customer's last local feed closes.
type OnGone = Arc<dyn Fn(UserId) + Send + Sync>;

/// A customer's channel on this instance and how many feeds read it.
struct CustomerChannel {
    feeds: usize,
    events: broadcast::Sender<FeedItem>,
}

/// The customers connected to this instance, each with the channel of their events.
#[derive(Default)]
struct Customers(Mutex<HashMap<UserId, CustomerChannel>>);

impl Customers {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, CustomerChannel>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A receiver of the customer's channel, counting one more feed.
    fn arrive(&self, user: UserId) -> broadcast::Receiver<FeedItem> {
        let mut map = self.map();
        let channel = map.entry(user).or_insert_with(|| CustomerChannel { feeds: 0, events: broadcast::channel(CUSTOMER_BACKLOG).0 });
        channel.feeds += 1;
        channel.events.subscribe()
    }

    /// Counts one feed less; `true` when it was the customer's last here.
    fn leave(&self, user: UserId) -> bool {
        let mut map = self.map();
        match map.get_mut(&user) {
            Some(c) if c.feeds > 1 => {
                c.feeds -= 1;
                false
            }
            Some(_) => {
                map.remove(&user);
                true
            }
            None => false,
        }
    }

    fn here(&self, user: UserId) -> bool {
        self.map().contains_key(&user)
    }

    fn users(&self) -> Vec<UserId> {
        self.map().keys().copied().collect()
    }

    fn channel(&self, user: UserId) -> Option<broadcast::Sender<FeedItem>> {
        self.map().get(&user).map(|c| c.events.clone())
    }

    fn channels(&self) -> Vec<broadcast::Sender<FeedItem>> {
        self.map().values().map(|c| c.events.clone()).collect()
    }
}

/// Keeps a customer connected while a feed lives.
struct PresenceGuard {
    customers: Arc<Customers>,
    user: UserId,
    on_gone: Option<OnGone>,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if self.customers.leave(self.user)
            && let Some(on_gone) = &self.on_gone
        {
            on_gone(self.user);
        }
    }
}

struct LocalFeed {
    events: broadcast::Receiver<FeedItem>,
    _presence: Option<PresenceGuard>,
}

#[async_trait]
impl ChatFeed for LocalFeed {
    async fn next(&mut self) -> Option<FeedItem> {
        match self.events.recv().await {
            Ok(item) => Some(item),
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                tracing::warn!(skipped, "a chat connection fell behind; it is told to catch up from history");
                Some(FeedItem::Missed)
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// The in-process hub: support's feeds get every event published in this process, a customer's
/// feeds the events of their conversations (so an event wakes only the connections it concerns).
#[derive(Clone)]
pub struct LocalChatHub {
    support: broadcast::Sender<FeedItem>,
    customers: Arc<Customers>,
}

impl Default for LocalChatHub {
    fn default() -> Self {
        Self { support: broadcast::channel(SUPPORT_BACKLOG).0, customers: Arc::default() }
    }
}

impl LocalChatHub {
    /// Hands an item to this process's feeds it concerns (having none is fine); `Missed` to all.
    fn deliver(&self, item: FeedItem) {
        match &item {
            FeedItem::Event(event) => {
                if let Some(channel) = self.customers.channel(event.customer_id) {
                    let _ = channel.send(item.clone());
                }
            }
            FeedItem::Missed => {
                for channel in self.customers.channels() {
                    let _ = channel.send(FeedItem::Missed);
                }
            }
        }
        let _ = self.support.send(item);
    }

    fn open(&self, scope: FeedScope, on_gone: Option<OnGone>) -> LocalFeed {
        match scope {
            FeedScope::Everything => LocalFeed { events: self.support.subscribe(), _presence: None },
            FeedScope::Customer(user) => {
                let events = self.customers.arrive(user);
                LocalFeed { events, _presence: Some(PresenceGuard { customers: self.customers.clone(), user, on_gone }) }
            }
        }
    }
}

#[async_trait]
impl ChatHub for LocalChatHub {
    async fn publish(&self, event: &ChatEvent) {
        self.deliver(FeedItem::Event(Arc::new(event.clone())));
    }

    async fn subscribe(&self, scope: FeedScope) -> Result<Box<dyn ChatFeed>, GatewayError> {
        Ok(Box::new(self.open(scope, None)))
    }

    async fn is_online(&self, user: UserId) -> Result<bool, GatewayError> {
        Ok(self.customers.here(user))
    }
}

#[cfg(test)]
mod tests {
    use sabil_core::domain::chat::{ChatSide, ConversationId};
    use sabil_core::ports::ChatEventKind;
    use uuid::Uuid;

    use super::*;

    fn typing(customer: UserId) -> ChatEvent {
        ChatEvent {
            conversation_id: ConversationId(Uuid::now_v7()),
            customer_id: customer,
            kind: ChatEventKind::Typing { side: ChatSide::Support, user: UserId(Uuid::now_v7()) },
        }
    }

    async fn pending(feed: &mut Box<dyn ChatFeed>) -> Option<FeedItem> {
        tokio::time::timeout(std::time::Duration::from_millis(20), feed.next()).await.ok().flatten()
    }

    #[tokio::test]
    async fn support_gets_every_event_and_a_customer_only_their_own() {
        let hub = LocalChatHub::default();
        let (alia, badr) = (UserId(Uuid::now_v7()), UserId(Uuid::now_v7()));
        let mut support = hub.subscribe(FeedScope::Everything).await.unwrap();
        let mut hers = hub.subscribe(FeedScope::Customer(alia)).await.unwrap();
        hub.publish(&typing(badr)).await;
        hub.publish(&typing(alia)).await;
        assert!(matches!(pending(&mut hers).await, Some(FeedItem::Event(e)) if e.customer_id == alia), "not his");
        assert!(pending(&mut hers).await.is_none());
        assert!(matches!(pending(&mut support).await, Some(FeedItem::Event(e)) if e.customer_id == badr));
        assert!(matches!(pending(&mut support).await, Some(FeedItem::Event(e)) if e.customer_id == alia));
    }

    #[tokio::test]
    async fn a_customer_is_online_while_any_of_their_feeds_is_open() {
        let hub = LocalChatHub::default();
        let user = UserId(Uuid::now_v7());
        assert!(!hub.is_online(user).await.unwrap());
        let first = hub.subscribe(FeedScope::Customer(user)).await.unwrap();
        let second = hub.subscribe(FeedScope::Customer(user)).await.unwrap();
        let support = hub.subscribe(FeedScope::Everything).await.unwrap();
        drop(first);
        assert!(hub.is_online(user).await.unwrap(), "one feed is still open");
        drop(second);
        assert!(!hub.is_online(user).await.unwrap());
        drop(support);
    }

    #[tokio::test]
    async fn a_feed_that_falls_behind_is_told_it_missed_events() {
        let hub = LocalChatHub::default();
        let user = UserId(Uuid::now_v7());
        let mut slow = hub.subscribe(FeedScope::Customer(user)).await.unwrap();
        for _ in 0..=CUSTOMER_BACKLOG {
            hub.publish(&typing(user)).await;
        }
        assert_eq!(slow.next().await, Some(FeedItem::Missed));
        assert!(matches!(slow.next().await, Some(FeedItem::Event(_))), "then it goes on with what is left");
    }
}
