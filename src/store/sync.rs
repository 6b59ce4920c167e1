//! Keeps the inbox store in sync with the server: load a snapshot, open the socket
//! from its position, apply what streams in; on a drop, reconnect with backoff and
//! resume from the last applied position; on a resync request (the log moved on, or
//! the user's rights changed), read the user again and reload the snapshot. The first
//! screen needs the snapshot only: what follows the socket comes in a part of its own
//! (`on_demand::follower`), downloaded once the snapshot's rows are painted.

use super::batch::Batch;
use super::{Connection, InboxStore, Session};
use crate::alerts;
use crate::api::{self, socket::Ended, socket::Socket};
use crate::on_demand::{self, NotDownloaded};
use el_protocol::alerts::Alert;
use el_protocol::api::UserSettings;
use el_protocol::events::{Frame, UserEvent};
use el_protocol::inbox::{tab_of, Tab};
use futures::future::LocalBoxFuture;
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// Close code the server uses when the session is no longer valid.
const CLOSE_UNAUTHORIZED: u16 = 4401;
const FIRST_RETRY: Duration = Duration::from_millis(500);
const LONGEST_RETRY: Duration = Duration::from_secs(15);

/// Tells the user of `alert`; its notification's click opens the chat in its tab.
fn tell(store: InboxStore, alert: Alert, settings: UserSettings) {
    let on_screen = store.shows_chat(alert.dialog);
    let id = alert.dialog;
    alerts::tell(&alert, settings, on_screen, move || {
        let tab = store.inbox.with_untracked(|i| i.get(id).and_then(|d| tab_of(d, i.me())));
        let path = format!("/lines/{id}?tab={}", tab.unwrap_or(Tab::Unassigned).as_str());
        alerts::go_to(&path);
    });
}

/// Applies socket frames in their order (events with their alerts, typing, the
/// replay's end), unless the session they came in has ended.
fn apply(store: InboxStore, session: Session, frames: Vec<Frame<UserEvent>>, current: impl Fn() -> bool) {
    for frame in frames {
        if !current() {
            return;
        }
        match frame {
            Frame::Event { seq, mut event } => {
                event.event.restore();
                let alert = session.with_me(|me| Some((store.alert(seq, &event, &me.user)?, me.settings))).flatten();
                store.apply(seq, &event);
                if let Some((alert, settings)) = alert {
                    tell(store, alert, settings);
                }
            }
            Frame::Typing { dialog_id, name } => store.heard_typing(dialog_id, name),
            Frame::Live { .. } => store.connection.set(Connection::Live),
            Frame::Resync { .. } => {}
        }
    }
}

/// How following the socket ended.
pub enum Followed {
    /// The session ended meanwhile.
    Over,
    /// The server asked for a resync: the log moved on, or the user's rights changed.
    Resync,
    /// The server closed the socket because the session is no longer valid.
    SignedOut,
    /// The connection dropped or could not open; `was_live` when it had caught up first.
    Dropped { was_live: bool },
}

/// Starts syncing for the current session; it stops by itself when the session ends.
/// The snapshot is loaded here; the live part, downloaded once its rows are painted,
/// follows the socket from it ([`follow`]).
pub fn start(store: InboxStore, session: Session) {
    let epoch = session.epoch.get_untracked();
    let Some(me) = session.my_id() else { return };
    let current = move || session.still(epoch);
    spawn_local(async move {
        let mut retry = FIRST_RETRY;
        let mut need_snapshot = true;
        while current() {
            if need_snapshot {
                match api::inbox().await {
                    Ok(snapshot) if current() => {
                        store.load(me, snapshot);
                        need_snapshot = false;
                    }
                    Ok(_) => return,
                    Err(f) if f.is_unauthorized() => return session.signed_out(),
                    Err(_) => {
                        store.connection.set(Connection::Reconnecting);
                        sleep(retry).await;
                        retry = (retry * 2).min(LONGEST_RETRY);
                        continue;
                    }
                }
            }
            let followed = match on_demand::follower().await {
                Ok(follow) => follow(store, session, epoch).await,
                Err(NotDownloaded) if on_demand::app_was_updated().await => {
                    return store.connection.set(Connection::Updated);
                }
                Err(NotDownloaded) => Followed::Dropped { was_live: false },
            };
            match followed {
                Followed::Over => return,
                Followed::SignedOut => return session.signed_out(),
                Followed::Resync => {
                    // The socket worked: a later drop starts its backoff afresh.
                    retry = FIRST_RETRY;
                    // The rights may have changed (a new role): read them again.
                    match api::me().await {
                        Ok(me) if current() => {
                            let lines = me.access.has_lines();
                            session.update_me(me);
                            if !lines {
                                return;
                            }
                        }
                        Ok(_) => return,
                        Err(f) if f.is_unauthorized() => return session.signed_out(),
                        Err(_) => {}
                    }
                    need_snapshot = true;
                }
                Followed::Dropped { was_live } => {
                    if was_live {
                        retry = FIRST_RETRY;
                    }
                    store.connection.set(Connection::Reconnecting);
                    // A refused upgrade looks like a lost connection: ask whether the
                    // session still stands before trying again.
                    if let Err(f) = api::me().await {
                        if f.is_unauthorized() {
                            return session.signed_out();
                        }
                    }
                    sleep(retry).await;
                    retry = (retry * 2).min(LONGEST_RETRY);
                }
            }
        }
    });
}

/// Follows the socket of session `epoch` from the store's position, applying what
/// streams in, until it ends; it lives in the live part. Frames apply together at the
/// next paint (see `batch`); what came before a drop or a resync is applied first.
pub fn follow(store: InboxStore, session: Session, epoch: u64) -> LocalBoxFuture<'static, Followed> {
    let current = move || session.still(epoch);
    let batch = Batch::new(move |frames| apply(store, session, frames, current));
    Box::pin(async move {
        let mut socket = match Socket::open(&socket_path(store.as_of())) {
            Ok(socket) => socket,
            Err(ended) => return dropped(ended, false),
        };
        let mut was_live = false;
        loop {
            if !current() {
                return Followed::Over;
            }
            match socket.next::<UserEvent>().await {
                Ok(frame @ (Frame::Event { .. } | Frame::Typing { .. })) => batch.push(frame),
                Ok(frame @ Frame::Live { .. }) => {
                    was_live = true;
                    batch.push(frame);
                }
                Ok(Frame::Resync { .. }) => {
                    batch.flush();
                    return Followed::Resync;
                }
                Err(ended) => {
                    batch.flush();
                    return dropped(ended, was_live);
                }
            }
        }
    })
}

/// What a socket's end means.
fn dropped(ended: Ended, was_live: bool) -> Followed {
    match ended {
        Ended::Closed(CLOSE_UNAUTHORIZED) => Followed::SignedOut,
        _ => Followed::Dropped { was_live },
    }
}

/// The operator socket's address from `since`; an embedded app (with no cookie) names
/// its session, since a browser gives sockets no headers.
fn socket_path(since: el_protocol::Seq) -> String {
    match el_web_client::http::session_token() {
        Some(token) => format!("/api/socket?since={since}&compact=true&token={token}"),
        None => format!("/api/socket?since={since}&compact=true"),
    }
}
