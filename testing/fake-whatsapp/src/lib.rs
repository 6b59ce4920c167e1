//! A stand-in for the WhatsApp Cloud API on Meta's Graph API, for tests: phone numbers
//! by access token (`GET /{phone-number-id}`), `POST /{phone-number-id}/messages` (which
//! fetches an image's or document's `link`, as WhatsApp does), media ids and their
//! download addresses for clients' files, scripted Graph API errors, and notifications
//! signed the way Meta signs them (`X-Hub-Signature-256: sha256=` HMAC-SHA256 of the body
//! with the app secret). The shapes follow the Cloud API reference:
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages>,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media>,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes>.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `messages` call the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    pub token: String,
    pub from: String,
    pub body: Value,
    pub succeeded: bool,
    /// For an image or a document: what fetching its `link` gave (HTTP status, bytes).
    pub fetched: Option<(u16, usize)>,
    /// The id the fake gave the message it took.
    pub wamid: Option<String>,
}

#[derive(Default)]
struct Inner {
    /// Phone number id → (token, display number, verified name).
    numbers: HashMap<String, (String, String, String)>,
    media: HashMap<String, Vec<u8>>,
    scripted: VecDeque<(u16, i64, String)>,
    calls: Vec<Call>,
    next_id: u64,
    route: Option<(String, String)>,
    /// The fake's own address.
    base: String,
}

impl Inner {
    fn resolve(&self, url: &str) -> String {
        match &self.route {
            Some((public, actual)) if url.starts_with(public.as_str()) => format!("{actual}{}", &url[public.len()..]),
            _ => url.to_string(),
        }
    }
}

type Shared = Arc<Mutex<Inner>>;

/// A running fake Graph API.
pub struct FakeWhatsApp {
    /// Its base URL, for the server's `--graph-api`.
    pub url: String,
    inner: Shared,
}

/// Meta's signature header value for `body` with `app_secret`.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn error(status: u16, code: i64, message: &str) -> Response {
    let body = json!({ "error": { "message": message, "type": "OAuthException", "code": code,
        "error_data": { "messaging_product": "whatsapp", "details": message }, "fbtrace_id": "AbCdEf" } });
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

fn bearer(headers: &HeaderMap) -> String {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    auth.strip_prefix("Bearer ").unwrap_or_default().to_string()
}

impl FakeWhatsApp {
    pub async fn start() -> FakeWhatsApp {
        let inner: Shared = Arc::new(Mutex::new(Inner { next_id: 1000, ..Default::default() }));
        let app = Router::new()
            .route("/{id}", get(object))
            .route("/{id}/messages", post(messages))
            .route("/download/{id}", get(download))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Graph API");
        let url = format!("http://{}", listener.local_addr().unwrap());
        inner.lock().unwrap().base = url.clone();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeWhatsApp { url, inner }
    }

    /// A business number the fake knows, opened by `token`.
    pub fn add_number(&self, id: &str, token: &str, display: &str, name: &str) {
        self.inner.lock().unwrap().numbers.insert(id.into(), (token.into(), display.into(), name.into()));
    }

    /// Addresses under `public` lead to `actual` (the server under test).
    pub fn reach(&self, public: &str, actual: &str) {
        self.inner.lock().unwrap().route = Some((public.to_string(), actual.to_string()));
    }

    /// A client's media file; answers its id.
    pub fn add_media(&self, id: &str, bytes: &[u8]) {
        self.inner.lock().unwrap().media.insert(id.into(), bytes.to_vec());
    }

    /// The next `times` message calls get a Graph API error.
    pub fn fail_next(&self, times: usize, status: u16, code: i64, message: &str) {
        let mut inner = self.inner.lock().unwrap();
        inner.scripted.extend(std::iter::repeat_n((status, code, message.to_string()), times));
    }

    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().unwrap().calls.clone()
    }

    /// Waits until `count` messages were taken; panics after 15 s.
    pub async fn wait_for_sent(&self, count: usize) -> Vec<Call> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let sent: Vec<Call> = self.calls().into_iter().filter(|c| c.succeeded).collect();
            if sent.len() >= count {
                return sent;
            }
            assert!(Instant::now() < deadline, "{} messages sent, expected {count}", sent.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Posts `notification` to `url` (a public address) signed with `app_secret`;
    /// answers the HTTP status.
    pub async fn deliver(&self, url: &str, app_secret: &str, notification: &Value) -> u16 {
        let url = self.inner.lock().unwrap().resolve(url);
        let body = serde_json::to_vec(notification).unwrap();
        let response = reqwest::Client::new()
            .post(url)
            .header("X-Hub-Signature-256", sign(app_secret, &body))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the webhook answers");
        response.status().as_u16()
    }
}

/// A phone number's fields, or a media file's download address.
async fn object(State(inner): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let token = bearer(&headers);
    let inner = inner.lock().unwrap();
    if let Some((owner, display, name)) = inner.numbers.get(&id) {
        if *owner != token {
            return error(401, 190, "Invalid OAuth access token - Cannot parse access token");
        }
        return Json(json!({ "id": id, "display_phone_number": display, "verified_name": name,
            "quality_rating": "GREEN", "code_verification_status": "VERIFIED" }))
        .into_response();
    }
    if !inner.numbers.values().any(|(owner, ..)| *owner == token) {
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    match inner.media.get(&id) {
        Some(bytes) => {
            let url = format!("{}/download/{id}", inner.base);
            Json(json!({ "messaging_product": "whatsapp", "url": url, "mime_type": "application/octet-stream",
                "sha256": "x", "file_size": bytes.len(), "id": id }))
            .into_response()
        }
        None => error(400, 100, "Unsupported get request. Object with ID does not exist"),
    }
}

async fn download(State(inner): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let inner = inner.lock().unwrap();
    let allowed = inner.numbers.values().any(|(owner, ..)| *owner == bearer(&headers));
    match (allowed, inner.media.get(&id)) {
        (true, Some(bytes)) => bytes.clone().into_response(),
        (false, _) => StatusCode::UNAUTHORIZED.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn messages(
    State(inner): State<Shared>,
    Path(from): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let token = bearer(&headers);
    let (owner, scripted) = {
        let mut inner = inner.lock().unwrap();
        let scripted = inner.scripted.pop_front();
        (inner.numbers.get(&from).map(|(t, ..)| t.clone()), scripted)
    };
    let kind = body["type"].as_str().unwrap_or_default().to_string();
    let link = body[&kind]["link"].as_str().map(str::to_string);
    let mut fetched = None;
    if let Some(link) = &link {
        let link = inner.lock().unwrap().resolve(link);
        fetched = Some(match reqwest::get(&link).await {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.bytes().await.map(|b| b.len()).unwrap_or(0))
            }
            Err(_) => (0, 0),
        });
    }
    let to = body["to"].as_str().unwrap_or_default().to_string();
    let (response, wamid) = match (owner, scripted) {
        (Some(owner), _) if owner != token => (error(401, 190, "Invalid OAuth access token"), None),
        (None, _) => (error(400, 100, "Unsupported post request"), None),
        (_, Some((status, code, message))) => (error(status, code, &message), None),
        _ if body["messaging_product"] != "whatsapp" || to.is_empty() => {
            (error(400, 100, "The parameter messaging_product is required."), None)
        }
        _ if fetched.is_some_and(|(status, _)| status != 200) => {
            (error(400, 131053, "Media upload error: the link could not be downloaded"), None)
        }
        _ => {
            let mut inner = inner.lock().unwrap();
            inner.next_id += 1;
            let wamid = format!("wamid.HBgLMTYzMTU1NTExODEVAgARGBI{}", inner.next_id);
            let answer = json!({ "messaging_product": "whatsapp", "contacts": [{ "input": to, "wa_id": to }],
                "messages": [{ "id": wamid }] });
            (Json(answer).into_response(), Some(wamid))
        }
    };
    let succeeded = wamid.is_some();
    inner.lock().unwrap().calls.push(Call { token, from, body, succeeded, fetched, wamid });
    response
}
