//! The file store: files under random names ([`bytes`]: on disk, or in PostgreSQL),
//! described in the `files` table
//! (attached to a message, or a dialog's image) or in `uploads` (sent by someone, not
//! yet part of a message). Types are sniffed from the bytes and must be on the allow
//! list; only sniffed images are shown inline, everything else downloads as an
//! attachment. Files are served only to whoever may see their dialog.

pub mod bytes;
pub mod store;

use crate::auth::CurrentUser;
use crate::client_addr::ClientAddr;
use crate::db::now_ms;
use crate::dialogs::{require_writer, store as dialogs, visible_dialog};
use crate::error::{AppError, AppResult};
use crate::tokens::new_token;
use crate::widget::Visitor;
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::{ByteStore, Refused, Streamed, SNIFF_BYTES};
use el_protocol::api::{human_size, Attachment, DialogSummary, UploadLimits, MAX_AVATAR_BYTES, MAX_FILE_NAME_CHARS};
use el_protocol::{ChannelId, DialogId};
use serde::Deserialize;
use std::time::Duration;
use store::{Delivered, Stored, Uploader};

/// Uploads never attached to a message are removed after this long.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Routes that read small bodies (under the API's JSON limit).
pub fn router() -> Router<AppState> {
    Router::new().route("/dialogs/{id}/avatar", put(upload_avatar)).route("/files/{id}", get(download))
}

/// Routes that stream large bodies to disk, each enforcing the configured file limit.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/dialogs/{id}/files", post(operator_upload))
        .route("/widget/files", post(visitor_upload))
        .route("/widget/files/{id}", get(visitor_download))
}

/// The type of a file by its bytes (and, for formats that share a container, its
/// name), if it is one we accept.
pub fn sniff(head: &[u8], name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if let Some(image) = sniff_image(head) {
        return Some(image);
    }
    let kind = match head {
        [b'%', b'P', b'D', b'F', b'-', ..] => "application/pdf",
        [b'P', b'K', 3, 4, ..] => match ext.as_str() {
            "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "odt" => "application/vnd.oasis.opendocument.text",
            "ods" => "application/vnd.oasis.opendocument.spreadsheet",
            _ => "application/zip",
        },
        [b'O', b'g', b'g', b'S', ..] => "audio/ogg",
        [b'I', b'D', b'3', ..] | [0xFF, 0xFB | 0xF3 | 0xF2, ..] => "audio/mpeg",
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => {
            if ext == "m4a" {
                "audio/mp4"
            } else {
                "video/mp4"
            }
        }
        [0x1A, 0x45, 0xDF, 0xA3, ..] => "video/webm",
        _ if is_text(head) => match ext.as_str() {
            "csv" => "text/csv",
            _ => "text/plain",
        },
        _ => return None,
    };
    Some(kind)
}

/// Text: valid UTF-8 (a character cut at the end of the sample is fine), no NUL bytes.
fn is_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

/// The image type of `bytes` by its signature: PNG, JPEG, GIF or WebP.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// A file name as stored: letters and digits only, so no path can be smuggled in.
fn is_file_id(id: &str) -> bool {
    (16..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A file name given by a sender, cleaned for display: no path, no hidden characters
/// (controls, direction overrides), not too long.
pub fn clean_name(name: &str) -> AppResult<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !crate::validate::is_hidden(*c)).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        return Err(AppError::BadRequest("The file needs a name.".into()));
    }
    Ok(clean.chars().take(MAX_FILE_NAME_CHARS).collect())
}

/// The upload limits this server runs with.
pub fn limits(state: &AppState) -> UploadLimits {
    state.config.upload_limits()
}

fn too_large(name: &str, limit: u64) -> AppError {
    AppError::TooLarge(format!("“{name}” is too large: files up to {} can be sent.", human_size(limit)))
}

/// A file written to the store, not yet described in the database.
struct Received {
    id: String,
    content_type: &'static str,
    size: u64,
}

/// Streams a request body to a new file of the store, refusing it (and leaving
/// nothing behind) when it is over `limit` bytes, empty, or of a type not accepted.
async fn receive(state: &AppState, headers: &HeaderMap, body: Body, name: &str, limit: u64) -> AppResult<Received> {
    if declared_size(headers).is_some_and(|n| n > limit) {
        return Err(too_large(name, limit));
    }
    let (id, store) = (new_file_id(), ByteStore::of(state));
    let Streamed { head, size } = store.put_stream(&id, body, limit).await.map_err(|refused| match refused {
        Refused::TooLarge => too_large(name, limit),
        Refused::Failed(e) => e,
    })?;
    match sniff(&head, name) {
        Some(content_type) if size > 0 => Ok(Received { id, content_type, size }),
        _ => {
            store.remove(&id).await;
            Err(if size == 0 {
                AppError::BadRequest(format!("“{name}” is empty."))
            } else {
                AppError::UnsupportedType(format!(
                    "“{name}” cannot be sent: images, PDF, office documents, archives, audio, video and text files can."
                ))
            })
        }
    }
}

/// A new random id for a file.
fn new_file_id() -> String {
    new_token()[..32].to_string()
}

/// `?name=photo.png`: the name of an uploaded file.
#[derive(Debug, Deserialize)]
struct UploadQuery {
    name: String,
}

/// Refuses a new upload while `by` has four messages' worth of files waiting to be sent
/// (files left in a composer wait until the daily sweep), or twice the bytes of the
/// largest message with `incoming` more.
fn require_room(waiting: (usize, u64), limits: &UploadLimits, incoming: u64) -> AppResult<()> {
    let (count, bytes) = waiting;
    let most_bytes = limits.max_file_bytes.saturating_mul(limits.max_files as u64).saturating_mul(2);
    if count >= limits.max_files * 4 || bytes + incoming > most_bytes {
        return Err(AppError::TooManyRequests(format!(
            "{count} files are waiting to be sent: send or remove them before adding more."
        )));
    }
    Ok(())
}

/// The size a request says its body has, if it says.
fn declared_size(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
}

/// Records a received file as an upload of `by`, or removes it if that fails.
async fn record(state: &AppState, file: Received, name: String, by: Uploader) -> AppResult<Json<Attachment>> {
    let attachment = Attachment { id: file.id.clone(), name, content_type: file.content_type.into(), size: file.size };
    let row = attachment.clone();
    let result = state.db.run(move |conn| store::add_upload(conn, &row, &by, now_ms())).await;
    match result {
        Ok(()) => Ok(Json(attachment)),
        Err(e) => {
            ByteStore::of(state).remove(&file.id).await;
            Err(e)
        }
    }
}

fn upload_name(query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>) -> AppResult<String> {
    let Query(UploadQuery { name }) =
        query.map_err(|_| AppError::BadRequest("Say the file's name (?name=...).".into()))?;
    clean_name(&name)
}

/// An operator uploads a file for their next message in a dialog they write in.
async fn operator_upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<Attachment>> {
    let name = upload_name(query)?;
    // Rights first: nothing is written for a request that would be refused.
    let checked = user.clone();
    let (allowed, incoming) = (limits(&state), declared_size(&headers).unwrap_or(0));
    let dialog = state
        .db
        .read(move |conn| {
            let dialog = visible_dialog(conn, DialogId(id), &checked)?;
            require_writer(conn, &dialog, &checked)?;
            let by = Uploader::Operator { user: checked.id(), dialog: dialog.id };
            require_room(store::waiting(conn, &by)?, &allowed, incoming)?;
            Ok(dialog.id)
        })
        .await?;
    let file = receive(&state, &headers, body, &name, limits(&state).max_file_bytes).await?;
    record(&state, file, name, Uploader::Operator { user: user.id(), dialog }).await
}

/// A website visitor uploads a file for their next message.
async fn visitor_upload(
    State(state): State<AppState>,
    addr: ClientAddr,
    visitor: Visitor,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<Attachment>> {
    let name = upload_name(query)?;
    // An upload counts against the visitor's rate like a message.
    state.widget_limits.message(addr, &visitor)?;
    let (allowed, incoming, account) = (limits(&state), declared_size(&headers).unwrap_or(0), visitor.account_id);
    state.widget_limits.upload_room(visitor.channel_id, incoming)?;
    let waiting = state.db.read(move |conn| store::waiting(conn, &Uploader::Client { account })).await?;
    require_room(waiting, &allowed, incoming)?;
    let file = receive(&state, &headers, body, &name, limits(&state).max_file_bytes).await?;
    state.widget_limits.uploaded(visitor.channel_id, file.size);
    record(&state, file, name, Uploader::Client { account: visitor.account_id }).await
}

/// Keeps the bytes of a file a messenger delivered. Its type comes from the bytes; one
/// we do not recognise is kept as `application/octet-stream` (it only ever downloads).
pub async fn store_bytes(state: &AppState, bytes: &[u8], name: &str) -> AppResult<Delivered> {
    let name = clean_name(name).unwrap_or_else(|_| "file".into());
    let id = new_file_id();
    ByteStore::of(state).put(&id, bytes.to_vec()).await?;
    let content_type = sniff(&bytes[..bytes.len().min(SNIFF_BYTES)], &name).unwrap_or("application/octet-stream");
    Ok(Delivered { id, name, content_type: content_type.into(), size: bytes.len() as u64 })
}

/// Removes the bytes of delivered files whose message was not stored.
pub async fn discard(state: &AppState, files: &[Delivered]) {
    let store = ByteStore::of(state);
    for file in files {
        store.remove(&file.id).await;
    }
}

/// A client's file a messenger holds, as fetching it came out.
pub enum Fetched {
    Bytes(Vec<u8>),
    /// It cannot be had (too large, gone), for this reason: a note in the message.
    Unavailable(String),
}

/// A message's files fetched from a messenger into the store, one by one ([`Gathered::add`]).
/// One that cannot be had becomes a note in the message; when the messenger cannot be
/// reached nothing is kept and the delivery fails, so the messenger retries it.
pub struct Gathered<'a> {
    state: &'a AppState,
    messenger: &'static str,
    files: Vec<Delivered>,
    notes: Vec<String>,
}

impl<'a> Gathered<'a> {
    pub fn new(state: &'a AppState, messenger: &'static str) -> Gathered<'a> {
        Gathered { state, messenger, files: Vec::new(), notes: Vec::new() }
    }

    /// Keeps file `name` as fetching it came out; on an error, discards what was kept.
    pub async fn add<E: std::fmt::Display>(&mut self, name: &str, fetched: Result<Fetched, E>) -> AppResult<()> {
        let stored = match fetched {
            Ok(Fetched::Bytes(bytes)) => store_bytes(self.state, &bytes, name).await.map(Some),
            Ok(Fetched::Unavailable(why)) => {
                self.notes.push(format!("(“{name}” was not received: {why}. Ask the client to send it another way.)"));
                Ok(None)
            }
            Err(e) => Err(AppError::BadGateway(format!("fetching a {} file failed: {e}", self.messenger))),
        };
        match stored {
            Ok(file) => {
                self.files.extend(file);
                Ok(())
            }
            Err(e) => {
                discard(self.state, &self.files).await;
                Err(e)
            }
        }
    }

    /// The files kept and the notes about those that could not be had.
    pub fn done(self) -> (Vec<Delivered>, Vec<String>) {
        (self.files, self.notes)
    }
}

/// The bytes of a stored file.
pub async fn read_bytes(state: &AppState, id: &str) -> AppResult<Vec<u8>> {
    if !is_file_id(id) {
        return Err(not_found());
    }
    ByteStore::of(state).get(id).await?.ok_or_else(|| AppError::Internal(format!("the bytes of file {id} are missing")))
}

/// Removes uploads older than [`ABANDONED_AFTER`] that never joined a message, with
/// their bytes. Returns how many went.
pub async fn sweep_abandoned(state: &AppState) -> AppResult<usize> {
    let before = now_ms() - ABANDONED_AFTER.as_millis() as i64;
    let ids: Vec<String> = state.db.transaction(move |tx| store::remove_uploads_before(tx, before)).await?;
    let store = ByteStore::of(state);
    for id in &ids {
        store.remove(id).await;
    }
    Ok(ids.len())
}

async fn upload_avatar(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Json<DialogSummary>> {
    if body.len() > MAX_AVATAR_BYTES {
        return Err(AppError::TooLarge(format!(
            "The image is too large: at most {} MB.",
            MAX_AVATAR_BYTES / (1024 * 1024)
        )));
    }
    let content_type =
        sniff_image(&body).ok_or_else(|| AppError::BadRequest("Choose a PNG, JPEG, GIF or WebP image.".into()))?;
    // Rights first: nothing is written for a request that would be refused.
    let checked = user.clone();
    state
        .db
        .run(move |conn| {
            let dialog = visible_dialog(conn, DialogId(id), &checked)?;
            dialogs::require_member(&dialog, checked.id())
        })
        .await?;

    let (file_id, store) = (new_file_id(), ByteStore::of(&state));
    let size = body.len() as u64;
    store.put(&file_id, body.to_vec()).await?;
    let stored = file_id.clone();
    let result = state
        .db
        .transaction(move |tx| {
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            store::add_dialog_image(tx, &stored, dialog.id, content_type, size, user.id(), now_ms())?;
            let seq = dialogs::set_avatar(tx, &dialog, user.id(), &stored)?;
            Ok((seq, dialogs::summary(tx, dialog.id)?.ok_or_else(AppError::dialog_not_found)?))
        })
        .await;
    match result {
        Ok((seq, dialog)) => {
            state.hub.published(seq);
            Ok(Json(dialog))
        }
        Err(e) => {
            // Nothing half-stored: the file goes when its row could not be written.
            store.remove(&file_id).await;
            Err(e)
        }
    }
}

fn not_found() -> AppError {
    AppError::NotFound("This file does not exist or you have no access to it.".into())
}

async fn download(State(state): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Response> {
    if !is_file_id(&id) {
        return Err(not_found());
    }
    let lookup = id.clone();
    let file = state
        .db
        .run(move |conn| {
            let file = store::stored(conn, &lookup)?.ok_or_else(not_found)?;
            visible_dialog(conn, file.dialog, &user).map_err(|_| not_found())?;
            Ok(file)
        })
        .await?;
    serve(&state, &id, file).await
}

/// `?token=...`: the visitor's widget token (images in the widget cannot send headers).
#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: String,
}

/// A visitor downloads a file of a message in their own conversation (not system
/// notes' files, not dialog images).
async fn visitor_download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    if !is_file_id(&id) {
        return Err(not_found());
    }
    let visitor = crate::widget::authenticate(&state, q.token).await?;
    let lookup = id.clone();
    let file = state
        .db
        .run(move |conn| {
            if !store::in_conversation(conn, &lookup, visitor.account_id)? {
                return Err(not_found());
            }
            store::stored(conn, &lookup)?.ok_or_else(not_found)
        })
        .await?;
    serve(&state, &id, file).await
}

/// A messenger fetches a file an operator sent through `channel` (the address was
/// signed for the channel's bot).
pub async fn messenger_download(state: &AppState, channel: ChannelId, id: &str) -> AppResult<Response> {
    if !is_file_id(id) {
        return Err(not_found());
    }
    let lookup = id.to_string();
    let file = state
        .db
        .run(move |conn| {
            if !store::sent_through(conn, &lookup, channel)? {
                return Err(not_found());
            }
            store::stored(conn, &lookup)?.ok_or_else(not_found)
        })
        .await?;
    serve(state, id, file).await
}

/// The bytes of a stored file: sniffed images inline, anything else as a download
/// under its name (the global `nosniff` header keeps browsers to the stated type).
async fn serve(state: &AppState, id: &str, file: Stored) -> AppResult<Response> {
    let bytes = ByteStore::of(state).get(id).await?.ok_or_else(not_found)?;
    let inline = sniff_image(&bytes).is_some_and(|t| t == file.content_type);
    let disposition = if inline {
        "inline".to_string()
    } else {
        let name = if file.name.is_empty() { "file".to_string() } else { file.name };
        format!("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii_fallback(&name), percent_encode(&name))
    };
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The name with anything outside plain printable ASCII (and quotes) replaced.
fn ascii_fallback(name: &str) -> String {
    name.chars().map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' }).collect()
}

/// RFC 5987 encoding of a file name for `filename*`.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff_image(b"\xFF\xD8\xFF\xE0"), Some("image/jpeg"));
        assert_eq!(sniff_image(b"GIF89a..."), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff_image(b"<html>"), None);
        assert_eq!(sniff_image(b""), None);
    }

    #[test]
    fn accepted_types_come_from_the_bytes_not_the_name() {
        assert_eq!(sniff(b"%PDF-1.7\n", "invoice.pdf"), Some("application/pdf"));
        assert_eq!(sniff(b"%PDF-1.7\n", "invoice.exe"), Some("application/pdf"));
        assert!(sniff(b"PK\x03\x04rest", "offer.docx").unwrap().contains("wordprocessingml"));
        assert_eq!(sniff(b"PK\x03\x04rest", "photos.zip"), Some("application/zip"));
        assert_eq!(sniff(b"OggS\0\x02", "voice.ogg"), Some("audio/ogg"));
        assert_eq!(sniff(b"\0\0\0\x20ftypisom", "clip.mp4"), Some("video/mp4"));
        assert_eq!(sniff("Дата;Сума\n1;2".as_bytes(), "report.csv"), Some("text/csv"));
        assert_eq!(sniff(b"plain words", "notes.txt"), Some("text/plain"));
        // A multi-byte character cut by the sample's end is still text.
        assert_eq!(sniff(&"ї".as_bytes()[..1], "a.txt"), Some("text/plain"));
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0", "setup.exe"), None, "programs are refused");
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0", "run"), None);
    }

    #[test]
    fn file_ids_cannot_name_paths() {
        assert!(is_file_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_file_id("../../etc/passwd"));
        assert!(!is_file_id("short"));
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\olena\\photo.png").unwrap(), "photo.png");
        assert_eq!(clean_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_name("a\u{0}b\nc.txt").unwrap(), "abc.txt");
        assert_eq!(clean_name("invoice\u{202E}fdp.exe").unwrap(), "invoicefdp.exe", "no right-to-left override");
        assert_eq!(clean_name("\u{2067}a\u{2069}\u{200F}.txt").unwrap(), "a.txt");
        assert!(clean_name("  ").is_err());
        assert_eq!(clean_name(&"x".repeat(500)).unwrap().chars().count(), MAX_FILE_NAME_CHARS);
    }

    #[test]
    fn download_names_are_encoded_for_the_header() {
        assert_eq!(percent_encode("звіт 1.pdf"), "%D0%B7%D0%B2%D1%96%D1%82%201.pdf");
        assert_eq!(ascii_fallback("a\"b\r\n.pdf"), "a_b__.pdf");
    }
}
