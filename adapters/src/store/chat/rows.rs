//! Chat rows as stored, and their translation into the domain.
use sabil_core::domain::UserId;
use sabil_core::domain::chat::{ChatContent, ChatMessage, ChatMessageId, ChatSide, Conversation, ConversationId, ConversationStatus};
use sabil_core::domain::files::FileId;
use sabil_core::error::RepoError;
use uuid::Uuid;

use crate::store::DbTime;
use crate::store::catalog::corrupt;

pub(super) const CONVERSATION_COLUMNS: &str =
    "id, customer_id, subject, status, assigned_to, message_count, customer_unread, support_unread, created_at, last_message_at, closed_at";

pub(super) const MESSAGE_COLUMNS: &str = "id, conversation_id, seq, sender_side, sender_id, body, image_id, sent_at, delivered_at, read_at";

#[derive(sqlx::FromRow)]
pub(super) struct ConversationRow {
    id: Uuid,
    customer_id: Uuid,
    subject: Option<String>,
    status: String,
    assigned_to: Option<Uuid>,
    message_count: i64,
    customer_unread: i32,
    support_unread: i32,
    created_at: DbTime,
    last_message_at: DbTime,
    closed_at: Option<DbTime>,
}

impl ConversationRow {
    /// Messages counted so far.
    pub(super) fn message_count(&self) -> i64 {
        self.message_count
    }
}

impl TryFrom<ConversationRow> for Conversation {
    type Error = RepoError;

    fn try_from(r: ConversationRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: ConversationId(r.id),
            customer_id: UserId(r.customer_id),
            subject: r.subject,
            status: ConversationStatus::parse(&r.status).ok_or_else(|| corrupt("conversation status", &r.status))?,
            assigned_to: r.assigned_to.map(UserId),
            message_count: u64::try_from(r.message_count).map_err(|_| corrupt("message count", &r.message_count.to_string()))?,
            customer_unread: u32::try_from(r.customer_unread).map_err(|_| corrupt("unread count", &r.customer_unread.to_string()))?,
            support_unread: u32::try_from(r.support_unread).map_err(|_| corrupt("unread count", &r.support_unread.to_string()))?,
            created_at: r.created_at.0,
            last_message_at: r.last_message_at.0,
            closed_at: r.closed_at.map(|t| t.0),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MessageRow {
    id: Uuid,
    conversation_id: Uuid,
    seq: i64,
    sender_side: String,
    sender_id: Uuid,
    body: Option<String>,
    image_id: Option<Uuid>,
    sent_at: DbTime,
    delivered_at: Option<DbTime>,
    read_at: Option<DbTime>,
}

impl TryFrom<MessageRow> for ChatMessage {
    type Error = RepoError;

    fn try_from(r: MessageRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: ChatMessageId(r.id),
            conversation_id: ConversationId(r.conversation_id),
            seq: u64::try_from(r.seq).map_err(|_| corrupt("message seq", &r.seq.to_string()))?,
            sender: ChatSide::parse(&r.sender_side).ok_or_else(|| corrupt("sender side", &r.sender_side))?,
            sender_id: UserId(r.sender_id),
            content: ChatContent { text: r.body, image: r.image_id.map(FileId) },
            sent_at: r.sent_at.0,
            delivered_at: r.delivered_at.map(|t| t.0),
            read_at: r.read_at.map(|t| t.0),
        })
    }
}

/// Rows to domain values, failing on the first corrupt one.
pub(super) fn all<R, T: TryFrom<R, Error = RepoError>>(rows: Vec<R>) -> Result<Vec<T>, RepoError> {
    rows.into_iter().map(T::try_from).collect()
}

/// The unread-count column of a side.
pub(super) fn unread_column(side: ChatSide) -> &'static str {
    match side {
        ChatSide::Customer => "customer_unread",
        ChatSide::Support => "support_unread",
    }
}
