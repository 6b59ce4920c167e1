//! `/api/whatsapp/{key}`: Meta's webhook for a WhatsApp Business number.
//!
//! `GET` is Meta's handshake: `hub.mode=subscribe` with the verify token we gave the
//! administrator is answered with `hub.challenge`. `POST` delivers notifications: the
//! signature (`X-Hub-Signature-256: sha256=...`, HMAC-SHA256 of the raw body with the
//! app secret) is checked before anything else. One app's webhook receives all its
//! numbers' notifications, so each goes to the connected number it names, of the same
//! app. Each message is stored with its files in one transaction, once however often
//! Meta retries, and only then acknowledged.

use super::api::Failure;
use super::payload::{read, Inbound, Item, Notification, RemoteMedia, Update};
use super::store::{self, Number};
use crate::clients::store::MessengerUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::files::{self, Fetched};
use crate::meta_hooks::{signed_by, Handshake};
use crate::outbox::store as outbox;
use crate::received::Received;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use el_protocol::api::human_size;
use el_protocol::Seq;

pub fn router() -> Router<AppState> {
    Router::new().route("/whatsapp/{key}", get(handshake).post(receive))
}

async fn number_of(state: &AppState, key: String) -> AppResult<Option<Number>> {
    state.db.run(move |conn| store::number_by_key(conn, &key)).await
}

/// Meta checks the callback address: the challenge goes back only with our verify token.
async fn handshake(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<Handshake>,
) -> AppResult<String> {
    let number = number_of(&state, key).await?;
    q.answer(number.as_ref().map(|n| n.verify_token.as_str()))
}

async fn receive(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<StatusCode> {
    let refused = || AppError::Unauthorized("Unknown webhook or wrong signature.".into());
    let number = number_of(&state, key).await?.filter(|n| signed_by(&headers, &body, &n.app_secret));
    let number = number.ok_or_else(refused)?;
    let notification: Notification = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("This is not a WhatsApp notification: {e}")))?;
    if notification.object != "whatsapp_business_account" {
        tracing::info!(object = %notification.object, "a Meta notification for something else, acknowledged");
        return Ok(StatusCode::OK);
    }
    for (phone_number_id, item) in read(&notification) {
        // One app's webhook receives all its numbers' notifications.
        let named = match phone_number_id == number.phone_number_id {
            true => Some(number.clone()),
            false => {
                let secret = number.app_secret.clone();
                state.db.run(move |conn| store::number_named(conn, &phone_number_id, &secret)).await?
            }
        };
        let Some(named) = named else {
            tracing::info!("a notification for a number not connected, acknowledged");
            continue;
        };
        let channel = named.channel_id;
        let seq = match item {
            Item::Message(inbound) => receive_message(&state, &named, inbound).await?,
            Item::Status(Update::Receipt { wamid, to, how }) => {
                state.db.transaction(move |tx| outbox::receipt(tx, channel, &to, &wamid, how)).await?
            }
            Item::Status(Update::Failed { wamid, to, why }) => {
                state.db.transaction(move |tx| outbox::failed_after_sending(tx, channel, &to, &wamid, &why)).await?
            }
            Item::Ignored(why) => {
                tracing::info!(%why, "whatsapp notification acknowledged, not stored");
                None
            }
        };
        if let Some(seq) = seq {
            state.hub.published(seq);
        }
    }
    Ok(StatusCode::OK)
}

/// Stores a client's message with its files (once, however often Meta sends it).
async fn receive_message(state: &AppState, number: &Number, inbound: Inbound) -> AppResult<Option<Seq>> {
    let (channel, wamid) = (number.channel_id, inbound.wamid.clone());
    if state.db.run(move |conn| store::seen(conn, channel, &wamid)).await? {
        return Ok(None);
    }
    let limit = state.config.upload_limits().max_file_bytes;
    let mut gathered = files::Gathered::new(state, "WhatsApp");
    for remote in &inbound.files {
        gathered.add(&remote.name, fetch_file(state, number, remote, limit).await).await?;
    }
    let (files, notes) = gathered.done();
    let kept = files.clone();
    let text = [inbound.text.clone()].into_iter().chain(notes).filter(|t| !t.is_empty()).collect::<Vec<_>>();
    let text = text.join("\n\n");
    let shown = format!("+{}", inbound.from);
    let stored = state
        .db
        .transaction(move |tx| {
            let received = Received {
                id: &inbound.wamid,
                sender: MessengerUser { external_id: &inbound.from, shown: &shown, name: &inbound.name },
                text: &text,
                about: inbound.about.as_deref(),
                files: &files,
            };
            store::store_received(tx, channel, &received, now_ms())
        })
        .await;
    if !matches!(stored, Ok(Some(_))) {
        // Stored before, or not at all (Meta retries): the fetched bytes go.
        files::discard(state, &kept).await;
    }
    stored
}

/// The bytes of one media file, or why they cannot be had (as a note's words).
async fn fetch_file(state: &AppState, number: &Number, remote: &RemoteMedia, limit: u64) -> Result<Fetched, Failure> {
    let api = &state.graph_api;
    let too_large = || Fetched::Unavailable(format!("it is larger than {}", human_size(limit)));
    let gone = |f: Failure| match f.is_temporary() {
        true => Err(f),
        false => Ok(Fetched::Unavailable(format!("WhatsApp did not hand it over ({f})"))),
    };
    let media = match api.media(&number.token, &remote.id).await {
        Ok(media) => media,
        Err(f) => return gone(f),
    };
    if media.file_size.is_some_and(|n| n > limit) {
        return Ok(too_large());
    }
    match api.download(Some(&number.token), &media.url, limit).await {
        Ok(Some(bytes)) => Ok(Fetched::Bytes(bytes)),
        Ok(None) => Ok(too_large()),
        Err(f) => gone(f),
    }
}
