//! A stand-in for Viber's REST bot API, for tests: bots by token, `get_account_info`,
//! `set_webhook` (which checks the address with a signed `webhook` callback, as Viber
//! does), `send_message` (which fetches a picture's or file's `media` address, as
//! Viber does), and media addresses for clients' files. It records every call, answers
//! with scripted statuses (12 tooManyRequests, 6 receiverNotSubscribed...) when a test
//! asks, and signs callbacks the way Viber does (`X-Viber-Content-Signature`, HMAC-SHA256
//! of the body with the token). The answers' shapes follow the REST bot API's
//! documentation: <https://developers.viber.com/docs/api/rest-bot-api/>.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A call the fake received: which bot, which method, and its body.
#[derive(Debug, Clone)]
pub struct Call {
    pub token: String,
    pub method: String,
    pub params: Value,
    /// Whether the fake answered it with status 0.
    pub succeeded: bool,
    /// For a picture or a file: what fetching its `media` address gave (HTTP status, bytes).
    pub fetched: Option<(u16, usize)>,
    /// The token the fake gave the message it took.
    pub message_token: Option<u64>,
}

/// A bot the fake knows.
#[derive(Debug, Clone)]
struct Account {
    id: String,
    name: String,
    uri: String,
    webhook: String,
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<String, Account>,
    media: HashMap<String, Vec<u8>>,
    /// Scripted answers per method: (status, status_message).
    scripted: HashMap<String, VecDeque<(i64, String)>>,
    unsubscribed: HashSet<String>,
    calls: Vec<Call>,
    next_token: u64,
    /// Where a public address really leads: (its start, what replaces it).
    route: Option<(String, String)>,
}

impl Inner {
    /// The address the fake actually calls for `url`.
    fn resolve(&self, url: &str) -> String {
        match &self.route {
            Some((public, actual)) if url.starts_with(public.as_str()) => format!("{actual}{}", &url[public.len()..]),
            _ => url.to_string(),
        }
    }
}

type Shared = Arc<Mutex<Inner>>;

/// A running fake REST bot API.
pub struct FakeViber {
    /// Its base URL (`http://127.0.0.1:port`), for the server's `--viber-api`.
    pub url: String,
    inner: Shared,
    http: reqwest::Client,
}

/// The signature of `body` for a bot with `token`, as Viber computes it.
pub fn sign(token: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl FakeViber {
    pub async fn start() -> FakeViber {
        let inner: Shared = Arc::new(Mutex::new(Inner { next_token: 5_000_000_000_000_000_000, ..Default::default() }));
        let app = Router::new()
            .route("/pa/{method}", post(method))
            .route("/media/{name}", get(media))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Viber API");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeViber { url, inner, http: reqwest::Client::new() }
    }

    /// Addresses under `public` lead to `actual` (the server under test, which is not
    /// really at its public address).
    pub fn reach(&self, public: &str, actual: &str) {
        self.inner.lock().unwrap().route = Some((public.to_string(), actual.to_string()));
    }

    /// A bot the fake knows by `token`.
    pub fn add_bot(&self, token: &str, id: &str, name: &str, uri: &str) {
        let account = Account { id: id.into(), name: name.into(), uri: uri.into(), webhook: String::new() };
        self.inner.lock().unwrap().accounts.insert(token.to_string(), account);
    }

    /// Forgets a bot (its token was changed).
    pub fn revoke(&self, token: &str) {
        self.inner.lock().unwrap().accounts.remove(token);
    }

    /// Another server takes the bot's webhook.
    pub fn take_webhook(&self, token: &str, url: &str) {
        if let Some(a) = self.inner.lock().unwrap().accounts.get_mut(token) {
            a.webhook = url.to_string();
        }
    }

    /// The bot's webhook address, as last set.
    pub fn webhook(&self, token: &str) -> String {
        self.inner.lock().unwrap().accounts.get(token).map(|a| a.webhook.clone()).unwrap_or_default()
    }

    /// A client's file at a media address of the fake; answers the address.
    pub fn host_media(&self, name: &str, bytes: &[u8]) -> String {
        self.inner.lock().unwrap().media.insert(name.to_string(), bytes.to_vec());
        format!("{}/media/{name}", self.url)
    }

    /// The next `times` calls of `method` get `status` with `message`.
    pub fn fail_next(&self, method: &str, times: usize, status: i64, message: &str) {
        let mut inner = self.inner.lock().unwrap();
        let queue = inner.scripted.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n((status, message.to_string()), times));
    }

    /// Messages to `user` are refused as to someone unsubscribed (status 6).
    pub fn unsubscribe(&self, user: &str) {
        self.inner.lock().unwrap().unsubscribed.insert(user.to_string());
    }

    /// The calls of `method` so far, oldest first.
    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.inner.lock().unwrap().calls.iter().filter(|c| c.method == method).cloned().collect()
    }

    /// Waits until `send_message` succeeded `count` times; panics after 15 s.
    pub async fn wait_for_sent(&self, count: usize) -> Vec<Call> {
        self.wait(count, true).await
    }

    /// Waits until `send_message` was called (successfully or not) `count` times.
    pub async fn wait_for_calls(&self, count: usize) -> Vec<Call> {
        self.wait(count, false).await
    }

    async fn wait(&self, count: usize, only_sent: bool) -> Vec<Call> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let calls: Vec<Call> =
                self.calls("send_message").into_iter().filter(|c| c.succeeded || !only_sent).collect();
            if calls.len() >= count {
                return calls;
            }
            assert!(Instant::now() < deadline, "send_message: {} calls, expected {count}", calls.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Posts `callback` to the bot's webhook signed with `token` (a wrong token forges
    /// it); answers the HTTP status.
    pub async fn deliver(&self, token: &str, signed_with: &str, callback: &Value) -> u16 {
        let url = self.webhook(token);
        assert!(!url.is_empty(), "the bot has no webhook");
        let url = self.inner.lock().unwrap().resolve(&url);
        let body = serde_json::to_vec(callback).unwrap();
        let response = self
            .http
            .post(url)
            .header("X-Viber-Content-Signature", sign(signed_with, &body))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the webhook answers");
        response.status().as_u16()
    }
}

/// Viber answers HTTP 200 with its status in the body.
fn answer(status: i64, message: &str, mut extra: Value) -> Json<Value> {
    extra["status"] = json!(status);
    extra["status_message"] = json!(message);
    Json(extra)
}

async fn method(State(inner): State<Shared>, Path(method): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let token = headers.get("x-viber-auth-token").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (account, scripted) = {
        let mut inner = inner.lock().unwrap();
        let scripted = inner.scripted.get_mut(&method).and_then(VecDeque::pop_front);
        (inner.accounts.get(&token).cloned(), scripted)
    };
    let mut fetched = None;
    let response = match (account, scripted) {
        (None, _) => answer(2, "invalidAuthToken", json!({})),
        (Some(_), Some((status, message))) => answer(status, &message, json!({})),
        (Some(account), None) => match method.as_str() {
            "get_account_info" => answer(
                0,
                "ok",
                json!({
                    "id": account.id, "name": account.name, "uri": account.uri,
                    "icon": "http://example.com", "background": "http://example.com",
                    "category": "category", "subcategory": "sub category",
                    "location": {"lon": 0.1, "lat": 0.2}, "country": "UK",
                    "webhook": account.webhook,
                    "event_types": ["delivered", "seen"], "subscribers_count": 35,
                    "members": [{"id": "01234567890A=", "name": "my name", "avatar": "http://example.com", "role": "admin"}]
                }),
            ),
            "set_webhook" => set_webhook(&inner, &token, &params).await,
            "send_message" => {
                let receiver = params["receiver"].as_str().unwrap_or_default().to_string();
                let sender = params["sender"]["name"].as_str().unwrap_or_default();
                let unsubscribed = inner.lock().unwrap().unsubscribed.contains(&receiver);
                if let Some(media) = params["media"].as_str() {
                    let media = inner.lock().unwrap().resolve(media);
                    fetched = Some(fetch(&media).await);
                }
                match () {
                    _ if receiver.is_empty() || sender.is_empty() || sender.chars().count() > 28 => {
                        answer(3, "badData", json!({}))
                    }
                    _ if unsubscribed => answer(6, "receiverNotSubscribed", json!({})),
                    _ if fetched.is_some_and(|(status, _)| status != 200) => answer(3, "badData", json!({})),
                    _ => {
                        let mut inner = inner.lock().unwrap();
                        inner.next_token += 1;
                        answer(0, "ok", json!({ "message_token": inner.next_token, "chat_hostname": "SN-CHAT-05_" }))
                    }
                }
            }
            _ => answer(3, "badData", json!({})),
        },
    };
    let succeeded = response.0["status"] == json!(0);
    let message_token = response.0["message_token"].as_u64();
    inner.lock().unwrap().calls.push(Call { token, method, params, succeeded, fetched, message_token });
    response.into_response()
}

/// Checks the address with a signed `webhook` callback, as Viber does, then keeps it.
async fn set_webhook(inner: &Shared, token: &str, params: &Value) -> Json<Value> {
    let url = params["url"].as_str().unwrap_or_default().to_string();
    if !url.is_empty() {
        let body = serde_json::to_vec(&json!({
            "event": "webhook", "timestamp": 1457764197627u64, "chat_hostname": "SN-376_", "message_token": 241256543215u64
        }))
        .unwrap();
        let actual = inner.lock().unwrap().resolve(&url);
        let checked = reqwest::Client::new()
            .post(actual)
            .header("X-Viber-Content-Signature", sign(token, &body))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await;
        if !checked.is_ok_and(|r| r.status() == 200) {
            return answer(1, "invalidUrl", json!({}));
        }
    }
    if let Some(a) = inner.lock().unwrap().accounts.get_mut(token) {
        a.webhook = url;
    }
    answer(0, "ok", json!({ "event_types": params["event_types"] }))
}

/// Fetches a `media` address as Viber would.
async fn fetch(url: &str) -> (u16, usize) {
    match reqwest::get(url).await {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.bytes().await.map(|b| b.len()).unwrap_or(0))
        }
        Err(_) => (0, 0),
    }
}

async fn media(State(inner): State<Shared>, Path(name): Path<String>) -> Response {
    match inner.lock().unwrap().media.get(&name) {
        Some(bytes) => bytes.clone().into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
