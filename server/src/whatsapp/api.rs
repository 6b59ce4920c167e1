//! A client of the WhatsApp Cloud API on Meta's Graph API
//! (<https://developers.facebook.com/docs/whatsapp/cloud-api>): the calls External Lines
//! makes, each answering the result or a [`Failure`] that says whether trying again can
//! help. The access token travels in the `Authorization` header; errors never carry it.

use crate::messenger_http::{self, lost, Fetch, Lost};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Longest text body of one message, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Largest image WhatsApp takes as an image (JPEG, PNG); larger ones go as documents.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// Largest document.
pub const MAX_DOCUMENT_BYTES: u64 = 100 * 1024 * 1024;

/// Graph API error codes we act on
/// (<https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes>).
pub mod code {
    /// The access token expired or was revoked.
    pub const TOKEN: i64 = 190;
    /// More than 24 hours since the client last wrote: only templates are delivered.
    pub const REENGAGEMENT: i64 = 131047;
    /// The message could not reach the client (not on WhatsApp, an old version...).
    pub const UNDELIVERABLE: i64 = 131026;
    /// Temporary trouble on Meta's side.
    pub const SOMETHING_WENT_WRONG: i64 = 131000;
    pub const SERVICE_UNAVAILABLE: i64 = 131016;
    /// Rate limits: the application's, the business account's, the number's, a pair's.
    pub const RATE_LIMITS: [i64; 6] = [4, 80007, 130429, 131056, 131048, 613];
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The Graph API answered with an error.
    Refused { status: u16, code: i64, message: String },
    /// An HTTP error without the Graph API's body (a proxy, Meta's own trouble).
    Http(u16),
    /// Meta was not reached: nothing was sent.
    Unreachable(String),
    /// The call went out but no answer came back: it may or may not have taken effect.
    Unconfirmed(String),
}

impl Failure {
    /// Can the same call succeed later (rate limited, Meta's own trouble, network)?
    pub fn is_temporary(&self) -> bool {
        match self {
            Failure::Refused { status, code, .. } => {
                *status >= 500
                    || code::RATE_LIMITS.contains(code)
                    || matches!(*code, code::SOMETHING_WENT_WRONG | code::SERVICE_UNAVAILABLE)
            }
            Failure::Http(status) => *status == 429 || *status >= 500,
            Failure::Unreachable(_) | Failure::Unconfirmed(_) => true,
        }
    }

    /// Does the token no longer open the number?
    pub fn token_refused(&self) -> bool {
        matches!(self, Failure::Refused { code: code::TOKEN, .. } | Failure::Refused { status: 401, .. })
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused { code, message, .. } => write!(f, "{message} (code {code})"),
            Failure::Http(status) => write!(f, "HTTP {status}"),
            Failure::Unreachable(why) => write!(f, "WhatsApp could not be reached: {why}"),
            Failure::Unconfirmed(why) => write!(f, "WhatsApp did not answer: {why}"),
        }
    }
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: GraphError,
}

#[derive(Debug, Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: i64,
    error_data: Option<ErrorData>,
}

#[derive(Debug, Deserialize)]
struct ErrorData {
    details: Option<String>,
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

impl From<Lost> for Failure {
    fn from(lost: Lost) -> Failure {
        match lost {
            Lost::Unreachable(why) => Failure::Unreachable(why),
            Lost::Unconfirmed(why) => Failure::Unconfirmed(why),
        }
    }
}

impl From<Fetch> for Failure {
    fn from(fetch: Fetch) -> Failure {
        match fetch {
            Fetch::Lost(lost) => lost.into(),
            Fetch::Http(status) => Failure::Http(status),
        }
    }
}

/// The Graph API at one base URL (with its version: `https://graph.facebook.com/v21.0`).
#[derive(Clone)]
pub struct GraphApi {
    http: reqwest::Client,
    base: String,
}

impl GraphApi {
    pub fn new(base: &str) -> GraphApi {
        GraphApi { http: messenger_http::client(), base: base.trim_end_matches('/').to_string() }
    }

    async fn answer<T: DeserializeOwned>(response: Result<reqwest::Response, reqwest::Error>) -> Result<T, Failure> {
        let response = response.map_err(lost)?;
        let status = response.status().as_u16();
        let bytes = messenger_http::body(response).await?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes)
                .map_err(|_| Failure::Unconfirmed("an answer that is not the Graph API's".into()));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(ErrorBody { error }) => {
                let details = error.error_data.and_then(|d| d.details).filter(|d| !d.is_empty());
                let message = match details {
                    Some(details) if details != error.message => format!("{}: {details}", error.message),
                    _ => error.message,
                };
                Err(Failure::Refused { status, code: error.code, message })
            }
            Err(_) => Err(Failure::Http(status)),
        }
    }

    /// The phone number `id`, if the token opens it.
    pub async fn phone_number(&self, token: &str, id: &str) -> Result<PhoneNumber, Failure> {
        let url = format!("{}/{id}?fields=id,display_phone_number,verified_name", self.base);
        Self::answer(self.http.get(url).bearer_auth(token).send().await).await
    }

    /// Sends `content` from number `from` to the WhatsApp user `to`; answers the
    /// message's id (`wamid...`).
    pub async fn send(&self, token: &str, from: &str, to: &str, content: &Content) -> Result<String, Failure> {
        let mut body = serde_json::to_value(content).expect("a message serializes");
        body["messaging_product"] = json!("whatsapp");
        body["recipient_type"] = json!("individual");
        body["to"] = json!(to);
        let url = format!("{}/{from}/messages", self.base);
        let sent: Sent = Self::answer(self.http.post(url).bearer_auth(token).json(&body).send().await).await?;
        sent.messages.into_iter().next().map(|m| m.id).ok_or_else(|| Failure::Unconfirmed("no message id".into()))
    }

    /// Where media `id` a client sent can be downloaded.
    pub async fn media(&self, token: &str, id: &str) -> Result<Media, Failure> {
        Self::answer(self.http.get(format!("{}/{id}", self.base)).bearer_auth(token).send().await).await
    }

    /// The bytes at a media address; `None` when they are over `limit`.
    pub async fn download(&self, token: &str, url: &str, limit: u64) -> Result<Option<Vec<u8>>, Failure> {
        Ok(messenger_http::download(self.http.get(url).bearer_auth(token), limit).await?)
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

    #[test]
    fn failures_say_whether_waiting_helps() {
        let refused = |status, code| Failure::Refused { status, code, message: "x".into() };
        assert!(refused(400, 130429).is_temporary(), "throughput limit");
        assert!(refused(400, 131000).is_temporary());
        assert!(refused(500, 1).is_temporary());
        assert!(!refused(400, code::REENGAGEMENT).is_temporary());
        assert!(refused(401, code::TOKEN).token_refused());
        assert!(!refused(400, code::UNDELIVERABLE).token_refused());
        assert!(Failure::Http(503).is_temporary() && !Failure::Http(404).is_temporary());
    }
}
