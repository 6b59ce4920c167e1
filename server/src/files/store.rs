//! What is known of stored files (SQL only): uploads waiting to be sent, and files of
//! messages and dialogs. Their bytes live in the file store itself.

use crate::error::{AppError, AppResult};
use crate::sql::{params, Connection, OptionalExtension};
use el_protocol::api::Attachment;
use el_protocol::{ChannelId, DialogId, Millis, UserId};

/// Who an upload belongs to until it is attached to their message.
#[derive(Debug, Clone, Copy)]
pub enum Uploader {
    /// An operator, for a message in this dialog.
    Operator { user: UserId, dialog: DialogId },
    /// A client writing from this account.
    Client { account: i64 },
}

/// How many uploads `by` has waiting and their bytes.
pub fn waiting(conn: &Connection, by: &Uploader) -> AppResult<(usize, u64)> {
    let row = |r: &crate::sql::Row| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as u64));
    Ok(match by {
        Uploader::Operator { user, .. } => conn.query_row(
            "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM uploads WHERE user_id = ?1",
            [user.0],
            row,
        )?,
        Uploader::Client { account } => conn.query_row(
            "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM uploads WHERE account_id = ?1",
            [account],
            row,
        )?,
    })
}

/// Records a received file as an upload of `by`.
pub fn add_upload(conn: &Connection, file: &Attachment, by: &Uploader, now: Millis) -> AppResult<()> {
    let (user, dialog, account) = match by {
        Uploader::Operator { user, dialog } => (Some(user.0), Some(dialog.0), None),
        Uploader::Client { account } => (None, None, Some(*account)),
    };
    conn.execute(
        "INSERT INTO uploads (id, name, content_type, size, user_id, dialog_id, account_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![file.id, file.name, file.content_type, file.size as i64, user, dialog, account, now],
    )?;
    Ok(())
}

/// Moves uploads of `by` into the new message `message` of `dialog`. Each id must be
/// an upload of theirs (for operators, made in this dialog); `None` owns no uploads.
pub fn attach(
    conn: &Connection,
    dialog: DialogId,
    message: i64,
    ids: &[String],
    by: Option<Uploader>,
) -> AppResult<()> {
    let gone = || AppError::BadRequest("An attached file is no longer available: attach it again.".into());
    for (position, id) in ids.iter().enumerate() {
        let owner = match by {
            Some(Uploader::Operator { user, dialog: made_in }) => conn
                .query_row(
                    "SELECT 1 FROM uploads WHERE id = ?1 AND user_id = ?2 AND dialog_id = ?3",
                    params![id, user.0, made_in.0],
                    |_| Ok(()),
                )
                .optional()?,
            Some(Uploader::Client { account }) => conn
                .query_row("SELECT 1 FROM uploads WHERE id = ?1 AND account_id = ?2", params![id, account], |_| Ok(()))
                .optional()?,
            None => None,
        };
        owner.ok_or_else(gone)?;
        conn.execute(
            "INSERT INTO files (id, dialog_id, message_id, position, name, content_type, size, uploaded_by, created_at)
             SELECT id, ?2, ?3, ?4, name, content_type, size, user_id, created_at FROM uploads WHERE id = ?1",
            params![id, dialog.0, message, position as i64],
        )?;
        conn.execute("DELETE FROM uploads WHERE id = ?1", [id])?;
    }
    Ok(())
}

/// A file a messenger delivered, kept in the store until its message is written.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

/// Records delivered files as uploads of the client `account`, for [`attach`] to move
/// into their message in the same transaction. Returns their ids.
pub fn delivered_as_uploads(
    conn: &Connection,
    account: i64,
    files: &[Delivered],
    now: Millis,
) -> AppResult<Vec<String>> {
    for f in files {
        conn.execute(
            "INSERT INTO uploads (id, name, content_type, size, account_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![f.id, f.name, f.content_type, f.size as i64, account, now],
        )?;
    }
    Ok(files.iter().map(|f| f.id.clone()).collect())
}

/// Removes the uploads made before `before`; answers their ids.
pub fn remove_uploads_before(tx: &Connection, before: Millis) -> AppResult<Vec<String>> {
    let ids: Vec<String> = tx
        .prepare_cached("SELECT id FROM uploads WHERE created_at < ?1")?
        .query_map([before], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    tx.execute("DELETE FROM uploads WHERE created_at < ?1", [before])?;
    Ok(ids)
}

/// Records the image `id` that `by` set for `dialog`.
pub fn add_dialog_image(
    tx: &Connection,
    id: &str,
    dialog: DialogId,
    content_type: &str,
    size: u64,
    by: UserId,
    now: Millis,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO files (id, dialog_id, content_type, size, uploaded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, dialog.0, content_type, size as i64, by.0, now],
    )?;
    Ok(())
}

/// A stored file as its download needs it.
pub struct Stored {
    pub dialog: DialogId,
    pub name: String,
    pub content_type: String,
}

/// Keeps the bytes of file `id` (PostgreSQL's `file_bytes`; see [`super::bytes`]).
pub fn put_bytes(tx: &Connection, id: &str, bytes: &[u8]) -> AppResult<()> {
    tx.execute("INSERT INTO file_bytes (id, bytes) VALUES (?1, ?2)", params![id, bytes])?;
    Ok(())
}

/// The bytes of file `id`, if kept.
pub fn bytes(conn: &Connection, id: &str) -> AppResult<Option<Vec<u8>>> {
    Ok(conn.query_row("SELECT bytes FROM file_bytes WHERE id = ?1", [id], |r| r.get(0)).optional()?)
}

/// Removes the bytes of file `id`.
pub fn remove_bytes(tx: &Connection, id: &str) -> AppResult<()> {
    tx.execute("DELETE FROM file_bytes WHERE id = ?1", [id])?;
    Ok(())
}

/// The stored file `id`.
pub fn stored(conn: &Connection, id: &str) -> AppResult<Option<Stored>> {
    Ok(conn
        .query_row("SELECT dialog_id, name, content_type FROM files WHERE id = ?1", [id], |r| {
            Ok(Stored { dialog: DialogId(r.get(0)?), name: r.get(1)?, content_type: r.get(2)? })
        })
        .optional()?)
}

/// Whether file `id` belongs to a message in the conversation of client `account`
/// (not a system note's, not a dialog image).
pub fn in_conversation(conn: &Connection, id: &str, account: i64) -> AppResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM files f JOIN messages m ON m.id = f.message_id JOIN dialogs d ON d.id = m.dialog_id
             WHERE f.id = ?1 AND d.account_id = ?2 AND m.author_kind != 'system'",
            params![id, account],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Whether file `id` belongs to an operator's answer (not a note) in a conversation of
/// channel `channel`: a file its messenger may fetch to deliver.
pub fn sent_through(conn: &Connection, id: &str, channel: ChannelId) -> AppResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM files f JOIN messages m ON m.id = f.message_id JOIN dialogs d ON d.id = m.dialog_id
             JOIN client_accounts a ON a.id = d.account_id
             WHERE f.id = ?1 AND a.channel_id = ?2 AND m.author_kind = 'operator' AND m.is_note = 0",
            params![id, channel.0],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
