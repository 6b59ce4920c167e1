//! A client of Viber's REST bot API (<https://developers.viber.com/docs/api/rest-bot-api/>):
//! the calls External Lines makes, each answering Viber's answer or a [`Failure`] that
//! says whether trying again can help. The token travels in the `X-Viber-Auth-Token`
//! header; errors never carry it.

use crate::messenger_http::{self, lost, Fetch, Lost};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The callbacks a webhook is registered for (`webhook` and `message` always come;
/// `conversation_started` is left out: nobody has written yet).
pub const EVENT_TYPES: [&str; 5] = ["delivered", "seen", "failed", "subscribed", "unsubscribed"];
/// Longest text of one text message, in characters.
pub const MAX_TEXT_CHARS: usize = 7000;
/// Largest image sent as a picture (Viber's limit on iOS); larger ones go as files.
pub const MAX_PICTURE_BYTES: u64 = 1024 * 1024;
/// Largest file a file message may carry.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Longest sender name Viber shows.
const MAX_SENDER_CHARS: usize = 28;

/// Viber's status codes we act on (<https://creators.viber.com/docs/bots-api/errors>).
pub mod status {
    pub const INVALID_AUTH_TOKEN: i64 = 2;
    pub const RECEIVER_NOT_REGISTERED: i64 = 5;
    pub const RECEIVER_NOT_SUBSCRIBED: i64 = 6;
    pub const ACCOUNT_BLOCKED: i64 = 7;
    pub const ACCOUNT_NOT_FOUND: i64 = 8;
    pub const ACCOUNT_SUSPENDED: i64 = 9;
    pub const WEBHOOK_NOT_SET: i64 = 10;
    pub const NO_SUITABLE_DEVICE: i64 = 11;
    pub const TOO_MANY_REQUESTS: i64 = 12;
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Viber answered with a status other than 0.
    Refused { status: i64, message: String },
    /// An HTTP error instead of Viber's answer (a proxy, Viber's own trouble).
    Http(u16),
    /// Viber was not reached: nothing was sent.
    Unreachable(String),
    /// The call went out but no answer came back: it may or may not have taken effect.
    Unconfirmed(String),
}

impl Failure {
    /// Can the same call succeed later (rate limited, Viber's own trouble, network)?
    pub fn is_temporary(&self) -> bool {
        match self {
            Failure::Refused { status, .. } => *status == status::TOO_MANY_REQUESTS,
            Failure::Http(code) => *code == 429 || *code >= 500,
            Failure::Unreachable(_) | Failure::Unconfirmed(_) => true,
        }
    }

    /// Does the token no longer open the bot?
    pub fn token_refused(&self) -> bool {
        matches!(
            self,
            Failure::Refused {
                status: status::INVALID_AUTH_TOKEN
                    | status::ACCOUNT_NOT_FOUND
                    | status::ACCOUNT_BLOCKED
                    | status::ACCOUNT_SUSPENDED,
                ..
            } | Failure::Http(401)
        )
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused { status, message } => write!(f, "{message} (status {status})"),
            Failure::Http(code) => write!(f, "HTTP {code}"),
            Failure::Unreachable(why) => write!(f, "Viber could not be reached: {why}"),
            Failure::Unconfirmed(why) => write!(f, "Viber did not answer: {why}"),
        }
    }
}

/// What every answer carries.
#[derive(Debug, Deserialize)]
struct Status {
    status: i64,
    #[serde(default)]
    status_message: String,
}

/// The bot, as `get_account_info` describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct AccountInfo {
    /// Viber's id of the bot (`pa:...`).
    pub id: String,
    pub name: String,
    /// The bot's chat URI (`viber://pa?chatURI=...`).
    #[serde(default)]
    pub uri: String,
    /// Where Viber delivers its callbacks now.
    #[serde(default)]
    pub webhook: String,
}

/// A message the bot sent.
#[derive(Debug, Clone, Deserialize)]
pub struct SentMessage {
    /// Viber's id of the message; its receipts name it.
    pub message_token: i64,
}

#[derive(Serialize)]
struct SetWebhook<'a> {
    url: &'a str,
    event_types: &'a [&'a str],
    send_name: bool,
    send_photo: bool,
}

/// What a message says, by its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text { text: String },
    Picture { text: String, media: String },
    File { media: String, size: u64, file_name: String },
}

#[derive(Serialize)]
struct SendMessage<'a> {
    receiver: &'a str,
    sender: Sender<'a>,
    #[serde(flatten)]
    content: &'a Content,
}

#[derive(Serialize)]
struct Sender<'a> {
    name: &'a str,
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
            Fetch::Http(code) => Failure::Http(code),
        }
    }
}

/// The REST bot API at one base URL.
#[derive(Clone)]
pub struct ViberApi {
    http: reqwest::Client,
    base: String,
}

impl ViberApi {
    pub fn new(base: &str) -> ViberApi {
        ViberApi { http: messenger_http::client(), base: base.trim_end_matches('/').to_string() }
    }

    async fn call<T: DeserializeOwned, B: Serialize>(&self, token: &str, method: &str, body: &B) -> Result<T, Failure> {
        let url = format!("{}/pa/{method}", self.base);
        let response = self.http.post(url).header("X-Viber-Auth-Token", token).json(body).send().await.map_err(lost)?;
        let code = response.status().as_u16();
        let bytes = messenger_http::body(response).await?;
        let Ok(status) = serde_json::from_slice::<Status>(&bytes) else {
            return Err(if code == 200 {
                Failure::Unconfirmed("an answer that is not Viber's".into())
            } else {
                Failure::Http(code)
            });
        };
        if status.status != 0 {
            return Err(Failure::Refused { status: status.status, message: status.status_message });
        }
        serde_json::from_slice(&bytes).map_err(|_| Failure::Unconfirmed("an answer that is not Viber's".into()))
    }

    /// The bot the token belongs to, and where its callbacks go.
    pub async fn account_info(&self, token: &str) -> Result<AccountInfo, Failure> {
        self.call(token, "get_account_info", &serde_json::json!({})).await
    }

    /// Sends the bot's callbacks to `url`. Viber checks the address at once with a
    /// signed `webhook` callback, which must be answered for this to succeed.
    pub async fn set_webhook(&self, token: &str, url: &str) -> Result<(), Failure> {
        let body = SetWebhook { url, event_types: &EVENT_TYPES, send_name: true, send_photo: false };
        self.call::<serde_json::Value, _>(token, "set_webhook", &body).await.map(drop)
    }

    /// Stops the callbacks (an empty webhook address).
    pub async fn remove_webhook(&self, token: &str) -> Result<(), Failure> {
        self.call::<serde_json::Value, _>(token, "set_webhook", &serde_json::json!({ "url": "" })).await.map(drop)
    }

    /// Sends `content` to the subscriber `receiver` as `sender` (the bot's name).
    pub async fn send_message(
        &self,
        token: &str,
        receiver: &str,
        sender: &str,
        content: &Content,
    ) -> Result<SentMessage, Failure> {
        let name: String = sender.chars().take(MAX_SENDER_CHARS).collect();
        self.call(token, "send_message", &SendMessage { receiver, sender: Sender { name: &name }, content }).await
    }

    /// The bytes at a callback's media address; `None` when they are over `limit`.
    pub async fn download(&self, url: &str, limit: u64) -> Result<Option<Vec<u8>>, Failure> {
        Ok(messenger_http::download(self.http.get(url), limit).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_written_as_viber_reads_them() {
        let content = Content::File { media: "https://x/f.pdf".into(), size: 10, file_name: "f.pdf".into() };
        let body =
            serde_json::to_value(SendMessage { receiver: "u1", sender: Sender { name: "Shop" }, content: &content })
                .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"receiver": "u1", "sender": {"name": "Shop"}, "type": "file",
                "media": "https://x/f.pdf", "size": 10, "file_name": "f.pdf"})
        );
    }

    #[test]
    fn failures_say_whether_waiting_helps() {
        let refused = |status| Failure::Refused { status, message: "x".into() };
        assert!(refused(status::TOO_MANY_REQUESTS).is_temporary());
        assert!(!refused(status::RECEIVER_NOT_SUBSCRIBED).is_temporary());
        assert!(Failure::Http(503).is_temporary() && !Failure::Http(404).is_temporary());
        assert!(refused(status::INVALID_AUTH_TOKEN).token_refused());
        assert!(!refused(status::RECEIVER_NOT_REGISTERED).token_refused());
    }
}
