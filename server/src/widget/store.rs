//! Website widget channels (SQL only).

use crate::error::AppResult;
use crate::sql::{Connection, OptionalExtension};
use el_protocol::ChannelId;

/// The widget channel with this public key: its id and name.
pub fn channel(conn: &Connection, public_key: &str) -> AppResult<Option<(ChannelId, String)>> {
    Ok(conn
        .query_row("SELECT id, name FROM channels WHERE public_key = ?1 AND kind = 'widget'", [public_key], |r| {
            Ok((ChannelId(r.get(0)?), r.get(1)?))
        })
        .optional()?)
}

/// The public key of the widget channel to show: `wanted` if it exists, else
/// `fallback`, else the oldest widget channel.
pub fn key_to_show(conn: &Connection, wanted: &str, fallback: &str) -> AppResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT public_key FROM channels WHERE kind = 'widget' AND public_key IS NOT NULL
             ORDER BY public_key = ?1 DESC, public_key = ?2 DESC, id LIMIT 1",
            [wanted, fallback],
            |r| r.get(0),
        )
        .optional()?)
}
