//! Sockets: replay the reader's missed events from the in-memory feed, say when they
//! are live, then stream. Each reader receives only its projection of each event, as
//! its rights are now; the database is read only when a socket opens and when rights
//! or sessions change, never per event.

mod wire;

pub use wire::{start_socket_threads, Outgoing, Upgrade, WebSocket};

use crate::auth::store::user_for_session;
use crate::auth::{session_token, user_for_token, CurrentUser};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::event_log::{Behind, Feed, FrameKey, Logged, Typing, Typist};
use crate::queue::Connected;
use crate::sql::Connection;
use crate::tokens::token_hash;
use crate::{event_log, origin, AppState};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use el_protocol::api::TabTotals;
use el_protocol::events::{Event, Frame, Share, UserEvent};
use el_protocol::permissions::Access;
use el_protocol::{Seq, UserId};
use serde::Deserialize;
use std::fmt::Write;
use std::future::Future;
use std::io::ErrorKind;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use wire::Heard;

/// Events sent per pass (a reader far behind gets them in several).
const BATCH: usize = 500;
/// How often a socket is pinged, so dead peers and idle proxies are noticed.
const PING_EVERY: Duration = Duration::from_secs(25);
/// Every how many pings a reader's session is checked even when nothing announced a
/// change (sessions also end by expiring): every 50 s. One timer serves both, as every
/// timer a socket waits on is polled again at each of its wake-ups.
const RECHECK_EVERY_PINGS: u32 = 2;
/// How long a peer is given to answer the server's close frame.
const CLOSE_ANSWER_WAIT: Duration = Duration::from_secs(2);
/// A peer that takes longer than this to accept what was sent is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
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
pub trait Reader: Clone + Send + 'static {
    /// Re-reads the reader's rights.
    fn refresh(&mut self, conn: &Connection) -> AppResult<Rights>;
    /// The frames this reader receives of `events` (in order; it takes every one), given the feed.
    fn frames<'a>(&self, feed: &Feed, events: impl Iterator<Item = &'a Logged>) -> Vec<Outgoing>;
    /// Who is typing, when this reader is to hear it: as whom.
    fn hears<'a>(&self, feed: &Feed, typing: &'a Typing) -> Option<&'a str>;
}

/// The operator socket's query: `since`, and `compact=true` from an app that rebuilds
/// what [`Event::compact`] leaves out of messages (older apps get every event whole).
#[derive(Debug, Deserialize)]
struct OperatorQuery {
    #[serde(default)]
    since: Seq,
    #[serde(default)]
    compact: bool,
    /// An embed session's token (the app's own sockets carry the session cookie).
    token: Option<String>,
}

/// A signed-in operator, identified by their session (the hash of its token).
#[derive(Clone)]
struct Operator {
    session_hash: String,
    user: CurrentUser,
    /// Sends events as [`Event::compact`] leaves them.
    compact: bool,
    /// Counts them connected for the queue while the socket lives (not a component
    /// embedded in a host's page, where no inbox shows what the queue offers).
    _connected: Option<Arc<Connected>>,
}

impl Reader for Operator {
    fn refresh(&mut self, conn: &Connection) -> AppResult<Rights> {
        match user_for_session(conn, &self.session_hash, now_ms())? {
            Some(user) => {
                let same = user.access == self.user.access;
                self.user = user;
                Ok(if same { Rights::Same } else { Rights::Changed })
            }
            None => Ok(Rights::Gone),
        }
    }

    /// The client of a dialog the operator may open, and colleagues there.
    fn hears<'a>(&self, feed: &Feed, typing: &'a Typing) -> Option<&'a str> {
        let name = match &typing.who {
            Typist::Client(name) => name,
            Typist::Operator(user, name) if *user != self.user.id() => name,
            Typist::Operator(..) => return None,
        };
        feed.counts.may_open(typing.dialog, self.user.id(), &self.user.access).then_some(name.as_str())
    }

    /// Each event as the operator may receive it now: a dialog they could open when
    /// the event happened but cannot open now gets nothing of it (a later event removes
    /// it from their inbox), and a removal goes only to who could open the dialog just
    /// before. The last frame carries their tab totals.
    fn frames<'a>(&self, feed: &Feed, events: impl Iterator<Item = &'a Logged>) -> Vec<Outgoing> {
        let mut frames = Vec::new();
        // Each frame is built once the next one is known: the last carries the totals.
        let mut held: Option<(&Logged, Share)> = None;
        for logged in events {
            if let Some(share) = self.share(feed, logged) {
                if let Some((logged, share)) = held.replace((logged, share)) {
                    frames.push(self.frame(feed, logged, share, None));
                }
            }
        }
        if let Some((logged, share)) = held {
            frames.push(self.frame(feed, logged, share, Some(feed.counts.totals(self.user.id()))));
        }
        frames
    }
}

impl Operator {
    /// What the operator receives of `logged`, if anything.
    fn share(&self, feed: &Feed, logged: &Logged) -> Option<Share> {
        let (user, access) = (self.user.id(), &self.user.access);
        let event = &logged.event;
        let mut share = event.share_for_user(user, access);
        if share == Share::Whole && event.summary().is_some() && !feed.counts.may_open(event.dialog_id(), user, access)
        {
            share = match event {
                Event::DialogUpdated { .. } => Share::Removed,
                _ => Share::Nothing,
            };
        }
        if share == Share::Removed && !logged.could_open_before(user, access) {
            share = Share::Nothing;
        }
        (share != Share::Nothing).then_some(share)
    }

    /// The operator's frame of `logged`, shared with every operator whose is the same.
    fn frame(&self, feed: &Feed, logged: &Logged, share: Share, totals: Option<TabTotals>) -> Outgoing {
        let (user, access) = (self.user.id(), &self.user.access);
        let dialog = logged.event.dialog_id();
        if share == Share::Removed {
            let event = UserEvent { event: Event::DialogRemoved { dialog_id: dialog }, unread: None, totals };
            return frame_of(&Frame::Event { seq: logged.seq, event });
        }
        let unread = Some(feed.counts.unread(user, dialog));
        match redacted(&logged.event, user, access) {
            // A note naming a record this reader may not see: their own frame.
            Some(event) => frame_of(&Frame::Event { seq: logged.seq, event: UserEvent { event, unread, totals } }),
            None => {
                let compact = self.compact && logged.compact_json.is_some();
                logged.frame(FrameKey { compact, unread, totals }, || {
                    let json = match &logged.compact_json {
                        Some(json) if compact => json,
                        _ => &logged.json,
                    };
                    event_frame(logged.seq, json, unread, totals.as_ref())
                })
            }
        }
    }
}

/// `event` as `user` may read it, when that differs (see `Message::for_reader`).
fn redacted(event: &Event, user: UserId, access: &Access) -> Option<Event> {
    match event {
        Event::MessageCreated { dialog, message } => {
            message.for_reader(user, access).map(|message| Event::MessageCreated { dialog: dialog.clone(), message })
        }
        Event::MessageUpdated { dialog, message } => {
            message.for_reader(user, access).map(|message| Event::MessageUpdated { dialog: dialog.clone(), message })
        }
        _ => None,
    }
}

/// The frame of a whole event for one operator: the event's shared JSON with the
/// reader's own counts added, as `Frame::Event` of a [`UserEvent`] serializes.
fn event_frame(seq: Seq, json: &str, unread: Option<u32>, totals: Option<&TabTotals>) -> String {
    let body = json.strip_suffix('}').unwrap_or(json);
    let mut frame = String::with_capacity(json.len() + 160);
    let _ = write!(frame, r#"{{"frame":"event","seq":{seq},"event":{body}"#);
    if let Some(n) = unread {
        let _ = write!(frame, r#","unread":{n}"#);
    }
    if let Some(t) = totals {
        frame.push_str(r#","totals":"#);
        frame.push_str(&serde_json::to_string(t).unwrap_or_else(|_| "null".into()));
    }
    frame.push_str("}}");
    frame
}

async fn operator_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OperatorQuery>,
    ws: Upgrade,
) -> AppResult<Response> {
    origin::check(&headers, &state.config)?;
    // Browsers cannot give a socket headers: an embed session's token comes in the query.
    let token = q
        .token
        .clone()
        .or_else(|| session_token(&headers))
        .ok_or_else(|| AppError::Unauthorized("Please sign in.".into()))?;
    let user = user_for_token(&state, &token).await?;
    user.require_lines()?;
    let connected = q.token.is_none().then(|| Arc::new(Connected::new(&state, user.id())));
    let reader = Operator { session_hash: token_hash(&token), user, compact: q.compact, _connected: connected };
    Ok(ws.on_upgrade(move |socket| stream(socket, state, q.since, reader)))
}

/// Why a socket stops.
enum End {
    /// The peer left or stopped reading.
    Gone,
    /// Sent this frame, then close.
    Resync(&'static str),
    Close(u16, &'static str),
}

/// Streams the log to `socket` from `since` until the peer leaves, the reader's
/// rights end, or the server shuts down.
pub async fn stream<R: Reader>(mut socket: WebSocket, state: AppState, since: Seq, reader: R) {
    let end = follow(&mut socket, &state, since, reader).await;
    let close = match end {
        End::Gone => return,
        End::Resync(reason) => {
            let frame = frame_of(&Frame::<()>::Resync { reason: reason.into() });
            let _ = send_all(&mut socket, vec![frame]).await;
            Outgoing::close(1000, "resync")
        }
        End::Close(code, reason) => Outgoing::close(code, reason),
    };
    if send_all(&mut socket, vec![close]).await.is_ok() {
        // The close handshake: the peer answers, then the connection ends. (Closing it
        // with the peer's frames unread would reset it, and the peer could lose ours.)
        let answered = async { while !matches!(socket.recv().await, Heard::Close | Heard::Gone | Heard::Broken(_)) {} };
        let _ = tokio::time::timeout(CLOSE_ANSWER_WAIT, answered).await;
    }
}

async fn follow<R: Reader>(socket: &mut WebSocket, state: &AppState, since: Seq, mut reader: R) -> End {
    // The reader was authenticated before the upgrade, and this may run later on another
    // thread: their rights are read again after subscribing, so that a change (a sign-out)
    // committed in between is seen by that read or, if later, as a pulse.
    let hub = &state.hub;
    let mut fed = hub.subscribe();
    let mut rights = fed.borrow().rights;
    let fresh = reader.clone();
    let opened = state.db.read(move |conn| Ok((event_log::store::head(conn)?, refreshed(conn, fresh)?))).await;
    // A position the log never reached: the database was replaced. The replay ends
    // (`live`) only once it covers everything committed before the socket opened, also
    // what another instance wrote that this one's feed has not read yet.
    let committed = match opened {
        Ok((head, now)) => match rights_end(now, &mut reader) {
            Some(end) => return end,
            None if since <= head => head,
            None => return End::Resync("The server cannot resume from this point."),
        },
        Err(e) => return read_failed(e),
    };
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut pings = 0u32;
    let mut position = since;
    // Typing signals are taken from those that come after the socket opened.
    let mut typed = hub.feed().typing_count();
    let mut live = false;
    // Browsers answer pings by themselves: a peer silent for two pings is gone.
    let mut heard = tokio::time::Instant::now();
    loop {
        let pulse = *fed.borrow_and_update();
        if pulse.closing {
            return End::Close(1001, "server shutting down");
        }
        // A change of rights is seen before any event that follows it.
        if pulse.rights != rights {
            rights = pulse.rights;
            if let Some(end) = recheck_rights(state, &mut reader).await {
                return end;
            }
        }
        let pass = {
            let feed = hub.feed();
            feed.after(position, BATCH).map(|events| {
                let (mut next, mut taken) = (position, 0);
                // Up to the pulse's head: an event after a change of rights waits for the
                // pulse that tells of the change.
                let events = events.take_while(|e| e.seq <= pulse.head);
                let events = events.inspect(|e| (next, taken) = (e.seq, taken + 1));
                let mut frames = reader.frames(&feed, events);
                let full = taken == BATCH;
                let (signals, newest) = feed.typing_after(typed);
                frames.extend(signals.filter_map(|t| reader.hears(&feed, t).map(|name| typing_frame(t, name))));
                (frames, next, full, newest)
            })
        };
        let (frames, next, full, newest) = match pass {
            Ok(pass) => pass,
            Err(Behind) => return End::Resync("You were too far behind."),
        };
        (position, typed) = (next, newest);
        if !live && !full && position >= committed {
            live = true;
            let mut frames = frames;
            frames.push(frame_of(&Frame::<()>::Live { seq: position }));
            if send_all(socket, frames).await.is_err() {
                return End::Gone;
            }
        } else if send_all(socket, frames).await.is_err() {
            return End::Gone;
        }
        if full {
            continue;
        }
        loop {
            tokio::select! {
                biased;
                changed = fed.changed() => {
                    if changed.is_err() { return End::Gone; }
                    break;
                }

                _ = ping.tick() => {
                    if heard.elapsed() > PING_EVERY * 2 + Duration::from_secs(5) {
                        return End::Gone;
                    }
                    if send_all(socket, vec![Outgoing::ping()]).await.is_err() { return End::Gone; }
                    pings += 1;
                    if pings.is_multiple_of(RECHECK_EVERY_PINGS) {
                        if let Some(end) = recheck_rights(state, &mut reader).await { return end; }
                    }
                }
                heard_now = socket.recv() => {
                    let (answer, more) = match heard_now {
                        Heard::Alive => (None, true),
                        Heard::Ping(payload) => (Some(Outgoing::pong(&payload)), true),
                        // The peer's half of the close handshake is answered, then the socket ends.
                        Heard::Close => (Some(Outgoing::close(1000, "")), false),
                        Heard::Broken(code) => (Some(Outgoing::close(code, "protocol error")), false),
                        Heard::Gone => return End::Gone,
                    };
                    if let Some(answer) = answer {
                        if send_all(socket, vec![answer]).await.is_err() { return End::Gone; }
                    }
                    if !more { return End::Gone; }
                    heard = tokio::time::Instant::now();
                }
            }
        }
    }
}

/// The frame telling that `name` is typing in the signal's dialog.
fn typing_frame(typing: &Typing, name: &str) -> Outgoing {
    frame_of(&Frame::<()>::Typing { dialog_id: typing.dialog, name: name.to_string() })
}

/// A text frame of `frame`'s JSON.
pub fn frame_of<E: serde::Serialize>(frame: &Frame<E>) -> Outgoing {
    Outgoing::text(&serde_json::to_string(frame).unwrap_or_default())
}

/// Re-reads the reader's rights; how the socket ends when they changed or ended.
async fn recheck_rights<R: Reader>(state: &AppState, reader: &mut R) -> Option<End> {
    let fresh = reader.clone();
    match state.db.read(move |conn| refreshed(conn, fresh)).await {
        Ok(now) => rights_end(now, reader),
        Err(e) => Some(read_failed(e)),
    }
}

/// `reader` with their rights read again, and how those compare.
fn refreshed<R: Reader>(conn: &Connection, mut reader: R) -> AppResult<(Rights, R)> {
    Ok((reader.refresh(conn)?, reader))
}

/// Takes the re-read reader when their rights are the same; otherwise how the socket ends.
fn rights_end<R: Reader>((rights, fresh): (Rights, R), reader: &mut R) -> Option<End> {
    match rights {
        Rights::Same => {
            *reader = fresh;
            None
        }
        Rights::Changed => Some(End::Resync("Your permissions have changed.")),
        Rights::Gone => Some(End::Close(CLOSE_UNAUTHORIZED, "signed out")),
    }
}

fn read_failed(e: AppError) -> End {
    tracing::error!(error = %e, "reading a socket's rights failed");
    End::Close(1011, "server error")
}

/// Sends `frames` in one write; an error when the peer is gone or stopped reading.
async fn send_all(socket: &mut WebSocket, frames: Vec<Outgoing>) -> Result<(), ()> {
    if frames.is_empty() {
        return Ok(());
    }
    let mut send = std::pin::pin!(socket.send(&frames));
    // Most writes finish at once: only those that wait for the peer get a timer.
    let at_once = std::future::poll_fn(|cx| Poll::Ready(send.as_mut().poll(cx))).await;
    let sent = match at_once {
        Poll::Ready(sent) => sent,
        Poll::Pending => tokio::time::timeout(SEND_TIMEOUT, send).await.unwrap_or(Err(ErrorKind::TimedOut.into())),
    };
    sent.map_err(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spliced frame reads back as the `UserEvent` frame it stands for.
    #[test]
    fn a_shared_event_frame_is_a_user_event_frame() {
        // A new client message as the log holds it, with braces and quotes in its texts.
        let event: Event = serde_json::from_str(
            r#"{"type":"message_created","dialog":{"id":7,"name":"Olena \"O\" }","client_id":3,
            "client_name":"Olena","channel_id":1,"channel_kind":"widget","channel_name":"Website",
            "state":"unassigned","members":[],"participants":[],"spam":false,"created_at":1,
            "last_activity_at":1},"message":{"id":1,"dialog_id":7,"author":{"kind":"client",
            "name":"Olena"},"text":"}{ \"hi\"","created_at":5}}"#,
        )
        .unwrap();
        let json = serde_json::to_string(&event).unwrap();
        let mut totals = TabTotals::default();
        totals.unread.unassigned = 3;
        for (unread, totals) in [(Some(2), Some(totals)), (None, None)] {
            let text = event_frame(42, &json, unread, totals.as_ref());
            let back: Frame<UserEvent> = serde_json::from_str(&text).unwrap();
            assert_eq!(back, Frame::Event { seq: 42, event: UserEvent { event: event.clone(), unread, totals } });
        }
    }
}
