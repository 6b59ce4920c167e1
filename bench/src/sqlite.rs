//! Raw SQLite rates to hold the server's inbound rate against: the server's own inbound
//! transaction (the store function that stores a client's message) and its three bare
//! writes, each called back to back on one connection, without HTTP.

use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// The two raw rates, in transactions per second: (the store function, the bare writes).
pub fn raw_rates(dir: &Path, secs: u64) -> (f64, f64) {
    let (mut conn, accounts) = fresh(&dir.join("raw.db"));
    let store = rate(secs, |n| {
        let tx = conn.transaction().expect("a transaction");
        let text = format!("Hello, a question about my order bm#{n}# please: is it on its way?");
        let key = format!("raw-{n}");
        el_server::dialogs::store::client_message(
            &(&*tx).into(),
            accounts[n as usize % accounts.len()],
            &text,
            Some(&key),
            &[],
        )
        .expect("a stored message");
        tx.commit().expect("a commit");
    });
    let (mut conn, accounts) = fresh(&dir.join("bare.db"));
    // One dialog per account, as the store function made them.
    for (i, account) in accounts.iter().enumerate() {
        conn.execute(
            "INSERT INTO dialogs (id, account_id, state, created_at, last_activity_at) VALUES (?1, ?2, 'unassigned', 0, 0)",
            [i as i64 + 1, *account],
        )
        .expect("a dialog");
    }
    // An event payload of the size the server writes for a client message.
    let payload = "x".repeat(900);
    let bare = rate(secs, |n| {
        let tx = conn.transaction().expect("a transaction");
        let dialog = (n as usize % accounts.len()) as i64 + 1;
        tx.execute(
            "INSERT INTO messages (dialog_id, author_kind, body, client_msg_id, created_at) VALUES (?1, 'client', ?2, ?3, 0)",
            rusqlite::params![dialog, format!("Hello, order bm#{n}#"), format!("bare-{n}")],
        )
        .expect("a message");
        let id = tx.last_insert_rowid();
        tx.execute(
            "UPDATE dialogs SET last_message_id = ?1, last_activity_at = 0, people_count = people_count + 1 WHERE id = ?2",
            [id, dialog],
        )
        .expect("the dialog");
        tx.execute("INSERT INTO events (created_at, payload) VALUES (0, ?1)", [&payload]).expect("an event");
        tx.commit().expect("a commit");
    });
    (store, bare)
}

/// Calls `step` with 0, 1, 2... for `secs` seconds; calls per second.
fn rate(secs: u64, mut step: impl FnMut(u64)) -> f64 {
    let until = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut n: u64 = 0;
    while Instant::now() < until {
        step(n);
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// A fresh database at `path`, migrated by the server itself, configured as the server
/// configures its own, with a widget channel and 200 client accounts.
fn fresh(path: &Path) -> (Connection, Vec<i64>) {
    drop(el_server::db::Db::open(path).expect("a migrated database"));
    let conn = Connection::open(path).expect("the raw database");
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
    (conn, accounts)
}
