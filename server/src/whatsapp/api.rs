//! A client of the WhatsApp Cloud API on Meta's Graph API
//! (<https://developers.facebook.com/docs/whatsapp/cloud-api>): the calls External Lines
//! makes, each answering the result or a [`Failure`] that says whether trying again can
//! help. The access token travels in the `Authorization` header; errors never carry it.

pub use crate::graph_api::{Failure, GraphApi};
use el_protocol::templates::{TemplateCall, WhatsAppTemplate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::Value;

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
    Template { template: Template },
}

impl Content {
    /// An approved template with its body's values.
    pub fn template(call: &TemplateCall) -> Content {
        let parameters: Vec<Value> = call.params.iter().map(|p| json!({ "type": "text", "text": p })).collect();
        let components = match parameters.is_empty() {
            true => Vec::new(),
            false => vec![json!({ "type": "body", "parameters": parameters })],
        };
        Content::Template {
            template: Template {
                name: call.name.clone(),
                language: Language { code: call.language.clone() },
                components,
            },
        }
    }
}

/// A template message (<https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates>).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub name: String,
    pub language: Language,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Language {
    pub code: String,
}

/// A template as the business account's list describes it.
#[derive(Debug, Clone, Deserialize)]
struct ListedTemplate {
    name: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    components: Vec<TemplateComponent>,
}

#[derive(Debug, Clone, Deserialize)]
struct TemplateComponent {
    #[serde(rename = "type")]
    kind: String,
    format: Option<String>,
    text: Option<String>,
    #[serde(default)]
    buttons: Vec<Value>,
}

#[derive(Debug, Clone, Deserialize)]
struct TemplateList {
    #[serde(default)]
    data: Vec<ListedTemplate>,
}

/// Most templates listed.
const MAX_TEMPLATES: usize = 250;

/// The numbered variables of `text` (`{{1}}`, `{{2}}`...), if they are all numbered from
/// 1 without gaps; `None` for named ones, which operators cannot fill here.
fn numbered_params(text: &str) -> Option<usize> {
    let mut found = std::collections::BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let end = rest[start..].find("}}")? + start;
        found.insert(rest[start + 2..end].trim().parse::<usize>().ok()?);
        rest = &rest[end + 2..];
    }
    found.iter().copied().eq(1..=found.len()).then_some(found.len())
}

impl ListedTemplate {
    /// The template as an operator can send it: approved, a text header without
    /// variables (or none), a body with numbered variables, buttons that need no values.
    fn sendable(self) -> Option<WhatsAppTemplate> {
        if self.status != "APPROVED" {
            return None;
        }
        let part = |kind: &str| self.components.iter().find(|c| c.kind.eq_ignore_ascii_case(kind));
        let header = match part("HEADER") {
            Some(h) if h.format.as_deref().is_some_and(|f| f != "TEXT") => return None,
            Some(h) => Some(h.text.clone().filter(|t| !t.contains("{{"))?),
            None => None,
        };
        let body = part("BODY")?.text.clone()?;
        let buttons_need_values =
            part("BUTTONS").is_some_and(|b| b.buttons.iter().any(|b| b.to_string().contains("{{")));
        if buttons_need_values {
            return None;
        }
        let params = numbered_params(&body)?;
        let footer = part("FOOTER").and_then(|f| f.text.clone());
        Some(WhatsAppTemplate {
            name: self.name,
            language: self.language,
            category: self.category,
            header,
            body,
            footer,
            params,
        })
    }
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

    /// The business account's approved templates an operator can send, by name.
    pub async fn templates(&self, token: &str, waba_id: &str) -> Result<Vec<WhatsAppTemplate>, Failure> {
        let url = format!(
            "{}/{waba_id}/message_templates?fields=name,language,status,category,components&status=APPROVED&limit={MAX_TEMPLATES}",
            self.base
        );
        let list: TemplateList = GraphApi::answer(self.http.get(url).bearer_auth(token).send().await).await?;
        let mut templates: Vec<WhatsAppTemplate> = list.data.into_iter().filter_map(ListedTemplate::sendable).collect();
        templates.sort_by(|a, b| (&a.name, &a.language).cmp(&(&b.name, &b.language)));
        Ok(templates)
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
        let call = TemplateCall { name: "order_update".into(), language: "en_US".into(), params: vec!["Olena".into()] };
        assert_eq!(
            serde_json::to_value(Content::template(&call)).unwrap(),
            json!({"type": "template", "template": {"name": "order_update", "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "Olena"}]}]}})
        );
    }

    /// Templates as the business account's list shows them
    /// (<https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates>).
    #[test]
    fn only_templates_an_operator_can_fill_are_offered() {
        let list: TemplateList = serde_json::from_value(json!({ "data": [
            { "name": "order_update", "language": "en_US", "status": "APPROVED", "category": "UTILITY", "components": [
                { "type": "HEADER", "format": "TEXT", "text": "Order news" },
                { "type": "BODY", "text": "Hi {{1}}, your order {{2}} is ready." },
                { "type": "FOOTER", "text": "Shop Kyiv" },
                { "type": "BUTTONS", "buttons": [{ "type": "QUICK_REPLY", "text": "Thanks" }] } ] },
            { "name": "hello", "language": "uk", "status": "APPROVED", "category": "MARKETING", "components": [
                { "type": "BODY", "text": "Вітаємо!" } ] },
            { "name": "pending", "language": "en_US", "status": "PENDING", "category": "UTILITY", "components": [
                { "type": "BODY", "text": "Soon" } ] },
            { "name": "with_image", "language": "en_US", "status": "APPROVED", "category": "MARKETING", "components": [
                { "type": "HEADER", "format": "IMAGE" }, { "type": "BODY", "text": "Look" } ] },
            { "name": "named", "language": "en_US", "status": "APPROVED", "category": "UTILITY", "components": [
                { "type": "BODY", "text": "Hi {{first_name}}" } ] },
            { "name": "track", "language": "en_US", "status": "APPROVED", "category": "UTILITY", "components": [
                { "type": "BODY", "text": "Shipped" },
                { "type": "BUTTONS", "buttons": [{ "type": "URL", "text": "Track", "url": "https://x/{{1}}" }] } ] },
        ] }))
        .unwrap();
        let sendable: Vec<WhatsAppTemplate> = list.data.into_iter().filter_map(ListedTemplate::sendable).collect();
        let names: Vec<&str> = sendable.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["order_update", "hello"]);
        assert_eq!((sendable[0].params, sendable[0].header.as_deref()), (2, Some("Order news")));
        assert_eq!((sendable[1].params, sendable[1].footer.as_deref()), (0, None));
        assert_eq!(numbered_params("{{1}} {{3}}"), None, "a gap");
        assert_eq!(numbered_params("{{2}} {{1}} {{1}}"), Some(2));
    }
}
