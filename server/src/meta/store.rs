//! Facebook Pages and Instagram accounts behind channels, and the messages they delivered
//! (SQL only).

use crate::bots::{self, BotTable};
use crate::dialogs::store as dialogs;
use crate::error::{AppError, AppResult};
use crate::outbox::store::channel_disconnected;
use crate::received::{store_message, Received};
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::api::ChannelKind;
use el_protocol::integrations::MessengerBot;
use el_protocol::notices::Notice;
use el_protocol::{ChannelId, Millis, Seq, UserId};

/// A page's Messenger, or its Instagram account, as the webhook and the outbox need it.
#[derive(Debug, Clone)]
pub struct Account {
    pub channel_id: ChannelId,
    pub kind: ChannelKind,
    /// The random part of its webhook's path.
    pub key: String,
    pub page_id: String,
    /// The id Meta's notifications name: the page's, or the Instagram account's.
    pub account_id: String,
    pub app_id: String,
    pub token: String,
    pub app_secret: String,
    pub verify_token: String,
    pub connected: bool,
}

const ACCOUNT_SELECT: &str = "SELECT m.channel_id, ch.kind, ch.public_key, m.page_id, m.account_id, m.app_id, m.token,
            m.app_secret, m.verify_token, ch.disconnected_at IS NULL
     FROM meta_accounts m JOIN channels ch ON ch.id = m.channel_id";

fn account_from_row(r: &crate::sql::Row) -> crate::sql::Result<Account> {
    let kind: String = r.get(1)?;
    Ok(Account {
        channel_id: ChannelId(r.get(0)?),
        kind: if kind == "instagram" { ChannelKind::Instagram } else { ChannelKind::Facebook },
        key: r.get(2)?,
        page_id: r.get(3)?,
        account_id: r.get(4)?,
        app_id: r.get(5)?,
        token: r.get(6)?,
        app_secret: r.get(7)?,
        verify_token: r.get(8)?,
        connected: r.get(9)?,
    })
}

/// The account of a channel.
pub fn account_of_channel(conn: &Connection, channel: ChannelId) -> AppResult<Option<Account>> {
    let sql = format!("{ACCOUNT_SELECT} WHERE m.channel_id = ?1");
    Ok(conn.query_row(&sql, [channel.0], account_from_row).optional()?)
}

/// The connected account whose webhook path carries `key`.
pub fn account_by_key(conn: &Connection, key: &str) -> AppResult<Option<Account>> {
    let sql = format!("{ACCOUNT_SELECT} WHERE ch.public_key = ?1 AND ch.disconnected_at IS NULL");
    Ok(conn.query_row(&sql, [key], account_from_row).optional()?)
}

/// The connected account of `kind` Meta names `account_id`, of the app whose secret is
/// `app_secret` (one app's webhook receives all its pages' notifications).
pub fn account_named(
    conn: &Connection,
    kind: ChannelKind,
    account_id: &str,
    app_secret: &str,
) -> AppResult<Option<Account>> {
    let sql = format!(
        "{ACCOUNT_SELECT} WHERE ch.kind = ?1 AND m.account_id = ?2 AND m.app_secret = ?3
         AND ch.disconnected_at IS NULL ORDER BY m.channel_id DESC LIMIT 1"
    );
    Ok(conn.query_row(&sql, params![kind.as_str(), account_id, app_secret], account_from_row).optional()?)
}

/// Where pages and Instagram accounts are kept.
const fn table(kind: ChannelKind) -> BotTable {
    BotTable { kind, table: "meta_accounts", handle: "handle", identity: "account_id" }
}

/// The newest channel of every page (or Instagram account), newest first.
pub fn accounts(conn: &Connection, kind: ChannelKind) -> AppResult<Vec<MessengerBot>> {
    bots::listed(conn, &table(kind))
}

/// The account of `channel` as the Integrations page shows it.
pub fn summary(conn: &Connection, kind: ChannelKind, channel: ChannelId) -> AppResult<MessengerBot> {
    bots::summary(conn, &table(kind), channel)
}

/// A page's Messenger or Instagram account as Meta describes it, as we connect it.
pub struct NewAccount {
    pub kind: ChannelKind,
    pub page_id: String,
    pub account_id: String,
    /// The page's username (else its id), or the Instagram username.
    pub handle: String,
    pub name: String,
    pub app_id: String,
    pub token: String,
    pub app_secret: String,
    pub verify_token: String,
    /// The random part of the webhook's path.
    pub key: String,
    pub connected_by: UserId,
}

/// Stores the account as a new channel (refused when it is connected already).
pub fn add_account(tx: &Connection, account: &NewAccount, now: Millis) -> AppResult<ChannelId> {
    let kind = account.kind.as_str();
    let connected: Option<String> = tx
        .query_row(
            "SELECT ch.name FROM meta_accounts m JOIN channels ch ON ch.id = m.channel_id
             WHERE ch.kind = ?1 AND m.account_id = ?2 AND ch.disconnected_at IS NULL",
            params![kind, account.account_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(name) = connected {
        return Err(AppError::Conflict(format!("{name} is already connected to {}.", account.kind.label())));
    }
    tx.execute(
        "INSERT INTO channels (kind, name, public_key, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![kind, account.name, account.key, now],
    )?;
    let channel = ChannelId(tx.last_insert_rowid()?);
    tx.execute(
        "INSERT INTO meta_accounts (channel_id, page_id, account_id, handle, app_id, token, app_secret, verify_token,
                                    connected_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            channel.0,
            account.page_id,
            account.account_id,
            account.handle,
            account.app_id,
            account.token,
            account.app_secret,
            account.verify_token,
            account.connected_by.0
        ],
    )?;
    Ok(channel)
}

/// Marks the account's channel disconnected (see [`channel_disconnected`]); answers the
/// last event's position, if any, and the account as it is now.
pub fn disconnect(
    tx: &Connection,
    account: &Account,
    why: &str,
    now: Millis,
) -> AppResult<(Option<Seq>, MessengerBot)> {
    let seq = channel_disconnected(tx, account.channel_id, why, now)?;
    Ok((seq, summary(tx, account.kind, account.channel_id)?))
}

/// Whether message `mid` of the channel was handled before.
pub fn seen(conn: &Connection, channel: ChannelId, mid: &str) -> AppResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM meta_messages WHERE channel_id = ?1 AND mid = ?2",
            params![channel.0, mid],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Remembers message `mid` as handled; `false` when it was handled before.
fn remember(tx: &Connection, channel: ChannelId, mid: &str, now: Millis) -> AppResult<bool> {
    let fresh = tx.execute(
        "INSERT INTO meta_messages (channel_id, mid, received_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![channel.0, mid, now],
    )?;
    Ok(fresh > 0)
}

/// Forgets message ids received before `before`.
pub fn prune_messages(conn: &Connection, before: Millis) -> AppResult<usize> {
    Ok(conn.execute("DELETE FROM meta_messages WHERE received_at < ?1", [before])?)
}

/// Stores the client's message in the caller's transaction and opens the 24 hours for
/// answers. `None` when it was stored before.
pub fn store_received(tx: &Connection, account: &Account, received: &Received, now: Millis) -> AppResult<Option<Seq>> {
    if !remember(tx, account.channel_id, received.id, now)? {
        return Ok(None);
    }
    store_message(tx, account.channel_id, account.kind.as_str(), received, now)
}

/// The page answered client `to` in another inbox (Meta Business Suite, the Instagram
/// app): a note of what it said in the client's current dialog. `None` when that was
/// noted before, or the client never wrote to us.
pub fn answered_elsewhere(
    tx: &Connection,
    account: &Account,
    mid: &str,
    to: &str,
    text: &str,
    now: Millis,
) -> AppResult<Option<Seq>> {
    let client: Option<i64> = tx
        .query_row(
            "SELECT id FROM client_accounts WHERE channel_id = ?1 AND external_id = ?2",
            params![account.channel_id.0, to],
            |r| r.get(0),
        )
        .optional()?;
    let Some(client) = client else { return Ok(None) };
    if !remember(tx, account.channel_id, mid, now)? {
        return Ok(None);
    }
    let text = el_protocol::api::truncate_chars(&el_protocol::markdown::to_plain_text(text), 1000);
    let notice = Notice::AnsweredElsewhere { messenger: account.kind.label().to_string(), text };
    dialogs::note_for_client(tx, client, notice)
}
