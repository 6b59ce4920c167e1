//! What a Messenger Platform notification says (a Facebook Page's, `object: "page"`, or an
//! Instagram account's, `object: "instagram"`), read into what External Lines does with
//! it: clients' messages (text exactly as written, attachments to fetch, quick replies,
//! postbacks, reactions, replies, Instagram's story replies and mentions), the page's
//! own messages (echoes), and deliveries and reads of ours. The shapes are the webhook
//! events' reference (<https://developers.facebook.com/docs/messenger-platform/reference/webhook-events>)
//! and Instagram's (<https://developers.facebook.com/docs/instagram-platform/webhooks/examples>).

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
    /// The page's id, or the Instagram account's.
    pub id: String,
    #[serde(default)]
    pub messaging: Vec<Event>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub sender: Party,
    pub recipient: Party,
    #[serde(default)]
    pub timestamp: i64,
    pub message: Option<EventMessage>,
    pub delivery: Option<Delivery>,
    pub read: Option<Read>,
    pub reaction: Option<Reaction>,
    pub postback: Option<Postback>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Party {
    #[serde(default)]
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventMessage {
    pub mid: String,
    pub text: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentIn>,
    pub reply_to: Option<ReplyTo>,
    #[serde(default)]
    pub is_echo: bool,
    /// The app that sent an echoed message (a number in Meta's examples).
    pub app_id: Option<Value>,
    #[serde(default)]
    pub is_deleted: bool,
    #[serde(default)]
    pub is_unsupported: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AttachmentIn {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub payload: Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReplyTo {
    pub mid: Option<String>,
    pub story: Option<Story>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Story {
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Delivery {
    #[serde(default)]
    pub mids: Vec<String>,
    pub watermark: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Read {
    pub watermark: Option<i64>,
    /// Instagram's `messaging_seen` names the message.
    pub mid: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reaction {
    #[serde(default)]
    pub mid: String,
    #[serde(default)]
    pub action: String,
    pub emoji: Option<String>,
    pub reaction: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Postback {
    pub mid: Option<String>,
    #[serde(default)]
    pub title: String,
}

/// A file of a client's message, at a Meta address (fetched without a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    pub url: String,
    pub name: String,
}

/// A client's message.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub mid: String,
    /// Their id as the page knows them (page- or Instagram-scoped).
    pub from: String,
    /// Markdown.
    pub text: String,
    pub files: Vec<RemoteFile>,
    /// The message this one answers or reacts to, quoted when it is known.
    pub about: Option<String>,
}

/// One thing a notification says, for the page or Instagram account it names.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Message(Inbound),
    /// The page's own message to `to`, sent by the app `app_id` (ours, or another
    /// inbox: Meta Business Suite, the Instagram app).
    Echo {
        mid: String,
        to: String,
        text: String,
        app_id: Option<String>,
    },
    /// The client's messenger received our messages: these, or all up to `watermark`.
    Delivered {
        from: String,
        mids: Vec<String>,
        watermark: Option<i64>,
    },
    /// The client read our messages up to `mid`, or all up to `watermark`.
    Read {
        from: String,
        mid: Option<String>,
        watermark: Option<i64>,
    },
    /// Acknowledged and not stored, for this reason (logged).
    Ignored(String),
}

/// Reads a notification: each event with the id of the page or account it is for.
pub fn read(notification: &Notification) -> Vec<(String, Item)> {
    let mut items = Vec::new();
    for entry in &notification.entry {
        for event in &entry.messaging {
            items.push((entry.id.clone(), event_item(event)));
        }
    }
    items
}

fn event_item(e: &Event) -> Item {
    let from = e.sender.id.clone();
    if let Some(m) = &e.message {
        return message_item(m, from, &e.recipient.id);
    }
    if let Some(d) = &e.delivery {
        return Item::Delivered { from, mids: d.mids.clone(), watermark: d.watermark };
    }
    if let Some(r) = &e.read {
        return Item::Read { from, mid: r.mid.clone(), watermark: r.watermark };
    }
    if let Some(r) = &e.reaction {
        if r.action == "unreact" {
            return Item::Ignored("a reaction removed".into());
        }
        let emoji = r.emoji.clone().or_else(|| r.reaction.clone()).unwrap_or_else(|| "❤".into());
        let mid = format!("{}:reaction:{}", r.mid, e.timestamp);
        let text = literal(&format!("Reacted {emoji}"), true);
        let about = Some(r.mid.clone()).filter(|m| !m.is_empty());
        return Item::Message(Inbound { mid, from, text, files: Vec::new(), about });
    }
    if let Some(p) = &e.postback {
        // A button of the page's own menu or messages: what it says is the client's answer.
        let mid = p.mid.clone().unwrap_or_else(|| format!("postback:{from}:{}", e.timestamp));
        let text = literal(p.title.trim(), true);
        return Item::Message(Inbound { mid, from, text, files: Vec::new(), about: None });
    }
    Item::Ignored("an event of another kind".into())
}

fn message_item(m: &EventMessage, from: String, to: &str) -> Item {
    if m.is_deleted {
        return Item::Ignored("a message the client took back".into());
    }
    let plain = |t: &str| literal(t.trim(), true);
    let mut lines: Vec<String> = Vec::new();
    let mut files = Vec::new();
    if let Some(story) = m.reply_to.as_ref().and_then(|r| r.story.as_ref()) {
        lines.push(format!("↩ {}", linked("In reply to your story", story.url.as_deref())));
    }
    if let Some(text) = m.text.as_deref().filter(|t| !t.trim().is_empty()) {
        lines.push(plain(text));
    }
    for a in &m.attachments {
        // Files are fetched from where the signed notification says (Meta's CDN).
        let url = a
            .payload
            .get("url")
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        let title = a.payload.get("title").and_then(Value::as_str).unwrap_or_default();
        match (a.kind.as_str(), url) {
            ("image" | "video" | "audio" | "file" | "sticker" | "animated_image", Some(url)) => {
                files.push(RemoteFile { url: url.to_string(), name: file_name(&a.kind, url) });
            }
            ("story_mention", url) => {
                lines.push(linked("Mentioned you in their story", url));
                files.extend(url.map(|url| RemoteFile { url: url.to_string(), name: "story.jpg".into() }));
            }
            ("location", _) => lines.push(shared_location(&a.payload, title)),
            ("share" | "ig_reel" | "reel" | "fallback" | "template" | "ig_post", url) => {
                let what = if title.is_empty() { "Shared a link" } else { title };
                lines.push(linked(what, url));
            }
            (kind, _) => lines.push(format!(
                "(The client sent {}, which External Lines cannot show.)",
                literal(if kind.is_empty() { "an attachment" } else { kind }, false)
            )),
        }
    }
    if m.is_unsupported && lines.is_empty() && files.is_empty() {
        lines.push("(The client sent a message their messenger does not hand over.)".into());
    }
    let text = lines.join("\n\n");
    if m.is_echo {
        let app_id = m.app_id.as_ref().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
        return Item::Echo { mid: m.mid.clone(), to: to.to_string(), text, app_id };
    }
    if text.is_empty() && files.is_empty() {
        return Item::Message(Inbound {
            mid: m.mid.clone(),
            from,
            text: "(The client sent a message External Lines cannot show.)".into(),
            files,
            about: None,
        });
    }
    let about = m.reply_to.as_ref().and_then(|r| r.mid.clone());
    Item::Message(Inbound { mid: m.mid.clone(), from, text, files, about })
}

/// `words`, linked to `url` when it is a plain HTTPS address.
fn linked(words: &str, url: Option<&str>) -> String {
    let safe = url.filter(|u| u.starts_with("https://") && !u.contains(|c: char| c.is_whitespace() || c == '>'));
    match safe {
        Some(url) => format!("[{}](<{url}>)", literal(words, true)),
        None => literal(words, true),
    }
}

/// A file's name: the last part of its address's path, else one for its kind.
fn file_name(kind: &str, url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    let decoded = last.replace("%20", " ");
    let plausible = decoded.contains('.') && decoded.len() <= 120 && kind == "file";
    if plausible {
        return decoded;
    }
    match kind {
        "image" | "animated_image" => "photo.jpg",
        "video" => "video.mp4",
        "audio" => "audio.mp4",
        "sticker" => "sticker.png",
        _ => "file",
    }
    .to_string()
}

/// A shared location (Messenger's older `coordinates` payload).
fn shared_location(payload: &Value, title: &str) -> String {
    let lat = payload.pointer("/coordinates/lat").and_then(Value::as_f64);
    let lon = payload.pointer("/coordinates/long").and_then(Value::as_f64);
    match (lat, lon) {
        (Some(lat), Some(lon)) => location(Some(title), lat, lon),
        _ => format!("📍 Location: {}", literal(title, false)),
    }
}

#[cfg(test)]
mod tests;
