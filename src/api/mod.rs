//! The only code that talks to the server: typed REST calls and the socket.

pub use el_web_client::http::Failure;
pub use el_web_client::socket;

use el_web_client::http;
use el_web_client::upload::Upload;

use el_protocol::api::{
    AddMembers, Attachment, ChatSnapshot, Cursor, DialogPage, DialogSummary, InboxSnapshot, LoginRequest, Me, Message,
    Redirect, Rename, SendMessage, UserSettings, UserSummary, DEFAULT_PAGE,
};
use el_protocol::inbox::Tab;
use el_protocol::{DialogId, UserId};

/// Signs in; the server sets the session cookie.
pub async fn login(login: String, password: String) -> Result<Me, Failure> {
    http::post("/api/auth/login", &LoginRequest { login, password }, None).await
}

/// Signs out and drops the session cookie.
pub async fn logout() -> Result<(), Failure> {
    http::post_no_answer("/api/auth/logout").await
}

/// The signed-in user, or a 401 failure.
pub async fn me() -> Result<Me, Failure> {
    http::get("/api/me", None).await
}

/// The Space's employees.
pub async fn users() -> Result<Vec<UserSummary>, Failure> {
    http::get("/api/users", None).await
}

/// The user's inbox, valid as of its `as_of`.
pub async fn inbox() -> Result<InboxSnapshot, Failure> {
    http::get("/api/dialogs", None).await
}

/// The dialogs of `tab` after `cursor`.
pub async fn page(tab: Tab, cursor: Cursor) -> Result<DialogPage, Failure> {
    let path = format!("/api/dialogs/page?tab={}&at={}&id={}&limit={DEFAULT_PAGE}", tab.as_str(), cursor.at, cursor.id);
    http::get(&path, None).await
}

/// One dialog with its messages.
pub async fn chat(id: DialogId) -> Result<ChatSnapshot, Failure> {
    http::get(&format!("/api/dialogs/{id}"), None).await
}

/// Reply: take an Unassigned dialog.
pub async fn reply(id: DialogId) -> Result<DialogSummary, Failure> {
    http::post(&format!("/api/dialogs/{id}/reply"), &(), None).await
}

/// Sends a message with its uploaded files; `client_msg_id` makes retries safe.
pub async fn send_message(
    id: DialogId,
    text: String,
    attachments: &[Attachment],
    client_msg_id: String,
) -> Result<Message, Failure> {
    let attachments = attachments.iter().map(|a| a.id.clone()).collect();
    http::post(&format!("/api/dialogs/{id}/messages"), &SendMessage { text, client_msg_id, attachments }, None).await
}

/// Starts uploading a file for the next message in a dialog.
pub fn upload(id: DialogId, file: &web_sys::File, on_progress: impl Fn(f64) + 'static) -> Result<Upload, Failure> {
    let name = String::from(js_sys::encode_uri_component(&file.name()));
    Upload::start(&format!("/api/dialogs/{id}/files?name={name}"), None, file, on_progress)
}

/// Marks a dialog read up to its latest message.
pub async fn mark_read(id: DialogId) -> Result<(), Failure> {
    http::post_no_answer(&format!("/api/dialogs/{id}/read")).await
}

/// Sets the dialog's image.
pub async fn set_avatar(id: DialogId, image: &web_sys::Blob) -> Result<DialogSummary, Failure> {
    http::put_blob(&format!("/api/dialogs/{id}/avatar"), image).await
}

/// Saves the user's preferences.
pub async fn update_settings(settings: UserSettings) -> Result<Me, Failure> {
    http::put("/api/me/settings", &settings).await
}

/// An action on a dialog, as the interaction menu and the chat offer them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Join,
    AddMembers(Vec<UserId>),
    Leave,
    Redirect { to: UserId, note: Option<String> },
    Rename(String),
    End,
    MarkAsSpam,
    Start,
}

/// Performs `command` on a dialog; answers the dialog as it is now.
pub async fn run(id: DialogId, command: Command) -> Result<DialogSummary, Failure> {
    let path = |action: &str| format!("/api/dialogs/{id}/{action}");
    match command {
        Command::Join => http::post(&path("join"), &(), None).await,
        Command::AddMembers(user_ids) => http::post(&path("members"), &AddMembers { user_ids }, None).await,
        Command::Leave => http::post(&path("leave"), &(), None).await,
        Command::Redirect { to, note } => http::post(&path("redirect"), &Redirect { user_id: to, note }, None).await,
        Command::Rename(name) => http::patch(&format!("/api/dialogs/{id}"), &Rename { name }).await,
        Command::End => http::post(&path("end"), &(), None).await,
        Command::MarkAsSpam => http::post(&path("spam"), &(), None).await,
        Command::Start => http::post(&path("start"), &(), None).await,
    }
}
