//! PostgreSQL storage, for several instances on one database.
//!
//! - Write transactions run one at a time across every instance: each instance's writer
//!   thread commits those waiting together in one group (as on SQLite), which begins by
//!   taking one transaction-level advisory lock (`PgWriter::BEGIN`), held until it commits. The
//!   store code's rules (read, decide, write) then hold exactly as on SQLite's single
//!   writer, and the event log grows in commit order: a reader that saw event `n` never
//!   misses an event numbered below `n` that commits later, because none can. Appends
//!   are serialized rather than numbered at commit; with one writer at a time that is
//!   the same thing, and nothing else needs to be explained to readers.
//! - Reads run in parallel in `REPEATABLE READ READ ONLY` transactions (one snapshot).
//! - Each commit that appended events sends `NOTIFY el_events`; every instance LISTENs
//!   and wakes its feed, which then reads the log (notifications carry nothing).
//! - Migrations run under a session advisory lock, so instances starting together
//!   migrate once.

use super::writer::{WriteConnection, Writer};
use crate::error::{AppError, AppResult};
use crate::sql::{self, PgConn, CHANNEL};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Semaphore};

/// Schema versions for PostgreSQL, applied in order and recorded in `schema_version`.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/001_schema.sql"),
    include_str!("../../migrations/postgres/002_file_bytes.sql"),
    include_str!("../../migrations/postgres/003_folded_words.sql"),
    include_str!("../../migrations/postgres/004_language.sql"),
    include_str!("../../migrations/postgres/005_notices.sql"),
    include_str!("../../migrations/postgres/006_api_keys.sql"),
    include_str!("../../migrations/postgres/007_viber.sql"),
    include_str!("../../migrations/postgres/008_whatsapp.sql"),
    include_str!("../../migrations/postgres/009_meta.sql"),
    include_str!("../../migrations/postgres/010_templates.sql"),
];

/// Connections one instance keeps.
const POOL: usize = 16;

/// The advisory lock migrations hold.
const MIGRATE_LOCK: i64 = 0x656c_6d67;

pub struct Postgres {
    /// Write transactions, grouped on a connection of their own.
    pub(super) writer: Writer,
    config: ::postgres::Config,
    idle: Mutex<Vec<PgConn>>,
    permits: Semaphore,
    notified: watch::Sender<()>,
    /// Tells the listener to stop.
    stop: Arc<AtomicBool>,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The blocking driver may not close its connections on a thread of the runtime.
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
        std::thread::spawn(move || drop(idle));
    }
}

fn pg_error(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{what}: {e}"))
}

impl Postgres {
    /// Connects, migrates, and starts listening for other instances' commits.
    pub fn connect(url: &str) -> AppResult<Postgres> {
        let config: ::postgres::Config = url.parse().map_err(|e| pg_error("the PostgreSQL address", e))?;
        let mut first = open(&config)?;
        migrate(&mut first)?;
        let writer = Writer::start(PgWriter { conn: Some(first), config: config.clone() })?;
        let notified = watch::channel(()).0;
        let stop = Arc::new(AtomicBool::new(false));
        listen(config.clone(), notified.clone(), stop.clone())?;
        Ok(Postgres { writer, config, idle: Mutex::new(Vec::new()), permits: Semaphore::new(POOL), notified, stop })
    }

    pub fn notified(&self) -> watch::Receiver<()> {
        self.notified.subscribe()
    }

    /// Runs `f` on a pooled connection, on a blocking thread.
    async fn with<T, F>(self: &Arc<Self>, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConn) -> AppResult<T> + Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| pg_error("the database", "closed"))?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = pool.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let mut conn = match pooled.filter(|c| !c.client.is_closed()) {
                Some(conn) => conn,
                None => open(&pool.config)?,
            };
            let out = f(&mut conn);
            if !conn.client.is_closed() {
                pool.idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
            }
            out
        })
        .await
        .map_err(|e| pg_error("database task", e))?
    }

    /// A write transaction that does not take the write lock (see
    /// [`super::Db::write_unordered`]).
    pub async fn write_unordered<T, F>(self: &Arc<Self>, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        self.with(move |conn| {
            conn.client.batch_execute("BEGIN")?;
            in_transaction(conn, f)
        })
        .await
    }

    /// A read-only transaction on one snapshot, on a pooled connection.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        self.with(move |conn| {
            conn.client.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            in_transaction(conn, f)
        })
        .await
    }
}

/// Runs `f` in the transaction just begun on `conn`; commits if it succeeded, else
/// rolls back.
fn in_transaction<T>(conn: &mut PgConn, f: impl FnOnce(&sql::Connection) -> AppResult<T>) -> AppResult<T> {
    let out = f(&sql::Connection::Pg(RefCell::new(&mut *conn)));
    match out {
        Ok(v) => {
            conn.commit().map_err(|e| pg_error("commit failed", e))?;
            Ok(v)
        }
        Err(e) => {
            if let Err(undo) = conn.rollback() {
                tracing::error!(error = %undo, "a rollback failed");
            }
            Err(e)
        }
    }
}

/// The writer's connection, opened again when it was lost.
struct PgWriter {
    conn: Option<PgConn>,
    config: ::postgres::Config,
}

impl WriteConnection for PgWriter {
    /// Takes the write lock every write transaction holds to its commit (an arbitrary,
    /// fixed number: 0x656c7772).
    const BEGIN: &'static str = "BEGIN; SELECT pg_advisory_xact_lock(1701607282)";

    fn with<R>(&mut self, f: impl FnOnce(&sql::Connection) -> R) -> Result<R, String> {
        if self.conn.as_ref().is_none_or(|c| c.client.is_closed()) {
            self.conn = Some(open(&self.config).map_err(|e| e.to_string())?);
        }
        let conn = self.conn.as_mut().expect("opened above");
        Ok(f(&sql::Connection::Pg(RefCell::new(conn))))
    }
}

fn open(config: &::postgres::Config) -> AppResult<PgConn> {
    let client = config.connect(::postgres::NoTls).map_err(|e| pg_error("connecting to PostgreSQL", e))?;
    Ok(PgConn::new(client))
}

fn migrate(conn: &mut PgConn) -> AppResult<()> {
    let c = &mut conn.client;
    c.batch_execute(&format!(
        "SELECT pg_advisory_lock({MIGRATE_LOCK});
         CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"
    ))?;
    let migrated = (|| -> AppResult<()> {
        let done: i64 = c.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])?.get(0);
        for (i, step) in MIGRATIONS.iter().enumerate().skip(done as usize) {
            let mut tx = c.transaction()?;
            tx.batch_execute(step).map_err(|e| pg_error(&format!("PostgreSQL migration {}", i + 1), e))?;
            tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&(i as i64 + 1)])?;
            tx.commit()?;
        }
        Ok(())
    })();
    c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATE_LOCK})"))?;
    migrated
}

/// A connection of its own that LISTENs and bumps `notified` at every notification;
/// reconnects when the connection drops, ends when `stop` is set.
fn listen(config: ::postgres::Config, notified: watch::Sender<()>, stop: Arc<AtomicBool>) -> AppResult<()> {
    use ::postgres::fallible_iterator::FallibleIterator;
    std::thread::Builder::new()
        .name("db-listen".into())
        .spawn(move || loop {
            let listened = (|| -> Result<(), ::postgres::Error> {
                let mut client = config.connect(::postgres::NoTls)?;
                client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
                // Whatever committed while this connection was down: look once.
                notified.send_replace(());
                while !stop.load(Ordering::Relaxed) {
                    let mut notifications = client.notifications();
                    let mut each = notifications.timeout_iter(Duration::from_secs(1));
                    if each.next()?.is_some() {
                        notified.send_replace(());
                    }
                }
                Ok(())
            })();
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if let Err(e) = listened {
                tracing::warn!(error = %e, "listening for other instances failed; again in a second");
            }
            std::thread::sleep(Duration::from_secs(1));
        })
        .map_err(|e| pg_error("starting the database listener", e))?;
    Ok(())
}

impl From<::postgres::Error> for AppError {
    fn from(e: ::postgres::Error) -> Self {
        sql::Error::from(e).into()
    }
}
