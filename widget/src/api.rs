//! The widget's door to the server, and where the visitor's identity is remembered.

use el_protocol::api::{SendMessage, WidgetConversation, WidgetHello, WidgetMessage, WidgetSession};
use el_web_client::http::{self, Failure};

/// Starts a visitor session on a channel.
pub async fn start(channel: &str, name: Option<String>) -> Result<WidgetSession, Failure> {
    http::post("/api/widget/session", &WidgetHello { channel: channel.into(), name }, None).await
}

/// The visitor's messages so far.
pub async fn conversation(token: &str) -> Result<WidgetConversation, Failure> {
    http::get("/api/widget/conversation", Some(token)).await
}

/// Sends a message; `client_msg_id` makes retries safe.
pub async fn send(token: &str, text: String, client_msg_id: String) -> Result<WidgetMessage, Failure> {
    http::post("/api/widget/messages", &SendMessage { text, client_msg_id }, Some(token)).await
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
pub fn saved_session(channel: &str) -> Option<WidgetSession> {
    let text = storage()?.get_item(&key(channel)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Remembers the session so a returning visitor continues the same conversation.
pub fn save_session(channel: &str, session: &WidgetSession) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(session)) {
        let _ = s.set_item(&key(channel), &text);
    }
}

/// Forgets a session the server no longer knows.
pub fn forget_session(channel: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(channel));
    }
}
