//! What a Viber callback says, read into what External Lines does with it: a client's
//! message (its text shown exactly as written, its media to fetch), a receipt, a
//! failure, a subscription change, or nothing. The shapes are those of the REST bot
//! API's "Callbacks" section (<https://developers.viber.com/docs/api/rest-bot-api/#callbacks>).

use el_protocol::api::Receipt;
use el_protocol::markdown::literal;
use serde::Deserialize;
use serde_json::Value;

/// An incoming callback (only the parts we read).
#[derive(Debug, Clone, Deserialize)]
pub struct Callback {
    pub event: String,
    /// Viber's id of the message (or of the event); a number in the JSON.
    #[serde(default)]
    pub message_token: Option<Value>,
    /// Who wrote (`message`).
    pub sender: Option<User>,
    /// Who subscribed or opened the chat (`subscribed`, `conversation_started`).
    pub user: Option<User>,
    /// Whom an event concerns (`unsubscribed`, `delivered`, `seen`, `failed`).
    pub user_id: Option<String>,
    pub message: Option<ViberMessage>,
    /// Why a message failed (`failed`).
    pub desc: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ViberMessage {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<String>,
    pub media: Option<String>,
    pub file_name: Option<String>,
    /// Bytes (`file`, `video`).
    pub size: Option<u64>,
    pub location: Option<Location>,
    pub contact: Option<Contact>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Contact {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone_number: String,
}

/// A file of a message, to fetch from its media address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    pub url: String,
    pub name: String,
    pub size: Option<u64>,
}

/// A client's message.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// Viber's id of the message.
    pub token: String,
    /// Their Viber id (the receiver of our answers).
    pub sender_id: String,
    pub sender_name: String,
    /// Markdown.
    pub text: String,
    pub files: Vec<RemoteFile>,
}

/// What to do with a callback.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Viber checks the webhook's address: answered, nothing else.
    Check,
    Message(Inbound),
    Subscribed {
        user: String,
    },
    Unsubscribed {
        user: String,
    },
    /// Message `token` reached the client, or they saw it.
    Receipt {
        user: String,
        token: String,
        how: Receipt,
    },
    /// Message `token` could not be delivered, for this reason.
    Failed {
        user: String,
        token: String,
        why: String,
    },
    /// Acknowledged and not stored, for this reason (logged).
    Ignored(String),
}

impl Callback {
    /// The callback's message token as text (Viber writes a number).
    pub fn token(&self) -> Option<String> {
        match self.message_token.as_ref()? {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }
}

/// Reads a callback.
pub fn read(callback: &Callback) -> Action {
    let token = callback.token();
    let user_id = callback.user_id.clone().filter(|u| !u.is_empty());
    match (callback.event.as_str(), token, user_id) {
        ("webhook", ..) => Action::Check,
        ("message", Some(token), _) => match (&callback.sender, &callback.message) {
            (Some(sender), Some(message)) => {
                let (text, files) = contents(message);
                Action::Message(Inbound {
                    token,
                    sender_id: sender.id.clone(),
                    sender_name: sender.name.trim().to_string(),
                    text,
                    files,
                })
            }
            _ => Action::Ignored("a message without its sender or contents".into()),
        },
        ("subscribed", ..) => match &callback.user {
            Some(user) => Action::Subscribed { user: user.id.clone() },
            None => Action::Ignored("a subscription without its user".into()),
        },
        ("unsubscribed", _, Some(user)) => Action::Unsubscribed { user },
        ("delivered", Some(token), Some(user)) => Action::Receipt { user, token, how: Receipt::Delivered },
        ("seen", Some(token), Some(user)) => Action::Receipt { user, token, how: Receipt::Seen },
        ("failed", Some(token), Some(user)) => {
            Action::Failed { user, token, why: callback.desc.clone().unwrap_or_default() }
        }
        (event, ..) => Action::Ignored(format!("a {event} callback")),
    }
}

/// The text (markdown) and files of a message.
fn contents(m: &ViberMessage) -> (String, Vec<RemoteFile>) {
    // What the client wrote shows exactly as written.
    let text = m.text.as_deref().map(|t| literal(t.trim(), true)).unwrap_or_default();
    let media = |name: String| {
        m.media.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")).map(|url| RemoteFile {
            url,
            name,
            size: m.size,
        })
    };
    let named = |fallback: &str| m.file_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or(fallback.into());
    let (text, files) = match m.kind.as_str() {
        "text" => (text, Vec::new()),
        "picture" => (text, media(named("photo.jpg")).into_iter().collect()),
        "video" => (text, media(named("video.mp4")).into_iter().collect()),
        "file" => (text, media(named("file")).into_iter().collect()),
        "sticker" => (String::new(), media("sticker.png".into()).into_iter().collect()),
        "location" => match &m.location {
            Some(l) => (el_protocol::markdown::location(None, l.lat, l.lon), Vec::new()),
            None => (String::new(), Vec::new()),
        },
        "contact" => match &m.contact {
            Some(c) => {
                (literal(&format!("📇 Contact: {}, {}", c.name.trim(), c.phone_number.trim()), true), Vec::new())
            }
            None => (String::new(), Vec::new()),
        },
        // A link the client shared: its address is the text.
        "url" => (m.media.as_deref().map(|u| literal(u, true)).unwrap_or(text), Vec::new()),
        _ => (text, Vec::new()),
    };
    if text.is_empty() && files.is_empty() {
        let what = if m.kind.is_empty() { "a message" } else { &m.kind };
        return (format!("(The client sent {}, which External Lines cannot show.)", literal(what, false)), files);
    }
    (text, files)
}

#[cfg(test)]
mod tests;
