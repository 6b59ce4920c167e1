//! A client of the WhatsApp Cloud API on Meta's Graph API
//! (<https://developers.facebook.com/docs/whatsapp/cloud-api>): the calls External Lines
//! makes, each answering the result or a [`Failure`] that says whether trying again can
//! help. The access token travels in the `Authorization` header; errors never carry it.

pub use crate::graph_api::{Failure, GraphApi};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Longest text body of one message, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Largest image WhatsApp takes as an image (JPEG, PNG); larger ones go as documents.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// Largest document.
pub const MAX_DOCUMENT_BYTES: u64 = 100 * 1024 * 1024;

/// Graph API error codes of the Cloud API we act on
/// (<https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes>).
pub mod code {
    /// More than 24 hours since the client last wrote: only templates are delivered.
    pub const REENGAGEMENT: i64 = 131047;
    /// The message could not reach the client (not on WhatsApp, an old version...).
    pub const UNDELIVERABLE: i64 = 131026;
}

/// A business phone number, as the Graph API describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct PhoneNumber {
    pub id: String,
    #[serde(default)]
    pub display_phone_number: String,
    #[serde(default)]
    pub verified_name: String,
}

/// A message the number sent.
#[derive(Debug, Clone, Deserialize)]
struct Sent {
    messages: Vec<SentMessage>,
}

#[derive(Debug, Clone, Deserialize)]
struct SentMessage {
    id: String,
}

/// Where a received media file can be downloaded.
#[derive(Debug, Clone, Deserialize)]
pub struct Media {
    pub url: String,
    pub file_size: Option<u64>,
}

/// What a message says, by its type (the Cloud API's message object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text { text: Text },
    Image { image: Link },
    Document { document: Link },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    pub body: String,
    pub preview_url: bool,
}

/// A file WhatsApp fetches from our address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub link: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

impl GraphApi {
    /// The phone number `id`, if the token opens it.
    pub async fn phone_number(&self, token: &str, id: &str) -> Result<PhoneNumber, Failure> {
        let url = format!("{}/{id}?fields=id,display_phone_number,verified_name", self.base);
        GraphApi::answer(self.http.get(url).bearer_auth(token).send().await).await
    }

    /// Sends `content` from number `from` to the WhatsApp user `to`; answers the
    /// message's id (`wamid...`).
    pub async fn send(&self, token: &str, from: &str, to: &str, content: &Content) -> Result<String, Failure> {
        let mut body = serde_json::to_value(content).expect("a message serializes");
        body["messaging_product"] = json!("whatsapp");
        body["recipient_type"] = json!("individual");
        body["to"] = json!(to);
        let url = format!("{}/{from}/messages", self.base);
        let sent: Sent = GraphApi::answer(self.http.post(url).bearer_auth(token).json(&body).send().await).await?;
        sent.messages.into_iter().next().map(|m| m.id).ok_or_else(|| Failure::Unconfirmed("no message id".into()))
    }

    /// Where media `id` a client sent can be downloaded.
    pub async fn media(&self, token: &str, id: &str) -> Result<Media, Failure> {
        GraphApi::answer(self.http.get(format!("{}/{id}", self.base)).bearer_auth(token).send().await).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_written_as_the_cloud_api_reads_them() {
        let text = Content::Text { text: Text { body: "Hi".into(), preview_url: false } };
        assert_eq!(
            serde_json::to_value(&text).unwrap(),
            json!({"type": "text", "text": {"body": "Hi", "preview_url": false}})
        );
        let doc =
            Content::Document { document: Link { link: "https://x/a.pdf".into(), filename: Some("a.pdf".into()) } };
        assert_eq!(
            serde_json::to_value(&doc).unwrap(),
            json!({"type": "document", "document": {"link": "https://x/a.pdf", "filename": "a.pdf"}})
        );
        let image = Content::Image { image: Link { link: "https://x/a.png".into(), filename: None } };
        assert_eq!(
            serde_json::to_value(&image).unwrap(),
            json!({"type": "image", "image": {"link": "https://x/a.png"}})
        );
    }
}
