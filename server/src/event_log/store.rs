//! The global event log (SQL only): appended inside the caller's transaction, read in
//! order of sequence number.

use crate::db::now_ms;
use crate::error::AppResult;
use el_protocol::events::Event;
use el_protocol::Seq;
use rusqlite::{params, Connection};

/// Appends `event` and returns its sequence number.
pub fn append(conn: &Connection, event: &Event) -> AppResult<Seq> {
    conn.prepare_cached("INSERT INTO events (created_at, payload) VALUES (?1, ?2)")?
        .execute(params![now_ms(), serde_json::to_string(event)?])?;
    Ok(conn.last_insert_rowid())
}

/// The newest sequence number (0 for an empty log).
pub fn head(conn: &Connection) -> AppResult<Seq> {
    Ok(conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?)
}

/// Up to `limit` events after `since`, oldest first.
pub fn after(conn: &Connection, since: Seq, limit: usize) -> AppResult<Vec<(Seq, Event)>> {
    let mut stmt = conn.prepare_cached("SELECT seq, payload FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    let rows = stmt.query_map(params![since, limit as i64], |r| Ok((r.get::<_, Seq>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, payload) = row?;
        out.push((seq, serde_json::from_str(&payload)?));
    }
    Ok(out)
}

/// The newest `limit` events up to `head`, oldest first.
pub fn newest(conn: &Connection, head: Seq, limit: usize) -> AppResult<Vec<(Seq, Event)>> {
    let from: Option<Seq> = conn.query_row(
        "SELECT MIN(seq) FROM (SELECT seq FROM events WHERE seq <= ?1 ORDER BY seq DESC LIMIT ?2)",
        params![head, limit as i64],
        |r| r.get(0),
    )?;
    match from {
        Some(from) => after(conn, from - 1, limit),
        None => Ok(Vec::new()),
    }
}

/// Marks, inside the caller's transaction, that users' rights or sessions changed: every
/// instance's feed sees [`rights_version`] move and has its sockets re-read their rights.
pub fn rights_changed(tx: &Connection) -> AppResult<()> {
    tx.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rights_version'", [])?;
    Ok(())
}

/// How many times rights or sessions changed (see [`rights_changed`]).
pub fn rights_version(conn: &Connection) -> AppResult<i64> {
    Ok(conn.query_row("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'rights_version'", [], |r| r.get(0))?)
}
