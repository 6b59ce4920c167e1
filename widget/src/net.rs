//! The widget's calls to its server: JSON over `fetch`, the live socket, and waiting,
//! straight on the browser's APIs. Paths are written from the root and placed under
//! the server's base path.

use crate::json::Value;
use crate::say;
use crate::texts::Text;
use el_web_client::base;
use el_web_client::words::{self, Problem};
use js_sys::Promise;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CloseEvent, Headers, MessageEvent, RequestInit, Response, WebSocket};

pub use el_web_client::http::Failure;

/// Has the shared web client (uploads, `Failure::unreachable`) speak the widget's
/// language.
pub fn speak() {
    el_web_client::words::speak(|problem| match problem {
        Problem::Unreachable => say(Text::CannotReach).into(),
        Problem::Unreadable => say(Text::UnreadableAnswer).into(),
        Problem::ServerError(status) => crate::language().fill(Text::ServerError, "status", &status.to_string()),
        Problem::UploadNotStarted => say(Text::UploadNotStarted).into(),
        Problem::UploadInterrupted => say(Text::UploadInterrupted).into(),
    });
}

/// An answer that could not be read.
pub fn unreadable(status: u16) -> Failure {
    Failure { status, message: words::say(Problem::Unreadable) }
}

/// A refusal with the server's own message (`ApiError`), or one that gives its status.
pub fn refused(status: u16, body: &str) -> Failure {
    let message = Value::parse(body).and_then(|v| v.get("message").str()).filter(|m| !m.is_empty());
    Failure { status, message: message.unwrap_or_else(|| words::say(Problem::ServerError(status))) }
}

/// Calls `method path` with a JSON `body` (if any) and the visitor's `token` (if any);
/// answers the JSON the server sent (null when it sent nothing).
pub async fn call(method: &str, path: &str, body: Option<JsValue>, token: Option<&str>) -> Result<Value, Failure> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(|_| Failure::unreachable())?;
    if let Some(token) = token {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if let Some(body) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&js_sys::JSON::stringify(&body).map_err(|_| Failure::unreachable())?.into());
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(Failure::unreachable)?;
    let answer = JsFuture::from(window.fetch_with_str_and_init(&base::at(path), &init))
        .await
        .map_err(|_| Failure::unreachable())?;
    let response: Response = answer.dyn_into().map_err(|_| Failure::unreachable())?;
    let status = response.status();
    let text = match response.text() {
        Ok(text) => JsFuture::from(text).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    }
    .ok_or_else(|| unreadable(status))?;
    if !response.ok() {
        return Err(refused(status, &text));
    }
    if text.trim().is_empty() {
        return Ok(Value(JsValue::NULL));
    }
    Value::parse(&text).ok_or_else(|| unreadable(status))
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let wait = Promise::new(&mut |done, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&done, ms as i32);
        }
    });
    let _ = JsFuture::from(wait).await;
}

/// What a socket's owner does with a frame's text.
pub enum Heard {
    /// Keep listening.
    More,
    /// Close the socket: this one is done.
    Enough,
}

/// Holds a socket to `path` open, giving `heard` each text frame, until it closes;
/// answers its close code (1006 when it could not open or dropped).
pub async fn socket(path: &str, mut heard: impl FnMut(&str) -> Heard + 'static) -> u16 {
    let Ok(ws) = WebSocket::new(&el_web_client::socket::url(path)) else { return 1006 };
    let closing = Rc::new(Cell::new(false));
    let on_message = {
        let (ws, closing) = (ws.clone(), closing.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else { return };
            if closing.get() {
                return;
            }
            if let Heard::Enough = heard(&text) {
                closing.set(true);
                let _ = ws.close();
            }
        })
    };
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let mut on_close = None;
    let closed = Promise::new(&mut |done, _| {
        let handler = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            let _ = done.call1(&JsValue::NULL, &JsValue::from(e.code()));
        });
        ws.set_onclose(Some(handler.as_ref().unchecked_ref()));
        on_close = Some(handler);
    });
    let code = JsFuture::from(closed).await.ok().and_then(|c| c.as_f64()).unwrap_or(1006.0);
    ws.set_onmessage(None);
    ws.set_onclose(None);
    drop((on_message, on_close));
    code as u16
}
