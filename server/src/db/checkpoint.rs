//! WAL checkpoints on a thread of their own. Left to SQLite, the commit that fills the
//! write-ahead log copies it into the database file and syncs it, and every write
//! waiting behind that commit waits for the disk. Here a separate connection copies the
//! log back a few times a second (a passive checkpoint never blocks the writer or the
//! readers), and the writer checkpoints itself only if the log grows far beyond that.

use rusqlite::Connection;
use std::path::Path;
use std::sync::Weak;
use std::time::Duration;

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(200);
/// Pages of log at which the writer checkpoints by itself after all (the checkpoint
/// thread has fallen behind or stopped): about 40 MB.
pub const WRITER_FALLBACK_PAGES: u32 = 10_000;

/// Starts checkpointing the database at `path` until `alive` can no longer be upgraded
/// (the database was closed).
pub fn start<T: Send + Sync + 'static>(path: &Path, alive: Weak<T>) -> std::io::Result<()> {
    let path = path.to_path_buf();
    std::thread::Builder::new().name("db-checkpoint".into()).spawn(move || {
        let conn = match Connection::open(&path) {
            Ok(conn) => conn,
            Err(e) => return tracing::error!(error = %e, "opening the checkpoint connection failed"),
        };
        while alive.strong_count() > 0 {
            std::thread::sleep(EVERY);
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "a WAL checkpoint failed");
            }
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// What the writer appends to the log is copied back by the thread, not by the
    /// writer, and the thread ends when the database closes.
    #[test]
    fn the_log_is_copied_back_beside_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer.pragma_update(None, "wal_autocheckpoint", WRITER_FALLBACK_PAGES).unwrap();
        writer.execute_batch("CREATE TABLE t (x TEXT); INSERT INTO t VALUES (randomblob(100000))").unwrap();
        let size = || std::fs::metadata(&path).map_or(0, |m| m.len());
        assert!(size() < 100_000, "the writer copied the log back itself");
        let alive = Arc::new(());
        start(&path, Arc::downgrade(&alive)).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while size() < 100_000 {
            assert!(std::time::Instant::now() < deadline, "nothing was copied back");
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(alive);
    }
}
