//! The writer thread both backends use: it owns one connection, runs write jobs in
//! order, and commits the transactions waiting together in one group (each inside its
//! own savepoint, so one that fails is undone alone), answering each caller only after
//! the commit, then runs the [`AfterCommit`] hook on the same connection.

use crate::error::{AppError, AppResult};
use crate::sql;
use std::sync::{mpsc, Arc, OnceLock};
use tokio::sync::oneshot;

/// Most transactions committed together.
const GROUP: usize = 128;

/// The connection a writer thread owns.
pub trait WriteConnection: Send + 'static {
    /// What begins a group transaction (taking the write lock).
    const BEGIN: &'static str;
    /// Runs `f` on the connection as store code sees it; an error when there is none
    /// (it was lost and could not be opened again).
    fn with<R>(&mut self, f: impl FnOnce(&sql::Connection) -> R) -> Result<R, String>;
}

/// Work for the writer thread.
enum Job {
    /// Runs on its own, outside any transaction the writer opens.
    Alone(Box<dyn FnOnce(&sql::Connection) + Send>),
    /// Runs inside a savepoint of a group transaction (`None`: the transaction could not
    /// begin); returns whether it succeeded and what to do once the commit is known.
    Grouped(Grouped),
}

type Grouped = Box<dyn FnOnce(Option<&sql::Connection>) -> (bool, Reply) + Send>;

/// Answers a grouped job's caller once its group committed (or failed to).
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

/// What the writer runs on its connection after each job, once its callers are answered
/// (the event feed reads what was just committed there, without a hop to another thread).
pub type AfterCommit = Box<dyn Fn(&sql::Connection) + Send + Sync>;

/// A handle to a writer thread, cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    after_commit: Arc<OnceLock<AfterCommit>>,
}

fn writer_gone() -> AppError {
    AppError::Internal("the database writer has stopped".into())
}

impl Writer {
    /// Starts the writer thread on `conn`; it ends when every handle is dropped.
    pub fn start(conn: impl WriteConnection) -> AppResult<Writer> {
        let (jobs, receiver) = mpsc::channel();
        let after_commit = Arc::new(OnceLock::new());
        let hook = after_commit.clone();
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || write_loop(conn, receiver, &hook))
            .map_err(|e| AppError::Internal(format!("starting the database writer: {e}")))?;
        Ok(Writer { jobs, after_commit })
    }

    /// Sets the hook run after each job (once; a second is refused).
    pub fn after_commit(&self, hook: AfterCommit) -> AppResult<()> {
        self.after_commit.set(hook).map_err(|_| AppError::Internal("the writer already has its hook".into()))
    }

    fn send(&self, job: Job) -> AppResult<()> {
        self.jobs.send(job).map_err(|_| writer_gone())
    }

    /// Runs `f` on the writer's connection, on its own (it may open its own transaction).
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Alone(Box::new(move |conn| {
            let _ = tx.send(f(conn));
        })))?;
        rx.await.map_err(|_| writer_gone())?
    }

    /// Runs `f` inside one transaction, committed only if `f` succeeds, together with
    /// the others waiting; the answer comes only after the commit.
    pub async fn transaction<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection) -> AppResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<AppResult<T>>();
        self.send(Job::Grouped(Box::new(move |conn| {
            let out = match conn {
                Some(conn) => f(conn),
                None => Err(AppError::Internal("the database could not begin a transaction".into())),
            };
            let ok = out.is_ok();
            let reply: Reply = Box::new(move |committed| {
                let _ = tx.send(match committed {
                    Ok(()) => out,
                    Err(e) if ok => Err(AppError::Internal(format!("commit failed: {e}"))),
                    Err(_) => out,
                });
            });
            (ok, reply)
        })))?;
        rx.await.map_err(|_| writer_gone())?
    }
}

/// The writer thread: runs jobs in order; grouped jobs that are waiting together share
/// one transaction and one commit.
fn write_loop<C: WriteConnection>(mut conn: C, jobs: mpsc::Receiver<Job>, after_commit: &OnceLock<AfterCommit>) {
    let mut next = None;
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        match job {
            Job::Alone(run) => {
                if let Err(e) = conn.with(run) {
                    tracing::error!(error = %e, "no database connection for a write");
                }
            }
            Job::Grouped(first) => {
                let mut group = vec![first];
                while group.len() < GROUP {
                    match jobs.try_recv() {
                        Ok(Job::Grouped(more)) => group.push(more),
                        Ok(alone) => {
                            next = Some(alone);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let mut group = Some(group);
                let begin = C::BEGIN;
                let done = conn.with(|c| commit_group(c, begin, group.take().expect("once")));
                if let Err(e) = done {
                    fail_group(group.unwrap_or_default(), &e);
                }
            }
        }
        if let Some(hook) = after_commit.get() {
            if let Err(e) = conn.with(|c| hook(c)) {
                tracing::error!(error = %e, "no database connection after a write");
            }
        }
    }
}

/// Answers every job of a group that could not begin.
fn fail_group(group: Vec<Grouped>, error: &str) {
    tracing::error!(error, "a group transaction could not begin");
    for job in group {
        let (_, reply) = job(None);
        reply(Err(error.to_string()));
    }
}

fn commit_group(conn: &sql::Connection, begin: &str, group: Vec<Grouped>) {
    if let Err(e) = conn.execute_batch(begin) {
        return fail_group(group, &e.to_string());
    }
    // One transaction alone needs no savepoint: if it fails, the whole is rolled back
    // (two round trips fewer on PostgreSQL).
    if group.len() == 1 {
        let job = group.into_iter().next().expect("one job");
        let (ok, reply) = job(Some(conn));
        let ended = if ok { conn.commit() } else { conn.rollback() };
        let ended = ended.map_err(|e| {
            let _ = conn.rollback();
            e.to_string()
        });
        return reply(ended);
    }
    let mut replies = Vec::with_capacity(group.len());
    for job in group {
        let savepoint = conn.execute_batch("SAVEPOINT job");
        let (ok, reply) = job(Some(conn));
        let end = if ok { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
        let ended = savepoint.and_then(|_| conn.execute_batch(end));
        if let Err(e) = ended {
            tracing::error!(error = %e, "a savepoint of a group transaction failed");
        }
        replies.push(reply);
    }
    let committed = conn.commit().map_err(|e| {
        let _ = conn.rollback();
        e.to_string()
    });
    for reply in replies {
        reply(committed.clone());
    }
}
