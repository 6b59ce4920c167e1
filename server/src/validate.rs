//! Checks on user input, each failing with a message the user can act on.

use crate::error::{AppError, AppResult};
use el_protocol::api::{SendMessage, UploadLimits, MAX_MESSAGE_CHARS, MAX_NAME_CHARS, MAX_NOTE_CHARS};

/// A message: its text trimmed and not too long, and not empty unless files go with
/// it; no more files than `limits` allow (413, like a file too large); a note is text.
pub fn message(body: &SendMessage, limits: &UploadLimits) -> AppResult<String> {
    if body.note && !body.attachments.is_empty() {
        return Err(AppError::BadRequest("A note is text only: send files in a message.".into()));
    }
    if body.attachments.len() > limits.max_files {
        return Err(AppError::TooLarge(format!("A message can carry at most {} files.", limits.max_files)));
    }
    let text = body.text.trim();
    if text.is_empty() && body.attachments.is_empty() {
        return Err(AppError::BadRequest("Write a message before sending.".into()));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(AppError::BadRequest(format!("The message is too long: at most {MAX_MESSAGE_CHARS} characters.")));
    }
    Ok(text.to_string())
}

/// A sender's idempotency key: 1 to 64 letters, digits, `-` or `_`.
pub fn client_msg_id(key: &str) -> AppResult<String> {
    let ok = (1..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(key.to_string())
    } else {
        Err(AppError::BadRequest("The message id must be 1 to 64 letters, digits, '-' or '_'.".into()))
    }
}

/// Characters that are never shown as themselves: control characters, and the
/// direction marks and overrides that make text display in another order than it is
/// written (`U+202E` turns "exe.pdf" into "fdp.exe").
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A person's display name: trimmed, hidden characters removed, not too long.
/// `None` when nothing is left.
pub fn display_name(name: &str) -> AppResult<Option<String>> {
    let clean: String = name.chars().filter(|c| !is_hidden(*c)).collect();
    let clean = clean.trim();
    if clean.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::BadRequest(format!("The name is too long: at most {MAX_NAME_CHARS} characters.")));
    }
    Ok((!clean.is_empty()).then(|| clean.to_string()))
}

/// A handover note: trimmed, not too long; `None` when empty.
pub fn note(note: &str) -> AppResult<Option<String>> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::BadRequest(format!("The note is too long: at most {MAX_NOTE_CHARS} characters.")));
    }
    Ok((!note.is_empty()).then(|| note.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_text(text: &str) -> AppResult<String> {
        message(
            &SendMessage { text: text.into(), client_msg_id: "k".into(), attachments: vec![], note: false },
            &limits(),
        )
    }

    fn limits() -> UploadLimits {
        UploadLimits { max_file_bytes: 100, max_files: 2 }
    }

    #[test]
    fn texts() {
        assert_eq!(message_text("  hi \n").unwrap(), "hi");
        assert!(message_text(" \n ").is_err());
        assert!(message_text(&"x".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert!(message_text(&"я".repeat(MAX_MESSAGE_CHARS)).is_ok());
    }

    #[test]
    fn files_may_go_without_text_but_not_too_many() {
        let files = |n: usize| SendMessage {
            text: " ".into(),
            client_msg_id: "k".into(),
            attachments: (0..n).map(|i| format!("f{i}")).collect(),
            note: false,
        };
        assert_eq!(message(&files(1), &limits()).unwrap(), "");
        let refused = message(&files(3), &limits()).unwrap_err();
        assert_eq!(
            (refused.status().as_u16(), refused.to_string()),
            (413, "A message can carry at most 2 files.".into())
        );
    }

    #[test]
    fn keys() {
        assert!(client_msg_id("3f2a-b_9").is_ok());
        assert!(client_msg_id("").is_err());
        assert!(client_msg_id("a b").is_err());
        assert!(client_msg_id(&"a".repeat(65)).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(display_name(" Olena\u{7}  ").unwrap().as_deref(), Some("Olena"));
        assert_eq!(display_name("   ").unwrap(), None);
        assert!(display_name(&"n".repeat(81)).is_err());
    }
}
