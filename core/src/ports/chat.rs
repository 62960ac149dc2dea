//! Customer-support chat: the store of conversations and messages (`ChatRepository`), and the hub
//! that fans events out to every live connection on every instance and tracks who is connected
//! (`ChatHub`: in-process, or Redis pub/sub with presence keys).
use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::orders::OutboxMessage;
use crate::domain::chat::{ChatMessage, ChatMessageId, ChatSide, Conversation, ConversationId, ConversationStatus};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::{GatewayError, RepoError};

/// Whose conversations to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// Assigned or not.
    Any,
    /// Waiting for an agent.
    Unassigned,
    /// Assigned to this agent.
    To(UserId),
}

/// Which conversations to list: newest activity first (`last_message_at`, then id, both descending),
/// keyset-paged by conversation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationQuery {
    /// Only this customer's.
    pub customer: Option<UserId>,
    /// Only with this status.
    pub status: Option<ConversationStatus>,
    /// Only with this assignment.
    pub assignment: Assignment,
}

/// A message to store, with what comes with it in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChatMessage {
    /// The message; its `seq` is ignored (the store assigns the next number).
    pub message: ChatMessage,
    /// Assign the conversation to this agent when nobody has it yet (a support reply).
    pub assign_if_unassigned: Option<UserId>,
    /// Outbox messages written with it (the push to an offline customer).
    pub outbox: Vec<OutboxMessage>,
}

/// Which part of a conversation's history to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryQuery {
    /// Newest first, older than the cursor message (`None`: from the latest).
    Before(Option<ChatMessageId>),
    /// Oldest first, newer than this message (what a reconnecting client missed).
    After(ChatMessageId),
}

/// What marking messages read or delivered did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Messages newly marked.
    pub marked: u32,
    /// The latest message newly marked; `None` when nothing changed.
    pub up_to: Option<ChatMessageId>,
    /// The conversation afterwards (with its unread counts).
    pub conversation: Conversation,
}

/// Stores conversations and their messages.
#[async_trait]
pub trait ChatRepository: Send + Sync {
    /// Stores a new conversation (with `message_count`, unread counts zero) and its first message, in
    /// one transaction; returns both as stored.
    ///
    /// # Errors
    /// `Conflict` when an id is taken, the customer does not exist or the message's image is not a
    /// stored file.
    async fn start(&self, conversation: &Conversation, first: &NewChatMessage) -> Result<(Conversation, ChatMessage), RepoError>;

    /// The conversation with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, RepoError>;

    /// Conversations matching the query, newest activity first, after the cursor conversation (a
    /// conversation that gets a message while a client pages moves to the top).
    ///
    /// # Errors
    /// Storage failures only.
    async fn conversations(&self, query: &ConversationQuery, page: &PageRequest) -> Result<Page<Conversation>, RepoError>;

    /// Adds a message to an open conversation, in one transaction: the message with the next `seq`,
    /// the conversation's `last_message_at`, its unread count for the other side plus one, the
    /// assignment when asked and nobody has it, and the outbox messages. `None` (and nothing written)
    /// when the conversation is closed.
    ///
    /// # Errors
    /// `NotFound` for an unknown conversation; `Conflict` when the message id is taken or its image is
    /// not a stored file (nothing is written then, outbox included).
    async fn add_message(&self, new: &NewChatMessage) -> Result<Option<(Conversation, ChatMessage)>, RepoError>;

    /// The message with this id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn message(&self, id: ChatMessageId) -> Result<Option<ChatMessage>, RepoError>;

    /// Up to `limit` messages of the conversation (see `HistoryQuery` for the order); `next_cursor` is
    /// the last one's id when more follow. A cursor that is not a message of this conversation yields
    /// an empty page.
    ///
    /// # Errors
    /// Storage failures only.
    async fn messages(&self, conversation: ConversationId, query: HistoryQuery, limit: u32) -> Result<Page<ChatMessage>, RepoError>;

    /// `reader` reads the other side's messages up to `up_to` (every one when `None`): those not yet
    /// read get `read_at = at` (and `delivered_at = at` when not delivered), and `reader`'s unread count
    /// becomes the number of the other side's messages still unread.
    ///
    /// # Errors
    /// `NotFound` for an unknown conversation.
    async fn mark_read(
        &self,
        conversation: ConversationId,
        reader: ChatSide,
        up_to: Option<ChatMessageId>,
        at: OffsetDateTime,
    ) -> Result<Receipt, RepoError>;

    /// The other side's messages up to `up_to` reached a device of `recipient`: those not yet delivered
    /// get `delivered_at = at`.
    ///
    /// # Errors
    /// `NotFound` for an unknown conversation.
    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        recipient: ChatSide,
        up_to: ChatMessageId,
        at: OffsetDateTime,
    ) -> Result<Receipt, RepoError>;

    /// Assigns an open conversation to `agent` (replacing any other agent); `None` when it is closed.
    ///
    /// # Errors
    /// `NotFound` for an unknown conversation.
    async fn assign(&self, conversation: ConversationId, agent: UserId) -> Result<Option<Conversation>, RepoError>;

    /// Closes an open conversation at `at`; `None` when it was closed already (nothing changes).
    ///
    /// # Errors
    /// `NotFound` for an unknown conversation.
    async fn close(&self, conversation: ConversationId, at: OffsetDateTime) -> Result<Option<Conversation>, RepoError>;
}

/// Something that happened in a conversation, for the live connections of its participants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatEvent {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its customer: only their connections (and support's) receive the event.
    pub customer_id: UserId,
    /// What happened.
    pub kind: ChatEventKind,
}

/// The kinds of chat events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEventKind {
    /// A message was stored.
    Message(ChatMessage),
    /// Someone of `side` is typing.
    Typing { side: ChatSide, user: UserId },
    /// `reader` read the other side's messages up to `up_to`.
    Read { reader: ChatSide, up_to: ChatMessageId, at: OffsetDateTime },
    /// The other side's messages up to `up_to` reached a device of `recipient`.
    Delivered { recipient: ChatSide, up_to: ChatMessageId, at: OffsetDateTime },
    /// The conversation was started, assigned or closed: its new state.
    Conversation(Conversation),
}

/// One item of a live feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedItem {
    /// An event, shared by every feed it reaches.
    Event(Arc<ChatEvent>),
    /// Events may have been lost (a slow reader fell behind, or the link between instances broke):
    /// the client should read the history after its last message.
    Missed,
}

/// Which events a feed receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedScope {
    /// The events of this customer's conversations; the customer counts as online (on every
    /// instance) while the feed is open.
    Customer(UserId),
    /// Every event (support).
    Everything,
}

/// A live feed of the chat events of its scope published anywhere, from the moment it was opened.
#[async_trait]
pub trait ChatFeed: Send {
    /// The next item; `None` once the hub is gone. Cancel-safe: dropping the future loses nothing.
    async fn next(&mut self) -> Option<FeedItem>;
}

/// Fans chat events out to every connection, on every instance, and knows who is connected.
#[async_trait]
pub trait ChatHub: Send + Sync {
    /// Hands the event to every open feed, on this instance and the others. Best effort: a failure is
    /// logged, the event is already stored and clients catch up from history.
    async fn publish(&self, event: &ChatEvent);

    /// Opens a feed of the events of `scope`; a customer's feed makes them count as online (on every
    /// instance) until it is dropped.
    ///
    /// # Errors
    /// `Unavailable` when the hub cannot be reached.
    async fn subscribe(&self, scope: FeedScope) -> Result<Box<dyn ChatFeed>, GatewayError>;

    /// Whether the user has an open feed on any instance.
    ///
    /// # Errors
    /// `Unavailable` when that cannot be told (callers treat the user as offline).
    async fn is_online(&self, user: UserId) -> Result<bool, GatewayError>;
}
