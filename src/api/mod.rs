//! The only code that talks to the server: typed REST calls and the socket.

pub use el_web_client::http::Failure;
pub use el_web_client::socket;

use el_web_client::http;
use el_web_client::upload::Upload;

use el_protocol::api::{
    AddMembers, ChannelKind, ChatSnapshot, Cursor, DialogPage, DialogSummary, InboxSnapshot, LoginRequest, Me, Message,
    MessagePage, Redirect, Rename, SendMessage, UserSettings, UserSummary, DEFAULT_PAGE,
};
use el_protocol::crm::{Connections, Convert, Entity, LinkRecord, ListQuery, NewDeal, Record, RecordInput, RecordList};
use el_protocol::embed::{ApiKey, ApiKeyInput, NewApiKey};
use el_protocol::inbox::Tab;
use el_protocol::integrations::{ConnectBot, ConnectPage, ConnectWhatsApp, IntegrationsOverview, MessengerBot};
use el_protocol::outbox::Pending;
use el_protocol::permissions::{AssignRole, RoleInput, RolesOverview};
use el_protocol::queue::{Presence, QueueOverview, SetCapacity, SetPresence, SetRouting};
use el_protocol::replies::{QuickReply, QuickReplyInput};
use el_protocol::search::SearchResults;
use el_protocol::templates::{SendTemplate, WhatsAppTemplate};
use el_protocol::{ChannelId, DialogId, MessageId, RecordId, RoleId, UserId};

/// The app's page as the server serves it now (it names the build's files).
pub async fn app_page() -> Result<String, Failure> {
    http::text("/index.html").await
}

/// Signs in; the server sets the session cookie.
pub async fn login(login: String, password: String) -> Result<Me, Failure> {
    http::post_read("/api/auth/login", &LoginRequest { login, password }, None).await
}

/// Signs out and drops the session cookie.
pub async fn logout() -> Result<(), Failure> {
    http::post_no_answer("/api/auth/logout", None).await
}

/// The signed-in user, or a 401 failure. The app's page asked for it as it loaded
/// (`server/src/web.rs`), and the first call takes that answer while this request stays
/// as plain as the page's (no headers of its own).
pub async fn me() -> Result<Me, Failure> {
    http::get_read("/api/me", None).await
}

/// The Space's employees.
pub async fn users() -> Result<Vec<UserSummary>, Failure> {
    http::get_read("/api/users", None).await
}

/// The first snapshot's request: `el_protocol::api::FIRST_PAGE` dialogs of each tab (a
/// literal: formatting it would grow the first download; e2e
/// `a_long_inbox_loads_page_after_page_while_scrolling` finds that many rows at first).
const FIRST_SNAPSHOT: &str = "/api/dialogs?limit=25";

/// The user's inbox (the first dialogs of each tab), valid as of its `as_of`.
pub async fn inbox() -> Result<InboxSnapshot, Failure> {
    http::get_read(FIRST_SNAPSHOT, None).await
}

/// The dialogs of `tab` after `cursor`.
pub async fn page(tab: Tab, cursor: Cursor) -> Result<DialogPage, Failure> {
    let path = format!("/api/dialogs/page?tab={}&at={}&id={}&limit={DEFAULT_PAGE}", tab.as_str(), cursor.at, cursor.id);
    http::get_read(&path, None).await
}

/// One dialog with its newest messages.
pub async fn chat(id: DialogId) -> Result<ChatSnapshot, Failure> {
    http::get(&chat_path(id), None).await
}

fn chat_path(id: DialogId) -> String {
    format!("/api/dialogs/{id}")
}

/// Has the page ask for the chat of `id` now (`<link rel="preload">`, as the server's
/// page does for `/api/me`), so that [`chat`], called once the code that shows the chat
/// is here, takes that answer instead of asking only then. Embedded views sign in with
/// a token, which a preload cannot carry: they ask when the chat opens.
pub fn preload_chat(id: DialogId) {
    if crate::embed::is_embedded() {
        return;
    }
    let href = el_web_client::base::at(&chat_path(id));
    let document = leptos::prelude::document();
    let asked = document.query_selector(&format!("link[rel=preload][href='{href}']")).ok().flatten().is_some();
    let (false, Some(head)) = (asked, document.query_selector("head").ok().flatten()) else { return };
    if let Ok(link) = document.create_element("link") {
        for (name, value) in [("rel", "preload"), ("as", "fetch"), ("crossorigin", "anonymous"), ("href", &href)] {
            let _ = link.set_attribute(name, value);
        }
        let _ = head.append_child(&link);
    }
}

/// Clients and messages matching `query`, in dialogs the user may open.
pub async fn search(query: &str) -> Result<SearchResults, Failure> {
    http::get(&format!("/api/search?q={}", String::from(js_sys::encode_uri_component(query))), None).await
}

/// The messages of a dialog before `before`.
pub async fn older_messages(id: DialogId, before: MessageId) -> Result<MessagePage, Failure> {
    http::get(&format!("/api/dialogs/{id}/messages?before={before}"), None).await
}

/// Reply: take an Unassigned dialog.
pub async fn reply(id: DialogId) -> Result<DialogSummary, Failure> {
    http::post_read(&format!("/api/dialogs/{id}/reply"), &(), None).await
}

/// Sends a message with its uploaded files (or a private note); `client_msg_id` makes
/// retries safe.
pub async fn send_message(id: DialogId, pending: &Pending) -> Result<Message, Failure> {
    let body = SendMessage {
        text: pending.text.clone(),
        client_msg_id: pending.key.clone(),
        attachments: pending.attachments.iter().map(|a| a.id.clone()).collect(),
        note: pending.note,
    };
    http::post(&format!("/api/dialogs/{id}/messages"), &body, None).await
}

/// The approved WhatsApp templates the dialog's client can be sent.
pub async fn whatsapp_templates(id: DialogId) -> Result<Vec<WhatsAppTemplate>, Failure> {
    http::get(&format!("/api/dialogs/{id}/whatsapp-templates"), None).await
}

/// Sends an approved WhatsApp template to the dialog's client.
pub async fn send_template(id: DialogId, body: &SendTemplate) -> Result<Message, Failure> {
    http::post(&format!("/api/dialogs/{id}/whatsapp-templates"), body, None).await
}

/// Starts uploading a file for the next message in a dialog.
pub fn upload(id: DialogId, file: &web_sys::File, on_progress: impl Fn(f64) + 'static) -> Result<Upload, Failure> {
    let name = String::from(js_sys::encode_uri_component(&file.name()));
    Upload::start(&format!("/api/dialogs/{id}/files?name={name}"), None, file, on_progress)
}

/// Marks a dialog read up to its latest message.
pub async fn mark_read(id: DialogId) -> Result<(), Failure> {
    http::post_no_answer(&format!("/api/dialogs/{id}/read"), None).await
}

/// Tells the client and colleagues that the user is typing an answer.
pub async fn typing(id: DialogId) -> Result<(), Failure> {
    http::post_no_answer(&format!("/api/dialogs/{id}/typing"), None).await
}

/// Sets the dialog's image.
pub async fn set_avatar(id: DialogId, image: &web_sys::Blob) -> Result<DialogSummary, Failure> {
    http::put_blob(&format!("/api/dialogs/{id}/avatar"), image).await
}

/// The shared quick replies and the user's own.
pub async fn quick_replies() -> Result<Vec<QuickReply>, Failure> {
    http::get("/api/quick-replies", None).await
}

/// Saves a new quick reply (`id` `None`) or changes one; answers the user's list.
pub async fn save_quick_reply(id: Option<i64>, input: &QuickReplyInput) -> Result<Vec<QuickReply>, Failure> {
    match id {
        None => http::post("/api/quick-replies", input, None).await,
        Some(id) => http::put(&format!("/api/quick-replies/{id}"), input).await,
    }
}

pub async fn delete_quick_reply(id: i64) -> Result<(), Failure> {
    http::delete(&format!("/api/quick-replies/{id}")).await
}

/// Saves the user's preferences.
pub async fn update_settings(settings: UserSettings) -> Result<Me, Failure> {
    http::put_read("/api/me/settings", &settings).await
}

/// One page of a CRM list.
pub async fn records(entity: Entity, query: &ListQuery) -> Result<RecordList, Failure> {
    let mut path = format!("/api/crm/{}?limit={}&offset={}", entity.plural(), query.limit(), query.offset.unwrap_or(0));
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        path.push_str(&format!("&q={}", String::from(js_sys::encode_uri_component(q))));
    }
    if let Some(sort) = query.sort {
        path.push_str(&format!("&sort={}&desc={}", sort.as_str(), query.descending()));
    }
    http::get(&path, None).await
}

/// A record's card.
pub async fn record(entity: Entity, id: RecordId) -> Result<Record, Failure> {
    http::get(&card_path(entity, id), None).await
}

fn card_path(entity: Entity, id: RecordId) -> String {
    format!("/api/crm/{}/{id}", entity.plural())
}

/// Creates a record from the CRM.
pub async fn create_record(entity: Entity, input: &RecordInput) -> Result<Record, Failure> {
    http::post(&format!("/api/crm/{}", entity.plural()), input, None).await
}

/// Saves a card.
pub async fn save_record(entity: Entity, id: RecordId, input: &RecordInput) -> Result<Record, Failure> {
    http::put(&card_path(entity, id), input).await
}

/// Converts a lead; answers the lead with the records it became.
pub async fn convert_lead(id: RecordId, into: Convert) -> Result<Record, Failure> {
    http::post(&format!("{}/convert", card_path(Entity::Lead, id)), &into, None).await
}

/// The dialog block of a card: the record's chats, newest first.
pub async fn record_dialogs(entity: Entity, id: RecordId) -> Result<Vec<DialogSummary>, Failure> {
    http::get_read(&format!("{}/dialogs", card_path(entity, id)), None).await
}

/// A chat's CRM connections as the user sees them.
pub async fn connections(id: DialogId) -> Result<Connections, Failure> {
    http::get(&format!("/api/dialogs/{id}/crm"), None).await
}

/// What changes a chat's CRM connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrmCommand {
    /// Opening the block (may create the user's own lead, seed case 4b).
    Open,
    CreateLead,
    CreateDeal(NewDeal),
    Link(RecordId),
}

/// Runs a CRM command in a chat; answers its connections as they are now.
pub async fn crm(id: DialogId, command: CrmCommand) -> Result<Connections, Failure> {
    let path = |action: &str| format!("/api/dialogs/{id}/crm/{action}");
    match command {
        CrmCommand::Open => http::post(&path("open"), &(), None).await,
        CrmCommand::CreateLead => http::post(&path("lead"), &(), None).await,
        CrmCommand::CreateDeal(deal) => http::post(&path("deals"), &deal, None).await,
        CrmCommand::Link(record) => http::post(&path("link"), &LinkRecord { id: record }, None).await,
    }
}

/// Roles and who has them (administrators).
pub async fn roles() -> Result<RolesOverview, Failure> {
    http::get("/api/roles", None).await
}

/// Creates a role (`None`) or changes one.
pub async fn save_role(id: Option<RoleId>, role: &RoleInput) -> Result<RolesOverview, Failure> {
    match id {
        Some(id) => http::put(&format!("/api/roles/{id}"), role).await,
        None => http::post("/api/roles", role, None).await,
    }
}

/// Deletes a role nobody has.
pub async fn delete_role(id: RoleId) -> Result<(), Failure> {
    http::delete(&format!("/api/roles/{id}")).await
}

/// Gives a user another role.
pub async fn assign_role(user: UserId, role: RoleId) -> Result<RolesOverview, Failure> {
    http::put(&format!("/api/users/{user}/role"), &AssignRole { role }).await
}

/// The signed-in operator goes Online or Away.
pub async fn set_presence(presence: Presence) -> Result<Me, Failure> {
    http::put_read("/api/me/presence", &SetPresence { presence }).await
}

/// The queue: channels' routing, operators' load, dialogs waiting (administrators).
pub async fn queue() -> Result<QueueOverview, Failure> {
    http::get("/api/queue", None).await
}

/// How a channel's new dialogs reach operators.
pub async fn set_routing(channel: ChannelId, set: SetRouting) -> Result<QueueOverview, Failure> {
    http::put(&format!("/api/queue/channels/{channel}"), &set).await
}

/// An operator's maximum of active dialogs (`None`: no maximum).
pub async fn set_capacity(user: UserId, max_active: Option<u32>) -> Result<QueueOverview, Failure> {
    http::put(&format!("/api/queue/operators/{user}"), &SetCapacity { max_active }).await
}

/// The API keys hosts embed with (administrators).
pub async fn api_keys() -> Result<Vec<ApiKey>, Failure> {
    http::get("/api/api-keys", None).await
}

/// Creates an API key; the answer holds its secret, shown this once.
pub async fn create_api_key(input: &ApiKeyInput) -> Result<NewApiKey, Failure> {
    http::post("/api/api-keys", input, None).await
}

/// Revokes an API key, ending its embed sessions.
pub async fn revoke_api_key(id: i64) -> Result<ApiKey, Failure> {
    http::post(&format!("/api/api-keys/{id}/revoke"), &serde_json::json!({}), None).await
}

/// The connected messenger bots.
pub async fn integrations() -> Result<IntegrationsOverview, Failure> {
    http::get("/api/integrations", None).await
}

/// The integrations path of a messenger's bots.
fn bots_path(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Viber => "/api/integrations/viber",
        ChannelKind::Whatsapp => "/api/integrations/whatsapp",
        ChannelKind::Facebook => "/api/integrations/facebook",
        ChannelKind::Instagram => "/api/integrations/instagram",
        ChannelKind::Telegram | ChannelKind::Widget => "/api/integrations/telegram",
    }
}

/// Connects a WhatsApp Business number.
pub async fn connect_whatsapp(body: ConnectWhatsApp) -> Result<MessengerBot, Failure> {
    http::post(bots_path(ChannelKind::Whatsapp), &body, None).await
}

/// Connects a Facebook Page's Messenger, or its Instagram account (`kind`).
pub async fn connect_page(kind: ChannelKind, body: ConnectPage) -> Result<MessengerBot, Failure> {
    http::post(bots_path(kind), &body, None).await
}

/// Connects a messenger's bot by its token.
pub async fn connect_bot(kind: ChannelKind, token: String) -> Result<MessengerBot, Failure> {
    http::post(bots_path(kind), &ConnectBot { token }, None).await
}

/// Disconnects a bot (`reconnect: false`) or connects a disconnected one again.
pub async fn toggle_bot(bot: &MessengerBot, reconnect: bool) -> Result<MessengerBot, Failure> {
    let action = if reconnect { "reconnect" } else { "disconnect" };
    let path = format!("{}/{}/{action}", bots_path(bot.kind), bot.channel_id);
    http::post(&path, &serde_json::json!({}), None).await
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
