//! Customer-support chat: conversations between one customer and the support team, and the messages
//! in them (text, or an uploaded image with an optional caption) with their delivered and read times.
use time::OffsetDateTime;
use uuid::Uuid;

use super::files::FileId;
use super::{Invalid, UserId};

/// Longest message text, in characters.
pub const CHAT_TEXT_MAX: usize = 2_000;
/// Longest conversation subject, in characters.
pub const CHAT_SUBJECT_MAX: usize = 120;

/// Identifier of a conversation (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationId(pub Uuid);

/// Identifier of a message (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatMessageId(pub Uuid);

/// The two sides of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatSide {
    /// The customer who started it.
    Customer,
    /// Any support agent (an admin).
    Support,
}

impl ChatSide {
    /// The stored and wire name: `customer` or `support`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Support => "support",
        }
    }

    /// The side with this name (as `as_str` spells it).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(Self::Customer),
            "support" => Some(Self::Support),
            _ => None,
        }
    }

    /// The side across the conversation.
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            Self::Customer => Self::Support,
            Self::Support => Self::Customer,
        }
    }
}

/// Whether a conversation still takes messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationStatus {
    /// Messages may be sent; it is in support's queue.
    Open,
    /// Closed by support; read-only.
    Closed,
}

impl ConversationStatus {
    /// The stored and wire name: `open` or `closed`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// The status with this name (as `as_str` spells it).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// A conversation between a customer and support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// The conversation's identifier.
    pub id: ConversationId,
    /// The customer who started it.
    pub customer_id: UserId,
    /// What it is about, as the customer put it; `None` when they gave no subject.
    pub subject: Option<String>,
    /// Open or closed.
    pub status: ConversationStatus,
    /// The support agent handling it; `None` while it waits in the queue.
    pub assigned_to: Option<UserId>,
    /// Messages in it so far (the number of the latest one).
    pub message_count: u64,
    /// Support's messages the customer has not read.
    pub customer_unread: u32,
    /// The customer's messages no support agent has read.
    pub support_unread: u32,
    /// When it was started (UTC).
    pub created_at: OffsetDateTime,
    /// When its latest message was sent (UTC).
    pub last_message_at: OffsetDateTime,
    /// When support closed it; `None` while open.
    pub closed_at: Option<OffsetDateTime>,
}

impl Conversation {
    /// The messages of the other side that `side` has not read.
    #[must_use]
    pub fn unread_for(&self, side: ChatSide) -> u32 {
        match side {
            ChatSide::Customer => self.customer_unread,
            ChatSide::Support => self.support_unread,
        }
    }
}

/// What a message says: text, an image, or an image with a caption; never nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatContent {
    /// The text (trimmed, 1 to `CHAT_TEXT_MAX` characters), or the image's caption.
    pub text: Option<String>,
    /// An uploaded image (`/api/files/{id}`).
    pub image: Option<FileId>,
}

impl ChatContent {
    /// The content of a message from what the client sent: `text` is trimmed; a blank text counts as
    /// none. An image needs no text; a message without an image needs text.
    ///
    /// # Errors
    /// `Invalid` naming `text` when it is missing (without an image), blank (without an image) or
    /// longer than `CHAT_TEXT_MAX` characters.
    pub fn parse(text: Option<&str>, image: Option<FileId>) -> Result<Self, Invalid> {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        match text {
            Some(t) if t.chars().count() > CHAT_TEXT_MAX => Err(Invalid::field(
                "text",
                format!("is longer than {CHAT_TEXT_MAX} characters"),
                "Split the message into several shorter ones.",
            )),
            None if image.is_none() => {
                Err(Invalid::field("text", "is empty", "Write a message, or send an image (imageId, or POST the image to .../images)."))
            }
            _ => Ok(Self { text: text.map(str::to_owned), image }),
        }
    }
}

/// A conversation's subject: trimmed, blank means none.
///
/// # Errors
/// `Invalid` naming `subject` when longer than `CHAT_SUBJECT_MAX` characters.
pub fn parse_subject(raw: Option<&str>) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > CHAT_SUBJECT_MAX => Err(Invalid::field(
            "subject",
            format!("is longer than {CHAT_SUBJECT_MAX} characters"),
            "Shorten the subject; the details go in the message.",
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// A message in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The message's identifier.
    pub id: ChatMessageId,
    /// The conversation it belongs to.
    pub conversation_id: ConversationId,
    /// Its number in the conversation: 1 for the first, then one more for each (assigned by the store,
    /// so instances sending at once still agree on the order).
    pub seq: u64,
    /// Who sent it.
    pub sender: ChatSide,
    /// The sending customer or support agent.
    pub sender_id: UserId,
    /// What it says.
    pub content: ChatContent,
    /// When it was sent (UTC).
    pub sent_at: OffsetDateTime,
    /// When it first reached a device of the other side (a live connection or a history read).
    pub delivered_at: Option<OffsetDateTime>,
    /// When the other side marked it read.
    pub read_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_an_image_needs_no_text() {
        let c = ChatContent::parse(Some("  hello \n"), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.text.as_deref(), Some("hello"));
        let image = FileId(Uuid::from_u128(7));
        let c = ChatContent::parse(Some("   "), Some(image)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.text, c.image), (None, Some(image)));
    }

    #[test]
    fn blank_or_missing_text_without_an_image_is_refused() {
        for raw in [None, Some(""), Some(" \t\n")] {
            let e = ChatContent::parse(raw, None).expect_err("empty");
            assert_eq!(e.0[0].field, "text");
        }
    }

    #[test]
    fn text_longer_than_the_limit_is_refused_counting_characters_not_bytes() {
        let arabic = "م".repeat(CHAT_TEXT_MAX);
        assert!(ChatContent::parse(Some(&arabic), None).is_ok(), "2000 two-byte characters fit");
        let e = ChatContent::parse(Some(&format!("{arabic}م")), None).expect_err("too long");
        assert!(e.0[0].problem.contains("longer"));
    }

    #[test]
    fn a_blank_subject_is_none_and_a_long_one_is_refused() {
        assert_eq!(parse_subject(Some("  ")), Ok(None));
        assert_eq!(parse_subject(Some(" Late delivery ")), Ok(Some("Late delivery".to_owned())));
        assert!(parse_subject(Some(&"x".repeat(CHAT_SUBJECT_MAX + 1))).is_err());
    }

    #[test]
    fn sides_round_trip_and_face_each_other() {
        for side in [ChatSide::Customer, ChatSide::Support] {
            assert_eq!(ChatSide::parse(side.as_str()), Some(side));
            assert_eq!(side.other().other(), side);
        }
        assert_eq!(ConversationStatus::parse("closed"), Some(ConversationStatus::Closed));
        assert_eq!(ConversationStatus::parse("archived"), None);
    }
}
