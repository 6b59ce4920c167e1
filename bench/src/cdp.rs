//! Headless Chromium driven over the DevTools protocol: one browser, pages in their own
//! windows, commands answered in order.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Browser {
    _child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Trace events received while a trace is recorded (`Tracing.dataCollected`).
    traced: Vec<Value>,
}

/// A page of the browser (a target attached with its own session), in a browser context
/// of its own: nothing cached, no cookies, its own renderer process.
#[derive(Clone)]
pub struct Page {
    session: String,
    context: String,
}

impl Browser {
    /// Starts Chromium (`$CHROMIUM` or `/usr/bin/chromium`) at 1400x900; `None` when it
    /// is not installed.
    pub async fn start() -> Option<Browser> {
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let profile = tempfile::tempdir().ok()?;
        let mut child = Command::new(&binary)
            .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            .args(["--no-first-run", "--disable-background-networking", "--disable-component-update"])
            // Both pages are measured at once: neither may be throttled as a background one.
            .args(["--disable-background-timer-throttling", "--disable-renderer-backgrounding"])
            .args(["--disable-backgrounding-occluded-windows", "--window-size=1400,900"])
            // Chromium draws its omnibox's popup as a page of its own in every new window (so
            // in each first visit's new browser context): 100-300 ms of another renderer's CPU
            // while the app loads, which no user's open browser spends then.
            .arg("--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup")
            .arg("--remote-debugging-port=0")
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .ok()?;
        let mut lines = BufReader::new(child.stderr.take()?).lines();
        let url = loop {
            let line = lines.next_line().await.ok()??;
            if let Some(url) = line.strip_prefix("DevTools listening on ") {
                break url.trim().to_string();
            }
        };
        // Chromium keeps writing to stderr: drain it so it never blocks.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (ws, _) = tokio_tungstenite::connect_async(url).await.ok()?;
        Some(Browser { _child: child, _profile: profile, ws, next_id: 0, traced: Vec::new() })
    }

    /// Sends `method` (to `page`, or the browser) and waits for its result.
    pub async fn call(&mut self, page: Option<&Page>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut command = json!({ "id": id, "method": method, "params": params });
        if let Some(Page { session, .. }) = page {
            command["sessionId"] = json!(session);
        }
        self.ws.send(Message::Text(command.to_string().into())).await.expect("the browser takes a command");
        loop {
            let answer = self.next_message().await;
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method}: {}", answer["error"]);
                return answer["result"].clone();
            }
        }
    }

    /// A new window showing `about:blank` in a new browser context, with the page domain on.
    pub async fn new_page(&mut self) -> Page {
        let context = self.call(None, "Target.createBrowserContext", json!({})).await["browserContextId"].clone();
        let target = self
            .call(
                None,
                "Target.createTarget",
                json!({ "url": "about:blank", "newWindow": true, "browserContextId": context }),
            )
            .await;
        let attached =
            self.call(None, "Target.attachToTarget", json!({ "targetId": target["targetId"], "flatten": true })).await;
        let session = attached["sessionId"].as_str().expect("a session").to_string();
        let page = Page { session, context: context.as_str().expect("a browser context").to_string() };
        self.call(Some(&page), "Page.enable", json!({})).await;
        page
    }

    /// Closes `page` with its browser context.
    pub async fn close(&mut self, page: Page) {
        self.call(None, "Target.disposeBrowserContext", json!({ "browserContextId": page.context })).await;
    }

    /// Evaluates `expression` in `page` (awaiting a promise) and returns its value.
    pub async fn eval(&mut self, page: &Page, expression: &str) -> Value {
        let result = self
            .call(
                Some(page),
                "Runtime.evaluate",
                json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Starts recording a trace of the browser's processes (what DevTools' Performance
    /// panel records: tasks, scripts, compilation, style, layout, paint).
    pub async fn start_trace(&mut self, page: &Page) {
        let categories = concat!(
            "devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,v8,blink.user_timing,loading,",
            "v8.wasm,disabled-by-default-v8.wasm.detailed,disabled-by-default-v8.cpu_profiler"
        );
        let params = json!({ "categories": categories, "transferMode": "ReportEvents" });
        self.call(Some(page), "Tracing.start", params).await;
    }

    /// Ends the trace begun by [`Browser::start_trace`] and returns its events.
    pub async fn end_trace(&mut self, page: &Page) -> Vec<Value> {
        self.call(Some(page), "Tracing.end", json!({})).await;
        while self.next_message().await["method"] != "Tracing.tracingComplete" {}
        std::mem::take(&mut self.traced)
    }

    /// The browser's next message; the trace events it brings are kept for
    /// [`Browser::end_trace`].
    async fn next_message(&mut self) -> Value {
        loop {
            let message = self.ws.next().await.expect("the browser answers").expect("a DevTools message");
            let Message::Text(text) = message else { continue };
            let message: Value = serde_json::from_str(&text).expect("DevTools JSON");
            if message["method"] == "Tracing.dataCollected" {
                self.traced.extend(message["params"]["value"].as_array().into_iter().flatten().cloned());
            }
            return message;
        }
    }

    /// Milliseconds the page's main thread has spent so far: on tasks in all, and of it
    /// on scripts, layout and style.
    pub async fn main_thread_ms(&mut self, page: &Page) -> [f64; 4] {
        let metrics = self.call(Some(page), "Performance.getMetrics", json!({})).await;
        let list = metrics["metrics"].as_array().cloned().unwrap_or_default();
        ["TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration"].map(|name| {
            let seconds = list.iter().find(|m| m["name"] == name).and_then(|m| m["value"].as_f64());
            seconds.unwrap_or(0.0) * 1000.0
        })
    }
}
