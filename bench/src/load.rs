//! Widget clients that post messages and operator sockets that receive them, with the
//! time from each POST leaving the generator to its frame arriving on each socket.

use crate::server::Server;
use crate::ws::RawSocket;
use memchr::memmem;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The marker around a message number in the text the clients send.
const MARK: &str = "bm#";
/// How long delivery may take after the last POST before a message counts as missing.
const DRAIN: Duration = Duration::from_secs(15);

pub type Socket = RawSocket;

/// Opens an operator socket at `since` with `token`'s session on instance `i` and reads
/// until `live`.
pub async fn open_socket(server: &Server, i: usize, token: &str, since: i64) -> Socket {
    let path = format!("/api/socket?since={since}&compact=true");
    let mut socket = RawSocket::open(server.port_of(i), &path, &format!("el_session={token}"))
        .await
        .expect("the operator socket opens");
    let mut live = false;
    while !live {
        let open = socket.read(|text| live |= text.starts_with(br#"{"frame":"live""#)).await.expect("a socket read");
        assert!(open, "the socket closed before it was live");
    }
    socket
}

/// Opens `tokens.len()` sockets, 100 at a time, taken round the instances.
pub async fn open_sockets(server: &Server, tokens: &[String], since: i64) -> Vec<Socket> {
    let mut sockets = Vec::with_capacity(tokens.len());
    for (c, chunk) in tokens.chunks(100).enumerate() {
        let opened = futures_util::future::join_all(
            chunk.iter().enumerate().map(|(i, t)| open_socket(server, c * 100 + i, t, since)),
        )
        .await;
        sockets.extend(opened);
    }
    sockets
}

/// The log position a fresh snapshot is valid at.
pub async fn head(server: &Server, token: &str) -> i64 {
    let snapshot: serde_json::Value = reqwest::Client::new()
        .get(server.url("/api/dialogs?limit=1"))
        .header("cookie", format!("el_session={token}"))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("the inbox snapshot")
        .json()
        .await
        .expect("snapshot JSON");
    snapshot["as_of"].as_i64().expect("as_of")
}

/// Starts `n` widget visitors on the demo website channel; returns their tokens.
pub async fn visitors(server: &Server, n: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut tokens = Vec::with_capacity(n);
    for _ in 0..n {
        let session: serde_json::Value = http
            .post(server.url("/api/widget/session"))
            .json(&serde_json::json!({ "channel": "website-demo", "name": null }))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("a widget session")
            .json()
            .await
            .expect("session JSON");
        tokens.push(session["token"].as_str().expect("a token").to_string());
    }
    tokens
}

/// Posts message number `id` as `visitor`; true when the server stored it.
async fn post(http: &reqwest::Client, server_url: &str, visitor: &str, run: u64, id: u64) -> bool {
    let body = serde_json::json!({
        "text": format!("Hello, a question about my order {MARK}{id}# please: is it on its way?"),
        "client_msg_id": format!("bench-{run}-{id}"),
    });
    let sent = http.post(server_url).bearer_auth(visitor).json(&body).send().await;
    matches!(sent, Ok(r) if r.status().is_success())
}

/// The figures of one load step.
#[derive(Debug, Default, Clone)]
pub struct Delivery {
    pub offered: f64,
    pub accepted_rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The POST's own answer time p50 / p99 (part of the delivery time above).
    pub post_p50_ms: f64,
    pub post_p99_ms: f64,
    /// Accepted messages some socket had not received `DRAIN` after the last POST.
    pub missing: u64,
    pub duplicated: u64,
    pub resyncs: u64,
    pub server_cpu: f64,
    pub generator_cpu: f64,
}

/// What every socket reader shares with the sender.
struct Probe {
    start: Instant,
    /// Nanoseconds after `start` at which message `i` was posted (0: not yet).
    sent: Vec<AtomicU64>,
    /// Frames of posted messages received, counted once per socket and message.
    delivered: AtomicUsize,
}

/// What one socket saw.
#[derive(Default)]
struct Seen {
    latencies_us: Vec<u32>,
    duplicated: u64,
    resyncs: u64,
}

/// Finds the marks the socket reader looks for (built once: readers see 500,000 frames a second).
struct Marks {
    message_created: memmem::Finder<'static>,
    number: memmem::Finder<'static>,
}

static MARKS: LazyLock<Marks> = LazyLock::new(|| Marks {
    message_created: memmem::Finder::new(br#""type":"message_created","dialog""#),
    number: memmem::Finder::new(MARK.as_bytes()),
});

/// Reads `socket` until `stop`, timing each message frame against its POST.
async fn read_socket(mut socket: Socket, probe: Arc<Probe>, mut stop: watch::Receiver<bool>) -> Seen {
    let mut seen = Seen::default();
    let mut got = vec![false; probe.sent.len()];
    let marks = &*MARKS;
    // This socket's count since the last read (the closure holds the rest of the state).
    let delivered = AtomicUsize::new(0);
    let mut each = |bytes: &[u8]| {
        let at = probe.start.elapsed().as_nanos() as u64;
        if bytes.starts_with(br#"{"frame":"resync""#) {
            seen.resyncs += 1;
        }
        // The event's type is its first field, right after the frame's head.
        if marks.message_created.find(&bytes[..bytes.len().min(96)]).is_none() {
            return;
        }
        let Some(id) = marked_id(marks, bytes) else { return };
        let Some(slot) = got.get_mut(id) else { return };
        if std::mem::replace(slot, true) {
            seen.duplicated += 1;
            return;
        }
        let sent = probe.sent[id].load(Ordering::Acquire);
        if sent > 0 {
            seen.latencies_us.push((at.saturating_sub(sent) / 1000) as u32);
        }
        delivered.fetch_add(1, Ordering::Relaxed);
    };
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            open = socket.read(&mut each) => if !matches!(open, Ok(true)) { break },
        }
        // Counted per read, not per frame: 500 readers share this counter.
        probe.delivered.fetch_add(delivered.swap(0, Ordering::Relaxed), Ordering::Relaxed);
    }
    socket.close().await;
    seen
}

/// The message number between `MARK` and the next `#`.
fn marked_id(marks: &Marks, text: &[u8]) -> Option<usize> {
    let digits = &text[marks.number.find(text)? + MARK.len()..];
    let end = memchr::memchr(b'#', digits)?;
    std::str::from_utf8(&digits[..end]).ok()?.parse().ok()
}

/// The sender's own thread: the POSTs leave and their answers are timed on time, not
/// after the 500 socket readers that are woken at the same moment (the server keeps its
/// sockets apart from its requests in the same way).
static SENDER: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("bench-sender")
        .enable_all()
        .build()
        .expect("the sender's thread")
});

/// What the sender saw of its POSTs.
struct Posted {
    accepted: usize,
    first: Instant,
    /// When the last accepted POST was answered.
    last: Instant,
    /// Each accepted POST's answer time, microseconds.
    answers: Vec<u32>,
}

/// Posts `probe.sent.len()` messages at `rate` a second from `visitors` (in turn) to
/// `urls` (in turn), stamping each in `probe` as it leaves.
async fn send_all(urls: Vec<Arc<String>>, visitors: Vec<String>, probe: Arc<Probe>, rate: u32, run: u64) -> Posted {
    let total = probe.sent.len();
    let http = reqwest::Client::builder().tcp_nodelay(true).build().expect("an HTTP client");
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut posts = Vec::with_capacity(total);
    let first = Instant::now();
    for id in 0..total {
        ticker.tick().await;
        let (http, url, probe) = (http.clone(), urls[id % urls.len()].clone(), probe.clone());
        let visitor = visitors[id % visitors.len()].clone();
        posts.push(tokio::spawn(async move {
            let sent = probe.start.elapsed().as_nanos().max(1) as u64;
            probe.sent[id].store(sent, Ordering::Release);
            let ok = post(&http, &url, &visitor, run, id as u64).await;
            let answered = probe.start.elapsed().as_nanos() as u64 - sent;
            (ok, Instant::now(), (answered / 1000) as u32)
        }));
    }
    let mut posted = Posted { accepted: 0, first, last: first, answers: Vec::with_capacity(total) };
    for p in posts {
        if let Ok((true, at, answered_us)) = p.await {
            posted.accepted += 1;
            posted.last = posted.last.max(at);
            posted.answers.push(answered_us);
        }
    }
    posted
}

/// Offers `rate` messages a second for `secs` seconds from `visitors` (in turn) to the
/// server while `sockets` listen, and measures delivery to every socket.
pub async fn deliver(server: &Server, visitors: &[String], sockets: Vec<Socket>, rate: u32, secs: u32) -> Delivery {
    static RUN: AtomicU64 = AtomicU64::new(0);
    let run = RUN.fetch_add(1, Ordering::Relaxed) + std::process::id() as u64 * 1000;
    let total = (rate * secs) as usize;
    let probe = Arc::new(Probe {
        start: Instant::now(),
        sent: (0..total).map(|_| AtomicU64::new(0)).collect(),
        delivered: AtomicUsize::new(0),
    });
    let socket_count = sockets.len();
    let (stop, stopped) = watch::channel(false);
    let readers: Vec<_> =
        sockets.into_iter().map(|s| tokio::spawn(read_socket(s, probe.clone(), stopped.clone()))).collect();

    let (cpu0, own0, wall0) = (server.cpu_secs(), crate::server::own_cpu_secs(), Instant::now());
    let urls: Vec<Arc<String>> =
        (0..server.instances()).map(|i| Arc::new(server.url_of(i, "/api/widget/messages"))).collect();
    let sending = send_all(urls, visitors.to_vec(), probe.clone(), rate, run);
    let Posted { accepted, first, last, mut answers } = SENDER.spawn(sending).await.expect("the sender finishes");
    let deadline = Instant::now() + DRAIN;
    while probe.delivered.load(Ordering::Relaxed) < accepted * socket_count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let wall = wall0.elapsed().as_secs_f64();
    let (server_cpu, generator_cpu) =
        ((server.cpu_secs() - cpu0) / wall, (crate::server::own_cpu_secs() - own0) / wall);
    stop.send_replace(true);
    let mut latencies = Vec::new();
    let (mut duplicated, mut resyncs) = (0, 0);
    for r in readers {
        let seen = r.await.expect("a socket reader");
        latencies.extend(seen.latencies_us);
        duplicated += seen.duplicated;
        resyncs += seen.resyncs;
    }
    let pct = |sorted: &[u32], p: f64| match sorted.len() {
        0 => f64::NAN,
        n => sorted[((n - 1) as f64 * p) as usize] as f64 / 1000.0,
    };
    latencies.sort_unstable();
    answers.sort_unstable();
    let delivered = probe.delivered.load(Ordering::Relaxed);
    Delivery {
        offered: rate as f64,
        accepted_rate: accepted as f64 / last.duration_since(first).as_secs_f64().max(secs as f64),
        p50_ms: pct(&latencies, 0.50),
        p99_ms: pct(&latencies, 0.99),
        post_p50_ms: pct(&answers, 0.50),
        post_p99_ms: pct(&answers, 0.99),
        missing: (accepted * socket_count).saturating_sub(delivered) as u64,
        duplicated,
        resyncs,
        server_cpu,
        generator_cpu,
    }
}

/// The highest inbound rate: `parallel` clients posting back to back for `secs`, no
/// sockets open. Messages per second stored.
pub async fn inbound_rate(server: &Server, visitors: &[String], parallel: usize, secs: u64) -> f64 {
    let http = reqwest::Client::builder().tcp_nodelay(true).build().expect("an HTTP client");
    let urls: Vec<Arc<String>> =
        (0..server.instances()).map(|i| Arc::new(server.url_of(i, "/api/widget/messages"))).collect();
    let stored = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(1_000_000_000));
    let until = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let workers: Vec<_> = (0..parallel)
        .map(|w| {
            let (http, url, stored, next) = (http.clone(), urls[w % urls.len()].clone(), stored.clone(), next.clone());
            let visitor = visitors[w % visitors.len()].clone();
            tokio::spawn(async move {
                while Instant::now() < until {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    if post(&http, &url, &visitor, 0, id).await {
                        stored.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    stored.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}
