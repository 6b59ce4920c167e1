//! JSON over fetch, with the server's error messages surfaced as they are.

use crate::base::at;
use crate::words::{say, Problem};
use el_protocol::api::ApiError;
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
    let message = match response.json::<ApiError>().await {
        Ok(e) => e.message,
        Err(_) => say(Problem::ServerError(status)),
    };
    Err(Failure { status, message })
}

/// The body read as bytes: a JS string would be copied into wasm one character at a
/// time before parsing (a large inbox's snapshot is some 60 KB). It is parsed as text,
/// as socket frames are, so every reader is built for one kind of input only.
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
    decode(authorized(Request::get(&at(path)), bearer).send().await.map_err(|_| Failure::unreachable())?).await
}

/// The text of `path`, a page of ours (no session needed).
pub async fn text(path: &str) -> Result<String, Failure> {
    let response = check(Request::get(&at(path)).send().await.map_err(|_| Failure::unreachable())?).await?;
    let status = response.status();
    response.text().await.map_err(|_| Failure { status, message: say(Problem::Unreadable) })
}

async fn with_json<B: Serialize, T: DeserializeOwned>(builder: RequestBuilder, body: &B) -> Result<T, Failure> {
    let request = builder.json(body).map_err(|_| Failure::unreachable())?;
    decode(request.send().await.map_err(|_| Failure::unreachable())?).await
}

/// `POST path` with a JSON body.
pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B, bearer: Option<&str>) -> Result<T, Failure> {
    with_json(authorized(Request::post(&at(path)), bearer), body).await
}

/// `PUT path` with a JSON body (the session's).
pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, Failure> {
    with_json(authorized(Request::put(&at(path)), None), body).await
}

/// `PATCH path` with a JSON body (the session's).
pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, Failure> {
    with_json(authorized(Request::patch(&at(path)), None), body).await
}

/// `PUT path` with raw bytes (a file) as the body (the session's).
pub async fn put_blob<T: DeserializeOwned>(path: &str, blob: &web_sys::Blob) -> Result<T, Failure> {
    let request = authorized(Request::put(&at(path)), None)
        .header("content-type", &blob.type_())
        .body(wasm_bindgen::JsValue::from(blob.clone()))
        .map_err(|_| Failure::unreachable())?;
    decode(request.send().await.map_err(|_| Failure::unreachable())?).await
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
