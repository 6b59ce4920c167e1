//! WhatsApp Business phone numbers, their channels and the messages they delivered (SQL only).

use crate::bots::{self, BotTable};
use crate::error::{AppError, AppResult};
use crate::outbox::store::channel_disconnected;
use crate::received::{store_message, Received};
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::api::ChannelKind;
use el_protocol::integrations::MessengerBot;
use el_protocol::{ChannelId, Millis, Seq, UserId};

/// A number behind a channel, as the webhook and the outbox need it.
#[derive(Debug, Clone)]
pub struct Number {
    pub channel_id: ChannelId,
    /// The random part of its webhook's path.
    pub key: String,
    pub phone_number_id: String,
    pub token: String,
    pub app_secret: String,
    pub verify_token: String,
    pub connected: bool,
}

const NUMBER_SELECT: &str = "SELECT n.channel_id, ch.public_key, n.phone_number_id, n.token, n.app_secret,
            n.verify_token, ch.disconnected_at IS NULL
     FROM whatsapp_numbers n JOIN channels ch ON ch.id = n.channel_id";

fn number_from_row(r: &crate::sql::Row) -> crate::sql::Result<Number> {
    Ok(Number {
        channel_id: ChannelId(r.get(0)?),
        key: r.get(1)?,
        phone_number_id: r.get(2)?,
        token: r.get(3)?,
        app_secret: r.get(4)?,
        verify_token: r.get(5)?,
        connected: r.get(6)?,
    })
}

/// The number of a channel.
pub fn number_of_channel(conn: &Connection, channel: ChannelId) -> AppResult<Option<Number>> {
    let sql = format!("{NUMBER_SELECT} WHERE n.channel_id = ?1");
    Ok(conn.query_row(&sql, [channel.0], number_from_row).optional()?)
}

/// The business account of a channel's number.
pub fn waba_of(conn: &Connection, channel: ChannelId) -> AppResult<Option<String>> {
    Ok(conn
        .query_row("SELECT waba_id FROM whatsapp_numbers WHERE channel_id = ?1", [channel.0], |r| r.get(0))
        .optional()?)
}

/// The connected number whose webhook path carries `key`.
pub fn number_by_key(conn: &Connection, key: &str) -> AppResult<Option<Number>> {
    let sql =
        format!("{NUMBER_SELECT} WHERE ch.public_key = ?1 AND ch.kind = 'whatsapp' AND ch.disconnected_at IS NULL");
    Ok(conn.query_row(&sql, [key], number_from_row).optional()?)
}

/// The connected number `phone_number_id` of the app whose secret is `app_secret`.
pub fn number_named(conn: &Connection, phone_number_id: &str, app_secret: &str) -> AppResult<Option<Number>> {
    let sql = format!(
        "{NUMBER_SELECT} WHERE n.phone_number_id = ?1 AND n.app_secret = ?2 AND ch.disconnected_at IS NULL
         ORDER BY n.channel_id DESC LIMIT 1"
    );
    Ok(conn.query_row(&sql, [phone_number_id, app_secret], number_from_row).optional()?)
}

/// Where WhatsApp's numbers are kept.
const NUMBERS: BotTable = BotTable {
    kind: ChannelKind::Whatsapp,
    table: "whatsapp_numbers",
    handle: "display_number",
    identity: "phone_number_id",
};

/// The newest channel of every number, newest first.
pub fn numbers(conn: &Connection) -> AppResult<Vec<MessengerBot>> {
    bots::listed(conn, &NUMBERS)
}

/// The number of `channel` as the Integrations page shows it.
pub fn summary(conn: &Connection, channel: ChannelId) -> AppResult<MessengerBot> {
    bots::summary(conn, &NUMBERS, channel)
}

/// A number as Meta describes it and as we connect it.
pub struct NewNumber {
    pub phone_number_id: String,
    pub waba_id: String,
    pub display_number: String,
    pub name: String,
    pub token: String,
    pub app_secret: String,
    pub verify_token: String,
    /// The random part of the webhook's path.
    pub key: String,
    pub connected_by: UserId,
}

/// Stores the number as a new channel (refused when it is connected already).
pub fn add_number(tx: &Connection, number: &NewNumber, now: Millis) -> AppResult<ChannelId> {
    let connected: Option<String> = tx
        .query_row(
            "SELECT n.display_number FROM whatsapp_numbers n JOIN channels ch ON ch.id = n.channel_id
             WHERE n.phone_number_id = ?1 AND ch.disconnected_at IS NULL",
            [&number.phone_number_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(shown) = connected {
        return Err(AppError::Conflict(format!("The WhatsApp number {shown} is already connected.")));
    }
    tx.execute(
        "INSERT INTO channels (kind, name, public_key, created_at) VALUES ('whatsapp', ?1, ?2, ?3)",
        params![number.name, number.key, now],
    )?;
    let channel = ChannelId(tx.last_insert_rowid()?);
    tx.execute(
        "INSERT INTO whatsapp_numbers (channel_id, phone_number_id, waba_id, display_number, token, app_secret,
                                       verify_token, connected_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            channel.0,
            number.phone_number_id,
            number.waba_id,
            number.display_number,
            number.token,
            number.app_secret,
            number.verify_token,
            number.connected_by.0
        ],
    )?;
    Ok(channel)
}

/// Marks the number's channel disconnected (see [`channel_disconnected`]); answers the
/// last event's position, if any, and the number as it is now.
pub fn disconnect(
    tx: &Connection,
    channel: ChannelId,
    why: &str,
    now: Millis,
) -> AppResult<(Option<Seq>, MessengerBot)> {
    let seq = channel_disconnected(tx, channel, why, now)?;
    Ok((seq, summary(tx, channel)?))
}

/// Whether message `wamid` of the channel was stored before.
pub fn seen(conn: &Connection, channel: ChannelId, wamid: &str) -> AppResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM whatsapp_messages WHERE channel_id = ?1 AND wamid = ?2",
            params![channel.0, wamid],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Forgets message ids received before `before`.
pub fn prune_messages(conn: &Connection, before: Millis) -> AppResult<usize> {
    Ok(conn.execute("DELETE FROM whatsapp_messages WHERE received_at < ?1", [before])?)
}

/// Stores the client's message in the caller's transaction and opens WhatsApp's 24 hours
/// for answers. `None` when it was stored before.
pub fn store_received(tx: &Connection, channel: ChannelId, received: &Received, now: Millis) -> AppResult<Option<Seq>> {
    let fresh = tx.execute(
        "INSERT INTO whatsapp_messages (channel_id, wamid, received_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![channel.0, received.id, now],
    )?;
    if fresh == 0 {
        return Ok(None);
    }
    store_message(tx, channel, "whatsapp", received, now)
}
