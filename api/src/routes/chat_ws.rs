//! `GET /api/chat/ws`: the live chat connection. Authenticated at connect (an `Authorization` header,
//! or for browsers the token as a WebSocket subprotocol); then JSON frames both ways (`chat_frames`).
//! Every message goes through `ChatService` (stored first), and every event reaches the socket through
//! the participant's `ChatSession`.
use std::collections::HashSet;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use poem::Request;
use poem::http::header;
use poem::web::Data;
use poem::web::websocket::{BoxWebSocketUpgraded, Message, WebSocket, WebSocketConfig, WebSocketStream};
use poem_openapi::{OpenApi, SecurityScheme};
use sabil_core::domain::chat::{ChatContent, ChatMessageId, ConversationId};
use sabil_core::domain::{AccessClaims, Role};
use sabil_core::ports::{ChatEventKind, FeedItem};
use sabil_core::services::ChatService;
use sabil_core::services::chat::{ChatSession, Participant};

use super::ApiTags;
use super::chat_frames::{self as frames, ClientFrame};
use crate::auth::BearerAuth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The subprotocol browsers name first, followed by the access token as a second "protocol"
/// (`new WebSocket(url, ["sabil.bearer", token])`); the server answers with this one.
pub const BEARER_PROTOCOL: &str = "sabil.bearer";
/// The largest frame accepted from a client.
const MAX_FRAME_BYTES: usize = 64 * 1024;
/// The read buffer of a connection (grows for a larger frame, up to `MAX_FRAME_BYTES`).
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// How often the server pings an idle connection (keeps proxies from closing it).
const PING_EVERY: Duration = Duration::from_secs(30);

/// An `Authorization` header, or (browsers) the token in `Sec-WebSocket-Protocol`.
#[derive(SecurityScheme)]
pub enum SocketAuth {
    /// `Authorization: Bearer <access token>`.
    Bearer(BearerAuth),
    /// No header: the token comes as a subprotocol.
    #[oai(fallback)]
    Protocol,
}

fn bad_token() -> ApiError {
    ApiError::unauthorized(
        "auth.token_invalid",
        "The access token is not valid or has expired.",
        "Send `Authorization: Bearer <accessToken>`, or from a browser the subprotocols [\"sabil.bearer\", <accessToken>].",
    )
}

impl SocketAuth {
    /// The caller's claims from the header, or else from the subprotocol list.
    fn claims(&self, req: &Request, state: &AppState) -> Result<AccessClaims, ApiError> {
        if let Self::Bearer(auth) = self {
            return Ok(auth.0.clone());
        }
        if req.headers().contains_key(header::AUTHORIZATION) {
            // The fallback hides the header check's own answer: a header came and was not valid.
            return Err(bad_token());
        }
        let offered = req.headers().get(header::SEC_WEBSOCKET_PROTOCOL).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let mut protocols = offered.split(',').map(str::trim);
        let token = protocols.by_ref().position(|p| p == BEARER_PROTOCOL).and_then(|_| protocols.next()).ok_or_else(|| {
            ApiError::unauthorized(
                "auth.missing_token",
                "Live chat needs an access token.",
                "Send `Authorization: Bearer <accessToken>`, or from a browser the subprotocols [\"sabil.bearer\", <accessToken>].",
            )
        })?;
        let claims = state.app.accounts.authenticate(token).map_err(|_| bad_token())?;
        crate::context::ctx(req).set_subject(claims.subject.to_string());
        Ok(claims)
    }
}

/// The live chat connection.
#[derive(Default)]
pub struct ChatSocketApi;

#[OpenApi(tag = "ApiTags::Chat")]
impl ChatSocketApi {
    /// Live chat (WebSocket)
    ///
    /// Upgrade to a WebSocket for live chat, as a customer (own conversations) or an admin (support:
    /// every conversation). **Authentication at connect**: `Authorization: Bearer <accessToken>`; a
    /// browser, which cannot set headers on a WebSocket, offers the subprotocols `sabil.bearer` and the
    /// token (`new WebSocket(url, ["sabil.bearer", accessToken])`) and the server answers
    /// `Sec-WebSocket-Protocol: sabil.bearer`. Tokens in the URL are not accepted (URLs end up in logs).
    /// A connection stays open past its token's expiry; reconnect with a fresh token.
    ///
    /// **Frames** are JSON text, each with a `type`. Client to server:
    /// - `{"type":"send","conversationId":"…","text":"…","imageId":"…","clientId":"…"}`: send a message
    ///   (text 1–2000 characters and/or an uploaded image's id; `clientId` optional, echoed back).
    ///   Answered with `sent` (or `error`).
    /// - `{"type":"typing","conversationId":"…"}`: the user is typing (send at most every few seconds).
    /// - `{"type":"read","conversationId":"…","upToMessageId":"…","clientId":"…"}`: the user read the
    ///   other side's messages up to that one (all without it). Answered with `marked`.
    ///
    /// Server to client:
    /// - `{"type":"ready","side":"customer|support","userId":"…"}`: first frame; events flow from now on.
    /// - `{"type":"message","message":Message}`: a new message (the `Message` of the REST API), from the
    ///   other side or from another device of the same user (not echoed to the connection that sent it).
    /// - `{"type":"sent","clientId":"…","message":Message}`: your `send` was stored.
    /// - `{"type":"marked","clientId":"…","conversationId":"…","marked":2,"unread":0}`: your `read` was stored.
    /// - `{"type":"typing","conversationId":"…","side":"…","userId":"…"}`: the other side is typing.
    /// - `{"type":"read","conversationId":"…","side":"customer|support","upToMessageId":"…","at":"…"}`:
    ///   read receipt (`side` is the reader).
    /// - `{"type":"delivered","conversationId":"…","side":"…","upToMessageId":"…","at":"…"}`: delivered
    ///   receipt (`side` is the recipient; a message counts as delivered when it reaches a live
    ///   connection or a history read of the other side).
    /// - `{"type":"conversation","conversation":Conversation}`: started, assigned or closed.
    /// - `{"type":"resync"}`: events may have been lost; read `GET .../messages?after=<last id>`.
    /// - `{"type":"error","clientId":"…","error":{"type","code","message","hint","fields"}}`: a frame
    ///   failed, with the error body of the REST API.
    ///
    /// **Reconnecting**: after a drop, reconnect and read each open conversation's messages with
    /// `after=<id of the last message you hold>`. With several API instances (Redis), events reach
    /// connections on every instance. A customer without a live connection gets a push for support's replies.
    #[oai(path = "/chat/ws", method = "get", operation_id = "connectChat")]
    async fn connect(&self, state: Data<&AppState>, req: &Request, auth: SocketAuth, ws: WebSocket) -> ApiResult<BoxWebSocketUpgraded> {
        let claims = auth.claims(req, &state)?;
        if !matches!(claims.role, Role::Customer | Role::Admin) {
            return Err(ApiError::forbidden("auth.role_forbidden", "A SAP client has no chat.", "Use a customer or admin token."));
        }
        let chat = state.app.chat.clone();
        let who = chat.participant(&claims).await?;
        // Opened before the upgrade is answered: once the client sees 101, nothing is missed.
        let session = std::sync::Mutex::new(Some(chat.connect(&who).await?));
        // tungstenite allocates its read buffer up front (128 KiB by default): with thousands of mostly idle
        // chat connections that is most of the server's memory, and chat frames are small.
        let config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER_BYTES)
            .max_message_size(Some(MAX_FRAME_BYTES))
            .max_frame_size(Some(MAX_FRAME_BYTES));
        Ok(ws
            .protocols([BEARER_PROTOCOL])
            .config(config)
            .on_upgrade(move |socket| async move {
                let session = session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
                if let Some(session) = session {
                    serve(chat, session, socket).await;
                }
            })
            .boxed())
    }
}

/// Runs one connection until either side closes it.
async fn serve(chat: ChatService, mut session: ChatSession, socket: WebSocketStream) {
    let who = *session.participant();
    let (mut sink, mut stream) = socket.split();
    // Messages this connection sent: their event is not echoed back to it (it got `sent`).
    let mut own: HashSet<ChatMessageId> = HashSet::new();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    if sink.send(Message::Text(frames::ready(&who))).await.is_err() {
        return;
    }
    loop {
        let out = tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => handle(&chat, &who, &text, &mut own).await,
                Some(Ok(Message::Binary(_))) => frames::error(None, frames::unreadable("binary frames are not used")).await,
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => continue,
            },
            item = session.next() => match item {
                None => break,
                Some(FeedItem::Missed) => frames::resync(),
                Some(FeedItem::Event(event)) => {
                    if let ChatEventKind::Message(m) = &event.kind {
                        if own.remove(&m.id) {
                            continue;
                        }
                        if m.sender != who.side() {
                            let (chat, event) = (chat.clone(), event.clone());
                            // Off the connection's loop: the receipt must not hold up the next frame.
                            tokio::spawn(async move {
                                if let Err(e) = chat.delivered(&who, &event).await {
                                    tracing::warn!(error = %e, "could not record a chat delivery");
                                }
                            });
                        }
                    }
                    frames::event(&event)
                }
            },
            _ = ping.tick() => {
                if sink.send(Message::Ping(Vec::new())).await.is_err() {
                    break;
                }
                continue;
            }
        };
        // A `typing` frame has no answer.
        if out.is_empty() {
            continue;
        }
        if sink.send(Message::Text(out)).await.is_err() {
            break;
        }
    }
    let _ = sink.close().await;
}

/// Answers one client frame.
async fn handle(chat: &ChatService, who: &Participant, text: &str, own: &mut HashSet<ChatMessageId>) -> String {
    let frame: ClientFrame = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => return frames::error(None, frames::unreadable(&e.to_string())).await,
    };
    let client_id = frame.client_id().map(str::to_owned);
    let answer: ApiResult<String> = async {
        match frame {
            ClientFrame::Send { conversation_id, text, image_id, client_id } => {
                let content = ChatContent::parse(text.as_deref(), image_id.map(sabil_core::domain::files::FileId))?;
                let message = chat.send(who, ConversationId(conversation_id), content).await?;
                own.insert(message.id);
                Ok(frames::sent(client_id.as_deref(), message))
            }
            ClientFrame::Typing { conversation_id } => {
                chat.typing(who, ConversationId(conversation_id)).await?;
                Ok(String::new())
            }
            ClientFrame::Read { conversation_id, up_to_message_id, client_id } => {
                let receipt = chat.mark_read(who, ConversationId(conversation_id), up_to_message_id.map(ChatMessageId)).await?;
                Ok(frames::marked(client_id.as_deref(), conversation_id, receipt.marked, receipt.conversation.unread_for(who.side())))
            }
        }
    }
    .await;
    match answer {
        Ok(frame) => frame,
        Err(e) => frames::error(client_id.as_deref(), e).await,
    }
}
