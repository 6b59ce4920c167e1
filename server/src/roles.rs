//! `/api/roles`: administrators create and edit roles and assign them to users.
//! A change applies at once: requests read the role anew, and open sockets are woken
//! so each re-reads its user's rights and, if they changed, asks the SPA to reload.

use crate::auth::{all_users, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Json, Router};
use el_protocol::permissions::{AssignRole, Assignment, EntityRights, Role, RoleInput, RolesOverview, ViewScope};
use el_protocol::{RoleId, UserId};
use rusqlite::{params, Connection, OptionalExtension};

/// Longest role name, in characters.
pub const MAX_ROLE_NAME_CHARS: usize = 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/roles", post(create).get(overview))
        .route("/roles/{id}", put(update).delete(remove))
        .route("/users/{id}/role", put(assign))
}

fn scope_str(scope: ViewScope) -> &'static str {
    match scope {
        ViewScope::All => "all",
        ViewScope::Own => "own",
        ViewScope::None => "none",
    }
}

fn roles(conn: &Connection) -> AppResult<Vec<Role>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, lead_create, lead_view, contact_create, contact_view FROM roles ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Role {
            id: RoleId(r.get(0)?),
            name: r.get(1)?,
            leads: EntityRights::new(r.get(2)?, crate::auth::parse_scope(&r.get::<_, String>(3)?)),
            contacts: EntityRights::new(r.get(4)?, crate::auth::parse_scope(&r.get::<_, String>(5)?)),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn overview_of(conn: &Connection) -> AppResult<RolesOverview> {
    let users = all_users(conn)?
        .into_iter()
        .map(|u| Assignment {
            user: u.user.id,
            name: u.user.name,
            login: u.user.login,
            role: u.role.id,
            admin: u.access.admin,
        })
        .collect();
    Ok(RolesOverview { roles: roles(conn)?, users })
}

async fn overview(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<RolesOverview>> {
    user.require_admin()?;
    Ok(Json(state.db.run(|conn| overview_of(conn)).await?))
}

fn role_name(input: &RoleInput) -> AppResult<String> {
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(AppError::BadRequest("Enter the role's name.".into()));
    }
    if name.chars().count() > MAX_ROLE_NAME_CHARS {
        return Err(AppError::BadRequest(format!("The name is too long: at most {MAX_ROLE_NAME_CHARS} characters.")));
    }
    Ok(name)
}

fn name_taken(e: rusqlite::Error) -> AppError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            AppError::Conflict("A role with this name already exists.".into())
        }
        other => other.into(),
    }
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(input): Json<RoleInput>,
) -> AppResult<Json<RolesOverview>> {
    user.require_admin()?;
    let name = role_name(&input)?;
    let overview = state
        .db
        .transaction(move |tx| {
            tx.execute(
                "INSERT INTO roles (name, lead_create, lead_view, contact_create, contact_view) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, input.leads.create, scope_str(input.leads.view), input.contacts.create, scope_str(input.contacts.view)],
            )
            .map_err(name_taken)?;
            overview_of(tx)
        })
        .await?;
    Ok(Json(overview))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(input): Json<RoleInput>,
) -> AppResult<Json<RolesOverview>> {
    user.require_admin()?;
    let name = role_name(&input)?;
    let overview = state
        .db
        .transaction(move |tx| {
            let changed = tx
                .execute(
                    "UPDATE roles SET name = ?1, lead_create = ?2, lead_view = ?3, contact_create = ?4, contact_view = ?5
                     WHERE id = ?6",
                    params![
                        name,
                        input.leads.create,
                        scope_str(input.leads.view),
                        input.contacts.create,
                        scope_str(input.contacts.view),
                        id
                    ],
                )
                .map_err(name_taken)?;
            if changed == 0 {
                return Err(AppError::NotFound("There is no such role.".into()));
            }
            overview_of(tx)
        })
        .await?;
    state.hub.rights_changed();
    Ok(Json(overview))
}

async fn remove(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    user.require_admin()?;
    state
        .db
        .transaction(move |tx| {
            let users: i64 = tx.query_row("SELECT COUNT(*) FROM users WHERE role_id = ?1", [id], |r| r.get(0))?;
            if users > 0 {
                return Err(AppError::Conflict(format!(
                    "{users} user{} still {} this role. Give them another role first.",
                    if users == 1 { "" } else { "s" },
                    if users == 1 { "has" } else { "have" }
                )));
            }
            if tx.execute("DELETE FROM roles WHERE id = ?1", [id])? == 0 {
                return Err(AppError::NotFound("There is no such role.".into()));
            }
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<AssignRole>,
) -> AppResult<Json<RolesOverview>> {
    user.require_admin()?;
    let overview = state
        .db
        .transaction(move |tx| {
            let role = tx.query_row("SELECT 1 FROM roles WHERE id = ?1", [body.role.0], |_| Ok(())).optional()?;
            role.ok_or_else(|| AppError::BadRequest("There is no such role.".into()))?;
            if tx.execute("UPDATE users SET role_id = ?1 WHERE id = ?2", params![body.role.0, UserId(id).0])? == 0 {
                return Err(AppError::NotFound("There is no such user.".into()));
            }
            overview_of(tx)
        })
        .await?;
    state.hub.rights_changed();
    Ok(Json(overview))
}
