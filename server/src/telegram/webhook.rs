//! `POST /api/telegram/{key}`: Telegram delivers a bot's updates here. The secret is
//! checked before anything else; an update is stored with its message in one
//! transaction and only then acknowledged, so Telegram's retries never lose or double
//! a message (a repeated `update_id` is acknowledged and ignored).

use super::bot_api::{Failure, MAX_DOWNLOAD_BYTES};
use super::store::{self, Bot, Received};
use super::update::{read, Inbound, Reading, RemoteFile, Update};
use crate::clients::store::MessengerUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::files::{self, store::Delivered};
use crate::tokens::token_hash;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use el_protocol::api::human_size;

/// The header Telegram sends the webhook's secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub fn router() -> Router<AppState> {
    Router::new().route("/telegram/{key}", post(receive))
}

/// The connected bot of the webhook path, if the request carries its secret.
async fn authenticate(state: &AppState, key: String, headers: &HeaderMap) -> AppResult<Bot> {
    let refused = || AppError::Unauthorized("Unknown webhook or wrong secret.".into());
    let secret = headers.get(SECRET_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if secret.is_empty() {
        return Err(refused());
    }
    let given = token_hash(secret);
    let bot = state.db.run(move |conn| store::bot_by_key(conn, &key)).await?;
    // Hashes of equal length are compared, so timing tells nothing about the secret.
    bot.filter(|b| b.secret_hash == given).ok_or_else(refused)
}

async fn receive(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<StatusCode> {
    let bot = authenticate(&state, key, &headers).await?;
    let update: Update = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("This is not a Telegram update: {e}")))?;
    let inbound = match read(&update) {
        Reading::Inbound(inbound) => inbound,
        Reading::Ignored(why) => {
            tracing::info!(bot = %bot.username, update_id = update.update_id, %why, "telegram update acknowledged, not stored");
            return Ok(StatusCode::OK);
        }
    };
    let (channel, update_id) = (bot.channel_id, inbound.update_id);
    if state.db.run(move |conn| store::seen(conn, channel, update_id)).await? {
        return Ok(StatusCode::OK);
    }
    // An edit changes the text; its files were fetched with the message.
    let wanted = if inbound.edited_at.is_some() { &[][..] } else { &inbound.files[..] };
    let (files, notes) = fetch_files(&state, &bot, wanted).await?;
    let kept = files.clone();
    let text = text_with_notes(&inbound, &notes);
    let stored = state
        .db
        .transaction(move |tx| {
            let (external_id, shown) = (inbound.sender.id.to_string(), inbound.sender.account_name());
            let received = Received {
                update_id: inbound.update_id,
                sender: MessengerUser { external_id: &external_id, shown: &shown, name: &inbound.sender.name },
                message_id: inbound.message_id,
                text: &text,
                edited_at: inbound.edited_at.map(|at| at * 1000),
                files: &files,
            };
            store::store_received(tx, channel, &received, now_ms())
        })
        .await;
    match stored {
        Ok(Some(seq)) => {
            state.hub.published(seq);
            Ok(StatusCode::OK)
        }
        Ok(None) => {
            files::discard(&state, &kept).await;
            Ok(StatusCode::OK)
        }
        Err(e) => {
            // Nothing was stored: Telegram retries the update.
            files::discard(&state, &kept).await;
            Err(e)
        }
    }
}

/// Downloads the message's files into the store. A file that cannot be fetched (too
/// large, or refused by Telegram) becomes a note in the message instead; when Telegram
/// cannot be reached the update fails (and is retried), leaving nothing behind.
async fn fetch_files(state: &AppState, bot: &Bot, wanted: &[RemoteFile]) -> AppResult<(Vec<Delivered>, Vec<String>)> {
    let limit = state.config.upload_limits().max_file_bytes.min(MAX_DOWNLOAD_BYTES);
    let (mut files, mut notes) = (Vec::new(), Vec::new());
    for remote in wanted {
        match fetch_file(state, bot, remote, limit).await {
            Ok(Ok(file)) => files.push(file),
            Ok(Err(why)) => notes
                .push(format!("(“{}” was not received: {why}. Ask the client to send it another way.)", remote.name)),
            Err(e) => {
                files::discard(state, &files).await;
                return Err(e);
            }
        }
    }
    Ok((files, notes))
}

/// The file, or why it cannot be had (as a note's words).
async fn fetch_file(
    state: &AppState,
    bot: &Bot,
    remote: &RemoteFile,
    limit: u64,
) -> AppResult<Result<Delivered, String>> {
    let too_large = || Err(format!("it is larger than {}", human_size(limit)));
    if remote.size.is_some_and(|n| n > limit) {
        return Ok(too_large());
    }
    let unavailable = |f: Failure| AppError::BadGateway(format!("fetching a Telegram file failed: {f}"));
    let info = match state.bot_api.get_file(&bot.token, &remote.file_id).await {
        Ok(info) => info,
        // Telegram will not hand this file over (bots get files up to 20 MB): waiting
        // changes nothing, so the message is stored without it.
        Err(Failure::Refused { code, description, .. }) if code < 500 && code != 429 => {
            tracing::warn!(code, %description, "Telegram refused a file");
            return Ok(Err(format!("Telegram did not hand it over ({description})")));
        }
        Err(f) => return Err(unavailable(f)),
    };
    let Some(path) = info.file_path else { return Ok(Err("Telegram did not hand it over".into())) };
    if info.file_size.is_some_and(|n| n > limit) {
        return Ok(too_large());
    }
    match state.bot_api.download(&bot.token, &path, limit).await.map_err(unavailable)? {
        Some(bytes) => Ok(Ok(files::store_bytes(state, &bytes, &remote.name).await?)),
        None => Ok(too_large()),
    }
}

/// The message's text with the notes about files that could not be fetched.
fn text_with_notes(inbound: &Inbound, notes: &[String]) -> String {
    let parts = [inbound.text.as_str()].into_iter().chain(notes.iter().map(String::as_str)).filter(|t| !t.is_empty());
    parts.collect::<Vec<_>>().join("\n\n")
}
