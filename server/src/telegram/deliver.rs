//! How one operator message goes out through a bot: the calls it takes (its text in
//! pieces Telegram accepts, then each file), and one call at a time.

use super::bot_api::{Failure, FileMethod, MAX_TEXT_CHARS};
use super::format::{markdown_to_html, split_html};
use super::store::Bot;
use crate::files;
use crate::outbox::carrier::{classify, missing, no_templates, parts, CallFailure, Part, PartFailure};
use crate::AppState;
use el_protocol::api::Message;

/// The calls that deliver `message`, in order: its text as Telegram HTML (split by what
/// Telegram shows, each part balanced; parts that show nothing, such as only an image
/// from elsewhere, are not sent), then each file.
pub fn plan(message: &Message) -> Vec<Part> {
    parts(split_html(&markdown_to_html(&message.text), MAX_TEXT_CHARS), message)
}

/// Makes one call; answers Telegram's id of the message it created.
pub async fn send_part(state: &AppState, bot: &Bot, chat_id: &str, part: &Part) -> Result<String, PartFailure> {
    let api = &state.bot_api;
    let sent = match part {
        Part::Text(html) => api.send_message(&bot.token, chat_id, html).await,
        Part::Template(_) => return Err(no_templates("Telegram")),
        Part::File(file) => {
            let bytes = files::read_bytes(state, &file.id).await.map_err(|_| missing(file))?;
            let how = FileMethod::for_file(&file.content_type, file.size);
            let first = api.send_file(&bot.token, chat_id, how, bytes.clone(), &file.name, &file.content_type).await;
            match first {
                // Telegram takes some images only as documents (their proportions...).
                Err(Failure::Refused { code: 400, .. }) if how == FileMethod::Photo => {
                    api.send_file(&bot.token, chat_id, FileMethod::Document, bytes, &file.name, &file.content_type)
                        .await
                }
                other => other,
            }
        }
    };
    sent.map(|m| m.message_id.to_string()).map_err(|f| classify(&f, reason))
}

impl CallFailure for Failure {
    fn unconfirmed(&self) -> Option<&str> {
        match self {
            Failure::Unconfirmed(why) => Some(why),
            _ => None,
        }
    }

    fn is_temporary(&self) -> bool {
        Failure::is_temporary(self)
    }

    fn retry_after(&self) -> Option<std::time::Duration> {
        Failure::retry_after(self)
    }
}

/// What the operator reads on a message Telegram refused.
pub fn reason(failure: &Failure) -> String {
    match failure {
        Failure::Refused { code: 401, .. } => {
            "Telegram no longer accepts the bot's token: an administrator must connect the bot again.".into()
        }
        Failure::Refused { code: 403, description, .. } if description.contains("blocked") => {
            "Not delivered: the client has blocked the bot.".into()
        }
        Failure::Refused { code: 403, description, .. } if description.contains("deactivated") => {
            "Not delivered: the client's Telegram account was deleted.".into()
        }
        f => format!("Not delivered: Telegram answered “{f}”."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use el_protocol::api::{Attachment, Author};
    use el_protocol::{DialogId, MessageId, UserId};

    fn message(text: &str, files: usize) -> Message {
        Message {
            id: MessageId(1),
            dialog_id: DialogId(1),
            author: Author::Operator { user_id: UserId(1), name: "Anna".into() },
            text: text.into(),
            created_at: 0,
            client_msg_id: None,
            attachments: (0..files)
                .map(|i| Attachment {
                    id: format!("file{i}"),
                    name: format!("f{i}.png"),
                    content_type: "image/png".into(),
                    size: 10,
                })
                .collect(),
            record: None,
            delivery: None,
            edit: None,
            notice: None,
        }
    }

    #[test]
    fn text_goes_first_then_each_file() {
        let parts = plan(&message("**Hi**", 2));
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], Part::Text("<b>Hi</b>".into()));
        assert!(matches!(&parts[2], Part::File(f) if f.id == "file1"));
        assert_eq!(plan(&message("", 1)).len(), 1, "files alone need no text call");
        let long = "word ".repeat(2000);
        let parts = plan(&message(&long, 0));
        assert_eq!(parts.len(), 3, "10,000 characters take three messages");
        assert!(parts.iter().all(|p| matches!(p, Part::Text(t) if t.chars().count() <= MAX_TEXT_CHARS)));
        assert!(plan(&message("![](https://tracker.example/p.gif)", 0)).is_empty(), "nothing to show: no call");
    }

    #[test]
    fn refusals_read_as_reasons() {
        let refused = |code, d: &str| Failure::Refused { code, description: d.into(), retry_after: None };
        assert_eq!(
            reason(&refused(403, "Forbidden: bot was blocked by the user")),
            "Not delivered: the client has blocked the bot."
        );
        assert!(reason(&refused(400, "Bad Request: chat not found")).contains("chat not found"));
        assert!(reason(&refused(401, "Unauthorized")).contains("connect the bot again"));
    }

    #[test]
    fn failures_are_retried_refused_or_left_to_the_operator() {
        let classify = |f: &Failure| classify(f, reason);
        let limited = Failure::Refused { code: 429, description: "Too Many Requests".into(), retry_after: Some(7) };
        assert!(matches!(
            classify(&limited),
            PartFailure::Temporary { retry_after: Some(d), .. } if d == std::time::Duration::from_secs(7)
        ));
        let down = Failure::Refused { code: 502, description: "Bad Gateway".into(), retry_after: None };
        assert!(matches!(classify(&down), PartFailure::Temporary { retry_after: None, .. }));
        assert!(matches!(classify(&Failure::Unreachable("refused".into())), PartFailure::Temporary { .. }));
        assert!(matches!(classify(&Failure::Unconfirmed("timeout".into())), PartFailure::Unconfirmed(_)));
        let blocked = Failure::Refused {
            code: 403,
            description: "Forbidden: bot was blocked by the user".into(),
            retry_after: None,
        };
        assert_eq!(classify(&blocked), PartFailure::Refused("Not delivered: the client has blocked the bot.".into()));
    }
}
