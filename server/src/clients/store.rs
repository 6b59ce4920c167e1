//! Clients and their channel accounts (SQL only): the one place they are written.

use crate::error::AppResult;
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::{ChannelId, ClientId};

/// A website visitor: the widget account their token stands for.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub account_id: i64,
    pub client_id: ClientId,
    pub channel_id: ChannelId,
    pub token_hash: String,
}

/// The visitor whose widget token hashes to `token_hash`.
pub fn visitor(conn: &Connection, token_hash: &str) -> AppResult<Option<Visitor>> {
    Ok(conn
        .prepare_cached(
            "SELECT a.id, a.client_id, a.channel_id FROM client_accounts a JOIN channels ch ON ch.id = a.channel_id
             WHERE a.token_hash = ?1 AND ch.kind = 'widget'",
        )?
        .query_row([token_hash], |r| {
            Ok(Visitor {
                account_id: r.get(0)?,
                client_id: ClientId(r.get(1)?),
                channel_id: ChannelId(r.get(2)?),
                token_hash: token_hash.to_string(),
            })
        })
        .optional()?)
}

/// Whether the visitor's account still exists under their token.
pub fn visitor_exists(conn: &Connection, visitor: &Visitor) -> AppResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM client_accounts WHERE id = ?1 AND token_hash = ?2",
            params![visitor.account_id, visitor.token_hash],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A new widget account on `channel` for the token hashing to `token_hash`. A visitor
/// `known` from another channel of the site stays the same client; anyone else is a
/// new client named `name` (or "Website visitor N"). Answers the client's name.
pub fn add_visitor(
    tx: &Connection,
    channel: ChannelId,
    token_hash: &str,
    known: Option<&Visitor>,
    name: Option<String>,
    now: i64,
) -> AppResult<String> {
    let (client_id, client_name) = match known {
        Some(v) => {
            let known_name: String =
                tx.query_row("SELECT name FROM clients WHERE id = ?1", [v.client_id.0], |r| r.get(0))?;
            (v.client_id.0, known_name)
        }
        None => {
            tx.execute("INSERT INTO clients (name, created_at) VALUES ('', ?1)", [now])?;
            let client_id = tx.last_insert_rowid()?;
            let client_name = name.unwrap_or_else(|| format!("Website visitor {client_id}"));
            tx.execute("UPDATE clients SET name = ?1 WHERE id = ?2", params![client_name, client_id])?;
            (client_id, client_name)
        }
    };
    tx.execute(
        "INSERT INTO client_accounts (client_id, channel_id, external_id, token_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![client_id, channel.0, format!("visitor-{}", &token_hash[..24]), token_hash, now],
    )?;
    Ok(client_name)
}

/// Someone writing through a messenger, as the messenger names them.
pub struct MessengerUser<'a> {
    /// Their id in the messenger.
    pub external_id: &'a str,
    /// How the messenger shows their account (`@login` or a name).
    pub shown: &'a str,
    /// Their own name, for a new client (empty: `shown`).
    pub name: &'a str,
}

/// The account of `sender` on `channel` (a messenger of `kind`), created if new, with
/// its shown name brought up to date. Someone new to this channel who wrote to another
/// channel of the same messenger stays the same client, so their CRM records follow
/// them to the new chat.
pub fn messenger_account(
    tx: &Connection,
    channel: ChannelId,
    kind: &str,
    sender: &MessengerUser,
    now: i64,
) -> AppResult<i64> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM client_accounts WHERE channel_id = ?1 AND external_id = ?2",
            params![channel.0, sender.external_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        tx.execute("UPDATE client_accounts SET display_name = ?1 WHERE id = ?2", params![sender.shown, id])?;
        return Ok(id);
    }
    let known: Option<i64> = tx
        .query_row(
            "SELECT a.client_id FROM client_accounts a JOIN channels ch ON ch.id = a.channel_id
             WHERE ch.kind = ?1 AND a.external_id = ?2 ORDER BY a.id DESC LIMIT 1",
            params![kind, sender.external_id],
            |r| r.get(0),
        )
        .optional()?;
    let client = match known {
        Some(client) => client,
        None => {
            let name = if sender.name.is_empty() { sender.shown } else { sender.name };
            tx.execute("INSERT INTO clients (name, created_at) VALUES (?1, ?2)", params![name, now])?;
            tx.last_insert_rowid()?
        }
    };
    tx.execute(
        "INSERT INTO client_accounts (client_id, channel_id, external_id, display_name, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![client, channel.0, sender.external_id, sender.shown, now],
    )?;
    Ok(tx.last_insert_rowid()?)
}
