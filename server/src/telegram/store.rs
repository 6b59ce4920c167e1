//! Telegram bots, their channels and the updates they delivered (SQL only).

use crate::bots::{self, BotTable};
use crate::clients::store::{messenger_account, MessengerUser};
use crate::dialogs::store as dialogs;
use crate::error::{AppError, AppResult};
use crate::files::store::{delivered_as_uploads, Delivered};
use crate::outbox::store::channel_disconnected;
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::api::ChannelKind;
use el_protocol::integrations::MessengerBot;
use el_protocol::{ChannelId, MessageId, Millis, Seq, UserId};

/// A bot behind a channel, as the webhook and the outbox need it.
#[derive(Debug, Clone)]
pub struct Bot {
    pub channel_id: ChannelId,
    /// The random part of its webhook's path.
    pub key: String,
    pub username: String,
    pub token: String,
    pub secret_hash: String,
    pub connected: bool,
}

const BOT_SELECT: &str =
    "SELECT b.channel_id, ch.public_key, b.username, b.token, b.secret_hash, ch.disconnected_at IS NULL
     FROM telegram_bots b JOIN channels ch ON ch.id = b.channel_id";

fn bot_from_row(r: &crate::sql::Row) -> crate::sql::Result<Bot> {
    Ok(Bot {
        channel_id: ChannelId(r.get(0)?),
        key: r.get(1)?,
        username: r.get(2)?,
        token: r.get(3)?,
        secret_hash: r.get(4)?,
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
    let sql = format!("{BOT_SELECT} WHERE ch.public_key = ?1 AND ch.kind = 'telegram' AND ch.disconnected_at IS NULL");
    Ok(conn.query_row(&sql, [key], bot_from_row).optional()?)
}

/// Where Telegram's bots are kept.
const BOTS: BotTable =
    BotTable { kind: ChannelKind::Telegram, table: "telegram_bots", handle: "username", identity: "bot_id" };

/// The newest channel of every bot, newest first.
pub fn bots(conn: &Connection) -> AppResult<Vec<MessengerBot>> {
    bots::listed(conn, &BOTS)
}

/// Refuses a bot that is connected already (on another channel).
pub fn refuse_connected(conn: &Connection, bot_id: i64) -> AppResult<()> {
    let connected: Option<String> = conn
        .query_row(
            "SELECT b.username FROM telegram_bots b JOIN channels ch ON ch.id = b.channel_id
             WHERE b.bot_id = ?1 AND ch.disconnected_at IS NULL",
            [bot_id],
            |r| r.get(0),
        )
        .optional()?;
    match connected {
        Some(username) => Err(AppError::Conflict(format!("@{username} is already connected."))),
        None => Ok(()),
    }
}

/// A bot as Telegram describes it and as we connect it.
pub struct NewBot {
    pub bot_id: i64,
    pub name: String,
    pub username: String,
    pub token: String,
    /// The random part of the webhook's path.
    pub key: String,
    pub secret_hash: String,
    pub connected_by: UserId,
}

/// Stores the bot as a new channel (refused when it is connected already).
pub fn add_bot(tx: &Connection, bot: &NewBot, now: Millis) -> AppResult<MessengerBot> {
    refuse_connected(tx, bot.bot_id)?;
    tx.execute(
        "INSERT INTO channels (kind, name, public_key, created_at) VALUES ('telegram', ?1, ?2, ?3)",
        params![bot.name, bot.key, now],
    )?;
    let channel = ChannelId(tx.last_insert_rowid()?);
    tx.execute(
        "INSERT INTO telegram_bots (channel_id, bot_id, username, token, secret_hash, connected_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![channel.0, bot.bot_id, bot.username, bot.token, bot.secret_hash, bot.connected_by.0],
    )?;
    bots::summary(tx, &BOTS, channel)
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
    Ok((seq, bots::summary(tx, &BOTS, channel)?))
}

/// Whether update `update_id` of the channel's bot was stored before.
pub fn seen(conn: &Connection, channel: ChannelId, update_id: i64) -> AppResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM telegram_updates WHERE channel_id = ?1 AND update_id = ?2",
            params![channel.0, update_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Forgets updates received before `before`.
pub fn prune_updates(conn: &Connection, before: Millis) -> AppResult<usize> {
    Ok(conn.execute("DELETE FROM telegram_updates WHERE received_at < ?1", [before])?)
}

/// A client's message (or its edit) in an update.
pub struct Received<'a> {
    pub update_id: i64,
    pub sender: MessengerUser<'a>,
    /// Telegram's id of the message in its chat.
    pub message_id: i64,
    /// Markdown.
    pub text: &'a str,
    /// When set, the message was edited at this time.
    pub edited_at: Option<Millis>,
    pub files: &'a [Delivered],
}

/// Stores the update and its message (or edit) in the caller's transaction. `None`
/// when the update was stored before.
pub fn store_received(tx: &Connection, channel: ChannelId, received: &Received, now: Millis) -> AppResult<Option<Seq>> {
    let fresh = tx.execute(
        "INSERT INTO telegram_updates (channel_id, update_id, received_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        params![channel.0, received.update_id, now],
    )?;
    if fresh == 0 {
        return Ok(None);
    }
    let account = messenger_account(tx, channel, "telegram", &received.sender, now)?;
    let external = received.message_id.to_string();
    if let Some(at) = received.edited_at {
        if let Some(seq) = dialogs::edit_client_message(tx, account, &external, received.text, at)? {
            return Ok(Some(seq));
        }
    }
    let ids = delivered_as_uploads(tx, account, received.files, now)?;
    let added = dialogs::client_message(tx, account, received.text, None, &ids)?;
    dialogs::set_external_id(tx, MessageId(added.message.id.0), &external)?;
    Ok(added.seq)
}
