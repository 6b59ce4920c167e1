//! Users, their settings and their sessions (SQL only).

use crate::error::{AppError, AppResult};
use crate::event_log::store as event_log;
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::api::{Language, Theme, UserSettings, UserSummary};
use el_protocol::permissions::{Access, EntityRights, Role, ViewScope};
use el_protocol::queue::Presence;
use el_protocol::{RoleId, UserId};

/// A user with their role and the access it derives.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: UserSummary,
    pub role: Role,
    pub access: Access,
    pub settings: UserSettings,
    pub presence: Presence,
}

/// The role stored in six columns starting at `at`: id, name, lead create, lead view,
/// contact create, contact view.
pub fn role_from_row(r: &crate::sql::Row, at: usize) -> crate::sql::Result<Role> {
    let scope = |i: usize| -> crate::sql::Result<ViewScope> {
        Ok(ViewScope::parse(&r.get::<_, String>(at + i)?).unwrap_or(ViewScope::None))
    };
    Ok(Role {
        id: RoleId(r.get(at)?),
        name: r.get(at + 1)?,
        leads: EntityRights::new(r.get(at + 2)?, scope(3)?),
        contacts: EntityRights::new(r.get(at + 4)?, scope(5)?),
    })
}

const USER_SELECT: &str = "SELECT u.id, u.login, u.name, u.is_admin, r.id, r.name, r.lead_create, r.lead_view,
        r.contact_create, r.contact_view, u.confirm_end_dialog, u.notify_desktop, u.notify_sound, u.theme,
        u.presence, u.language
 FROM users u JOIN roles r ON r.id = u.role_id";

fn user_from_row(r: &crate::sql::Row) -> crate::sql::Result<CurrentUser> {
    let role = role_from_row(r, 4)?;
    let admin: bool = r.get(3)?;
    let access = Access::of_role(&role, admin);
    Ok(CurrentUser {
        user: UserSummary {
            id: UserId(r.get(0)?),
            login: r.get(1)?,
            name: r.get(2)?,
            works_in_lines: access.can_work_dialogs(),
        },
        access,
        role,
        settings: UserSettings {
            confirm_end_dialog: r.get(10)?,
            notify_desktop: r.get(11)?,
            notify_sound: r.get(12)?,
            theme: Theme::parse(&r.get::<_, String>(13)?).unwrap_or_default(),
            language: Language::parse(&r.get::<_, String>(15)?).unwrap_or_default(),
        },
        presence: Presence::parse(&r.get::<_, String>(14)?).unwrap_or_default(),
    })
}

/// Loads a user, their role and access by id.
pub fn load_user(conn: &Connection, id: UserId) -> AppResult<Option<CurrentUser>> {
    Ok(conn.prepare_cached(&format!("{USER_SELECT} WHERE u.id = ?1"))?.query_row([id.0], user_from_row).optional()?)
}

/// Every user, by name, in one query.
pub fn all_users(conn: &Connection) -> AppResult<Vec<CurrentUser>> {
    let mut stmt = conn.prepare_cached(&format!("{USER_SELECT} ORDER BY u.name COLLATE NOCASE"))?;
    let rows = stmt.query_map([], user_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The user holding an unexpired session stored under `session_hash`.
pub fn user_for_session(conn: &Connection, session_hash: &str, now: i64) -> AppResult<Option<CurrentUser>> {
    let user: Option<i64> = conn
        .prepare_cached("SELECT user_id FROM sessions WHERE token_hash = ?1 AND expires_at > ?2")?
        .query_row(params![session_hash, now], |r| r.get(0))
        .optional()?;
    match user {
        Some(id) => load_user(conn, UserId(id)),
        None => Ok(None),
    }
}

/// The id and stored password hash of the user signing in as `login`.
pub fn password_of(conn: &Connection, login: &str) -> AppResult<Option<(UserId, String)>> {
    Ok(conn
        .query_row("SELECT id, password_hash FROM users WHERE login = ?1", [login], |r| {
            Ok((UserId(r.get(0)?), r.get(1)?))
        })
        .optional()?)
}

/// Opens a session for `user` under `session_hash` until `expires_at` (dropping
/// expired ones) and answers the user.
pub fn open_session(
    tx: &Connection,
    user: UserId,
    session_hash: &str,
    now: i64,
    expires_at: i64,
) -> AppResult<CurrentUser> {
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![session_hash, user.0, now, expires_at],
    )?;
    tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
    load_user(tx, user)?.ok_or_else(|| AppError::Internal("user vanished".into()))
}

/// Ends the session stored under `session_hash`.
pub fn end_session(tx: &Connection, session_hash: &str) -> AppResult<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [session_hash])?;
    event_log::rights_changed(tx)
}

/// Saves the user's own settings and answers the user as they are now.
pub fn save_settings(conn: &Connection, user: UserId, settings: &UserSettings) -> AppResult<Option<CurrentUser>> {
    conn.execute(
        "UPDATE users SET confirm_end_dialog = ?1, notify_desktop = ?2, notify_sound = ?3, theme = ?4, language = ?5
         WHERE id = ?6",
        params![
            settings.confirm_end_dialog,
            settings.notify_desktop,
            settings.notify_sound,
            settings.theme.as_str(),
            settings.language.as_str(),
            user.0
        ],
    )?;
    load_user(conn, user)
}

/// Failed sign-ins of `key`: how many, and when the last was (ms).
pub fn sign_in_failures(conn: &Connection, key: &str) -> AppResult<Option<(u32, i64)>> {
    let row = conn
        .prepare_cached("SELECT failures, last_at FROM sign_in_failures WHERE key = ?1")?
        .query_row([key], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, i64>(1)?)))
        .optional()?;
    Ok(row)
}

/// Stores that `key` failed `count` times, the last at `now` (ms).
pub fn set_sign_in_failures(tx: &Connection, key: &str, count: u32, now: i64) -> AppResult<()> {
    tx.prepare_cached(
        "INSERT INTO sign_in_failures (key, failures, last_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at",
    )?
    .execute(params![key, count, now])?;
    Ok(())
}

/// Forgets `key`'s failures (after a success).
pub fn sign_in_succeeded(tx: &Connection, key: &str) -> AppResult<()> {
    tx.execute("DELETE FROM sign_in_failures WHERE key = ?1", [key])?;
    Ok(())
}

/// Forgets failures whose last one came before `before` (ms); how many keys went.
pub fn forget_sign_in_failures(tx: &Connection, before: i64) -> AppResult<usize> {
    Ok(tx.execute("DELETE FROM sign_in_failures WHERE last_at < ?1", [before])?)
}
