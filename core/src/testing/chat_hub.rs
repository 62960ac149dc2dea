//! A chat hub in memory for service tests: records every published event, hands it to the open
//! feeds of its scope, and counts a customer online while their feed lives (or when a test says so).
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::poll_fn;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Poll, Waker};

use async_trait::async_trait;

use super::lock;
use crate::domain::UserId;
use crate::error::GatewayError;
use crate::ports::{ChatEvent, ChatFeed, ChatHub, FeedItem, FeedScope};

#[derive(Default)]
struct Queue {
    items: VecDeque<FeedItem>,
    waker: Option<Waker>,
}

#[derive(Default)]
struct HubState {
    published: Vec<ChatEvent>,
    present: HashMap<UserId, usize>,
    marked_online: HashSet<UserId>,
    feeds: Vec<(FeedScope, Weak<Mutex<Queue>>)>,
    unavailable: bool,
}

/// The hub fake; see the module docs.
#[derive(Default, Clone)]
pub struct RecordingChatHub(Arc<Mutex<HubState>>);

impl RecordingChatHub {
    /// Every event published, in order.
    #[must_use]
    pub fn published(&self) -> Vec<ChatEvent> {
        lock(&self.0).published.clone()
    }

    /// Counts `user` online (or not) without a feed, as a connection on another instance would.
    pub fn set_online(&self, user: UserId, online: bool) {
        let mut state = lock(&self.0);
        if online {
            state.marked_online.insert(user);
        } else {
            state.marked_online.remove(&user);
        }
    }

    /// Whether `user` counts as online now (what `is_online` answers while the hub is available).
    #[must_use]
    pub fn is_online_now(&self, user: UserId) -> bool {
        let state = lock(&self.0);
        state.present.contains_key(&user) || state.marked_online.contains(&user)
    }

    /// Makes `subscribe` and `is_online` fail, as with Redis down.
    pub fn set_unavailable(&self, unavailable: bool) {
        lock(&self.0).unavailable = unavailable;
    }

    /// Tells every open feed that events may have been lost.
    pub fn lose_events(&self) {
        self.deliver(&FeedItem::Missed);
    }

    /// Hands the item to the feeds whose scope covers it (every feed for `Missed`).
    fn deliver(&self, item: &FeedItem) {
        let mut state = lock(&self.0);
        state.feeds.retain(|(_, f)| f.strong_count() > 0);
        let covers = |scope: &FeedScope| match (scope, item) {
            (FeedScope::Customer(user), FeedItem::Event(e)) => e.customer_id == *user,
            _ => true,
        };
        for feed in state.feeds.iter().filter(|(scope, _)| covers(scope)).filter_map(|(_, f)| f.upgrade()) {
            let mut queue = lock(&feed);
            queue.items.push_back(item.clone());
            if let Some(w) = queue.waker.take() {
                w.wake();
            }
        }
    }
}

struct RecordingFeed {
    queue: Arc<Mutex<Queue>>,
    hub: RecordingChatHub,
    scope: FeedScope,
}

impl Drop for RecordingFeed {
    fn drop(&mut self) {
        if let FeedScope::Customer(user) = self.scope {
            let mut state = lock(&self.hub.0);
            if let Some(n) = state.present.get_mut(&user) {
                *n -= 1;
                if *n == 0 {
                    state.present.remove(&user);
                }
            }
        }
    }
}

#[async_trait]
impl ChatFeed for RecordingFeed {
    async fn next(&mut self) -> Option<FeedItem> {
        poll_fn(|cx| {
            let mut queue = lock(&self.queue);
            match queue.items.pop_front() {
                Some(item) => Poll::Ready(Some(item)),
                None => {
                    queue.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }
}

fn down() -> GatewayError {
    GatewayError::Unavailable { message: "the test made the chat hub unavailable".into(), retry_after: None }
}

#[async_trait]
impl ChatHub for RecordingChatHub {
    async fn publish(&self, event: &ChatEvent) {
        lock(&self.0).published.push(event.clone());
        self.deliver(&FeedItem::Event(Arc::new(event.clone())));
    }

    async fn subscribe(&self, scope: FeedScope) -> Result<Box<dyn ChatFeed>, GatewayError> {
        let mut state = lock(&self.0);
        if state.unavailable {
            return Err(down());
        }
        let queue = Arc::new(Mutex::new(Queue::default()));
        state.feeds.push((scope, Arc::downgrade(&queue)));
        if let FeedScope::Customer(user) = scope {
            *state.present.entry(user).or_default() += 1;
        }
        Ok(Box::new(RecordingFeed { queue, hub: self.clone(), scope }))
    }

    async fn is_online(&self, user: UserId) -> Result<bool, GatewayError> {
        if lock(&self.0).unavailable {
            return Err(down());
        }
        Ok(self.is_online_now(user))
    }
}
