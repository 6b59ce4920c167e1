//! A stand-in for the Telegram Bot API, for tests: bots by token, `getMe`,
//! `setWebhook`, `deleteWebhook`, `getFile` and file downloads, `sendMessage`,
//! `sendPhoto`, `sendDocument`. It records every call, and answers with scripted
//! failures (429 with `retry_after`, 5xx, 403...) when a test asks for them.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A call the fake received: which bot, which method, and its parameters (for a
/// multipart upload, a file field is `{"file_name", "content_type", "size"}`).
#[derive(Debug, Clone)]
pub struct Call {
    pub token: String,
    pub method: String,
    pub params: Value,
    /// Whether the fake answered it with success.
    pub succeeded: bool,
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// `ok: false` with this status and description.
    Error { status: u16, description: String, retry_after: Option<u64> },
    /// Something that is not the Bot API (a proxy's error page).
    Garbage(u16),
}

impl Reply {
    pub fn too_many_requests(retry_after: u64) -> Reply {
        Reply::Error {
            status: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    pub fn server_error() -> Reply {
        Reply::Error { status: 500, description: "Internal Server Error".into(), retry_after: None }
    }

    pub fn blocked() -> Reply {
        Reply::Error { status: 403, description: "Forbidden: bot was blocked by the user".into(), retry_after: None }
    }
}

#[derive(Default)]
struct Inner {
    bots: HashMap<String, Value>,
    files: HashMap<String, Vec<u8>>,
    scripted: HashMap<String, VecDeque<Reply>>,
    failing: HashMap<String, Reply>,
    calls: Vec<Call>,
    next_message_id: i64,
    /// Each bot's webhook URL, as last set.
    webhooks: HashMap<String, String>,
    /// Why Telegram's deliveries to webhooks fail, if they do.
    delivery_error: Option<String>,
}

type Shared = Arc<Mutex<Inner>>;

/// A running fake Bot API.
pub struct FakeTelegram {
    /// Its base URL (`http://127.0.0.1:port`), for the server's `--telegram-api`.
    pub url: String,
    inner: Shared,
}

impl FakeTelegram {
    pub async fn start() -> FakeTelegram {
        let inner: Shared = Arc::new(Mutex::new(Inner { next_message_id: 1000, ..Default::default() }));
        let app = Router::new()
            .route("/{bot}/{method}", post(method).get(method))
            .route("/file/{bot}/{*path}", get(file))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Bot API");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeTelegram { url, inner }
    }

    /// A bot the fake knows by `token`.
    pub fn add_bot(&self, token: &str, id: i64, first_name: &str, username: &str) {
        let user = json!({ "id": id, "is_bot": true, "first_name": first_name, "username": username });
        self.inner.lock().unwrap().bots.insert(token.to_string(), user);
    }

    /// Forgets a bot (its token was revoked).
    pub fn revoke(&self, token: &str) {
        self.inner.lock().unwrap().bots.remove(token);
    }

    /// A file clients' updates can name by `file_id`.
    pub fn add_file(&self, file_id: &str, bytes: &[u8]) {
        self.inner.lock().unwrap().files.insert(file_id.to_string(), bytes.to_vec());
    }

    /// The next `times` calls of `method` get `reply`.
    pub fn fail_next(&self, method: &str, times: usize, reply: Reply) {
        let mut inner = self.inner.lock().unwrap();
        let queue = inner.scripted.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(reply, times));
    }

    /// Every call of `method` gets `reply` until [`FakeTelegram::recover`].
    pub fn fail_always(&self, method: &str, reply: Reply) {
        self.inner.lock().unwrap().failing.insert(method.to_string(), reply);
    }

    /// `method` works again.
    pub fn recover(&self, method: &str) {
        self.inner.lock().unwrap().failing.remove(method);
    }

    /// Telegram's deliveries to the webhooks fail with `why` (as when the public
    /// address is wrong), or work again with `None`: `getWebhookInfo` reports it.
    pub fn fail_deliveries(&self, why: Option<&str>) {
        self.inner.lock().unwrap().delivery_error = why.map(str::to_string);
    }

    /// Another server takes the bot's webhook.
    pub fn take_webhook(&self, token: &str, url: &str) {
        self.inner.lock().unwrap().webhooks.insert(token.to_string(), url.to_string());
    }

    /// The calls of `method` so far, oldest first.
    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.inner.lock().unwrap().calls.iter().filter(|c| c.method == method).cloned().collect()
    }

    /// Waits until `method` was called successfully `count` times; panics after 15 s.
    pub async fn wait_for_sent(&self, method: &str, count: usize) -> Vec<Call> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let sent: Vec<Call> = self.calls(method).into_iter().filter(|c| c.succeeded).collect();
            if sent.len() >= count {
                return sent;
            }
            assert!(Instant::now() < deadline, "{method} was sent {} times, expected {count}", sent.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until `method` was called (successfully or not) `count` times.
    pub async fn wait_for_calls(&self, method: &str, count: usize) -> Vec<Call> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let calls = self.calls(method);
            if calls.len() >= count {
                return calls;
            }
            assert!(Instant::now() < deadline, "{method} was called {} times, expected {count}", calls.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn error(status: u16, description: &str, retry_after: Option<u64>) -> Response {
    let mut body = json!({ "ok": false, "error_code": status, "description": description });
    if let Some(s) = retry_after {
        body["parameters"] = json!({ "retry_after": s });
    }
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

fn ok(result: Value) -> Response {
    Json(json!({ "ok": true, "result": result })).into_response()
}

/// The parameters of a call, from JSON, a form, or multipart.
async fn params(request: Request) -> Value {
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if content_type.starts_with("multipart/form-data") {
        let mut form = serde_json::Map::new();
        let Ok(mut multipart) = Multipart::from_request(request, &()).await else { return Value::Null };
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.name().unwrap_or_default().to_string();
            let (file_name, ct) = (field.file_name().map(str::to_string), field.content_type().map(str::to_string));
            let bytes = field.bytes().await.unwrap_or_default();
            let value = match file_name {
                Some(f) => json!({ "file_name": f, "content_type": ct, "size": bytes.len() }),
                None => Value::String(String::from_utf8_lossy(&bytes).into_owned()),
            };
            form.insert(name, value);
        }
        return Value::Object(form);
    }
    let bytes = Bytes::from_request(request, &()).await.unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

async fn method(
    State(inner): State<Shared>,
    Path((bot, method)): Path<(String, String)>,
    request: Request,
) -> Response {
    let params = params(request).await;
    let token = bot.strip_prefix("bot").unwrap_or_default().to_string();
    let mut inner = inner.lock().unwrap();
    let known = inner.bots.get(&token).cloned();
    let scripted =
        inner.scripted.get_mut(&method).and_then(VecDeque::pop_front).or_else(|| inner.failing.get(&method).cloned());
    let response = match (known, scripted) {
        (None, _) => error(401, "Unauthorized", None),
        (Some(_), Some(Reply::Error { status, description, retry_after })) => error(status, &description, retry_after),
        (Some(_), Some(Reply::Garbage(status))) => {
            (StatusCode::from_u16(status).unwrap(), "<html>Bad Gateway</html>").into_response()
        }
        (Some(me), None) => match method.as_str() {
            "getMe" => ok(me),
            "setWebhook" => {
                let url = params["url"].as_str().unwrap_or_default().to_string();
                inner.webhooks.insert(token.clone(), url);
                ok(json!(true))
            }
            "deleteWebhook" => {
                inner.webhooks.remove(&token);
                ok(json!(true))
            }
            "getWebhookInfo" => {
                let url = inner.webhooks.get(&token).cloned().unwrap_or_default();
                let mut info = json!({ "url": url, "has_custom_certificate": false, "pending_update_count": 0 });
                if let Some(why) = &inner.delivery_error {
                    info["pending_update_count"] = json!(3);
                    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
                    info["last_error_date"] = json!(now.as_secs());
                    info["last_error_message"] = json!(why);
                }
                ok(info)
            }
            "getFile" => {
                let id = params["file_id"].as_str().unwrap_or_default().to_string();
                match inner.files.get(&id) {
                    Some(bytes) => ok(json!({
                        "file_id": id, "file_unique_id": format!("u{id}"), "file_size": bytes.len(),
                        "file_path": format!("documents/{id}")
                    })),
                    None => error(400, "Bad Request: invalid file_id", None),
                }
            }
            "sendMessage" | "sendPhoto" | "sendDocument" => {
                inner.next_message_id += 1;
                let chat: i64 =
                    params["chat_id"].as_str().and_then(|s| s.parse().ok()).or(params["chat_id"].as_i64()).unwrap_or(0);
                ok(json!({
                    "message_id": inner.next_message_id, "date": 1_700_000_000,
                    "chat": { "id": chat, "type": "private" }
                }))
            }
            _ => error(404, "Not Found: method not found", None),
        },
    };
    let succeeded = response.status().is_success();
    inner.calls.push(Call { token, method, params, succeeded });
    response
}

async fn file(State(inner): State<Shared>, Path((bot, path)): Path<(String, String)>) -> Response {
    let inner = inner.lock().unwrap();
    let token = bot.strip_prefix("bot").unwrap_or_default();
    let id = path.strip_prefix("documents/").unwrap_or_default();
    match (inner.bots.contains_key(token), inner.files.get(id)) {
        (true, Some(bytes)) => bytes.clone().into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
