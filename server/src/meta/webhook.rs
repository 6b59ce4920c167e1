//! `/api/meta/{key}`: Meta's webhook for a Facebook Page's Messenger or an Instagram
//! account. `GET` is Meta's handshake. `POST` delivers notifications: the signature is
//! checked with the app secret of the account the path names before anything else. One
//! app's webhook receives all of its pages' (and Instagram accounts') notifications, so
//! each entry goes to the connected account Meta names in it, of the same app. Each
//! message is stored with its files in one transaction, once however often Meta
//! retries, and only then acknowledged.

use super::api::Failure;
use super::payload::{read, Inbound, Item, Notification, RemoteFile};
use super::store::{self, Account};
use crate::clients::store::MessengerUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::files::{self, Fetched};
use crate::meta_hooks::{signed_by, Handshake};
use crate::outbox::store as outbox;
use crate::received::{known_sender, Received};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use el_protocol::api::{human_size, ChannelKind, Receipt};
use el_protocol::Seq;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new().route("/meta/{key}", get(handshake).post(receive))
}

async fn account_of(state: &AppState, key: String) -> AppResult<Option<Account>> {
    state.db.run(move |conn| store::account_by_key(conn, &key)).await
}

/// Meta checks the callback address: the challenge goes back only with our verify token.
async fn handshake(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<Handshake>,
) -> AppResult<String> {
    let account = account_of(&state, key).await?;
    q.answer(account.as_ref().map(|a| a.verify_token.as_str()))
}

async fn receive(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<StatusCode> {
    let refused = || AppError::Unauthorized("Unknown webhook or wrong signature.".into());
    let signer = account_of(&state, key).await?.filter(|a| signed_by(&headers, &body, &a.app_secret));
    let signer = signer.ok_or_else(refused)?;
    let notification: Notification = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("This is not a Messenger Platform notification: {e}")))?;
    let kind = match notification.object.as_str() {
        "page" => ChannelKind::Facebook,
        "instagram" => ChannelKind::Instagram,
        other => {
            tracing::info!(object = %other, "a Meta notification for something else, acknowledged");
            return Ok(StatusCode::OK);
        }
    };
    for (named, item) in read(&notification) {
        let secret = signer.app_secret.clone();
        let account = state.db.run(move |conn| store::account_named(conn, kind, &named, &secret)).await?;
        let Some(account) = account else {
            tracing::info!(object = %notification.object, "a notification for an account not connected, acknowledged");
            continue;
        };
        if let Some(seq) = handle(&state, &account, item).await? {
            state.hub.published(seq);
        }
    }
    Ok(StatusCode::OK)
}

/// Does what one event says; answers the event's position when it changed anything.
async fn handle(state: &AppState, account: &Account, item: Item) -> AppResult<Option<Seq>> {
    let channel = account.channel_id;
    match item {
        Item::Message(inbound) => receive_message(state, account, inbound).await,
        Item::Echo { app_id, .. } if app_id.as_deref() == Some(account.app_id.as_str()) => Ok(None),
        Item::Echo { mid, to, text, .. } => {
            let account = account.clone();
            state.db.transaction(move |tx| store::answered_elsewhere(tx, &account, &mid, &to, &text, now_ms())).await
        }
        Item::Delivered { from, mids, watermark } => {
            state
                .db
                .transaction(move |tx| {
                    let mut last = None;
                    for mid in &mids {
                        last = outbox::receipt(tx, channel, &from, mid, Receipt::Delivered)?.or(last);
                    }
                    match watermark {
                        Some(at) if mids.is_empty() => {
                            outbox::receipt_up_to(tx, channel, &from, at, Receipt::Delivered)
                        }
                        _ => Ok(last),
                    }
                })
                .await
        }
        Item::Read { from, mid, watermark } => {
            state
                .db
                .transaction(move |tx| match (mid, watermark) {
                    (Some(mid), _) => outbox::receipt(tx, channel, &from, &mid, Receipt::Seen),
                    (None, Some(at)) => outbox::receipt_up_to(tx, channel, &from, at, Receipt::Seen),
                    (None, None) => Ok(None),
                })
                .await
        }
        Item::Ignored(why) => {
            tracing::info!(%why, "meta notification acknowledged, not stored");
            Ok(None)
        }
    }
}

/// The client's name: stored once they wrote, else asked of Meta (a person who does not
/// let the page read it is named by the messenger and the end of their id).
async fn sender_name(state: &AppState, account: &Account, id: &str) -> AppResult<String> {
    let (channel, known_id) = (account.channel_id, id.to_string());
    if let Some(name) = state.db.run(move |conn| known_sender(conn, channel, &known_id)).await? {
        return Ok(name);
    }
    let asked = tokio::time::timeout(Duration::from_secs(5), state.graph_api.profile(&account.token, account.kind, id));
    let profile = match asked.await {
        Ok(Ok(profile)) => Some(profile),
        Ok(Err(f)) => {
            tracing::info!(failure = %f, "a client's profile could not be read");
            None
        }
        Err(_) => None,
    };
    let username = profile.as_ref().and_then(|p| p.username.clone()).map(|u| format!("@{u}"));
    let tail: String = id.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    Ok(profile
        .and_then(|p| p.full_name())
        .or(username)
        .unwrap_or_else(|| format!("{} user …{tail}", account.kind.label())))
}

/// Stores a client's message with its files (once, however often Meta sends it).
async fn receive_message(state: &AppState, account: &Account, inbound: Inbound) -> AppResult<Option<Seq>> {
    let (channel, mid) = (account.channel_id, inbound.mid.clone());
    if state.db.run(move |conn| store::seen(conn, channel, &mid)).await? {
        return Ok(None);
    }
    let name = sender_name(state, account, &inbound.from).await?;
    let limit = state.config.upload_limits().max_file_bytes;
    let mut gathered = files::Gathered::new(state, account.kind.label());
    for remote in &inbound.files {
        gathered.add(&remote.name, fetch_file(state, remote, limit).await).await?;
    }
    let (files, notes) = gathered.done();
    let kept = files.clone();
    let text = [inbound.text.clone()].into_iter().chain(notes).filter(|t| !t.is_empty()).collect::<Vec<_>>();
    let text = text.join("\n\n");
    let account = account.clone();
    let stored = state
        .db
        .transaction(move |tx| {
            let received = Received {
                id: &inbound.mid,
                sender: MessengerUser { external_id: &inbound.from, shown: &name, name: &name },
                text: &text,
                about: inbound.about.as_deref(),
                files: &files,
            };
            store::store_received(tx, &account, &received, now_ms())
        })
        .await;
    if !matches!(stored, Ok(Some(_))) {
        // Stored before, or not at all (Meta retries): the fetched bytes go.
        files::discard(state, &kept).await;
    }
    stored
}

/// The bytes of one attachment (Meta's addresses open without a token), or why they
/// cannot be had.
async fn fetch_file(state: &AppState, remote: &RemoteFile, limit: u64) -> Result<Fetched, Failure> {
    match state.graph_api.download(None, &remote.url, limit).await {
        Ok(Some(bytes)) => Ok(Fetched::Bytes(bytes)),
        Ok(None) => Ok(Fetched::Unavailable(format!("it is larger than {}", human_size(limit)))),
        Err(f) if f.is_temporary() => Err(f),
        Err(f) => Ok(Fetched::Unavailable(format!("Meta did not hand it over ({f})"))),
    }
}
