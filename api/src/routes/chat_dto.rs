//! Shapes of chat requests and responses, shared by the REST operations and the WebSocket frames
//! (a frame embeds the same JSON as the REST answer).
use poem_openapi::{Enum, Object};
use sabil_core::domain::chat::{ChatContent, ChatMessage, ChatSide, Conversation, ConversationStatus, parse_subject};
use sabil_core::domain::files::FileId;
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Invalid, Page};
use sabil_core::ports::{HistoryQuery, Receipt};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// Who wrote a message, or which side acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ChatSideDto {
    /// The customer.
    Customer,
    /// A support agent.
    Support,
}

impl From<ChatSide> for ChatSideDto {
    fn from(s: ChatSide) -> Self {
        match s {
            ChatSide::Customer => Self::Customer,
            ChatSide::Support => Self::Support,
        }
    }
}

/// Whether a conversation takes messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ConversationStatusDto {
    /// Messages may be sent.
    Open,
    /// Closed by support; read-only.
    Closed,
}

impl From<ConversationStatus> for ConversationStatusDto {
    fn from(s: ConversationStatus) -> Self {
        match s {
            ConversationStatus::Open => Self::Open,
            ConversationStatus::Closed => Self::Closed,
        }
    }
}

/// A conversation between a customer and support.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ConversationDto {
    /// The conversation's id.
    pub id: Uuid,
    /// The customer who started it.
    pub customer_id: Uuid,
    /// What it is about; absent when the customer gave no subject.
    pub subject: Option<String>,
    /// `open` or `closed`.
    pub status: ConversationStatusDto,
    /// The support agent handling it; absent while it waits in the queue.
    pub assigned_to: Option<Uuid>,
    /// Messages in it.
    pub message_count: u64,
    /// Support's messages the customer has not read.
    pub customer_unread: u32,
    /// The customer's messages support has not read.
    pub support_unread: u32,
    /// When it was started (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
    /// When its latest message was sent (RFC 3339, UTC).
    pub last_message_at: OffsetDateTime,
    /// When support closed it.
    pub closed_at: Option<OffsetDateTime>,
}

impl From<Conversation> for ConversationDto {
    fn from(c: Conversation) -> Self {
        Self {
            id: c.id.0,
            customer_id: c.customer_id.0,
            subject: c.subject,
            status: c.status.into(),
            assigned_to: c.assigned_to.map(|u| u.0),
            message_count: c.message_count,
            customer_unread: c.customer_unread,
            support_unread: c.support_unread,
            created_at: c.created_at,
            last_message_at: c.last_message_at,
            closed_at: c.closed_at,
        }
    }
}

/// A message in a conversation.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct MessageDto {
    /// The message's id; pass the last one you hold as `after` to get what you missed.
    pub id: Uuid,
    /// The conversation it belongs to.
    pub conversation_id: Uuid,
    /// Its number in the conversation (1, 2, 3, ...): the order to show messages in.
    pub seq: u64,
    /// `customer` or `support`.
    pub sender: ChatSideDto,
    /// The sending customer or agent.
    pub sender_id: Uuid,
    /// The text, or an image's caption.
    pub text: Option<String>,
    /// The image's file id, when the message is an image.
    pub image_id: Option<Uuid>,
    /// Where the image is served (`/api/files/{id}`), when the message is an image.
    pub image_url: Option<String>,
    /// When it was sent (RFC 3339, UTC).
    pub sent_at: OffsetDateTime,
    /// When it first reached a device of the other side.
    pub delivered_at: Option<OffsetDateTime>,
    /// When the other side read it.
    pub read_at: Option<OffsetDateTime>,
}

impl From<ChatMessage> for MessageDto {
    fn from(m: ChatMessage) -> Self {
        Self {
            id: m.id.0,
            conversation_id: m.conversation_id.0,
            seq: m.seq,
            sender: m.sender.into(),
            sender_id: m.sender_id.0,
            text: m.content.text,
            image_id: m.content.image.map(|f| f.0),
            image_url: m.content.image.map(|f| f.url_path()),
            sent_at: m.sent_at,
            delivered_at: m.delivered_at,
            read_at: m.read_at,
        }
    }
}

/// A new conversation with its first message.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartConversationInput {
    /// What it is about, up to 120 characters; optional.
    pub subject: Option<String>,
    /// The first message, 1 to 2000 characters (trimmed); optional only with `imageId`.
    pub text: Option<String>,
    /// An image uploaded before; optional.
    pub image_id: Option<Uuid>,
}

impl StartConversationInput {
    /// The subject and the first message, every problem named.
    ///
    /// # Errors
    /// `Invalid` naming `subject` and/or `text`.
    pub fn parse(self) -> Result<(Option<String>, ChatContent), Invalid> {
        let mut problems = Problems::new();
        let subject = problems.keep(parse_subject(self.subject.as_deref()));
        let content = problems.keep(ChatContent::parse(self.text.as_deref(), self.image_id.map(FileId)));
        problems.finish()?;
        match (subject, content) {
            (Some(subject), Some(content)) => Ok((subject, content)),
            _ => Err(Invalid::field("body", "could not be read", "Check the request against /openapi.json.")),
        }
    }
}

/// A message to send.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMessageInput {
    /// The text, 1 to 2000 characters (trimmed); optional only with `imageId`, whose caption it is then.
    pub text: Option<String>,
    /// The id of a file already uploaded; optional (to send a new image, POST it to `.../images`).
    pub image_id: Option<Uuid>,
}

impl SendMessageInput {
    /// The message's content.
    ///
    /// # Errors
    /// `Invalid` naming `text`.
    pub fn parse(&self) -> Result<ChatContent, Invalid> {
        ChatContent::parse(self.text.as_deref(), self.image_id.map(FileId))
    }
}

/// Which messages to mark read.
#[derive(Debug, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkReadInput {
    /// Mark the other side's messages up to and including this one; absent: every one.
    pub up_to_message_id: Option<Uuid>,
}

/// A started conversation.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct StartedConversationDto {
    /// The conversation.
    pub conversation: ConversationDto,
    /// Its first message.
    pub message: MessageDto,
}

/// One page of conversations.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ConversationPage {
    /// Up to `limit` conversations, latest activity first.
    pub items: Vec<ConversationDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<Conversation>> for ConversationPage {
    fn from(p: Page<Conversation>) -> Self {
        Self { items: p.items.into_iter().map(Into::into).collect(), next_cursor: p.next_cursor.map(|c| c.to_string()) }
    }
}

/// One page of messages.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct MessagePage {
    /// Up to `limit` messages: newest first, or with `after` oldest first.
    pub items: Vec<MessageDto>,
    /// Pass as `cursor` (or, when reading with `after`, as `after`) for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<ChatMessage>> for MessagePage {
    fn from(p: Page<ChatMessage>) -> Self {
        Self { items: p.items.into_iter().map(Into::into).collect(), next_cursor: p.next_cursor.map(|c| c.to_string()) }
    }
}

/// What marking read did.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ReadReceiptDto {
    /// The conversation.
    pub conversation_id: Uuid,
    /// Messages newly marked read.
    pub marked: u32,
    /// The latest message newly marked; absent when nothing was unread.
    pub up_to_message_id: Option<Uuid>,
    /// The caller's side's unread messages left.
    pub unread: u32,
}

impl ReadReceiptDto {
    pub fn new(receipt: Receipt, reader: ChatSide) -> Self {
        Self {
            conversation_id: receipt.conversation.id.0,
            marked: receipt.marked,
            up_to_message_id: receipt.up_to.map(|m| m.0),
            unread: receipt.conversation.unread_for(reader),
        }
    }
}

/// The history query from `cursor` and `after` (at most one of them).
///
/// # Errors
/// `Invalid` when both are given, or either is not an id.
pub fn history_query(cursor: Option<&str>, after: Option<&str>) -> Result<HistoryQuery, Invalid> {
    let id = |field: &str, raw: &str| {
        Uuid::parse_str(raw)
            .map(sabil_core::domain::chat::ChatMessageId)
            .map_err(|_| Invalid::field(field, "is not a message id", "Use a message id (or nextCursor) exactly as the API returned it."))
    };
    match (cursor.filter(|c| !c.is_empty()), after.filter(|a| !a.is_empty())) {
        (Some(_), Some(_)) => Err(Invalid::field(
            "after",
            "cannot be combined with cursor",
            "Page back with cursor, or read forward from a message with after, not both.",
        )),
        (Some(c), None) => Ok(HistoryQuery::Before(Some(id("cursor", c)?))),
        (None, Some(a)) => Ok(HistoryQuery::After(id("after", a)?)),
        (None, None) => Ok(HistoryQuery::Before(None)),
    }
}
