//! `/api/users`: the Space's employees, for names in chats and for pickers.

use crate::auth::{load_user, CurrentUser};
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
            let mut stmt = conn.prepare_cached("SELECT id FROM users ORDER BY name COLLATE NOCASE")?;
            let ids = stmt.query_map([], |r| r.get::<_, i64>(0))?.collect::<Result<Vec<_>, _>>()?;
            let mut users = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(u) = load_user(conn, UserId(id))? {
                    users.push(u.user);
                }
            }
            Ok(users)
        })
        .await?;
    Ok(Json(users))
}
