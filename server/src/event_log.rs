//! The global event log (append inside the caller's transaction, read in order) and
//! the hub that wakes sockets when it grows. Sockets always read from the log, so a
//! wake-up that is missed or merged loses nothing.

use crate::db::now_ms;
use crate::error::AppResult;
use el_protocol::events::Event;
use el_protocol::Seq;
use rusqlite::{params, Connection};
use tokio::sync::watch;

/// Appends `event` and returns its sequence number.
pub fn append(conn: &Connection, event: &Event) -> AppResult<Seq> {
    conn.execute(
        "INSERT INTO events (created_at, payload) VALUES (?1, ?2)",
        params![now_ms(), serde_json::to_string(event)?],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The newest sequence number (0 for an empty log).
pub fn head(conn: &Connection) -> AppResult<Seq> {
    Ok(conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?)
}

/// The oldest sequence number still stored (events before it were pruned), or `None`
/// when the log is empty.
pub fn tail(conn: &Connection) -> AppResult<Option<Seq>> {
    Ok(conn.query_row("SELECT MIN(seq) FROM events", [], |r| r.get(0))?)
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

/// Can a reader that has applied everything up to `since` resume from the log?
/// Not when it claims a future position (the database was replaced) or when events
/// it has not seen were pruned.
pub fn can_resume(conn: &Connection, since: Seq) -> AppResult<bool> {
    if since > head(conn)? {
        return Ok(false);
    }
    Ok(match tail(conn)? {
        Some(oldest) => since >= oldest - 1,
        None => true,
    })
}

/// Wakes every open socket when the log grows, and tells them when the server stops.
#[derive(Clone)]
pub struct Hub {
    head: watch::Sender<Seq>,
    closing: watch::Sender<bool>,
}

impl Hub {
    pub fn new(head: Seq) -> Hub {
        Hub { head: watch::channel(head).0, closing: watch::channel(false).0 }
    }

    /// Announces that the log has grown to `seq` (after the transaction committed).
    pub fn published(&self, seq: Seq) {
        self.head.send_if_modified(|cur| {
            let grew = seq > *cur;
            if grew {
                *cur = seq;
            }
            grew
        });
    }

    /// Wakes every socket without the log growing: users' rights changed, so each
    /// socket re-reads its reader's.
    pub fn rights_changed(&self) {
        self.head.send_modify(|_| {});
    }

    /// A receiver that changes whenever the log grows.
    pub fn subscribe(&self) -> watch::Receiver<Seq> {
        self.head.subscribe()
    }

    /// A receiver that turns true when the server shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Asks every socket to close.
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }
}
