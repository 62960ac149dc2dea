//! A live connection's view of chat: the hub's feed, narrowed to what the participant may see (a
//! customer: their own conversations; support: every conversation), without their own typing.
use super::{ChatError, ChatService, Participant};
use crate::domain::chat::ChatSide;
use crate::ports::{ChatEvent, ChatEventKind, ChatFeed, FeedItem, FeedScope};

/// The events one participant receives while connected. A customer counts as online while their
/// session lives.
pub struct ChatSession {
    who: Participant,
    feed: Box<dyn ChatFeed>,
}

impl ChatService {
    /// Opens a live session for the participant; events published from now on reach it.
    ///
    /// # Errors
    /// `Unavailable` when the hub cannot be reached.
    pub async fn connect(&self, who: &Participant) -> Result<ChatSession, ChatError> {
        let scope = match who.side {
            ChatSide::Customer => FeedScope::Customer(who.user),
            ChatSide::Support => FeedScope::Everything,
        };
        let feed = self.hub.subscribe(scope).await.map_err(ChatError::Unavailable)?;
        Ok(ChatSession { who: *who, feed })
    }
}

impl ChatSession {
    /// Whose session it is.
    #[must_use]
    pub fn participant(&self) -> &Participant {
        &self.who
    }

    /// The next item the participant may see; `None` once the hub is gone. Cancel-safe.
    pub async fn next(&mut self) -> Option<FeedItem> {
        loop {
            match self.feed.next().await? {
                FeedItem::Missed => return Some(FeedItem::Missed),
                FeedItem::Event(event) if self.sees(&event) => return Some(FeedItem::Event(event)),
                FeedItem::Event(_) => {}
            }
        }
    }

    /// Whether the participant may see the event.
    #[must_use]
    pub fn sees(&self, event: &ChatEvent) -> bool {
        if self.who.side == ChatSide::Customer && event.customer_id != self.who.user {
            return false;
        }
        !matches!(event.kind, ChatEventKind::Typing { user, .. } if user == self.who.user)
    }
}
