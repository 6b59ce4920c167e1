//! `/api/users`: the Space's employees, for names in chats and for pickers.

use crate::auth::store::all_users;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use el_protocol::api::UserSummary;

pub fn router() -> Router<AppState> {
    Router::new().route("/users", get(list))
}

async fn list(State(state): State<AppState>, _user: CurrentUser) -> AppResult<Json<Vec<UserSummary>>> {
    let users = state.db.read(|conn| Ok(all_users(conn)?.into_iter().map(|u| u.user).collect::<Vec<_>>())).await?;
    Ok(Json(users))
}
