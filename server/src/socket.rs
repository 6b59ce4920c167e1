//! Sockets: replay the event log from the reader's position, say when they are live,
//! then stream. Each reader sees only its projection of each event, re-checked against
//! its current rights on every batch, so a role change or sign-out applies at once.

use crate::auth::{user_for_session, CurrentUser, SESSION_COOKIE};
use crate::dialogs::store;
use crate::error::{AppError, AppResult};
use crate::{event_log, origin, AppState};
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use axum_extra::extract::CookieJar;
use el_protocol::events::{Event, Frame, UserEvent};
use el_protocol::Seq;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Events read from the log per database call.
const BATCH: usize = 500;
/// How often an idle socket is pinged, so dead peers and idle proxies are noticed.
const PING_EVERY: Duration = Duration::from_secs(25);
/// Close code sent when the reader's session or identity is no longer valid.
pub const CLOSE_UNAUTHORIZED: u16 = 4401;

pub fn router() -> Router<AppState> {
    Router::new().route("/socket", get(operator_socket))
}

/// `?since=N`: the last log position the client has applied.
#[derive(Debug, Deserialize)]
pub struct SinceQuery {
    #[serde(default)]
    pub since: Seq,
}

/// What re-reading a reader's rights found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rights {
    /// As before.
    Same,
    /// Changed (a new role): what the client holds was read under other rights.
    Changed,
    /// Gone (signed out, deleted...).
    Gone,
}

/// Someone who reads the log through a socket.
pub trait Reader: Send + 'static {
    type Out: Serialize + Send + 'static;
    /// Re-reads the reader's rights.
    fn refresh(&mut self, conn: &Connection) -> AppResult<Rights>;
    /// What of `event` this reader receives (read with the database at hand).
    fn project(&self, conn: &Connection, event: &Event) -> AppResult<Option<Self::Out>>;
    /// Adds what the reader needs once per batch to the batch's last event.
    fn finish_batch(&self, _conn: &Connection, _last: &mut Self::Out) -> AppResult<()> {
        Ok(())
    }
}

/// A signed-in operator, identified by their session token.
struct Operator {
    token: String,
    user: CurrentUser,
}

impl Reader for Operator {
    type Out = UserEvent;

    fn refresh(&mut self, conn: &Connection) -> AppResult<Rights> {
        match user_for_session(conn, &self.token)? {
            Some(user) => {
                let same = user.access == self.user.access;
                self.user = user;
                Ok(if same { Rights::Same } else { Rights::Changed })
            }
            None => Ok(Rights::Gone),
        }
    }

    fn project(&self, conn: &Connection, event: &Event) -> AppResult<Option<UserEvent>> {
        let Some(event) = event.for_user(self.user.id(), &self.user.access) else { return Ok(None) };
        let unread = match &event {
            Event::DialogRemoved { .. } => None,
            other => Some(store::unread_count(conn, other.dialog_id(), self.user.id())?),
        };
        Ok(Some(UserEvent { event, unread, totals: None }))
    }

    fn finish_batch(&self, conn: &Connection, last: &mut UserEvent) -> AppResult<()> {
        last.totals = Some(store::totals(conn, self.user.id())?);
        Ok(())
    }
}

async fn operator_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    user: CurrentUser,
    Query(q): Query<SinceQuery>,
    ws: WebSocketUpgrade,
) -> AppResult<Response> {
    origin::check(&headers, &state.config)?;
    user.require_lines()?;
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    let reader = Operator { token, user };
    Ok(ws.on_upgrade(move |socket| stream(socket, state, q.since, reader)))
}

/// Streams the log to `socket` from `since` until the peer leaves, the reader's
/// rights end, or the server shuts down.
pub async fn stream<R: Reader>(mut socket: WebSocket, state: AppState, mut since: Seq, mut reader: R) {
    let resumable = state.db.run(move |conn| event_log::can_resume(conn, since)).await;
    if !matches!(resumable, Ok(true)) {
        let frame: Frame<R::Out> = Frame::Resync { reason: "The server cannot resume from this point.".into() };
        let _ = send(&mut socket, &frame).await;
        let _ = socket.send(WsMessage::Close(None)).await;
        return;
    }
    let mut wake = state.hub.subscribe();
    let mut closing = state.hub.closing();
    let mut live = false;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        wake.borrow_and_update();
        let read = state.db.run(move |conn| Ok((read_batch(conn, &mut reader, since)?, reader))).await;
        let batch = match read {
            Ok((batch, back)) => {
                reader = back;
                batch
            }
            Err(e) => {
                tracing::error!(error = %e, "socket read failed");
                let _ = socket.send(close(1011, "server error")).await;
                return;
            }
        };
        let Batch { frames, next, full } = match batch {
            Ok(batch) => batch,
            Err(Rights::Changed) => {
                let frame: Frame<R::Out> = Frame::Resync { reason: "Your permissions have changed.".into() };
                let _ = send(&mut socket, &frame).await;
                let _ = socket.send(close(1000, "permissions changed")).await;
                return;
            }
            Err(_) => {
                let _ = socket.send(close(CLOSE_UNAUTHORIZED, "signed out")).await;
                return;
            }
        };
        since = next;
        for frame in &frames {
            if send(&mut socket, frame).await.is_err() {
                return;
            }
        }
        if full {
            continue;
        }
        if !live {
            live = true;
            if send(&mut socket, &Frame::<R::Out>::Live { seq: since }).await.is_err() {
                return;
            }
        }
        loop {
            tokio::select! {
                changed = wake.changed() => {
                    if changed.is_err() { return; }
                    break;
                }
                _ = closing.changed() => {
                    let _ = socket.send(close(1001, "server shutting down")).await;
                    return;
                }
                _ = ping.tick() => {
                    if socket.send(WsMessage::Ping(Vec::new().into())).await.is_err() { return; }
                }
                incoming = socket.recv() => match incoming {
                    Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => return,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
}

/// One read of the log for a reader: the frames it receives and where it stopped.
struct Batch<T> {
    frames: Vec<Frame<T>>,
    /// The last log position read (sent or filtered out).
    next: Seq,
    /// The read hit the batch size: more may follow at once.
    full: bool,
}

/// Reads the events after `since` for `reader`; the reader's new rights instead when
/// they changed or ended.
fn read_batch<R: Reader>(conn: &Connection, reader: &mut R, since: Seq) -> AppResult<Result<Batch<R::Out>, Rights>> {
    match reader.refresh(conn)? {
        Rights::Same => {}
        other => return Ok(Err(other)),
    }
    let events = event_log::after(conn, since, BATCH)?;
    let full = events.len() == BATCH;
    let mut next = since;
    let mut frames = Vec::new();
    for (seq, event) in events {
        next = seq;
        if let Some(out) = reader.project(conn, &event)? {
            frames.push(Frame::Event { seq, event: out });
        }
    }
    if let Some(Frame::Event { event, .. }) = frames.last_mut() {
        reader.finish_batch(conn, event)?;
    }
    Ok(Ok(Batch { frames, next, full }))
}

async fn send<T: Serialize>(socket: &mut WebSocket, frame: &T) -> Result<(), ()> {
    let text = serde_json::to_string(frame).map_err(|_| ())?;
    socket.send(WsMessage::Text(text.into())).await.map_err(|_| ())
}

fn close(code: u16, reason: &'static str) -> WsMessage {
    WsMessage::Close(Some(CloseFrame { code, reason: reason.into() }))
}

impl From<axum::extract::ws::rejection::WebSocketUpgradeRejection> for AppError {
    fn from(e: axum::extract::ws::rejection::WebSocketUpgradeRejection) -> Self {
        AppError::BadRequest(e.body_text())
    }
}
