//! `/api/roles`: administrators create and edit roles and assign them to users.
//! A change applies at once: requests read the role anew, and open sockets are woken
//! so each re-reads its user's rights and, if they changed, asks the SPA to reload.

use crate::auth::{all_users, role_from_row, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Json, Router};
use el_protocol::permissions::{AssignRole, Assignment, Role, RoleInput, RolesOverview};
use el_protocol::UserId;
use rusqlite::types::ToSql;
use rusqlite::{params, Connection, OptionalExtension};

/// Longest role name, in characters.
pub const MAX_ROLE_NAME_CHARS: usize = 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/roles", post(create).get(overview))
        .route("/roles/{id}", put(update).delete(remove))
        .route("/users/{id}/role", put(assign))
}

fn roles(conn: &Connection) -> AppResult<Vec<Role>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, lead_create, lead_view, contact_create, contact_view FROM roles ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| role_from_row(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A role as stored: checked name, rights in their column forms.
struct RoleColumns {
    name: String,
    lead_create: bool,
    lead_view: &'static str,
    contact_create: bool,
    contact_view: &'static str,
}

impl RoleColumns {
    /// Checks the name (required, not too long) and takes the rights.
    fn of(input: &RoleInput) -> AppResult<RoleColumns> {
        let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(AppError::BadRequest("Enter the role's name.".into()));
        }
        if name.chars().count() > MAX_ROLE_NAME_CHARS {
            return Err(AppError::BadRequest(format!(
                "The name is too long: at most {MAX_ROLE_NAME_CHARS} characters."
            )));
        }
        Ok(RoleColumns {
            name,
            lead_create: input.leads.create,
            lead_view: input.leads.view.as_str(),
            contact_create: input.contacts.create,
            contact_view: input.contacts.view.as_str(),
        })
    }

    /// The columns as named parameters (`:name`, `:lead_create`...).
    fn params(&self) -> [(&'static str, &dyn ToSql); 5] {
        [
            (":name", &self.name),
            (":lead_create", &self.lead_create),
            (":lead_view", &self.lead_view),
            (":contact_create", &self.contact_create),
            (":contact_view", &self.contact_view),
        ]
    }
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
    let role = RoleColumns::of(&input)?;
    let overview = state
        .db
        .transaction(move |tx| {
            tx.execute(
                "INSERT INTO roles (name, lead_create, lead_view, contact_create, contact_view)
                 VALUES (:name, :lead_create, :lead_view, :contact_create, :contact_view)",
                role.params().as_slice(),
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
    let role = RoleColumns::of(&input)?;
    let overview = state
        .db
        .transaction(move |tx| {
            let mut params = role.params().to_vec();
            params.push((":id", &id));
            let changed = tx
                .execute(
                    "UPDATE roles SET name = :name, lead_create = :lead_create, lead_view = :lead_view,
                            contact_create = :contact_create, contact_view = :contact_view
                     WHERE id = :id",
                    params.as_slice(),
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
