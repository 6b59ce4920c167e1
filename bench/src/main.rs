//! `scripts/bench.sh`: the real-time benchmark. Starts the release server (and, with
//! `--baseline`, another build of it) on a temporary database, drives it from
//! 127.0.0.1 only, and prints one table with the builds side by side.
//!
//! Usage: `el-bench --server PATH [--baseline PATH] [--postgres URL] [--quick | --cell SOCKETS:RATE | --search | --browser]`
//!
//! With `--postgres postgres://user@host:port`, this build also runs as two instances on
//! a new database of that PostgreSQL server (sockets and widget clients split between
//! them), in a column of its own.

mod browser;
mod cdp;
mod load;
mod search;
mod server;
mod sqlite;
mod ws;

use load::Delivery;
use server::Server;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What is measured, and how much of it.
struct Plan {
    sockets: Vec<usize>,
    rates: Vec<u32>,
    secs: u32,
    idle: Vec<usize>,
}

impl Plan {
    fn full() -> Plan {
        Plan { sockets: vec![50, 200, 500], rates: vec![100, 300, 1000], secs: 5, idle: vec![1_000, 10_000] }
    }

    fn quick() -> Plan {
        Plan { sockets: vec![50], rates: vec![100], secs: 2, idle: vec![200] }
    }

    /// One delivery step only (e.g. to profile the server under it).
    fn cell(sockets: usize, rate: u32) -> Plan {
        Plan { sockets: vec![sockets], rates: vec![rate], secs: 10, idle: vec![] }
    }
}

/// Everything measured on one build.
struct Figures {
    idle_rss: Vec<(usize, f64)>,
    rss_after_close: f64,
    cells: Vec<(usize, Delivery)>,
    inbound: f64,
}

const VISITORS: usize = 200;

async fn measure(bin: &Path, plan: &Plan, postgres: Option<&str>) -> Figures {
    eprintln!(
        "[bench] {}: starting{}",
        bin.display(),
        if postgres.is_some() { " (PostgreSQL, 2 instances)" } else { "" }
    );
    let server = match postgres {
        Some(url) => Server::start_postgres(bin, url).await,
        None => Server::start(bin).await,
    };
    let operators = plan.sockets.iter().copied().max().unwrap_or(1);
    let tokens = server.add_operators(operators);
    let visitors = load::visitors(&server, VISITORS).await;

    eprintln!("[bench] server pid {}", server.pid());
    let mut idle_rss = vec![(0, server.rss_mb())];
    let mut held = Vec::new();
    for &n in &plan.idle {
        let since = load::head(&server, &tokens[0]).await;
        let more: Vec<String> = std::iter::repeat_n(tokens[0].clone(), n - held.len()).collect();
        held.extend(load::open_sockets(&server, &more, since).await);
        tokio::time::sleep(Duration::from_secs(1)).await;
        idle_rss.push((n, server.rss_mb()));
        eprintln!("[bench] {n} idle sockets: {:.0} MB", server.rss_mb());
    }
    drop(held);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after_close = server.rss_mb();

    let mut cells = Vec::new();
    for &sockets in &plan.sockets {
        for &rate in &plan.rates {
            let since = load::head(&server, &tokens[0]).await;
            let open = load::open_sockets(&server, &tokens[..sockets], since).await;
            let d = load::deliver(&server, &visitors, open, rate, plan.secs).await;
            eprintln!(
                "[bench] {sockets} sockets, {rate} msg/s: p50 {:.1} ms, p99 {:.1} ms, {:.0} msg/s accepted \
                 (the POST's answer: p50 {:.1} ms, p99 {:.1} ms)",
                d.p50_ms, d.p99_ms, d.accepted_rate, d.post_p50_ms, d.post_p99_ms
            );
            cells.push((sockets, d));
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let inbound = load::inbound_rate(&server, &visitors, 64, 5).await;
    eprintln!("[bench] inbound: {inbound:.0} msg/s");
    Figures { idle_rss, rss_after_close, cells, inbound }
}

const USAGE: &str =
    "usage: el-bench --server PATH [--baseline PATH] [--postgres URL] [--quick | --cell SOCKETS:RATE | --search | --browser]";

/// What a run measures.
enum Run {
    RealTime(Plan),
    /// Search latency on a large inbox (this build only).
    Search,
    /// The operator app in Chromium beside a vanilla-JS list (this build only).
    Browser,
}

/// The command line.
struct Args {
    server: PathBuf,
    baseline: Option<PathBuf>,
    postgres: Option<String>,
    run: Run,
}

fn args() -> Args {
    let mut server = None;
    let mut baseline = None;
    let mut postgres = None;
    let mut plan = Plan::full();
    let mut search = false;
    let mut browser = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--server" => server = it.next().map(PathBuf::from),
            "--baseline" => baseline = it.next().map(PathBuf::from),
            "--postgres" => postgres = Some(it.next().unwrap_or_else(|| usage("--postgres takes a URL"))),
            "--quick" => plan = Plan::quick(),
            "--search" => search = true,
            "--browser" => browser = true,
            "--cell" => {
                let cell = it.next().and_then(|c| {
                    let (s, r) = c.split_once(':')?;
                    Some(Plan::cell(s.parse().ok()?, r.parse().ok()?))
                });
                plan = cell.unwrap_or_else(|| usage("--cell takes SOCKETS:RATE, e.g. 500:1000"));
            }
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    let server = server.unwrap_or_else(|| usage("--server is required"));
    Args {
        server,
        baseline,
        postgres,
        run: if search {
            Run::Search
        } else if browser {
            Run::Browser
        } else {
            Run::RealTime(plan)
        },
    }
}

/// The project's directory (its built bundles are measured).
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn usage(problem: &str) -> ! {
    eprintln!("{problem}\n{USAGE}");
    std::process::exit(2);
}

fn main() {
    let Args { server: server_bin, baseline: baseline_bin, postgres, run } = args();
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let plan = match run {
        Run::RealTime(plan) => plan,
        Run::Search => {
            search::print(&runtime.block_on(search::measure(&server_bin)));
            println!("({:.0} s in all)", started.elapsed().as_secs_f64());
            return;
        }
        Run::Browser => {
            if let Some(figures) = runtime.block_on(browser::measure(&server_bin, &repo())) {
                browser::print(&figures);
            }
            println!("({:.0} s in all)", started.elapsed().as_secs_f64());
            return;
        }
    };
    let mut builds = Vec::new();
    if let Some(b) = &baseline_bin {
        builds.push(("baseline", runtime.block_on(measure(b, &plan, None))));
    }
    builds.push(("this build", runtime.block_on(measure(&server_bin, &plan, None))));
    if let Some(url) = &postgres {
        builds.push(("PostgreSQL, 2 instances", runtime.block_on(measure(&server_bin, &plan, Some(url)))));
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let raw = sqlite::raw_rates(dir.path(), 3);
    let in_browser =
        (plan.sockets.len() > 1).then(|| runtime.block_on(browser::measure(&server_bin, &repo()))).flatten();
    print_table(&builds, raw, &plan);
    if let Some(figures) = &in_browser {
        browser::print(figures);
    }
    println!(
        "({:.0} s in all; delivery is timed from the POST leaving the generator to the frame on each socket)",
        started.elapsed().as_secs_f64()
    );
}

fn print_table(builds: &[(&str, Figures)], (raw, bare): (f64, f64), plan: &Plan) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| c.lines().find_map(|l| l.strip_prefix("model name\t: ").map(str::to_string)))
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!("\nExternal Lines real-time benchmark: {cores} cores ({cpu}), 127.0.0.1, {VISITORS} widget clients");
    let mut header = format!("{:<44}", "");
    for (name, _) in builds {
        header += &format!("{name:>30}");
    }
    println!("{header}{:>16}", "target");
    let row = |label: String, values: Vec<String>, target: &str| {
        let mut line = format!("{label:<44}");
        for v in values {
            line += &format!("{v:>30}");
        }
        println!("{line}{target:>16}");
    };
    println!("delivery p50 / p99 ms (accepted msg/s; srv/gen CPU cores)");
    for (i, (sockets, d)) in builds[0].1.cells.iter().enumerate() {
        let target = if *sockets == 500 && d.offered >= 1000.0 { "p99 <= 20" } else { "" };
        row(
            format!("  {sockets} sockets, {} msg/s offered", d.offered),
            builds
                .iter()
                .map(|(_, f)| {
                    let d = &f.cells[i].1;
                    format!(
                        "{:.1} / {:.1} ({:.0}; {:.1}/{:.1})",
                        d.p50_ms, d.p99_ms, d.accepted_rate, d.server_cpu, d.generator_cpu
                    )
                })
                .collect(),
            target,
        );
    }
    row(
        "inbound msg/s, 64 clients, no sockets".into(),
        builds.iter().map(|(_, f)| format!("{:.0}", f.inbound)).collect(),
        "",
    );
    row("raw SQLite tx/s, the same transaction".into(), builds.iter().map(|_| format!("{raw:.0}")).collect(), "");
    row(
        "inbound / raw SQLite, same transaction".into(),
        builds.iter().map(|(_, f)| format!("{:.1} %", 100.0 * f.inbound / raw)).collect(),
        ">= 50 %",
    );
    row("raw SQLite tx/s, its three bare writes".into(), builds.iter().map(|_| format!("{bare:.0}")).collect(), "");
    row(
        "inbound / raw SQLite, bare writes".into(),
        builds.iter().map(|(_, f)| format!("{:.1} %", 100.0 * f.inbound / bare)).collect(),
        "",
    );
    for (i, (n, _)) in builds[0].1.idle_rss.iter().enumerate() {
        row(
            format!("server RSS MB, {n} idle sockets"),
            builds.iter().map(|(_, f)| format!("{:.0}", f.idle_rss[i].1)).collect(),
            if *n == 10_000 { "<= 300" } else { "" },
        );
    }
    row(
        format!("server RSS MB, after closing {}", plan.idle.last().copied().unwrap_or(0)),
        builds.iter().map(|(_, f)| format!("{:.0}", f.rss_after_close)).collect(),
        "",
    );
    let sum = |f: &Figures, pick: fn(&Delivery) -> u64| f.cells.iter().map(|(_, d)| pick(d)).sum::<u64>();
    row(
        "messages lost / duplicated / resyncs".into(),
        builds
            .iter()
            .map(|(_, f)| {
                format!("{} / {} / {}", sum(f, |d| d.missing), sum(f, |d| d.duplicated), sum(f, |d| d.resyncs))
            })
            .collect(),
        "0 / 0",
    );
}
