//! How one operator message goes out through a Viber bot: its text in Viber's
//! formatting, in pieces Viber takes, then each file (a picture, or a file message),
//! which Viber fetches from a signed address of ours.

use super::api::{status, Content, Failure, MAX_FILE_BYTES, MAX_PICTURE_BYTES, MAX_TEXT_CHARS};
use super::format::markdown_to_viber;
use super::store::Bot;
use crate::media_links;
use crate::outbox::carrier::{classify, no_templates, parts, CallFailure, Part, PartFailure};
use crate::outbox::markup::split_text;
use crate::AppState;
use el_protocol::api::{human_size, Attachment, Message};

/// The calls that deliver `message`, in order: its text (parts that show nothing, such
/// as only an image from elsewhere, are not sent), then each file.
pub fn plan(message: &Message) -> Vec<Part> {
    parts(split_text(&markdown_to_viber(&message.text), MAX_TEXT_CHARS), message)
}

/// What a file is sent as: a picture Viber shows, or a file to download.
fn file_content(file: &Attachment, media: String) -> Result<Content, PartFailure> {
    let picture = matches!(file.content_type.as_str(), "image/jpeg" | "image/png" | "image/gif");
    if picture && file.size <= MAX_PICTURE_BYTES {
        return Ok(Content::Picture { text: String::new(), media });
    }
    if file.size > MAX_FILE_BYTES {
        return Err(PartFailure::Refused(format!(
            "Not delivered: “{}” is larger than {}, the most Viber takes.",
            file.name,
            human_size(MAX_FILE_BYTES)
        )));
    }
    Ok(Content::File { media, size: file.size, file_name: file.name.clone() })
}

/// Makes one call; answers Viber's token of the message it created.
pub async fn send_part(state: &AppState, bot: &Bot, receiver: &str, part: &Part) -> Result<String, PartFailure> {
    let content = match part {
        Part::Text(text) => Content::Text { text: text.clone() },
        Part::Template(_) => return Err(no_templates("Viber")),
        Part::File(file) => {
            let public = state.config.public_address().ok_or_else(|| {
                PartFailure::Refused(
                    "Not delivered: the server does not know its public address (PUBLIC_URL), so Viber cannot \
                     fetch the file."
                        .into(),
                )
            })?;
            file_content(file, media_links::address(&public, &bot.key, &bot.token, &file.id, &file.name))?
        }
    };
    let sent = state.viber_api.send_message(&bot.token, receiver, &bot.name, &content).await;
    sent.map(|m| m.message_token.to_string()).map_err(|f| classify(&f, reason))
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
}

/// What the operator reads on a message Viber refused.
pub fn reason(failure: &Failure) -> String {
    match failure {
        f if f.token_refused() => {
            "Viber no longer accepts the bot's token: an administrator must connect the bot again.".into()
        }
        Failure::Refused { status: status::RECEIVER_NOT_SUBSCRIBED, .. } => {
            "Not delivered: the client has unsubscribed from the bot.".into()
        }
        Failure::Refused { status: status::RECEIVER_NOT_REGISTERED, .. } => {
            "Not delivered: the client's Viber account no longer exists.".into()
        }
        Failure::Refused { status: status::NO_SUITABLE_DEVICE, .. } => {
            "Not delivered: the client's Viber cannot show it (an old version or an unsupported device).".into()
        }
        Failure::Refused { status: status::WEBHOOK_NOT_SET, .. } => {
            "Viber no longer delivers this bot's messages to us: an administrator must connect the bot again.".into()
        }
        f => format!("Not delivered: Viber answered “{f}”."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content_type: &str, size: u64) -> Attachment {
        Attachment { id: "f1".into(), name: "a.png".into(), content_type: content_type.into(), size }
    }

    #[test]
    fn small_images_are_pictures_and_the_rest_files() {
        let media = || "https://x/a.png".to_string();
        assert!(matches!(file_content(&file("image/png", 1000), media()), Ok(Content::Picture { .. })));
        assert!(
            matches!(file_content(&file("image/png", 2 << 20), media()), Ok(Content::File { size, .. }) if size == 2 << 20)
        );
        assert!(matches!(file_content(&file("image/webp", 1000), media()), Ok(Content::File { .. })));
        assert!(matches!(file_content(&file("application/pdf", 1000), media()), Ok(Content::File { .. })));
        assert!(
            matches!(file_content(&file("video/mp4", 60 << 20), media()), Err(PartFailure::Refused(r)) if r.contains("larger than"))
        );
    }

    #[test]
    fn refusals_read_as_reasons_and_rate_limits_wait() {
        let classify = |f: &Failure| classify(f, reason);
        let refused = |status| Failure::Refused { status, message: "x".into() };
        assert_eq!(
            classify(&refused(status::RECEIVER_NOT_SUBSCRIBED)),
            PartFailure::Refused("Not delivered: the client has unsubscribed from the bot.".into())
        );
        assert!(reason(&refused(status::INVALID_AUTH_TOKEN)).contains("connect the bot again"));
        assert!(matches!(classify(&refused(status::TOO_MANY_REQUESTS)), PartFailure::Temporary { .. }));
        assert!(matches!(classify(&Failure::Http(502)), PartFailure::Temporary { .. }));
        assert!(matches!(classify(&Failure::Unconfirmed("timeout".into())), PartFailure::Unconfirmed(_)));
        assert!(reason(&refused(3)).contains("Viber answered"));
    }
}
