//! `/api/dialogs`: the operator's inbox, a chat, Reply, and sending messages.

pub mod store;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::{event_log, validate, AppState};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use el_protocol::api::{
    ChatSnapshot, DialogState, DialogSummary, InboxSnapshot, Message, SendMessage,
};
use el_protocol::inbox::tab_of;
use el_protocol::DialogId;
use rusqlite::Connection;
use store::NewAuthor;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dialogs", get(inbox))
        .route("/dialogs/{id}", get(chat))
        .route("/dialogs/{id}/reply", post(reply))
        .route("/dialogs/{id}/messages", post(send))
}

/// The dialog, if `user` may open it; the same "not found" otherwise, so ids cannot
/// be probed.
fn visible_dialog(conn: &Connection, id: DialogId, user: &CurrentUser) -> AppResult<DialogSummary> {
    user.require_lines()?;
    store::summary(conn, id)?
        .filter(|d| tab_of(d, user.id()).is_some())
        .ok_or_else(AppError::dialog_not_found)
}

async fn inbox(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<InboxSnapshot>> {
    user.require_lines()?;
    let snapshot = state
        .db
        .run(move |conn| {
            let tx = conn.transaction()?;
            let as_of = event_log::head(&tx)?;
            let dialogs = store::inbox(&tx, user.id())?;
            Ok(InboxSnapshot { as_of, dialogs })
        })
        .await?;
    Ok(Json(snapshot))
}

async fn chat(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ChatSnapshot>> {
    let snapshot = state
        .db
        .run(move |conn| {
            let tx = conn.transaction()?;
            let dialog = visible_dialog(&tx, DialogId(id), &user)?;
            Ok(ChatSnapshot {
                as_of: event_log::head(&tx)?,
                messages: store::messages(&tx, dialog.id)?,
                dialog,
            })
        })
        .await?;
    Ok(Json(snapshot))
}

async fn reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<DialogSummary>> {
    let (seq, dialog) = state
        .db
        .transaction(move |tx| {
            // Not `visible_dialog`: whoever lost a race for an Unassigned dialog must
            // learn who took it, although it has just left their inbox.
            user.require_lines()?;
            let id = DialogId(id);
            store::summary(tx, id)?.ok_or_else(AppError::dialog_not_found)?;
            let seq = store::claim(tx, id, user.id())?;
            Ok((
                seq,
                store::summary(tx, id)?.ok_or_else(AppError::dialog_not_found)?,
            ))
        })
        .await?;
    state.hub.published(seq);
    Ok(Json(dialog))
}

async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<SendMessage>,
) -> AppResult<Json<Message>> {
    let text = validate::message_text(&body.text)?;
    let key = validate::client_msg_id(&body.client_msg_id)?;
    let added = state
        .db
        .transaction(move |tx| {
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            match dialog.state {
                DialogState::Active if store::is_member(tx, dialog.id, user.id())? => {}
                DialogState::Unassigned => {
                    return Err(AppError::Forbidden(
                        "Press Reply to take this dialog before writing.".into(),
                    ))
                }
                DialogState::Ended => {
                    return Err(AppError::Conflict(
                        "This dialog is closed. Start it again to write.".into(),
                    ))
                }
                DialogState::Active => {
                    return Err(AppError::Forbidden(
                        "Join the dialog before writing.".into(),
                    ))
                }
            }
            store::add_message(
                tx,
                dialog.id,
                NewAuthor::Operator(user.id()),
                &text,
                Some(&key),
            )
        })
        .await?;
    if let Some(seq) = added.seq {
        state.hub.published(seq);
    }
    Ok(Json(added.message))
}
