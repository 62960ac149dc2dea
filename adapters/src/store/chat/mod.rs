//! Chat in SQL: conversations and messages. A message is added in one transaction with the
//! conversation's counters (its `seq` is taken from the conversation row, whose update holds the row
//! lock on PostgreSQL and the single writer on SQLite) and with its outbox messages.
mod rows;

use std::sync::Arc;

use async_trait::async_trait;
use sabil_core::domain::chat::{ChatMessage, ChatMessageId, ChatSide, Conversation, ConversationId};
use sabil_core::domain::{Page, PageRequest, UserId};
use sabil_core::error::RepoError;
use sabil_core::ports::{Assignment, ChatRepository, ConversationQuery, HistoryQuery, NewChatMessage, Receipt};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use uuid::Uuid;

use self::rows::{CONVERSATION_COLUMNS, ConversationRow, MESSAGE_COLUMNS, MessageRow, all, unread_column};
use super::users::page_of;
use super::{Db, DbTime, Dialect, repo_error, with_db};

/// Chat in SQL.
#[derive(Clone, Debug)]
pub struct SqlChatRepository {
    db: Db,
    /// On SQLite, chat writes take turns here: queued in order instead of colliding in SQLite's busy
    /// handler, whose sleeps (1, 2, 5, ... 100 ms) would show up in live delivery latency.
    sqlite_writes: Arc<tokio::sync::Mutex<()>>,
}

impl SqlChatRepository {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db, sqlite_writes: Arc::default() }
    }

    /// This write's turn on SQLite (PostgreSQL writers wait on row locks instead).
    async fn turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.db {
            Db::Sqlite(_) => Some(self.sqlite_writes.lock().await),
            Db::Postgres(_) => None,
        }
    }
}

/// Adds `$new` to its conversation inside the open transaction `$tx`: bumps the conversation's
/// counters (only while it is open), writes the outbox messages, then the message. Evaluates to the
/// conversation and message rows, or `None` when the conversation is closed; returns `NotFound` from
/// the enclosing function for an unknown conversation.
macro_rules! append_message {
    ($E:ty, $tx:ident, $new:expr) => {{
        let new: &NewChatMessage = $new;
        let m = &new.message;
        let (to_support, to_customer) = match m.sender {
            ChatSide::Customer => (1_i32, 0_i32),
            ChatSide::Support => (0, 1),
        };
        let bump = format!(
            "UPDATE chat_conversations SET message_count = message_count + 1, last_message_at = $2, \
             support_unread = support_unread + $3, customer_unread = customer_unread + $4, assigned_to = COALESCE(assigned_to, $5) \
             WHERE id = $1 AND status = 'open' RETURNING {CONVERSATION_COLUMNS}"
        );
        let conversation: Option<ConversationRow> = sqlx::query_as::<$E, ConversationRow>(AssertSqlSafe(bump))
            .bind(m.conversation_id.0)
            .bind(DbTime(m.sent_at))
            .bind(to_support)
            .bind(to_customer)
            .bind(new.assign_if_unassigned.map(|u| u.0))
            .fetch_optional(&mut *$tx)
            .await
            .map_err(repo_error)?;
        match conversation {
            None => {
                let (exists,): (i64,) = sqlx::query_as::<$E, (i64,)>("SELECT COUNT(*) FROM chat_conversations WHERE id = $1")
                    .bind(m.conversation_id.0)
                    .fetch_one(&mut *$tx)
                    .await
                    .map_err(repo_error)?;
                if exists == 0 {
                    return Err(RepoError::NotFound);
                }
                None
            }
            Some(conversation) => {
                // The outbox rows go in before the message: a message refused below takes them back.
                for message in &new.outbox {
                    sqlx::query::<$E>(
                        "INSERT INTO outbox (id, topic, dedupe_key, payload, created_at, available_at) \
                         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (dedupe_key) DO NOTHING",
                    )
                    .bind(Uuid::now_v7())
                    .bind(message.topic())
                    .bind(message.dedupe_key())
                    .bind(crate::store::orders::outbox_payload(message))
                    .bind(DbTime(m.sent_at))
                    .execute(&mut *$tx)
                    .await
                    .map_err(repo_error)?;
                }
                let insert = format!(
                    "INSERT INTO chat_messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {MESSAGE_COLUMNS}"
                );
                // The message just counted is the conversation's latest.
                let seq = conversation.message_count();
                let message: MessageRow = sqlx::query_as::<$E, MessageRow>(AssertSqlSafe(insert))
                    .bind(m.id.0)
                    .bind(m.conversation_id.0)
                    .bind(seq)
                    .bind(m.sender.as_str())
                    .bind(m.sender_id.0)
                    .bind(m.content.text.as_deref())
                    .bind(m.content.image.map(|f| f.0))
                    .bind(DbTime(m.sent_at))
                    .bind(m.delivered_at.map(DbTime))
                    .bind(m.read_at.map(DbTime))
                    .fetch_one(&mut *$tx)
                    .await
                    .map_err(repo_error)?;
                Some((conversation, message))
            }
        }
    }};
}

fn pair(rows: (ConversationRow, MessageRow)) -> Result<(Conversation, ChatMessage), RepoError> {
    Ok((Conversation::try_from(rows.0)?, ChatMessage::try_from(rows.1)?))
}

/// The newest of the marked messages (`id`, `seq`).
fn latest(marked: &[(Uuid, i64)]) -> Option<ChatMessageId> {
    marked.iter().max_by_key(|(_, seq)| *seq).map(|(id, _)| ChatMessageId(*id))
}

#[async_trait]
impl ChatRepository for SqlChatRepository {
    async fn start(&self, conversation: &Conversation, first: &NewChatMessage) -> Result<(Conversation, ChatMessage), RepoError> {
        let c = conversation;
        let _turn = self.turn().await;
        let rows = with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            sqlx::query::<E>(
                "INSERT INTO chat_conversations (id, customer_id, subject, status, assigned_to, message_count, customer_unread, \
                 support_unread, created_at, last_message_at, closed_at) VALUES ($1, $2, $3, $4, $5, 0, 0, 0, $6, $7, $8)",
            )
            .bind(c.id.0).bind(c.customer_id.0).bind(c.subject.as_deref()).bind(c.status.as_str()).bind(c.assigned_to.map(|u| u.0))
            .bind(DbTime(c.created_at)).bind(DbTime(c.last_message_at)).bind(c.closed_at.map(DbTime))
            .execute(&mut *tx).await.map_err(repo_error)?;
            let rows = append_message!(E, tx, first);
            tx.commit().await.map_err(repo_error)?;
            rows
        });
        // A conversation created open in this transaction takes its first message.
        pair(rows.ok_or_else(|| RepoError::Conflict("chat_conversations.status".into()))?)
    }

    async fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, RepoError> {
        let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM chat_conversations WHERE id = $1");
        let row: Option<ConversationRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, ConversationRow>(AssertSqlSafe(sql))
            .bind(id.0).fetch_optional(pool).await)
        .map_err(repo_error)?;
        row.map(Conversation::try_from).transpose()
    }

    async fn conversations(&self, query: &ConversationQuery, page: &PageRequest) -> Result<Page<Conversation>, RepoError> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM chat_conversations WHERE ($1 IS NULL OR customer_id = $1) AND ($2 IS NULL OR status = $2) \
             AND ($3 = 'any' OR ($3 = 'unassigned' AND assigned_to IS NULL) OR ($3 = 'to' AND assigned_to = $4)) \
             AND ($5 IS NULL OR (last_message_at, id) < (SELECT c.last_message_at, c.id FROM chat_conversations c WHERE c.id = $5)) \
             ORDER BY last_message_at DESC, id DESC LIMIT $6"
        );
        let (assignment, agent) = match query.assignment {
            Assignment::Any => ("any", None),
            Assignment::Unassigned => ("unassigned", None),
            Assignment::To(agent) => ("to", Some(agent.0)),
        };
        let rows: Vec<ConversationRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, ConversationRow>(AssertSqlSafe(sql))
            .bind(query.customer.map(|u| u.0)).bind(query.status.map(|s| s.as_str())).bind(assignment).bind(agent)
            .bind(page.cursor).bind(i64::from(page.limit) + 1)
            .fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(page_of(all(rows)?, page.limit, |c: &Conversation| c.id.0))
    }

    async fn add_message(&self, new: &NewChatMessage) -> Result<Option<(Conversation, ChatMessage)>, RepoError> {
        let _turn = self.turn().await;
        let rows = with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let rows = append_message!(E, tx, new);
            tx.commit().await.map_err(repo_error)?;
            rows
        });
        rows.map(pair).transpose()
    }

    async fn message(&self, id: ChatMessageId) -> Result<Option<ChatMessage>, RepoError> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE id = $1");
        let row: Option<MessageRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, MessageRow>(AssertSqlSafe(sql))
            .bind(id.0).fetch_optional(pool).await)
        .map_err(repo_error)?;
        row.map(ChatMessage::try_from).transpose()
    }

    async fn messages(&self, conversation: ConversationId, query: HistoryQuery, limit: u32) -> Result<Page<ChatMessage>, RepoError> {
        const SEQ_OF: &str = "(SELECT s.seq FROM chat_messages s WHERE s.id = $2 AND s.conversation_id = $1)";
        let (condition, order, cursor) = match query {
            // No cursor: the condition holds for every row (and gives the unused `$2` a type).
            HistoryQuery::Before(None) => ("NOT EXISTS (SELECT 1 FROM chat_messages s WHERE s.id = $2)".to_owned(), "DESC", None),
            HistoryQuery::Before(Some(c)) => (format!("seq < {SEQ_OF}"), "DESC", Some(c.0)),
            HistoryQuery::After(a) => (format!("seq > {SEQ_OF}"), "ASC", Some(a.0)),
        };
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE conversation_id = $1 AND {condition} ORDER BY seq {order} LIMIT $3");
        let rows: Vec<MessageRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, MessageRow>(AssertSqlSafe(sql))
            .bind(conversation.0).bind(cursor).bind(i64::from(limit) + 1)
            .fetch_all(pool).await)
        .map_err(repo_error)?;
        Ok(page_of(all(rows)?, limit, |m: &ChatMessage| m.id.0))
    }

    async fn mark_read(
        &self,
        conversation: ConversationId,
        reader: ChatSide,
        up_to: Option<ChatMessageId>,
        at: OffsetDateTime,
    ) -> Result<Receipt, RepoError> {
        let recount = format!(
            "UPDATE chat_conversations SET {col} = (SELECT COUNT(*) FROM chat_messages m WHERE m.conversation_id = $1 \
             AND m.sender_side = $2 AND m.read_at IS NULL) WHERE id = $1 RETURNING {CONVERSATION_COLUMNS}",
            col = unread_column(reader)
        );
        let _turn = self.turn().await;
        let (marked, row) = with_db!(&self.db, pool, E => {
            let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
            let limit: i64 = match up_to {
                None => i64::MAX,
                Some(id) => sqlx::query_as::<E, (i64,)>("SELECT seq FROM chat_messages WHERE id = $1 AND conversation_id = $2")
                    .bind(id.0).bind(conversation.0).fetch_optional(&mut *tx).await.map_err(repo_error)?.map_or(0, |(s,)| s),
            };
            let marked: Vec<(Uuid, i64)> = sqlx::query_as::<E, (Uuid, i64)>(
                "UPDATE chat_messages SET read_at = $1, delivered_at = COALESCE(delivered_at, $1) WHERE conversation_id = $2 \
                 AND sender_side = $3 AND read_at IS NULL AND seq <= $4 RETURNING id, seq",
            )
            .bind(DbTime(at)).bind(conversation.0).bind(reader.other().as_str()).bind(limit)
            .fetch_all(&mut *tx).await.map_err(repo_error)?;
            let row: Option<ConversationRow> = sqlx::query_as::<E, ConversationRow>(AssertSqlSafe(recount))
                .bind(conversation.0).bind(reader.other().as_str()).fetch_optional(&mut *tx).await.map_err(repo_error)?;
            tx.commit().await.map_err(repo_error)?;
            (marked, row)
        });
        let conversation = Conversation::try_from(row.ok_or(RepoError::NotFound)?)?;
        Ok(Receipt { marked: u32::try_from(marked.len()).unwrap_or(u32::MAX), up_to: latest(&marked), conversation })
    }

    async fn mark_delivered(
        &self,
        conversation: ConversationId,
        recipient: ChatSide,
        up_to: ChatMessageId,
        at: OffsetDateTime,
    ) -> Result<Receipt, RepoError> {
        const MARK: &str = "UPDATE chat_messages SET delivered_at = $1 WHERE conversation_id = $2 AND sender_side = $3 \
             AND delivered_at IS NULL AND seq <= (SELECT s.seq FROM chat_messages s WHERE s.id = $4 AND s.conversation_id = $2) \
             RETURNING id, seq";
        let marked: Vec<(Uuid, i64)> = {
            let _turn = self.turn().await;
            with_db!(&self.db, pool, E => {
                let mut tx = E::begin_write(pool).await.map_err(repo_error)?;
                if matches!(self.db, Db::Postgres(_)) {
                    // A delivered mark lost in a crash is only a receipt; it comes back with the next
                    // delivery or history read. Not waiting for the WAL flush halves the fsyncs per message.
                    sqlx::query::<E>("SET LOCAL synchronous_commit TO OFF").execute(&mut *tx).await.map_err(repo_error)?;
                }
                let marked = sqlx::query_as::<E, (Uuid, i64)>(MARK)
                    .bind(DbTime(at)).bind(conversation.0).bind(recipient.other().as_str()).bind(up_to.0)
                    .fetch_all(&mut *tx).await.map_err(repo_error)?;
                tx.commit().await.map_err(repo_error)?;
                marked
            })
        };
        let conversation = self.conversation(conversation).await?.ok_or(RepoError::NotFound)?;
        Ok(Receipt { marked: u32::try_from(marked.len()).unwrap_or(u32::MAX), up_to: latest(&marked), conversation })
    }

    async fn assign(&self, conversation: ConversationId, agent: UserId) -> Result<Option<Conversation>, RepoError> {
        let _turn = self.turn().await;
        let sql =
            format!("UPDATE chat_conversations SET assigned_to = $1 WHERE id = $2 AND status = 'open' RETURNING {CONVERSATION_COLUMNS}");
        let row: Option<ConversationRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, ConversationRow>(AssertSqlSafe(sql))
            .bind(agent.0).bind(conversation.0).fetch_optional(pool).await)
        .map_err(repo_error)?;
        self.changed(conversation, row).await
    }

    async fn close(&self, conversation: ConversationId, at: OffsetDateTime) -> Result<Option<Conversation>, RepoError> {
        let _turn = self.turn().await;
        let sql = format!(
            "UPDATE chat_conversations SET status = 'closed', closed_at = $1 WHERE id = $2 AND status = 'open' RETURNING {CONVERSATION_COLUMNS}"
        );
        let row: Option<ConversationRow> = with_db!(&self.db, pool, E => sqlx::query_as::<E, ConversationRow>(AssertSqlSafe(sql))
            .bind(DbTime(at)).bind(conversation.0).fetch_optional(pool).await)
        .map_err(repo_error)?;
        self.changed(conversation, row).await
    }
}

impl SqlChatRepository {
    /// The conversation an update changed; `None` when it matched nothing because the conversation is
    /// closed, `NotFound` when there is no such conversation.
    async fn changed(&self, id: ConversationId, row: Option<ConversationRow>) -> Result<Option<Conversation>, RepoError> {
        match row {
            Some(row) => Conversation::try_from(row).map(Some),
            None if self.conversation(id).await?.is_some() => Ok(None),
            None => Err(RepoError::NotFound),
        }
    }
}
