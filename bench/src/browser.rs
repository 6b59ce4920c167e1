//! The browser benchmark: the operator app's real dialog list beside a hand-written
//! keyed, virtualized vanilla-JS list (`assets/vanilla-list.js`), both in headless
//! Chromium on the same server with 10,000 dialogs, receiving the same socket frames of
//! 1,000 client messages; plus how soon rows are painted after the data arrives, and
//! the bundles' brotli sizes.

use crate::cdp::{Browser, Page};
use crate::load::visitors;
use crate::server::Server;
use el_protocol::api::FIRST_PAGE;
use futures_util::StreamExt;
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

const DIALOGS: &str = "10000";
const MESSAGES: usize = 1_000;
const VISITORS: usize = 100;
/// Page loads whose times to paint are taken (their median is printed); BENCH_LOADS=N
/// takes more, for a steadier median on a noisy machine.
fn loads() -> usize {
    let Some(asked) = std::env::var_os("BENCH_LOADS") else { return 5 };
    let loads = asked.to_str().and_then(|n| n.parse().ok()).filter(|n: &usize| *n > 0);
    loads.unwrap_or_else(|| panic!("BENCH_LOADS must be a whole number above 0, not {asked:?}"))
}

/// Marks when the app's first dialog row is painted and when it opens its socket, and
/// counts the message frames the socket receives (run in the app's page before its own
/// scripts).
const APP_PROBE: &str = r#"
window.__bench = { frames: 0, paintMs: null, paintAt: null, socketAt: null };
const Socket = window.WebSocket;
window.WebSocket = function (...args) {
  window.__bench.socketAt ??= performance.now();
  const ws = new Socket(...args);
  ws.addEventListener("message", (e) => { if (e.data.includes('"type":"message_created"')) window.__bench.frames++; });
  return ws;
};
window.WebSocket.prototype = Socket.prototype;
new MutationObserver((_, observer) => {
  if (!document.querySelector(".dialog-row")) return;
  observer.disconnect();
  requestAnimationFrame(() => setTimeout(() => {
    const data = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/dialogs"));
    window.__bench.paintAt = performance.now();
    window.__bench.paintMs = window.__bench.paintAt - (data ? data.responseEnd : 0);
  }, 0));
}).observe(document, { childList: true, subtree: true });
"#;

/// What the browser benchmark measured.
pub struct BrowserFigures {
    /// Main-thread milliseconds for the messages (in all, scripts, layout, style): the
    /// app, the vanilla list.
    pub app: [f64; 4],
    pub vanilla: [f64; 4],
    /// Rows painted after the dialogs' data arrived, in ms: the app, the vanilla list.
    pub app_paint_ms: Spread,
    pub vanilla_paint_ms: Spread,
    /// The app's socket opened after the dialogs' data arrived, in ms (the live part's
    /// download and start, src/on_demand.rs).
    pub app_socket_ms: Spread,
    /// The app's rows painted after the navigation started, in ms (what a user waits
    /// for in all: the page, the code, the session, the data and the rows).
    pub app_rows_at_ms: Spread,
    /// (app, widget) brotli sizes in KB.
    pub bundles: [Bundle; 2],
}

/// Runs the browser benchmark on `bin` with the app built in `repo`/dist; `None` (with
/// the reason said) when the app is not built or Chromium is missing.
pub async fn measure(bin: &Path, repo: &Path) -> Option<BrowserFigures> {
    let (dist, widget) = (repo.join("dist"), repo.join("widget/dist"));
    if !dist.join("index.html").exists() {
        eprintln!("[bench] browser: the app is not built (scripts/build.sh); skipped");
        return None;
    }
    let Some(mut browser) = Browser::start().await else {
        eprintln!("[bench] browser: Chromium did not start (CHROMIUM=path); skipped");
        return None;
    };
    eprintln!("[bench] browser: loading {DIALOGS} dialogs");
    let spa = dist.to_string_lossy().into_owned();
    let server =
        Server::start_with(bin, &["--spa-dir", &spa, "--demo-dialogs", DIALOGS], Duration::from_secs(300)).await;
    let cookie = sign_in(&server, "anna").await;
    let vanilla_js = include_str!("../assets/vanilla-list.js").replace("__FIRST_PAGE__", &FIRST_PAGE.to_string());

    // Each page is loaded loads() times, every time in a new browser context (nothing cached,
    // a new renderer process: a first visit), one page at a time (the time to paint is
    // each page's own, not shared with the other page's start on the same two cores); the
    // last loads take the messages.
    let (mut app_paint, mut vanilla_paint, mut app_socket, mut app_rows_at) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut pages = None;
    for visit in 0..loads() {
        if let Some((app, vanilla)) = pages.take() {
            browser.close(app).await;
            browser.close(vanilla).await;
        }
        let app = signed_in_page(&mut browser, &server, &cookie).await;
        browser.call(Some(&app), "Page.addScriptToEvaluateOnNewDocument", json!({ "source": APP_PROBE })).await;
        // BENCH_TRACE=file.json writes a trace of the app's first load (open it in
        // Chromium's DevTools, Performance panel).
        let trace = std::env::var_os("BENCH_TRACE").filter(|_| visit == 0);
        if trace.is_some() {
            browser.start_trace(&app).await;
        }
        browser.call(Some(&app), "Page.navigate", json!({ "url": server.url("/lines") })).await;
        let ready = "window.__bench && window.__bench.paintMs !== null && !document.querySelector('.connection')";
        wait(&mut browser, &app, ready).await;
        if let Some(path) = trace {
            let events = browser.end_trace(&app).await;
            std::fs::write(&path, json!({ "traceEvents": events }).to_string()).expect("the trace is written");
            eprintln!("[bench] browser: the app's first load is traced in {}", path.to_string_lossy());
        }
        settle(&mut browser, &[&app]).await;
        app_paint.push(paint_ms(&mut browser, &app).await);
        app_socket.push(socket_ms(&mut browser, &app).await);
        app_rows_at.push(browser.eval(&app, "window.__bench.paintAt").await.as_f64().unwrap_or(f64::NAN));
        // The comparison runs in a page of the same origin that is no app (a script file).
        let vanilla = signed_in_page(&mut browser, &server, &cookie).await;
        browser.call(Some(&vanilla), "Page.navigate", json!({ "url": server.url("/widget/loader.js") })).await;
        wait(&mut browser, &vanilla, "document.readyState === 'complete'").await;
        browser.eval(&vanilla, &vanilla_js).await;
        wait(&mut browser, &vanilla, "window.__bench && window.__bench.paintMs !== null && window.__bench.live").await;
        settle(&mut browser, &[&app, &vanilla]).await;
        vanilla_paint.push(paint_ms(&mut browser, &vanilla).await);
        pages = Some((app, vanilla));
    }
    let (app, vanilla) = pages.expect("the pages were loaded");

    // BENCH_PROFILE=file.cpuprofile writes the app page's CPU profile of the messages
    // (open it in Chromium's DevTools; names show with a build that keeps them).
    let profile = std::env::var_os("BENCH_PROFILE");
    if profile.is_some() {
        browser.call(Some(&app), "Profiler.enable", json!({})).await;
        browser.call(Some(&app), "Profiler.start", json!({})).await;
    }
    let before = (browser.main_thread_ms(&app).await, browser.main_thread_ms(&vanilla).await);
    eprintln!("[bench] browser: {MESSAGES} client messages");
    push_messages(&server).await;
    let all = format!("window.__bench.frames >= {MESSAGES}");
    wait(&mut browser, &app, &all).await;
    wait(&mut browser, &vanilla, &all).await;
    settle(&mut browser, &[&app, &vanilla]).await;
    if let Some(path) = profile {
        let stopped = browser.call(Some(&app), "Profiler.stop", json!({})).await;
        std::fs::write(&path, stopped["profile"].to_string()).expect("the profile is written");
        eprintln!("[bench] browser: the app's CPU profile is in {}", path.to_string_lossy());
    }
    let after = (browser.main_thread_ms(&app).await, browser.main_thread_ms(&vanilla).await);
    let spent = |after: [f64; 4], before: [f64; 4]| std::array::from_fn::<f64, 4, _>(|i| after[i] - before[i]);
    Some(BrowserFigures {
        app: spent(after.0, before.0),
        vanilla: spent(after.1, before.1),
        app_paint_ms: Spread::of(app_paint),
        vanilla_paint_ms: Spread::of(vanilla_paint),
        app_socket_ms: Spread::of(app_socket),
        app_rows_at_ms: Spread::of(app_rows_at),
        bundles: [brotli_sizes(&dist), brotli_sizes(&widget)],
    })
}

/// The median and the range of several measures.
pub struct Spread {
    count: usize,
    median: f64,
    least: f64,
    most: f64,
}

impl Spread {
    fn of(mut measures: Vec<f64>) -> Spread {
        measures.sort_by(f64::total_cmp);
        let median = measures.get(measures.len() / 2).copied().unwrap_or(f64::NAN);
        let least = measures.first().copied().unwrap_or(f64::NAN);
        Spread { count: measures.len(), median, least, most: measures.last().copied().unwrap_or(f64::NAN) }
    }
}

/// A new page (in a browser context of its own) with `cookie`'s session, measuring its
/// main thread.
async fn signed_in_page(browser: &mut Browser, server: &Server, cookie: &str) -> Page {
    let page = browser.new_page().await;
    let cookie = json!({ "name": "el_session", "value": cookie, "url": server.url("/") });
    browser.call(Some(&page), "Network.setCookie", cookie).await;
    browser.call(Some(&page), "Performance.enable", json!({})).await;
    page
}

/// When `page`'s rows were painted after its data arrived, in ms.
async fn paint_ms(browser: &mut Browser, page: &Page) -> f64 {
    browser.eval(page, "window.__bench.paintMs").await.as_f64().unwrap_or(f64::NAN)
}

/// When `page`'s socket opened after its data arrived, in ms.
async fn socket_ms(browser: &mut Browser, page: &Page) -> f64 {
    let since_data = "(() => {
      const data = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/dialogs'));
      return window.__bench.socketAt - (data ? data.responseEnd : 0);
    })()";
    browser.eval(page, since_data).await.as_f64().unwrap_or(f64::NAN)
}

async fn sign_in(server: &Server, login: &str) -> String {
    let r = reqwest::Client::new()
        .post(server.url("/api/auth/login"))
        .json(&json!({ "login": login, "password": "demo" }))
        .send()
        .await
        .expect("sign-in");
    let cookie = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("a session cookie");
    cookie.split(';').next().and_then(|c| c.strip_prefix("el_session=")).expect("el_session").to_string()
}

/// Waits (up to a minute) until `condition` holds in `page`.
async fn wait(browser: &mut Browser, page: &Page, condition: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while browser.eval(page, &format!("!!({condition})")).await != json!(true) {
        assert!(Instant::now() < deadline, "the browser benchmark waited in vain for {condition}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until every page has had an idle moment after two frames.
async fn settle(browser: &mut Browser, pages: &[&Page]) {
    let idle = "new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => \
                requestIdleCallback(() => done(true), { timeout: 2000 }))))";
    for page in pages {
        browser.eval(page, idle).await;
    }
}

/// 1,000 client messages from 100 new website visitors, sent as fast as the server
/// takes them (eight at a time).
async fn push_messages(server: &Server) {
    let tokens = visitors(server, VISITORS).await;
    let http = reqwest::Client::new();
    let url = server.url("/api/widget/messages");
    let sends = (0..MESSAGES).map(|i| {
        let (http, url, token) = (http.clone(), url.clone(), tokens[i % VISITORS].clone());
        async move {
            let body =
                json!({ "text": format!("Is my order {i} on its way?"), "client_msg_id": format!("browser-{i}") });
            let r = http.post(url).bearer_auth(token).json(&body).send().await.expect("a message POST");
            assert!(r.status().is_success(), "a message was refused: {}", r.status());
        }
    });
    futures_util::stream::iter(sends).buffer_unordered(8).collect::<Vec<()>>().await;
}

/// Brotli sizes (KB) of a bundle, from the `.br` copies `scripts/build.sh` writes at
/// quality 11: what the first screen downloads (wasm, JS, CSS) and the parts the app
/// downloads when a page needs them (`split_*` and `chunk_*`, src/on_demand.rs), of
/// them the live part's files (downloaded once the rows are painted; `parts.json` names
/// them).
#[derive(Clone, Copy, Default)]
pub struct Bundle {
    wasm: f64,
    js: f64,
    css: f64,
    on_demand: f64,
    live: f64,
}

fn brotli_sizes(dir: &Path) -> Bundle {
    let mut sizes = Bundle::default();
    let parts: HashMap<String, Vec<String>> = std::fs::read(dir.join("parts.json"))
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default();
    let live = parts.get("live").cloned().unwrap_or_default();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let kb = entry.metadata().map_or(0.0, |m| m.len() as f64 / 1000.0);
        let later = name.starts_with("split_") || name.starts_with("chunk_");
        match name.strip_suffix(".br") {
            Some(file) if later => {
                sizes.on_demand += kb;
                if live.iter().any(|f| f == file) {
                    sizes.live += kb;
                }
            }
            Some(file) if file.ends_with(".wasm") => sizes.wasm += kb,
            Some(file) if file.ends_with(".js") => sizes.js += kb,
            Some(file) if file.ends_with(".css") => sizes.css += kb,
            _ => {}
        }
    }
    sizes
}

/// Prints the browser figures with their targets.
pub fn print(f: &BrowserFigures) {
    println!("\nBrowser (headless Chromium; {DIALOGS} dialogs; {MESSAGES} client messages on the socket)");
    println!(
        "  main thread for the messages   app {:>8.1} ms   vanilla JS {:>8.1} ms   ratio {:>5.2}x   (target <= 1.5x)",
        f.app[0],
        f.vanilla[0],
        f.app[0] / f.vanilla[0]
    );
    for (i, part) in ["scripts", "layout", "style"].into_iter().enumerate() {
        println!("    of it {part:<22} app {:>8.1} ms   vanilla JS {:>8.1} ms", f.app[i + 1], f.vanilla[i + 1]);
    }
    let (app, vanilla) = (&f.app_paint_ms, &f.vanilla_paint_ms);
    println!(
        "  rows painted after the data    app {:>8.1} ms   vanilla JS {:>8.1} ms                  (target <= 50 ms)",
        app.median, vanilla.median
    );
    println!(
        "    of {} first visits (range)      app {:.0}-{:.0} ms     vanilla JS {:.0}-{:.0} ms",
        app.count, app.least, app.most, vanilla.least, vanilla.most
    );
    let socket = &f.app_socket_ms;
    println!(
        "  socket opened after the data   app {:>8.1} ms   (of {} first visits: {:.0}-{:.0} ms)",
        socket.median, socket.count, socket.least, socket.most
    );
    let rows_at = &f.app_rows_at_ms;
    println!(
        "  rows painted after the page opened app {:>6.1} ms   (of {} first visits: {:.0}-{:.0} ms; loopback, nothing cached)",
        rows_at.median, rows_at.count, rows_at.least, rows_at.most
    );
    for ((name, target), Bundle { wasm, js, css, on_demand, live }) in
        [("operator app", 200.0), ("website widget", 60.0)].into_iter().zip(f.bundles)
    {
        println!(
            "  {name:<15} bundle {:>6.1} KB brotli (wasm {wasm:.1}, JS {js:.1}, CSS {css:.1})   (target <= {target:.0} KB)",
            wasm + js + css
        );
        if live > 0.0 {
            println!(
                "  {:<15} and {live:.1} KB brotli once the rows are painted: the live part (the socket's updates, notifications)",
                ""
            );
        }
        if on_demand > 0.0 {
            println!(
                "  {:<15} and {:.1} KB brotli downloaded later: the chat once the list is here, Settings, the CRM or an embedded view when opened",
                "",
                on_demand - live
            );
        }
    }
}
