//! `/api/quick-replies`: saved answers. Everyone who works in External Lines reads the
//! shared ones and keeps their own; only administrators share or change shared ones.

pub mod store;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::validate::is_hidden;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use el_protocol::api::MAX_MESSAGE_CHARS;
use el_protocol::replies::{QuickReply, QuickReplyInput, MAX_REPLIES, MAX_REPLY_TITLE_CHARS};
use store::Owner;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quick-replies", get(list).post(create))
        .route("/quick-replies/{id}", put(change).delete(remove))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Vec<QuickReply>>> {
    user.require_lines()?;
    Ok(Json(state.db.read(move |conn| store::visible(conn, user.id())).await?))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(input): Json<QuickReplyInput>,
) -> AppResult<Json<Vec<QuickReply>>> {
    save(state, user, None, input).await
}

async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(input): Json<QuickReplyInput>,
) -> AppResult<Json<Vec<QuickReply>>> {
    save(state, user, Some(id), input).await
}

/// Stores a new reply (`id` `None`) or changes reply `id`; answers the user's list.
async fn save(
    state: AppState,
    user: CurrentUser,
    id: Option<i64>,
    input: QuickReplyInput,
) -> AppResult<Json<Vec<QuickReply>>> {
    let input = checked(input)?;
    let owner = owner_for(&user, input.shared)?;
    let replies = state
        .db
        .transaction(move |tx| {
            match id {
                None if store::count(tx, owner)? >= MAX_REPLIES => {
                    return Err(AppError::Conflict(format!(
                        "At most {MAX_REPLIES} quick replies can be kept: remove some first."
                    )));
                }
                None => {
                    store::insert(tx, owner, &input)?;
                }
                Some(id) => {
                    may_change(&user, store::owner_of(tx, id)?)?;
                    store::update(tx, id, owner, &input)?;
                }
            }
            store::visible(tx, user.id())
        })
        .await?;
    Ok(Json(replies))
}

async fn remove(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    state
        .db
        .transaction(move |tx| {
            may_change(&user, store::owner_of(tx, id)?)?;
            store::delete(tx, id)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who will keep a reply `user` saves: everyone only if an administrator shares it.
fn owner_for(user: &CurrentUser, shared: bool) -> AppResult<Owner> {
    user.require_lines()?;
    if shared {
        user.require_admin()?;
        Ok(None)
    } else {
        Ok(Some(user.id()))
    }
}

/// Refuses unless `user` may change a reply kept by `owner` (`None`: no such reply,
/// and another user's own replies do not exist for them either).
fn may_change(user: &CurrentUser, owner: Option<Owner>) -> AppResult<()> {
    user.require_lines()?;
    match owner {
        Some(Some(o)) if o == user.id() => Ok(()),
        Some(None) => user.require_admin(),
        _ => Err(store::not_found()),
    }
}

/// A reply's title and text: trimmed, present, not too long (hidden characters are
/// dropped from the title).
fn checked(input: QuickReplyInput) -> AppResult<QuickReplyInput> {
    let title: String = input.title.chars().filter(|c| !is_hidden(*c)).collect();
    let (title, text) = (title.trim(), input.text.trim());
    if title.is_empty() || text.is_empty() {
        return Err(AppError::BadRequest("A quick reply needs a title and a text.".into()));
    }
    if title.chars().count() > MAX_REPLY_TITLE_CHARS {
        return Err(AppError::BadRequest(format!(
            "The title is too long: at most {MAX_REPLY_TITLE_CHARS} characters."
        )));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(AppError::BadRequest(format!("The text is too long: at most {MAX_MESSAGE_CHARS} characters.")));
    }
    Ok(QuickReplyInput { title: title.into(), text: text.into(), shared: input.shared })
}
