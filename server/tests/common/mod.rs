//! A real server on 127.0.0.1:0 with a temporary SQLite file and the demo data, plus
//! clients for operators (session cookie), widget visitors (bearer token) and sockets.
#![allow(dead_code)]

use el_protocol::api::{
    Cursor, DialogPage, DialogSummary, InboxSnapshot, PageQuery, SendMessage, WidgetHello, WidgetSession,
};
use el_protocol::events::{Frame, UserEvent};
use el_protocol::inbox::Tab;
use el_server::config::Config;
use el_server::demo::DEMO_WIDGET_KEY;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue, COOKIE};
use serde::de::DeserializeOwned;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct TestServer {
    pub base: String,
    pub server: Option<el_server::Server>,
    pub config: Config,
    /// The database and files (held by the first instance; see [`TestServer::beside`]).
    _dir: Option<tempfile::TempDir>,
}

/// With `EL_TEST_POSTGRES` set (`postgres://user@host:port`, as `scripts/postgres.sh`
/// prints), a new empty database on that server, for one test server: the whole suite
/// then runs on PostgreSQL.
fn fresh_postgres_database() -> Option<String> {
    let base = std::env::var("EL_TEST_POSTGRES").ok().filter(|u| !u.is_empty())?;
    let name = format!("t_{}", &el_server::tokens::new_token()[..24]);
    // The blocking driver runs its own runtime: not on a thread of the test's.
    let (admin, create) = (format!("{base}/postgres"), format!("CREATE DATABASE {name}"));
    std::thread::spawn(move || {
        let mut admin = postgres::Client::connect(&admin, postgres::NoTls).expect("PostgreSQL for tests");
        admin.batch_execute(&create).expect("a test database");
    })
    .join()
    .unwrap();
    Some(format!("{base}/{name}"))
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// Like [`TestServer::start`], with the configuration adjusted first.
    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> TestServer {
        // `RUST_LOG=error cargo test ... -- --nocapture` shows what the server logs.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let dir = tempfile::tempdir().unwrap();
        let mut config = match fresh_postgres_database() {
            Some(url) => Config::for_database(url),
            None => Config::for_database(dir.path().join("test.db")),
        };
        config.port = 0;
        config.demo = true;
        config.spa_dir = dir.path().join("no-spa");
        config.widget_dir = dir.path().join("no-widget");
        config.files_dir = dir.path().join("files");
        // Tests write fast from one address; the rate limits have tests of their own.
        config.widget_sessions_per_hour = 100_000;
        config.widget_messages_per_minute = 100_000;
        configure(&mut config);
        let server = el_server::start(config.clone()).await.expect("server starts");
        let base = format!("http://{}{}", server.addr, config.base_path);
        TestServer { base, server: Some(server), config, _dir: Some(dir) }
    }

    /// A second instance on the same database and files, at its own address (it must
    /// not outlive this one).
    pub async fn beside(&self) -> TestServer {
        let server = el_server::start(self.config.clone()).await.expect("a second instance starts");
        TestServer {
            base: format!("http://{}", server.addr),
            server: Some(server),
            config: self.config.clone(),
            _dir: None,
        }
    }

    /// Stops the server (waiting for what is in flight) and starts it again on the same
    /// database and files, at a new address.
    pub async fn restart(&mut self) {
        self.server.take().expect("a running server").shutdown().await.expect("clean shutdown");
        let server = el_server::start(self.config.clone()).await.expect("server starts again");
        self.base = format!("http://{}", server.addr);
        self.server = Some(server);
    }

    /// Whether this server's database is PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.config.database.starts_with("postgres")
    }

    /// Runs statements on the server's database directly, behind its back (to break it,
    /// or to stand in for another instance).
    pub fn execute_sql(&self, sql: &str) {
        if self.on_postgres() {
            let (url, sql) = (self.config.database.clone(), sql.to_string());
            std::thread::spawn(move || {
                postgres::Client::connect(&url, postgres::NoTls).unwrap().batch_execute(&sql).unwrap();
            })
            .join()
            .unwrap();
        } else {
            rusqlite::Connection::open(self.config.database_path()).unwrap().execute_batch(sql).unwrap();
        }
    }

    /// The number a one-number query answers, read from the database directly.
    pub fn count_sql(&self, sql: &str) -> i64 {
        if self.on_postgres() {
            let (url, sql) = (self.config.database.clone(), sql.to_string());
            std::thread::spawn(move || {
                postgres::Client::connect(&url, postgres::NoTls).unwrap().query_one(&sql, &[]).unwrap().get(0)
            })
            .join()
            .unwrap()
        } else {
            rusqlite::Connection::open(self.config.database_path()).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
        }
    }

    /// How many files' bytes the server keeps (on disk, or in PostgreSQL).
    pub fn stored_files(&self) -> usize {
        if self.on_postgres() {
            self.count_sql("SELECT COUNT(*) FROM file_bytes") as usize
        } else {
            std::fs::read_dir(&self.config.files_dir).map(|d| d.count()).unwrap_or(0)
        }
    }

    /// Whether the bytes of file `id` are kept.
    pub fn has_file(&self, id: &str) -> bool {
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        if self.on_postgres() {
            self.count_sql(&format!("SELECT COUNT(*) FROM file_bytes WHERE id = '{id}'")) == 1
        } else {
            self.config.files_dir.join(id).exists()
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The same servers reached at `base` (a reverse proxy in front of them).
    pub fn through(&self, base: &str) -> TestServer {
        TestServer { base: base.trim_end_matches('/').into(), server: None, config: self.config.clone(), _dir: None }
    }

    pub fn host(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    /// Signs in a demo user.
    pub async fn operator(&self, login: &str) -> Operator {
        let response = reqwest::Client::new()
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({"login": login, "password": "demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "sign-in of {login}");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("el_session="))
            .expect("session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(&cookie).unwrap());
        let http = reqwest::Client::builder().default_headers(headers).build().unwrap();
        Operator { http, cookie, base: self.base.clone() }
    }

    /// `POST /api/widget/session` with `body`, as the widget sends it.
    pub async fn widget_session(&self, body: serde_json::Value) -> reqwest::Response {
        reqwest::Client::new().post(self.url("/api/widget/session")).json(&body).send().await.unwrap()
    }

    /// A new website visitor on the demo widget channel.
    pub async fn visitor(&self, name: &str) -> Visitor {
        self.visitor_on(DEMO_WIDGET_KEY, name, None).await
    }

    /// A visitor on the widget channel `channel`, who may be `known` from another one.
    pub async fn visitor_on(&self, channel: &str, name: &str, known: Option<&Visitor>) -> Visitor {
        let known = known.map(|v| v.session.token.clone());
        let hello = WidgetHello { channel: channel.into(), name: Some(name.into()), known };
        let session: WidgetSession =
            self.widget_session(serde_json::to_value(hello).unwrap()).await.json().await.unwrap();
        Visitor { session, base: self.base.clone(), http: reqwest::Client::new() }
    }
}

pub struct Operator {
    pub http: reqwest::Client,
    pub cookie: String,
    pub base: String,
}

impl Operator {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{}", self.base, path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http.post(format!("{}{}", self.base, path)).json(&body).send().await.unwrap()
    }

    pub async fn put(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http.put(format!("{}{}", self.base, path)).json(&body).send().await.unwrap()
    }

    pub async fn patch(&self, id: i64, body: serde_json::Value) -> reqwest::Response {
        self.http.patch(format!("{}/api/dialogs/{id}", self.base)).json(&body).send().await.unwrap()
    }

    pub async fn inbox(&self) -> InboxSnapshot {
        let r = self.get("/api/dialogs").await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// The first pages of the tabs, `limit` dialogs each.
    pub async fn inbox_paged(&self, limit: usize) -> InboxSnapshot {
        let r = self.get(&format!("/api/dialogs?limit={limit}")).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    pub async fn page(&self, query: &PageQuery) -> DialogPage {
        let r = self.http.get(format!("{}/api/dialogs/page", self.base)).query(query).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// A whole tab, read page after page.
    pub async fn whole_tab(&self, tab: Tab, limit: usize) -> Vec<DialogSummary> {
        let (mut all, mut cursor) = (Vec::new(), None);
        loop {
            let page = self.page(&PageQuery::after(tab, cursor, limit)).await;
            cursor = page.dialogs.last().map(|d| Cursor { at: d.last_activity_at, id: d.id });
            all.extend(page.dialogs);
            if !page.more {
                return all;
            }
        }
    }

    /// Uploads a file for the next message in `dialog`.
    pub async fn upload(&self, dialog: i64, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let url = format!("{}/api/dialogs/{dialog}/files", self.base);
        self.http.post(url).query(&[("name", name)]).body(bytes).send().await.unwrap()
    }

    /// Sends a message with uploaded files.
    pub async fn send_files(&self, dialog: i64, text: &str, key: &str, files: &[&str]) -> reqwest::Response {
        let body = serde_json::json!({"text": text, "client_msg_id": key, "attachments": files});
        self.post(&format!("/api/dialogs/{dialog}/messages"), body).await
    }

    pub async fn reply(&self, dialog: i64) -> reqwest::Response {
        self.post(&format!("/api/dialogs/{dialog}/reply"), serde_json::json!({})).await
    }

    pub async fn send(&self, dialog: i64, text: &str, key: &str) -> reqwest::Response {
        self.post(&format!("/api/dialogs/{dialog}/messages"), serde_json::json!({"text": text, "client_msg_id": key}))
            .await
    }

    /// Adds a private note to a dialog.
    pub async fn note(&self, dialog: i64, text: &str, key: &str) -> reqwest::Response {
        let body = serde_json::json!({"text": text, "client_msg_id": key, "note": true});
        self.post(&format!("/api/dialogs/{dialog}/messages"), body).await
    }

    /// Opens the operator socket from `since` with whole events (same origin).
    pub async fn socket(&self, since: i64) -> Socket {
        self.socket_with(&format!("since={since}")).await
    }

    /// Opens the operator socket as the app does: compact events (`Event::compact`).
    pub async fn compact_socket(&self, since: i64) -> Socket {
        self.socket_with(&format!("since={since}&compact=true")).await
    }

    async fn socket_with(&self, query: &str) -> Socket {
        let host = self.base.trim_start_matches("http://");
        let mut request = format!("ws://{host}/api/socket?{query}").into_client_request().unwrap();
        request.headers_mut().insert("cookie", self.cookie.parse().unwrap());
        let origin = host.split('/').next().unwrap_or(host);
        request.headers_mut().insert("origin", format!("http://{origin}").parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(request).await.expect("socket opens");
        Socket { ws }
    }
}

pub struct Visitor {
    pub session: WidgetSession,
    pub base: String,
    pub http: reqwest::Client,
}

impl Visitor {
    pub async fn send(&self, text: &str, key: &str) -> reqwest::Response {
        self.send_files(text, key, &[]).await
    }

    /// Sends a message with files the visitor uploaded.
    pub async fn send_files(&self, text: &str, key: &str, files: &[&str]) -> reqwest::Response {
        let attachments = files.iter().map(|f| f.to_string()).collect();
        self.http
            .post(format!("{}/api/widget/messages", self.base))
            .bearer_auth(&self.session.token)
            .json(&SendMessage { text: text.into(), client_msg_id: key.into(), attachments, note: false })
            .send()
            .await
            .unwrap()
    }

    /// Says the visitor is typing.
    pub async fn typing(&self) -> reqwest::Response {
        self.http
            .post(format!("{}/api/widget/typing", self.base))
            .bearer_auth(&self.session.token)
            .send()
            .await
            .unwrap()
    }

    /// Uploads a file for the visitor's next message.
    pub async fn upload(&self, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        self.http
            .post(format!("{}/api/widget/files", self.base))
            .query(&[("name", name)])
            .bearer_auth(&self.session.token)
            .body(bytes)
            .send()
            .await
            .unwrap()
    }

    /// The visitor's socket from their conversation's position, once it is live.
    pub async fn socket(&self) -> Socket {
        let since = self.conversation().await.as_of;
        let host = self.base.trim_start_matches("http://");
        let url = format!("ws://{host}/api/widget/socket?token={}&since={since}", self.session.token);
        let (ws, _) = tokio_tungstenite::connect_async(url.into_client_request().unwrap()).await.unwrap();
        let mut ws = Socket { ws };
        assert!(matches!(ws.frame::<el_protocol::api::WidgetMessage>().await, Frame::Live { .. }));
        ws
    }

    pub async fn conversation(&self) -> el_protocol::api::WidgetConversation {
        self.http
            .get(format!("{}/api/widget/conversation", self.base))
            .bearer_auth(&self.session.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

pub struct Socket {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    /// The next frame, failing the test after 5 seconds.
    pub async fn frame<E: DeserializeOwned>(&mut self) -> Frame<E> {
        serde_json::from_str(&self.text().await).expect("frame json")
    }

    /// The next frame's JSON, failing the test after 5 seconds.
    pub async fn text(&mut self) -> String {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("a frame within 5 s")
                .expect("socket open")
                .expect("socket ok");
            match msg {
                WsMessage::Text(t) => return t.to_string(),
                WsMessage::Close(c) => panic!("socket closed: {c:?}"),
                _ => continue,
            }
        }
    }

    /// The next frame, or `None` when none comes within `ms` (or the socket closed).
    pub async fn frame_within<E: DeserializeOwned>(&mut self, ms: u64) -> Option<Frame<E>> {
        loop {
            match tokio::time::timeout(Duration::from_millis(ms), self.ws.next()).await {
                Ok(Some(Ok(WsMessage::Text(t)))) => return Some(serde_json::from_str(&t).expect("frame json")),
                Ok(Some(Ok(WsMessage::Close(_)))) | Ok(Some(Err(_))) | Ok(None) | Err(_) => return None,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Events until the `live` frame (the replay).
    pub async fn replay(&mut self) -> (Vec<(i64, UserEvent)>, i64) {
        let mut events = Vec::new();
        loop {
            match self.frame::<UserEvent>().await {
                Frame::Event { seq, event } => events.push((seq, event)),
                Frame::Live { seq } => return (events, seq),
                Frame::Resync { reason } => panic!("unexpected resync: {reason}"),
                Frame::Typing { .. } => continue,
            }
        }
    }

    /// The next event frame.
    pub async fn event(&mut self) -> (i64, UserEvent) {
        match self.frame::<UserEvent>().await {
            Frame::Event { seq, event } => (seq, event),
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// True when no frame arrives within `ms`.
    pub async fn quiet_for(&mut self, ms: u64) -> bool {
        tokio::time::timeout(Duration::from_millis(ms), self.ws.next()).await.is_err()
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

impl TestServer {
    /// A visitor who wrote once, and the id of the dialog that opened.
    pub async fn dialog_from(&self, client: &str) -> (Visitor, i64) {
        let visitor = self.visitor(client).await;
        assert_eq!(visitor.send("Hello", &format!("{}-first", client.replace(' ', "-"))).await.status(), 200);
        let anyone = self.operator("admin").await;
        let id = dialog_named(&anyone.inbox().await, client).expect("the new dialog");
        (visitor, id)
    }
}

impl TestServer {
    /// A visitor who wrote once, and `login` who took the dialog with Reply.
    pub async fn taken_by(&self, login: &str, client: &str) -> (Visitor, Operator, i64) {
        let (visitor, id) = self.dialog_from(client).await;
        let op = self.operator(login).await;
        assert_eq!(op.reply(id).await.status(), 200, "{login} takes the dialog");
        (visitor, op, id)
    }
}

impl Operator {
    /// `POST /api/dialogs/{id}/{action}` with a JSON body.
    pub async fn act(&self, id: i64, action: &str, body: serde_json::Value) -> reqwest::Response {
        self.post(&format!("/api/dialogs/{id}/{action}"), body).await
    }

    pub async fn me(&self) -> el_protocol::api::Me {
        self.get("/api/me").await.json().await.unwrap()
    }

    pub async fn chat(&self, id: i64) -> el_protocol::api::ChatSnapshot {
        let r = self.get(&format!("/api/dialogs/{id}")).await;
        assert_eq!(r.status(), 200, "opening dialog {id}");
        r.json().await.unwrap()
    }

    /// The dialog of the client named `name` in the user's inbox (Unassigned first).
    pub async fn dialog_of(&self, name: &str) -> i64 {
        dialog_named(&self.inbox().await, name).unwrap_or_else(|| panic!("a dialog of {name}"))
    }

    /// Waits (up to 15 s) until the chat satisfies `wanted`.
    pub async fn chat_becomes(
        &self,
        dialog: i64,
        wanted: impl Fn(&el_protocol::api::ChatSnapshot) -> bool,
    ) -> el_protocol::api::ChatSnapshot {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let chat = self.chat(dialog).await;
            if wanted(&chat) {
                return chat;
            }
            assert!(std::time::Instant::now() < deadline, "the chat stayed {:?}", chat.messages.last());
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
}

/// How `message` stands in `chat`, as its delivery shows it.
pub fn delivery_of(
    chat: &el_protocol::api::ChatSnapshot,
    message: &el_protocol::api::Message,
) -> Option<el_protocol::api::Delivery> {
    chat.messages.iter().find(|m| m.id == message.id).and_then(|m| m.delivery.clone())
}

/// The id of the first dialog named `name` in a snapshot.
pub fn dialog_named(snapshot: &InboxSnapshot, name: &str) -> Option<i64> {
    snapshot.dialogs().find(|d| d.client_name == name).map(|d| d.id.0)
}

/// The body of a 200 answer; any other status fails the test with the answer's text.
pub async fn ok<T: DeserializeOwned>(r: reqwest::Response) -> T {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// The message of a refusal with `status`.
pub async fn refused(r: reqwest::Response, status: u16) -> String {
    let got = r.status().as_u16();
    let text = r.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str::<el_protocol::api::ApiError>(&text).map(|e| e.message).unwrap_or(text)
}
