//! What a Telegram update says, read into what External Lines stores: who wrote, the
//! text (Telegram's formatting turned into markdown), and the files to fetch.

use super::format::entities_to_markdown;
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

/// A formatted part of a text; offsets and lengths count UTF-16 code units.
#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: String,
    pub offset: usize,
    pub length: usize,
    pub url: Option<String>,
    pub language: Option<String>,
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

/// Reads an update: client messages and their edits in private chats; anything else
/// is ignored with the reason.
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
        text = format!(
            "📍 Location: [{lat:.5}, {lon:.5}](https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon})",
            lat = l.latitude,
            lon = l.longitude
        );
    }
    if let Some(c) = &m.contact {
        let name = [Some(c.first_name.as_str()), c.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>();
        text = format!("📇 Contact: {}, {}", name.join(" "), c.phone_number);
    }
    if text.is_empty() && files.is_empty() {
        let what = UNSHOWN.iter().find(|(field, _)| m.other.contains_key(*field)).map_or("a message", |(_, what)| what);
        text = format!("(The client sent {what}, which External Lines cannot show.)");
    }
    (text, files)
}

#[cfg(test)]
mod tests;
