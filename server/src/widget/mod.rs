//! `/api/widget`: the website visitor's side. A visitor gets a random bearer token on
//! their first contact; the token is their identity (a client account on the widget
//! channel) and is kept by their browser so they continue the same conversation.

pub mod store;

pub use crate::clients::store::Visitor;

use crate::client_addr::ClientAddr;
use crate::clients::store as clients;
use crate::config::Config;
use crate::db::now_ms;
use crate::dialogs::store as dialogs;
use crate::dialogs::too_many_typing;
use crate::error::{AppError, AppResult};
use crate::event_log::{Feed, Logged, Typing, Typist};
use crate::socket::{self, Reader, Rights, SinceQuery};
use crate::sql::Connection;
use crate::throttle::RateLimit;
use crate::tokens::{new_token, token_hash};
use crate::{event_log, origin, validate, AppState};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use el_protocol::api::{
    DialogState, Receipt, SendMessage, WidgetConversation, WidgetHello, WidgetMessage, WidgetSession,
};
use el_protocol::events::Frame;
use el_protocol::{ChannelId, MessageId};
use serde::Deserialize;
use std::time::{Duration, Instant};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/widget/session", post(start_session))
        .route("/widget/conversation", get(conversation))
        .route("/widget/messages", post(send))
        .route("/widget/socket", get(visitor_socket))
        .route("/widget/typing", post(visitor_typing))
        .route("/widget/read/{message}", post(visitor_read))
        .route("/widget/delivered/{message}", post(visitor_delivered))
}

/// How fast website visitors may start chats (per address), write (per visitor and
/// per address) and upload (bytes per channel), so that a script cannot flood the
/// inbox or the disk.
pub struct WidgetLimits {
    sessions: RateLimit,
    by_visitor: RateLimit,
    by_address: RateLimit,
    upload_bytes: RateLimit,
}

impl WidgetLimits {
    pub fn new(config: &Config) -> Self {
        let (hour, minute) = (Duration::from_secs(3600), Duration::from_secs(60));
        let per_minute = config.widget_messages_per_minute;
        WidgetLimits {
            sessions: RateLimit::new(config.widget_sessions_per_hour, hour),
            by_visitor: RateLimit::new(per_minute, minute),
            by_address: RateLimit::new(per_minute.saturating_mul(10), minute),
            upload_bytes: RateLimit::new(config.widget_upload_mb_per_hour.saturating_mul(1024 * 1024), hour),
        }
    }

    /// Refuses an upload of `incoming` bytes when the visitors of `channel` have used
    /// their hour's worth.
    pub fn upload_room(&self, channel: ChannelId, incoming: u64) -> AppResult<()> {
        self.upload_bytes.fits(&channel.to_string(), incoming, Instant::now()).map_err(|wait| {
            AppError::TooManyRequests(format!(
                "This chat has received too many files in the last hour. Please try again in {} minutes.",
                wait.as_secs().div_ceil(60).max(1)
            ))
        })
    }

    /// Counts a file a visitor of `channel` uploaded.
    pub fn uploaded(&self, channel: ChannelId, bytes: u64) {
        self.upload_bytes.charge(&channel.to_string(), bytes, Instant::now());
    }

    fn session(&self, addr: ClientAddr) -> AppResult<()> {
        self.sessions.hit(&addr.to_string(), Instant::now()).map_err(|_| {
            AppError::TooManyRequests("Too many chats were started from your network. Please try again later.".into())
        })
    }

    /// Counts a message or an upload of `visitor`.
    pub fn message(&self, addr: ClientAddr, visitor: &Visitor) -> AppResult<()> {
        let now = Instant::now();
        self.by_visitor
            .hit(&visitor.account_id.to_string(), now)
            .and_then(|()| self.by_address.hit(&addr.to_string(), now))
            .map_err(too_fast)
    }

    /// Refuses at once, before any work, an address that has used its messages of the
    /// minute (nothing is counted: [`WidgetLimits::message`] counts what is accepted).
    pub fn address_room(&self, addr: ClientAddr) -> AppResult<()> {
        self.by_address.fits(&addr.to_string(), 1, Instant::now()).map_err(too_fast)
    }
}

fn too_fast(wait: Duration) -> AppError {
    AppError::TooManyRequests(format!(
        "You are sending messages too fast. Please wait {} seconds.",
        wait.as_secs().max(1)
    ))
}

/// The visitor holding `token`, or 401.
pub async fn authenticate(state: &AppState, token: String) -> AppResult<Visitor> {
    state.db.read(move |conn| visitor_of(conn, &token)).await
}

/// The visitor whose token `token` is, read on `conn`, or 401.
fn visitor_of(conn: &Connection, token: &str) -> AppResult<Visitor> {
    clients::visitor(conn, &token_hash(token))?
        .ok_or_else(|| AppError::Unauthorized("This chat session has expired. Please reload the page.".into()))
}

/// A visitor's bearer token, not yet checked: a write that needs the visitor reads
/// them inside its own transaction (one turn at the database instead of two).
pub struct VisitorToken(String);

impl<S: Send + Sync> FromRequestParts<S> for VisitorToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(|token| VisitorToken(token.to_string()))
            .ok_or_else(|| AppError::Unauthorized("Missing chat session.".into()))
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let VisitorToken(token) = VisitorToken::from_request_parts(parts, state).await?;
        authenticate(state, token).await
    }
}

async fn start_session(
    State(state): State<AppState>,
    addr: ClientAddr,
    Json(hello): Json<WidgetHello>,
) -> AppResult<Json<WidgetSession>> {
    state.widget_limits.session(addr)?;
    let name = match hello.name.as_deref() {
        Some(n) => validate::display_name(n)?,
        None => None,
    };
    let token = new_token();
    let hash = token_hash(&token);
    let (client_name, channel_name) = state
        .db
        .transaction(move |tx| {
            let (channel, channel_name) = store::channel(tx, &hello.channel)?
                .ok_or_else(|| AppError::NotFound("This chat is not available.".into()))?;
            // The same person on another channel of the site keeps their client.
            let known = match hello.known.as_deref() {
                Some(token) => clients::visitor(tx, &token_hash(token))?,
                None => None,
            };
            let client_name = clients::add_visitor(tx, channel, &hash, known.as_ref(), name, now_ms())?;
            Ok((client_name, channel_name))
        })
        .await?;
    Ok(Json(WidgetSession { token, client_name, channel_name, limits: state.config.upload_limits() }))
}

async fn conversation(State(state): State<AppState>, visitor: Visitor) -> AppResult<Json<WidgetConversation>> {
    let conversation = state
        .db
        .read(move |conn| {
            let as_of = event_log::store::head(conn)?;
            let messages = dialogs::account_messages(conn, visitor.account_id)?
                .iter()
                .filter_map(WidgetMessage::from_message)
                .collect();
            Ok(WidgetConversation { as_of, messages })
        })
        .await?;
    Ok(Json(conversation))
}

/// A visitor's message: who they are is read in the transaction that stores it, then
/// checked as every widget request is (session, rate, content, in that order).
async fn send(
    State(state): State<AppState>,
    addr: ClientAddr,
    token: VisitorToken,
    Json(body): Json<SendMessage>,
) -> AppResult<Json<WidgetMessage>> {
    // A flood from one address costs the writer nothing once the address is over.
    state.widget_limits.address_room(addr)?;
    let checks = state.clone();
    let added = state
        .db
        .transaction(move |tx| {
            let visitor = visitor_of(tx, &token.0)?;
            checks.widget_limits.message(addr, &visitor)?;
            let text = validate::message(&body, &checks.config.upload_limits())?;
            let key = validate::client_msg_id(&body.client_msg_id)?;
            dialogs::client_message(tx, visitor.account_id, &text, Some(&key), &body.attachments)
        })
        .await?;
    if let Some(seq) = added.seq {
        state.hub.published(seq);
    }
    WidgetMessage::from_message(&added.message)
        .map(Json)
        .ok_or_else(|| AppError::Internal("client message without client author".into()))
}

/// The visitor is typing: operators who may open their open dialog see it (kept only
/// seconds, for other instances); a visitor whose dialog is closed types to nobody.
async fn visitor_typing(State(state): State<AppState>, visitor: Visitor) -> AppResult<StatusCode> {
    let key = format!("visitor-{}", visitor.account_id);
    state.typing_limits.hit(&key, Instant::now()).map_err(|_| too_many_typing())?;
    let account = visitor.account_id;
    let latest = state.db.read(move |conn| dialogs::latest_of_account(conn, account)).await?;
    if let Some(dialog) = latest.filter(|d| d.state != DialogState::Ended) {
        let who = Typist::Client(dialog.client_name);
        state.hub.typing(Typing { dialog: dialog.id, client: dialog.client_id, channel: dialog.channel_id, who });
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The visitor has seen the conversation up to an operator's message: operators see
/// "Seen" on it.
async fn visitor_read(state: State<AppState>, visitor: Visitor, message: Path<i64>) -> AppResult<StatusCode> {
    received(state, visitor, message, Receipt::Seen).await
}

/// The visitor's widget has received an operator's message (the chat may be closed or
/// the page in the background): operators see "Delivered" on it until it is seen.
async fn visitor_delivered(state: State<AppState>, visitor: Visitor, message: Path<i64>) -> AppResult<StatusCode> {
    received(state, visitor, message, Receipt::Delivered).await
}

async fn received(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(message): Path<i64>,
    how: Receipt,
) -> AppResult<StatusCode> {
    let account = visitor.account_id;
    // Receipts come once or twice per answer; the bound keeps a script from writing on and on.
    state
        .typing_limits
        .hit(&format!("read-{account}"), Instant::now())
        .map_err(|_| AppError::TooManyRequests("Receipts are reported too often.".into()))?;
    let seq = state.db.transaction(move |tx| dialogs::client_received(tx, account, MessageId(message), how)).await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `?token=...&since=N` (browsers cannot set headers on a WebSocket).
#[derive(Debug, Deserialize)]
struct SocketQuery {
    token: String,
}

impl Reader for Visitor {
    fn refresh(&mut self, conn: &Connection) -> AppResult<Rights> {
        let exists = clients::visitor_exists(conn, self)?;
        Ok(if exists { Rights::Same } else { Rights::Gone })
    }

    /// Operators typing in the visitor's own conversation.
    fn hears<'a>(&self, _feed: &Feed, typing: &'a Typing) -> Option<&'a str> {
        match &typing.who {
            Typist::Operator(_, name) if typing.client == self.client_id && typing.channel == self.channel_id => {
                Some(name)
            }
            _ => None,
        }
    }

    fn frames<'a>(&self, _feed: &Feed, events: impl Iterator<Item = &'a Logged>) -> Vec<socket::Outgoing> {
        events
            .filter_map(|logged| {
                let event = logged.event.for_client(self.client_id, self.channel_id)?;
                Some(socket::frame_of(&Frame::Event { seq: logged.seq, event }))
            })
            .collect()
    }
}

async fn visitor_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(auth): Query<SocketQuery>,
    Query(q): Query<SinceQuery>,
    ws: socket::Upgrade,
) -> AppResult<Response> {
    origin::check(&headers, &state.config)?;
    let visitor = authenticate(&state, auth.token).await?;
    Ok(ws.on_upgrade(move |socket| socket::stream(socket, state, q.since, visitor)))
}
