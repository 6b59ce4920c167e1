//! A client of the Telegram Bot API (<https://core.telegram.org/bots/api>): the calls
//! External Lines makes, each answering the `result` or a [`Failure`] that says whether
//! trying again can help. The token is part of every URL, so errors never carry URLs.

use crate::messenger_http::{self, lost, Fetch, Lost, TRANSFER_TIMEOUT};
use reqwest::multipart::{Form, Part};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The update types a webhook is registered for.
pub const HANDLED_UPDATES: [&str; 2] = ["message", "edited_message"];
/// Largest file the Bot API lets a bot download.
pub const MAX_DOWNLOAD_BYTES: u64 = 20 * 1024 * 1024;
/// Largest photo `sendPhoto` takes; bigger images go as documents.
pub const MAX_PHOTO_BYTES: u64 = 10 * 1024 * 1024;
/// Longest text of one `sendMessage`, in characters after formatting is parsed.
pub const MAX_TEXT_CHARS: usize = 4096;

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Telegram answered `ok: false`.
    Refused { code: u16, description: String, retry_after: Option<u64> },
    /// Telegram was not reached: nothing was sent.
    Unreachable(String),
    /// The call went out but no answer came back (a timeout, a dropped connection, an
    /// answer that is not the Bot API's): it may or may not have taken effect.
    Unconfirmed(String),
}

impl Failure {
    /// Can the same call succeed later (rate limited, Telegram's own trouble, network)?
    pub fn is_temporary(&self) -> bool {
        match self {
            Failure::Refused { code, .. } => *code == 429 || *code >= 500,
            Failure::Unreachable(_) | Failure::Unconfirmed(_) => true,
        }
    }

    /// Might the call have taken effect although it failed? Then sending it again could
    /// deliver it twice.
    pub fn may_have_arrived(&self) -> bool {
        matches!(self, Failure::Unconfirmed(_))
    }

    /// How long Telegram asked us to wait before calling again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Refused { retry_after: Some(s), .. } => Some(Duration::from_secs(*s)),
            _ => None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused { code, description, .. } => write!(f, "{description} ({code})"),
            Failure::Unreachable(why) => write!(f, "Telegram could not be reached: {why}"),
            Failure::Unconfirmed(why) => write!(f, "Telegram did not answer: {why}"),
        }
    }
}

/// The Bot API's answer envelope.
#[derive(Debug, Deserialize)]
struct Envelope<T> {
    ok: bool,
    result: Option<T>,
    description: Option<String>,
    error_code: Option<u16>,
    parameters: Option<ResponseParameters>,
}

#[derive(Debug, Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
}

/// The bot itself, as `getMe` describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct BotUser {
    pub id: i64,
    pub first_name: String,
    #[serde(default)]
    pub username: String,
}

/// A file ready to download (`getFile`).
#[derive(Debug, Clone, Deserialize)]
pub struct FileInfo {
    pub file_path: Option<String>,
    pub file_size: Option<u64>,
}

/// How Telegram's deliveries to our webhook go (`getWebhookInfo`).
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookInfo {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub pending_update_count: u64,
    /// When the last delivery failed (seconds since the epoch) and why.
    pub last_error_date: Option<i64>,
    pub last_error_message: Option<String>,
}

/// A message the bot sent.
#[derive(Debug, Clone, Deserialize)]
pub struct SentMessage {
    pub message_id: i64,
}

#[derive(Serialize)]
struct SetWebhook<'a> {
    url: &'a str,
    secret_token: &'a str,
    allowed_updates: &'a [&'a str],
    max_connections: u32,
}

#[derive(Serialize)]
struct SendText<'a> {
    chat_id: &'a str,
    text: &'a str,
    parse_mode: &'static str,
    link_preview_options: LinkPreview,
}

#[derive(Serialize)]
struct LinkPreview {
    is_disabled: bool,
}

/// How a file goes out: as a photo (shown inline) or as a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMethod {
    Photo,
    Document,
}

impl FileMethod {
    /// Photos for the image types Telegram shows as photos, if small enough.
    pub fn for_file(content_type: &str, size: u64) -> FileMethod {
        let photo = matches!(content_type, "image/jpeg" | "image/png" | "image/webp") && size <= MAX_PHOTO_BYTES;
        if photo {
            FileMethod::Photo
        } else {
            FileMethod::Document
        }
    }

    fn method_and_field(self) -> (&'static str, &'static str) {
        match self {
            FileMethod::Photo => ("sendPhoto", "photo"),
            FileMethod::Document => ("sendDocument", "document"),
        }
    }
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
            Fetch::Http(code) => Failure::Refused { code, description: format!("HTTP {code}"), retry_after: None },
        }
    }
}

/// The Bot API at one base URL.
#[derive(Clone)]
pub struct BotApi {
    http: reqwest::Client,
    base: String,
}

impl BotApi {
    pub fn new(base: &str) -> BotApi {
        BotApi { http: messenger_http::client(), base: base.trim_end_matches('/').to_string() }
    }

    fn url(&self, token: &str, method: &str) -> String {
        format!("{}/bot{token}/{method}", self.base)
    }

    async fn answer<T: DeserializeOwned>(response: Result<reqwest::Response, reqwest::Error>) -> Result<T, Failure> {
        let response = response.map_err(lost)?;
        let status = response.status().as_u16();
        let bytes = messenger_http::body(response).await?;
        let envelope: Envelope<T> = serde_json::from_slice(&bytes)
            .map_err(|_| Failure::Unconfirmed(format!("an answer that is not the Bot API's (HTTP {status})")))?;
        match (envelope.ok, envelope.result) {
            (true, Some(result)) => Ok(result),
            _ => Err(Failure::Refused {
                code: envelope.error_code.unwrap_or(status),
                description: envelope.description.unwrap_or_else(|| format!("HTTP {status}")),
                retry_after: envelope.parameters.and_then(|p| p.retry_after),
            }),
        }
    }

    async fn call<T: DeserializeOwned, B: Serialize>(&self, token: &str, method: &str, body: &B) -> Result<T, Failure> {
        Self::answer(self.http.post(self.url(token, method)).json(body).send().await).await
    }

    /// The bot the token belongs to.
    pub async fn get_me(&self, token: &str) -> Result<BotUser, Failure> {
        self.call(token, "getMe", &serde_json::json!({})).await
    }

    /// Sends the bot's updates to `url`, each carrying `secret`.
    pub async fn set_webhook(&self, token: &str, url: &str, secret: &str) -> Result<bool, Failure> {
        let body = SetWebhook { url, secret_token: secret, allowed_updates: &HANDLED_UPDATES, max_connections: 40 };
        self.call(token, "setWebhook", &body).await
    }

    /// Stops the updates.
    pub async fn delete_webhook(&self, token: &str) -> Result<bool, Failure> {
        self.call(token, "deleteWebhook", &serde_json::json!({})).await
    }

    /// How deliveries to the bot's webhook go.
    pub async fn get_webhook_info(&self, token: &str) -> Result<WebhookInfo, Failure> {
        self.call(token, "getWebhookInfo", &serde_json::json!({})).await
    }

    /// Where a received file can be downloaded.
    pub async fn get_file(&self, token: &str, file_id: &str) -> Result<FileInfo, Failure> {
        self.call(token, "getFile", &serde_json::json!({ "file_id": file_id })).await
    }

    /// The bytes of a file `get_file` described; `None` when it is over `limit` bytes.
    pub async fn download(&self, token: &str, file_path: &str, limit: u64) -> Result<Option<Vec<u8>>, Failure> {
        let url = format!("{}/file/bot{token}/{file_path}", self.base);
        Ok(messenger_http::download(self.http.get(url), limit).await?)
    }

    /// Sends text in Telegram's HTML formatting.
    pub async fn send_message(&self, token: &str, chat_id: &str, html: &str) -> Result<SentMessage, Failure> {
        let body = SendText {
            chat_id,
            text: html,
            parse_mode: "HTML",
            link_preview_options: LinkPreview { is_disabled: true },
        };
        self.call(token, "sendMessage", &body).await
    }

    /// Uploads a file as a photo or a document.
    pub async fn send_file(
        &self,
        token: &str,
        chat_id: &str,
        how: FileMethod,
        bytes: Vec<u8>,
        name: &str,
        content_type: &str,
    ) -> Result<SentMessage, Failure> {
        let (method, field) = how.method_and_field();
        let part = Part::bytes(bytes).file_name(name.to_string()).mime_str(content_type).map_err(|_| {
            Failure::Refused { code: 400, description: format!("unusable file type {content_type}"), retry_after: None }
        })?;
        let form = Form::new().text("chat_id", chat_id.to_string()).part(field, part);
        let request = self.http.post(self.url(token, method)).multipart(form).timeout(TRANSFER_TIMEOUT);
        Self::answer(request.send().await).await
    }
}
