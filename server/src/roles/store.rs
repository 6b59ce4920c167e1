//! Roles and who has which (SQL only).

use crate::auth::store::{all_users, role_from_row};
use crate::error::{AppError, AppResult};
use crate::event_log::store as event_log;
use crate::sql::ToSql;
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::permissions::{Assignment, Role, RolesOverview};
use el_protocol::{RoleId, UserId};

/// A role as stored: its name (already checked) and rights in their column forms.
pub struct RoleColumns {
    pub name: String,
    pub lead_create: bool,
    pub lead_view: &'static str,
    pub contact_create: bool,
    pub contact_view: &'static str,
}

impl RoleColumns {
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

fn roles(conn: &Connection) -> AppResult<Vec<Role>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, lead_create, lead_view, contact_create, contact_view FROM roles ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| role_from_row(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every role and every user's role.
pub fn overview(conn: &Connection) -> AppResult<RolesOverview> {
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

fn name_taken(e: crate::sql::Error) -> AppError {
    if e.is_unique_violation() {
        AppError::Conflict("A role with this name already exists.".into())
    } else {
        e.into()
    }
}

/// Adds a role (its name must be free); answers every role as they are now.
pub fn create(tx: &Connection, role: &RoleColumns) -> AppResult<RolesOverview> {
    tx.execute(
        "INSERT INTO roles (name, lead_create, lead_view, contact_create, contact_view)
         VALUES (:name, :lead_create, :lead_view, :contact_create, :contact_view)",
        role.params().as_slice(),
    )
    .map_err(name_taken)?;
    overview(tx)
}

/// Changes a role's name and rights; answers every role as they are now.
pub fn update(tx: &Connection, id: RoleId, role: &RoleColumns) -> AppResult<RolesOverview> {
    let mut params = role.params().to_vec();
    params.push((":id", &id.0));
    let changed = tx
        .execute(
            "UPDATE roles SET name = :name, lead_create = :lead_create, lead_view = :lead_view,
                    contact_create = :contact_create, contact_view = :contact_view
             WHERE id = :id",
            params.as_slice(),
        )
        .map_err(name_taken)?;
    if changed == 0 {
        return Err(not_found());
    }
    event_log::rights_changed(tx)?;
    overview(tx)
}

/// Removes a role nobody has.
pub fn delete(tx: &Connection, id: RoleId) -> AppResult<()> {
    let users: i64 = tx.query_row("SELECT COUNT(*) FROM users WHERE role_id = ?1", [id.0], |r| r.get(0))?;
    if users > 0 {
        return Err(AppError::Conflict(format!(
            "{users} user{} still {} this role. Give them another role first.",
            if users == 1 { "" } else { "s" },
            if users == 1 { "has" } else { "have" }
        )));
    }
    if tx.execute("DELETE FROM roles WHERE id = ?1", [id.0])? == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// Gives `user` the role `role`; answers every role as they are now.
pub fn assign(tx: &Connection, user: UserId, role: RoleId) -> AppResult<RolesOverview> {
    let exists = tx.query_row("SELECT 1 FROM roles WHERE id = ?1", [role.0], |_| Ok(())).optional()?;
    exists.ok_or_else(|| AppError::BadRequest("There is no such role.".into()))?;
    if tx.execute("UPDATE users SET role_id = ?1 WHERE id = ?2", params![role.0, user.0])? == 0 {
        return Err(AppError::NotFound("There is no such user.".into()));
    }
    event_log::rights_changed(tx)?;
    overview(tx)
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such role.".into())
}
