//! A release server started on a temporary database, and what `/proc` says of it.

use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// One server process with its own temporary data directory.
pub struct Server {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Server {
    /// Starts `bin` with the demo data on a fresh database and waits until it answers.
    pub async fn start(bin: &Path) -> Server {
        Server::start_with(bin, &[], Duration::from_secs(60)).await
    }

    /// Starts `bin` with the demo data and `extra` arguments, waiting up to `ready_within`.
    pub async fn start_with(bin: &Path, extra: &[&str], ready_within: Duration) -> Server {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let port = free_port();
        let data = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        let log = std::fs::File::create(dir.path().join("server.log")).expect("a log file");
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--demo"])
            .args(["--db", &data("el.db"), "--files-dir", &data("files")])
            .args(["--spa-dir", &data("spa"), "--widget-dir", &data("widget")])
            .args(extra)
            .env("RUST_LOG", "warn")
            // The benchmark measures delivery, not the widget's rate limits.
            .env("WIDGET_SESSIONS_PER_HOUR", "1000000000")
            .env("WIDGET_MESSAGES_PER_MINUTE", "1000000000")
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let server = Server { child, port, dir };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + ready_within;
        while http.get(server.url("/api/me")).send().await.is_err() {
            assert!(Instant::now() < deadline, "the server did not start; see {}", server.log().display());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("el.db")
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("the server is running")
    }

    /// Resident memory, in megabytes.
    pub fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        kb / 1024.0
    }

    /// CPU time the server has used, in seconds.
    pub fn cpu_secs(&self) -> f64 {
        cpu_secs_of(&format!("/proc/{}/stat", self.pid()))
    }

    /// Adds `n` operator accounts, each with a session, straight into the database
    /// (signing in 500 users would only measure argon2). Eight in ten get the full
    /// role, one the "create only" role, one the "own records" role, as in the demo.
    /// Returns their session tokens.
    pub fn add_operators(&self, n: usize) -> Vec<String> {
        let mut conn = Connection::open(self.database()).expect("the server's database");
        conn.busy_timeout(Duration::from_secs(30)).expect("a busy timeout");
        let tx = conn.transaction().expect("a transaction");
        let user_role = |login: &str| -> (String, i64) {
            tx.query_row("SELECT password_hash, role_id FROM users WHERE login = ?1", [login], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("the demo users")
        };
        let (hash, full) = user_role("anna");
        let (_, create_only) = user_role("dave");
        let (_, own) = user_role("erin");
        let mut tokens = Vec::with_capacity(n);
        for i in 0..n {
            let role = match i % 10 {
                8 => create_only,
                9 => own,
                _ => full,
            };
            tx.execute(
                "INSERT INTO users (login, name, password_hash, role_id, is_admin, created_at)
                 VALUES (?1, ?2, ?3, ?4, 0, 0)",
                params![format!("bench-{i}"), format!("Operator {i}"), hash, role],
            )
            .expect("a user");
            let user = tx.last_insert_rowid();
            let token = el_server::tokens::new_token();
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, 0, ?3)",
                params![el_server::tokens::token_hash(&token), user, i64::MAX / 2],
            )
            .expect("a session");
            tokens.push(token);
        }
        tx.commit().expect("operators stored");
        tokens
    }
}

/// CPU seconds (user + system) from a `/proc/.../stat` file.
fn cpu_secs_of(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after ')'.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU time this load generator has used, in seconds.
pub fn own_cpu_secs() -> f64 {
    cpu_secs_of("/proc/self/stat")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}
