//! Customer-support chat: customers start conversations and write in them; support agents (active
//! admins) see the queue, take conversations, reply and close them. Every message is stored first,
//! then announced through the `ChatHub` to the live connections of both sides; a support reply to a
//! customer with no live connection also writes a push request to the outbox, in the same transaction.
mod conversations;
mod messages;
mod session;

use std::sync::Arc;

use crate::domain::chat::{ChatMessageId, ChatSide, Conversation, ConversationId};
use crate::domain::{AccessClaims, Invalid, Role, Subject, UserId, UserStatus};
use crate::error::{GatewayError, RepoError};
use crate::ports::{ChatEvent, ChatEventKind, ChatHub, Ports};
use crate::services::FileService;
use crate::services::authorization::{AdminDenied, acting_admin};
use crate::services::files::FileError;

pub use conversations::QueueFilter;
pub use messages::ImagePermit;
pub use session::ChatSession;

/// Business outcomes of the chat use cases other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// The input breaks a rule (named by field, with a hint).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// No such conversation, or not one of the caller's.
    #[error("no such conversation")]
    NotFound,
    /// The conversation is closed and takes no more messages.
    #[error("the conversation is closed")]
    Closed,
    /// Only a customer may do this (start a conversation, list their own).
    #[error("only a customer may do this")]
    CustomersOnly,
    /// Only support (an active admin) may do this.
    #[error(transparent)]
    Denied(#[from] AdminDenied),
    /// The customer's account is blocked.
    #[error("the account is blocked")]
    AccountBlocked,
    /// The image could not be stored (too large, not an image, ...).
    #[error(transparent)]
    Image(#[from] FileError),
    /// The hub (Redis) could not be reached to open a live connection.
    #[error("live chat is unavailable: {0}")]
    Unavailable(GatewayError),
    /// The store failed; not a business outcome.
    #[error(transparent)]
    Storage(#[from] RepoError),
}

/// Someone taking part in chat, checked against the store: an active customer, or an active admin
/// acting as support. Only `ChatService::participant` makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Participant {
    user: UserId,
    side: ChatSide,
}

impl Participant {
    /// The customer's or agent's account.
    #[must_use]
    pub fn user(&self) -> UserId {
        self.user
    }

    /// `Customer` or `Support`.
    #[must_use]
    pub fn side(&self) -> ChatSide {
        self.side
    }
}

/// The chat use cases over the ports and the hub.
#[derive(Clone)]
pub struct ChatService {
    ports: Ports,
    hub: Arc<dyn ChatHub>,
    files: FileService,
    /// Messages this instance has recorded as delivered lately: every support connection receives
    /// every customer message, and only the first needs to write.
    delivered: Arc<RecentlyDelivered>,
}

/// A bounded set of message ids, oldest forgotten first.
#[derive(Default)]
struct RecentlyDelivered(std::sync::Mutex<(std::collections::HashSet<ChatMessageId>, std::collections::VecDeque<ChatMessageId>)>);

impl RecentlyDelivered {
    const CAPACITY: usize = 4_096;

    /// `true` the first time an id is seen (while it is remembered).
    fn first(&self, id: ChatMessageId) -> bool {
        let mut guard = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (set, order) = &mut *guard;
        if !set.insert(id) {
            return false;
        }
        order.push_back(id);
        if order.len() > Self::CAPACITY
            && let Some(old) = order.pop_front()
        {
            set.remove(&old);
        }
        true
    }
}

impl ChatService {
    /// The chat use cases; events go out through `hub`.
    #[must_use]
    pub fn new(ports: Ports, hub: Arc<dyn ChatHub>) -> Self {
        Self { files: FileService::new(ports.clone()), ports, hub, delivered: Arc::default() }
    }

    /// The caller as a chat participant: an active customer, or an active admin (support).
    ///
    /// # Errors
    /// `CustomersOnly` for SAP clients and unknown accounts, `AccountBlocked`, `Denied` for an admin
    /// token whose account is no longer an active admin, `Storage`.
    pub async fn participant(&self, actor: &AccessClaims) -> Result<Participant, ChatError> {
        let Subject::User(id) = actor.subject else { return Err(ChatError::CustomersOnly) };
        match actor.role {
            Role::Admin => Ok(Participant { user: acting_admin(&self.ports, actor).await?.id, side: ChatSide::Support }),
            Role::Customer => {
                let user = self.ports.users.get(id).await?.ok_or(ChatError::CustomersOnly)?;
                match (user.role, user.status) {
                    (Role::Customer, UserStatus::Active) => Ok(Participant { user: id, side: ChatSide::Customer }),
                    (_, UserStatus::Blocked) => Err(ChatError::AccountBlocked),
                    _ => Err(ChatError::CustomersOnly),
                }
            }
            Role::Sap => Err(ChatError::CustomersOnly),
        }
    }

    /// The conversation, if the participant may see it: support sees every one, a customer their own
    /// (another customer's is `NotFound`, so ids reveal nothing).
    async fn visible(&self, who: &Participant, id: ConversationId) -> Result<Conversation, ChatError> {
        let conversation = self.ports.chats.conversation(id).await?.ok_or(ChatError::NotFound)?;
        if who.side == ChatSide::Customer && conversation.customer_id != who.user {
            return Err(ChatError::NotFound);
        }
        Ok(conversation)
    }

    /// Support only.
    fn require_support(who: &Participant) -> Result<(), ChatError> {
        if who.side == ChatSide::Support { Ok(()) } else { Err(ChatError::Denied(AdminDenied::NotAdmin)) }
    }

    /// Tells the live connections; the change is already stored.
    async fn publish(&self, conversation: &Conversation, kind: ChatEventKind) {
        let event = ChatEvent { conversation_id: conversation.id, customer_id: conversation.customer_id, kind };
        self.hub.publish(&event).await;
    }
}

/// `NotFound` from a store means the conversation vanished.
fn missing(e: RepoError) -> ChatError {
    if e == RepoError::NotFound { ChatError::NotFound } else { ChatError::Storage(e) }
}
