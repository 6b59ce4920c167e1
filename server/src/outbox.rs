//! The outbox: operators' messages on their way to a messenger. A message is queued in
//! the transaction that stores it; a worker delivers it, one dialog's messages in
//! order while other dialogs go on. Rate limits (429 with `retry_after`) and
//! Telegram's own trouble (5xx, network) are retried with backoff; refusals (400, 403)
//! mark the message failed with the reason. Each call that succeeded is recorded at
//! once, so a restart resumes a delivery without sending any part twice.

use crate::db::now_ms;
use crate::dialogs::store;
use crate::error::{AppError, AppResult};
use crate::telegram::deliver::{plan, reason, send_part, PartFailure};
use crate::telegram::{bot_of_channel, Bot};
use crate::AppState;
use el_protocol::api::Delivery;
use el_protocol::{ChannelId, DialogId, MessageId, Millis, Seq};
use rusqlite::{params, Connection, OptionalExtension};
use std::time::Duration;
use tokio::task::JoinSet;

/// How long a delivery may run before its message is offered again.
const LEASE: Duration = Duration::from_secs(5 * 60);
/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// After this long without success a message is marked failed.
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// Deliveries started at once.
const BATCH: i64 = 16;

/// Why a message still waiting when its bot was disconnected was not delivered.
pub const BOT_DISCONNECTED: &str = "The Telegram bot was disconnected before this message went out.";
/// Why a message that shows nothing in Telegram (an image from outside our file store,
/// say) is not sent.
pub const NOTHING_TO_SEND: &str = "Not sent: nothing in this message can be shown in Telegram.";
/// Why a message whose sending Telegram never confirmed is not sent again by itself.
pub const UNCONFIRMED: &str =
    "Telegram did not confirm this message: it may or may not have reached the client. Ask them before sending it again.";

/// Marks every message still waiting for `channel` as not delivered (its bot was
/// disconnected). Returns the last event's position, if any.
pub fn fail_channel(conn: &Connection, channel: ChannelId) -> AppResult<Option<Seq>> {
    let waiting: Vec<i64> = conn
        .prepare(
            "SELECT o.message_id FROM outbox o JOIN dialogs d ON d.id = o.dialog_id
             JOIN client_accounts a ON a.id = d.account_id WHERE a.channel_id = ?1",
        )?
        .query_map([channel.0], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut last = None;
    for message in waiting {
        conn.execute("DELETE FROM outbox WHERE message_id = ?1", [message])?;
        let failed = Delivery::Failed { reason: BOT_DISCONNECTED.into() };
        last = Some(store::set_delivery(conn, MessageId(message), &failed)?);
    }
    Ok(last)
}

/// Queues operator message `message` of `dialog` when the dialog's client is on a
/// messenger (nothing to do for the website widget). A disconnected bot cannot carry it.
pub fn enqueue(conn: &Connection, dialog: DialogId, message: MessageId) -> AppResult<()> {
    let (kind, disconnected): (String, Option<Millis>) = conn.query_row(
        "SELECT ch.kind, ch.disconnected_at FROM dialogs d JOIN client_accounts a ON a.id = d.account_id
         JOIN channels ch ON ch.id = a.channel_id WHERE d.id = ?1",
        [dialog.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
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
    let now = now_ms();
    conn.execute("UPDATE messages SET delivery = 'sending' WHERE id = ?1", [message.0])?;
    conn.execute(
        "INSERT INTO outbox (message_id, dialog_id, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?3)",
        params![message.0, dialog.0, now],
    )?;
    Ok(())
}

/// A message due for (more of) its delivery.
#[derive(Debug, Clone)]
struct Job {
    message: MessageId,
    parts_done: usize,
    attempts: u32,
    created_at: Millis,
}

/// Messages first in their dialog's queue (a dialog's messages go out in order).
const HEAD: &str =
    "NOT EXISTS (SELECT 1 FROM outbox p WHERE p.dialog_id = o.dialog_id AND p.message_id < o.message_id)";

/// Leases the messages due now that are first in their dialog's queue.
fn take_due(conn: &Connection, now: Millis) -> AppResult<Vec<Job>> {
    let sql = format!(
        "SELECT o.message_id, o.parts_done, o.attempts, o.created_at FROM outbox o
         WHERE o.next_attempt_at <= ?1 AND (o.leased_until IS NULL OR o.leased_until <= ?1) AND {HEAD}
         ORDER BY o.next_attempt_at LIMIT ?2"
    );
    let jobs: Vec<Job> = conn
        .prepare_cached(&sql)?
        .query_map(params![now, BATCH], |r| {
            Ok(Job {
                message: MessageId(r.get(0)?),
                parts_done: r.get::<_, i64>(1)? as usize,
                attempts: r.get(2)?,
                created_at: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    for job in &jobs {
        conn.execute(
            "UPDATE outbox SET leased_until = ?1 WHERE message_id = ?2",
            params![now + LEASE.as_millis() as i64, job.message.0],
        )?;
    }
    Ok(jobs)
}

/// When the next message first in its dialog's queue falls due (`None`: none waits).
/// A message behind another waits for that one to finish, which wakes the worker.
fn next_due(conn: &Connection) -> AppResult<Option<Millis>> {
    let sql = format!("SELECT MIN(MAX(o.next_attempt_at, COALESCE(o.leased_until, 0))) FROM outbox o WHERE {HEAD}");
    Ok(conn.prepare_cached(&sql)?.query_row([], |r| r.get(0))?)
}

/// The wait before attempt `attempts + 1`: doubling from `base`, at most 30 seconds, so
/// that answers go out soon after an outage ends.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    base.saturating_mul(1 << attempts.min(16)).min(MAX_BACKOFF)
}

/// Delivers queued messages until the server stops; then waits for deliveries under way.
pub async fn run(state: AppState) {
    // Leases of a previous run ended with it.
    if let Err(e) = state.db.run(|conn| Ok(conn.execute("UPDATE outbox SET leased_until = NULL", [])?)).await {
        tracing::error!(error = %e, "the outbox could not be opened");
    }
    let mut wake = state.hub.subscribe();
    let mut closing = state.hub.closing();
    let mut jobs = JoinSet::new();
    loop {
        let taken = state.db.run(|conn| Ok((take_due(conn, now_ms())?, next_due(conn)?))).await;
        let wait = match taken {
            Ok((due, next)) => {
                for job in due {
                    jobs.spawn(deliver(state.clone(), job));
                }
                next.map_or(Duration::from_secs(3600), |at| Duration::from_millis((at - now_ms()).max(0) as u64))
            }
            Err(e) => {
                tracing::error!(error = %e, "reading the outbox failed");
                Duration::from_secs(5)
            }
        };
        tokio::select! {
            biased;
            _ = closing.changed() => break,
            Some(_) = jobs.join_next(), if !jobs.is_empty() => {}
            changed = wake.changed() => if changed.is_err() { break },
            _ = tokio::time::sleep(wait.max(Duration::from_millis(10))) => {}
        }
    }
    while jobs.join_next().await.is_some() {}
}

/// What a delivery needs from the database.
struct Target {
    message: el_protocol::api::Message,
    bot: Bot,
    chat_id: String,
}

fn target(conn: &Connection, message: MessageId) -> AppResult<Target> {
    let message = store::message(conn, message)?;
    let (channel, chat_id): (i64, String) = conn.query_row(
        "SELECT a.channel_id, a.external_id FROM dialogs d JOIN client_accounts a ON a.id = d.account_id WHERE d.id = ?1",
        [message.dialog_id.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let bot = bot_of_channel(conn, ChannelId(channel))?
        .ok_or_else(|| AppError::Internal(format!("channel {channel} has no bot")))?;
    Ok(Target { message, bot, chat_id })
}

async fn deliver(state: AppState, job: Job) {
    if let Err(e) = attempt(&state, &job).await {
        tracing::error!(message = %job.message, error = %e, "delivery could not be recorded");
        let retry = backoff(Duration::from_millis(state.config.outbox_retry_ms), job.attempts);
        let _ = state.db.run(move |conn| reschedule(conn, &job, retry, true, &e.to_string())).await;
    }
}

async fn attempt(state: &AppState, job: &Job) -> AppResult<()> {
    let id = job.message;
    let Target { message, bot, chat_id } = state.db.run(move |conn| target(conn, id)).await?;
    if !bot.connected {
        return finish(state, id, Delivery::Failed { reason: BOT_DISCONNECTED.into() }).await;
    }
    let parts = plan(&message);
    if parts.is_empty() {
        // Never "Sent" for nothing sent.
        return finish(state, id, Delivery::Failed { reason: NOTHING_TO_SEND.into() }).await;
    }
    for (i, part) in parts.iter().enumerate().skip(job.parts_done) {
        match send_part(state, &bot, &chat_id, part).await {
            Ok(telegram_id) => {
                state
                    .db
                    .run(move |conn| {
                        conn.execute("UPDATE outbox SET parts_done = ?1 WHERE message_id = ?2", params![i + 1, id.0])?;
                        if i == 0 {
                            store::set_external_id(conn, id, &telegram_id.to_string())?;
                        }
                        Ok(())
                    })
                    .await?;
            }
            Err(PartFailure::Telegram(f)) if f.may_have_arrived() => {
                // Sending it again could deliver it twice: the operator decides.
                tracing::warn!(message = %id, failure = %f, "delivery unconfirmed");
                return finish(state, id, Delivery::Failed { reason: UNCONFIRMED.into() }).await;
            }
            Err(PartFailure::Telegram(f)) if f.is_temporary() && !given_up(job) => {
                // Waiting what Telegram asks for is no failed attempt: the backoff of
                // the next real failure does not grow from it.
                let (wait, counts) = match f.retry_after() {
                    Some(wait) => (wait, false),
                    None => (backoff(Duration::from_millis(state.config.outbox_retry_ms), job.attempts), true),
                };
                tracing::warn!(message = %id, failure = %f, ?wait, "delivery postponed");
                let (job, why) = (job.clone(), f.to_string());
                return state.db.run(move |conn| reschedule(conn, &job, wait, counts, &why)).await;
            }
            Err(PartFailure::Telegram(f)) if f.is_temporary() => {
                let why = format!("Not delivered: Telegram could not take it for a day ({f}).");
                return finish(state, id, Delivery::Failed { reason: why }).await;
            }
            Err(failure) => {
                tracing::warn!(message = %id, ?failure, "delivery refused");
                return finish(state, id, Delivery::Failed { reason: reason(&failure) }).await;
            }
        }
    }
    finish(state, id, Delivery::Sent).await
}

fn given_up(job: &Job) -> bool {
    now_ms() - job.created_at > GIVE_UP_AFTER.as_millis() as i64
}

/// Tries the job again after `wait`; `failed` counts the attempt for the backoff.
fn reschedule(conn: &Connection, job: &Job, wait: Duration, failed: bool, why: &str) -> AppResult<()> {
    conn.execute(
        "UPDATE outbox SET attempts = attempts + ?1, next_attempt_at = ?2, leased_until = NULL, last_error = ?3
         WHERE message_id = ?4",
        params![u32::from(failed), now_ms() + wait.as_millis() as i64, why, job.message.0],
    )?;
    Ok(())
}

/// The message leaves the outbox, sent or failed.
async fn finish(state: &AppState, id: MessageId, delivery: Delivery) -> AppResult<()> {
    let seq = state
        .db
        .transaction(move |tx| {
            let queued =
                tx.query_row("SELECT 1 FROM outbox WHERE message_id = ?1", [id.0], |_| Ok(())).optional()?.is_some();
            if !queued {
                return Ok(None);
            }
            tx.execute("DELETE FROM outbox WHERE message_id = ?1", [id.0])?;
            store::set_delivery(tx, id, &delivery).map(Some)
        })
        .await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialog_waits_for_its_first_message_while_others_go() {
        let conn = crate::db::migrated_in_memory();
        // Only the queue's own SQL is under test: no messages behind the ids.
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.execute_batch(
            "INSERT INTO outbox (message_id, dialog_id, next_attempt_at, created_at) VALUES
                (1, 10, 0, 0), (2, 10, 0, 0), (3, 20, 100, 0);",
        )
        .unwrap();
        let ids = |jobs: Vec<Job>| jobs.iter().map(|j| j.message.0).collect::<Vec<_>>();
        assert_eq!(ids(take_due(&conn, 50).unwrap()), [1], "message 2 waits behind 1; 3 is not due");
        assert!(take_due(&conn, 60).unwrap().is_empty(), "a leased message is not taken twice");
        assert_eq!(next_due(&conn).unwrap(), Some(100), "the waiting second message does not count");
        assert_eq!(ids(take_due(&conn, 150).unwrap()), [3]);
        conn.execute("DELETE FROM outbox WHERE message_id = 1", []).unwrap();
        assert_eq!(ids(take_due(&conn, 160).unwrap()), [2], "the next one goes once the first is done");
    }

    #[test]
    fn backoff_doubles_up_to_thirty_seconds() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 0), Duration::from_secs(2));
        assert_eq!(backoff(base, 3), Duration::from_secs(16));
        assert_eq!(backoff(base, 4), MAX_BACKOFF);
        assert_eq!(backoff(base, 8), MAX_BACKOFF);
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }
}
