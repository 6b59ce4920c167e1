//! `POST /api/viber/{key}`: Viber delivers a bot's callbacks here. The signature
//! (`X-Viber-Content-Signature`, HMAC-SHA256 of the body with the bot's token) is checked
//! before anything else; a message is stored with its files in one transaction and
//! only then acknowledged, so Viber's retries never lose or double it (a repeated
//! message token is acknowledged and ignored).

use super::api::Failure;
use super::callback::{read, Action, Callback, Inbound, RemoteFile};
use super::store::{self, Bot, Received};
use crate::clients::store::MessengerUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::files::{self, store::Delivered};
use crate::outbox::store as outbox;
use crate::tokens::signed;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use el_protocol::api::human_size;
use el_protocol::Seq;
use serde::Deserialize;

/// The header Viber signs callbacks in.
pub const SIGNATURE_HEADER: &str = "x-viber-content-signature";

pub fn router() -> Router<AppState> {
    Router::new().route("/viber/{key}", post(receive))
}

/// `?sig=`: Viber also puts the signature in the address.
#[derive(Debug, Deserialize)]
struct SignatureQuery {
    sig: Option<String>,
}

/// The connected bot of the webhook path, if the body carries its signature.
async fn authenticate(state: &AppState, key: String, given: &str, body: &[u8]) -> AppResult<Bot> {
    let refused = || AppError::Unauthorized("Unknown webhook or wrong signature.".into());
    if given.is_empty() {
        return Err(refused());
    }
    let bot = state.db.run(move |conn| store::bot_by_key(conn, &key)).await?;
    bot.filter(|b| signed(&b.token, body, given)).ok_or_else(refused)
}

async fn receive(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<SignatureQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<StatusCode> {
    let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let given = header.or(query.sig.as_deref()).unwrap_or_default();
    let bot = authenticate(&state, key, given, &body).await?;
    let callback: Callback = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("This is not a Viber callback: {e}")))?;
    let channel = bot.channel_id;
    let seq = match read(&callback) {
        Action::Check => None,
        Action::Message(inbound) => receive_message(&state, &bot, inbound).await?,
        Action::Subscribed { user } => {
            state.db.transaction(move |tx| store::subscribed(tx, channel, &user)).await?;
            None
        }
        Action::Unsubscribed { user } => {
            state.db.transaction(move |tx| store::unsubscribed(tx, channel, &user, now_ms())).await?
        }
        Action::Receipt { user, token, how } => {
            state.db.transaction(move |tx| outbox::receipt(tx, channel, &user, &token, how)).await?
        }
        Action::Failed { user, token, why } => {
            state.db.transaction(move |tx| store::failed(tx, channel, &user, &token, &why)).await?
        }
        Action::Ignored(why) => {
            tracing::info!(bot = %bot.name, event = %callback.event, %why, "viber callback acknowledged, not stored");
            None
        }
    };
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    Ok(StatusCode::OK)
}

/// Stores a client's message with its files (once, however often Viber sends it).
async fn receive_message(state: &AppState, bot: &Bot, inbound: Inbound) -> AppResult<Option<Seq>> {
    let (channel, token) = (bot.channel_id, inbound.token.clone());
    if state.db.run(move |conn| store::seen(conn, channel, &token)).await? {
        return Ok(None);
    }
    let (files, notes) = fetch_files(state, &inbound.files).await?;
    let kept = files.clone();
    let text = [inbound.text.clone()].into_iter().chain(notes).filter(|t| !t.is_empty()).collect::<Vec<_>>();
    let text = text.join("\n\n");
    let stored = state
        .db
        .transaction(move |tx| {
            let received = Received {
                token: &inbound.token,
                sender: MessengerUser {
                    external_id: &inbound.sender_id,
                    shown: &inbound.sender_name,
                    name: &inbound.sender_name,
                },
                text: &text,
                files: &files,
            };
            store::store_received(tx, channel, &received, now_ms())
        })
        .await;
    if !matches!(stored, Ok(Some(_))) {
        // Stored before, or not at all (Viber retries): the fetched bytes go.
        files::discard(state, &kept).await;
    }
    stored
}

/// Downloads the message's files into the store. A file that cannot be had (too large,
/// or gone from Viber's media store) becomes a note in the message instead; when
/// Viber cannot be reached the callback fails (and is retried), leaving nothing behind.
async fn fetch_files(state: &AppState, wanted: &[RemoteFile]) -> AppResult<(Vec<Delivered>, Vec<String>)> {
    let limit = state.config.upload_limits().max_file_bytes;
    let (mut files, mut notes) = (Vec::new(), Vec::new());
    let not_received =
        |name: &str, why: String| format!("(“{name}” was not received: {why}. Ask the client to send it another way.)");
    for remote in wanted {
        if remote.size.is_some_and(|n| n > limit) {
            notes.push(not_received(&remote.name, format!("it is larger than {}", human_size(limit))));
            continue;
        }
        match state.viber_api.download(&remote.url, limit).await {
            Ok(Some(bytes)) => match files::store_bytes(state, &bytes, &remote.name).await {
                Ok(file) => files.push(file),
                Err(e) => {
                    files::discard(state, &files).await;
                    return Err(e);
                }
            },
            Ok(None) => notes.push(not_received(&remote.name, format!("it is larger than {}", human_size(limit)))),
            // Viber no longer has it: waiting changes nothing.
            Err(Failure::Http(code)) if code < 500 && code != 429 => {
                notes.push(not_received(&remote.name, format!("Viber did not hand it over (HTTP {code})")))
            }
            Err(f) => {
                files::discard(state, &files).await;
                return Err(AppError::BadGateway(format!("fetching a Viber file failed: {f}")));
            }
        }
    }
    Ok((files, notes))
}
