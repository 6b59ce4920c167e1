//! Request and response bodies of the REST API.

use crate::inbox::{Tab, TabCounts};
use crate::names::read_by_name;
use crate::permissions::{Access, Role};
use crate::{ChannelId, ClientId, DialogId, MessageId, Millis, Seq, UserId};
use serde::{Deserialize, Serialize};

/// Longest message text accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// Longest preview of the last message kept on a dialog summary, in characters.
pub const PREVIEW_CHARS: usize = 140;
/// Longest client display name accepted from a widget, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Largest dialog image accepted, in bytes.
pub const MAX_AVATAR_BYTES: usize = 1024 * 1024;
/// Longest Redirect handover note, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000;

/// Every error body: a message meant to be shown to the user as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub message: String,
}

/// `POST /api/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// A Space employee as other users see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub login: String,
    pub name: String,
    /// Whether their role lets them work with dialogs (they can be added or redirected to).
    #[serde(default)]
    pub works_in_lines: bool,
}

/// `GET /api/me`: the signed-in user, their role and what it allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: UserSummary,
    pub role: Role,
    pub access: Access,
    pub settings: UserSettings,
    /// What may be attached to a message.
    #[serde(default)]
    pub limits: UploadLimits,
    /// Whether they take dialogs offered in turn now.
    #[serde(default)]
    pub presence: crate::queue::Presence,
}

/// Per-user preferences kept on the server (`PUT /api/me/settings`; a field left out
/// is on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSettings {
    /// Ask for confirmation before End dialog ("Do not show this window again" clears it).
    #[serde(default = "on")]
    pub confirm_end_dialog: bool,
    /// Browser notifications of new dialogs and client messages while the app is in the
    /// background.
    #[serde(default = "on")]
    pub notify_desktop: bool,
    /// A short sound with each such notification.
    #[serde(default = "on")]
    pub notify_sound: bool,
    /// Light or dark colours, or as the system says.
    #[serde(default)]
    pub theme: Theme,
    /// The app's language, or the browser's.
    #[serde(default)]
    pub language: Language,
}

impl Default for UserSettings {
    fn default() -> Self {
        UserSettings {
            confirm_end_dialog: true,
            notify_desktop: true,
            notify_sound: true,
            theme: Theme::System,
            language: Language::Browser,
        }
    }
}

fn on() -> bool {
    true
}

/// The app's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// As the system (`prefers-color-scheme`) says.
    #[default]
    System,
    Light,
    Dark,
}

read_by_name!(Theme {
    System = "system",
    Light = "light",
    Dark = "dark",
});

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The language the app speaks to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// The first of the browser's languages the app has (English when none).
    #[default]
    Browser,
    En,
    Uk,
}

read_by_name!(Language {
    Browser = "browser",
    En = "en",
    Uk = "uk",
});

impl Language {
    pub const ALL: [Language; 3] = [Language::Browser, Language::En, Language::Uk];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Browser => "browser",
            Language::En => "en",
            Language::Uk => "uk",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// What `Browser` means for a browser whose languages are `tags`, most wanted first
    /// (`navigator.languages`: "uk-UA", "en-GB"): the first the app speaks, matched by its
    /// language subtag in any case; English when it speaks none of them.
    pub fn of_browser(tags: &[impl AsRef<str>]) -> Language {
        let spoken = |tag: &str| {
            let code = tag.split(['-', '_']).next().unwrap_or_default();
            [Language::En, Language::Uk].into_iter().find(|l| l.as_str().eq_ignore_ascii_case(code))
        };
        tags.iter().find_map(|t| spoken(t.as_ref())).unwrap_or(Language::En)
    }
}

/// The messenger a channel belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Widget,
    Telegram,
    Viber,
    Whatsapp,
    /// Facebook Messenger, through a Facebook Page.
    Facebook,
    /// Instagram Direct, through the professional account linked to a Facebook Page.
    Instagram,
}

read_by_name!(ChannelKind {
    Widget = "widget",
    Telegram = "telegram",
    Viber = "viber",
    Whatsapp = "whatsapp",
    Facebook = "facebook",
    Instagram = "instagram",
});

impl ChannelKind {
    /// Every kind, in the order settings list them.
    pub const ALL: [ChannelKind; 6] = [
        ChannelKind::Widget,
        ChannelKind::Telegram,
        ChannelKind::Viber,
        ChannelKind::Whatsapp,
        ChannelKind::Facebook,
        ChannelKind::Instagram,
    ];

    /// The name users know the messenger by.
    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Widget => "Website",
            ChannelKind::Telegram => "Telegram",
            ChannelKind::Viber => "Viber",
            ChannelKind::Whatsapp => "WhatsApp",
            ChannelKind::Facebook => "Facebook Messenger",
            ChannelKind::Instagram => "Instagram",
        }
    }

    /// The messenger and the channel's own name (`Telegram · Shop bot`), once when
    /// they are the same.
    pub fn with_channel(self, channel_name: &str) -> String {
        if channel_name == self.label() {
            channel_name.to_string()
        } else {
            format!("{} · {channel_name}", self.label())
        }
    }

    /// Stable name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Widget => "widget",
            ChannelKind::Telegram => "telegram",
            ChannelKind::Viber => "viber",
            ChannelKind::Whatsapp => "whatsapp",
            ChannelKind::Facebook => "facebook",
            ChannelKind::Instagram => "instagram",
        }
    }

    /// Parses [`ChannelKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a dialog stands (the inbox tabs derive from it, see [`crate::inbox::Tab`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DialogState {
    /// Nobody works on it yet.
    Unassigned,
    /// One or more members are responsible for it.
    Active,
    /// Closed by End dialog or Mark as spam.
    Ended,
}

read_by_name!(DialogState {
    Unassigned = "unassigned",
    Active = "active",
    Ended = "ended",
});

impl DialogState {
    pub fn as_str(self) -> &'static str {
        match self {
            DialogState::Unassigned => "unassigned",
            DialogState::Active => "active",
            DialogState::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Unassigned, Self::Active, Self::Ended].into_iter().find(|k| k.as_str() == s)
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "AuthorFields")]
pub enum Author {
    Client {
        name: String,
    },
    Operator {
        user_id: UserId,
        name: String,
    },
    /// An operator's private note in the dialog: colleagues see it, the client and the
    /// messenger never do.
    Note {
        user_id: UserId,
        name: String,
    },
    /// Messages the product writes itself ("Anna took the dialog").
    System,
}

/// The kinds of [`Author`], as its `"kind"` names them.
#[derive(Clone, Copy)]
pub(crate) enum AuthorKind {
    Client,
    Operator,
    Note,
    System,
}

read_by_name!(AuthorKind {
    Client = "client",
    Operator = "operator",
    Note = "note",
    System = "system",
});

/// The fields of every kind of [`Author`] (see `crate::fields`).
#[derive(Deserialize)]
pub(crate) struct AuthorFields {
    pub(crate) kind: AuthorKind,
    pub(crate) name: Option<String>,
    pub(crate) user_id: Option<UserId>,
}

impl TryFrom<AuthorFields> for Author {
    type Error = String;

    fn try_from(f: AuthorFields) -> Result<Author, String> {
        use crate::fields::needed;
        Ok(match f.kind {
            AuthorKind::Client => Author::Client { name: needed(f.name, "name")? },
            AuthorKind::Operator => {
                Author::Operator { user_id: needed(f.user_id, "user_id")?, name: needed(f.name, "name")? }
            }
            AuthorKind::Note => Author::Note { user_id: needed(f.user_id, "user_id")?, name: needed(f.name, "name")? },
            AuthorKind::System => Author::System,
        })
    }
}

impl Author {
    pub fn is_client(&self) -> bool {
        matches!(self, Author::Client { .. })
    }

    /// A message of the conversation itself, by the client or an operator: what lists
    /// preview, order by and count as unread (system notes and private notes are not).
    pub fn is_person(&self) -> bool {
        matches!(self, Author::Client { .. } | Author::Operator { .. })
    }
}

/// One message of a dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub dialog_id: DialogId,
    pub author: Author,
    pub text: String,
    pub created_at: Millis,
    /// The sender's idempotency key, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
    /// Files sent with the message, in the order they were attached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The CRM record a system message announces (its name links to the card).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<crate::crm::RecordRef>,
    /// How an operator's message to a messenger stands (`None`: no messenger in between,
    /// as in the website widget, where the server's answer is the delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// Set when the client edited the message in their messenger: `text` is the edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<Edit>,
    /// What a system note says, as data (its `text` is this in English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<crate::notices::Notice>,
}

impl Message {
    /// What tells two versions of the same message apart (a list re-renders on change).
    pub fn version(&self) -> (MessageId, Option<Millis>, Option<Delivery>) {
        (self.id, self.edit.as_ref().map(|e| e.at), self.delivery.clone())
    }
}

/// Where an operator's message to a messenger stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "DeliveryFields")]
pub enum Delivery {
    /// Queued for the messenger; retried while it cannot be reached.
    Sending,
    /// The messenger accepted it.
    Sent,
    /// The messenger refused it, for this reason (the client blocked the bot...).
    Failed { reason: String },
}

/// The states of a [`Delivery`].
#[derive(Clone, Copy)]
pub(crate) enum DeliveryState {
    Sending,
    Sent,
    Failed,
}

read_by_name!(DeliveryState {
    Sending = "sending",
    Sent = "sent",
    Failed = "failed",
});

/// The fields of every state of a [`Delivery`] (see `crate::fields`).
#[derive(Deserialize)]
pub(crate) struct DeliveryFields {
    pub(crate) state: DeliveryState,
    pub(crate) reason: Option<String>,
}

impl TryFrom<DeliveryFields> for Delivery {
    type Error = String;

    fn try_from(f: DeliveryFields) -> Result<Delivery, String> {
        Ok(match f.state {
            DeliveryState::Sending => Delivery::Sending,
            DeliveryState::Sent => Delivery::Sent,
            DeliveryState::Failed => Delivery::Failed { reason: crate::fields::needed(f.reason, "reason")? },
        })
    }
}

/// A client's edit of their message: the text as first sent, and when it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub original: String,
    pub at: Millis,
}

/// Largest file that may be attached by default, in megabytes (`--max-file-mb`).
pub const DEFAULT_MAX_FILE_MB: u64 = 25;
/// Most files one message may carry by default (`--max-files`).
pub const DEFAULT_MAX_FILES: usize = 10;
/// Longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// A stored file sent with a message (or uploaded and waiting for its message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file's id in the store (random; also its download address).
    pub id: String,
    /// The name the sender gave it (shown as text, never used as a path).
    pub name: String,
    /// The type the server found in its bytes.
    pub content_type: String,
    pub size: u64,
}

impl Attachment {
    /// Images are shown as thumbnails; every other file as a chip with a download link.
    pub fn is_image(&self) -> bool {
        matches!(self.content_type.as_str(), "image/png" | "image/jpeg" | "image/gif" | "image/webp")
    }

    /// Where operators download it.
    pub fn url(&self) -> String {
        format!("{}{}", crate::markdown::FILE_STORE_PREFIX, self.id)
    }
}

/// What may be attached to one message: the server's configuration, told to the
/// browser so it can refuse a file before uploading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_files: usize,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits { max_file_bytes: DEFAULT_MAX_FILE_MB * 1024 * 1024, max_files: DEFAULT_MAX_FILES }
    }
}

impl UploadLimits {
    /// Why the file `name` of `size` bytes cannot join `attached` files already on the
    /// message, in words for the user; `None` when it may.
    pub fn refusal(&self, name: &str, size: u64, attached: usize) -> Option<String> {
        if attached >= self.max_files {
            Some(format!("A message can carry at most {} files.", self.max_files))
        } else if size > self.max_file_bytes {
            Some(format!("“{name}” is too large: files up to {} can be sent.", human_size(self.max_file_bytes)))
        } else if size == 0 {
            Some(format!("“{name}” is empty."))
        } else {
            None
        }
    }
}

/// A size as people read it: "340 KB", "1.5 MB", "25 MB".
pub fn human_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else if b < KB * KB * KB {
        let mb = b / (KB * KB);
        if mb.fract() < 0.05 || mb >= 10.0 {
            format!("{mb:.0} MB")
        } else {
            format!("{mb:.1} MB")
        }
    } else {
        format!("{:.1} GB", b / (KB * KB * KB))
    }
}

/// The last message of a dialog as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePreview {
    pub author: Author,
    pub text: String,
    pub at: Millis,
}

impl Message {
    /// The message as a list previews it (see [`preview_text`]).
    pub fn preview(&self) -> MessagePreview {
        self.preview_with(preview_text)
    }

    /// The preview rebuilt without reading markdown: the text as written, its spaces
    /// and line breaks folded (see [`written_preview_text`]). It is the [`Message::preview`]
    /// of a text without markdown's marks, which is what a reader rebuilds of a compact
    /// event (`Event::restore`) without carrying a markdown parser.
    pub fn written_preview(&self) -> MessagePreview {
        self.preview_with(written_preview_text)
    }

    fn preview_with(&self, text_of: fn(&str, Option<&str>) -> String) -> MessagePreview {
        let names = self.attachments.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ");
        let files = (!self.attachments.is_empty()).then_some(names.as_str());
        MessagePreview { author: self.author.clone(), text: text_of(&self.text, files), at: self.created_at }
    }
}

/// What a list shows of a message: its text as plain words (markdown's marks left out,
/// [`crate::markdown::to_plain_text`]), or the names of its files (joined with ", ") when
/// it has none, cut to [`PREVIEW_CHARS`]. The server makes it, so that the app's list
/// needs no markdown parser. The whole text is read (a mark may close far from where it
/// opens); texts are at most [`MAX_MESSAGE_CHARS`].
pub fn preview_text(text: &str, file_names: Option<&str>) -> String {
    written_preview_text(&crate::markdown::to_plain_text(text), file_names)
}

/// [`preview_text`] of the text as written, its spaces and line breaks folded to single
/// spaces.
pub fn written_preview_text(text: &str, file_names: Option<&str>) -> String {
    match file_names {
        Some(names) if text.trim().is_empty() => truncate_chars(&format!("File: {names}"), PREVIEW_CHARS),
        _ => truncate_chars(&text.split_whitespace().collect::<Vec<_>>().join(" "), PREVIEW_CHARS),
    }
}

/// A dialog as lists, headers and events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogSummary {
    pub id: DialogId,
    /// The dialog's display name (the client's name unless renamed).
    pub name: String,
    pub client_id: ClientId,
    pub client_name: String,
    pub channel_id: ChannelId,
    pub channel_kind: ChannelKind,
    pub channel_name: String,
    /// `false` once the channel (a messenger bot) was disconnected: the client can no
    /// longer receive answers here.
    #[serde(default = "on", skip_serializing_if = "is_true")]
    pub channel_connected: bool,
    pub state: DialogState,
    /// Users responsible for the dialog now.
    pub members: Vec<UserId>,
    /// Users who ever worked on it (they see it in Inactive once ended).
    pub participants: Vec<UserId>,
    /// Ended with Mark as spam.
    pub spam: bool,
    /// The note left by the last Redirect, pinned for the receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<Handover>,
    /// The dialog's image (its avatar), a URL in our file store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    pub created_at: Millis,
    /// The last message by the client or an operator (system notes aside).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<MessagePreview>,
    /// Time of the last message by the client or an operator (creation time while there
    /// is none): lists sort by it and show it.
    pub last_activity_at: Millis,
    /// Who is responsible for the CRM records linked to the client.
    #[serde(default, skip_serializing_if = "crate::crm::RecordOwners::is_empty")]
    pub owners: crate::crm::RecordOwners,
    /// The newest message the client has seen, where the channel tells (the website
    /// widget does; Telegram tells bots nothing of reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_read: Option<MessageId>,
    /// The newest message the client's device has received, where the channel tells
    /// (the website widget does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_delivered: Option<MessageId>,
    /// Until when the client's messenger takes free-form answers: WhatsApp's 24 hours
    /// after the client last wrote (later only approved templates). `None`: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_until: Option<Millis>,
    /// While the dialog waits in an "in turn" queue: the one operator it is offered to
    /// now (only they see it in Unassigned) and until when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Offer>,
}

/// How far the client got with an operator's answer, where the channel tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Receipt {
    Delivered,
    Seen,
}

read_by_name!(Receipt {
    Delivered = "delivered",
    Seen = "seen",
});

impl Receipt {
    pub fn as_str(self) -> &'static str {
        match self {
            Receipt::Delivered => "delivered",
            Receipt::Seen => "seen",
        }
    }
}

/// An Unassigned dialog offered to one operator for a while (the queue's "in turn").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub to: UserId,
    pub until: Millis,
}

// Fields at their usual value are left out of the JSON (every event carries a dialog's
// summary to hundreds of sockets), but only those that a tab still running an earlier
// release reads as missing: `Option`s and fields it had defaults for.
fn is_true(b: &bool) -> bool {
    *b
}

#[cfg(test)]
impl DialogSummary {
    /// A website chat of the client Olena, for tests.
    pub(crate) fn example(id: DialogId, state: DialogState, members: &[i64], participants: &[i64]) -> Self {
        DialogSummary {
            channel_connected: true,
            owners: Default::default(),
            client_read: None,
            client_delivered: None,
            reply_until: None,
            offer: None,
            id,
            name: "Olena".into(),
            client_id: ClientId(3),
            client_name: "Olena".into(),
            channel_id: ChannelId(1),
            channel_kind: ChannelKind::Widget,
            channel_name: "Website".into(),
            state,
            members: members.iter().map(|&u| UserId(u)).collect(),
            participants: participants.iter().map(|&u| UserId(u)).collect(),
            spam: false,
            handover: None,
            avatar: None,
            created_at: 1,
            last_message: Some(MessagePreview { author: Author::System, text: "x".into(), at: 1 }),
            last_activity_at: 1,
        }
    }
}

/// A Redirect's handover: who passed the dialog to whom, and their note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub from: UserId,
    pub to: UserId,
    pub note: String,
}

/// `POST /api/dialogs/{id}/members` (Add to dialog).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AddMembers {
    pub user_ids: Vec<UserId>,
}

/// `POST /api/dialogs/{id}/redirect`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Redirect {
    pub user_id: UserId,
    /// An optional handover note for the receiver.
    pub note: Option<String>,
}

/// `PATCH /api/dialogs/{id}` (Rename). An empty name restores the client's name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rename {
    pub name: String,
}

/// Dialogs per page when the client does not say.
pub const DEFAULT_PAGE: usize = 50;
/// Dialogs per tab in the app's first snapshot: the rows of a tall list and those
/// drawn beyond its edge; the rest follows in pages of [`DEFAULT_PAGE`] as one
/// scrolls. Half as many dialogs to read before the first rows show.
pub const FIRST_PAGE: usize = 25;
/// Most dialogs one page may hold.
pub const MAX_PAGE: usize = 500;

/// A position in a tab's order (newest activity first): a page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub at: Millis,
    pub id: DialogId,
}

/// What the server counts in one user's tabs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabTotals {
    /// Dialogs in each tab.
    pub dialogs: TabCounts,
    /// Unread messages in each tab.
    pub unread: TabCounts,
}

/// `GET /api/dialogs/page?tab=T&at=A&id=I&limit=N`: the query of a page (no `at`/`id`:
/// from the top of the tab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageQuery {
    pub tab: Tab,
    pub at: Option<Millis>,
    pub id: Option<DialogId>,
    pub limit: Option<usize>,
}

impl PageQuery {
    /// The page after `cursor` (or the first page).
    pub fn after(tab: Tab, cursor: Option<Cursor>, limit: usize) -> Self {
        PageQuery { tab, at: cursor.map(|c| c.at), id: cursor.map(|c| c.id), limit: Some(limit) }
    }

    /// Where the page starts; `None` for the top of the tab.
    pub fn cursor(&self) -> Option<Cursor> {
        Some(Cursor { at: self.at?, id: self.id? })
    }

    /// The page size asked for, within the allowed range.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)
    }
}

/// Consecutive dialogs of one tab, newest activity first, valid as of `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogPage {
    pub tab: Tab,
    pub as_of: Seq,
    pub dialogs: Vec<DialogSummary>,
    /// The user's unread messages per dialog of the page (dialogs with none left out).
    #[serde(default)]
    pub unread: Vec<(DialogId, u32)>,
    /// More dialogs follow the last one.
    pub more: bool,
    pub totals: TabTotals,
}

/// `GET /api/dialogs?limit=N`: the first page of each tab, valid as of `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxSnapshot {
    pub as_of: Seq,
    pub pages: Vec<DialogPage>,
}

impl InboxSnapshot {
    /// Every dialog the snapshot holds.
    pub fn dialogs(&self) -> impl Iterator<Item = &DialogSummary> + '_ {
        self.pages.iter().flat_map(|p| p.dialogs.iter())
    }

    /// The user's unread messages in a dialog of the snapshot.
    pub fn unread(&self, id: DialogId) -> u32 {
        self.pages.iter().flat_map(|p| p.unread.iter()).find(|(d, _)| *d == id).map_or(0, |(_, n)| *n)
    }
}

/// `GET /api/dialogs/{id}?limit=N`: one dialog and its newest page of messages, oldest
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSnapshot {
    pub as_of: Seq,
    pub dialog: DialogSummary,
    pub messages: Vec<Message>,
    /// Older messages exist: fetch them with `GET /api/dialogs/{id}/messages?before=`.
    #[serde(default)]
    pub has_older: bool,
}

/// Messages per chat page when the reader does not say.
pub const CHAT_PAGE: usize = 50;
/// Most messages one chat page may hold.
pub const MAX_CHAT_PAGE: usize = 200;
/// A chat page stops before the message that would take its text past this many bytes
/// (its first message always fits), so long messages make shorter pages.
pub const CHAT_PAGE_BYTES: usize = 256 * 1024;

/// The query of a chat page: `?before=ID&limit=N` (no `before`: the newest page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatPageQuery {
    pub before: Option<MessageId>,
    pub limit: Option<usize>,
}

impl ChatPageQuery {
    /// The page size asked for, within the allowed range.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(CHAT_PAGE).clamp(1, MAX_CHAT_PAGE)
    }
}

/// `GET /api/dialogs/{id}/messages?before=ID&limit=N`: older messages of a chat,
/// oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub messages: Vec<Message>,
    /// Still older messages exist.
    pub has_older: bool,
}

/// `POST /api/dialogs/{id}/messages` and the widget's send.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendMessage {
    pub text: String,
    /// Idempotency key generated by the sender: the same key never stores twice.
    pub client_msg_id: String,
    /// Ids of files the sender uploaded for this message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// An operator's private note rather than an answer to the client (text only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub note: bool,
}

impl Message {
    /// The message as `user` may read it, when that differs: a system note naming a CRM
    /// record they may not see says only what happened ("Deal created"), without the
    /// record's name or a link to it.
    pub fn for_reader(&self, user: UserId, access: &Access) -> Option<Message> {
        let record = self.record.as_ref()?;
        if record.visible_to(user, access) {
            return None;
        }
        let what = self.text.split_once(": ").map_or("A CRM record changed", |(what, _)| what);
        let notice = self.notice.as_ref().map(crate::notices::Notice::without_record_name);
        Some(Message { text: what.to_string(), record: None, notice, ..self.clone() })
    }
}

/// `POST /api/widget/session`: a website visitor starts (or names) their session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WidgetHello {
    /// The channel's public key from the embed snippet.
    pub channel: String,
    /// The name the visitor typed, if any.
    pub name: Option<String>,
    /// The visitor's token on another channel of the same site: the server then knows
    /// them as the same client (their CRM records follow; no new lead is needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
}

/// The widget's identity, kept by the visitor's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetSession {
    /// Bearer token for the widget API; the only proof of the visitor's identity.
    pub token: String,
    pub client_name: String,
    pub channel_name: String,
    #[serde(default)]
    pub limits: UploadLimits,
}

/// A message as the client sees it in the widget (no internal details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetMessage {
    pub id: MessageId,
    /// True for the visitor's own messages.
    pub mine: bool,
    /// The operator's name on their messages.
    pub author_name: Option<String>,
    pub text: String,
    /// `text` as the server's safe markdown renderer shows it (the app's own filter:
    /// no raw HTML, only safe links), so the widget needs no markdown parser.
    #[serde(default)]
    pub html: String,
    pub created_at: Millis,
    pub client_msg_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// `GET /api/widget/conversation`: the visitor's messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetConversation {
    pub as_of: Seq,
    pub messages: Vec<WidgetMessage>,
}

/// Cuts `text` to at most `max` characters on a character boundary, with an ellipsis.
pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_language_is_the_first_of_its_languages_the_app_speaks() {
        assert_eq!(Language::of_browser(&["de-AT", "uk-UA", "en-US"]), Language::Uk);
        assert_eq!(Language::of_browser(&["en-GB", "uk"]), Language::En);
        assert_eq!(Language::of_browser(&["UK_ua"]), Language::Uk);
        // Not a language the app speaks, a tag that only starts like one, or none at all.
        assert_eq!(Language::of_browser(&["de", "ukr", "eng"]), Language::En);
        assert_eq!(Language::of_browser(&[] as &[&str]), Language::En);
    }

    #[test]
    fn a_summary_leaves_its_usual_values_out_and_reads_back_the_same() {
        let d = DialogSummary::example(DialogId(7), DialogState::Unassigned, &[], &[]);
        let json = serde_json::to_string(&d).unwrap();
        for left_out in ["channel_connected", "handover", "avatar", "owners", "client_read"] {
            assert!(!json.contains(left_out), "{left_out} in {json}");
        }
        assert_eq!(serde_json::from_str::<DialogSummary>(&json).unwrap(), d);
        // A tab still running the previous release (this shape, its own defaults) reads it.
        #[derive(Deserialize)]
        #[allow(dead_code)]
        struct PreviousRelease {
            id: DialogId,
            name: String,
            client_id: ClientId,
            client_name: String,
            channel_id: ChannelId,
            channel_kind: ChannelKind,
            channel_name: String,
            #[serde(default = "on")]
            channel_connected: bool,
            state: DialogState,
            members: Vec<UserId>,
            participants: Vec<UserId>,
            spam: bool,
            handover: Option<Handover>,
            #[serde(default)]
            avatar: Option<String>,
            created_at: Millis,
            last_message: Option<MessagePreview>,
            last_activity_at: Millis,
            #[serde(default)]
            owners: crate::crm::RecordOwners,
            #[serde(default)]
            client_read: Option<MessageId>,
        }
        let previous: PreviousRelease = serde_json::from_str(&json).expect("an earlier release reads it");
        assert!(previous.channel_connected && previous.handover.is_none() && previous.client_read.is_none());
        let unusual = DialogSummary {
            channel_connected: false,
            spam: true,
            client_read: Some(MessageId(3)),
            ..DialogSummary::example(DialogId(7), DialogState::Ended, &[1], &[1, 2])
        };
        let json = serde_json::to_string(&unusual).unwrap();
        assert!(json.contains(r#""channel_connected":false"#) && json.contains(r#""spam":true"#), "{json}");
        assert_eq!(serde_json::from_str::<DialogSummary>(&json).unwrap(), unusual);
        // What older servers sent, every field written out, still reads.
        let full = r#"{"id":7,"name":"Olena","client_id":3,"client_name":"Olena","channel_id":1,
            "channel_kind":"widget","channel_name":"Website","channel_connected":true,"state":"unassigned",
            "members":[],"participants":[],"spam":false,"handover":null,"avatar":null,"created_at":1,
            "last_message":{"author":{"kind":"system"},"text":"x","at":1},"last_activity_at":1,
            "owners":{},"client_read":null}"#;
        assert_eq!(serde_json::from_str::<DialogSummary>(full).unwrap(), d);
    }

    #[test]
    fn authors_read_back_as_written_in_any_order_of_fields() {
        for author in [
            Author::Client { name: "Olena".into() },
            Author::Operator { user_id: UserId(2), name: "Anna".into() },
            Author::Note { user_id: UserId(2), name: "Anna".into() },
            Author::System,
        ] {
            let json = serde_json::to_string(&author).unwrap();
            assert!(json.starts_with(r#"{"kind":"#), "{json}");
            assert_eq!(serde_json::from_str::<Author>(&json).unwrap(), author);
            let sorted = serde_json::from_str::<serde_json::Value>(&json).unwrap().to_string();
            assert_eq!(serde_json::from_str::<Author>(&sorted).unwrap(), author, "{sorted}");
        }
        let error = serde_json::from_str::<Author>(r#"{"name":"Anna","kind":"operator"}"#).unwrap_err();
        assert!(error.to_string().contains("`user_id`"), "{error}");
    }

    #[test]
    fn deliveries_read_back_as_written_in_any_order_of_fields() {
        for delivery in
            [Delivery::Sending, Delivery::Sent, Delivery::Failed { reason: "The client blocked the bot.".into() }]
        {
            let json = serde_json::to_string(&delivery).unwrap();
            assert!(json.starts_with(r#"{"state":"#), "{json}");
            assert_eq!(serde_json::from_str::<Delivery>(&json).unwrap(), delivery);
        }
        let reversed = r#"{"reason":"Blocked.","state":"failed"}"#;
        assert_eq!(serde_json::from_str::<Delivery>(reversed).unwrap(), Delivery::Failed { reason: "Blocked.".into() });
        let error = serde_json::from_str::<Delivery>(r#"{"state":"failed"}"#).unwrap_err();
        assert!(error.to_string().contains("`reason`"), "{error}");
        let error = serde_json::from_str::<Delivery>(r#"{"state":"lost"}"#).unwrap_err();
        assert!(error.to_string().contains("unknown variant `lost`"), "{error}");
    }

    #[test]
    fn upload_limits_explain_each_refusal() {
        let limits = UploadLimits { max_file_bytes: 25 * 1024 * 1024, max_files: 10 };
        assert_eq!(limits.refusal("a.pdf", 1_000, 9), None);
        assert_eq!(limits.refusal("a.pdf", 1_000, 10).unwrap(), "A message can carry at most 10 files.");
        assert_eq!(
            limits.refusal("big.mov", 26 * 1024 * 1024, 0).unwrap(),
            "“big.mov” is too large: files up to 25 MB can be sent."
        );
        assert_eq!(limits.refusal("empty.txt", 0, 0).unwrap(), "“empty.txt” is empty.");
    }

    #[test]
    fn sizes_read_like_people_say_them() {
        let sizes = [12, 2_048, 1_572_864, 26_214_400, 3 * 1024 * 1024 * 1024];
        let shown: Vec<_> = sizes.into_iter().map(super::human_size).collect();
        assert_eq!(shown, ["12 B", "2 KB", "1.5 MB", "25 MB", "3.0 GB"]);
    }

    #[test]
    fn truncate_respects_multibyte_characters() {
        assert_eq!(truncate_chars("привіт", 3), "при…");
        assert_eq!(truncate_chars("short", 10), "short");
        assert_eq!(truncate_chars("ab cd", 3), "ab…");
    }

    #[test]
    fn enums_round_trip_through_their_storage_names() {
        for k in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(k.as_str()), Some(k));
        }
        for s in [DialogState::Unassigned, DialogState::Active, DialogState::Ended] {
            assert_eq!(DialogState::parse(s.as_str()), Some(s));
        }
        assert_eq!(DialogState::parse("nope"), None);
    }
}
