//! The Messenger Platform's calls on Meta's Graph API, for a Facebook Page and the
//! Instagram professional account linked to it
//! (<https://developers.facebook.com/docs/messenger-platform/reference/send-api>,
//! <https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message>).
//! The page's access token travels in the `Authorization` header; errors never carry it.

pub use crate::graph_api::{Failure, GraphApi};
use el_protocol::api::ChannelKind;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Longest text of one Messenger message, in characters.
pub const MAX_MESSENGER_CHARS: usize = 2000;
/// Longest text of one Instagram message, in bytes of UTF-8.
pub const MAX_INSTAGRAM_BYTES: usize = 1000;
/// Largest file Messenger takes.
pub const MAX_MESSENGER_FILE_BYTES: u64 = 25 * 1024 * 1024;
/// Largest picture Instagram takes; videos and audio may be as large as Messenger's files.
pub const MAX_INSTAGRAM_IMAGE_BYTES: u64 = 8 * 1024 * 1024;

/// Messenger Platform error codes we act on
/// (<https://developers.facebook.com/docs/messenger-platform/error-codes>).
pub mod code {
    /// With [`OUTSIDE_WINDOW`] or [`OUTSIDE_WINDOW_INSTAGRAM`]: sent outside the 24 hours.
    pub const PERMISSION: i64 = 10;
    pub const OUTSIDE_WINDOW: i64 = 2018278;
    pub const OUTSIDE_WINDOW_INSTAGRAM: i64 = 2534022;
    /// The person is not available (blocked the page, deactivated...).
    pub const UNAVAILABLE: i64 = 551;
}

/// The Facebook Page a token opens, with its linked Instagram account.
#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub username: Option<String>,
    pub instagram_business_account: Option<InstagramAccount>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstagramAccount {
    pub id: String,
    #[serde(default)]
    pub username: String,
}

/// The app a token belongs to.
#[derive(Debug, Clone, Deserialize)]
pub struct App {
    pub id: String,
}

/// A person's profile as the page may read it (Messenger's or Instagram's fields).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Profile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    pub username: Option<String>,
}

impl Profile {
    /// Their name, as they show it.
    pub fn full_name(&self) -> Option<String> {
        let parts = [self.first_name.as_deref(), self.last_name.as_deref()];
        let joined = parts.into_iter().flatten().map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>();
        let name = if joined.is_empty() { self.name.clone()? } else { joined.join(" ") };
        Some(name.trim().to_string()).filter(|n| !n.is_empty())
    }
}

/// What a message holds: text, or one file Meta fetches from our address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Content {
    Text { text: String },
    Attachment { attachment: Attachment },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// `image`, `video`, `audio` or `file`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub payload: AttachmentPayload,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentPayload {
    pub url: String,
    pub is_reusable: bool,
}

#[derive(Debug, Deserialize)]
struct Sent {
    message_id: String,
}

#[derive(Debug, Deserialize)]
struct Done {
    #[serde(default)]
    success: bool,
}

/// The webhook fields a page subscribes our app to.
const SUBSCRIBED_FIELDS: &str =
    "messages,message_echoes,message_deliveries,message_reads,messaging_postbacks,message_reactions";

impl GraphApi {
    /// The page the token opens, with its linked Instagram professional account.
    pub async fn page(&self, token: &str) -> Result<Page, Failure> {
        let url = format!("{}/me?fields=id,name,username,instagram_business_account{{id,username}}", self.base);
        GraphApi::answer(self.http.get(url).bearer_auth(token).send().await).await
    }

    /// The app the token belongs to.
    pub async fn app(&self, token: &str) -> Result<App, Failure> {
        GraphApi::answer(self.http.get(format!("{}/app", self.base)).bearer_auth(token).send().await).await
    }

    /// Has Meta deliver the page's messaging events to the app's webhook.
    pub async fn subscribe_page(&self, token: &str, page_id: &str) -> Result<(), Failure> {
        let url = format!("{}/{page_id}/subscribed_apps", self.base);
        let body = json!({ "subscribed_fields": SUBSCRIBED_FIELDS });
        let done: Done = GraphApi::answer(self.http.post(url).bearer_auth(token).json(&body).send().await).await?;
        match done.success {
            true => Ok(()),
            false => Err(Failure::Unconfirmed("Meta did not confirm the subscription".into())),
        }
    }

    /// The name of the person `id` writing to the page in `kind`.
    pub async fn profile(&self, token: &str, kind: ChannelKind, id: &str) -> Result<Profile, Failure> {
        let fields = match kind {
            ChannelKind::Instagram => "name,username",
            _ => "first_name,last_name",
        };
        let url = format!("{}/{id}?fields={fields}", self.base);
        GraphApi::answer(self.http.get(url).bearer_auth(token).send().await).await
    }

    /// Sends `content` from the page to the person `to` as an answer to them (within
    /// the 24 hours after they wrote); answers the message's id.
    pub async fn send_from_page(
        &self,
        token: &str,
        page_id: &str,
        to: &str,
        content: &Content,
    ) -> Result<String, Failure> {
        let body = json!({ "recipient": { "id": to }, "messaging_type": "RESPONSE", "message": content });
        let url = format!("{}/{page_id}/messages", self.base);
        let sent: Sent = GraphApi::answer(self.http.post(url).bearer_auth(token).json(&body).send().await).await?;
        Ok(sent.message_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_written_as_the_send_api_reads_them() {
        assert_eq!(serde_json::to_value(Content::Text { text: "Hi".into() }).unwrap(), json!({"text": "Hi"}));
        let file = Content::Attachment {
            attachment: Attachment {
                kind: "file",
                payload: AttachmentPayload { url: "https://x/a.pdf".into(), is_reusable: false },
            },
        };
        assert_eq!(
            serde_json::to_value(file).unwrap(),
            json!({"attachment": {"type": "file", "payload": {"url": "https://x/a.pdf", "is_reusable": false}}})
        );
    }

    #[test]
    fn profiles_name_people_as_they_show_themselves() {
        let fb = Profile { first_name: Some("Olena".into()), last_name: Some("Koval".into()), ..Default::default() };
        assert_eq!(fb.full_name().as_deref(), Some("Olena Koval"));
        let ig = Profile { name: Some(" ".into()), username: Some("olena.k".into()), ..Default::default() };
        assert_eq!(ig.full_name(), None);
        let named = Profile { name: Some("Olena K".into()), ..Default::default() };
        assert_eq!(named.full_name().as_deref(), Some("Olena K"));
    }
}
