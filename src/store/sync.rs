//! Keeps the inbox store in sync with the server: load a snapshot, open the socket
//! from its position, apply what streams in; on a drop, reconnect with backoff and
//! resume from the last applied position; on a resync request (the log moved on, or
//! the user's rights changed), read the user again and reload the snapshot.

use super::batch::Batch;
use super::{Connection, InboxStore, Session};
use crate::alerts;
use crate::api::{self, socket::Ended, socket::Socket};
use el_protocol::alerts::Alert;
use el_protocol::api::UserSettings;
use el_protocol::events::{Frame, UserEvent};
use el_protocol::inbox::{tab_of, Tab};
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

/// Starts syncing for the current session; it stops by itself when the session ends.
pub fn start(store: InboxStore, session: Session) {
    let epoch = session.epoch.get_untracked();
    let Some(me) = session.my_id() else { return };
    let current = move || session.epoch.get_untracked() == epoch;
    // Frames apply together at the next paint (see `batch`).
    let batch = Batch::new(move |frames| apply(store, session, frames, current));
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
            let ended = match Socket::open(&socket_path(store.as_of())) {
                Ok(mut socket) => loop {
                    if !current() {
                        return;
                    }
                    match socket.next::<UserEvent>().await {
                        Ok(frame @ (Frame::Event { .. } | Frame::Typing { .. })) => batch.push(frame),
                        Ok(frame @ Frame::Live { .. }) => {
                            retry = FIRST_RETRY;
                            batch.push(frame);
                        }
                        Ok(Frame::Resync { .. }) => {
                            batch.flush();
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
                            break None;
                        }
                        Err(ended) => {
                            // What came before the drop is applied before resuming after it.
                            batch.flush();
                            break Some(ended);
                        }
                    }
                },
                Err(ended) => Some(ended),
            };
            match ended {
                None => continue,
                Some(Ended::Closed(CLOSE_UNAUTHORIZED)) => return session.signed_out(),
                Some(_) => {
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

/// The operator socket's address from `since`; an embedded app (with no cookie) names
/// its session, since a browser gives sockets no headers.
fn socket_path(since: el_protocol::Seq) -> String {
    match el_web_client::http::session_token() {
        Some(token) => format!("/api/socket?since={since}&compact=true&token={token}"),
        None => format!("/api/socket?since={since}&compact=true"),
    }
}
