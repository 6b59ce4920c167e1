//! The widget's door to the server, and where the visitor's identity is remembered.

use el_protocol::api::{
    Attachment, Receipt, SendMessage, WidgetConversation, WidgetHello, WidgetMessage, WidgetSession,
};
use el_protocol::MessageId;
use el_web_client::http::{self, Failure};
use el_web_client::upload::Upload;

/// Starts a visitor session on a channel, telling the server who the visitor is on
/// the site's other channels (so it recognizes a returning client).
pub async fn start(channel: &str, name: Option<String>) -> Result<WidgetSession, Failure> {
    let known = known_token(channel);
    http::post("/api/widget/session", &WidgetHello { channel: channel.into(), name, known }, None).await
}

/// The visitor's messages so far.
pub async fn conversation(token: &str) -> Result<WidgetConversation, Failure> {
    http::get("/api/widget/conversation", Some(token)).await
}

/// Sends a message (with uploaded files); `client_msg_id` makes retries safe.
pub async fn send(
    token: &str,
    text: String,
    attachments: Vec<String>,
    client_msg_id: String,
) -> Result<WidgetMessage, Failure> {
    http::post("/api/widget/messages", &SendMessage { text, client_msg_id, attachments, note: false }, Some(token))
        .await
}

/// Tells the operators that the visitor is typing.
pub async fn typing(token: &str) -> Result<(), Failure> {
    http::post_no_answer("/api/widget/typing", Some(token)).await
}

/// Tells the operators that the visitor's widget has received, or the visitor has seen,
/// the conversation up to `up_to`.
pub async fn received(token: &str, up_to: MessageId, how: Receipt) -> Result<(), Failure> {
    let path = match how {
        Receipt::Delivered => "delivered",
        Receipt::Seen => "read",
    };
    http::post_no_answer(&format!("/api/widget/{path}/{up_to}"), Some(token)).await
}

/// Starts uploading a file for the visitor's next message.
pub fn upload(token: &str, file: &web_sys::File, on_progress: impl Fn(f64) + 'static) -> Result<Upload, Failure> {
    let name = String::from(js_sys::encode_uri_component(&file.name()));
    Upload::start(&format!("/api/widget/files?name={name}"), Some(token), file, on_progress)
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
pub fn saved_session(channel: &str) -> Option<WidgetSession> {
    let text = storage()?.get_item(&key(channel)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// The visitor's token on another channel of this site, if they wrote there.
fn known_token(channel: &str) -> Option<String> {
    let storage = storage()?;
    let own = key(channel);
    (0..storage.length().ok()?)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(&key("")) && *k != own)
        .filter_map(|k| storage.get_item(&k).ok().flatten())
        .find_map(|text| serde_json::from_str::<WidgetSession>(&text).ok())
        .map(|session| session.token)
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
