//! Conversations: a customer starts one with a first message and lists their own; support lists the
//! queue, takes a conversation and closes it.
use uuid::Uuid;

use super::{ChatError, ChatService, Participant, missing};
use crate::domain::chat::{ChatContent, ChatMessage, ChatMessageId, ChatSide, Conversation, ConversationId, ConversationStatus};
use crate::domain::{Invalid, Page, PageRequest};
use crate::ports::{Assignment, ChatEventKind, ConversationQuery, NewChatMessage};

/// Which conversations of the queue an agent lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFilter {
    /// `Open` for the working queue; `None` for every status.
    pub status: Option<ConversationStatus>,
    /// Only those waiting for an agent.
    pub unassigned: bool,
    /// Only those assigned to the calling agent.
    pub mine: bool,
}

impl ChatService {
    /// Starts a conversation with its first message (customers only). A blank subject counts as none.
    ///
    /// # Errors
    /// `CustomersOnly`, `Invalid` (an `imageId` that is not an uploaded file), `Storage`.
    pub async fn start(
        &self,
        who: &Participant,
        subject: Option<String>,
        content: ChatContent,
    ) -> Result<(Conversation, ChatMessage), ChatError> {
        if who.side != ChatSide::Customer {
            return Err(ChatError::CustomersOnly);
        }
        self.check_image(&content).await?;
        let now = self.ports.clock.now();
        let conversation = Conversation {
            id: ConversationId(Uuid::now_v7()),
            customer_id: who.user,
            subject,
            status: ConversationStatus::Open,
            assigned_to: None,
            message_count: 0,
            customer_unread: 0,
            support_unread: 0,
            created_at: now,
            last_message_at: now,
            closed_at: None,
        };
        let message = ChatMessage {
            id: ChatMessageId(Uuid::now_v7()),
            conversation_id: conversation.id,
            seq: 0,
            sender: ChatSide::Customer,
            sender_id: who.user,
            content,
            sent_at: now,
            delivered_at: None,
            read_at: None,
        };
        let first = NewChatMessage { message, assign_if_unassigned: None, outbox: vec![] };
        let (conversation, message) = self.ports.chats.start(&conversation, &first).await?;
        self.publish(&conversation, ChatEventKind::Conversation(conversation.clone())).await;
        self.publish(&conversation, ChatEventKind::Message(message.clone())).await;
        Ok((conversation, message))
    }

    /// The calling customer's conversations, newest activity first (customers only).
    ///
    /// # Errors
    /// `CustomersOnly`, `Storage`.
    pub async fn my_conversations(&self, who: &Participant, page: &PageRequest) -> Result<Page<Conversation>, ChatError> {
        if who.side != ChatSide::Customer {
            return Err(ChatError::CustomersOnly);
        }
        let query = ConversationQuery { customer: Some(who.user), status: None, assignment: Assignment::Any };
        Ok(self.ports.chats.conversations(&query, page).await?)
    }

    /// Support's queue, newest activity first (support only).
    ///
    /// # Errors
    /// `Denied`, `Invalid` when both `unassigned` and `mine` are asked for, `Storage`.
    pub async fn queue(&self, who: &Participant, filter: QueueFilter, page: &PageRequest) -> Result<Page<Conversation>, ChatError> {
        Self::require_support(who)?;
        let assignment = match (filter.unassigned, filter.mine) {
            (true, true) => {
                return Err(Invalid::field("mine", "cannot be combined with unassigned", "Ask for unassigned or mine, not both.").into());
            }
            (true, false) => Assignment::Unassigned,
            (false, true) => Assignment::To(who.user),
            (false, false) => Assignment::Any,
        };
        let query = ConversationQuery { customer: None, status: filter.status, assignment };
        Ok(self.ports.chats.conversations(&query, page).await?)
    }

    /// One conversation: a customer's own, or any for support.
    ///
    /// # Errors
    /// `NotFound`, `Storage`.
    pub async fn conversation(&self, who: &Participant, id: ConversationId) -> Result<Conversation, ChatError> {
        self.visible(who, id).await
    }

    /// The calling agent takes an open conversation, from the queue or from another agent (support only).
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Closed`, `Storage`.
    pub async fn assign_to_me(&self, who: &Participant, id: ConversationId) -> Result<Conversation, ChatError> {
        Self::require_support(who)?;
        let before = self.visible(who, id).await?;
        if before.assigned_to == Some(who.user) && before.status == ConversationStatus::Open {
            return Ok(before);
        }
        let conversation = self.ports.chats.assign(id, who.user).await.map_err(missing)?.ok_or(ChatError::Closed)?;
        self.publish(&conversation, ChatEventKind::Conversation(conversation.clone())).await;
        Ok(conversation)
    }

    /// Closes a conversation (support only); closing a closed one changes nothing.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Storage`.
    pub async fn close(&self, who: &Participant, id: ConversationId) -> Result<Conversation, ChatError> {
        Self::require_support(who)?;
        let before = self.visible(who, id).await?;
        match self.ports.chats.close(id, self.ports.clock.now()).await.map_err(missing)? {
            Some(conversation) => {
                self.publish(&conversation, ChatEventKind::Conversation(conversation.clone())).await;
                Ok(conversation)
            }
            None => Ok(self.ports.chats.conversation(id).await?.unwrap_or(before)),
        }
    }
}
