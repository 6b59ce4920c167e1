//! What a Telegram update says, read into what External Lines stores: who wrote, the
//! text (Telegram's formatting turned into markdown), and the files to fetch.

use super::format::{entities_to_markdown, Entity};
use el_protocol::markdown::literal;
use serde::Deserialize;
use serde_json::Value;

/// An incoming update (only the parts we read; everything else is ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct Update {
    pub update_id: i64,
    pub message: Option<TgMessage>,
    pub edited_message: Option<TgMessage>,
    /// The update's other fields: their names tell which kind an unhandled update is.
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TgMessage {
    pub message_id: i64,
    pub from: Option<TgUser>,
    pub chat: Chat,
    pub edit_date: Option<i64>,
    pub text: Option<String>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    pub caption: Option<String>,
    #[serde(default)]
    pub caption_entities: Vec<Entity>,
    pub photo: Option<Vec<PhotoSize>>,
    pub document: Option<FileRef>,
    pub voice: Option<FileRef>,
    pub audio: Option<FileRef>,
    pub video: Option<FileRef>,
    pub video_note: Option<FileRef>,
    pub animation: Option<FileRef>,
    pub sticker: Option<Sticker>,
    pub location: Option<Location>,
    pub contact: Option<Contact>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TgUser {
    pub id: i64,
    #[serde(default)]
    pub is_bot: bool,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Chat {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PhotoSize {
    pub file_id: String,
    pub file_size: Option<u64>,
    #[serde(default)]
    pub width: u32,
    #[serde(default)]
    pub height: u32,
}

/// A document, voice note, audio, video or animation: a file with perhaps a name.
#[derive(Debug, Clone, Deserialize)]
pub struct FileRef {
    pub file_id: String,
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
    pub file_size: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Sticker {
    pub file_id: String,
    pub file_size: Option<u64>,
    pub emoji: Option<String>,
    #[serde(default)]
    pub is_animated: bool,
    #[serde(default)]
    pub is_video: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Contact {
    pub phone_number: String,
    pub first_name: String,
    pub last_name: Option<String>,
}

/// The person writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// Their Telegram user id (also the private chat's id).
    pub id: i64,
    /// First and last name.
    pub name: String,
    pub username: Option<String>,
}

impl Sender {
    /// How the account is shown: `@username`, else the name.
    pub fn account_name(&self) -> String {
        match &self.username {
            Some(u) => format!("@{u}"),
            None => self.name.clone(),
        }
    }
}

/// A file of a message, to fetch with `getFile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    pub file_id: String,
    pub name: String,
    pub size: Option<u64>,
}

/// A message or an edit from a client.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub update_id: i64,
    /// Telegram's id of the message in its chat.
    pub message_id: i64,
    /// When set, the message was edited at this time (seconds since the epoch).
    pub edited_at: Option<i64>,
    pub sender: Sender,
    /// Markdown.
    pub text: String,
    pub files: Vec<RemoteFile>,
}

/// What to do with an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Inbound(Inbound),
    /// Acknowledged and not stored, for this reason (logged).
    Ignored(String),
}

/// Message contents we cannot show, by their field names in the Bot API.
const UNSHOWN: [(&str, &str); 8] = [
    ("poll", "a poll"),
    ("dice", "a dice"),
    ("game", "a game"),
    ("venue", "a venue"),
    ("story", "a story"),
    ("invoice", "an invoice"),
    ("paid_media", "paid media"),
    ("checklist", "a checklist"),
];

/// Service messages: something happened in the chat (a message was pinned, the
/// auto-delete timer changed...), nobody wrote anything.
const SERVICE: [&str; 16] = [
    "pinned_message",
    "message_auto_delete_timer_changed",
    "write_access_allowed",
    "chat_background_set",
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "new_chat_photo",
    "delete_chat_photo",
    "group_chat_created",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "proximity_alert_triggered",
    "connected_website",
    "successful_payment",
    "refunded_payment",
];

/// Reads an update: client messages and their edits in private chats; anything else
/// (service messages included) is ignored with the reason.
pub fn read(update: &Update) -> Reading {
    let (message, edited) = match (&update.message, &update.edited_message) {
        (Some(m), _) => (m, false),
        (None, Some(m)) => (m, true),
        (None, None) => {
            let kind = update.other.keys().next().map_or("empty", String::as_str);
            return Reading::Ignored(format!("unhandled update type {kind}"));
        }
    };
    if message.chat.kind != "private" {
        return Reading::Ignored(format!("a message in a {} chat", message.chat.kind));
    }
    let Some(from) = message.from.as_ref().filter(|u| !u.is_bot) else {
        return Reading::Ignored("a message without a person as sender".into());
    };
    let name = match &from.last_name {
        Some(last) => format!("{} {last}", from.first_name),
        None => from.first_name.clone(),
    };
    if let Some(service) = SERVICE.iter().find(|f| message.other.contains_key(**f)) {
        return Reading::Ignored(format!("a service message ({service})"));
    }
    let sender = Sender { id: from.id, name: name.trim().to_string(), username: from.username.clone() };
    let (text, files) = contents(message);
    Reading::Inbound(Inbound {
        update_id: update.update_id,
        message_id: message.message_id,
        edited_at: if edited { Some(message.edit_date.unwrap_or_default()) } else { None },
        sender,
        text,
        files,
    })
}

/// A file named `name` unless the sender gave one.
fn file(r: &FileRef, name: &str) -> RemoteFile {
    let name = r.file_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| name.to_string());
    RemoteFile { file_id: r.file_id.clone(), name, size: r.file_size }
}

/// The text (markdown) and files of a message.
fn contents(m: &TgMessage) -> (String, Vec<RemoteFile>) {
    let mut text = match (&m.text, &m.caption) {
        (Some(t), _) => entities_to_markdown(t, &m.entities),
        (None, Some(c)) => entities_to_markdown(c, &m.caption_entities),
        (None, None) => String::new(),
    };
    let mut files = Vec::new();
    if let Some(largest) = m.photo.as_ref().and_then(|sizes| sizes.iter().max_by_key(|p| p.width * p.height)) {
        files.push(RemoteFile { file_id: largest.file_id.clone(), name: "photo.jpg".into(), size: largest.file_size });
    }
    for (r, name) in [
        (&m.document, "document"),
        (&m.voice, "voice.ogg"),
        (&m.audio, "audio.mp3"),
        (&m.video, "video.mp4"),
        (&m.video_note, "video-note.mp4"),
    ] {
        if let Some(r) = r {
            files.push(file(r, name));
        }
    }
    // An animation comes with a document copy of itself; one file is enough.
    if let (Some(a), None) = (&m.animation, &m.document) {
        files.push(file(a, "animation.mp4"));
    }
    if let Some(s) = &m.sticker {
        let ext = if s.is_video {
            "webm"
        } else if s.is_animated {
            "tgs"
        } else {
            "webp"
        };
        files.push(RemoteFile { file_id: s.file_id.clone(), name: format!("sticker.{ext}"), size: s.file_size });
        if text.is_empty() {
            text = s.emoji.clone().unwrap_or_default();
        }
    }
    if let Some(l) = &m.location {
        text = el_protocol::markdown::location(None, l.latitude, l.longitude);
    }
    if let Some(c) = &m.contact {
        let name = [Some(c.first_name.as_str()), c.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>();
        text = format!("📇 Contact: {}, {}", name.join(" "), c.phone_number);
    }
    if text.is_empty() && files.is_empty() {
        let what = UNSHOWN.iter().find(|(field, _)| m.other.contains_key(*field)).map_or("a message", |(_, what)| what);
        text = format!("(The client sent {what}, which External Lines cannot show.)");
    }
    let context: Vec<String> = [forwarded_from(m), quoted(m)].into_iter().flatten().collect();
    if !context.is_empty() {
        text = format!("{}\n\n{text}", context.join("\n\n"));
    }
    (text, files)
}

/// "Forwarded from ..." for a forwarded message (`forward_origin`, or the fields
/// Bot API versions before 7.0 sent), as markdown.
fn forwarded_from(m: &TgMessage) -> Option<String> {
    let field = |v: &Value, path: &[&str]| -> Option<String> {
        path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str).map(str::to_string)
    };
    let person = |v: &Value| -> Option<String> {
        let first = field(v, &["first_name"])?;
        Some(match field(v, &["last_name"]) {
            Some(last) => format!("{first} {last}"),
            None => first,
        })
    };
    let from = if let Some(origin) = m.other.get("forward_origin") {
        match origin.get("type").and_then(Value::as_str) {
            Some("user") => origin.get("sender_user").and_then(person),
            Some("hidden_user") => field(origin, &["sender_user_name"]),
            Some("chat") => field(origin, &["sender_chat", "title"]),
            Some("channel") => field(origin, &["chat", "title"]),
            _ => None,
        }
        .or_else(|| Some("someone".into()))
    } else {
        m.other
            .get("forward_from")
            .and_then(person)
            .or_else(|| m.other.get("forward_sender_name").and_then(Value::as_str).map(str::to_string))
            .or_else(|| m.other.get("forward_from_chat").and_then(|c| field(c, &["title"])))
    }?;
    Some(format!("*{}*", literal(&format!("Forwarded from {from}"), false)))
}

/// The text a reply answers, as a markdown quote: the part the client quoted, else the
/// start of the message replied to.
fn quoted(m: &TgMessage) -> Option<String> {
    let text = m
        .other
        .get("quote")
        .and_then(|q| q.get("text"))
        .or_else(|| {
            let replied = m.other.get("reply_to_message").or_else(|| m.other.get("external_reply"))?;
            replied.get("text").or_else(|| replied.get("caption"))
        })
        .and_then(Value::as_str)?;
    let short: String = text.chars().take(300).collect();
    let short = if short.len() < text.len() { format!("{short}…") } else { short };
    Some(short.lines().map(|l| format!("> {}", literal(l, true))).collect::<Vec<_>>().join("\n"))
}

#[cfg(test)]
mod tests;
