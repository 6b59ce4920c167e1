//! `/api/roles`: administrators create and edit roles and assign them to users.
//! A change applies at once: requests read the role anew, and open sockets are woken
//! so each re-reads its user's rights and, if they changed, asks the SPA to reload.

pub mod store;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Json, Router};
use el_protocol::permissions::{AssignRole, RoleInput, RolesOverview};
use el_protocol::{RoleId, UserId};
use store::RoleColumns;

/// Longest role name, in characters.
pub const MAX_ROLE_NAME_CHARS: usize = 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/roles", post(create).get(overview))
        .route("/roles/{id}", put(update).delete(remove))
        .route("/users/{id}/role", put(assign))
}

/// Checks the name (required, not too long) and takes the rights.
fn columns(input: &RoleInput) -> AppResult<RoleColumns> {
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(AppError::BadRequest("Enter the role's name.".into()));
    }
    if name.chars().count() > MAX_ROLE_NAME_CHARS {
        return Err(AppError::BadRequest(format!("The name is too long: at most {MAX_ROLE_NAME_CHARS} characters.")));
    }
    Ok(RoleColumns {
        name,
        lead_create: input.leads.create,
        lead_view: input.leads.view.as_str(),
        contact_create: input.contacts.create,
        contact_view: input.contacts.view.as_str(),
    })
}

async fn overview(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<RolesOverview>> {
    user.require_admin()?;
    Ok(Json(state.db.run(store::overview).await?))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(input): Json<RoleInput>,
) -> AppResult<Json<RolesOverview>> {
    user.require_admin()?;
    let role = columns(&input)?;
    Ok(Json(state.db.transaction(move |tx| store::create(tx, &role)).await?))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(input): Json<RoleInput>,
) -> AppResult<Json<RolesOverview>> {
    user.require_admin()?;
    let role = columns(&input)?;
    let overview = state.db.transaction(move |tx| store::update(tx, RoleId(id), &role)).await?;
    state.hub.rights_changed();
    Ok(Json(overview))
}

async fn remove(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    user.require_admin()?;
    state.db.transaction(move |tx| store::delete(tx, RoleId(id))).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<AssignRole>,
) -> AppResult<Json<RolesOverview>> {
    user.require_admin()?;
    let overview = state.db.transaction(move |tx| store::assign(tx, UserId(id), body.role)).await?;
    state.hub.rights_changed();
    Ok(Json(overview))
}
