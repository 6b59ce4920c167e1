//! The dialog store: SQL for dialogs and messages, and the state transitions of the
//! inbox. Every function runs inside the caller's transaction and appends the events
//! it causes, so a change and its events commit together or not at all.

use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::event_log::store as event_log;
use crate::files::store::{attach, Uploader};
use crate::queue::store::{offer_new, offer_of};
use crate::sql::{params, Connection, OptionalExtension, Row};
use el_protocol::api::{
    preview_text, Attachment, Author, ChannelKind, Cursor, Delivery, DialogState, DialogSummary, Edit, Handover,
    Message, MessagePreview, Receipt, TabTotals, CHAT_PAGE_BYTES,
};
use el_protocol::counts::{Counts, DialogFacts};
use el_protocol::crm::{Entity, RecordOwners, RecordRef};
use el_protocol::events::Event;
use el_protocol::inbox::Tab;
use el_protocol::notices::Notice;
use el_protocol::{ChannelId, ClientId, DialogId, MessageId, Millis, RecordId, Seq, UserId};
use std::collections::HashMap;

const SUMMARY_SELECT: &str = "
SELECT d.id, COALESCE(d.name, c.name), c.id, c.name, ch.id, ch.kind, ch.name, d.state,
       d.created_at, d.last_activity_at,
       (SELECT string_agg(CAST(user_id AS TEXT), ',') FROM dialog_members WHERE dialog_id = d.id),
       (SELECT string_agg(CAST(user_id AS TEXT), ',') FROM dialog_participants WHERE dialog_id = d.id),
       m.author_kind, m.author_user_id, u.name, m.body, m.created_at,
       d.spam, d.handover_from, d.handover_to, d.handover_note, d.avatar_file_id,
       (SELECT string_agg(name, ', ') FROM files WHERE message_id = d.last_message_id),
       (SELECT string_agg(r.entity || ':' || r.responsible_id, ',') FROM crm_links k
        JOIN crm_records r ON r.id = k.record_id
        WHERE k.client_id = c.id AND (k.only_dialog_id IS NULL OR k.only_dialog_id = d.id)),
       ch.disconnected_at IS NULL, d.client_read_id, d.offered_to, d.offered_until,
       d.client_delivered_id,
       CASE WHEN ch.kind IN ('whatsapp', 'facebook', 'instagram') THEN COALESCE(a.last_inbound_at, 0) + 86400000 END
FROM dialogs d
JOIN client_accounts a ON a.id = d.account_id
JOIN clients c ON c.id = a.client_id
JOIN channels ch ON ch.id = a.channel_id
LEFT JOIN messages m ON m.id = d.last_message_id
LEFT JOIN users u ON u.id = m.author_user_id";

fn parse_ids(list: Option<String>) -> Vec<UserId> {
    let mut ids: Vec<UserId> = list.unwrap_or_default().split(',').filter_map(|s| s.parse().ok().map(UserId)).collect();
    ids.sort();
    ids
}

/// Parses `entity:user,...` pairs into who is responsible for the linked records.
fn parse_owners(list: Option<String>) -> RecordOwners {
    let mut owners = RecordOwners::default();
    for pair in list.unwrap_or_default().split(',') {
        if let Some((entity, user)) = pair.split_once(':') {
            if let (Some(entity), Ok(user)) = (Entity::parse(entity), user.parse()) {
                owners.add(entity, UserId(user));
            }
        }
    }
    owners
}

fn author(kind: &str, note: bool, user_id: Option<i64>, user_name: Option<String>, client_name: &str) -> Author {
    match (kind, user_id) {
        ("client", _) => Author::Client { name: client_name.to_string() },
        ("operator", Some(id)) if note => Author::Note { user_id: UserId(id), name: user_name.unwrap_or_default() },
        ("operator", Some(id)) => Author::Operator { user_id: UserId(id), name: user_name.unwrap_or_default() },
        _ => Author::System,
    }
}

fn summary_from_row(r: &Row) -> crate::sql::Result<DialogSummary> {
    let client_name: String = r.get(3)?;
    let kind: String = r.get(5)?;
    let state: String = r.get(7)?;
    let last_kind: Option<String> = r.get(12)?;
    let last_message = match last_kind {
        Some(kind) => Some(MessagePreview {
            author: author(&kind, false, r.get(13)?, r.get(14)?, &client_name),
            text: preview_text(&r.get::<_, String>(15)?, r.get::<_, Option<String>>(22)?.as_deref()),
            at: r.get(16)?,
        }),
        None => None,
    };
    Ok(DialogSummary {
        id: DialogId(r.get(0)?),
        name: r.get(1)?,
        client_id: ClientId(r.get(2)?),
        client_name,
        channel_id: ChannelId(r.get(4)?),
        channel_kind: ChannelKind::parse(&kind).unwrap_or(ChannelKind::Widget),
        channel_name: r.get(6)?,
        state: DialogState::parse(&state).unwrap_or(DialogState::Unassigned),
        created_at: r.get(8)?,
        last_activity_at: r.get(9)?,
        members: parse_ids(r.get(10)?),
        participants: parse_ids(r.get(11)?),
        spam: r.get(17)?,
        handover: match (r.get::<_, Option<i64>>(18)?, r.get::<_, Option<i64>>(19)?, r.get::<_, Option<String>>(20)?) {
            (Some(from), Some(to), Some(note)) => Some(Handover { from: UserId(from), to: UserId(to), note }),
            _ => None,
        },
        avatar: r.get::<_, Option<String>>(21)?.map(|f| format!("{}{f}", el_protocol::markdown::FILE_STORE_PREFIX)),
        last_message,
        owners: parse_owners(r.get(23)?),
        channel_connected: r.get(24)?,
        client_read: r.get::<_, Option<i64>>(25)?.map(MessageId),
        client_delivered: r.get::<_, Option<i64>>(28)?.map(MessageId),
        reply_until: r.get(29)?,
        offer: offer_of(r.get(26)?, r.get(27)?),
    })
}

/// The last message of a dialog written by the client or an operator (system notes
/// aside), as a list previews it: what a CRM card's dialog block shows.
pub fn last_said(conn: &Connection, dialog: DialogId) -> AppResult<Option<MessagePreview>> {
    let last: Option<i64> = conn.query_row(
        "SELECT MAX(id) FROM messages WHERE dialog_id = ?1 AND author_kind != 'system' AND is_note = 0",
        [dialog.0],
        |r| r.get(0),
    )?;
    let Some(id) = last else { return Ok(None) };
    Ok(Some(message(conn, MessageId(id))?.preview()))
}

/// One dialog's summary, if it exists.
pub fn summary(conn: &Connection, id: DialogId) -> AppResult<Option<DialogSummary>> {
    let sql = format!("{SUMMARY_SELECT} WHERE d.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id.0], summary_from_row).optional()?)
}

/// One dialog's summary; a dialog that vanished mid-transaction is an internal error.
fn summary_required(conn: &Connection, id: DialogId) -> AppResult<DialogSummary> {
    summary(conn, id)?.ok_or_else(|| AppError::Internal(format!("dialog {id} missing")))
}

/// The SQL condition for the dialogs of `tab` in the inbox of user `?1`. Mirrors
/// [`el_protocol::inbox::tab_of`].
fn in_tab(tab: Tab) -> &'static str {
    match tab {
        Tab::Unassigned => "d.state = 'unassigned' AND (d.offered_to IS NULL OR d.offered_to = ?1)",
        Tab::Active => "d.state = 'active' AND d.id IN (SELECT dialog_id FROM dialog_members WHERE user_id = ?1)",
        Tab::Inactive => "d.state = 'ended' AND d.id IN (SELECT dialog_id FROM dialog_participants WHERE user_id = ?1)",
    }
}

/// Up to `limit` dialogs of `user`'s `tab` that come after `after` (newest activity
/// first), and whether more follow.
pub fn page(
    conn: &Connection,
    user: UserId,
    tab: Tab,
    after: Option<Cursor>,
    limit: usize,
) -> AppResult<(Vec<DialogSummary>, bool)> {
    let (at, id) = after.map_or((Millis::MAX, i64::MAX), |c| (c.at, c.id.0));
    let sql = format!(
        "{SUMMARY_SELECT} WHERE {} AND (d.last_activity_at, d.id) < (?2, ?3)
         ORDER BY d.last_activity_at DESC, d.id DESC LIMIT ?4",
        in_tab(tab)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![user.0, at, id, limit as i64 + 1], summary_from_row)?;
    let mut dialogs: Vec<DialogSummary> = rows.collect::<Result<_, _>>()?;
    let more = dialogs.len() > limit;
    dialogs.truncate(limit);
    Ok((dialogs, more))
}

/// How many dialogs, and how many unread messages, each of `user`'s tabs holds.
pub fn totals(conn: &Connection, user: UserId) -> AppResult<TabTotals> {
    let mut totals = TabTotals::default();
    for tab in Tab::ALL {
        let sql = format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(d.people_count - COALESCE(r.read_count, 0)), 0) AS BIGINT) FROM dialogs d
             LEFT JOIN dialog_reads r ON r.dialog_id = d.id AND r.user_id = ?1
             WHERE {}",
            in_tab(tab)
        );
        let (dialogs, unread): (i64, i64) =
            conn.prepare_cached(&sql)?.query_row([user.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        *totals.dialogs.slot(tab) = dialogs as usize;
        *totals.unread.slot(tab) = unread as usize;
    }
    Ok(totals)
}

const MESSAGE_SELECT: &str = "
SELECT m.id, m.dialog_id, m.author_kind, m.author_user_id, u.name, c.name, m.body, m.created_at, m.client_msg_id,
       m.record_id, cr.entity, m.delivery, m.delivery_error, m.original_body, m.edited_at, cr.responsible_id,
       m.is_note, m.notice
FROM messages m
JOIN dialogs d ON d.id = m.dialog_id
JOIN client_accounts a ON a.id = d.account_id
JOIN clients c ON c.id = a.client_id
LEFT JOIN users u ON u.id = m.author_user_id
LEFT JOIN crm_records cr ON cr.id = m.record_id";

fn message_from_row(r: &Row) -> crate::sql::Result<Message> {
    let kind: String = r.get(2)?;
    let client_name: String = r.get(5)?;
    Ok(Message {
        id: MessageId(r.get(0)?),
        dialog_id: DialogId(r.get(1)?),
        author: author(&kind, r.get(16)?, r.get(3)?, r.get(4)?, &client_name),
        text: r.get(6)?,
        created_at: r.get(7)?,
        client_msg_id: r.get(8)?,
        attachments: Vec::new(),
        record: match (r.get::<_, Option<i64>>(9)?, r.get::<_, Option<String>>(10)?) {
            (Some(id), Some(entity)) => {
                let responsible = r.get::<_, Option<i64>>(15)?.map(UserId);
                Entity::parse(&entity).map(|entity| RecordRef { entity, id: RecordId(id), responsible })
            }
            _ => None,
        },
        delivery: match r.get::<_, Option<String>>(11)?.as_deref() {
            Some("sending") => Some(Delivery::Sending),
            Some("sent") => Some(Delivery::Sent),
            Some(_) => Some(Delivery::Failed { reason: r.get::<_, Option<String>>(12)?.unwrap_or_default() }),
            None => None,
        },
        edit: match (r.get::<_, Option<String>>(13)?, r.get::<_, Option<i64>>(14)?) {
            (Some(original), Some(at)) => Some(Edit { original, at }),
            _ => None,
        },
        notice: r.get::<_, Option<String>>(17)?.and_then(|json| serde_json::from_str(&json).ok()),
    })
}

/// Fills in the files of `messages` (one query over their id range).
fn with_attachments(conn: &Connection, mut messages: Vec<Message>) -> AppResult<Vec<Message>> {
    let (Some(first), Some(last)) = (messages.iter().map(|m| m.id.0).min(), messages.iter().map(|m| m.id.0).max())
    else {
        return Ok(messages);
    };
    let index: HashMap<i64, usize> = messages.iter().enumerate().map(|(i, m)| (m.id.0, i)).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT message_id, id, name, content_type, size FROM files
         WHERE message_id BETWEEN ?1 AND ?2 ORDER BY message_id, position",
    )?;
    let rows = stmt.query_map([first, last], |r| {
        let attachment =
            Attachment { id: r.get(1)?, name: r.get(2)?, content_type: r.get(3)?, size: r.get::<_, i64>(4)? as u64 };
        Ok((r.get::<_, i64>(0)?, attachment))
    })?;
    for row in rows {
        let (message, attachment) = row?;
        if let Some(i) = index.get(&message) {
            messages[*i].attachments.push(attachment);
        }
    }
    Ok(messages)
}

/// A page of a dialog's messages, oldest first: the newest ones before `before` (the
/// newest of all without it), at most `limit` and [`CHAT_PAGE_BYTES`] of text; and
/// whether older messages remain.
pub fn message_page(
    conn: &Connection,
    dialog: DialogId,
    before: Option<MessageId>,
    limit: usize,
) -> AppResult<(Vec<Message>, bool)> {
    let sql = format!("{MESSAGE_SELECT} WHERE m.dialog_id = ?1 AND m.id < ?2 ORDER BY m.id DESC LIMIT ?3");
    let mut stmt = conn.prepare_cached(&sql)?;
    let before = before.map_or(i64::MAX, |b| b.0);
    let rows = stmt.query_map(params![dialog.0, before, limit as i64 + 1], message_from_row)?;
    let (mut page, mut bytes, mut has_older) = (Vec::new(), 0, false);
    for row in rows {
        let message = row?;
        let size = message.text.len() + message.edit.as_ref().map_or(0, |e| e.original.len());
        if page.len() == limit || (!page.is_empty() && bytes + size > CHAT_PAGE_BYTES) {
            has_older = true;
            break;
        }
        bytes += size;
        page.push(message);
    }
    page.reverse();
    Ok((with_attachments(conn, page)?, has_older))
}

/// The messages of every dialog of a client account, oldest first (the widget's view).
pub fn account_messages(conn: &Connection, account_id: i64) -> AppResult<Vec<Message>> {
    let sql = format!("{MESSAGE_SELECT} WHERE d.account_id = ?1 ORDER BY m.id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([account_id], message_from_row)?;
    with_attachments(conn, rows.collect::<Result<_, _>>()?)
}

/// One message, with its files.
pub fn message(conn: &Connection, id: MessageId) -> AppResult<Message> {
    let sql = format!("{MESSAGE_SELECT} WHERE m.id = ?1");
    let message = conn.prepare_cached(&sql)?.query_row([id.0], message_from_row)?;
    Ok(with_attachments(conn, vec![message])?.remove(0))
}

/// Who writes a new message.
#[derive(Debug, Clone)]
pub enum NewAuthor {
    /// The client writing from this account.
    Client {
        account: i64,
    },
    Operator(UserId),
    /// An operator's approved WhatsApp template (a JSON [`el_protocol::templates::TemplateCall`]);
    /// the message's text is the template as the client reads it.
    Template(UserId, String),
    /// An operator's private note (never sent to the client or a messenger).
    Note(UserId),
    /// A note of the system (its text is the notice in English), announcing a CRM record
    /// when it names one.
    System(Notice, Option<RecordRef>),
}

/// The outcome of adding a message: the stored message, and the event position if a
/// new message was stored (`None` when the idempotency key matched an earlier one).
pub struct Added {
    pub message: Message,
    pub seq: Option<Seq>,
}

/// Adds a message to a dialog with the sender's uploaded `files`, moves the dialog's
/// last activity, and logs the event. A repeated `client_msg_id` returns the message
/// stored the first time.
pub fn add_message(
    conn: &Connection,
    dialog: DialogId,
    by: NewAuthor,
    body: &str,
    client_msg_id: Option<&str>,
    files: &[String],
) -> AppResult<Added> {
    if let Some(key) = client_msg_id {
        let existing: Option<i64> = conn
            .prepare_cached("SELECT id FROM messages WHERE dialog_id = ?1 AND client_msg_id = ?2")?
            .query_row(params![dialog.0, key], |r| r.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok(Added { message: message(conn, MessageId(id))?, seq: None });
        }
    }
    let (kind, user, record) = match &by {
        NewAuthor::Client { .. } => ("client", None, None),
        NewAuthor::Operator(u) | NewAuthor::Template(u, _) | NewAuthor::Note(u) => ("operator", Some(u.0), None),
        NewAuthor::System(_, record) => ("system", None, record.as_ref().map(|r| r.id.0)),
    };
    let note = matches!(by, NewAuthor::Note(_));
    let notice = match &by {
        NewAuthor::System(notice, _) => {
            Some(serde_json::to_string(notice).map_err(|e| AppError::Internal(e.to_string()))?)
        }
        _ => None,
    };
    let now = now_ms();
    let id = MessageId(
        conn.prepare_cached(
            "INSERT INTO messages (dialog_id, author_kind, author_user_id, body, client_msg_id, created_at, record_id, is_note,
                                   notice)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        )?
        .query_row(params![dialog.0, kind, user, body, client_msg_id, now, record, note, notice], |r| r.get(0))?,
    );
    let uploader = match by {
        NewAuthor::Client { account } => Some(Uploader::Client { account }),
        NewAuthor::Operator(user) | NewAuthor::Template(user, _) | NewAuthor::Note(user) => {
            Some(Uploader::Operator { user, dialog })
        }
        NewAuthor::System(..) => None,
    };
    attach(conn, dialog, id.0, files, uploader)?;
    match &by {
        // To a messenger it goes through the outbox, in this same transaction.
        NewAuthor::Operator(_) => crate::outbox::store::enqueue(conn, dialog, id, None, now_ms())?,
        NewAuthor::Template(_, call) => crate::outbox::store::enqueue(conn, dialog, id, Some(call), now_ms())?,
        _ => {}
    }
    // Lists show and sort by what people said: a system note or a private note moves
    // nothing but itself.
    conn.prepare_cached(
        "UPDATE dialogs SET last_message_id = CASE WHEN ?3 THEN ?1 ELSE last_message_id END,
                last_activity_at = CASE WHEN ?3 THEN ?2 ELSE last_activity_at END,
                people_count = people_count + CASE WHEN ?3 THEN 1 ELSE 0 END
         WHERE id = ?4",
    )?
    .execute(params![id.0, now, kind != "system" && !note, dialog.0])?;
    if let NewAuthor::Operator(user) | NewAuthor::Template(user, _) | NewAuthor::Note(user) = by {
        // Writing in a dialog reads it up to there.
        read_up_to_now(conn, dialog, user)?;
    }
    let message = message(conn, id)?;
    let event = Event::MessageCreated { dialog: summary_required(conn, dialog)?, message: message.clone() };
    let seq = event_log::append(conn, &event)?;
    Ok(Added { message, seq: Some(seq) })
}

/// Logs a changed message (an edit, a delivery step) with its dialog's summary.
pub fn log_message_update(conn: &Connection, id: MessageId) -> AppResult<Seq> {
    let message = message(conn, id)?;
    let event = Event::MessageUpdated { dialog: summary_required(conn, message.dialog_id)?, message };
    event_log::append(conn, &event)
}

/// Records where an operator's message to a messenger stands, and logs the change.
pub fn set_delivery(conn: &Connection, id: MessageId, delivery: &Delivery) -> AppResult<Seq> {
    let (state, reason) = match delivery {
        Delivery::Sending => ("sending", None),
        Delivery::Sent => ("sent", None),
        Delivery::Failed { reason } => ("failed", Some(reason.as_str())),
    };
    conn.execute("UPDATE messages SET delivery = ?1, delivery_error = ?2 WHERE id = ?3", params![state, reason, id.0])?;
    log_message_update(conn, id)
}

/// Remembers the messenger's id of a message (edits and replies name it).
pub fn set_external_id(conn: &Connection, id: MessageId, external_id: &str) -> AppResult<()> {
    conn.execute("UPDATE messages SET external_id = ?1 WHERE id = ?2", params![external_id, id.0])?;
    Ok(())
}

/// The client changed the text of their message `external_id` on account
/// `account_id`: the edit is shown, the first text kept. `None` when no such message
/// was stored (it came before the account was known to us).
pub fn edit_client_message(
    conn: &Connection,
    account_id: i64,
    external_id: &str,
    body: &str,
    at: Millis,
) -> AppResult<Option<Seq>> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT m.id FROM messages m JOIN dialogs d ON d.id = m.dialog_id
             WHERE d.account_id = ?1 AND m.external_id = ?2 AND m.author_kind = 'client'
             ORDER BY m.id DESC LIMIT 1",
            params![account_id, external_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = found else { return Ok(None) };
    conn.execute(
        "UPDATE messages SET original_body = COALESCE(original_body, body), body = ?1, edited_at = ?2 WHERE id = ?3",
        params![body, at, id],
    )?;
    log_message_update(conn, MessageId(id)).map(Some)
}

/// Logs the current summary of the open (not ended) dialogs of `channel`: its bot was
/// disconnected, which their chats show. Returns the last event's position.
pub fn log_open_dialogs_of_channel(conn: &Connection, channel: ChannelId) -> AppResult<Option<Seq>> {
    log_each(
        conn,
        "SELECT d.id FROM dialogs d JOIN client_accounts a ON a.id = d.account_id
         WHERE a.channel_id = ?1 AND d.state != 'ended'",
        channel.0,
    )
}

/// Logs the current summary of each dialog `sql` selects by its one parameter; returns
/// the last event's position.
fn log_each(conn: &Connection, sql: &str, param: i64) -> AppResult<Option<Seq>> {
    let ids: Vec<i64> = conn.prepare_cached(sql)?.query_map([param], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut last = None;
    for id in ids {
        last = Some(log_dialog(conn, DialogId(id))?);
    }
    Ok(last)
}

/// Logs the dialog's current summary as a `DialogUpdated` event. Every change of state
/// or membership logs one, so readers who lose sight of the dialog are told to drop it
/// (`MessageCreated` reaches only readers who can see the dialog).
pub fn log_dialog(conn: &Connection, dialog: DialogId) -> AppResult<Seq> {
    let event = Event::DialogUpdated { dialog: summary_required(conn, dialog)? };
    event_log::append(conn, &event)
}

/// The newest dialog of a client account, if there is one.
pub fn latest_of_account(conn: &Connection, account_id: i64) -> AppResult<Option<DialogSummary>> {
    let latest: Option<i64> = conn
        .prepare_cached("SELECT MAX(id) FROM dialogs WHERE account_id = ?1")?
        .query_row([account_id], |r| r.get(0))?;
    match latest {
        Some(id) => summary(conn, DialogId(id)),
        None => Ok(None),
    }
}

/// The client of `account` has received (or seen) their conversation up to `up_to`, a
/// message an operator sent them. Logs the dialog when that moves its mark forward
/// (seeing is receiving too).
pub fn client_received(conn: &Connection, account: i64, up_to: MessageId, how: Receipt) -> AppResult<Option<Seq>> {
    let dialog: Option<i64> = conn
        .query_row(
            "SELECT m.dialog_id FROM messages m JOIN dialogs d ON d.id = m.dialog_id
             WHERE m.id = ?1 AND d.account_id = ?2 AND m.author_kind = 'operator' AND m.is_note = 0",
            params![up_to.0, account],
            |r| r.get(0),
        )
        .optional()?;
    let dialog = dialog.ok_or_else(|| AppError::NotFound("There is no such message in your conversation.".into()))?;
    let delivered = conn.execute(
        "UPDATE dialogs SET client_delivered_id = ?1
         WHERE id = ?2 AND (client_delivered_id IS NULL OR client_delivered_id < ?1)",
        params![up_to.0, dialog],
    )?;
    let seen = match how {
        Receipt::Seen => conn.execute(
            "UPDATE dialogs SET client_read_id = ?1 WHERE id = ?2 AND (client_read_id IS NULL OR client_read_id < ?1)",
            params![up_to.0, dialog],
        )?,
        Receipt::Delivered => 0,
    };
    if delivered + seen == 0 {
        return Ok(None);
    }
    log_dialog(conn, DialogId(dialog)).map(Some)
}

/// A message from a client account goes to the account's latest dialog:
/// - open (Unassigned or Active): added to it;
/// - ended normally: the dialog comes back, Active for the operators who ended it
///   (they know the conversation), or Unassigned when none of them may work any more;
/// - ended as spam: stored, and the dialog stays closed (nobody is disturbed; Start
///   restores it with everything the client wrote);
/// - none yet: a new Unassigned dialog.
pub fn client_message(
    conn: &Connection,
    account_id: i64,
    body: &str,
    client_msg_id: Option<&str>,
    files: &[String],
) -> AppResult<Added> {
    let dialog = match latest_of_account(conn, account_id)? {
        Some(d) if d.state == DialogState::Ended && !d.spam => {
            reopen_for_client(conn, &d)?;
            d.id
        }
        Some(d) => d.id,
        None => {
            let now = now_ms();
            conn.execute(
                "INSERT INTO dialogs (account_id, state, created_at, last_activity_at) VALUES (?1, 'unassigned', ?2, ?2)",
                params![account_id, now],
            )?;
            let dialog = DialogId(conn.last_insert_rowid()?);
            offer_new(conn, dialog, now)?;
            dialog
        }
    };
    add_message(conn, dialog, NewAuthor::Client { account: account_id }, body, client_msg_id, files)
}

/// Notes `notice` in the latest dialog of client `account`, unless it has ended (the
/// next one starts when the client writes). Answers the last event's position.
pub fn note_for_client(conn: &Connection, account: i64, notice: Notice) -> AppResult<Option<Seq>> {
    match latest_of_account(conn, account)? {
        Some(d) if d.state != DialogState::Ended => announce(conn, d.id, notice).map(Some),
        _ => Ok(None),
    }
}

/// Brings an ended dialog back when its client writes again (see [`client_message`]).
fn reopen_for_client(conn: &Connection, dialog: &DialogSummary) -> AppResult<Seq> {
    let mut keep = Vec::new();
    for member in &dialog.members {
        if require_can_work(conn, *member).is_ok() {
            keep.push(*member);
        }
    }
    conn.execute("DELETE FROM dialog_members WHERE dialog_id = ?1", [dialog.id.0])?;
    for member in &keep {
        add_member(conn, dialog.id, *member)?;
    }
    let state = if keep.is_empty() { "unassigned" } else { "active" };
    conn.execute("UPDATE dialogs SET state = ?1 WHERE id = ?2", params![state, dialog.id.0])?;
    offer_new(conn, dialog.id, now_ms())?;
    announce(conn, dialog.id, Notice::Reopened)
}

/// Reply: `user` takes an Unassigned dialog. Exactly one of several concurrent
/// claims wins; the others get a conflict naming who took it.
pub fn claim(conn: &Connection, dialog: DialogId, user: UserId) -> AppResult<Seq> {
    let taken = conn.execute(
        "UPDATE dialogs SET state = 'active', offered_to = NULL, offered_until = NULL
         WHERE id = ?1 AND state = 'unassigned'",
        [dialog.0],
    )?;
    if taken == 0 {
        let current = summary_required(conn, dialog)?;
        return Err(match current.state {
            DialogState::Active if current.members.contains(&user) => {
                AppError::Conflict("You already work on this dialog.".into())
            }
            DialogState::Active => {
                let names = member_names(conn, &current.members)?;
                AppError::Conflict(format!("This dialog was already taken by {names}."))
            }
            _ => AppError::Conflict("This dialog is closed. Start it again to write.".into()),
        });
    }
    conn.execute("DELETE FROM dialog_offer_tries WHERE dialog_id = ?1", [dialog.0])?;
    add_member(conn, dialog, user)?;
    let who = member_names(conn, &[user])?;
    announce(conn, dialog, Notice::Took { who })
}

/// Was the dialog taken (someone became its member) after `at`?
pub fn taken_since(conn: &Connection, dialog: DialogId, at: Millis) -> AppResult<bool> {
    let newest: Option<Millis> =
        conn.query_row("SELECT MAX(since) FROM dialog_members WHERE dialog_id = ?1", [dialog.0], |r| r.get(0))?;
    Ok(newest.is_some_and(|since| since > at))
}

/// Makes `user` a member (and so a participant) of the dialog.
fn add_member(conn: &Connection, dialog: DialogId, user: UserId) -> AppResult<()> {
    conn.execute(
        "INSERT INTO dialog_members (dialog_id, user_id, since) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        params![dialog.0, user.0, now_ms()],
    )?;
    conn.execute(
        "INSERT INTO dialog_participants (dialog_id, user_id) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
        params![dialog.0, user.0],
    )?;
    Ok(())
}

/// Logs the dialog's new state, then a system note saying what happened; returns the
/// last event's position.
fn announce(conn: &Connection, dialog: DialogId, notice: Notice) -> AppResult<Seq> {
    announce_with(conn, dialog, notice, None)
}

/// Logs the dialog's new summary (its linked records changed), then a system note
/// naming `record`; returns the last event's position.
pub fn announce_record(conn: &Connection, dialog: DialogId, notice: Notice, record: RecordRef) -> AppResult<Seq> {
    announce_with(conn, dialog, notice, Some(record))
}

fn announce_with(conn: &Connection, dialog: DialogId, notice: Notice, record: Option<RecordRef>) -> AppResult<Seq> {
    let seq = log_dialog(conn, dialog)?;
    let text = notice.english();
    let added = add_message(conn, dialog, NewAuthor::System(notice, record), &text, None, &[])?;
    Ok(added.seq.unwrap_or(seq))
}

/// Logs the current summary of every dialog of the clients linked to `record`: who
/// may open them from a card changes with its links and responsible user.
pub fn log_dialogs_of_record(conn: &Connection, record: RecordId) -> AppResult<Option<Seq>> {
    log_each(
        conn,
        "SELECT d.id FROM dialogs d JOIN client_accounts a ON a.id = d.account_id
         JOIN crm_links k ON k.client_id = a.client_id WHERE k.record_id = ?1",
        record.0,
    )
}

/// Refuses actions that need an Active dialog.
fn require_active(dialog: &DialogSummary) -> AppResult<()> {
    match dialog.state {
        DialogState::Active => Ok(()),
        DialogState::Unassigned => {
            Err(AppError::Conflict("Nobody works on this dialog yet: press Reply to take it.".into()))
        }
        DialogState::Ended => Err(AppError::Conflict("This dialog has ended. Press Start to work on it again.".into())),
    }
}

/// Refuses users who are not members of the dialog.
pub(crate) fn require_member(dialog: &DialogSummary, user: UserId) -> AppResult<()> {
    require_active(dialog)?;
    if dialog.members.contains(&user) {
        Ok(())
    } else {
        Err(AppError::Forbidden("Only members of the dialog can do this. Join the dialog first.".into()))
    }
}

/// Join: a user who may open another operator's dialog becomes one of its members.
pub fn join(conn: &Connection, dialog: &DialogSummary, user: UserId) -> AppResult<Seq> {
    require_active(dialog)?;
    if dialog.members.contains(&user) {
        return Err(AppError::Conflict("You are already a member of this dialog.".into()));
    }
    add_member(conn, dialog.id, user)?;
    let who = member_names(conn, &[user])?;
    announce(conn, dialog.id, Notice::Joined { who })
}

/// Add to dialog: a member adds other users (who must have External Lines access).
pub fn add_members(conn: &Connection, dialog: &DialogSummary, by: UserId, users: &[UserId]) -> AppResult<Seq> {
    require_member(dialog, by)?;
    if users.len() > MAX_ADDED_AT_ONCE {
        return Err(AppError::BadRequest(format!("Add at most {MAX_ADDED_AT_ONCE} users at once.")));
    }
    let mut new: Vec<UserId> = users.iter().copied().filter(|u| !dialog.members.contains(u)).collect();
    new.sort();
    new.dedup();
    if new.is_empty() {
        return Err(AppError::BadRequest("Choose at least one user who is not in the dialog yet.".into()));
    }
    for user in &new {
        require_can_work(conn, *user)?;
        add_member(conn, dialog.id, *user)?;
    }
    let (who, whom) = (member_names(conn, &[by])?, member_names(conn, &new)?);
    announce(conn, dialog.id, Notice::Added { who, whom })
}

/// Most users one Add to dialog may add.
const MAX_ADDED_AT_ONCE: usize = 50;

/// Leave: possible while the dialog has another member to keep it.
pub fn leave(conn: &Connection, dialog: &DialogSummary, user: UserId) -> AppResult<Seq> {
    require_member(dialog, user)?;
    if dialog.members.len() < 2 {
        return Err(AppError::Conflict(
            "You are the only member of this dialog. Redirect it or end it instead.".into(),
        ));
    }
    conn.execute("DELETE FROM dialog_members WHERE dialog_id = ?1 AND user_id = ?2", params![dialog.id.0, user.0])?;
    let who = member_names(conn, &[user])?;
    announce(conn, dialog.id, Notice::Left { who })
}

/// Redirect: the dialog passes to one user, who becomes its only member; the
/// redirecting user's optional note is pinned for the receiver.
pub fn redirect(
    conn: &Connection,
    dialog: &DialogSummary,
    by: UserId,
    to: UserId,
    note: Option<&str>,
) -> AppResult<Seq> {
    require_member(dialog, by)?;
    if to == by {
        return Err(AppError::BadRequest("Choose another user to redirect the dialog to.".into()));
    }
    require_can_work(conn, to)?;
    conn.execute("DELETE FROM dialog_members WHERE dialog_id = ?1", [dialog.id.0])?;
    add_member(conn, dialog.id, to)?;
    conn.execute(
        "UPDATE dialogs SET handover_from = ?1, handover_to = ?2, handover_note = ?3 WHERE id = ?4",
        params![note.map(|_| by.0), note.map(|_| to.0), note, dialog.id.0],
    )?;
    let (who, whom) = (member_names(conn, &[by])?, member_names(conn, &[to])?);
    announce(conn, dialog.id, Notice::Redirected { who, whom })
}

/// Rename: a member gives the dialog a name; an empty name restores the client's.
pub fn rename(conn: &Connection, dialog: &DialogSummary, by: UserId, name: Option<&str>) -> AppResult<Seq> {
    require_member(dialog, by)?;
    conn.execute("UPDATE dialogs SET name = ?1 WHERE id = ?2", params![name, dialog.id.0])?;
    let who = member_names(conn, &[by])?;
    let notice = match name {
        Some(name) => Notice::Renamed { who, name: name.to_string() },
        None => Notice::NameRestored { who },
    };
    announce(conn, dialog.id, notice)
}

/// End dialog or Mark as spam: the dialog moves to Inactive for its participants.
pub fn end(conn: &Connection, dialog: &DialogSummary, by: UserId, spam: bool) -> AppResult<Seq> {
    require_member(dialog, by)?;
    conn.execute("UPDATE dialogs SET state = 'ended', spam = ?1 WHERE id = ?2", params![spam, dialog.id.0])?;
    let who = member_names(conn, &[by])?;
    announce(conn, dialog.id, if spam { Notice::MarkedSpam { who } } else { Notice::Ended { who } })
}

/// Start: a user who worked on an ended dialog takes it back into Active, as its only
/// member (a spam mark is lifted).
pub fn start(conn: &Connection, dialog: &DialogSummary, by: UserId) -> AppResult<Seq> {
    if dialog.state != DialogState::Ended {
        return Err(AppError::Conflict("This dialog is not ended: there is nothing to start.".into()));
    }
    if !dialog.participants.contains(&by) {
        return Err(AppError::Forbidden("Only users who worked on this dialog can start it again.".into()));
    }
    conn.execute("UPDATE dialogs SET state = 'active', spam = 0 WHERE id = ?1", [dialog.id.0])?;
    conn.execute("DELETE FROM dialog_members WHERE dialog_id = ?1", [dialog.id.0])?;
    add_member(conn, dialog.id, by)?;
    let who = member_names(conn, &[by])?;
    announce(conn, dialog.id, Notice::Started { who })
}

/// Refuses users who may not work in External Lines (or do not exist).
fn require_can_work(conn: &Connection, user: UserId) -> AppResult<()> {
    match crate::auth::store::load_user(conn, user)? {
        Some(u) if u.access.can_work_dialogs() => Ok(()),
        Some(u) => Err(AppError::BadRequest(format!("{} has no access to External Lines.", u.user.name))),
        None => Err(AppError::BadRequest("There is no such user.".into())),
    }
}

/// The users' names joined for a sentence ("Anna and Bob").
fn member_names(conn: &Connection, users: &[UserId]) -> AppResult<String> {
    let mut names = Vec::new();
    for u in users {
        let name: Option<String> =
            conn.query_row("SELECT name FROM users WHERE id = ?1", [u.0], |r| r.get(0)).optional()?;
        names.push(name.unwrap_or_else(|| "another user".into()));
    }
    Ok(match names.split_last() {
        None => "another user".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    })
}

/// Is `user` one of the dialog's current members?
pub fn is_member(conn: &Connection, dialog: DialogId, user: UserId) -> AppResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM dialog_members WHERE dialog_id = ?1 AND user_id = ?2",
            params![dialog.0, user.0],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Messages of a dialog `user` has not read: those others wrote after the user last
/// read or wrote in it (system notes do not count).
pub fn unread_count(conn: &Connection, dialog: DialogId, user: UserId) -> AppResult<u32> {
    let n: Option<i64> = conn
        .prepare_cached(
            "SELECT d.people_count - COALESCE(r.read_count, 0) FROM dialogs d
             LEFT JOIN dialog_reads r ON r.dialog_id = d.id AND r.user_id = ?2
             WHERE d.id = ?1",
        )?
        .query_row(params![dialog.0, user.0], |r| r.get(0))
        .optional()?;
    Ok(n.unwrap_or(0).max(0) as u32)
}

/// `user` has read the dialog up to its latest message.
pub fn mark_read(conn: &Connection, dialog: DialogId, user: UserId) -> AppResult<Seq> {
    read_up_to_now(conn, dialog, user)?;
    event_log::append(conn, &Event::DialogRead { dialog_id: dialog, user })
}

fn read_up_to_now(conn: &Connection, dialog: DialogId, user: UserId) -> AppResult<()> {
    conn.prepare_cached(
        "INSERT INTO dialog_reads (user_id, dialog_id, last_read_message_id, read_count)
         SELECT ?1, id, COALESCE(last_message_id, 0), people_count FROM dialogs WHERE id = ?2
         ON CONFLICT (user_id, dialog_id) DO UPDATE
         SET last_read_message_id = excluded.last_read_message_id, read_count = excluded.read_count",
    )?
    .execute(params![user.0, dialog.0])?;
    Ok(())
}

/// Sets the dialog's image to an already stored file (a member's action).
pub fn set_avatar(conn: &Connection, dialog: &DialogSummary, by: UserId, file_id: &str) -> AppResult<Seq> {
    require_member(dialog, by)?;
    conn.execute("UPDATE dialogs SET avatar_file_id = ?1 WHERE id = ?2", params![file_id, dialog.id.0])?;
    let who = member_names(conn, &[by])?;
    announce(conn, dialog.id, Notice::ImageChanged { who })
}

/// Every dialog's facts and every read, as the socket fan-out keeps them in memory
/// (see [`el_protocol::counts`]).
pub fn counts(conn: &Connection) -> AppResult<Counts> {
    let mut facts: HashMap<i64, DialogFacts> = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT id, state, people_count, offered_to FROM dialogs")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?))
    })?;
    for row in rows {
        let (id, state, people, offered_to) = row?;
        let facts_of = DialogFacts {
            state: DialogState::parse(&state).unwrap_or(DialogState::Unassigned),
            members: Vec::new(),
            participants: Vec::new(),
            owners: RecordOwners::default(),
            people: people.max(0) as u32,
            offered_to: offered_to.map(UserId),
        };
        facts.insert(id, facts_of);
    }
    let pairs = |sql: &str| -> AppResult<Vec<(i64, i64)>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    for (dialog, user) in pairs("SELECT dialog_id, user_id FROM dialog_members ORDER BY user_id")? {
        if let Some(f) = facts.get_mut(&dialog) {
            f.members.push(UserId(user));
        }
    }
    for (dialog, user) in pairs("SELECT dialog_id, user_id FROM dialog_participants ORDER BY user_id")? {
        if let Some(f) = facts.get_mut(&dialog) {
            f.participants.push(UserId(user));
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, r.entity, r.responsible_id FROM dialogs d
         JOIN client_accounts a ON a.id = d.account_id
         JOIN crm_links k ON k.client_id = a.client_id AND (k.only_dialog_id IS NULL OR k.only_dialog_id = d.id)
         JOIN crm_records r ON r.id = k.record_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
    for row in rows {
        let (dialog, entity, user) = row?;
        if let (Some(f), Some(entity)) = (facts.get_mut(&dialog), Entity::parse(&entity)) {
            f.owners.add(entity, UserId(user));
        }
    }
    let mut counts = Counts::default();
    for (id, f) in facts {
        counts.set_dialog(DialogId(id), f);
    }
    let mut stmt = conn.prepare_cached("SELECT user_id, dialog_id, read_count FROM dialog_reads")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
    for row in rows {
        let (user, dialog, read) = row?;
        counts.set_read(UserId(user), DialogId(dialog), read.max(0) as u32);
    }
    Ok(counts)
}
