//! Messengers' bots as the Integrations page lists them (SQL only): each bot once, as
//! its newest channel (a reconnected bot is a new channel), with how many dialogs came
//! through it.

use crate::error::{AppError, AppResult};
use crate::sql::Connection;
use el_protocol::api::ChannelKind;
use el_protocol::integrations::MessengerBot;
use el_protocol::ChannelId;

#[derive(Clone, Copy)]
/// Where a messenger keeps its bots: the table (keyed by `channel_id`), the column shown
/// as the bot's handle, and the one that stays the same across its reconnections.
pub struct BotTable {
    pub kind: ChannelKind,
    pub table: &'static str,
    pub handle: &'static str,
    pub identity: &'static str,
}

/// The newest channel of every bot in `bots`, newest first.
pub fn listed(conn: &Connection, bots: &BotTable) -> AppResult<Vec<MessengerBot>> {
    let BotTable { kind, table, handle, identity } = *bots;
    let sql = format!(
        "SELECT ch.id, ch.name, b.{handle}, ch.created_at, ch.disconnected_at,
                (SELECT COUNT(*) FROM dialogs d JOIN client_accounts a ON a.id = d.account_id WHERE a.channel_id = ch.id)
         FROM {table} b JOIN channels ch ON ch.id = b.channel_id
         WHERE ch.kind = ?1
           AND b.channel_id = (SELECT MAX(channel_id) FROM {table} newer WHERE newer.{identity} = b.{identity})
         ORDER BY ch.id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([kind.as_str()], |r| {
        Ok(MessengerBot {
            channel_id: ChannelId(r.get(0)?),
            kind,
            name: r.get(1)?,
            username: r.get(2)?,
            connected_at: r.get(3)?,
            disconnected_at: r.get(4)?,
            dialogs: r.get::<_, i64>(5)? as u64,
            problem: None,
            setup: None,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The bot of `channel` as the Integrations page shows it.
pub fn summary(conn: &Connection, bots: &BotTable, channel: ChannelId) -> AppResult<MessengerBot> {
    listed(conn, bots)?
        .into_iter()
        .find(|b| b.channel_id == channel)
        .ok_or_else(|| AppError::Internal(format!("the bot of channel {channel} is missing")))
}
