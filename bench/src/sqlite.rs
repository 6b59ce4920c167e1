//! The raw SQLite rate of the server's own inbound transaction: the store function that
//! stores a client's message, called back to back on one connection, without HTTP.

use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// Transactions per second that store one client message each, for `secs` seconds,
/// on a fresh database next to `dir` migrated by the server itself.
pub fn raw_rate(dir: &Path, secs: u64) -> f64 {
    let path = dir.join("raw.db");
    drop(el_server::db::Db::open(&path).expect("a migrated database"));
    let mut conn = Connection::open(&path).expect("the raw database");
    conn.pragma_update(None, "journal_mode", "WAL").expect("WAL");
    conn.pragma_update(None, "synchronous", "NORMAL").expect("synchronous");
    conn.pragma_update(None, "foreign_keys", "ON").expect("foreign keys");
    conn.execute_batch(
        "INSERT INTO channels (kind, name, public_key, created_at) VALUES ('widget', 'Website', 'raw', 0);
         INSERT INTO clients (name, created_at) VALUES ('Raw visitor', 0);",
    )
    .expect("a channel and a client");
    let mut accounts = Vec::new();
    for i in 0..200 {
        conn.execute(
            "INSERT INTO client_accounts (client_id, channel_id, external_id, token_hash, created_at)
             VALUES (1, 1, ?1, ?1, 0)",
            [format!("raw-{i}")],
        )
        .expect("an account");
        accounts.push(conn.last_insert_rowid());
    }
    let until = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut n: u64 = 0;
    while Instant::now() < until {
        let tx = conn.transaction().expect("a transaction");
        let text = format!("Hello, a question about my order bm#{n}# please: is it on its way?");
        let key = format!("raw-{n}");
        el_server::dialogs::store::client_message(&tx, accounts[n as usize % accounts.len()], &text, Some(&key), &[])
            .expect("a stored message");
        tx.commit().expect("a commit");
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}
