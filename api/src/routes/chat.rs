//! `/api/chat/...`: a customer's conversations with support over REST (the live side is
//! `GET /api/chat/ws`, see `chat_ws`). The message operations are shared with support's routes.
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use sabil_core::domain::chat::{ChatMessageId, ConversationId};
use sabil_core::domain::{PageRequest, Role};
use sabil_core::services::FileService;
use sabil_core::services::chat::Participant;

use super::ApiTags;
use super::chat_dto::{
    ConversationDto, ConversationPage, MarkReadInput, MessageDto, MessagePage, ReadReceiptDto, SendMessageInput, StartConversationInput,
    StartedConversationDto, history_query,
};
use super::upload::ImageUpload;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::state::AppState;

/// The answer to starting a conversation.
#[derive(ApiResponse)]
pub enum StartAnswer {
    /// Started.
    #[oai(status = 201)]
    Created(Json<StartedConversationDto>),
}

/// The answer to sending a message.
#[derive(ApiResponse)]
pub enum SentAnswer {
    /// Stored and passed on to the live connections of both sides.
    #[oai(status = 201)]
    Created(Json<MessageDto>),
}

/// The caller as a chat participant of `role` (customer routes take customers, support routes admins).
pub(super) async fn participant(state: &AppState, auth: &BearerAuth, role: Role) -> ApiResult<Participant> {
    auth.require(&[role])?;
    Ok(state.app.chat.participant(&auth.0).await?)
}

pub(super) async fn history(
    state: &AppState,
    who: &Participant,
    id: uuid::Uuid,
    limit: Option<u32>,
    cursor: Option<&str>,
    after: Option<&str>,
) -> ApiResult<MessagePage> {
    let limit = PageRequest::parse(limit, None)?.limit;
    let query = history_query(cursor, after)?;
    Ok(state.app.chat.history(who, ConversationId(id), query, limit).await?.into())
}

pub(super) async fn send(state: &AppState, who: &Participant, id: uuid::Uuid, body: &SendMessageInput) -> ApiResult<SentAnswer> {
    let message = state.app.chat.send(who, ConversationId(id), body.parse()?).await?;
    Ok(SentAnswer::Created(Json(message.into())))
}

pub(super) async fn send_image(
    state: &AppState,
    who: &Participant,
    id: uuid::Uuid,
    caption: Option<&str>,
    body: ImageUpload,
) -> ApiResult<SentAnswer> {
    // Checked before reading the body, so a caller who may not post here never gets to send 5 MiB.
    let permit = state.app.chat.authorize_image(who, ConversationId(id)).await?;
    let bytes = body.into_body().read(FileService::MAX_BYTES).await?;
    let message = state.app.chat.send_image(&permit, &bytes, caption).await?;
    Ok(SentAnswer::Created(Json(message.into())))
}

pub(super) async fn mark_read(state: &AppState, who: &Participant, id: uuid::Uuid, body: &MarkReadInput) -> ApiResult<ReadReceiptDto> {
    let receipt = state.app.chat.mark_read(who, ConversationId(id), body.up_to_message_id.map(ChatMessageId)).await?;
    Ok(ReadReceiptDto::new(receipt, who.side()))
}

/// A customer's conversations with support.
#[derive(Default)]
pub struct ChatApi;

#[OpenApi(tag = "ApiTags::Chat")]
impl ChatApi {
    /// Start a conversation with support
    ///
    /// A subject (optional, up to 120 characters) and the first message: text (1 to 2000 characters)
    /// and/or the id of an image uploaded earlier. The conversation joins support's queue; support's
    /// live connections are told at once. Customers only.
    #[oai(path = "/chat/conversations", method = "post", operation_id = "startConversation")]
    async fn start(&self, state: Data<&AppState>, auth: BearerAuth, body: JsonBody<StartConversationInput>) -> ApiResult<StartAnswer> {
        let who = participant(&state, &auth, Role::Customer).await?;
        let (subject, content) = body.0.parse()?;
        let (conversation, message) = state.app.chat.start(&who, subject, content).await?;
        Ok(StartAnswer::Created(Json(StartedConversationDto { conversation: conversation.into(), message: message.into() })))
    }

    /// List my conversations
    ///
    /// The calling customer's conversations, open and closed, latest activity first, with the number
    /// of support's messages they have not read (`customerUnread`).
    #[oai(path = "/chat/conversations", method = "get", operation_id = "listMyConversations")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 1 to 100, default 20.
        limit: Query<Option<u32>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ConversationPage>> {
        let who = participant(&state, &auth, Role::Customer).await?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        Ok(Json(state.app.chat.my_conversations(&who, &page).await?.into()))
    }

    /// One of my conversations
    #[oai(path = "/chat/conversations/:id", method = "get", operation_id = "getMyConversation")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<uuid::Uuid>) -> ApiResult<Json<ConversationDto>> {
        let who = participant(&state, &auth, Role::Customer).await?;
        Ok(Json(state.app.chat.conversation(&who, ConversationId(id.0)).await?.into()))
    }

    /// Read a conversation's messages
    ///
    /// Newest first, paged back with `cursor`. After a reconnection, pass the id of the last message
    /// you hold as `after` to get what you missed, oldest first (continue with `after=nextCursor`
    /// until `nextCursor` is absent). Reading marks support's messages in the page delivered.
    #[oai(path = "/chat/conversations/:id/messages", method = "get", operation_id = "listMyMessages")]
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
        let who = participant(&state, &auth, Role::Customer).await?;
        Ok(Json(history(&state, &who, id.0, limit.0, cursor.0.as_deref(), after.0.as_deref()).await?))
    }

    /// Send a message
    ///
    /// Text (1 to 2000 characters) and/or the id of an uploaded image. Stored first, then passed to
    /// the live connections. 409 `chat.conversation_closed` once support has closed the conversation.
    #[oai(path = "/chat/conversations/:id/messages", method = "post", operation_id = "sendMessage")]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<SendMessageInput>,
    ) -> ApiResult<SentAnswer> {
        let who = participant(&state, &auth, Role::Customer).await?;
        send(&state, &who, id.0, &body.0).await
    }

    /// Send an image
    ///
    /// The request body is the image itself (JPEG, PNG or WebP, at most 5 MiB, type read from the
    /// bytes); it is stored in the files store and sent as a message, with `caption` as its text.
    #[oai(path = "/chat/conversations/:id/images", method = "post", operation_id = "sendImage")]
    async fn send_image(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        /// Text shown with the image, up to 2000 characters.
        #[oai(validator(max_length = 8000))]
        caption: Query<Option<String>>,
        body: ImageUpload,
    ) -> ApiResult<SentAnswer> {
        let who = participant(&state, &auth, Role::Customer).await?;
        send_image(&state, &who, id.0, caption.0.as_deref(), body).await
    }

    /// Mark support's messages read
    ///
    /// Up to and including `upToMessageId`, or all of them when it is absent. Support's live
    /// connections get a read receipt.
    #[oai(path = "/chat/conversations/:id/read", method = "post", operation_id = "markConversationRead")]
    async fn read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<uuid::Uuid>,
        body: JsonBody<MarkReadInput>,
    ) -> ApiResult<Json<ReadReceiptDto>> {
        let who = participant(&state, &auth, Role::Customer).await?;
        Ok(Json(mark_read(&state, &who, id.0, &body.0).await?))
    }
}
