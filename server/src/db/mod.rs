//! Storage. SQLite (the embedded default) in WAL mode, or PostgreSQL ([`postgres`]) for
//! several instances. Either way one writer thread ([`writer`]) commits concurrent
//! transactions in groups, and a small pool of read connections never waits for it (on
//! SQLite a thread of its own copies the WAL back, [`checkpoint`]). The
//! async runtime never waits on disk: reads run on blocking threads, writes on the
//! writer's own thread.

mod checkpoint;
mod postgres;
mod writer;

use crate::error::{AppError, AppResult};
use crate::sql;
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::Semaphore;
pub use writer::AfterCommit;
use writer::{WriteConnection, Writer};

/// Schema versions, applied in order and recorded in `PRAGMA user_version`.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/001_initial.sql")),
        M::up(include_str!("../../migrations/002_dialog_actions.sql")),
        M::up(include_str!("../../migrations/003_reads.sql")),
        M::up(include_str!("../../migrations/004_files.sql")),
        M::up(include_str!("../../migrations/005_paging.sql")),
        M::up(include_str!("../../migrations/006_attachments.sql")),
        M::up(include_str!("../../migrations/007_crm.sql")),
        M::up(include_str!("../../migrations/008_telegram.sql")),
        M::up(include_str!("../../migrations/009_people_activity.sql")),
        M::up(include_str!("../../migrations/010_scoped_links.sql")),
        M::up(include_str!("../../migrations/011_upload_owners.sql")),
        M::up(include_str!("../../migrations/012_notifications.sql")),
        M::up(include_str!("../../migrations/013_quick_replies.sql")),
        M::up(include_str!("../../migrations/014_notes.sql")),
        M::up(include_str!("../../migrations/015_theme.sql")),
        M::up(include_str!("../../migrations/016_search.sql")),
        M::up(include_str!("../../migrations/017_client_reads.sql")),
        M::up(include_str!("../../migrations/018_queue.sql")),
        M::up(include_str!("../../migrations/019_client_delivered.sql")),
        M::up(include_str!("../../migrations/020_dialog_names.sql")),
        M::up(include_str!("../../migrations/021_shared_limits.sql")),
        M::up(include_str!("../../migrations/022_typing_relay.sql")),
        M::up(include_str!("../../migrations/023_language.sql")),
        M::up(include_str!("../../migrations/024_notices.sql")),
        M::up(include_str!("../../migrations/025_api_keys.sql")),
        M::up(include_str!("../../migrations/026_viber.sql")),
        M::up(include_str!("../../migrations/027_whatsapp.sql")),
        M::up_with_hook(include_str!("../../migrations/028_meta.sql"), widen_channel_kinds),
        M::up(include_str!("../../migrations/029_templates.sql")),
    ])
}

/// The kinds `channels.kind` took before Facebook and Instagram, and takes since.
const KINDS_BEFORE: &str = "CHECK (kind IN ('widget', 'telegram', 'viber', 'whatsapp'))";
const KINDS_NOW: &str = "CHECK (kind IN ('widget', 'telegram', 'viber', 'whatsapp', 'facebook', 'instagram'))";

/// Lets `channels.kind` take 'facebook' and 'instagram'. SQLite cannot alter a CHECK
/// constraint; a wider one changes nothing stored, so the table's definition is
/// rewritten in place, as SQLite documents for such changes
/// (<https://www.sqlite.org/lang_altertable.html#otheralter>), instead of copying the
/// table every other table refers to.
fn widen_channel_kinds(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let version: i64 = tx.pragma_query_value(None, "schema_version", |r| r.get(0))?;
    tx.pragma_update(None, "writable_schema", true)?;
    let changed = tx.execute(
        "UPDATE sqlite_master SET sql = replace(sql, ?1, ?2) WHERE type = 'table' AND name = 'channels' AND instr(sql, ?1) > 0",
        [KINDS_BEFORE, KINDS_NOW],
    )?;
    tx.pragma_update(None, "schema_version", version + 1)?;
    tx.pragma_update(None, "writable_schema", false)?;
    if changed != 1 {
        return Err(rusqlite_migration::HookError::Hook("the channels table has an unexpected definition".into()));
    }
    Ok(())
}

/// Read connections: reads run in parallel with each other and with the writer.
const READERS: usize = 4;

/// The SQLite file a database URL names, with any `sqlite://` or `sqlite:` prefix and
/// `?options` removed.
pub fn sqlite_path(url: &str) -> PathBuf {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    PathBuf::from(path.split('?').next().unwrap_or(path))
}

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub enum Db {
    Sqlite(Sqlite),
    Postgres(Arc<postgres::Postgres>),
}

/// The SQLite file's writer thread and read connections.
#[derive(Clone)]
pub struct Sqlite {
    writer: Writer,
    readers: Arc<ReadPool>,
}

/// The writer's SQLite connection.
struct LiteWriter(Connection);

impl WriteConnection for LiteWriter {
    const BEGIN: &'static str = "BEGIN IMMEDIATE";

    fn with<R>(&mut self, f: impl FnOnce(&sql::Connection) -> R) -> Result<R, String> {
        Ok(f(&sql::Connection::Lite(&self.0)))
    }
}

struct ReadPool {
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

fn configure(conn: &Connection) -> AppResult<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // The hot paths prepare each statement once per connection.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

impl Db {
    /// Opens the database `url` names: `postgres://` or `postgresql://` for PostgreSQL,
    /// else a SQLite file (a path, `sqlite://path` or `sqlite:path`), created if needed.
    /// Either is migrated to the latest schema first.
    pub fn connect(url: &str) -> AppResult<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Db::Postgres(Arc::new(postgres::Postgres::connect(url)?)));
        }
        Db::open(&sqlite_path(url))
    }

    /// Which database this is.
    pub fn dialect(&self) -> sql::Dialect {
        match self {
            Db::Sqlite(_) => sql::Dialect::Sqlite,
            Db::Postgres(_) => sql::Dialect::Postgres,
        }
    }

    /// Changes when another instance committed something (PostgreSQL tells; SQLite
    /// does not, and the log is polled instead).
    pub fn notified(&self) -> Option<tokio::sync::watch::Receiver<()>> {
        match self {
            Db::Sqlite(_) => None,
            Db::Postgres(pg) => Some(pg.notified()),
        }
    }

    /// Opens (creating if needed) and migrates a SQLite database file, starts its writer
    /// thread and opens the read connections.
    pub fn open(path: &Path) -> AppResult<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| AppError::Internal(format!("creating {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        // Another instance may be setting the same file up: wait for it.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "wal_autocheckpoint", checkpoint::WRITER_FALLBACK_PAGES)?;
        configure(&conn)?;
        migrate(&mut conn).map_err(|e| AppError::Internal(format!("migrating {}: {e}", path.display())))?;
        let mut idle = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            idle.push(open_reader(path)?);
        }
        let writer = Writer::start(LiteWriter(conn))?;
        let readers = Arc::new(ReadPool { idle: Mutex::new(idle), permits: Semaphore::new(READERS) });
        checkpoint::start(path, Arc::downgrade(&readers))
            .map_err(|e| AppError::Internal(format!("starting the checkpoint thread: {e}")))?;
        Ok(Db::Sqlite(Sqlite { writer, readers }))
    }

    /// Sets what the SQLite writer runs on its connection after each of its jobs, once
    /// the callers are answered (once per database handle). PostgreSQL runs nothing
    /// there: each of its commits that appends events notifies every instance, this one
    /// too, and round trips on the writer would slow every instance's writes.
    pub fn after_commit(&self, hook: AfterCommit) -> AppResult<()> {
        match self {
            Db::Sqlite(lite) => lite.writer.after_commit(hook),
            Db::Postgres(_) => Ok(()),
        }
    }

    /// Runs `f` on its own (it may open its own transaction): on SQLite on the writer's
    /// connection, on PostgreSQL inside a write transaction.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        match self {
            Db::Sqlite(lite) => lite.writer.run(f).await,
            Db::Postgres(pg) => pg.writer.transaction(f).await,
        }
    }

    /// Runs `f` inside one write transaction, committed only if `f` succeeds; the
    /// answer comes only after the commit. Write transactions run one at a time (on
    /// PostgreSQL across all instances), so each sees every earlier one and the event
    /// log grows in commit order.
    pub async fn transaction<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        match self {
            Db::Sqlite(lite) => lite.writer.transaction(f).await,
            Db::Postgres(pg) => pg.writer.transaction(f).await,
        }
    }

    /// Runs `f` inside one write transaction that no other write needs to be ordered
    /// with: it appends no events and writes only rows under a fresh random key that
    /// nothing reads before a later transaction refers to them (the bytes of a file). On
    /// PostgreSQL it does not wait for the write lock, so a large file does not hold up
    /// every other write; on SQLite it is an ordinary transaction.
    pub async fn write_unordered<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        match self {
            Db::Sqlite(lite) => lite.writer.transaction(f).await,
            Db::Postgres(pg) => pg.write_unordered(f).await,
        }
    }

    /// Runs `f` inside one read-only transaction, so that everything it reads is of one
    /// moment. Reads never wait for writers.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        match self {
            Db::Sqlite(lite) => lite.read(f).await,
            Db::Postgres(pg) => pg.read(f).await,
        }
    }
}

impl Sqlite {
    /// Runs `f` on a read connection, inside one read transaction so that everything it
    /// reads is of one moment. Reads never wait for the writer.
    async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        let permit =
            self.readers.permits.acquire().await.map_err(|_| AppError::Internal("the database is closed".into()))?;
        let pool = self.readers.clone();
        let out = tokio::task::spawn_blocking(move || {
            let mut conn =
                pool.idle.lock().unwrap_or_else(|p| p.into_inner()).pop().expect("a permit means an idle reader");
            let out = (|| {
                let tx = conn.transaction()?;
                let out = f(&sql::Connection::Lite(&tx))?;
                tx.finish()?;
                Ok(out)
            })();
            pool.idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
            out
        })
        .await
        .map_err(|e| AppError::Internal(format!("database task: {e}")))?;
        drop(permit);
        out
    }
}

/// Puts the file in WAL mode. SQLite answers "busy" at once, without waiting, while
/// another instance sets the same new file up: ask again for up to 5 seconds.
fn wal(conn: &Connection) -> rusqlite::Result<()> {
    let mut tries = 0;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::DatabaseBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            done => return done,
        }
    }
}

/// Brings the schema to the latest version. Another instance starting at the same
/// moment may be migrating the same file: each migration step takes the write lock
/// first (waiting up to the busy timeout), and one that finds its work already done by
/// the other (it read the version before the lock) looks again.
fn migrate(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    let mut tries = 0;
    let migrated = loop {
        match migrations().to_latest(conn) {
            Err(_) if tries < 3 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            done => break done,
        }
    };
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Deferred);
    migrated
}

fn open_reader(path: &Path) -> AppResult<Connection> {
    let path: PathBuf = path.into();
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    configure(&conn)?;
    Ok(conn)
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
    use super::Db;
    use crate::error::AppError;

    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    /// Facebook and Instagram channels can be stored once migrated; other kinds cannot.
    #[test]
    fn channels_take_the_meta_kinds_after_migrating() {
        let conn = super::migrated_in_memory();
        let add =
            |kind: &str| conn.execute("INSERT INTO channels (kind, name, created_at) VALUES (?1, 'x', 0)", [kind]);
        for kind in ["widget", "telegram", "viber", "whatsapp", "facebook", "instagram"] {
            add(kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        }
        assert!(add("myspace").is_err(), "the CHECK still holds");
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
    }

    /// Two instances started at once on a new file: both open it, migrated once.
    #[test]
    fn two_instances_opening_a_new_file_at_once_both_start() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("both.db");
            let opened: Vec<_> = (0..2)
                .map(|_| {
                    let path = path.clone();
                    std::thread::spawn(move || Db::open(&path).map(|_| ()))
                })
                .collect();
            for o in opened {
                o.join().unwrap().expect("each instance opens the file");
            }
            let conn = rusqlite::Connection::open(&path).unwrap();
            assert_eq!(super::migrations().pending_migrations(&conn).unwrap(), 0, "at the latest version");
        }
    }

    /// Transactions committed in one group stay independent: a failing one leaves no
    /// trace, the others are all stored, and reads see each committed one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn grouped_transactions_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("g.db")).unwrap();
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.transaction(move |tx| {
                        tx.execute("INSERT INTO meta (key, value) VALUES (?1, 'x')", [format!("k{i}")])?;
                        if i % 7 == 0 {
                            return Err(AppError::BadRequest("refused".into()));
                        }
                        Ok(i)
                    })
                    .await
                })
            })
            .collect();
        let mut stored = 0;
        for (i, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(v) => {
                    assert_eq!(v, i);
                    stored += 1;
                }
                Err(AppError::BadRequest(_)) => assert_eq!(i % 7, 0),
                Err(e) => panic!("{e}"),
            }
        }
        let counted: i64 = db
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM meta WHERE key LIKE 'k%'", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(counted, stored);
        assert_eq!(stored, 200 - 29);
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
        let conn = crate::sql::Connection::from(&conn);
        assert_eq!(unread_count(&conn, DialogId(1), UserId(1)).unwrap(), 3);
        // Bob never opened it: everything but his own message and the system note.
        assert_eq!(unread_count(&conn, DialogId(1), UserId(2)).unwrap(), 4);
    }
}
