//! Messages: sending (text, or an uploaded image), reading the history (paged back from the latest,
//! or forward after a message for a client that reconnects), read and delivered receipts, typing.
use uuid::Uuid;

use super::{ChatError, ChatService, Participant, missing};
use crate::domain::chat::{ChatContent, ChatMessage, ChatMessageId, ChatSide, Conversation, ConversationId, ConversationStatus};
use crate::domain::files::FileId;
use crate::domain::notifications::NotificationEvent;
use crate::domain::{Invalid, Page};
use crate::ports::{ChatEvent, ChatEventKind, HistoryQuery, NewChatMessage, OutboxMessage, Receipt};
use crate::services::files::{FileError, Uploader};

/// Proof that a participant may post an image in a conversation, checked before the upload is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePermit {
    who: Participant,
    conversation: Conversation,
}

impl ChatService {
    /// Sends a message in a conversation: a customer in their own, support in any (which assigns an
    /// unassigned conversation to the replying agent). When support replies and the customer has no
    /// live connection, a push request goes to the outbox with the message.
    ///
    /// # Errors
    /// `NotFound`, `Closed`, `Invalid` (an `imageId` that is not an uploaded file), `Storage`.
    pub async fn send(&self, who: &Participant, id: ConversationId, content: ChatContent) -> Result<ChatMessage, ChatError> {
        let conversation = self.visible(who, id).await?;
        self.check_image(&content).await?;
        self.store(who, &conversation, content).await
    }

    /// Checks that the participant may post an image in the conversation (before reading the upload).
    ///
    /// # Errors
    /// `NotFound`, `Closed`, `Storage`.
    pub async fn authorize_image(&self, who: &Participant, id: ConversationId) -> Result<ImagePermit, ChatError> {
        let conversation = self.visible(who, id).await?;
        if conversation.status == ConversationStatus::Closed {
            return Err(ChatError::Closed);
        }
        Ok(ImagePermit { who: *who, conversation })
    }

    /// Stores an uploaded image in the files store and sends it as a message, with an optional caption.
    ///
    /// # Errors
    /// `Image` (too large, not a JPEG/PNG/WebP image), `Invalid` (caption too long), `Closed`, `Storage`.
    pub async fn send_image(&self, permit: &ImagePermit, bytes: &[u8], caption: Option<&str>) -> Result<ChatMessage, ChatError> {
        // The caption is checked before the bytes are stored, so a refused caption leaves no file behind.
        ChatContent::parse(caption, Some(FileId(Uuid::nil())))?;
        let file = self.files.upload(&Uploader::authorized_by_service(permit.who.user), bytes).await?;
        let content = ChatContent::parse(caption, Some(file.id))?;
        self.store(&permit.who, &permit.conversation, content).await
    }

    async fn store(&self, who: &Participant, conversation: &Conversation, content: ChatContent) -> Result<ChatMessage, ChatError> {
        if conversation.status == ConversationStatus::Closed {
            return Err(ChatError::Closed);
        }
        let message = ChatMessage {
            id: ChatMessageId(Uuid::now_v7()),
            conversation_id: conversation.id,
            seq: 0,
            sender: who.side,
            sender_id: who.user,
            content,
            sent_at: self.ports.clock.now(),
            delivered_at: None,
            read_at: None,
        };
        let support = who.side == ChatSide::Support;
        let outbox = if support && !self.online(conversation).await {
            let event = NotificationEvent::ChatReply { conversation_id: conversation.id.0, message_id: message.id.0 };
            vec![OutboxMessage::Notify { user_id: conversation.customer_id, event }]
        } else {
            vec![]
        };
        let new = NewChatMessage { message, assign_if_unassigned: support.then_some(who.user), outbox };
        let (after, message) = self.ports.chats.add_message(&new).await.map_err(missing)?.ok_or(ChatError::Closed)?;
        self.publish(&after, ChatEventKind::Message(message.clone())).await;
        if after.assigned_to != conversation.assigned_to {
            self.publish(&after, ChatEventKind::Conversation(after.clone())).await;
        }
        Ok(message)
    }

    /// Whether the customer has a live connection; when that cannot be told, they are taken to be
    /// offline (a push too many beats a reply never noticed).
    async fn online(&self, conversation: &Conversation) -> bool {
        self.hub.is_online(conversation.customer_id).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not tell whether a customer is connected to chat; sending a push");
            false
        })
    }

    pub(super) async fn check_image(&self, content: &ChatContent) -> Result<(), ChatError> {
        let Some(image) = content.image else { return Ok(()) };
        match self.files.require_image(image).await {
            Ok(_) => Ok(()),
            Err(FileError::NotFound) => {
                Err(Invalid::field("imageId", "is not an uploaded file", "Send the image to POST .../images, or use an id it returned.")
                    .into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A page of a conversation's history. Reading it counts as delivery of the other side's messages
    /// in the page (they are marked and a delivered receipt goes out).
    ///
    /// # Errors
    /// `NotFound`, `Invalid` (a cursor or `after` that is not a message of this conversation), `Storage`.
    pub async fn history(
        &self,
        who: &Participant,
        id: ConversationId,
        query: HistoryQuery,
        limit: u32,
    ) -> Result<Page<ChatMessage>, ChatError> {
        let conversation = self.visible(who, id).await?;
        match query {
            HistoryQuery::Before(Some(cursor)) => self.check_message(id, cursor, "cursor").await?,
            HistoryQuery::After(after) => self.check_message(id, after, "after").await?,
            HistoryQuery::Before(None) => {}
        }
        let mut page = self.ports.chats.messages(id, query, limit).await?;
        let undelivered = page.items.iter().filter(|m| m.sender != who.side && m.delivered_at.is_none()).max_by_key(|m| m.seq).cloned();
        if let Some(latest) = undelivered {
            let now = self.ports.clock.now();
            let receipt = self.ports.chats.mark_delivered(id, who.side, latest.id, now).await.map_err(missing)?;
            for m in page.items.iter_mut().filter(|m| m.sender != who.side && m.seq <= latest.seq && m.delivered_at.is_none()) {
                m.delivered_at = Some(now);
            }
            self.announce_delivery(&conversation, who.side, &receipt, now).await;
        }
        Ok(page)
    }

    async fn check_message(&self, conversation: ConversationId, id: ChatMessageId, field: &str) -> Result<(), ChatError> {
        match self.ports.chats.message(id).await? {
            Some(m) if m.conversation_id == conversation => Ok(()),
            _ => {
                Err(Invalid::field(field, "is not a message of this conversation", "Use a message id from this conversation's history.")
                    .into())
            }
        }
    }

    /// Marks the other side's messages read up to `up_to` (all of them when `None`) and tells the other
    /// side (a read receipt) when any was unread.
    ///
    /// # Errors
    /// `NotFound`, `Invalid` (an `upToMessageId` that is not a message of this conversation), `Storage`.
    pub async fn mark_read(&self, who: &Participant, id: ConversationId, up_to: Option<ChatMessageId>) -> Result<Receipt, ChatError> {
        let conversation = self.visible(who, id).await?;
        if let Some(up_to) = up_to {
            self.check_message(id, up_to, "upToMessageId").await?;
        }
        let at = self.ports.clock.now();
        let receipt = self.ports.chats.mark_read(id, who.side, up_to, at).await.map_err(missing)?;
        if let Some(up_to) = receipt.up_to {
            self.publish(&conversation, ChatEventKind::Read { reader: who.side, up_to, at }).await;
        }
        Ok(receipt)
    }

    /// A message of the other side reached a live connection of the participant: marks it (and the
    /// earlier ones) delivered and tells the sender's side. Events of one's own side, or of someone
    /// else's conversation, change nothing.
    ///
    /// # Errors
    /// `Storage`.
    pub async fn delivered(&self, who: &Participant, event: &ChatEvent) -> Result<(), ChatError> {
        let crate::ports::ChatEventKind::Message(message) = &event.kind else { return Ok(()) };
        let foreign = who.side == ChatSide::Customer && event.customer_id != who.user;
        if message.sender == who.side || message.delivered_at.is_some() || foreign || !self.delivered.first(message.id) {
            return Ok(());
        }
        let now = self.ports.clock.now();
        let receipt = match self.ports.chats.mark_delivered(event.conversation_id, who.side, message.id, now).await {
            Ok(receipt) => receipt,
            Err(crate::error::RepoError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        self.announce_delivery(&receipt.conversation, who.side, &receipt, now).await;
        Ok(())
    }

    async fn announce_delivery(&self, conversation: &Conversation, recipient: ChatSide, receipt: &Receipt, at: time::OffsetDateTime) {
        if let Some(up_to) = receipt.up_to {
            self.publish(conversation, ChatEventKind::Delivered { recipient, up_to, at }).await;
        }
    }

    /// Tells the other side that the participant is typing (nothing is stored).
    ///
    /// # Errors
    /// `NotFound`, `Closed`, `Storage`.
    pub async fn typing(&self, who: &Participant, id: ConversationId) -> Result<(), ChatError> {
        let conversation = self.visible(who, id).await?;
        if conversation.status == ConversationStatus::Closed {
            return Err(ChatError::Closed);
        }
        self.publish(&conversation, ChatEventKind::Typing { side: who.side, user: who.user }).await;
        Ok(())
    }
}
