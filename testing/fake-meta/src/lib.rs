//! A stand-in for Meta's Graph API, for tests, with notifications signed the way Meta
//! signs them (`X-Hub-Signature-256: sha256=` HMAC-SHA256 of the body with the app
//! secret) and scripted Graph API errors.
//!
//! - The WhatsApp Cloud API: phone numbers by access token (`GET /{phone-number-id}`),
//!   `POST /{phone-number-id}/messages` (which fetches an image's or document's `link`,
//!   as WhatsApp does), media ids and their download addresses for clients' files
//!   (<https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages>,
//!   <https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media>,
//!   <https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes>).
//! - The Messenger Platform for Facebook Pages and their Instagram accounts: `GET /me`
//!   with a page token (the page and its `instagram_business_account`), `GET /app`,
//!   `POST /{page-id}/subscribed_apps`, people's profiles (`GET /{psid}`), the Send API
//!   (`POST /{page-id}/messages`, which fetches an attachment's `payload.url`), and a CDN
//!   for clients' attachments
//!   (<https://developers.facebook.com/docs/messenger-platform/reference/send-api>,
//!   <https://developers.facebook.com/docs/graph-api/reference/page/subscribed_apps>,
//!   <https://developers.facebook.com/docs/messenger-platform/identity/user-profile>,
//!   <https://developers.facebook.com/docs/messenger-platform/error-codes>).

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
    /// The phone number id, or the page id.
    pub from: String,
    pub body: Value,
    pub succeeded: bool,
    /// For a file: what fetching its address gave (HTTP status, bytes).
    pub fetched: Option<(u16, usize)>,
    /// The id the fake gave the message it took (`wamid...`, `m_...`).
    pub id: Option<String>,
}

/// A Facebook Page the fake knows.
#[derive(Debug, Clone)]
struct Page {
    token: String,
    name: String,
    username: Option<String>,
    /// Its linked Instagram professional account: id and username.
    instagram: Option<(String, String)>,
}

/// The app every page token belongs to.
pub const APP_ID: &str = "1517776481860111";

#[derive(Default)]
struct Inner {
    /// Phone number id → (token, display number, verified name).
    numbers: HashMap<String, (String, String, String)>,
    media: HashMap<String, Vec<u8>>,
    pages: HashMap<String, Page>,
    /// Person id → profile fields.
    profiles: HashMap<String, Value>,
    /// Clients' attachments at `/cdn/{name}`.
    cdn: HashMap<String, Vec<u8>>,
    /// Pages subscribed to the app's webhooks, with the fields.
    subscribed: Vec<(String, String)>,
    /// Message templates as the business account lists them.
    templates: Vec<Value>,
    scripted: VecDeque<(u16, i64, i64, String)>,
    calls: Vec<Call>,
    next_id: u64,
    route: Option<(String, String)>,
    /// The fake's own address.
    base: String,
}

impl Inner {
    fn page_of_token(&self, token: &str) -> Option<(String, Page)> {
        self.pages.iter().find(|(_, p)| p.token == token).map(|(id, p)| (id.clone(), p.clone()))
    }

    fn resolve(&self, url: &str) -> String {
        match &self.route {
            Some((public, actual)) if url.starts_with(public.as_str()) => format!("{actual}{}", &url[public.len()..]),
            _ => url.to_string(),
        }
    }
}

type Shared = Arc<Mutex<Inner>>;

/// A running fake Graph API.
pub struct FakeMeta {
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
    error_with(status, code, 0, message)
}

fn error_with(status: u16, code: i64, subcode: i64, message: &str) -> Response {
    let mut body = json!({ "error": { "message": message, "type": "OAuthException", "code": code,
        "error_data": { "messaging_product": "whatsapp", "details": message }, "fbtrace_id": "AbCdEf" } });
    if subcode != 0 {
        body["error"]["error_subcode"] = json!(subcode);
    }
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

fn bearer(headers: &HeaderMap) -> String {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    auth.strip_prefix("Bearer ").unwrap_or_default().to_string()
}

impl FakeMeta {
    pub async fn start() -> FakeMeta {
        let inner: Shared = Arc::new(Mutex::new(Inner { next_id: 1000, ..Default::default() }));
        let app = Router::new()
            .route("/{id}", get(object))
            .route("/{id}/messages", post(messages))
            .route("/download/{id}", get(download))
            .route("/me", get(me))
            .route("/app", get(app))
            .route("/{id}/subscribed_apps", post(subscribe))
            .route("/cdn/{name}", get(cdn))
            .route("/{id}/message_templates", get(templates))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Graph API");
        let url = format!("http://{}", listener.local_addr().unwrap());
        inner.lock().unwrap().base = url.clone();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeMeta { url, inner }
    }

    /// A business number the fake knows, opened by `token`.
    pub fn add_number(&self, id: &str, token: &str, display: &str, name: &str) {
        self.inner.lock().unwrap().numbers.insert(id.into(), (token.into(), display.into(), name.into()));
    }

    /// A Facebook Page the fake knows, opened by `token`, with its linked Instagram
    /// account (id, username), if any.
    pub fn add_page(&self, id: &str, token: &str, name: &str, username: &str, instagram: Option<(&str, &str)>) {
        let page = Page {
            token: token.into(),
            name: name.into(),
            username: Some(username.to_string()).filter(|u| !u.is_empty()),
            instagram: instagram.map(|(id, u)| (id.to_string(), u.to_string())),
        };
        self.inner.lock().unwrap().pages.insert(id.into(), page);
    }

    /// A person's profile as pages may read it (`first_name`, `last_name`, or Instagram's
    /// `name`, `username`).
    pub fn add_profile(&self, id: &str, fields: Value) {
        self.inner.lock().unwrap().profiles.insert(id.into(), fields);
    }

    /// A client's attachment on Meta's CDN; answers its address.
    pub fn add_cdn_file(&self, name: &str, bytes: &[u8]) -> String {
        let mut inner = self.inner.lock().unwrap();
        inner.cdn.insert(name.into(), bytes.to_vec());
        format!("{}/cdn/{name}", inner.base)
    }

    /// A message template of the business accounts, as Meta lists it (`name`, `language`,
    /// `status`, `category`, `components`).
    pub fn add_template(&self, template: Value) {
        self.inner.lock().unwrap().templates.push(template);
    }

    /// The pages subscribed to the app's webhooks, with the fields.
    pub fn subscriptions(&self) -> Vec<(String, String)> {
        self.inner.lock().unwrap().subscribed.clone()
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
        self.fail_next_with(times, status, code, 0, message);
    }

    /// The next `times` message calls get a Graph API error with an `error_subcode`.
    pub fn fail_next_with(&self, times: usize, status: u16, code: i64, subcode: i64, message: &str) {
        let mut inner = self.inner.lock().unwrap();
        inner.scripted.extend(std::iter::repeat_n((status, code, subcode, message.to_string()), times));
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

/// The page a page token opens.
async fn me(State(inner): State<Shared>, headers: HeaderMap) -> Response {
    let Some((id, page)) = inner.lock().unwrap().page_of_token(&bearer(&headers)) else {
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token");
    };
    let mut body = json!({ "id": id, "name": page.name });
    if let Some(username) = page.username {
        body["username"] = json!(username);
    }
    if let Some((ig, username)) = page.instagram {
        body["instagram_business_account"] = json!({ "id": ig, "username": username, "name": page.name });
    }
    Json(body).into_response()
}

/// The app a token belongs to.
async fn app(State(inner): State<Shared>, headers: HeaderMap) -> Response {
    match inner.lock().unwrap().page_of_token(&bearer(&headers)) {
        Some(_) => {
            Json(json!({ "id": APP_ID, "name": "Shop inbox", "link": "https://www.facebook.com/games/?app_id=1" }))
                .into_response()
        }
        None => error(401, 190, "Invalid OAuth access token - Cannot parse access token"),
    }
}

/// Subscribes a page to the app's webhooks.
async fn subscribe(
    State(inner): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    match inner.page_of_token(&bearer(&headers)) {
        Some((page, _)) if page == id => {
            let fields = body["subscribed_fields"].as_str().unwrap_or_default().to_string();
            inner.subscribed.push((id, fields));
            Json(json!({ "success": true })).into_response()
        }
        Some(_) => error(400, 200, "(#200) The page token does not manage this page"),
        None => error(401, 190, "Invalid OAuth access token - Cannot parse access token"),
    }
}

/// The business account's message templates
/// (<https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates>).
async fn templates(State(inner): State<Shared>, headers: HeaderMap) -> Response {
    let inner = inner.lock().unwrap();
    if !inner.numbers.values().any(|(owner, ..)| *owner == bearer(&headers)) {
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    Json(json!({ "data": inner.templates, "paging": { "cursors": { "before": "MAZDZD", "after": "MjQZD" } } }))
        .into_response()
}

/// A client's attachment (Meta's CDN addresses open without a token).
async fn cdn(State(inner): State<Shared>, Path(name): Path<String>) -> Response {
    match inner.lock().unwrap().cdn.get(&name) {
        Some(bytes) => bytes.clone().into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A phone number's fields, a media file's download address, or a person's profile.
async fn object(State(inner): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let token = bearer(&headers);
    let inner = inner.lock().unwrap();
    if let Some(profile) = inner.profiles.get(&id) {
        return match inner.page_of_token(&token) {
            Some(_) => Json(profile.clone()).into_response(),
            None => error(401, 190, "Invalid OAuth access token - Cannot parse access token"),
        };
    }
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

/// What fetching a file's address gives: HTTP status and length (0 when unreachable).
async fn fetch(inner: &Shared, url: &str) -> (u16, usize) {
    let url = inner.lock().unwrap().resolve(url);
    match reqwest::get(&url).await {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.bytes().await.map(|b| b.len()).unwrap_or(0))
        }
        Err(_) => (0, 0),
    }
}

async fn messages(
    State(inner): State<Shared>,
    Path(from): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let is_page = inner.lock().unwrap().pages.contains_key(&from);
    if is_page {
        return page_message(inner, from, headers, body).await;
    }
    let token = bearer(&headers);
    let (owner, scripted) = {
        let mut inner = inner.lock().unwrap();
        let scripted = inner.scripted.pop_front();
        (inner.numbers.get(&from).map(|(t, ..)| t.clone()), scripted)
    };
    let kind = body["type"].as_str().unwrap_or_default().to_string();
    let link = body[&kind]["link"].as_str().map(str::to_string);
    let fetched = match &link {
        Some(link) => Some(fetch(&inner, link).await),
        None => None,
    };
    let to = body["to"].as_str().unwrap_or_default().to_string();
    let (response, wamid) = match (owner, scripted) {
        (Some(owner), _) if owner != token => (error(401, 190, "Invalid OAuth access token"), None),
        (None, _) => (error(400, 100, "Unsupported post request"), None),
        (_, Some((status, code, subcode, message))) => (error_with(status, code, subcode, &message), None),
        _ if body["messaging_product"] != "whatsapp" || to.is_empty() => {
            (error(400, 100, "The parameter messaging_product is required."), None)
        }
        _ if fetched.is_some_and(|(status, _)| status != 200) => {
            (error(400, 131053, "Media upload error: the link could not be downloaded"), None)
        }
        _ if kind == "template"
            && !inner.lock().unwrap().templates.iter().any(|t| t["name"] == body["template"]["name"]) =>
        {
            (error(404, 132001, "Template name does not exist in the translation"), None)
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
    inner.lock().unwrap().calls.push(Call { token, from, body, succeeded, fetched, id: wamid });
    response
}

/// The Send API: a page's message to a person (Messenger or Instagram).
async fn page_message(inner: Shared, page: String, headers: HeaderMap, body: Value) -> Response {
    let token = bearer(&headers);
    let (owner, scripted) = {
        let mut inner = inner.lock().unwrap();
        let scripted = inner.scripted.pop_front();
        (inner.pages.get(&page).map(|p| p.token.clone()), scripted)
    };
    let url = body.pointer("/message/attachment/payload/url").and_then(Value::as_str).map(str::to_string);
    let fetched = match &url {
        Some(url) => Some(fetch(&inner, url).await),
        None => None,
    };
    let to = body.pointer("/recipient/id").and_then(Value::as_str).unwrap_or_default().to_string();
    let has_message = body.pointer("/message/text").is_some() || url.is_some();
    let (response, id) = match scripted {
        _ if owner.as_deref() != Some(token.as_str()) => (error(401, 190, "Invalid OAuth access token"), None),
        Some((status, code, subcode, message)) => (error_with(status, code, subcode, &message), None),
        None if to.is_empty() || !has_message || body["messaging_type"] != "RESPONSE" => {
            (error(400, 100, "(#100) The parameter recipient is required"), None)
        }
        None if fetched.is_some_and(|(status, _)| status != 200) => {
            (error(400, 100, "(#100) Failed to fetch the file from the url"), None)
        }
        None => {
            let mut inner = inner.lock().unwrap();
            inner.next_id += 1;
            let mid =
                format!("m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_{}", inner.next_id);
            (Json(json!({ "recipient_id": to, "message_id": mid })).into_response(), Some(mid))
        }
    };
    let succeeded = id.is_some();
    inner.lock().unwrap().calls.push(Call { token, from: page, body, succeeded, fetched, id });
    response
}
