//! The global event log (SQL only): appended inside the caller's transaction, read in
//! order of sequence number.

use crate::db::now_ms;
use crate::error::AppResult;
use crate::sql::{params, Connection};
use el_protocol::events::Event;
use el_protocol::{ChannelId, ClientId, DialogId, Seq, UserId};

/// Appends `event` and returns its sequence number. On PostgreSQL the commit also
/// wakes every instance's feed.
pub fn append(conn: &Connection, event: &Event) -> AppResult<Seq> {
    let seq = conn.query_row(
        "INSERT INTO events (created_at, payload) VALUES (?1, ?2) RETURNING seq",
        params![now_ms(), serde_json::to_string(event)?],
        |r| r.get(0),
    )?;
    conn.notify_on_commit();
    Ok(seq)
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
        "SELECT MIN(seq) FROM (SELECT seq FROM events WHERE seq <= ?1 ORDER BY seq DESC LIMIT ?2) AS newest",
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
    tx.execute("UPDATE meta SET value = CAST(value AS BIGINT) + 1 WHERE key = 'rights_version'", [])?;
    Ok(())
}

/// How many times rights or sessions changed (see [`rights_changed`]).
pub fn rights_version(conn: &Connection) -> AppResult<i64> {
    // Read with every look at the log: prepared once per connection.
    let mut stmt = conn.prepare_cached("SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'rights_version'")?;
    Ok(stmt.query_row([], |r| r.get(0))?)
}

/// Someone typing in a dialog.
#[derive(Debug, Clone)]
pub struct Typing {
    pub dialog: DialogId,
    /// The dialog's client and channel (a visitor's socket hears only its own).
    pub client: ClientId,
    pub channel: ChannelId,
    pub who: Typist,
}

/// Who types.
#[derive(Debug, Clone)]
pub enum Typist {
    /// The client, by the name operators see.
    Client(String),
    Operator(UserId, String),
}

/// Passes `typing`, which instance `instance` received, to the other instances.
pub fn add_typing(tx: &Connection, instance: &str, typing: &Typing, now: i64) -> AppResult<()> {
    let (user, name) = match &typing.who {
        Typist::Client(name) => (None, name),
        Typist::Operator(user, name) => (Some(user.0), name),
    };
    tx.prepare_cached(
        "INSERT INTO typing_signals (instance, dialog_id, client_id, channel_id, user_id, name, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![instance, typing.dialog.0, typing.client.0, typing.channel.0, user, name, now])?;
    Ok(())
}

/// The newest typing signal's number (0 for none).
pub fn typing_head(conn: &Connection) -> AppResult<i64> {
    Ok(conn.query_row("SELECT COALESCE(MAX(id), 0) FROM typing_signals", [], |r| r.get(0))?)
}

/// Typing signals after number `after` that other instances than `instance` received,
/// oldest first, with the newest number.
pub fn typing_after(conn: &Connection, after: i64, instance: &str) -> AppResult<(Vec<Typing>, i64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, instance, dialog_id, client_id, channel_id, user_id, name FROM typing_signals
         WHERE id > ?1 ORDER BY id LIMIT 1000",
    )?;
    let rows = stmt.query_map(params![after], |r| {
        let who = match r.get::<_, Option<i64>>(5)? {
            Some(user) => Typist::Operator(UserId(user), r.get(6)?),
            None => Typist::Client(r.get(6)?),
        };
        let typing =
            Typing { dialog: DialogId(r.get(2)?), client: ClientId(r.get(3)?), channel: ChannelId(r.get(4)?), who };
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)? != instance, typing))
    })?;
    let (mut signals, mut newest) = (Vec::new(), after);
    for row in rows {
        let (id, elsewhere, typing) = row?;
        newest = id;
        if elsewhere {
            signals.push(typing);
        }
    }
    Ok((signals, newest))
}

/// Forgets typing signals from before `before` (ms).
pub fn forget_typing(tx: &Connection, before: i64) -> AppResult<()> {
    tx.execute("DELETE FROM typing_signals WHERE at < ?1", [before])?;
    Ok(())
}
