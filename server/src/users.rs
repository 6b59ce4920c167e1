//! `/api/users`: the Space's employees, for names in chats and for pickers.

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use el_protocol::api::UserSummary;
use el_protocol::UserId;

pub fn router() -> Router<AppState> {
    Router::new().route("/users", get(list))
}

async fn list(State(state): State<AppState>, _user: CurrentUser) -> AppResult<Json<Vec<UserSummary>>> {
    let users = state
        .db
        .run(|conn| {
            let mut stmt = conn.prepare_cached("SELECT id, login, name FROM users ORDER BY name COLLATE NOCASE")?;
            let rows =
                stmt.query_map([], |r| Ok(UserSummary { id: UserId(r.get(0)?), login: r.get(1)?, name: r.get(2)? }))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(Json(users))
}
