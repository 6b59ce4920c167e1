//! Telegram as a channel: administrators connect bots on the Integrations page
//! ([`integrations`]), clients' updates arrive at the webhook ([`webhook`]), operators'
//! answers leave through the outbox ([`crate::outbox`] calling [`deliver`]).

pub mod bot_api;
pub mod deliver;
pub mod format;
pub mod integrations;
pub mod update;
pub mod webhook;

use crate::error::AppResult;
use crate::AppState;
use axum::Router;
use el_protocol::ChannelId;
use rusqlite::{Connection, OptionalExtension};

pub fn router() -> Router<AppState> {
    integrations::router().merge(webhook::router())
}

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

fn bot_from_row(r: &rusqlite::Row) -> rusqlite::Result<Bot> {
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

/// Forgets updates older than a week (Telegram stops retrying after a day).
pub async fn prune_updates(state: &AppState) -> AppResult<usize> {
    let before = crate::db::now_ms() - 7 * 24 * 60 * 60 * 1000;
    state.db.run(move |conn| Ok(conn.execute("DELETE FROM telegram_updates WHERE received_at < ?1", [before])?)).await
}
