//! JSON over fetch, with the server's error messages surfaced as they are. Answers are
//! read by serde (`get`, `post`, ...) or, for the bodies of the app's first screen, by
//! the protocol's small reader (`get_read`, `post_read`, `put_read`: `el_protocol::json`).

use crate::base::at;
use crate::words::{say, Problem};
use el_protocol::api::ApiError;
use el_protocol::json::{self, Read};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A failed call: the HTTP status (0 when the server was not reached) and a message
/// meant for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: u16,
    pub message: String,
}

impl Failure {
    /// The session is missing or ended.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    /// The server was not reached (in the words the app gave, see [`crate::words`]).
    pub fn unreachable() -> Failure {
        Failure { status: 0, message: say(Problem::Unreachable) }
    }
}

async fn check(response: Response) -> Result<Response, Failure> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    Err(refusal(status, &response.binary().await.unwrap_or_default()))
}

/// A refused call's failure: the server's own message (`ApiError`), or words for its
/// status when the body has none.
pub(crate) fn refusal(status: u16, body: &[u8]) -> Failure {
    let message = json::from_slice::<ApiError>(body).map_or_else(|| say(Problem::ServerError(status)), |e| e.message);
    Failure { status, message }
}

/// The body of a successful answer read as `T`.
async fn read_body<T: Read>(response: Response) -> Result<T, Failure> {
    let status = response.status();
    let body = check(response).await?.binary().await.ok();
    body.and_then(|body| json::from_slice(&body)).ok_or_else(|| Failure { status, message: say(Problem::Unreadable) })
}

/// The answer to `request`, or the failure to reach the server.
async fn answer(request: Result<Request, gloo_net::Error>) -> Result<Response, Failure> {
    request.map_err(|_| Failure::unreachable())?.send().await.map_err(|_| Failure::unreachable())
}

/// The body read as bytes (as [`read_body`] reads it): a JS string would be copied into
/// wasm one character at a time before parsing. serde_json parses it as text, the one
/// kind of input its readers are built for here.
async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, Failure> {
    let status = response.status();
    let unreadable = || Failure { status, message: say(Problem::Unreadable) };
    let body = check(response).await?.binary().await.map_err(|_| unreadable())?;
    let text = std::str::from_utf8(&body).map_err(|_| unreadable())?;
    serde_json::from_str(text).map_err(|_| unreadable())
}

thread_local! {
    static SESSION_TOKEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Makes every call that names no bearer of its own carry `token` (an embedded app's
/// session, which has no cookie), or the session cookie again with `None`.
pub fn use_session_token(token: Option<String>) {
    SESSION_TOKEN.with(|t| *t.borrow_mut() = token);
}

/// The session token calls carry, if not the cookie.
pub fn session_token() -> Option<String> {
    SESSION_TOKEN.with(|t| t.borrow().clone())
}

fn authorized(builder: RequestBuilder, bearer: Option<&str>) -> RequestBuilder {
    match bearer.map(str::to_string).or_else(session_token) {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

/// `GET path`, with a bearer token when given (otherwise the session's).
pub async fn get<T: DeserializeOwned>(path: &str, bearer: Option<&str>) -> Result<T, Failure> {
    decode(answer(authorized(Request::get(&at(path)), bearer).build()).await?).await
}

/// [`get`] with the answer read by the protocol's JSON reader (`el_protocol::json`).
pub async fn get_read<T: Read>(path: &str, bearer: Option<&str>) -> Result<T, Failure> {
    read_body(answer(authorized(Request::get(&at(path)), bearer).build()).await?).await
}

/// The text of `path`, a page of ours (no session needed).
pub async fn text(path: &str) -> Result<String, Failure> {
    let response = check(Request::get(&at(path)).send().await.map_err(|_| Failure::unreachable())?).await?;
    let status = response.status();
    response.text().await.map_err(|_| Failure { status, message: say(Problem::Unreadable) })
}

async fn with_json<B: Serialize, T: DeserializeOwned>(builder: RequestBuilder, body: &B) -> Result<T, Failure> {
    decode(answer(builder.json(body)).await?).await
}

/// `POST path` with a JSON body.
pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B, bearer: Option<&str>) -> Result<T, Failure> {
    with_json(authorized(Request::post(&at(path)), bearer), body).await
}

/// [`post`] with the answer read by the protocol's JSON reader (`el_protocol::json`).
pub async fn post_read<B: Serialize, T: Read>(path: &str, body: &B, bearer: Option<&str>) -> Result<T, Failure> {
    read_body(answer(authorized(Request::post(&at(path)), bearer).json(body)).await?).await
}

/// `PUT path` with a JSON body (the session's).
pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, Failure> {
    with_json(authorized(Request::put(&at(path)), None), body).await
}

/// [`put`] with the answer read by the protocol's JSON reader (`el_protocol::json`).
pub async fn put_read<B: Serialize, T: Read>(path: &str, body: &B) -> Result<T, Failure> {
    read_body(answer(authorized(Request::put(&at(path)), None).json(body)).await?).await
}

/// `PATCH path` with a JSON body (the session's).
pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, Failure> {
    with_json(authorized(Request::patch(&at(path)), None), body).await
}

/// `PUT path` with raw bytes (a file) as the body (the session's).
pub async fn put_blob<T: Read>(path: &str, blob: &web_sys::Blob) -> Result<T, Failure> {
    let request = authorized(Request::put(&at(path)), None)
        .header("content-type", &blob.type_())
        .body(wasm_bindgen::JsValue::from(blob.clone()));
    read_body(answer(request).await?).await
}

/// `DELETE path` (the session's), ignoring what the answer carries.
pub async fn delete(path: &str) -> Result<(), Failure> {
    check(authorized(Request::delete(&at(path)), None).send().await.map_err(|_| Failure::unreachable())?)
        .await
        .map(|_| ())
}

/// `POST path` with no body, ignoring what the answer carries.
pub async fn post_no_answer(path: &str, bearer: Option<&str>) -> Result<(), Failure> {
    let request = authorized(Request::post(&at(path)), bearer);
    check(request.send().await.map_err(|_| Failure::unreachable())?).await.map(|_| ())
}
