//! The end-to-end harness: a real External Lines server (temporary SQLite database,
//! demo data, the built SPA and widget) and chromedriver driving headless Chromium, one
//! browser session per person in the story.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a page gets to show what a step expects.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running server and chromedriver; dropping it stops both.
pub struct Harness {
    pub base: String,
    /// The embedding demo's host page (`http://127.0.0.1:PORT`), when configured.
    pub embed_demo: Option<String>,
    server: Option<el_server::Server>,
    /// The server's SQLite file.
    database: PathBuf,
    driver: Child,
    driver_url: String,
    _dir: tempfile::TempDir,
}

/// The project's root, where `scripts/build.sh` leaves the built bundles.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Harness {
    pub async fn start() -> Harness {
        Self::start_with(|_| {}).await
    }

    /// Starts with the demo configuration changed by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut el_server::config::Config)) -> Harness {
        let root = repo_root();
        let (spa, widget) = (root.join("dist"), root.join("widget/dist"));
        for dir in [&spa, &widget] {
            assert!(
                dir.join("index.html").exists(),
                "{} is not built: run scripts/build.sh (the test command does) first",
                dir.display()
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let mut config = el_server::config::Config::for_database(dir.path().join("e2e.db"));
        config.port = 0;
        config.demo = true;
        config.spa_dir = spa;
        config.widget_dir = widget;
        config.files_dir = dir.path().join("files");
        adjust(&mut config);
        let database = config.database_path();
        let base_path = config.base_path.clone();
        let server = el_server::start(config).await.expect("server starts");
        let base = format!("http://{}{base_path}", server.addr);
        let embed_demo = server.embed_demo.map(|a| format!("http://{a}"));

        let port = free_port();
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut command = Command::new(chromedriver);
        command.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command.spawn().expect("chromedriver starts (apt-get install chromium-driver)");
        let deadline = Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Harness {
            base,
            embed_demo,
            server: Some(server),
            database,
            driver,
            driver_url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }

    /// Changes the server's database directly (what only time would change: a client who
    /// wrote a day ago).
    pub fn execute_sql(&self, sql: &str) {
        rusqlite::Connection::open(&self.database).unwrap().execute_batch(sql).unwrap();
    }

    /// A new browser with its own cookies and storage: one person at a 1400x900 desk.
    pub async fn browser(&self) -> Browser {
        self.browser_with(json!({})).await
    }

    /// A person on a 390x844 phone (touch, as Chromium emulates it).
    pub async fn phone(&self) -> Browser {
        self.browser_with(json!({
            "mobileEmulation": { "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1, "touch": true } }
        }))
        .await
    }

    /// A person whose system asks for dark colours (`prefers-color-scheme: dark`).
    pub async fn dark_system(&self) -> Browser {
        self.browser_with(json!({ "args": ["--blink-settings=preferredColorScheme=0"] })).await
    }

    /// A person whose browser asks for `lang` (e.g. "uk-UA") first.
    pub async fn speaking(&self, lang: &str) -> Browser {
        let accept = format!("{lang},{}", lang.split('-').next().unwrap_or(lang));
        self.browser_with(json!({ "args": [format!("--lang={lang}")], "prefs": { "intl.accept_languages": accept } }))
            .await
    }

    /// A new browser with these extra `goog:chromeOptions` (`args` are added to ours).
    async fn browser_with(&self, extra: Value) -> Browser {
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut options = json!({
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--window-size=1400,900"]
        });
        if let (Some(options), Some(extra)) = (options.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                match (options.get_mut(key).and_then(Value::as_array_mut), value.as_array()) {
                    (Some(ours), Some(more)) => ours.extend(more.iter().cloned()),
                    _ => {
                        options.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        let caps = json!({ "goog:chromeOptions": options });
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps.as_object().unwrap().clone());
        let client = builder.connect(&self.driver_url).await.expect("browser session");
        Browser { client, base: self.base.clone() }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // chromedriver leads its own process group: end it with every browser it started.
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is shared.
        unsafe {
            libc::kill(-(self.driver.id() as i32), libc::SIGKILL);
        }
        let _ = self.driver.wait();
        if let Some(server) = self.server.take() {
            server.state.hub.close_all();
        }
    }
}

/// One person's browser.
pub struct Browser {
    pub client: Client,
    base: String,
}

impl Browser {
    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{}", self.base, path)).await.unwrap();
    }

    /// Opens a page of another site (a host page that embeds our components, say).
    pub async fn goto_url(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Switches (from the page) into the frame of the component embedded in the host
    /// element `css` (inside the shadow root `/embed/lines.js` gives it).
    pub async fn enter_embedded(&self, css: &str) {
        let frame = self
            .wait_until(
                &format!("the component in {css}"),
                "const root = document.querySelector(arguments[0] + ' > div')?.shadowRoot;
                 return root?.querySelector('iframe') ?? null;",
                vec![json!(css)],
            )
            .await;
        // A web element reference: `{"element-6066-…": "its id"}`.
        let id = frame.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("an element");
        let frame = fantoccini::elements::Element::from_element_id(self.client.clone(), id.to_string().into());
        frame.enter_frame().await.unwrap();
    }

    /// Back from a component's frame to the page.
    pub async fn leave_frame(&self) {
        self.client.enter_parent_frame().await.unwrap();
    }

    /// Evaluates a JS function body (with `arguments`) and returns its value.
    pub async fn js(&self, body: &str, args: Vec<Value>) -> Value {
        self.client.execute(body, args).await.unwrap()
    }

    /// Waits until `body` returns a truthy value; fails the test with `what` if not.
    pub async fn wait_until(&self, what: &str, body: &str, args: Vec<Value>) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.client.execute(body, args.clone()).await.unwrap_or(Value::Null);
            let truthy = !matches!(&value, Value::Null | Value::Bool(false)) && value != json!("") && value != json!(0);
            if truthy {
                return value;
            }
            if Instant::now() > deadline {
                let text = self.js("return document.body ? document.body.innerText : ''", vec![]).await;
                panic!("timed out waiting for {what}; the page shows:\n{}", text.as_str().unwrap_or(""));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Texts of every element matching `css`, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let v = self
            .js("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim())", vec![json!(css)])
            .await;
        serde_json::from_value(v).unwrap_or_default()
    }

    /// Waits until an element matching `css` contains `text`.
    pub async fn wait_text(&self, css: &str, text: &str) {
        self.wait_until(
            &format!("{css} to show {text:?}"),
            "return [...document.querySelectorAll(arguments[0])].some(e => e.innerText.includes(arguments[1]))",
            vec![json!(css), json!(text)],
        )
        .await;
    }

    /// Waits until no element matching `css` contains `text`.
    pub async fn wait_no_text(&self, css: &str, text: &str) {
        self.wait_until(
            &format!("{css} to stop showing {text:?}"),
            "return ![...document.querySelectorAll(arguments[0])].some(e => e.innerText.includes(arguments[1]))",
            vec![json!(css), json!(text)],
        )
        .await;
    }

    /// Clicks the first element matching `css` (a real WebDriver click).
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Finds `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Types into the element matching `css` (a real keyboard: "\u{E007}" is Enter).
    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.unwrap();
    }

    /// Signs in to the operator app.
    pub async fn sign_in(&self, login: &str) {
        self.goto("/login").await;
        self.type_into("#login", login).await;
        self.type_into("#password", "demo").await;
        self.click("button[type=submit]").await;
        self.wait_until("the app after sign-in", "return document.querySelector('.topbar') !== null", vec![]).await;
    }

    /// A website visitor named `name` writes `text` through the widget API from this
    /// page, as the widget does; answers the HTTP status.
    pub async fn write_as_visitor(&self, name: &str, text: &str) -> Value {
        self.visitor_writes(name, text, false).await
    }

    /// The visitor this page last wrote as with `name` writes `text` again, in the same
    /// dialog; answers the HTTP status.
    pub async fn write_again_as_visitor(&self, name: &str, text: &str) -> Value {
        self.visitor_writes(name, text, true).await
    }

    async fn visitor_writes(&self, name: &str, text: &str, again: bool) -> Value {
        self.js(
            "return (async (name, text, again) => {
               const json = {'content-type': 'application/json'};
               window.visitors ??= {};
               const s = (again && window.visitors[name]) || await (await fetch('/api/widget/session',
                 {method: 'POST', headers: json, body: JSON.stringify({channel: 'website-demo', name})})).json();
               window.visitors[name] = s;
               const r = await fetch('/api/widget/messages', {method: 'POST',
                 headers: {...json, authorization: 'Bearer ' + s.token},
                 body: JSON.stringify({text, client_msg_id: crypto.randomUUID()})});
               return r.status;
             })(...arguments)",
            vec![json!(name), json!(text), json!(again)],
        )
        .await
    }

    /// Clicks the first element matching `css` whose text contains `text`.
    pub async fn click_text(&self, css: &str, text: &str) {
        self.wait_text(css, text).await;
        for el in self.client.find_all(Locator::Css(css)).await.unwrap() {
            if el.text().await.unwrap_or_default().contains(text) {
                el.click().await.unwrap();
                return;
            }
        }
        panic!("no {css} with {text:?}");
    }

    /// Opens the widget on `page` (e.g. `/widget/demo`) as a client, gives `name` when
    /// the widget asks for one, writes `text` and waits until it shows as sent; stays in
    /// the widget's frame.
    pub async fn write_in_widget(&self, page: &str, name: Option<&str>, text: &str) {
        self.open_widget_at(page).await;
        if let Some(name) = name {
            self.type_into("input[aria-label='Your name']", name).await;
        }
        self.type_into("textarea[aria-label=Message]", text).await;
        self.type_into("textarea[aria-label=Message]", ENTER).await;
        self.wait_text(".bubble--mine", text).await;
    }

    /// Waits until the image `css` has loaded (a picture, not a broken link); answers its
    /// `src` as written.
    pub async fn wait_image(&self, what: &str, css: &str) -> String {
        let loaded = "const img = document.querySelector(arguments[0]);
                      return img && img.complete && img.naturalWidth > 0 && img.getAttribute('src')";
        let src = self.wait_until(what, loaded, vec![json!(css)]).await;
        src.as_str().unwrap_or_default().to_string()
    }

    /// Opens the demo page and switches into its chat widget.
    pub async fn open_widget(&self) {
        self.open_widget_at("/widget/demo").await;
    }

    /// Opens a demo page (e.g. `/widget/demo?channel=shop-demo`) and enters its widget.
    pub async fn open_widget_at(&self, page: &str) {
        self.goto(page).await;
        self.find("iframe[data-external-lines=frame]").await;
        self.client.enter_frame(0).await.unwrap();
        self.find("textarea[aria-label=Message]").await;
    }

    /// The browser's Back button.
    pub async fn go_back(&self) {
        self.client.back().await.unwrap();
    }

    /// The serious and critical axe-core violations on the page (or the frame entered) as
    /// it is now: "rule: where" for each.
    pub async fn axe(&self) -> Vec<String> {
        self.client.execute(&format!("{}\nreturn true;", axe_source()), vec![]).await.expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        serde_json::from_value(found).unwrap_or_default()
    }

    /// Fails with the page's name when axe-core finds a serious or critical violation.
    pub async fn assert_accessible(&self, page: &str) {
        let found = self.axe().await;
        if !found.is_empty() {
            self.screenshot(&format!("/tmp/e2e-axe-{}.png", page.replace(' ', "-"))).await;
        }
        assert!(found.is_empty(), "{page}: {found:#?}");
    }

    /// Saves a screenshot (for looking at a page or a failure).
    pub async fn screenshot(&self, path: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(path, png);
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// axe-core's source, installed by scripts/setup-tools.sh.
fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let tools = std::env::var("EXTERNAL_LINES_TOOLS")
            .unwrap_or_else(|_| format!("{}/.cache/external-lines/tools", std::env::var("HOME").unwrap_or_default()));
        let path = format!("{tools}/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (scripts/setup-tools.sh installs it)"))
    })
}

/// The Enter key for [`Browser::type_into`].
pub const ENTER: &str = "\u{E007}";

/// A real 1x1 PNG (transparent).
pub const PNG_1X1: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
/// Shift (held until the next key) for [`Browser::type_into`].
pub const SHIFT: &str = "\u{E008}";
