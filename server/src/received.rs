//! A client's message from a messenger whose webhook hands over ids of its own (WhatsApp,
//! Facebook Messenger, Instagram), stored in the caller's transaction (SQL only): the
//! client's account, the window for answers, the message it answers quoted, its files.

use crate::clients::store::{messenger_account, MessengerUser};
use crate::dialogs::store as dialogs;
use crate::error::AppResult;
use crate::files::store::{delivered_as_uploads, Delivered};
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::markdown::literal;
use el_protocol::{ChannelId, MessageId, Millis, Seq};

/// A client's message.
pub struct Received<'a> {
    /// The messenger's id of the message.
    pub id: &'a str,
    pub sender: MessengerUser<'a>,
    /// Markdown.
    pub text: &'a str,
    /// The message it answers or reacts to (quoted when it is in the conversation).
    pub about: Option<&'a str>,
    pub files: &'a [Delivered],
}

/// Stores the client's message through `channel` of `kind` (its first, once the caller
/// made sure) and opens the messenger's window for answers. Answers the event's position.
pub fn store_message(
    tx: &Connection,
    channel: ChannelId,
    kind: &str,
    received: &Received,
    now: Millis,
) -> AppResult<Option<Seq>> {
    let account = messenger_account(tx, channel, kind, &received.sender, now)?;
    tx.execute("UPDATE client_accounts SET last_inbound_at = ?1 WHERE id = ?2", params![now, account])?;
    let quoted = match received.about {
        Some(id) => quote(tx, account, id)?,
        None => None,
    };
    let text = match quoted {
        Some(quoted) => format!("{quoted}\n\n{}", received.text),
        None => received.text.to_string(),
    };
    let ids = delivered_as_uploads(tx, account, received.files, now)?;
    let added = dialogs::client_message(tx, account, &text, None, &ids)?;
    dialogs::set_external_id(tx, MessageId(added.message.id.0), received.id)?;
    Ok(added.seq)
}

/// The start of message `id` of the account's conversation, as a markdown quote.
fn quote(conn: &Connection, account: i64, id: &str) -> AppResult<Option<String>> {
    let body: Option<String> = conn
        .query_row(
            "SELECT m.body FROM messages m JOIN dialogs d ON d.id = m.dialog_id
             WHERE d.account_id = ?1 AND m.external_id = ?2 ORDER BY m.id DESC LIMIT 1",
            params![account, id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(body.map(|body| {
        let plain = el_protocol::markdown::to_plain_text(&body);
        let short: String = plain.chars().take(300).collect();
        let short = if short.len() < plain.len() { format!("{short}…") } else { short };
        format!("> {}", literal(&short, true))
    }))
}

/// The name of the client `external_id` of `channel`, once they wrote through it.
pub fn known_sender(conn: &Connection, channel: ChannelId, external_id: &str) -> AppResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT c.name FROM client_accounts a JOIN clients c ON c.id = a.client_id
             WHERE a.channel_id = ?1 AND a.external_id = ?2",
            params![channel.0, external_id],
            |r| r.get(0),
        )
        .optional()?)
}
