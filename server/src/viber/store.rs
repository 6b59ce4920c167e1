//! Viber bots, their channels and the callbacks they delivered (SQL only).

use crate::bots::{self, BotTable};
use crate::clients::store::{messenger_account, MessengerUser};
use crate::dialogs::store as dialogs;
use crate::error::{AppError, AppResult};
use crate::files::store::{delivered_as_uploads, Delivered};
use crate::outbox::store::{channel_disconnected, failed_after_sending};
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::api::ChannelKind;
use el_protocol::integrations::MessengerBot;
use el_protocol::notices::Notice;
use el_protocol::{ChannelId, MessageId, Millis, Seq, UserId};

/// A bot behind a channel, as the webhook and the outbox need it.
#[derive(Debug, Clone)]
pub struct Bot {
    pub channel_id: ChannelId,
    /// The random part of its webhook's path.
    pub key: String,
    /// Its name in Viber: the sender's name on what it sends.
    pub name: String,
    pub uri: String,
    pub token: String,
    pub connected: bool,
}

const BOT_SELECT: &str = "SELECT b.channel_id, ch.public_key, ch.name, b.uri, b.token, ch.disconnected_at IS NULL
     FROM viber_bots b JOIN channels ch ON ch.id = b.channel_id";

fn bot_from_row(r: &crate::sql::Row) -> crate::sql::Result<Bot> {
    Ok(Bot {
        channel_id: ChannelId(r.get(0)?),
        key: r.get(1)?,
        name: r.get(2)?,
        uri: r.get(3)?,
        token: r.get(4)?,
        connected: r.get(5)?,
    })
}

/// The bot of a channel.
pub fn bot_of_channel(conn: &Connection, channel: ChannelId) -> AppResult<Option<Bot>> {
    let sql = format!("{BOT_SELECT} WHERE b.channel_id = ?1");
    Ok(conn.query_row(&sql, [channel.0], bot_from_row).optional()?)
}

/// The connected bot whose webhook path carries `key`.
pub fn bot_by_key(conn: &Connection, key: &str) -> AppResult<Option<Bot>> {
    let sql = format!("{BOT_SELECT} WHERE ch.public_key = ?1 AND ch.kind = 'viber' AND ch.disconnected_at IS NULL");
    Ok(conn.query_row(&sql, [key], bot_from_row).optional()?)
}

/// Where Viber's bots are kept.
const BOTS: BotTable =
    BotTable { kind: ChannelKind::Viber, table: "viber_bots", handle: "uri", identity: "account_id" };

/// The newest channel of every bot, newest first.
pub fn bots(conn: &Connection) -> AppResult<Vec<MessengerBot>> {
    bots::listed(conn, &BOTS)
}

/// The bot of `channel` as the Integrations page shows it.
pub fn summary(conn: &Connection, channel: ChannelId) -> AppResult<MessengerBot> {
    bots::summary(conn, &BOTS, channel)
}

/// Refuses a bot that is connected already (on another channel).
pub fn refuse_connected(conn: &Connection, account_id: &str) -> AppResult<()> {
    let connected: Option<String> = conn
        .query_row(
            "SELECT ch.name FROM viber_bots b JOIN channels ch ON ch.id = b.channel_id
             WHERE b.account_id = ?1 AND ch.disconnected_at IS NULL",
            [account_id],
            |r| r.get(0),
        )
        .optional()?;
    match connected {
        Some(name) => Err(AppError::Conflict(format!("The Viber bot “{name}” is already connected."))),
        None => Ok(()),
    }
}

/// A bot as Viber describes it and as we connect it.
pub struct NewBot {
    /// Viber's id of the bot (`pa:...`).
    pub account_id: String,
    pub name: String,
    pub uri: String,
    pub token: String,
    /// The random part of the webhook's path.
    pub key: String,
    pub connected_by: UserId,
}

/// Stores the bot as a new channel (refused when it is connected already).
pub fn add_bot(tx: &Connection, bot: &NewBot, now: Millis) -> AppResult<ChannelId> {
    refuse_connected(tx, &bot.account_id)?;
    tx.execute(
        "INSERT INTO channels (kind, name, public_key, created_at) VALUES ('viber', ?1, ?2, ?3)",
        params![bot.name, bot.key, now],
    )?;
    let channel = ChannelId(tx.last_insert_rowid()?);
    tx.execute(
        "INSERT INTO viber_bots (channel_id, account_id, uri, token, connected_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![channel.0, bot.account_id, bot.uri, bot.token, bot.connected_by.0],
    )?;
    Ok(channel)
}

/// Forgets a channel whose webhook Viber would not take: removed when nobody wrote
/// through it yet, else kept as disconnected.
pub fn forget_unconfirmed(tx: &Connection, channel: ChannelId, now: Millis) -> AppResult<()> {
    let used: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM client_accounts WHERE channel_id = ?1)", [channel.0], |r| r.get(0))?;
    if used {
        channel_disconnected(tx, channel, "The Viber bot's webhook could not be set.", now)?;
        return Ok(());
    }
    tx.execute("DELETE FROM viber_callbacks WHERE channel_id = ?1", [channel.0])?;
    tx.execute("DELETE FROM viber_bots WHERE channel_id = ?1", [channel.0])?;
    tx.execute("DELETE FROM channels WHERE id = ?1", [channel.0])?;
    Ok(())
}

/// Marks the bot's channel disconnected (see [`channel_disconnected`]); answers the last
/// event's position, if any, and the bot as it is now.
pub fn disconnect(
    tx: &Connection,
    channel: ChannelId,
    why: &str,
    now: Millis,
) -> AppResult<(Option<Seq>, MessengerBot)> {
    let seq = channel_disconnected(tx, channel, why, now)?;
    Ok((seq, summary(tx, channel)?))
}

/// Records callback `token` of the channel's bot; `false` when it was handled before.
pub fn first_time(tx: &Connection, channel: ChannelId, token: &str, now: Millis) -> AppResult<bool> {
    let fresh = tx.execute(
        "INSERT INTO viber_callbacks (channel_id, message_token, received_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        params![channel.0, token, now],
    )?;
    Ok(fresh == 1)
}

/// Whether callback `token` of the channel's bot was handled before.
pub fn seen(conn: &Connection, channel: ChannelId, token: &str) -> AppResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM viber_callbacks WHERE channel_id = ?1 AND message_token = ?2",
            params![channel.0, token],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Forgets callbacks received before `before`.
pub fn prune_callbacks(conn: &Connection, before: Millis) -> AppResult<usize> {
    Ok(conn.execute("DELETE FROM viber_callbacks WHERE received_at < ?1", [before])?)
}

/// A client's message.
pub struct Received<'a> {
    /// Viber's id of the message (and of its callback).
    pub token: &'a str,
    pub sender: MessengerUser<'a>,
    /// Markdown.
    pub text: &'a str,
    pub files: &'a [Delivered],
}

/// Stores the client's message in the caller's transaction: they are subscribed again
/// (writing subscribes). `None` when the callback was handled before.
pub fn store_received(tx: &Connection, channel: ChannelId, received: &Received, now: Millis) -> AppResult<Option<Seq>> {
    if !first_time(tx, channel, received.token, now)? {
        return Ok(None);
    }
    let account = messenger_account(tx, channel, "viber", &received.sender, now)?;
    tx.execute("UPDATE client_accounts SET unsubscribed_at = NULL WHERE id = ?1", [account])?;
    let ids = delivered_as_uploads(tx, account, received.files, now)?;
    let added = dialogs::client_message(tx, account, received.text, None, &ids)?;
    dialogs::set_external_id(tx, MessageId(added.message.id.0), received.token)?;
    Ok(added.seq)
}

/// The account of Viber user `user` on the channel, if they ever wrote.
fn account_of(conn: &Connection, channel: ChannelId, user: &str) -> AppResult<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM client_accounts WHERE channel_id = ?1 AND external_id = ?2",
            params![channel.0, user],
            |r| r.get(0),
        )
        .optional()?)
}

/// The user unsubscribed: sending to them is refused, and their open dialog says so.
pub fn unsubscribed(tx: &Connection, channel: ChannelId, user: &str, now: Millis) -> AppResult<Option<Seq>> {
    let Some(account) = account_of(tx, channel, user)? else { return Ok(None) };
    let changed = tx.execute(
        "UPDATE client_accounts SET unsubscribed_at = ?1 WHERE id = ?2 AND unsubscribed_at IS NULL",
        params![now, account],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    dialogs::note_for_client(tx, account, Notice::Unsubscribed)
}

/// The user subscribed again (without writing yet).
pub fn subscribed(tx: &Connection, channel: ChannelId, user: &str) -> AppResult<()> {
    if let Some(account) = account_of(tx, channel, user)? {
        tx.execute("UPDATE client_accounts SET unsubscribed_at = NULL WHERE id = ?1", [account])?;
    }
    Ok(())
}

/// Viber could not deliver message `token` after taking it: it shows as failed, with why.
pub fn failed(tx: &Connection, channel: ChannelId, user: &str, token: &str, why: &str) -> AppResult<Option<Seq>> {
    let reason = if why.trim().is_empty() {
        "Not delivered: Viber could not deliver it to the client.".to_string()
    } else {
        format!("Not delivered: Viber answered “{}”.", why.trim())
    };
    failed_after_sending(tx, channel, user, token, &reason)
}
