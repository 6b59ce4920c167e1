//! How one operator message goes out through a Facebook Page's Messenger or its Instagram
//! account: its text in the messenger's formatting, in pieces it takes, then each file,
//! which Meta fetches from a signed address of ours.

use super::api::{
    code, Attachment, AttachmentPayload, Content, Failure, MAX_INSTAGRAM_BYTES, MAX_INSTAGRAM_IMAGE_BYTES,
    MAX_MESSENGER_CHARS, MAX_MESSENGER_FILE_BYTES,
};
use super::format::markdown_to_meta;
use super::store::Account;
use crate::media_links;
use crate::outbox::carrier::{classify, no_templates, parts, Part, PartFailure};
use crate::outbox::markup::{split_bytes, split_text};
use crate::AppState;
use el_protocol::api::{human_size, Attachment as File, ChannelKind, Message};

/// The calls that deliver `message` through `kind`, in order: its text (parts that show
/// nothing are not sent), then each file.
pub fn plan(kind: ChannelKind, message: &Message) -> Vec<Part> {
    let text = markdown_to_meta(kind, &message.text);
    let texts = match kind {
        ChannelKind::Instagram => split_bytes(&text, MAX_INSTAGRAM_BYTES),
        _ => split_text(&text, MAX_MESSENGER_CHARS),
    };
    parts(texts, message)
}

/// What a file is sent as in `kind`, or why it cannot go.
fn attachment_kind(kind: ChannelKind, file: &File) -> Result<&'static str, PartFailure> {
    let media = file.content_type.split('/').next().unwrap_or_default();
    let too_large = |max: u64| {
        PartFailure::Refused(format!(
            "Not delivered: “{}” is larger than {}, the most {} takes.",
            file.name,
            human_size(max),
            kind.label()
        ))
    };
    let image = matches!(file.content_type.as_str(), "image/jpeg" | "image/png" | "image/gif");
    match kind {
        ChannelKind::Instagram if image && file.size > MAX_INSTAGRAM_IMAGE_BYTES => {
            Err(too_large(MAX_INSTAGRAM_IMAGE_BYTES))
        }
        _ if file.size > MAX_MESSENGER_FILE_BYTES => Err(too_large(MAX_MESSENGER_FILE_BYTES)),
        _ if image => Ok("image"),
        _ if media == "video" || media == "audio" => Ok(if media == "video" { "video" } else { "audio" }),
        ChannelKind::Instagram => Err(PartFailure::Refused(format!(
            "Not delivered: Instagram takes only pictures, videos and audio, so “{}” could not be sent.",
            file.name
        ))),
        _ => Ok("file"),
    }
}

/// Makes one call; answers Meta's id of the message it created.
pub async fn send_part(state: &AppState, account: &Account, to: &str, part: &Part) -> Result<String, PartFailure> {
    let content = match part {
        Part::Text(text) => Content::Text { text: text.clone() },
        Part::Template(_) => return Err(no_templates(account.kind.label())),
        Part::File(file) => {
            let kind = attachment_kind(account.kind, file)?;
            let public = state.config.public_address().ok_or_else(|| {
                PartFailure::Refused(
                    "Not delivered: the server does not know its public address (PUBLIC_URL), so Meta cannot fetch \
                     the file."
                        .into(),
                )
            })?;
            let url = media_links::address(&public, &account.key, &account.app_secret, &file.id, &file.name);
            Content::Attachment {
                attachment: Attachment { kind, payload: AttachmentPayload { url, is_reusable: false } },
            }
        }
    };
    let sent = state.graph_api.send_from_page(&account.token, &account.page_id, to, &content).await;
    sent.map_err(|f| classify(&f, reason))
}

/// What the operator reads on a message Meta refused.
pub fn reason(failure: &Failure) -> String {
    match failure.code() {
        _ if failure.token_refused() => "Meta no longer accepts the page's access token: an administrator must \
                                         connect it again with a new token."
            .into(),
        Some((code::PERMISSION, code::OUTSIDE_WINDOW | code::OUTSIDE_WINDOW_INSTAGRAM)) => {
            "Not delivered: more than 24 hours have passed since the client last wrote, and Meta then takes no \
             answers until they write again."
                .into()
        }
        Some((code::UNAVAILABLE, _)) => {
            "Not delivered: this person is not available right now (they may have blocked the page).".into()
        }
        _ => format!("Not delivered: Meta answered “{failure}”."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content_type: &str, size: u64) -> File {
        File { id: "f1".into(), name: "a.bin".into(), content_type: content_type.into(), size }
    }

    #[test]
    fn files_go_as_each_messenger_takes_them() {
        let (fb, ig) = (ChannelKind::Facebook, ChannelKind::Instagram);
        assert_eq!(attachment_kind(fb, &file("image/png", 1000)), Ok("image"));
        assert_eq!(attachment_kind(fb, &file("application/pdf", 1000)), Ok("file"));
        assert_eq!(attachment_kind(ig, &file("video/mp4", 1000)), Ok("video"));
        assert_eq!(attachment_kind(ig, &file("audio/mpeg", 1000)), Ok("audio"));
        let pdf = attachment_kind(ig, &file("application/pdf", 1000));
        assert!(matches!(pdf, Err(PartFailure::Refused(r)) if r.contains("only pictures, videos and audio")));
        let big = attachment_kind(ig, &file("image/jpeg", 9 << 20));
        assert!(matches!(big, Err(PartFailure::Refused(r)) if r.contains("8 MB")));
        assert!(attachment_kind(fb, &file("video/mp4", 26 << 20)).is_err());
    }

    #[test]
    fn instagram_text_is_cut_by_bytes_and_messenger_s_by_characters() {
        let message = |text: &str| Message {
            id: el_protocol::MessageId(1),
            dialog_id: el_protocol::DialogId(1),
            author: el_protocol::api::Author::Operator { user_id: el_protocol::UserId(1), name: "Anna".into() },
            text: text.into(),
            created_at: 0,
            client_msg_id: None,
            attachments: Vec::new(),
            record: None,
            delivery: None,
            edit: None,
            notice: None,
        };
        let long = "привіт ".repeat(200);
        let ig = plan(ChannelKind::Instagram, &message(&long));
        assert!(ig.len() >= 3, "1,400 characters of 2 bytes are more than two Instagram messages");
        assert!(ig.iter().all(|p| matches!(p, Part::Text(t) if t.len() <= MAX_INSTAGRAM_BYTES)));
        assert_eq!(plan(ChannelKind::Facebook, &message(&long)).len(), 1);
    }

    #[test]
    fn refusals_read_as_reasons() {
        let refused = |code, subcode| Failure::Refused { status: 400, code, subcode, message: "x".into() };
        assert!(reason(&refused(10, code::OUTSIDE_WINDOW)).contains("24 hours"));
        assert!(reason(&refused(10, code::OUTSIDE_WINDOW_INSTAGRAM)).contains("24 hours"));
        assert!(reason(&refused(551, 1545041)).contains("not available"));
        assert!(reason(&refused(190, 0)).contains("connect it again"));
        assert!(matches!(classify(&refused(613, 0), reason), PartFailure::Temporary { .. }));
        assert!(matches!(classify(&refused(100, 0), reason), PartFailure::Refused(r) if r.contains("Meta answered")));
    }
}
