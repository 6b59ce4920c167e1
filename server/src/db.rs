//! SQLite storage: one connection behind a mutex (SQLite serialises writers anyway),
//! used from blocking threads so the async runtime never waits on disk.

use crate::error::{AppError, AppResult};
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// Schema versions, applied in order and recorded in `PRAGMA user_version`.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/001_initial.sql")),
        M::up(include_str!("../migrations/002_dialog_actions.sql")),
        M::up(include_str!("../migrations/003_reads.sql")),
        M::up(include_str!("../migrations/004_files.sql")),
        M::up(include_str!("../migrations/005_paging.sql")),
        M::up(include_str!("../migrations/006_attachments.sql")),
        M::up(include_str!("../migrations/007_crm.sql")),
        M::up(include_str!("../migrations/008_telegram.sql")),
    ])
}

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database file.
    pub fn open(path: &Path) -> AppResult<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| AppError::Internal(format!("creating {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| AppError::Internal(format!("migrating {}: {e}", path.display())))?;
        Ok(Db { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> AppResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| AppError::Internal(format!("database task: {e}")))?
    }

    /// Runs `f` inside one transaction, committed only if `f` succeeds.
    pub async fn transaction<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction) -> AppResult<T> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }
}

/// A migrated in-memory database, for unit tests of SQL.
#[cfg(test)]
pub(crate) fn migrated_in_memory() -> Connection {
    let mut conn = Connection::open_in_memory().expect("an in-memory database");
    migrations().to_latest(&mut conn).expect("migrations apply");
    conn
}

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    /// Unread counts stored before counting existed survive the migration unchanged.
    #[test]
    fn counted_unread_matches_what_was_stored_before() {
        use crate::dialogs::store::unread_count;
        use el_protocol::{DialogId, UserId};
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO roles VALUES (1, 'r', 1, 'all', 1, 'all');
             INSERT INTO users (id, login, name, password_hash, role_id, created_at) VALUES
                (1, 'anna', 'Anna', '', 1, 0), (2, 'bob', 'Bob', '', 1, 0);
             INSERT INTO channels VALUES (1, 'widget', 'Website', 'k', 0);
             INSERT INTO clients VALUES (1, 'Olena', 0);
             INSERT INTO client_accounts VALUES (1, 1, 1, 'v', NULL, 0);
             INSERT INTO dialogs (id, account_id, state, created_at, last_activity_at, last_message_id)
                VALUES (1, 1, 'active', 0, 0, 6);
             INSERT INTO messages (id, dialog_id, author_kind, author_user_id, body, created_at) VALUES
                (1, 1, 'client', NULL, 'hi', 0), (2, 1, 'system', NULL, 'Anna took it', 0),
                (3, 1, 'operator', 1, 'hello', 0), (4, 1, 'client', NULL, 'q1', 0),
                (5, 1, 'operator', 2, 'bob here', 0), (6, 1, 'client', NULL, 'q2', 0);
             INSERT INTO dialog_reads VALUES (1, 1, 3);",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        // Anna read up to her own answer: q1, Bob's message and q2 are new to her.
        assert_eq!(unread_count(&conn, DialogId(1), UserId(1)).unwrap(), 3);
        // Bob never opened it: everything but his own message and the system note.
        assert_eq!(unread_count(&conn, DialogId(1), UserId(2)).unwrap(), 4);
    }
}
