//! `/api/dialogs`: the operator's inbox, a chat, Reply, and sending messages.

pub mod store;

use crate::auth::CurrentUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::event_log::{Typing, Typist};
use crate::sql::Connection;
use crate::{event_log, validate, AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use el_protocol::api::{
    AddMembers, ChatPageQuery, ChatSnapshot, DialogPage, DialogState, DialogSummary, InboxSnapshot, Message,
    MessagePage, PageQuery, Redirect, Rename, SendMessage,
};
use el_protocol::inbox::{may_open, Tab};
use el_protocol::{DialogId, MessageId, Seq, UserId};
use serde::Deserialize;
use std::time::Instant;
use store::NewAuthor;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dialogs", get(inbox))
        .route("/dialogs/page", get(page))
        .route("/dialogs/{id}", get(chat))
        .route("/dialogs/{id}/reply", post(reply))
        .route("/dialogs/{id}/messages", get(older).post(send))
        .route("/dialogs/{id}", patch(rename))
        .route("/dialogs/{id}/join", post(join))
        .route("/dialogs/{id}/members", post(add_members))
        .route("/dialogs/{id}/leave", post(leave))
        .route("/dialogs/{id}/redirect", post(redirect))
        .route("/dialogs/{id}/end", post(end))
        .route("/dialogs/{id}/spam", post(spam))
        .route("/dialogs/{id}/start", post(start))
        .route("/dialogs/{id}/read", post(read))
        .route("/dialogs/{id}/typing", post(typing))
}

/// The user has read the dialog (the open chat shows its latest message).
async fn read(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    let seq = state
        .db
        .transaction(move |tx| {
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            store::mark_read(tx, dialog.id, user.id())
        })
        .await?;
    state.hub.published(seq);
    Ok(StatusCode::NO_CONTENT)
}

/// The operator is typing an answer (the composer says so every few seconds while they
/// type): the client and colleagues who may open the dialog see it (kept only seconds,
/// for other instances).
async fn typing(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    state.typing_limits.hit(&format!("user-{}", user.id()), Instant::now()).map_err(|_| too_many_typing())?;
    let checked = user.clone();
    let dialog = state
        .db
        .read(move |conn| {
            let dialog = visible_dialog(conn, DialogId(id), &checked)?;
            require_writer(conn, &dialog, &checked)?;
            Ok(dialog)
        })
        .await?;
    let who = Typist::Operator(user.id(), user.user.name);
    state.hub.typing(Typing { dialog: dialog.id, client: dialog.client_id, channel: dialog.channel_id, who });
    Ok(StatusCode::NO_CONTENT)
}

/// Typing signals come faster than any composer sends them.
pub(crate) fn too_many_typing() -> AppError {
    AppError::TooManyRequests("Typing is reported too often.".into())
}

/// Runs a dialog action: the dialog must be one the user may open; `action` checks the
/// rest and changes it inside one transaction; sockets are woken after commit. Answers
/// the dialog as it is now.
async fn act<F>(state: AppState, user: CurrentUser, id: i64, action: F) -> AppResult<Json<DialogSummary>>
where
    F: FnOnce(&Connection, &DialogSummary, UserId) -> AppResult<Seq> + Send + 'static,
{
    let (seq, dialog) = state
        .db
        .transaction(move |tx| {
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            let seq = action(tx, &dialog, user.id())?;
            Ok((seq, store::summary(tx, dialog.id)?.ok_or_else(AppError::dialog_not_found)?))
        })
        .await?;
    state.hub.published(seq);
    Ok(Json(dialog))
}

async fn join(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Json<DialogSummary>> {
    act(state, user, id, store::join).await
}

async fn add_members(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<AddMembers>,
) -> AppResult<Json<DialogSummary>> {
    act(state, user, id, move |tx, d, by| store::add_members(tx, d, by, &body.user_ids)).await
}

async fn leave(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<DialogSummary>> {
    act(state, user, id, store::leave).await
}

async fn redirect(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<Redirect>,
) -> AppResult<Json<DialogSummary>> {
    let note = validate::note(body.note.as_deref().unwrap_or_default())?;
    act(state, user, id, move |tx, d, by| store::redirect(tx, d, by, body.user_id, note.as_deref())).await
}

async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<Rename>,
) -> AppResult<Json<DialogSummary>> {
    let name = validate::display_name(&body.name)?;
    act(state, user, id, move |tx, d, by| store::rename(tx, d, by, name.as_deref())).await
}

async fn end(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Json<DialogSummary>> {
    act(state, user, id, |tx, d, by| store::end(tx, d, by, false)).await
}

async fn spam(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Json<DialogSummary>> {
    act(state, user, id, |tx, d, by| store::end(tx, d, by, true)).await
}

async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<DialogSummary>> {
    act(state, user, id, store::start).await
}

/// Refuses unless `user` may write in `dialog`: a member of it while it is Active.
pub(crate) fn require_writer(conn: &Connection, dialog: &DialogSummary, user: &CurrentUser) -> AppResult<()> {
    match dialog.state {
        DialogState::Active if store::is_member(conn, dialog.id, user.id())? => Ok(()),
        DialogState::Unassigned => Err(AppError::Forbidden("Press Reply to take this dialog before writing.".into())),
        DialogState::Ended => Err(AppError::Conflict("This dialog is closed. Start it again to write.".into())),
        DialogState::Active => Err(AppError::Forbidden("Join the dialog before writing.".into())),
    }
}

/// The dialog, if `user` may open it; the same "not found" otherwise, so ids cannot
/// be probed.
pub(crate) fn visible_dialog(conn: &Connection, id: DialogId, user: &CurrentUser) -> AppResult<DialogSummary> {
    user.require_lines()?;
    store::summary(conn, id)?.filter(|d| may_open(d, user.id(), &user.access)).ok_or_else(AppError::dialog_not_found)
}

/// `?limit=N`: dialogs per tab in a snapshot.
#[derive(Debug, Deserialize)]
struct SnapshotQuery {
    limit: Option<usize>,
}

/// The first page of each tab, all read at one log position.
async fn inbox(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<SnapshotQuery>, QueryRejection>,
) -> AppResult<Json<InboxSnapshot>> {
    user.require_lines()?;
    let Query(SnapshotQuery { limit }) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let snapshot = state
        .db
        .read(move |conn| {
            let as_of = event_log::store::head(conn)?;
            let pages = Tab::ALL
                .into_iter()
                .map(|tab| read_page(conn, user.id(), as_of, PageQuery { tab, at: None, id: None, limit }))
                .collect::<AppResult<_>>()?;
            Ok(InboxSnapshot { as_of, pages })
        })
        .await?;
    Ok(Json(snapshot))
}

/// The next dialogs of one tab.
async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> AppResult<Json<DialogPage>> {
    user.require_lines()?;
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let page = state
        .db
        .read(move |conn| {
            let as_of = event_log::store::head(conn)?;
            read_page(conn, user.id(), as_of, query)
        })
        .await?;
    Ok(Json(page))
}

fn read_page(conn: &Connection, user: UserId, as_of: Seq, query: PageQuery) -> AppResult<DialogPage> {
    let (dialogs, more) = store::page(conn, user, query.tab, query.cursor(), query.limit())?;
    let mut unread = Vec::new();
    for d in &dialogs {
        let n = store::unread_count(conn, d.id, user)?;
        if n > 0 {
            unread.push((d.id, n));
        }
    }
    Ok(DialogPage { tab: query.tab, as_of, dialogs, unread, more, totals: store::totals(conn, user)? })
}

/// One dialog with its newest page of messages.
async fn chat(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<Query<ChatPageQuery>, QueryRejection>,
) -> AppResult<Json<ChatSnapshot>> {
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let snapshot = state
        .db
        .read(move |conn| {
            let dialog = visible_dialog(conn, DialogId(id), &user)?;
            let (messages, has_older) = page_for_reader(conn, &user, dialog.id, None, query.limit())?;
            Ok(ChatSnapshot { as_of: event_log::store::head(conn)?, messages, dialog, has_older })
        })
        .await?;
    Ok(Json(snapshot))
}

/// The messages of a dialog before `?before=ID`, as the reader scrolls up.
async fn older(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<Query<ChatPageQuery>, QueryRejection>,
) -> AppResult<Json<MessagePage>> {
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let before = query
        .before
        .ok_or_else(|| AppError::BadRequest("Say which message the page ends before: ?before=ID.".into()))?;
    let page = state
        .db
        .read(move |conn| {
            let dialog = visible_dialog(conn, DialogId(id), &user)?;
            let (messages, has_older) = page_for_reader(conn, &user, dialog.id, Some(before), query.limit())?;
            Ok(MessagePage { messages, has_older })
        })
        .await?;
    Ok(Json(page))
}

/// A page of messages as `user` may read them (record notes by their CRM rights).
fn page_for_reader(
    conn: &Connection,
    user: &CurrentUser,
    dialog: DialogId,
    before: Option<MessageId>,
    limit: usize,
) -> AppResult<(Vec<Message>, bool)> {
    let (messages, has_older) = store::message_page(conn, dialog, before, limit)?;
    let messages = messages.into_iter().map(|m| m.for_reader(user.id(), &user.access).unwrap_or(m)).collect();
    Ok((messages, has_older))
}

async fn reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<DialogSummary>> {
    let (seq, dialog) = state
        .db
        .transaction(move |tx| {
            // Not only `visible_dialog`: whoever lost a race for an Unassigned dialog
            // must learn who took it, although it has just left their inbox. Others
            // learn nothing of a dialog they may not open.
            user.require_lines()?;
            let id = DialogId(id);
            let dialog = store::summary(tx, id)?.ok_or_else(AppError::dialog_not_found)?;
            if !may_open(&dialog, user.id(), &user.access) && !store::taken_since(tx, id, now_ms() - LOST_RACE_MS)? {
                return Err(AppError::dialog_not_found());
            }
            let seq = store::claim(tx, id, user.id())?;
            Ok((seq, store::summary(tx, id)?.ok_or_else(AppError::dialog_not_found)?))
        })
        .await?;
    state.hub.published(seq);
    Ok(Json(dialog))
}

/// How long after a dialog was taken a Reply to it still counts as a lost race.
const LOST_RACE_MS: i64 = 60_000;

async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<SendMessage>,
) -> AppResult<Json<Message>> {
    let text = validate::message(&body, &state.config.upload_limits())?;
    let key = validate::client_msg_id(&body.client_msg_id)?;
    let added = state
        .db
        .transaction(move |tx| {
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            require_writer(tx, &dialog, &user)?;
            let by = if body.note { NewAuthor::Note(user.id()) } else { NewAuthor::Operator(user.id()) };
            store::add_message(tx, dialog.id, by, &text, Some(&key), &body.attachments)
        })
        .await?;
    if let Some(seq) = added.seq {
        state.hub.published(seq);
    }
    Ok(Json(added.message))
}
