//! `/api/integrations`: administrators connect Telegram bots by token, disconnect them,
//! and reconnect them (a reconnected bot is a new channel: its chats start anew).

use super::bot_api::Failure;
use super::store::{self, Bot, NewBot};
use crate::auth::CurrentUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::outbox::carrier::bot_disconnected;
use crate::tokens::{new_token, token_hash};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use el_protocol::integrations::{is_bot_token, ConnectBot, MessengerBot};
use el_protocol::ChannelId;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations/telegram", post(connect))
        .route("/integrations/telegram/{id}/disconnect", post(disconnect))
        .route("/integrations/telegram/{id}/reconnect", post(reconnect))
}

/// Every bot (the newest channel of each), with what keeps a connected one from working.
pub async fn listed(state: &AppState) -> AppResult<Vec<MessengerBot>> {
    let (mut telegram, connected) = state
        .db
        .run(|conn| {
            let list = store::bots(conn)?;
            let mut connected = Vec::new();
            for bot in list.iter().filter(|b| b.is_connected()) {
                if let Some(full) = store::bot_of_channel(conn, bot.channel_id)? {
                    connected.push((full, bot.connected_at));
                }
            }
            Ok((list, connected))
        })
        .await?;
    let checks = connected.iter().map(|(bot, since)| webhook_problem(state, bot, *since));
    let problems = futures_util::future::join_all(checks).await;
    for ((bot, _), problem) in connected.iter().zip(problems) {
        if let Some(shown) = telegram.iter_mut().find(|b| b.channel_id == bot.channel_id) {
            shown.problem = problem;
        }
    }
    Ok(telegram)
}

/// What Telegram says keeps a connected bot's messages from reaching us, if anything.
async fn webhook_problem(state: &AppState, bot: &Bot, connected_at: i64) -> Option<String> {
    let asked = tokio::time::timeout(Duration::from_secs(5), state.bot_api.get_webhook_info(&bot.token)).await;
    let info = match asked {
        Err(_) | Ok(Err(Failure::Unreachable(_) | Failure::Unconfirmed(_))) => {
            return Some("Telegram could not be reached to check this bot.".into())
        }
        Ok(Err(Failure::Refused { code: 401 | 404, .. })) => {
            return Some(
                "Telegram no longer accepts this bot's token: disconnect it and connect it with a new token.".into(),
            )
        }
        Ok(Err(f)) => return Some(format!("Telegram could not tell how the bot's webhook is: {f}")),
        Ok(Ok(info)) => info,
    };
    // Without a configured address there is nothing to compare the webhook with.
    let expected = state.config.public_address().map(|url| format!("{url}/api/telegram/{}", bot.key));
    if expected.is_some_and(|url| url != info.url) {
        return Some(
            "Telegram delivers this bot's messages elsewhere (another server took its webhook): reconnect it here \
             to receive them again."
                .into(),
        );
    }
    match (info.last_error_date, info.last_error_message) {
        (Some(at), Some(why)) if at >= connected_at / 1000 => Some(format!(
            "Telegram cannot deliver to this server: “{why}”. {} message(s) wait. Check PUBLIC_URL.",
            info.pending_update_count
        )),
        _ => None,
    }
}

/// What an administrator is told when Telegram refuses or cannot be reached.
fn telegram_error(doing: &str, failure: Failure) -> AppError {
    match failure {
        Failure::Refused { code: 401 | 404, .. } => AppError::BadRequest(
            "Telegram does not accept this token. Copy it again from @BotFather (/mybots → API Token).".into(),
        ),
        Failure::Refused { description, .. } => {
            AppError::BadRequest(format!("Telegram refused to {doing}: {description}"))
        }
        Failure::Unreachable(why) | Failure::Unconfirmed(why) => {
            AppError::BadGateway(format!("Telegram could not be reached ({why}). Try again."))
        }
    }
}

/// Asks Telegram who the bot is, registers our webhook with a new secret, and stores
/// the bot as a new channel.
async fn activate(state: &AppState, user: &CurrentUser, token: String) -> AppResult<MessengerBot> {
    let public_url = state.config.public_address().ok_or_else(|| {
        AppError::Conflict(
            "The server does not know its public address yet: start it with PUBLIC_URL set to the HTTPS address \
             Telegram can reach, then connect the bot."
                .into(),
        )
    })?;
    let me = state.bot_api.get_me(&token).await.map_err(|f| telegram_error("check the token", f))?;
    let bot_id = me.id;
    state.db.run(move |conn| store::refuse_connected(conn, bot_id)).await?;
    let key = new_token()[..32].to_string();
    let secret = new_token();
    let url = format!("{public_url}/api/telegram/{key}");
    state.bot_api.set_webhook(&token, &url, &secret).await.map_err(|f| telegram_error("set the webhook", f))?;
    let by = user.id();
    let channel = state
        .db
        .transaction(move |tx| {
            let name = if me.first_name.trim().is_empty() { format!("@{}", me.username) } else { me.first_name };
            let bot = NewBot {
                bot_id: me.id,
                name,
                username: me.username,
                token,
                key,
                secret_hash: token_hash(&secret),
                connected_by: by,
            };
            // Refused when another administrator connected it meanwhile.
            store::add_bot(tx, &bot, now_ms())
        })
        .await?;
    tracing::info!(channel = %channel.channel_id, bot = %channel.username, "telegram bot connected");
    Ok(channel)
}

async fn connect(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<ConnectBot>,
) -> AppResult<Json<MessengerBot>> {
    user.require_admin()?;
    let token = body.token.trim().to_string();
    if !is_bot_token(&token) {
        return Err(AppError::BadRequest(
            "This is not a bot token. It looks like 123456789:AAE…, as @BotFather gives it.".into(),
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
        .ok_or_else(|| AppError::NotFound("There is no such Telegram bot.".into()))?;
    match (bot.connected, connected) {
        (true, false) => Err(AppError::Conflict(format!("@{} is connected already.", bot.username))),
        (false, true) => Err(AppError::Conflict(format!("@{} is already disconnected.", bot.username))),
        _ => Ok(bot),
    }
}

/// Stops the bot's updates; its chats stay readable, and what was still waiting to be
/// sent through it is marked as not delivered.
async fn disconnect(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<MessengerBot>> {
    let bot = bot_for(&state, &user, id, true).await?;
    if let Err(failure) = state.bot_api.delete_webhook(&bot.token).await {
        // Our side stops either way: the webhook's secret no longer opens anything.
        tracing::warn!(bot = %bot.username, %failure, "deleting the webhook failed");
    }
    let (seq, summary) = state
        .db
        .transaction(move |tx| store::disconnect(tx, bot.channel_id, &bot_disconnected("Telegram"), now_ms()))
        .await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    tracing::info!(channel = id, "telegram bot disconnected");
    Ok(Json(summary))
}

/// Connects a disconnected bot again with its stored token: a new channel, so clients
/// who write now start new chats (their CRM records stay theirs).
async fn reconnect(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<MessengerBot>> {
    let bot = bot_for(&state, &user, id, false).await?;
    Ok(Json(activate(&state, &user, bot.token).await?))
}
