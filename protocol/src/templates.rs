//! WhatsApp's approved message templates: the only messages WhatsApp delivers to a client
//! more than 24 hours after they last wrote. An operator picks one of the business
//! account's approved templates, fills its numbered variables (`{{1}}`, `{{2}}`...), and
//! the chat shows the message as the client will read it.

use crate::markdown::literal;
use serde::{Deserialize, Serialize};

/// Longest value of one variable, in characters.
pub const MAX_PARAM_CHARS: usize = 1024;

/// An approved template an operator can send: its words with the variables in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsAppTemplate {
    pub name: String,
    /// Its language's code (`en_US`, `uk`).
    pub language: String,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// The body, with `{{1}}`... where the variables go.
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    /// How many variables the body has.
    pub params: usize,
}

impl WhatsAppTemplate {
    /// The body with `params` in place of its variables.
    pub fn filled_body(&self, params: &[String]) -> String {
        let mut body = self.body.clone();
        for (i, value) in params.iter().enumerate() {
            body = body.replace(&format!("{{{{{}}}}}", i + 1), value);
        }
        body
    }

    /// Header, filled body and footer, as the client reads them.
    fn parts(&self, params: &[String]) -> Vec<String> {
        let parts = [self.header.clone(), Some(self.filled_body(params)), self.footer.clone()];
        parts.into_iter().flatten().map(|p| p.trim().to_string()).collect()
    }

    /// The message as the client reads it: header, filled body, footer, a paragraph each.
    pub fn plain_text(&self, params: &[String]) -> String {
        self.parts(params).join("\n\n")
    }

    /// The message as the chat stores it: [`Self::plain_text`] as markdown that shows the
    /// words exactly.
    pub fn message_text(&self, params: &[String]) -> String {
        self.parts(params).iter().map(|p| literal(p, true)).collect::<Vec<_>>().join("\n\n")
    }

    /// What is wrong with `params` for this template, in words, if anything.
    pub fn params_problem(&self, params: &[String]) -> Option<String> {
        if params.len() != self.params {
            return Some(format!("The template “{}” takes {} values, not {}.", self.name, self.params, params.len()));
        }
        params.iter().enumerate().find_map(|(i, p)| param_problem(p).map(|why| format!("Value {}: {why}", i + 1)))
    }
}

/// What WhatsApp would refuse in a variable's value (empty, too long, a line break, a
/// tab, more than four spaces in a row), in words.
pub fn param_problem(value: &str) -> Option<&'static str> {
    if value.trim().is_empty() {
        Some("fill it in.")
    } else if value.chars().count() > MAX_PARAM_CHARS {
        Some("it is longer than 1,024 characters.")
    } else if value.contains(['\n', '\r', '\t']) || value.contains("     ") {
        Some("WhatsApp takes no line breaks, tabs or more than four spaces in a row here.")
    } else {
        None
    }
}

/// Send an approved template to the dialog's WhatsApp client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendTemplate {
    pub name: String,
    pub language: String,
    #[serde(default)]
    pub params: Vec<String>,
    /// The sender's idempotency key, as for any message.
    pub client_msg_id: String,
}

/// What the outbox sends for a template message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCall {
    pub name: String,
    pub language: String,
    pub params: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> WhatsAppTemplate {
        WhatsAppTemplate {
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            header: Some("Order news".into()),
            body: "Hi {{1}}, your order {{2}} is *ready*.".into(),
            footer: Some("Shop Kyiv".into()),
            params: 2,
        }
    }

    #[test]
    fn a_filled_template_reads_as_the_client_sees_it() {
        let t = template();
        let params = vec!["Olena".to_string(), "#1042".to_string()];
        assert_eq!(t.filled_body(&params), "Hi Olena, your order #1042 is *ready*.");
        assert_eq!(t.plain_text(&params), "Order news\n\nHi Olena, your order #1042 is *ready*.\n\nShop Kyiv");
        assert_eq!(t.message_text(&params), "Order news\n\nHi Olena, your order #1042 is \\*ready\\*.\n\nShop Kyiv");
        assert_eq!(t.params_problem(&params), None);
    }

    #[test]
    fn values_whatsapp_would_refuse_are_named() {
        let t = template();
        assert!(t.params_problem(&["Olena".into()]).unwrap().contains("takes 2 values, not 1"));
        let with = |second: &str| t.params_problem(&["Olena".into(), second.into()]);
        assert!(with(" ").unwrap().starts_with("Value 2: fill it in"));
        assert!(with("a\nb").unwrap().contains("line breaks"));
        assert!(with("a     b").unwrap().contains("four spaces"));
        assert!(with(&"x".repeat(1025)).unwrap().contains("1,024"));
    }
}
