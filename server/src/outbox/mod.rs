//! The outbox: operators' messages on their way to a messenger. A message is queued in
//! the transaction that stores it; a worker delivers it through its channel's bot
//! ([`carrier`]), one dialog's messages in order while other dialogs go on. Rate limits
//! and the messenger's own trouble (5xx, network) are retried with backoff; refusals
//! mark the message failed with the reason. Each call that succeeded is recorded at
//! once, so a restart resumes a delivery without sending any part twice.

pub mod carrier;
pub mod markup;
pub mod store;

use crate::db::now_ms;
use crate::dialogs::store as dialogs;
use crate::error::{AppError, AppResult};
use crate::AppState;
use carrier::{bot_disconnected, Carrier, Part, PartFailure};
use el_protocol::api::Delivery;
use el_protocol::api::Message;
use el_protocol::templates::TemplateCall;
use el_protocol::{MessageId, Millis};
use std::time::Duration;
use store::Job;
use tokio::task::JoinSet;

/// How long a message stays with the worker that took it unless renewed: a server that
/// stops without finishing its deliveries (killed, or its machine lost) leaves them to
/// any instance within this time. Never cleared at start: another instance on the same
/// database may be delivering them.
const LEASE: Duration = Duration::from_secs(60);
/// How often a delivery under way renews its lease.
const RENEW_EVERY: Duration = Duration::from_secs(20);
/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// After this long without success a message is marked failed.
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// Deliveries started at once.
const BATCH: usize = 16;

/// Why a message that shows nothing in the messenger (an image from outside our file
/// store, say) is not sent.
fn nothing_to_send(messenger: &str) -> String {
    format!("Not sent: nothing in this message can be shown in {messenger}.")
}

/// Why a message whose sending the messenger never confirmed is not sent again by itself.
fn unconfirmed(messenger: &str) -> String {
    format!(
        "{messenger} did not confirm this message: it may or may not have reached the client. Ask them before \
         sending it again."
    )
}

/// The wait before attempt `attempts + 1`: doubling from `base`, at most 30 seconds, so
/// that answers go out soon after an outage ends.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    base.saturating_mul(1 << attempts.min(16)).min(MAX_BACKOFF)
}

/// Delivers queued messages until the server stops; then waits for deliveries under way.
pub async fn run(state: AppState) {
    let mut wake = state.hub.subscribe();
    let mut closing = state.hub.closing();
    let mut jobs = JoinSet::new();
    loop {
        let wait = match take_due(&state).await {
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

/// Leases the messages due now, and says when the next falls due. It wakes with every
/// commit, so it looks first with a read, beside the writer: only when something is
/// due does it take the write lock (which every other write then waits for).
async fn take_due(state: &AppState) -> AppResult<(Vec<Job>, Option<Millis>)> {
    let next = state.db.read(store::next_due).await?;
    if next.is_none_or(|at| at > now_ms()) {
        return Ok((Vec::new(), next));
    }
    state
        .db
        .run(|conn| {
            let now = now_ms();
            Ok((store::take_due(conn, now, now + LEASE.as_millis() as i64, BATCH)?, store::next_due(conn)?))
        })
        .await
}

/// What a delivery needs: the message (or the template it sends), the bot that carries
/// it and the chat it goes to.
struct Target {
    message: Message,
    template: Option<TemplateCall>,
    bot: Carrier,
    chat_id: String,
}

fn target(conn: &crate::sql::Connection, id: MessageId) -> AppResult<Target> {
    let message = dialogs::message(conn, id)?;
    let (channel, chat_id) = store::destination(conn, message.dialog_id)?;
    let template = store::template_of(conn, id)?;
    Ok(Target { message, template, bot: Carrier::of_channel(conn, channel)?, chat_id })
}

async fn deliver(state: AppState, job: Job) {
    let attempted = tokio::select! {
        result = attempt(&state, &job) => result,
        lost = renew_lease(&state, job.message) => {
            // Whoever holds the message now delivers it; this worker touches it no more.
            tracing::warn!(message = %job.message, error = %lost, "delivery stopped: its lease was not renewed");
            return;
        }
    };
    if let Err(e) = attempted {
        tracing::error!(message = %job.message, error = %e, "delivery could not be recorded");
        let retry = backoff(Duration::from_millis(state.config.outbox_retry_ms), job.attempts);
        let (at, why) = (later(retry), e.to_string());
        let _ = state.db.run(move |conn| store::reschedule(conn, job.message, at, true, &why)).await;
    }
}

async fn attempt(state: &AppState, job: &Job) -> AppResult<()> {
    let id = job.message;
    let Target { message, template, bot, chat_id } = state.db.run(move |conn| target(conn, id)).await?;
    let messenger = bot.messenger();
    if !bot.connected() {
        return finish(state, id, Delivery::Failed { reason: bot_disconnected(messenger) }).await;
    }
    let parts = match template {
        Some(call) => vec![Part::Template(call)],
        None => bot.plan(&message),
    };
    if parts.is_empty() {
        // Never "Sent" for nothing sent.
        return finish(state, id, Delivery::Failed { reason: nothing_to_send(messenger) }).await;
    }
    for (i, part) in parts.iter().enumerate().skip(job.parts_done) {
        match bot.send(state, &chat_id, part).await {
            Ok(external_id) => {
                state
                    .db
                    .transaction(move |tx| {
                        store::part_sent(tx, id, i)?;
                        if i == 0 {
                            // The first part's id in the messenger becomes the message's.
                            dialogs::set_external_id(tx, id, &external_id)?;
                        }
                        Ok(())
                    })
                    .await?;
            }
            Err(PartFailure::Unconfirmed(why)) => {
                // Sending it again could deliver it twice: the operator decides.
                tracing::warn!(message = %id, %why, "delivery unconfirmed");
                return finish(state, id, Delivery::Failed { reason: unconfirmed(messenger) }).await;
            }
            Err(PartFailure::Temporary { why, retry_after }) if !given_up(job) => {
                // Waiting what the messenger asks for is no failed attempt: the backoff
                // of the next real failure does not grow from it.
                let (wait, counts) = match retry_after {
                    Some(wait) => (wait, false),
                    None => (backoff(Duration::from_millis(state.config.outbox_retry_ms), job.attempts), true),
                };
                tracing::warn!(message = %id, %why, ?wait, "delivery postponed");
                let at = later(wait);
                return state.db.run(move |conn| store::reschedule(conn, id, at, counts, &why)).await;
            }
            Err(PartFailure::Temporary { why, .. }) => {
                let why = format!("Not delivered: {messenger} could not take it for a day ({why}).");
                return finish(state, id, Delivery::Failed { reason: why }).await;
            }
            Err(PartFailure::Refused(reason)) => {
                tracing::warn!(message = %id, %reason, "delivery refused");
                return finish(state, id, Delivery::Failed { reason }).await;
            }
        }
    }
    finish(state, id, Delivery::Sent).await
}

/// Keeps the message's lease while its delivery runs; ends only if the lease cannot be
/// renewed (then the delivery stops: another instance may take the message).
async fn renew_lease(state: &AppState, id: MessageId) -> AppError {
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        let until = later(LEASE);
        match state.db.run(move |conn| store::renew_lease(conn, id, until)).await {
            Ok(true) => {}
            Ok(false) => return AppError::Internal(format!("the lease of message {id} was lost")),
            Err(e) => return e,
        }
    }
}

fn given_up(job: &Job) -> bool {
    now_ms() - job.created_at > GIVE_UP_AFTER.as_millis() as i64
}

/// The time `wait` from now.
fn later(wait: Duration) -> Millis {
    now_ms() + wait.as_millis() as i64
}

/// The message leaves the outbox, sent or failed.
async fn finish(state: &AppState, id: MessageId, delivery: Delivery) -> AppResult<()> {
    let seq = state
        .db
        .transaction(move |tx| match store::remove(tx, id)? {
            true => dialogs::set_delivery(tx, id, &delivery).map(Some),
            false => Ok(None),
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
    fn backoff_doubles_up_to_thirty_seconds() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 0), Duration::from_secs(2));
        assert_eq!(backoff(base, 3), Duration::from_secs(16));
        assert_eq!(backoff(base, 4), MAX_BACKOFF);
        assert_eq!(backoff(base, 8), MAX_BACKOFF);
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }
}
