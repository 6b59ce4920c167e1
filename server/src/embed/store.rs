//! API keys and the embed sessions they open, in the database.

use crate::auth::store::{load_user, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::event_log::store as event_log;
use crate::sql::{params, Connection, OptionalExtension, Row};
use el_protocol::embed::{ApiKey, ApiKeyInput};
use el_protocol::UserId;

const KEY_SELECT: &str = "SELECT k.id, k.name, k.hint, k.origins, COALESCE(u.name, ''), k.created_at, \
     k.last_used_at, k.revoked_at FROM api_keys k LEFT JOIN users u ON u.id = k.created_by";

fn key_from_row(r: &Row<'_, '_>) -> crate::sql::Result<ApiKey> {
    let origins: String = r.get(3)?;
    Ok(ApiKey {
        id: r.get(0)?,
        name: r.get(1)?,
        hint: r.get(2)?,
        origins: serde_json::from_str(&origins).unwrap_or_default(),
        created_by: r.get(4)?,
        created_at: r.get(5)?,
        last_used_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

/// Every key, newest first.
pub fn keys(conn: &Connection) -> AppResult<Vec<ApiKey>> {
    let mut stmt = conn.prepare_cached(&format!("{KEY_SELECT} ORDER BY k.id DESC"))?;
    let rows = stmt.query_map([], key_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn key(conn: &Connection, id: i64) -> AppResult<ApiKey> {
    conn.query_row(&format!("{KEY_SELECT} WHERE k.id = ?1"), [id], key_from_row)
        .optional()?
        .ok_or_else(|| AppError::NotFound("This API key does not exist.".into()))
}

pub fn count(conn: &Connection) -> AppResult<usize> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM api_keys", [], |r| r.get(0))?;
    Ok(n as usize)
}

/// Stores a key (`input` already checked) whose secret hashes to `secret_hash`.
pub fn insert(
    tx: &Connection,
    input: &ApiKeyInput,
    secret_hash: &str,
    hint: &str,
    by: UserId,
    now: i64,
) -> AppResult<ApiKey> {
    let origins = serde_json::to_string(&input.origins).map_err(|e| AppError::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO api_keys (name, secret_hash, hint, origins, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![input.name, secret_hash, hint, origins, by.0, now],
    )?;
    key(tx, tx.last_insert_rowid()?)
}

/// Revokes key `id` and ends the embed sessions it opened (their sockets close).
pub fn revoke(tx: &Connection, id: i64, now: i64) -> AppResult<ApiKey> {
    tx.execute("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1", params![id, now])?;
    let key = key(tx, id)?;
    tx.execute("DELETE FROM sessions WHERE api_key_id = ?1", [id])?;
    event_log::rights_changed(tx)?;
    Ok(key)
}

/// The id of the unrevoked key whose secret hashes to `secret_hash`.
pub fn active_key(conn: &Connection, secret_hash: &str) -> AppResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM api_keys WHERE secret_hash = ?1 AND revoked_at IS NULL")?
        .query_row([secret_hash], |r| r.get(0))
        .optional()?)
}

/// Is key `id` unrevoked?
pub fn is_active(conn: &Connection, id: i64) -> AppResult<bool> {
    let n: i64 =
        conn.query_row("SELECT COUNT(*) FROM api_keys WHERE id = ?1 AND revoked_at IS NULL", [id], |r| r.get(0))?;
    Ok(n == 1)
}

/// The origins every unrevoked key allows, each once.
pub fn allowed_origins(conn: &Connection) -> AppResult<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT origins FROM api_keys WHERE revoked_at IS NULL")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut all: Vec<String> = Vec::new();
    for origins in rows {
        all.extend(serde_json::from_str::<Vec<String>>(&origins?).unwrap_or_default());
    }
    all.sort();
    all.dedup();
    Ok(all)
}

/// The user signing in as `login`.
pub fn user_by_login(conn: &Connection, login: &str) -> AppResult<Option<CurrentUser>> {
    let id: Option<i64> = conn.query_row("SELECT id FROM users WHERE login = ?1", [login], |r| r.get(0)).optional()?;
    match id {
        Some(id) => load_user(conn, UserId(id)),
        None => Ok(None),
    }
}

/// Opens an embed session of `user` under `session_hash` for key `key`, and notes the
/// key's use.
pub fn open_session(
    tx: &Connection,
    key: i64,
    user: UserId,
    session_hash: &str,
    now: i64,
    expires_at: i64,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, api_key_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![session_hash, user.0, now, expires_at, key],
    )?;
    tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
    tx.execute("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1", params![key, now])?;
    Ok(())
}
