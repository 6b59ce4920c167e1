//! Search at scale: 100,000 demo dialogs with about a million messages, searched over
//! HTTP by a user who may open every dialog and by one who sees only Unassigned and
//! their own, with queries of every kind.

use crate::server::Server;
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// Demo dialogs loaded.
pub const DIALOGS: u32 = 100_000;
/// Times each query is asked per user (after one unmeasured ask).
const ASKS: usize = 15;

/// What is asked: a label and the query.
const QUERIES: [(&str, &str); 8] = [
    ("a rare order number", "15028"),
    ("a common word", "delivery"),
    ("the most common word", "the"),
    ("two words", "lavender frost"),
    ("a word's start", "terra"),
    ("a client's surname", "shevchenko"),
    ("a client's full name", "olena shevchenko"),
    ("nothing matches", "zebra"),
];

/// Latency of one query for both users.
pub struct Row {
    pub label: &'static str,
    pub query: &'static str,
    /// (p50 ms, max ms, messages found, clients found) for the user who sees all, then
    /// for the one who sees their own.
    pub all: (f64, f64, usize, usize),
    pub own: (f64, f64, usize, usize),
}

pub struct SearchFigures {
    pub dialogs: i64,
    pub messages: i64,
    pub load_secs: f64,
    pub rows: Vec<Row>,
}

pub async fn measure(bin: &Path) -> SearchFigures {
    eprintln!("[bench] loading {DIALOGS} demo dialogs (a minute or two)");
    let started = Instant::now();
    let dialogs = DIALOGS.to_string();
    let server = Server::start_with(bin, &["--demo-dialogs", &dialogs], Duration::from_secs(900)).await;
    let load_secs = started.elapsed().as_secs_f64();
    let conn = Connection::open(server.database()).expect("the server's database");
    let count = |table: &str| -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).expect("a count")
    };
    let (dialogs, messages) = (count("dialogs"), count("messages"));
    eprintln!("[bench] {dialogs} dialogs, {messages} messages in {load_secs:.0} s");
    // The first bench operator has the full role, the tenth sees only their own records.
    let tokens = server.add_operators(10);
    let (all, own) = (&tokens[0], &tokens[9]);
    let http = reqwest::Client::new();
    let mut rows = Vec::new();
    for (label, query) in QUERIES {
        let all = timed(&http, &server, all, query).await;
        let own = timed(&http, &server, own, query).await;
        eprintln!("[bench] search {query:?}: {:.1} ms all, {:.1} ms own", all.0, own.0);
        rows.push(Row { label, query, all, own });
    }
    SearchFigures { dialogs, messages, load_secs, rows }
}

/// (p50 ms, max ms, messages, clients) of `query` asked [`ASKS`] times as `token`.
async fn timed(http: &reqwest::Client, server: &Server, token: &str, query: &str) -> (f64, f64, usize, usize) {
    let url = server.url(&format!("/api/search?q={}", query.replace(' ', "%20")));
    let ask = || async {
        let answer = http.get(&url).header("cookie", format!("el_session={token}")).send().await.expect("an answer");
        assert!(answer.status().is_success(), "search {query:?}: {}", answer.status());
        let body: serde_json::Value = answer.json().await.expect("results");
        let found = |key: &str| body[key].as_array().map_or(0, Vec::len);
        (found("messages"), found("dialogs"))
    };
    let found = ask().await;
    let mut ms = Vec::with_capacity(ASKS);
    for _ in 0..ASKS {
        let at = Instant::now();
        ask().await;
        ms.push(at.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    (ms[ASKS / 2], ms[ASKS - 1], found.0, found.1)
}

pub fn print(f: &SearchFigures) {
    println!(
        "\nSearch: {} dialogs, {} messages (loaded in {:.0} s); {ASKS} asks per query over HTTP",
        f.dialogs, f.messages, f.load_secs
    );
    println!(
        "{:<24}{:<20}{:>34}{:>34}{:>12}",
        "query", "", "sees every dialog: p50/max ms (hits)", "sees own only: p50/max ms (hits)", "target"
    );
    for r in &f.rows {
        let cell = |(p50, max, messages, clients): (f64, f64, usize, usize)| {
            format!("{p50:.1} / {max:.1} ({messages} msg, {clients} clients)")
        };
        println!(
            "{:<24}{:<20}{:>34}{:>34}{:>12}",
            r.label,
            format!("{:?}", r.query),
            cell(r.all),
            cell(r.own),
            "< 100"
        );
    }
}
