//! A demo host for embedding (`--embed-demo-port`): a small "Space CRM" on a second
//! origin whose lead card shows our dialog block, External lines field and chat, built
//! only on the documented embedding API. Its backend holds an API key of its own (made
//! anew on each start, the previous demo key revoked) and asks our server for embed
//! sessions over HTTP, as a real host's backend would. On first use it makes a sample:
//! a website client who wrote, answered by the administrator, and a lead from the chat.

use crate::db::now_ms;
use crate::demo::DEMO_WIDGET_KEY;
use crate::embed::store as keys;
use crate::error::{AppError, AppResult};
use crate::tokens::new_token;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use el_protocol::api::{DialogSummary, InboxSnapshot, WidgetHello, WidgetSession};
use el_protocol::crm::{Connections, Linked, RecordList};
use el_protocol::embed::{ApiKeyInput, EmbedSession, EmbedSessionRequest};
use el_protocol::UserId;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// The demo key's name (keys of this name are revoked when a new demo starts).
const KEY_NAME: &str = "Space CRM demo";
/// The sample client and the lead made of their chat.
const SAMPLE_CLIENT: &str = "Olena Petrenko";
/// Who may be chosen on the demo page.
const LOGINS: [&str; 5] = ["anna", "bob", "carol", "erin", "admin"];

/// What the demo host's routes share.
#[derive(Clone)]
struct Host {
    /// Our server, as the demo's backend reaches it.
    lines: String,
    /// Our server's port, for the address the browser imports from.
    lines_port: u16,
    /// Our server's base path (under which `/embed/lines.js` is).
    base_path: String,
    secret: Arc<String>,
    http: reqwest::Client,
}

/// Starts the demo host on `port` beside our server at `lines` (its bound address).
pub async fn start(state: &AppState, lines: SocketAddr, port: u16) -> AppResult<SocketAddr> {
    let listener = tokio::net::TcpListener::bind((state.config.host, port))
        .await
        .map_err(|e| AppError::Internal(format!("cannot listen on port {port} for the embed demo: {e}")))?;
    let addr = listener.local_addr().map_err(|e| AppError::Internal(e.to_string()))?;
    let origins = vec![format!("http://127.0.0.1:{}", addr.port()), format!("http://localhost:{}", addr.port())];
    let (secret, hint, hash) = crate::embed::new_secret();
    state
        .db
        .transaction(move |tx| {
            let now = now_ms();
            for old in keys::keys(tx)?.into_iter().filter(|k| k.name == KEY_NAME && k.revoked_at.is_none()) {
                keys::revoke(tx, old.id, now)?;
            }
            let admin: i64 =
                tx.query_row("SELECT id FROM users WHERE is_admin = 1 ORDER BY id LIMIT 1", [], |r| r.get(0))?;
            let input = ApiKeyInput { name: KEY_NAME.into(), origins };
            keys::insert(tx, &input, &hash, &hint, UserId(admin), now)
        })
        .await?;
    state.hub.rights_changed();
    let host = Host {
        lines: format!("http://127.0.0.1:{}{}", lines.port(), state.config.base_path),
        lines_port: lines.port(),
        base_path: state.config.base_path.clone(),
        secret: Arc::new(secret),
        http: reqwest::Client::new(),
    };
    let router = Router::new()
        .route("/", get(page))
        .route("/session", get(session))
        .route("/sample", get(sample))
        .with_state(host);
    let mut closing = state.hub.closing();
    tokio::spawn(async move {
        let stop = async move {
            let _ = closing.changed().await;
        };
        if let Err(e) = axum::serve(listener, router).with_graceful_shutdown(stop).await {
            tracing::error!(error = %e, "the embed demo stopped");
        }
    });
    Ok(addr)
}

#[derive(Deserialize)]
struct LoginQuery {
    login: Option<String>,
}

fn demo_login(q: &LoginQuery) -> &'static str {
    LOGINS.into_iter().find(|l| Some(*l) == q.login.as_deref()).unwrap_or("anna")
}

impl Host {
    /// An embed session for `login`, as the host's backend asks for it.
    async fn embed_session(&self, login: &str) -> AppResult<EmbedSession> {
        let body = EmbedSessionRequest { login: login.into(), seconds: None };
        let response = self
            .http
            .post(format!("{}/api/embed/sessions", self.lines))
            .bearer_auth(self.secret.as_str())
            .json(&body)
            .send()
            .await
            .map_err(|e| AppError::BadGateway(format!("External Lines is not reachable: {e}")))?;
        decode(response).await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        request: reqwest::RequestBuilder,
    ) -> AppResult<T> {
        let response = request
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| AppError::BadGateway(format!("External Lines is not reachable: {e}")))?;
        decode(response).await
    }

    /// The sample lead's id, made on first use through the API: the client writes on
    /// the website, the administrator answers, and a lead is made from the chat.
    async fn sample_lead(&self) -> AppResult<i64> {
        let admin = self.embed_session("admin").await?.token;
        let url = |path: &str| format!("{}{path}", self.lines);
        let found: RecordList =
            self.call(&admin, self.http.get(url("/api/crm/leads")).query(&[("q", SAMPLE_CLIENT)])).await?;
        if let Some(lead) = found.records.first() {
            return Ok(lead.id.0);
        }
        let hello = WidgetHello { channel: DEMO_WIDGET_KEY.into(), name: Some(SAMPLE_CLIENT.into()), known: None };
        let visitor: WidgetSession =
            decode(self.http.post(url("/api/widget/session")).json(&hello).send().await.map_err(unreachable)?).await?;
        let text = "Hello! Do you have sunflower seeds for a balcony garden?";
        let message = serde_json::json!({ "text": text, "client_msg_id": new_token() });
        let _: serde_json::Value =
            self.call(&visitor.token, self.http.post(url("/api/widget/messages")).json(&message)).await?;
        let inbox: InboxSnapshot = self.call(&admin, self.http.get(url("/api/dialogs"))).await?;
        let dialog: &DialogSummary = inbox
            .dialogs()
            .find(|d| d.client_name == SAMPLE_CLIENT)
            .ok_or_else(|| AppError::Internal("the sample dialog did not appear".into()))?;
        let dialog = dialog.id;
        let _: serde_json::Value =
            self.call(&admin, self.http.post(url(&format!("/api/dialogs/{dialog}/reply"))).json(&())).await?;
        let answer =
            serde_json::json!({ "text": "Yes, **three kinds**. Which would you like?", "client_msg_id": new_token() });
        let path = format!("/api/dialogs/{dialog}/messages");
        let _: serde_json::Value = self.call(&admin, self.http.post(url(&path)).json(&answer)).await?;
        let lead = format!("/api/dialogs/{dialog}/crm/lead");
        let connections: Connections = self.call(&admin, self.http.post(url(&lead)).json(&())).await?;
        connections
            .linked
            .into_iter()
            .find_map(|l| match l {
                Linked::Shown { record } => Some(record.id.0),
                Linked::Hidden { .. } => None,
            })
            .ok_or_else(|| AppError::Internal("the sample lead was not made".into()))
    }
}

fn unreachable(e: reqwest::Error) -> AppError {
    AppError::BadGateway(format!("External Lines is not reachable: {e}"))
}

async fn decode<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> AppResult<T> {
    let status = response.status();
    let text = response.text().await.map_err(unreachable)?;
    if !status.is_success() {
        let message = serde_json::from_str::<el_protocol::api::ApiError>(&text).map_or(text, |e| e.message);
        return Err(AppError::BadGateway(format!("External Lines answered {status}: {message}")));
    }
    serde_json::from_str(&text).map_err(|e| AppError::BadGateway(format!("an answer the demo cannot read: {e}")))
}

/// `GET /session?login=anna`: the host's backend hands its page an embed session.
async fn session(State(host): State<Host>, Query(q): Query<LoginQuery>) -> AppResult<Json<EmbedSession>> {
    Ok(Json(host.embed_session(demo_login(&q)).await?))
}

/// `GET /sample`: the sample lead's id, made when missing.
async fn sample(State(host): State<Host>) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(serde_json::json!({ "lead": host.sample_lead().await? })))
}

/// The Space CRM's lead card. `?login=` picks the user; `?hostile=1` adds page styles
/// that would break components not isolated from them.
async fn page(State(host): State<Host>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    let login = demo_login(&LoginQuery { login: q.login.clone() });
    let hostname = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':').map(|(name, _)| name.to_string()))
        .filter(|name| name == "localhost" || name == "127.0.0.1")
        .unwrap_or_else(|| "127.0.0.1".into());
    let lines = format!("http://{hostname}:{}{}", host.lines_port, host.base_path);
    let options: String = LOGINS
        .iter()
        .map(|l| format!(r#"<option value="{l}"{}>{l}</option>"#, if *l == login { " selected" } else { "" }))
        .collect();
    let hostile = if q.hostile.is_some() { "<style>* { color: red; font-size: 40px; }</style>" } else { "" };
    let html = include_str!("../assets/embed/demo-host.html")
        .replace("{{LINES}}", &lines)
        .replace("{{LOGIN}}", login)
        .replace("{{OPTIONS}}", &options)
        .replace("{{HOSTILE}}", hostile);
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

#[derive(Deserialize)]
struct PageQuery {
    login: Option<String>,
    hostile: Option<String>,
}
