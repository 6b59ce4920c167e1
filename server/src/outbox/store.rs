//! The outbox's queue (SQL only): operators' messages waiting to go to a messenger.

use crate::dialogs::store as dialogs;
use crate::error::{AppError, AppResult};
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::api::{Delivery, Receipt};
use el_protocol::templates::TemplateCall;
use el_protocol::{ChannelId, DialogId, MessageId, Millis, Seq};

/// How long after a client's message WhatsApp, Messenger and Instagram take answers.
const ANSWER_WINDOW: Millis = 24 * 60 * 60 * 1000;

/// Marks `channel` disconnected: what still waited to go through it fails with `why`,
/// and its open dialogs are logged anew (their composers say why nothing can be sent).
/// Answers the last event's position, if any.
pub fn channel_disconnected(tx: &Connection, channel: ChannelId, why: &str, now: Millis) -> AppResult<Option<Seq>> {
    tx.execute("UPDATE channels SET disconnected_at = ?1 WHERE id = ?2", params![now, channel.0])?;
    let mut failed = None;
    for message in remove_channel(tx, channel)? {
        failed = Some(dialogs::set_delivery(tx, message, &Delivery::Failed { reason: why.into() })?);
    }
    Ok(dialogs::log_open_dialogs_of_channel(tx, channel)?.or(failed))
}

/// Takes every message still waiting for `channel` out of the queue; answers them.
fn remove_channel(conn: &Connection, channel: ChannelId) -> AppResult<Vec<MessageId>> {
    let waiting: Vec<i64> = conn
        .prepare_cached(
            "SELECT o.message_id FROM outbox o JOIN dialogs d ON d.id = o.dialog_id
             JOIN client_accounts a ON a.id = d.account_id WHERE a.channel_id = ?1",
        )?
        .query_map([channel.0], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for message in &waiting {
        conn.execute("DELETE FROM outbox WHERE message_id = ?1", [message])?;
    }
    Ok(waiting.into_iter().map(MessageId).collect())
}

/// Queues operator message `message` of `dialog` when the dialog's client is on a
/// messenger (nothing to do for the website widget). A disconnected bot cannot carry
/// it, nor can a bot the client unsubscribed from, nor WhatsApp, Messenger or Instagram
/// once 24 hours have passed since the client last wrote.
/// A `template` (a JSON [`el_protocol::templates::TemplateCall`]) goes instead of the
/// message's text: only through WhatsApp, and at any time.
pub fn enqueue(
    conn: &Connection,
    dialog: DialogId,
    message: MessageId,
    template: Option<&str>,
    now: Millis,
) -> AppResult<()> {
    type Row = (String, Option<Millis>, Option<Millis>, Option<Millis>);
    let (kind, disconnected, unsubscribed, last_inbound): Row = conn.query_row(
        "SELECT ch.kind, ch.disconnected_at, a.unsubscribed_at, a.last_inbound_at FROM dialogs d
         JOIN client_accounts a ON a.id = d.account_id JOIN channels ch ON ch.id = a.channel_id WHERE d.id = ?1",
        [dialog.0],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    if template.is_some() && kind != "whatsapp" {
        return Err(AppError::BadRequest("Templates are WhatsApp's: this client is not on WhatsApp.".into()));
    }
    if kind == "widget" {
        return Ok(());
    }
    if disconnected.is_some() {
        return Err(AppError::Conflict(
            "This chat's bot is disconnected, so the client cannot receive messages here. \
             An administrator can reconnect it in Settings → Integrations."
                .into(),
        ));
    }
    if unsubscribed.is_some() {
        return Err(AppError::Conflict(
            "The client unsubscribed from this bot, so messages cannot reach them. They receive messages again \
             once they write to the bot."
                .into(),
        ));
    }
    let window_closed = template.is_none() && last_inbound.is_none_or(|at| now - at > ANSWER_WINDOW);
    match kind.as_str() {
        "whatsapp" if window_closed => {
            return Err(AppError::Conflict(
                "More than 24 hours have passed since the client last wrote: WhatsApp delivers only approved \
                 templates until they write again."
                    .into(),
            ))
        }
        "facebook" | "instagram" if window_closed => {
            return Err(AppError::Conflict(
                "More than 24 hours have passed since the client last wrote: Meta takes answers again once they \
                 write."
                    .into(),
            ))
        }
        _ => {}
    }
    conn.execute("UPDATE messages SET delivery = 'sending' WHERE id = ?1", [message.0])?;
    conn.execute(
        "INSERT INTO outbox (message_id, dialog_id, next_attempt_at, created_at, template) VALUES (?1, ?2, ?3, ?3, ?4)",
        params![message.0, dialog.0, now, template],
    )?;
    Ok(())
}

/// The template message `message` sends, if it is one.
pub fn template_of(conn: &Connection, message: MessageId) -> AppResult<Option<TemplateCall>> {
    let json: Option<String> = conn
        .query_row("SELECT template FROM outbox WHERE message_id = ?1", [message.0], |r| r.get(0))
        .optional()?
        .flatten();
    json.map(|j| serde_json::from_str(&j).map_err(|e| AppError::Internal(format!("a stored template: {e}"))))
        .transpose()
}

/// A message due for (more of) its delivery.
#[derive(Debug, Clone)]
pub struct Job {
    pub message: MessageId,
    pub parts_done: usize,
    pub attempts: u32,
    pub created_at: Millis,
}

/// Messages first in their dialog's queue (a dialog's messages go out in order).
const HEAD: &str =
    "NOT EXISTS (SELECT 1 FROM outbox p WHERE p.dialog_id = o.dialog_id AND p.message_id < o.message_id)";

/// Leases up to `batch` messages due at `now` that are first in their dialog's queue,
/// until `lease_until`.
pub fn take_due(conn: &Connection, now: Millis, lease_until: Millis, batch: usize) -> AppResult<Vec<Job>> {
    let sql = format!(
        "SELECT o.message_id, o.parts_done, o.attempts, o.created_at FROM outbox o
         WHERE o.next_attempt_at <= ?1 AND (o.leased_until IS NULL OR o.leased_until <= ?1) AND {HEAD}
         ORDER BY o.next_attempt_at, o.message_id LIMIT ?2"
    );
    let jobs: Vec<Job> = conn
        .prepare_cached(&sql)?
        .query_map(params![now, batch as i64], |r| {
            Ok(Job {
                message: MessageId(r.get(0)?),
                parts_done: r.get::<_, i64>(1)? as usize,
                attempts: r.get(2)?,
                created_at: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    for job in &jobs {
        conn.execute("UPDATE outbox SET leased_until = ?1 WHERE message_id = ?2", params![lease_until, job.message.0])?;
    }
    Ok(jobs)
}

/// When the next message first in its dialog's queue falls due (`None`: none waits).
/// A message behind another waits for that one to finish.
pub fn next_due(conn: &Connection) -> AppResult<Option<Millis>> {
    let sql = format!(
        "SELECT MIN(CASE WHEN o.next_attempt_at > COALESCE(o.leased_until, 0)
         THEN o.next_attempt_at ELSE o.leased_until END) FROM outbox o WHERE {HEAD}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row([], |r| r.get(0))?)
}

/// Extends the lease of a message whose delivery runs; `false` when it is no longer
/// leased (it left the queue, or its lease ran out and it was offered again).
pub fn renew_lease(conn: &Connection, message: MessageId, until: Millis) -> AppResult<bool> {
    Ok(conn.execute(
        "UPDATE outbox SET leased_until = ?1 WHERE message_id = ?2 AND leased_until IS NOT NULL",
        params![until, message.0],
    )? > 0)
}

/// Where a dialog's messages go: the channel and the client's id on it.
pub fn destination(conn: &Connection, dialog: DialogId) -> AppResult<(ChannelId, String)> {
    Ok(conn.query_row(
        "SELECT a.channel_id, a.external_id FROM dialogs d JOIN client_accounts a ON a.id = d.account_id WHERE d.id = ?1",
        [dialog.0],
        |r| Ok((ChannelId(r.get(0)?), r.get(1)?)),
    )?)
}

/// Records that part `index` (from 0) of the message went out.
pub fn part_sent(conn: &Connection, message: MessageId, index: usize) -> AppResult<()> {
    conn.execute("UPDATE outbox SET parts_done = ?1 WHERE message_id = ?2", params![index + 1, message.0])?;
    Ok(())
}

/// Offers the message again at `at`; `failed` counts the attempt for the backoff.
pub fn reschedule(conn: &Connection, message: MessageId, at: Millis, failed: bool, why: &str) -> AppResult<()> {
    conn.execute(
        "UPDATE outbox SET attempts = attempts + ?1, next_attempt_at = ?2, leased_until = NULL, last_error = ?3
         WHERE message_id = ?4",
        params![u32::from(failed), at, why, message.0],
    )?;
    Ok(())
}

/// Takes the message out of the queue; `false` when it had left already.
pub fn remove(tx: &Connection, message: MessageId) -> AppResult<bool> {
    Ok(tx.execute("DELETE FROM outbox WHERE message_id = ?1", [message.0])? > 0)
}

/// The operator's message a messenger knows as `external` (its id there), sent to the
/// client `to` (their id there) through `channel`: its id and the client's account.
fn sent_message(
    conn: &Connection,
    channel: ChannelId,
    to: &str,
    external: &str,
) -> AppResult<Option<(MessageId, i64)>> {
    Ok(conn
        .query_row(
            "SELECT m.id, a.id FROM messages m JOIN dialogs d ON d.id = m.dialog_id
             JOIN client_accounts a ON a.id = d.account_id
             WHERE a.channel_id = ?1 AND a.external_id = ?2 AND m.external_id = ?3 AND m.author_kind = 'operator'",
            params![channel.0, to, external],
            |r| Ok((MessageId(r.get(0)?), r.get(1)?)),
        )
        .optional()?)
}

/// The messenger delivered, or the client saw, message `external`: operators see it on
/// the message. Answers the event's position when that moved anything.
pub fn receipt(tx: &Connection, channel: ChannelId, to: &str, external: &str, how: Receipt) -> AppResult<Option<Seq>> {
    match sent_message(tx, channel, to, external)? {
        Some((message, account)) => dialogs::client_received(tx, account, message, how),
        None => Ok(None),
    }
}

/// The messenger delivered, or the client saw, every message sent to client `to` through
/// `channel` until `at` (a watermark, in milliseconds): operators see it on the newest.
pub fn receipt_up_to(
    tx: &Connection,
    channel: ChannelId,
    to: &str,
    at: Millis,
    how: Receipt,
) -> AppResult<Option<Seq>> {
    let newest: Option<(i64, i64)> = tx
        .query_row(
            "SELECT m.id, a.id FROM messages m JOIN dialogs d ON d.id = m.dialog_id
             JOIN client_accounts a ON a.id = d.account_id
             WHERE a.channel_id = ?1 AND a.external_id = ?2 AND m.author_kind = 'operator' AND m.is_note = 0
               AND m.external_id IS NOT NULL AND m.created_at <= ?3
             ORDER BY m.id DESC LIMIT 1",
            params![channel.0, to, at],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match newest {
        Some((message, account)) => dialogs::client_received(tx, account, MessageId(message), how),
        None => Ok(None),
    }
}

/// The messenger took message `external`, then could not deliver it: it shows as not
/// delivered, for `reason`.
pub fn failed_after_sending(
    tx: &Connection,
    channel: ChannelId,
    to: &str,
    external: &str,
    reason: &str,
) -> AppResult<Option<Seq>> {
    match sent_message(tx, channel, to, external)? {
        Some((message, _)) => dialogs::set_delivery(tx, message, &Delivery::Failed { reason: reason.into() }).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialog_waits_for_its_first_message_while_others_go() {
        let lite = crate::db::migrated_in_memory();
        // Only the queue's own SQL is under test: no messages behind the ids.
        lite.pragma_update(None, "foreign_keys", "OFF").unwrap();
        let conn = Connection::from(&lite);
        conn.execute_batch(
            "INSERT INTO outbox (message_id, dialog_id, next_attempt_at, created_at) VALUES
                (1, 10, 0, 0), (2, 10, 0, 0), (3, 20, 100, 0);",
        )
        .unwrap();
        let take = |now| take_due(&conn, now, now + 1000, 16).unwrap().iter().map(|j| j.message.0).collect::<Vec<_>>();
        assert_eq!(take(50), [1], "message 2 waits behind 1; 3 is not due");
        assert!(take(60).is_empty(), "a leased message is not taken twice");
        assert_eq!(next_due(&conn).unwrap(), Some(100), "the waiting second message does not count");
        assert_eq!(take(150), [3]);
        conn.execute("DELETE FROM outbox WHERE message_id = 1", []).unwrap();
        assert_eq!(take(160), [2], "the next one goes once the first is done");
    }

    #[test]
    fn a_lease_holds_while_renewed_and_lets_go_when_it_runs_out() {
        let lite = crate::db::migrated_in_memory();
        lite.pragma_update(None, "foreign_keys", "OFF").unwrap();
        let conn = Connection::from(&lite);
        conn.execute(
            "INSERT INTO outbox (message_id, dialog_id, next_attempt_at, created_at) VALUES (1, 10, 0, 0)",
            [],
        )
        .unwrap();
        let take = |now| take_due(&conn, now, now + 60, 16).unwrap().iter().map(|j| j.message.0).collect::<Vec<_>>();
        assert_eq!(take(0), [1]);
        assert!(renew_lease(&conn, MessageId(1), 100).unwrap());
        assert!(take(80).is_empty(), "renewed: still with the worker that took it");
        // Its worker is gone: the lease runs out and any worker takes the message.
        assert_eq!(take(100), [1]);
        conn.execute("DELETE FROM outbox WHERE message_id = 1", []).unwrap();
        assert!(!renew_lease(&conn, MessageId(1), 200).unwrap(), "a message that left the queue has no lease");
    }
}
