//! Quick replies in the database.

use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::replies::{QuickReply, QuickReplyInput};
use el_protocol::UserId;

/// Who keeps a reply: everyone (`None`) or one user.
pub type Owner = Option<UserId>;

/// The shared replies and `user`'s own, by title.
pub fn visible(conn: &Connection, user: UserId) -> AppResult<Vec<QuickReply>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, title, text, owner_id IS NULL FROM quick_replies
         WHERE owner_id IS NULL OR owner_id = ?1 ORDER BY title COLLATE NOCASE, id",
    )?;
    let rows = stmt.query_map([user.0], |r| {
        Ok(QuickReply { id: r.get(0)?, title: r.get(1)?, text: r.get(2)?, shared: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many replies `owner` keeps.
pub fn count(conn: &Connection, owner: Owner) -> AppResult<usize> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM quick_replies WHERE owner_id IS NOT DISTINCT FROM ?1",
        [owner.map(|u| u.0)],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

/// Who keeps reply `id`, if it exists.
pub fn owner_of(conn: &Connection, id: i64) -> AppResult<Option<Owner>> {
    Ok(conn
        .query_row("SELECT owner_id FROM quick_replies WHERE id = ?1", [id], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .map(|o| o.map(UserId)))
}

pub fn insert(conn: &Connection, owner: Owner, input: &QuickReplyInput) -> AppResult<i64> {
    let now = now_ms();
    conn.execute(
        "INSERT INTO quick_replies (owner_id, title, text, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![owner.map(|u| u.0), input.title, input.text, now],
    )?;
    Ok(conn.last_insert_rowid()?)
}

pub fn update(conn: &Connection, id: i64, owner: Owner, input: &QuickReplyInput) -> AppResult<()> {
    conn.execute(
        "UPDATE quick_replies SET owner_id = ?2, title = ?3, text = ?4, updated_at = ?5 WHERE id = ?1",
        params![id, owner.map(|u| u.0), input.title, input.text, now_ms()],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> AppResult<()> {
    match conn.execute("DELETE FROM quick_replies WHERE id = ?1", [id])? {
        0 => Err(not_found()),
        _ => Ok(()),
    }
}

/// The answer for a reply that does not exist or is not the reader's to see.
pub fn not_found() -> AppError {
    AppError::NotFound("This quick reply does not exist.".into())
}
