//! The queue's state (SQL only): channels' routing, operators' presence and capacity,
//! and the offers of dialogs waiting in turn.

use crate::auth::store::all_users;
use crate::error::{AppError, AppResult};
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::api::{ChannelKind, Offer};
use el_protocol::queue::{
    next_operator, Candidate, ChannelQueue, Presence, QueueOperator, Routing, SetRouting, WaitingDialog,
};
use el_protocol::{ChannelId, DialogId, Millis, UserId};
use std::collections::HashMap;

/// How long an operator counts as connected after the last word from an instance
/// that holds their socket (it says so every [`super::HEARTBEAT`]).
pub const ONLINE_FOR_MS: Millis = 60_000;

/// What one pass of the queue did.
#[derive(Debug, Default)]
pub struct Distributed {
    /// The dialogs whose offer changed (the caller logs them).
    pub changed: Vec<DialogId>,
    /// When the next offer runs out.
    pub next_expiry: Option<Millis>,
    /// The channels whose dialogs go in turn.
    pub in_turn: Vec<ChannelId>,
}

/// Every operator (a user who may work in External Lines), by name, with when a
/// dialog was last offered to them.
pub fn operators(conn: &Connection, now: Millis) -> AppResult<Vec<(QueueOperator, Millis)>> {
    type Facts = (Presence, bool, Option<u32>, Millis, u32, u32);
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.presence, u.online_until > ?1, u.max_active, u.last_offer_at,
                COALESCE(a.n, 0), COALESCE(o.n, 0)
         FROM users u
         LEFT JOIN (SELECT m.user_id, COUNT(*) AS n FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
                    WHERE d.state = 'active' GROUP BY m.user_id) a ON a.user_id = u.id
         LEFT JOIN (SELECT offered_to, COUNT(*) AS n FROM dialogs WHERE offered_to IS NOT NULL
                    GROUP BY offered_to) o ON o.offered_to = u.id",
    )?;
    let facts: HashMap<i64, Facts> = stmt
        .query_map([now], |r| {
            let presence = Presence::parse(&r.get::<_, String>(1)?).unwrap_or_default();
            Ok((r.get(0)?, (presence, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        })?
        .collect::<Result<_, _>>()?;
    let operators = all_users(conn)?.into_iter().filter(|u| u.access.can_work_dialogs());
    Ok(operators
        .filter_map(|u| {
            let (presence, connected, max_active, last_offer_at, active, offered) = *facts.get(&u.user.id.0)?;
            Some((QueueOperator { user: u.user, presence, connected, active, offered, max_active }, last_offer_at))
        })
        .collect())
}

/// One pass: withdraws offers that ran out or whose operator went Away or offline
/// (they are not offered that dialog again this round), then offers each waiting
/// dialog, oldest first, to the next available operator.
pub fn distribute(conn: &Connection, now: Millis) -> AppResult<Distributed> {
    let in_turn: Vec<ChannelId> = conn
        .prepare_cached("SELECT id FROM channels WHERE routing = 'in_turn'")?
        .query_map([], |r| Ok(ChannelId(r.get(0)?)))?
        .collect::<Result<_, _>>()?;
    let offers: Vec<(DialogId, UserId, Millis)> = conn
        .prepare_cached("SELECT id, offered_to, offered_until FROM dialogs WHERE offered_to IS NOT NULL")?
        .query_map([], |r| Ok((DialogId(r.get(0)?), UserId(r.get(1)?), r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if offers.is_empty() && (in_turn.is_empty() || !any_waiting(conn)?) {
        return Ok(Distributed { changed: Vec::new(), next_expiry: None, in_turn });
    }
    let mut candidates = candidates(conn, now)?;
    let mut changed: Vec<DialogId> = Vec::new();

    for (dialog, to, until) in offers {
        let operator = candidates.iter_mut().find(|c| c.user == to);
        let still_there = operator.as_ref().is_some_and(|c| c.presence == Presence::Online && c.connected);
        if until > now && still_there {
            continue;
        }
        if let Some(c) = operator {
            c.offered = c.offered.saturating_sub(1);
        }
        withdraw(conn, dialog, to)?;
        changed.push(dialog);
    }

    let waiting: Vec<(DialogId, i64)> = conn
        .prepare_cached(
            "SELECT d.id, ch.offer_seconds FROM dialogs d
             JOIN client_accounts a ON a.id = d.account_id
             JOIN channels ch ON ch.id = a.channel_id
             WHERE d.state = 'unassigned' AND d.offered_to IS NULL AND ch.routing = 'in_turn'
             ORDER BY d.id",
        )?
        .query_map([], |r| Ok((DialogId(r.get(0)?), r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (dialog, seconds) in waiting {
        if !offer(conn, dialog, seconds, &mut candidates, now)? {
            break;
        }
        changed.push(dialog);
    }

    changed.sort();
    changed.dedup();
    let next_expiry = conn
        .prepare_cached("SELECT MIN(offered_until) FROM dialogs WHERE offered_to IS NOT NULL")?
        .query_row([], |r| r.get(0))?;
    Ok(Distributed { changed, next_expiry, in_turn })
}

/// Every operator as the queue weighs them.
fn candidates(conn: &Connection, now: Millis) -> AppResult<Vec<Candidate>> {
    Ok(operators(conn, now)?
        .into_iter()
        .map(|(o, last_offer_at)| Candidate {
            user: o.user.id,
            presence: o.presence,
            connected: o.connected,
            active: o.active,
            offered: o.offered,
            max_active: o.max_active,
            last_offer_at,
        })
        .collect())
}

/// Offers `dialog` for `seconds` to the next of `candidates` (updated to match);
/// `false` when nobody is available.
fn offer(
    conn: &Connection,
    dialog: DialogId,
    seconds: i64,
    candidates: &mut [Candidate],
    now: Millis,
) -> AppResult<bool> {
    let tried: Vec<UserId> = conn
        .prepare_cached("SELECT user_id FROM dialog_offer_tries WHERE dialog_id = ?1")?
        .query_map([dialog.0], |r| Ok(UserId(r.get(0)?)))?
        .collect::<Result<_, _>>()?;
    let Some(pick) = next_operator(candidates, &tried) else { return Ok(false) };
    if pick.new_round {
        conn.execute("DELETE FROM dialog_offer_tries WHERE dialog_id = ?1", [dialog.0])?;
    }
    conn.execute(
        "UPDATE dialogs SET offered_to = ?1, offered_until = ?2 WHERE id = ?3",
        params![pick.user.0, now + seconds * 1000, dialog.0],
    )?;
    conn.execute("UPDATE users SET last_offer_at = ?1 WHERE id = ?2", params![now, pick.user.0])?;
    if let Some(c) = candidates.iter_mut().find(|c| c.user == pick.user) {
        c.offered += 1;
        c.last_offer_at = now;
    }
    Ok(true)
}

/// A dialog that has just come into Unassigned is offered at once when its channel
/// goes in turn, so nobody else sees it pass through their list.
pub fn offer_new(conn: &Connection, dialog: DialogId, now: Millis) -> AppResult<()> {
    let seconds: Option<i64> = conn
        .prepare_cached(
            "SELECT ch.offer_seconds FROM dialogs d
             JOIN client_accounts a ON a.id = d.account_id
             JOIN channels ch ON ch.id = a.channel_id
             WHERE d.id = ?1 AND d.state = 'unassigned' AND d.offered_to IS NULL AND ch.routing = 'in_turn'",
        )?
        .query_row([dialog.0], |r| r.get(0))
        .optional()?;
    if let Some(seconds) = seconds {
        offer(conn, dialog, seconds, &mut candidates(conn, now)?, now)?;
    }
    Ok(())
}

/// The offer stored in a dialog's `offered_to` and `offered_until`.
pub fn offer_of(to: Option<i64>, until: Option<Millis>) -> Option<Offer> {
    Some(Offer { to: UserId(to?), until: until? })
}

/// Does some dialog wait in turn without an offer?
fn any_waiting(conn: &Connection) -> AppResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM dialogs d
             JOIN client_accounts a ON a.id = d.account_id
             JOIN channels ch ON ch.id = a.channel_id
             WHERE d.state = 'unassigned' AND d.offered_to IS NULL AND ch.routing = 'in_turn')",
        )?
        .query_row([], |r| r.get(0))?)
}

/// Takes the offer of `dialog` back from `from`, who is then passed over this round.
fn withdraw(conn: &Connection, dialog: DialogId, from: UserId) -> AppResult<()> {
    conn.execute("UPDATE dialogs SET offered_to = NULL, offered_until = NULL WHERE id = ?1", [dialog.0])?;
    conn.execute(
        "INSERT INTO dialog_offer_tries (dialog_id, user_id) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
        params![dialog.0, from.0],
    )?;
    Ok(())
}

/// Who has the app open: `online` are connected to this instance now (kept connected
/// until `now` + [`ONLINE_FOR_MS`]), `offline` closed their last socket here.
pub fn set_connected(conn: &Connection, online: &[UserId], offline: &[UserId], now: Millis) -> AppResult<()> {
    let mut stmt = conn.prepare_cached("UPDATE users SET online_until = ?1 WHERE id = ?2")?;
    for user in online {
        stmt.execute(params![now + ONLINE_FOR_MS, user.0])?;
    }
    for user in offline {
        stmt.execute(params![now, user.0])?;
    }
    Ok(())
}

/// The user's own Online / Away.
pub fn presence(conn: &Connection, user: UserId) -> AppResult<Presence> {
    let stored: String = conn.query_row("SELECT presence FROM users WHERE id = ?1", [user.0], |r| r.get(0))?;
    Ok(Presence::parse(&stored).unwrap_or_default())
}

pub fn set_presence(conn: &Connection, user: UserId, presence: Presence) -> AppResult<()> {
    conn.execute("UPDATE users SET presence = ?1 WHERE id = ?2", params![presence.as_str(), user.0])?;
    Ok(())
}

/// An operator's maximum of active dialogs (`None`: no maximum).
pub fn set_capacity(conn: &Connection, user: UserId, max_active: Option<u32>) -> AppResult<()> {
    let changed = conn.execute("UPDATE users SET max_active = ?1 WHERE id = ?2", params![max_active, user.0])?;
    if changed == 0 {
        return Err(AppError::NotFound("There is no such user.".into()));
    }
    Ok(())
}

/// Sets how a channel's dialogs are distributed. Back to "everyone at once", its
/// offers are withdrawn (the dialogs show to everyone again): returns those dialogs.
pub fn set_routing(conn: &Connection, channel: ChannelId, set: SetRouting) -> AppResult<Vec<DialogId>> {
    let changed = conn.execute(
        "UPDATE channels SET routing = ?1, offer_seconds = ?2 WHERE id = ?3",
        params![set.routing.as_str(), set.offer_seconds, channel.0],
    )?;
    if changed == 0 {
        return Err(AppError::NotFound("There is no such channel.".into()));
    }
    if set.routing == Routing::InTurn {
        return Ok(Vec::new());
    }
    let offered: Vec<DialogId> = conn
        .prepare_cached(
            "SELECT d.id FROM dialogs d JOIN client_accounts a ON a.id = d.account_id
             WHERE a.channel_id = ?1 AND d.offered_to IS NOT NULL",
        )?
        .query_map([channel.0], |r| Ok(DialogId(r.get(0)?)))?
        .collect::<Result<_, _>>()?;
    for dialog in &offered {
        conn.execute("UPDATE dialogs SET offered_to = NULL, offered_until = NULL WHERE id = ?1", [dialog.0])?;
        conn.execute("DELETE FROM dialog_offer_tries WHERE dialog_id = ?1", [dialog.0])?;
    }
    Ok(offered)
}

/// The channels that receive dialogs (disconnected bots aside), oldest first.
pub fn channels(conn: &Connection) -> AppResult<Vec<ChannelQueue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, name, routing, offer_seconds FROM channels WHERE disconnected_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ChannelQueue {
            channel_id: ChannelId(r.get(0)?),
            kind: ChannelKind::parse(&r.get::<_, String>(1)?).unwrap_or(ChannelKind::Widget),
            name: r.get(2)?,
            routing: Routing::parse(&r.get::<_, String>(3)?).unwrap_or_default(),
            offer_seconds: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The dialogs waiting in turn, oldest first, with whom each is offered to.
pub fn waiting(conn: &Connection) -> AppResult<Vec<WaitingDialog>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, COALESCE(d.name, c.name), ch.name, d.created_at, d.offered_to, d.offered_until
         FROM dialogs d
         JOIN client_accounts a ON a.id = d.account_id
         JOIN clients c ON c.id = a.client_id
         JOIN channels ch ON ch.id = a.channel_id
         WHERE d.state = 'unassigned' AND ch.routing = 'in_turn'
         ORDER BY d.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let offer = offer_of(r.get(4)?, r.get(5)?);
        Ok(WaitingDialog {
            dialog_id: DialogId(r.get(0)?),
            name: r.get(1)?,
            channel_name: r.get(2)?,
            since: r.get(3)?,
            offer,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
