//! The queue (`/api/queue`, `/api/me/presence`) and its worker: channels whose new
//! dialogs go "in turn" have each offered to one available operator (Online, with the
//! app open, under their maximum of active dialogs) for the channel's offer time, then
//! to the next. The worker runs one pass whenever something it depends on changes: a
//! dialog event, an offer running out, an operator connecting, leaving or going Away,
//! a setting. A pass is one transaction, so two operators never get the same dialog.

pub mod store;

use crate::auth::store::load_user;
use crate::auth::CurrentUser;
use crate::db::now_ms;
use crate::dialogs::store::log_dialog;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use el_protocol::api::{DialogState, Me};
use el_protocol::events::Event;
use el_protocol::queue::{QueueOverview, SetCapacity, SetPresence, SetRouting};
use el_protocol::{ChannelId, Seq, UserId};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// How often an instance says which operators have the app open on it (their
/// connection lapses after [`store::ONLINE_FOR_MS`] without it).
pub const HEARTBEAT: Duration = Duration::from_secs(20);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/queue", get(overview))
        .route("/queue/channels/{id}", put(set_routing))
        .route("/queue/operators/{id}", put(set_capacity))
        .route("/me/presence", put(set_presence))
}

/// Which operators have the app open on this instance, and the worker's wake-up.
#[derive(Default)]
pub struct Queue {
    sockets: Mutex<HashMap<UserId, usize>>,
    /// Users whose connection changed since the worker last stored it.
    changed: Mutex<HashSet<UserId>>,
    wake: Notify,
}

impl Queue {
    /// Asks the worker for a pass.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn note_change(&self, user: UserId) {
        self.changed.lock().unwrap_or_else(|p| p.into_inner()).insert(user);
        self.wake();
    }

    /// Takes the changed users: those connected now, and those who are not.
    fn take_changes(&self) -> (Vec<UserId>, Vec<UserId>) {
        let changed = std::mem::take(&mut *self.changed.lock().unwrap_or_else(|p| p.into_inner()));
        let sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        changed.into_iter().partition(|u| sockets.contains_key(u))
    }

    /// Marks every connected user changed (the heartbeat), or the users of a pass that
    /// failed, to be stored again.
    fn restore(&self, users: impl IntoIterator<Item = UserId>) {
        self.changed.lock().unwrap_or_else(|p| p.into_inner()).extend(users);
    }

    fn connected_users(&self) -> Vec<UserId> {
        self.sockets.lock().unwrap_or_else(|p| p.into_inner()).keys().copied().collect()
    }
}

/// Held while an operator's socket is open: the queue counts them connected.
pub struct Connected {
    state: AppState,
    user: UserId,
}

impl Connected {
    pub fn new(state: &AppState, user: UserId) -> Connected {
        let first = {
            let mut sockets = state.queue.sockets.lock().unwrap_or_else(|p| p.into_inner());
            let n = sockets.entry(user).or_default();
            *n += 1;
            *n == 1
        };
        if first {
            state.queue.note_change(user);
        }
        Connected { state: state.clone(), user }
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        let last = {
            let mut sockets = self.state.queue.sockets.lock().unwrap_or_else(|p| p.into_inner());
            let n = sockets.entry(self.user).or_default();
            *n = n.saturating_sub(1);
            let last = *n == 0;
            if last {
                sockets.remove(&self.user);
            }
            last
        };
        if last {
            self.state.queue.note_change(self.user);
        }
    }
}

/// The queue for administrators: channels' routing, operators' presence and load,
/// and the dialogs waiting in turn.
async fn overview(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<QueueOverview>> {
    user.require_admin()?;
    read_overview(&state).await.map(Json)
}

async fn read_overview(state: &AppState) -> AppResult<QueueOverview> {
    state
        .db
        .read(|conn| {
            let now = now_ms();
            Ok(QueueOverview {
                now,
                channels: store::channels(conn)?,
                operators: store::operators(conn, now)?.into_iter().map(|(op, _)| op).collect(),
                waiting: store::waiting(conn)?,
            })
        })
        .await
}

async fn set_routing(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<SetRouting>,
) -> AppResult<Json<QueueOverview>> {
    user.require_admin()?;
    let set = body.checked().map_err(AppError::BadRequest)?;
    let seq = state
        .db
        .transaction(move |tx| {
            let changed = store::set_routing(tx, ChannelId(id), set)?;
            log_dialogs(tx, &changed)
        })
        .await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    state.queue.wake();
    read_overview(&state).await.map(Json)
}

async fn set_capacity(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<SetCapacity>,
) -> AppResult<Json<QueueOverview>> {
    user.require_admin()?;
    let set = body.checked().map_err(AppError::BadRequest)?;
    state.db.transaction(move |tx| store::set_capacity(tx, UserId(id), set.max_active)).await?;
    state.queue.wake();
    read_overview(&state).await.map(Json)
}

/// The signed-in operator goes Online or Away; answers them as `GET /api/me` does.
async fn set_presence(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<SetPresence>,
) -> AppResult<Json<Me>> {
    user.require_lines()?;
    let id = user.id();
    let updated = state
        .db
        .transaction(move |tx| {
            store::set_presence(tx, id, body.presence)?;
            load_user(tx, id)?.ok_or_else(|| AppError::Unauthorized("Sign in again.".into()))
        })
        .await?;
    state.queue.wake();
    Ok(Json(updated.me(&state)))
}

/// Logs each dialog's new summary; answers the last event's position.
fn log_dialogs(conn: &crate::sql::Connection, dialogs: &[el_protocol::DialogId]) -> AppResult<Option<Seq>> {
    let mut seq = None;
    for dialog in dialogs {
        seq = Some(log_dialog(conn, *dialog)?);
    }
    Ok(seq)
}

/// Checked even when nothing announced a change (an instance that died lets its
/// operators' connections lapse; rights change).
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// The worker: one pass, then waits for a reason for the next. Runs until the server
/// stops.
pub async fn run(state: AppState) {
    let mut fed = state.hub.subscribe();
    let mut closing = state.hub.closing();
    let mut seen = state.hub.feed().head();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let mut in_turn: Vec<ChannelId> = Vec::new();
    loop {
        let (online, offline) = state.queue.take_changes();
        let retry: Vec<UserId> = online.iter().chain(&offline).copied().collect();
        let now = now_ms();
        let pass = state
            .db
            .transaction(move |tx| {
                store::set_connected(tx, &online, &offline, now)?;
                let done = store::distribute(tx, now)?;
                Ok((log_dialogs(tx, &done.changed)?, done))
            })
            .await;
        let mut next = Instant::now() + IDLE_CHECK;
        match pass {
            Ok((seq, done)) => {
                if let Some(seq) = seq {
                    state.hub.published(seq);
                }
                if let Some(at) = done.next_expiry {
                    let wait = Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0) + 1);
                    next = next.min(Instant::now() + wait);
                }
                in_turn = done.in_turn;
            }
            Err(e) => {
                tracing::error!(error = %e, "the queue's pass failed");
                state.queue.restore(retry);
                next = Instant::now() + Duration::from_secs(1);
            }
        }
        loop {
            tokio::select! {
                _ = closing.changed() => return,
                _ = state.queue.wake.notified() => break,
                _ = heartbeat.tick() => {
                    state.queue.restore(state.queue.connected_users());
                    break;
                }
                _ = tokio::time::sleep_until(next) => break,
                changed = fed.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    if concerns_queue(&state, &mut seen, &in_turn) {
                        break;
                    }
                }
            }
        }
    }
}

/// Did the log bring anything the queue must look at: while some channel goes in
/// turn, a dialog that changed (taken, ended, left: someone's load changed) or a
/// message of a dialog waiting there (new, perhaps offered as it came: its offer's
/// end is to be kept in sight).
fn concerns_queue(state: &AppState, seen: &mut Seq, in_turn: &[ChannelId]) -> bool {
    let feed = state.hub.feed();
    let from = std::mem::replace(seen, feed.head());
    if in_turn.is_empty() {
        return false;
    }
    let Ok(mut events) = feed.after(from, usize::MAX) else { return true };
    events.any(|logged| match &logged.event {
        Event::DialogUpdated { .. } => true,
        Event::MessageCreated { dialog, .. } => {
            dialog.state == DialogState::Unassigned && in_turn.contains(&dialog.channel_id)
        }
        _ => false,
    })
}
