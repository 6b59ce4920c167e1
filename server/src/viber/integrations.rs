//! `/api/integrations/viber`: administrators connect Viber bots by their token (app
//! key), disconnect them, and reconnect them (a reconnected bot is a new channel: its
//! chats start anew, its clients stay the same people).

use super::api::{Failure, ViberApi};
use super::store::{self, Bot, NewBot};
use crate::auth::CurrentUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::outbox::carrier::bot_disconnected;
use crate::tokens::new_token;
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use el_protocol::integrations::{is_viber_token, ConnectBot, MessengerBot};
use el_protocol::ChannelId;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations/viber", post(connect))
        .route("/integrations/viber/{id}/disconnect", post(disconnect))
        .route("/integrations/viber/{id}/reconnect", post(reconnect))
}

/// Every bot (the newest channel of each), with what keeps a connected one from working.
pub async fn listed(state: &AppState) -> AppResult<Vec<MessengerBot>> {
    let (mut listed, connected) = state
        .db
        .run(|conn| {
            let list = store::bots(conn)?;
            let mut connected = Vec::new();
            for bot in list.iter().filter(|b| b.is_connected()) {
                connected.extend(store::bot_of_channel(conn, bot.channel_id)?);
            }
            Ok((list, connected))
        })
        .await?;
    let checks = connected.iter().map(|bot| problem(state, bot));
    let problems = futures_util::future::join_all(checks).await;
    for (bot, problem) in connected.iter().zip(problems) {
        if let Some(shown) = listed.iter_mut().find(|b| b.channel_id == bot.channel_id) {
            shown.problem = problem;
        }
    }
    Ok(listed)
}

/// The webhook address of a bot.
fn webhook_url(public: &str, key: &str) -> String {
    format!("{public}/api/viber/{key}")
}

/// What Viber says keeps a connected bot's messages from reaching us, if anything.
async fn problem(state: &AppState, bot: &Bot) -> Option<String> {
    let asked = tokio::time::timeout(Duration::from_secs(5), state.viber_api.account_info(&bot.token)).await;
    let info = match asked {
        Err(_) | Ok(Err(Failure::Unreachable(_) | Failure::Unconfirmed(_))) => {
            return Some("Viber could not be reached to check this bot.".into())
        }
        Ok(Err(f)) if f.token_refused() => {
            return Some(
                "Viber no longer accepts this bot's token: disconnect it and connect it with its current token.".into(),
            )
        }
        Ok(Err(f)) => return Some(format!("Viber could not tell how the bot is: {f}")),
        Ok(Ok(info)) => info,
    };
    let expected = state.config.public_address().map(|public| webhook_url(&public, &bot.key));
    if expected.is_some_and(|url| url != info.webhook) {
        return Some(
            "Viber delivers this bot's messages elsewhere (another server set its webhook): reconnect it here to \
             receive them again."
                .into(),
        );
    }
    None
}

/// What an administrator is told when Viber refuses or cannot be reached.
fn viber_error(doing: &str, failure: Failure) -> AppError {
    match failure {
        f if f.token_refused() => AppError::BadRequest(
            "Viber does not accept this token. Copy it again from the bot's settings in Viber (More → Settings → \
             Bots → Edit info → Your app key) or from the Viber Admin Panel."
                .into(),
        ),
        Failure::Refused { message, status } => {
            AppError::BadRequest(format!("Viber refused to {doing}: {message} (status {status})."))
        }
        Failure::Http(code) => AppError::BadGateway(format!("Viber answered HTTP {code}. Try again.")),
        Failure::Unreachable(why) | Failure::Unconfirmed(why) => {
            AppError::BadGateway(format!("Viber could not be reached ({why}). Try again."))
        }
    }
}

/// Asks Viber who the bot is, stores it as a new channel and registers our webhook
/// (Viber checks it at once with a signed callback, which finds the channel stored).
/// When Viber does not take the webhook, the channel is forgotten.
async fn activate(state: &AppState, user: &CurrentUser, token: String) -> AppResult<MessengerBot> {
    let public = state.config.public_address().ok_or_else(|| {
        AppError::Conflict(
            "The server does not know its public address yet: start it with PUBLIC_URL set to the HTTPS address \
             Viber can reach, then connect the bot."
                .into(),
        )
    })?;
    let api: &ViberApi = &state.viber_api;
    let info = api.account_info(&token).await.map_err(|f| viber_error("check the token", f))?;
    let key = new_token()[..32].to_string();
    let url = webhook_url(&public, &key);
    let bot = NewBot {
        account_id: info.id,
        name: if info.name.trim().is_empty() { "Viber bot".into() } else { info.name.trim().to_string() },
        uri: info.uri,
        token: token.clone(),
        key,
        connected_by: user.id(),
    };
    // Refused when the bot is connected already (another administrator, a moment ago).
    let channel = state.db.transaction(move |tx| store::add_bot(tx, &bot, now_ms())).await?;
    if let Err(f) = api.set_webhook(&token, &url).await {
        state.db.transaction(move |tx| store::forget_unconfirmed(tx, channel, now_ms())).await?;
        return Err(viber_error("set the webhook", f));
    }
    let summary = state.db.run(move |conn| store::summary(conn, channel)).await?;
    tracing::info!(channel = %channel, bot = %summary.name, "viber bot connected");
    Ok(summary)
}

async fn connect(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<ConnectBot>,
) -> AppResult<Json<MessengerBot>> {
    user.require_admin()?;
    let token = body.token.trim().to_string();
    if !is_viber_token(&token) {
        return Err(AppError::BadRequest(
            "This is not a Viber bot token. It looks like 4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f, as \
             the bot's settings in Viber show it (Your app key)."
                .into(),
        ));
    }
    Ok(Json(activate(&state, &user, token).await?))
}

/// The bot of channel `id`, for an administrator, when it is `connected` (or not) as the
/// action needs.
async fn bot_for(state: &AppState, user: &CurrentUser, id: i64, connected: bool) -> AppResult<Bot> {
    user.require_admin()?;
    let bot = state
        .db
        .run(move |conn| store::bot_of_channel(conn, ChannelId(id)))
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such Viber bot.".into()))?;
    match (bot.connected, connected) {
        (true, false) => Err(AppError::Conflict(format!("{} is connected already.", bot.name))),
        (false, true) => Err(AppError::Conflict(format!("{} is already disconnected.", bot.name))),
        _ => Ok(bot),
    }
}

/// Stops the bot's callbacks; its chats stay readable, and what was still waiting to be
/// sent through it is marked as not delivered.
async fn disconnect(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<MessengerBot>> {
    let bot = bot_for(&state, &user, id, true).await?;
    if let Err(failure) = state.viber_api.remove_webhook(&bot.token).await {
        // Our side stops either way: callbacks to this address are no longer taken.
        tracing::warn!(bot = %bot.name, %failure, "removing the Viber webhook failed");
    }
    let channel = bot.channel_id;
    let (seq, summary) =
        state.db.transaction(move |tx| store::disconnect(tx, channel, &bot_disconnected("Viber"), now_ms())).await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    tracing::info!(channel = id, "viber bot disconnected");
    Ok(Json(summary))
}

/// Connects a disconnected bot again with its stored token: a new channel.
async fn reconnect(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<MessengerBot>> {
    let bot = bot_for(&state, &user, id, false).await?;
    Ok(Json(activate(&state, &user, bot.token).await?))
}
