//! How one operator message goes out through a WhatsApp Business number: its text in
//! WhatsApp's formatting, in pieces it takes, then each file (an image, or a document),
//! which WhatsApp fetches from a signed address of ours.

use super::api::{code, Content, Failure, Link, Text, MAX_DOCUMENT_BYTES, MAX_IMAGE_BYTES, MAX_TEXT_CHARS};
use super::format::markdown_to_whatsapp;
use super::store::Number;
use crate::media_links;
use crate::outbox::carrier::{classify, parts, Part, PartFailure};
use crate::outbox::markup::split_text;
use crate::AppState;
use el_protocol::api::{human_size, Attachment, Message};

/// The calls that deliver `message`, in order: its text (parts that show nothing are not
/// sent), then each file.
pub fn plan(message: &Message) -> Vec<Part> {
    parts(split_text(&markdown_to_whatsapp(&message.text), MAX_TEXT_CHARS), message)
}

/// What a file is sent as: an image WhatsApp shows, or a document to download.
fn file_content(file: &Attachment, link: String) -> Result<Content, PartFailure> {
    let image = matches!(file.content_type.as_str(), "image/jpeg" | "image/png");
    if image && file.size <= MAX_IMAGE_BYTES {
        return Ok(Content::Image { image: Link { link, filename: None } });
    }
    if file.size > MAX_DOCUMENT_BYTES {
        return Err(PartFailure::Refused(format!(
            "Not delivered: “{}” is larger than {}, the most WhatsApp takes.",
            file.name,
            human_size(MAX_DOCUMENT_BYTES)
        )));
    }
    Ok(Content::Document { document: Link { link, filename: Some(file.name.clone()) } })
}

/// Makes one call; answers WhatsApp's id of the message it created.
pub async fn send_part(state: &AppState, number: &Number, to: &str, part: &Part) -> Result<String, PartFailure> {
    let content = match part {
        Part::Text(body) => Content::Text { text: Text { body: body.clone(), preview_url: false } },
        Part::Template(call) => Content::template(call),
        Part::File(file) => {
            let public = state.config.public_address().ok_or_else(|| {
                PartFailure::Refused(
                    "Not delivered: the server does not know its public address (PUBLIC_URL), so WhatsApp cannot \
                     fetch the file."
                        .into(),
                )
            })?;
            let link = media_links::address(&public, &number.key, &number.app_secret, &file.id, &file.name);
            file_content(file, link)?
        }
    };
    let sent = state.graph_api.send(&number.token, &number.phone_number_id, to, &content).await;
    sent.map_err(|f| classify(&f, reason))
}

/// What the operator reads on a message WhatsApp refused.
pub fn reason(failure: &Failure) -> String {
    match failure {
        f if f.token_refused() => {
            "WhatsApp no longer accepts the number's access token: an administrator must connect it again with a \
             new token."
                .into()
        }
        Failure::Refused { code: code::REENGAGEMENT, .. } => {
            "Not delivered: more than 24 hours have passed since the client last wrote, and WhatsApp then delivers \
             only approved templates."
                .into()
        }
        Failure::Refused { code: code::UNDELIVERABLE, .. } => {
            "Not delivered: WhatsApp could not reach this client (not on WhatsApp, or an old version).".into()
        }
        f => format!("Not delivered: WhatsApp answered “{f}”."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content_type: &str, size: u64) -> Attachment {
        Attachment { id: "f1".into(), name: "a.png".into(), content_type: content_type.into(), size }
    }

    #[test]
    fn small_images_are_images_and_the_rest_documents() {
        let link = || "https://x/a.png".to_string();
        assert!(matches!(file_content(&file("image/png", 1000), link()), Ok(Content::Image { .. })));
        assert!(matches!(file_content(&file("image/png", 6 << 20), link()), Ok(Content::Document { .. })));
        assert!(matches!(file_content(&file("image/gif", 1000), link()), Ok(Content::Document { .. })));
        let too_big = file_content(&file("video/mp4", 101 << 20), link());
        assert!(matches!(too_big, Err(PartFailure::Refused(r)) if r.contains("larger than")));
    }

    #[test]
    fn refusals_read_as_reasons_and_rate_limits_wait() {
        let classify = |f: &Failure| classify(f, reason);
        let refused = |status, code| Failure::Refused { status, code, subcode: 0, message: "x".into() };
        assert!(classify(&refused(400, code::REENGAGEMENT)) == PartFailure::Refused(reason(&refused(400, 131047))));
        assert!(reason(&refused(400, code::REENGAGEMENT)).contains("24 hours"));
        assert!(reason(&refused(401, crate::graph_api::code::TOKEN)).contains("connect it again"));
        assert!(matches!(classify(&refused(400, 130429)), PartFailure::Temporary { .. }));
        assert!(matches!(classify(&Failure::Unconfirmed("timeout".into())), PartFailure::Unconfirmed(_)));
        assert!(reason(&refused(400, 131051)).contains("WhatsApp answered"));
    }
}
