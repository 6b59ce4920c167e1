//! The widget's door to the server, and where the visitor's identity is remembered.

use crate::json::{self, Message, Session, Value};
use crate::net::{self, Failure};
use el_protocol::api::{Attachment, Receipt};
use el_web_client::upload::{Upload, CANCELLED};
use wasm_bindgen::JsValue;

/// Starts a visitor session on a channel, telling the server who the visitor is on
/// the site's other channels (so it recognizes a returning client).
pub async fn start(channel: &str, name: Option<String>) -> Result<Session, Failure> {
    let known = known_token(channel);
    let hello = json::object(&[
        ("channel", channel.into()),
        ("name", name.as_deref().map_or(JsValue::NULL, JsValue::from_str)),
        ("known", json::optional(known.as_deref())),
    ]);
    let answer = net::call("POST", "/api/widget/session", Some(hello), None).await?;
    Session::read(&answer).ok_or_else(|| net::unreadable(200))
}

/// The visitor's messages so far (oldest first) and the log position they are as of.
pub async fn conversation(token: &str) -> Result<(i64, Vec<Message>), Failure> {
    let answer = net::call("GET", "/api/widget/conversation", None, Some(token)).await?;
    let messages = answer.get("messages").list().iter().filter_map(Message::read).collect();
    Ok((answer.get("as_of").int().unwrap_or_default(), messages))
}

/// Sends a message (with uploaded files); `client_msg_id` makes retries safe.
pub async fn send(token: &str, text: &str, files: &[String], client_msg_id: &str) -> Result<Message, Failure> {
    let files: js_sys::Array = files.iter().map(|id| JsValue::from_str(id)).collect();
    let body = json::object(&[
        ("text", text.into()),
        ("client_msg_id", client_msg_id.into()),
        ("attachments", files.into()),
        ("note", false.into()),
    ]);
    let answer = net::call("POST", "/api/widget/messages", Some(body), Some(token)).await?;
    Message::read(&answer).ok_or_else(|| net::unreadable(200))
}

/// Tells the operators that the visitor is typing.
pub async fn typing(token: &str) -> Result<(), Failure> {
    net::call("POST", "/api/widget/typing", None, Some(token)).await.map(drop)
}

/// Tells the operators that the visitor's widget has received, or the visitor has seen,
/// the conversation up to `up_to`.
pub async fn received(token: &str, up_to: i64, how: Receipt) -> Result<(), Failure> {
    let path = match how {
        Receipt::Delivered => "delivered",
        Receipt::Seen => "read",
    };
    net::call("POST", &format!("/api/widget/{path}/{up_to}"), None, Some(token)).await.map(drop)
}

/// Starts uploading a file for the visitor's next message.
pub fn upload(token: &str, file: &web_sys::File, on_progress: impl Fn(f64) + 'static) -> Result<Upload, Failure> {
    let name = String::from(js_sys::encode_uri_component(&file.name()));
    Upload::start(&format!("/api/widget/files?name={name}"), Some(token), file, on_progress)
}

/// The file an upload stored, once it ends; `Ok(None)` when the visitor cancelled it.
pub async fn uploaded(upload: Upload) -> Result<Option<Attachment>, Failure> {
    match upload.finish_raw().await {
        Ok((status, body)) if (200..300).contains(&status) => {
            Value::parse(&body).as_ref().and_then(json::attachment).map(Some).ok_or_else(|| net::unreadable(status))
        }
        Ok((status, body)) => Err(net::refused(status, &body)),
        Err(f) if f.message == CANCELLED => Ok(None),
        Err(f) => Err(f),
    }
}

/// Where the visitor downloads a file of their conversation.
pub fn file_url(token: &str, file: &Attachment) -> String {
    el_web_client::base::at(&format!("/api/widget/files/{}?token={token}", file.id))
}

/// The socket path for a visitor from a log position.
pub fn socket_path(token: &str, since: i64) -> String {
    format!("/api/widget/socket?token={token}&since={since}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn key(channel: &str) -> String {
    format!("external-lines:{channel}")
}

/// The session this browser keeps for `channel`, if any.
pub fn saved_session(channel: &str) -> Option<Session> {
    let text = storage()?.get_item(&key(channel)).ok().flatten()?;
    Session::read(&Value::parse(&text)?)
}

/// The visitor's token on another channel of this site, if they wrote there.
fn known_token(channel: &str) -> Option<String> {
    let storage = storage()?;
    let own = key(channel);
    (0..storage.length().ok()?)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(&key("")) && *k != own)
        .filter_map(|k| storage.get_item(&k).ok().flatten())
        .find_map(|text| Session::read(&Value::parse(&text)?))
        .map(|session| session.token)
}

/// Remembers the session so a returning visitor continues the same conversation.
pub fn save_session(channel: &str, session: &Session) {
    if let Some(s) = storage() {
        let _ = s.set_item(&key(channel), &session.saved);
    }
}

/// Forgets a session the server no longer knows.
pub fn forget_session(channel: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(channel));
    }
}
