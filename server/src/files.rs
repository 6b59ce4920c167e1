//! The file store: files on disk under random names, described in the `files` table,
//! served only to users who may open the dialog they belong to. For now it holds dialog
//! images; their type is sniffed from their bytes, never taken from the client.

use crate::auth::{new_token, CurrentUser};
use crate::db::now_ms;
use crate::dialogs::{store, visible_dialog};
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use el_protocol::api::{DialogSummary, MAX_AVATAR_BYTES};
use el_protocol::DialogId;
use rusqlite::{params, OptionalExtension};

pub fn router() -> Router<AppState> {
    Router::new().route("/dialogs/{id}/avatar", put(upload_avatar)).route("/files/{id}", get(download))
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
            store::require_member(&dialog, checked.id())
        })
        .await?;

    let file_id = new_token()[..32].to_string();
    let dir = state.config.files_dir.clone();
    let path = dir.join(&file_id);
    let size = body.len() as i64;
    tokio::fs::create_dir_all(&dir).await.map_err(|e| AppError::Internal(format!("files dir: {e}")))?;
    tokio::fs::write(&path, &body).await.map_err(|e| AppError::Internal(format!("writing file: {e}")))?;
    let stored = file_id.clone();
    let result = state
        .db
        .transaction(move |tx| {
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            tx.execute(
                "INSERT INTO files (id, dialog_id, content_type, size, uploaded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![stored, dialog.id.0, content_type, size, user.id().0, now_ms()],
            )?;
            let seq = store::set_avatar(tx, &dialog, user.id(), &stored)?;
            Ok((seq, store::summary(tx, dialog.id)?.ok_or_else(AppError::dialog_not_found)?))
        })
        .await;
    match result {
        Ok((seq, dialog)) => {
            state.hub.published(seq);
            Ok(Json(dialog))
        }
        Err(e) => {
            // Nothing half-stored: the file goes when its row could not be written.
            let _ = tokio::fs::remove_file(&path).await;
            Err(e)
        }
    }
}

async fn download(State(state): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Response> {
    let not_found = || AppError::NotFound("This file does not exist or you have no access to it.".into());
    if !is_file_id(&id) {
        return Err(not_found());
    }
    let lookup = id.clone();
    let content_type = state
        .db
        .run(move |conn| {
            let file: Option<(i64, String)> = conn
                .query_row("SELECT dialog_id, content_type FROM files WHERE id = ?1", [&lookup], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let (dialog, content_type) = file.ok_or_else(not_found)?;
            visible_dialog(conn, DialogId(dialog), &user).map_err(|_| not_found())?;
            Ok(content_type)
        })
        .await?;
    let bytes = tokio::fs::read(state.config.files_dir.join(&id)).await.map_err(|_| not_found())?;
    // Only sniffed image types are ever stored, so showing inline is safe.
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, "inline".to_string()),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        bytes,
    )
        .into_response())
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
    fn file_ids_cannot_name_paths() {
        assert!(is_file_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_file_id("../../etc/passwd"));
        assert!(!is_file_id("short"));
    }
}
