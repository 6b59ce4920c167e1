//! What a WhatsApp webhook notification says, read into what External Lines does with
//! it: clients' messages (text shown exactly as written, media to fetch, locations,
//! contacts, replies, reactions, button answers) and the statuses of our messages. The
//! shapes are the Cloud API's webhook components
//! (<https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components>).

use el_protocol::api::Receipt;
use el_protocol::markdown::{literal, location};
use serde::Deserialize;
use serde_json::Value;

/// A notification (only the parts we read).
#[derive(Debug, Clone, Deserialize)]
pub struct Notification {
    pub object: String,
    #[serde(default)]
    pub entry: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    pub field: String,
    #[serde(default)]
    pub value: ChangeValue,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChangeValue {
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub messages: Vec<WaMessage>,
    #[serde(default)]
    pub statuses: Vec<Status>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub phone_number_id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Contact {
    pub wa_id: String,
    pub profile: Option<Profile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WaMessage {
    pub from: String,
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    pub text: Option<TextBody>,
    pub image: Option<MediaRef>,
    pub video: Option<MediaRef>,
    pub audio: Option<MediaRef>,
    pub document: Option<MediaRef>,
    pub sticker: Option<MediaRef>,
    pub location: Option<Location>,
    pub contacts: Option<Vec<Value>>,
    pub reaction: Option<Reaction>,
    pub button: Option<Button>,
    pub interactive: Option<Value>,
    pub context: Option<Context>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TextBody {
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MediaRef {
    pub id: String,
    pub caption: Option<String>,
    pub filename: Option<String>,
    pub mime_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reaction {
    pub message_id: String,
    #[serde(default)]
    pub emoji: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Button {
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Context {
    pub id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub recipient_id: String,
    #[serde(default)]
    pub errors: Vec<StatusError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatusError {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub title: String,
    pub message: Option<String>,
    pub error_data: Option<Value>,
}

/// A media file of a message, to fetch by its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMedia {
    pub id: String,
    pub name: String,
}

/// A client's message.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// WhatsApp's id of the message (`wamid...`).
    pub wamid: String,
    /// Their WhatsApp id: their phone number, digits only.
    pub from: String,
    /// Their profile name.
    pub name: String,
    /// Markdown.
    pub text: String,
    pub files: Vec<RemoteMedia>,
    /// The message this one answers or reacts to, quoted when it is known.
    pub about: Option<String>,
}

/// What happened to a message the number sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    Receipt { wamid: String, to: String, how: Receipt },
    Failed { wamid: String, to: String, why: String },
}

/// One thing a notification says, for the phone number it names.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Message(Inbound),
    Status(Update),
    /// Acknowledged and not stored, for this reason (logged).
    Ignored(String),
}

/// Reads a notification: each message and status, with the phone number id it is for.
pub fn read(notification: &Notification) -> Vec<(String, Item)> {
    let mut items = Vec::new();
    for change in notification.entry.iter().flat_map(|e| &e.changes) {
        let value = &change.value;
        let Some(number) = value.metadata.as_ref().map(|m| m.phone_number_id.clone()) else {
            items.push((String::new(), Item::Ignored(format!("a {} change", change.field))));
            continue;
        };
        for message in &value.messages {
            let name = value
                .contacts
                .iter()
                .find(|c| c.wa_id == message.from)
                .and_then(|c| c.profile.as_ref())
                .map(|p| p.name.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("+{}", message.from));
            items.push((number.clone(), message_item(message, name)));
        }
        for status in &value.statuses {
            items.push((number.clone(), status_item(status)));
        }
    }
    items
}

fn status_item(s: &Status) -> Item {
    let (wamid, to) = (s.id.clone(), s.recipient_id.clone());
    match s.status.as_str() {
        "delivered" => Item::Status(Update::Receipt { wamid, to, how: Receipt::Delivered }),
        "read" => Item::Status(Update::Receipt { wamid, to, how: Receipt::Seen }),
        "failed" => Item::Status(Update::Failed { wamid, to, why: failure_words(&s.errors) }),
        other => Item::Ignored(format!("a {other} status")),
    }
}

/// What the operator reads on a message WhatsApp could not deliver.
fn failure_words(errors: &[StatusError]) -> String {
    let Some(e) = errors.first() else { return "Not delivered: WhatsApp could not deliver it.".into() };
    let details = e.error_data.as_ref().and_then(|d| d.get("details")).and_then(Value::as_str);
    if e.code == super::api::code::REENGAGEMENT {
        return "Not delivered: more than 24 hours have passed since the client last wrote, and WhatsApp then \
                delivers only approved templates."
            .into();
    }
    let said = details.or(e.message.as_deref()).filter(|d| !d.is_empty()).unwrap_or(&e.title);
    format!("Not delivered: WhatsApp answered “{said}” (code {}).", e.code)
}

/// A media file named `name` unless the sender gave one.
fn media(r: &MediaRef, name: &str) -> RemoteMedia {
    let name = r.filename.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| name.to_string());
    RemoteMedia { id: r.id.clone(), name }
}

fn message_item(m: &WaMessage, name: String) -> Item {
    let plain = |t: &str| literal(t.trim(), true);
    let caption = |r: &MediaRef| r.caption.as_deref().map(plain).unwrap_or_default();
    let (text, files) = match m.kind.as_str() {
        "text" => (m.text.as_ref().map(|t| plain(&t.body)).unwrap_or_default(), Vec::new()),
        "image" => m.image.as_ref().map_or_else(Default::default, |r| (caption(r), vec![media(r, "photo.jpg")])),
        "video" => m.video.as_ref().map_or_else(Default::default, |r| (caption(r), vec![media(r, "video.mp4")])),
        "document" => m.document.as_ref().map_or_else(Default::default, |r| (caption(r), vec![media(r, "document")])),
        "audio" => m.audio.as_ref().map_or_else(Default::default, |r| {
            let voice = r.mime_type.as_deref().is_some_and(|t| t.contains("ogg"));
            (String::new(), vec![media(r, if voice { "voice.ogg" } else { "audio.mp3" })])
        }),
        "sticker" => {
            m.sticker.as_ref().map_or_else(Default::default, |r| (String::new(), vec![media(r, "sticker.webp")]))
        }
        "location" => match &m.location {
            Some(l) => {
                let label = [l.name.as_deref(), l.address.as_deref()].into_iter().flatten().collect::<Vec<_>>();
                (location(Some(&label.join(", ")), l.latitude, l.longitude), Vec::new())
            }
            None => Default::default(),
        },
        "contacts" => (shared_contacts(m.contacts.as_deref().unwrap_or_default()), Vec::new()),
        "reaction" => match &m.reaction {
            Some(r) if !r.emoji.is_empty() => (plain(&format!("Reacted {}", r.emoji)), Vec::new()),
            // A reaction taken back.
            _ => return Item::Ignored("a reaction removed".into()),
        },
        "button" => (m.button.as_ref().map(|b| plain(&b.text)).unwrap_or_default(), Vec::new()),
        "interactive" => {
            (interactive_answer(m.interactive.as_ref()).map(|t| plain(&t)).unwrap_or_default(), Vec::new())
        }
        "system" | "ephemeral" => return Item::Ignored(format!("a {} message", m.kind)),
        _ => (String::new(), Vec::new()),
    };
    let text = if text.is_empty() && files.is_empty() {
        let what =
            if m.kind.is_empty() || m.kind == "unsupported" || m.kind == "unknown" { "a message" } else { &m.kind };
        format!("(The client sent {}, which External Lines cannot show.)", literal(what, false))
    } else {
        text
    };
    let about = match &m.reaction {
        Some(r) => Some(r.message_id.clone()),
        None => m.context.as_ref().and_then(|c| c.id.clone()),
    };
    Item::Message(Inbound { wamid: m.id.clone(), from: m.from.clone(), name, text, files, about })
}

/// The title of the button or list row the client chose.
fn interactive_answer(v: Option<&Value>) -> Option<String> {
    let v = v?;
    ["button_reply", "list_reply"]
        .iter()
        .find_map(|k| v.get(k).and_then(|r| r.get("title")).and_then(Value::as_str))
        .map(str::to_string)
}

/// Shared contacts, one line each: name and phone numbers.
fn shared_contacts(contacts: &[Value]) -> String {
    let lines: Vec<String> = contacts
        .iter()
        .map(|c| {
            let name = c.pointer("/name/formatted_name").and_then(Value::as_str).unwrap_or("Contact");
            let phones: Vec<&str> = c
                .get("phones")
                .and_then(Value::as_array)
                .map(|p| p.iter().filter_map(|p| p.get("phone").and_then(Value::as_str)).collect())
                .unwrap_or_default();
            literal(&format!("📇 Contact: {name}, {}", phones.join(", ")), true)
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests;
