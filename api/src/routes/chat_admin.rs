//! `/api/admin/chat/...`: support's side of chat over REST: the queue, taking a conversation,
//! replying, reading and closing. Admins only.
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, OpenApi};
use sabil_core::domain::chat::{ConversationId, ConversationStatus};
use sabil_core::domain::{PageRequest, Role};
use sabil_core::services::chat::QueueFilter;

use super::ApiTags;
use super::chat::{SentAnswer, history, mark_read, participant, send, send_image};
use super::chat_dto::{ConversationDto, ConversationPage, MarkReadInput, MessagePage, ReadReceiptDto, SendMessageInput};
use super::upload::ImageUpload;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

/// Which conversations of the queue to list by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum QueueStatus {
    /// Open ones (the default).
    Open,
    /// Closed ones.
    Closed,
    /// Both.
    All,
}

/// Support's side of chat.
#[derive(Default)]
pub struct AdminChatApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminChatApi {
    /// Support's chat queue
    ///
    /// Conversations, latest activity first, with the customer's unread messages (`supportUnread`).
    /// Open ones by default; `unassigned=true` for those waiting for an agent, `mine=true` for the
    /// caller's own.
    #[oai(path = "/admin/chat/conversations", method = "get", operation_id = "listChatQueue")]
    // One parameter per query field, as poem-openapi documents them.
    #[allow(clippy::too_many_arguments)]
    async fn queue(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// `open` (default), `closed` or `all`.
        status: Query<Option<QueueStatus>>,
        /// Only conversations nobody has taken.
        unassigned: Query<Option<bool>>,
        /// Only conversations assigned to the caller.
        mine: Query<Option<bool>>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ConversationPage>> {
        let who = participant(&state, &auth, Role::Admin).await?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let status = match status.0.unwrap_or(QueueStatus::Open) {
            QueueStatus::Open => Some(ConversationStatus::Open),
            QueueStatus::Closed => Some(ConversationStatus::Closed),
            QueueStatus::All => None,
        };
        let filter = QueueFilter { status, unassigned: unassigned.0.unwrap_or(false), mine: mine.0.unwrap_or(false) };
        Ok(Json(state.app.chat.queue(&who, filter, &page).await?.into()))
    }

    /// One conversation (support)
    #[oai(path = "/admin/chat/conversations/:id", method = "get", operation_id = "getChatConversation")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<ConversationDto>> {
        let who = participant(&state, &auth, Role::Admin).await?;
        Ok(Json(state.app.chat.conversation(&who, ConversationId(id.0)).await?.into()))
    }

    /// Take a conversation
    ///
    /// Assigns an open conversation to the calling agent, from the queue or from another agent.
    /// 409 `chat.conversation_closed` for a closed one.
    #[oai(path = "/admin/chat/conversations/:id/assign", method = "post", operation_id = "assignChatConversation")]
    async fn assign(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<ConversationDto>> {
        let who = participant(&state, &auth, Role::Admin).await?;
        Ok(Json(state.app.chat.assign_to_me(&who, ConversationId(id.0)).await?.into()))
    }

    /// Close a conversation
    ///
    /// It takes no more messages; the customer starts a new one to write again. Closing a closed
    /// conversation changes nothing.
    #[oai(path = "/admin/chat/conversations/:id/close", method = "post", operation_id = "closeChatConversation")]
    async fn close(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<ConversationDto>> {
        let who = participant(&state, &auth, Role::Admin).await?;
        Ok(Json(state.app.chat.close(&who, ConversationId(id.0)).await?.into()))
    }

    /// Read a conversation's messages (support)
    ///
    /// As for customers: newest first with `cursor`, or oldest first after a message with `after`.
    /// Reading marks the customer's messages in the page delivered.
    #[oai(path = "/admin/chat/conversations/:id/messages", method = "get", operation_id = "listChatMessages")]
    async fn messages(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page (newest-first paging).
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
        /// A message id: only the messages after it, oldest first.
        #[oai(validator(max_length = 64))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<MessagePage>> {
        let who = participant(&state, &auth, Role::Admin).await?;
        Ok(Json(history(&state, &who, id.0, limit.0, cursor.0.as_deref(), after.0.as_deref()).await?))
    }

    /// Reply to a customer
    ///
    /// Text (1 to 2000 characters) and/or the id of an uploaded image. An unassigned conversation is
    /// assigned to the replying agent. When the customer has no live connection on any instance,
    /// a push notification is queued (outbox, same transaction as the message).
    #[oai(path = "/admin/chat/conversations/:id/messages", method = "post", operation_id = "replyToCustomer")]
    async fn reply(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<SendMessageInput>,
    ) -> ApiResult<SentAnswer> {
        let who = participant(&state, &auth, Role::Admin).await?;
        send(&state, &who, id.0, &body.0).await
    }

    /// Reply with an image
    ///
    /// The request body is the image itself (JPEG, PNG or WebP, at most 5 MiB), stored in the files
    /// store and sent as a reply, with `caption` as its text.
    #[oai(path = "/admin/chat/conversations/:id/images", method = "post", operation_id = "replyWithImage")]
    async fn reply_image(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        /// Text shown with the image, up to 2000 characters.
        #[oai(validator(max_length = 8000))]
        caption: Query<Option<String>>,
        body: ImageUpload,
    ) -> ApiResult<SentAnswer> {
        let who = participant(&state, &auth, Role::Admin).await?;
        send_image(&state, &who, id.0, caption.0.as_deref(), body).await
    }

    /// Mark the customer's messages read
    ///
    /// Up to and including `upToMessageId`, or all of them. The customer's live connections get a
    /// read receipt.
    #[oai(path = "/admin/chat/conversations/:id/read", method = "post", operation_id = "markChatRead")]
    async fn read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<MarkReadInput>,
    ) -> ApiResult<Json<ReadReceiptDto>> {
        let who = participant(&state, &auth, Role::Admin).await?;
        Ok(Json(mark_read(&state, &who, id.0, &body.0).await?))
    }
}
