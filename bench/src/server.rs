//! A release server started on a temporary database, and what `/proc` says of it.

use el_server::params;
use el_server::sql::{self, PgConn};
use rusqlite::Connection;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The server under test: one process on its own temporary SQLite file, or two
/// instances on one fresh PostgreSQL database.
pub struct Server {
    children: Vec<Child>,
    ports: Vec<u16>,
    dir: tempfile::TempDir,
    /// The PostgreSQL database, when it is one.
    postgres: Option<String>,
}

impl Server {
    /// Starts `bin` with the demo data on a fresh database and waits until it answers.
    pub async fn start(bin: &Path) -> Server {
        Server::start_with(bin, &[], Duration::from_secs(60)).await
    }

    /// Starts `bin` with the demo data and `extra` arguments, waiting up to `ready_within`.
    pub async fn start_with(bin: &Path, extra: &[&str], ready_within: Duration) -> Server {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("el.db").to_string_lossy().into_owned();
        let mut server = Server { children: Vec::new(), ports: Vec::new(), dir, postgres: None };
        server.add_instance(bin, &db, true, extra, ready_within).await;
        server
    }

    /// Two instances of `bin` on a new database of the PostgreSQL server at `url`
    /// (`postgres://user@host:port`), the demo data loaded by the first.
    pub async fn start_postgres(bin: &Path, url: &str) -> Server {
        let name = format!("bench_{}", &el_server::tokens::new_token()[..16]);
        let (admin, create) = (format!("{url}/postgres"), format!("CREATE DATABASE {name}"));
        // The blocking driver runs its own runtime: not on a thread of this one.
        std::thread::spawn(move || {
            let mut admin = postgres::Client::connect(&admin, postgres::NoTls).expect("the PostgreSQL server");
            admin.batch_execute(&create).expect("a database for the benchmark");
        })
        .join()
        .expect("creating the database");
        let db = format!("{url}/{name}");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut server = Server { children: Vec::new(), ports: Vec::new(), dir, postgres: Some(db.clone()) };
        server.add_instance(bin, &db, true, &[], Duration::from_secs(60)).await;
        server.add_instance(bin, &db, false, &[], Duration::from_secs(60)).await;
        server
    }

    async fn add_instance(&mut self, bin: &Path, db: &str, demo: bool, extra: &[&str], ready_within: Duration) {
        let port = free_port();
        let data = |name: &str| self.dir.path().join(name).to_string_lossy().into_owned();
        let log = std::fs::File::create(self.log(self.ports.len())).expect("a log file");
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(if demo { &["--demo"][..] } else { &[] })
            .args(["--db", db, "--files-dir", &data("files")])
            .args(extra)
            // Empty bundles unless `extra` names them (`--spa-dir`).
            .env("SPA_DIR", data("spa"))
            .env("WIDGET_DIR", data("widget"))
            .env("RUST_LOG", "warn")
            // The benchmark measures delivery, not the widget's rate limits.
            .env("WIDGET_SESSIONS_PER_HOUR", "1000000000")
            .env("WIDGET_MESSAGES_PER_MINUTE", "1000000000")
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let n = self.ports.len();
        self.children.push(child);
        self.ports.push(port);
        let http = reqwest::Client::new();
        let deadline = Instant::now() + ready_within;
        while http.get(self.url_of(n, "/api/me")).send().await.is_err() {
            assert!(Instant::now() < deadline, "the server did not start; see {}", self.log(n).display());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How many instances serve.
    pub fn instances(&self) -> usize {
        self.ports.len()
    }

    /// The port of instance `i` (taken round the instances).
    pub fn port_of(&self, i: usize) -> u16 {
        self.ports[i % self.ports.len()]
    }

    pub fn url(&self, path: &str) -> String {
        self.url_of(0, path)
    }

    /// `path` on instance `i` (taken round the instances).
    pub fn url_of(&self, i: usize, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port_of(i))
    }

    fn log(&self, instance: usize) -> PathBuf {
        self.dir.path().join(format!("server-{instance}.log"))
    }

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("el.db")
    }

    pub fn pid(&self) -> u32 {
        self.children[0].id().expect("the server is running")
    }

    fn pids(&self) -> impl Iterator<Item = u32> + '_ {
        self.children.iter().map(|c| c.id().expect("the server is running"))
    }

    /// Resident memory of all instances, in megabytes.
    pub fn rss_mb(&self) -> f64 {
        self.pids()
            .map(|pid| {
                let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                let kb: f64 = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    .unwrap_or(0.0);
                kb / 1024.0
            })
            .sum()
    }

    /// CPU time all instances have used, in seconds (PostgreSQL's own processes not
    /// counted).
    pub fn cpu_secs(&self) -> f64 {
        self.pids().map(|pid| cpu_secs_of(&format!("/proc/{pid}/stat"))).sum()
    }

    /// Adds `n` operator accounts, each with a session, straight into the database
    /// (signing in 500 users would only measure argon2). Eight in ten get the full
    /// role, one the "create only" role, one the "own records" role, as in the demo.
    /// Returns their session tokens.
    pub fn add_operators(&self, n: usize) -> Vec<String> {
        let Some(url) = self.postgres.clone() else {
            let mut conn = Connection::open(self.database()).expect("the server's database");
            conn.busy_timeout(Duration::from_secs(30)).expect("a busy timeout");
            let tx = conn.transaction().expect("a transaction");
            let tokens = insert_operators(&(&*tx).into(), n);
            tx.commit().expect("operators stored");
            return tokens;
        };
        // The blocking driver runs its own runtime: not on a thread of this one.
        std::thread::spawn(move || {
            let client = postgres::Client::connect(&url, postgres::NoTls).expect("the server's database");
            let mut conn = PgConn::new(client);
            conn.client.batch_execute("BEGIN").expect("a transaction");
            let tokens = insert_operators(&sql::Connection::Pg(RefCell::new(&mut conn)), n);
            conn.commit().expect("operators stored");
            tokens
        })
        .join()
        .expect("operators stored")
    }
}

/// [`Server::add_operators`], in the caller's transaction, on either database.
fn insert_operators(tx: &sql::Connection, n: usize) -> Vec<String> {
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
        let user: i64 = tx
            .query_row(
                "INSERT INTO users (login, name, password_hash, role_id, is_admin, created_at)
                 VALUES (?1, ?2, ?3, ?4, 0, 0) RETURNING id",
                params![format!("bench-{i}"), format!("Operator {i}"), hash, role],
                |r| r.get(0),
            )
            .expect("a user");
        let token = el_server::tokens::new_token();
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, 0, ?3)",
            params![el_server::tokens::token_hash(&token), user, i64::MAX / 2],
        )
        .expect("a session");
        tokens.push(token);
    }
    tokens
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
