//! Chat conversations and messages in memory, behaving as the SQL store does (checked by the
//! conformance suite): the customer and image must exist, `seq` counts up per conversation, unread
//! counts follow the messages, and a message's outbox messages are written with it or not at all.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::accounts::page_of;
use super::{InMemoryFiles, InMemoryOutbox, InMemoryUsers, lock};
use crate::domain::chat::{ChatMessage, ChatMessageId, ChatSide, Conversation, ConversationId, ConversationStatus};
use crate::domain::{Page, PageRequest, UserId};
use crate::error::RepoError;
use crate::ports::{Assignment, ChatRepository, ConversationQuery, FileRepository, HistoryQuery, NewChatMessage, Receipt, UserRepository};

#[derive(Default)]
struct State {
    conversations: BTreeMap<Uuid, Conversation>,
    /// Every message, in the order stored.
    messages: Vec<ChatMessage>,
}

/// Chat in memory, sharing the user, file and outbox fakes of the world.
pub struct InMemoryChats {
    state: Mutex<State>,
    users: Arc<InMemoryUsers>,
    files: Arc<InMemoryFiles>,
    outbox: Arc<InMemoryOutbox>,
}

impl InMemoryChats {
    #[must_use]
    pub fn new(users: Arc<InMemoryUsers>, files: Arc<InMemoryFiles>, outbox: Arc<InMemoryOutbox>) -> Self {
        Self { state: Mutex::default(), users, files, outbox }
    }

    /// Checks what the SQL store's constraints check, before anything is written.
    async fn check_refs(&self, new: &NewChatMessage) -> Result<(), RepoError> {
        if let Some(image) = new.message.content.image
            && self.files.get(image).await?.is_none()
        {
            return Err(RepoError::Conflict("chat_messages.image_id".into()));
        }
        Ok(())
    }

    fn append(&self, state: &mut State, new: &NewChatMessage) -> Result<(Conversation, ChatMessage), RepoError> {
        let id = new.message.conversation_id.0;
        if state.messages.iter().any(|m| m.id == new.message.id) {
            return Err(RepoError::Conflict("chat_messages.id".into()));
        }
        let conversation = state.conversations.get_mut(&id).ok_or(RepoError::NotFound)?;
        conversation.message_count += 1;
        conversation.last_message_at = new.message.sent_at;
        match new.message.sender {
            ChatSide::Customer => conversation.support_unread += 1,
            ChatSide::Support => conversation.customer_unread += 1,
        }
        if conversation.assigned_to.is_none() {
            conversation.assigned_to = new.assign_if_unassigned;
        }
        let message = ChatMessage { seq: conversation.message_count, ..new.message.clone() };
        let after = conversation.clone();
        state.messages.push(message.clone());
        for m in &new.outbox {
            self.outbox.push(m, new.message.sent_at);
        }
        Ok((after, message))
    }
}

/// The message's number in its conversation, if it is a message of that conversation.
fn seq_of(state: &State, conversation: ConversationId, id: ChatMessageId) -> Option<u64> {
    state.messages.iter().find(|m| m.id == id && m.conversation_id == conversation).map(|m| m.seq)
}

fn matches(c: &Conversation, q: &ConversationQuery) -> bool {
    q.customer.is_none_or(|u| c.customer_id == u)
        && q.status.is_none_or(|s| c.status == s)
        && match q.assignment {
            Assignment::Any => true,
            Assignment::Unassigned => c.assigned_to.is_none(),
            Assignment::To(agent) => c.assigned_to == Some(agent),
        }
}

/// Marks the other side's messages up to `limit` with `set`, returning how many changed and the latest.
fn mark(
    state: &mut State,
    conversation: ConversationId,
    side: ChatSide,
    limit: Option<u64>,
    mut set: impl FnMut(&mut ChatMessage) -> bool,
) -> (u32, Option<ChatMessageId>) {
    let mut marked = 0;
    let mut latest: Option<(u64, ChatMessageId)> = None;
    for m in state.messages.iter_mut().filter(|m| m.conversation_id == conversation && m.sender == side.other()) {
        if limit.is_some_and(|l| m.seq <= l) && set(m) {
            marked += 1;
            if latest.is_none_or(|(s, _)| m.seq > s) {
                latest = Some((m.seq, m.id));
            }
        }
    }
    (marked, latest.map(|(_, id)| id))
}

#[async_trait]
impl ChatRepository for InMemoryChats {
    async fn start(&self, conversation: &Conversation, first: &NewChatMessage) -> Result<(Conversation, ChatMessage), RepoError> {
        if self.users.get(conversation.customer_id).await?.is_none() {
            return Err(RepoError::Conflict("chat_conversations.customer_id".into()));
        }
        self.check_refs(first).await?;
        let mut state = lock(&self.state);
        if state.conversations.contains_key(&conversation.id.0) || state.messages.iter().any(|m| m.id == first.message.id) {
            return Err(RepoError::Conflict("chat_conversations.id".into()));
        }
        let fresh = Conversation { message_count: 0, customer_unread: 0, support_unread: 0, ..conversation.clone() };
        state.conversations.insert(conversation.id.0, fresh);
        self.append(&mut state, first)
    }

    async fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, RepoError> {
        Ok(lock(&self.state).conversations.get(&id.0).cloned())
    }

    async fn conversations(&self, query: &ConversationQuery, page: &PageRequest) -> Result<Page<Conversation>, RepoError> {
        let state = lock(&self.state);
        let key = |c: &Conversation| (c.last_message_at, c.id);
        let after = match page.cursor {
            None => None,
            Some(cursor) => match state.conversations.get(&cursor) {
                Some(c) => Some(key(c)),
                None => return Ok(Page { items: vec![], next_cursor: None }),
            },
        };
        let mut items: Vec<Conversation> =
            state.conversations.values().filter(|c| matches(c, query) && after.is_none_or(|a| key(c) < a)).cloned().collect();
        items.sort_by_key(|c| std::cmp::Reverse(key(c)));
        items.truncate(page.limit as usize + 1);
        Ok(page_of(items, page.limit, |c| c.id.0))
    }

    async fn add_message(&self, new: &NewChatMessage) -> Result<Option<(Conversation, ChatMessage)>, RepoError> {
        let id = new.message.conversation_id.0;
        match lock(&self.state).conversations.get(&id) {
            None => return Err(RepoError::NotFound),
            Some(c) if c.status == ConversationStatus::Closed => return Ok(None),
            Some(_) => {}
        }
        self.check_refs(new).await?;
        let mut state = lock(&self.state);
        // Checked again under the lock: it may have been closed meanwhile.
        if state.conversations.get(&id).is_some_and(|c| c.status == ConversationStatus::Closed) {
            return Ok(None);
        }
        self.append(&mut state, new).map(Some)
    }

    async fn message(&self, id: ChatMessageId) -> Result<Option<ChatMessage>, RepoError> {
        Ok(lock(&self.state).messages.iter().find(|m| m.id == id).cloned())
    }

    async fn messages(&self, conversation: ConversationId, query: HistoryQuery, limit: u32) -> Result<Page<ChatMessage>, RepoError> {
        let state = lock(&self.state);
        let of_conversation = state.messages.iter().filter(|m| m.conversation_id == conversation);
        let mut items: Vec<ChatMessage> = match query {
            HistoryQuery::Before(None) => of_conversation.cloned().collect(),
            HistoryQuery::Before(Some(cursor)) => match seq_of(&state, conversation, cursor) {
                Some(s) => of_conversation.filter(|m| m.seq < s).cloned().collect(),
                None => vec![],
            },
            HistoryQuery::After(after) => match seq_of(&state, conversation, after) {
                Some(s) => of_conversation.filter(|m| m.seq > s).cloned().collect(),
                None => vec![],
            },
        };
        match query {
            HistoryQuery::Before(_) => items.sort_by_key(|m| std::cmp::Reverse(m.seq)),
            HistoryQuery::After(_) => items.sort_by_key(|m| m.seq),
        }
        items.truncate(limit as usize + 1);
        Ok(page_of(items, limit, |m| m.id.0))
    }

    async fn mark_read(
        &self,
        conversation: ConversationId,
        reader: ChatSide,
        up_to: Option<ChatMessageId>,
        at: OffsetDateTime,
    ) -> Result<Receipt, RepoError> {
        let mut state = lock(&self.state);
        if !state.conversations.contains_key(&conversation.0) {
            return Err(RepoError::NotFound);
        }
        let limit = match up_to {
            None => Some(u64::MAX),
            Some(id) => seq_of(&state, conversation, id),
        };
        let (marked, latest) = mark(&mut state, conversation, reader, limit, |m| {
            if m.read_at.is_some() {
                return false;
            }
            m.read_at = Some(at);
            m.delivered_at.get_or_insert(at);
            true
        });
        let unread = state
            .messages
            .iter()
            .filter(|m| m.conversation_id == conversation && m.sender == reader.other() && m.read_at.is_none())
            .count();
        let unread = u32::try_from(unread).unwrap_or(u32::MAX);
        let c = state.conversations.get_mut(&conversation.0).ok_or(RepoError::NotFound)?;
        match reader {
            ChatSide::Customer => c.customer_unread = unread,
            ChatSide::Support => c.support_unread = unread,
        }
        Ok(Receipt { marked, up_to: latest, conversation: c.clone() })
    }

    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        recipient: ChatSide,
        up_to: ChatMessageId,
        at: OffsetDateTime,
    ) -> Result<Receipt, RepoError> {
        let mut state = lock(&self.state);
        let Some(c) = state.conversations.get(&conversation.0).cloned() else { return Err(RepoError::NotFound) };
        let limit = seq_of(&state, conversation, up_to);
        let (marked, latest) = mark(&mut state, conversation, recipient, limit, |m| {
            let fresh = m.delivered_at.is_none();
            if fresh {
                m.delivered_at = Some(at);
            }
            fresh
        });
        Ok(Receipt { marked, up_to: latest, conversation: c })
    }

    async fn assign(&self, conversation: ConversationId, agent: UserId) -> Result<Option<Conversation>, RepoError> {
        let mut state = lock(&self.state);
        let c = state.conversations.get_mut(&conversation.0).ok_or(RepoError::NotFound)?;
        if c.status == ConversationStatus::Closed {
            return Ok(None);
        }
        c.assigned_to = Some(agent);
        Ok(Some(c.clone()))
    }

    async fn close(&self, conversation: ConversationId, at: OffsetDateTime) -> Result<Option<Conversation>, RepoError> {
        let mut state = lock(&self.state);
        let c = state.conversations.get_mut(&conversation.0).ok_or(RepoError::NotFound)?;
        if c.status == ConversationStatus::Closed {
            return Ok(None);
        }
        c.status = ConversationStatus::Closed;
        c.closed_at = Some(at);
        Ok(Some(c.clone()))
    }
}
