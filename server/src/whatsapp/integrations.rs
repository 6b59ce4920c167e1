//! `/api/integrations/whatsapp`: administrators connect a WhatsApp Business number with
//! what Meta's App Dashboard shows (phone number ID, business account ID, access token,
//! app secret), then enter the callback address and verify token shown here in the
//! dashboard's webhook settings (subscribed to `messages`). Disconnect and reconnect as
//! for any bot: a reconnected number is a new channel.

use super::api::Failure;
use super::store::{self, NewNumber, Number};
use crate::auth::CurrentUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::outbox::carrier::bot_disconnected;
use crate::tokens::new_token;
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use el_protocol::integrations::{ConnectWhatsApp, MessengerBot, WebhookSetup};
use el_protocol::ChannelId;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations/whatsapp", post(connect))
        .route("/integrations/whatsapp/{id}/disconnect", post(disconnect))
        .route("/integrations/whatsapp/{id}/reconnect", post(reconnect))
}

/// What the administrator enters in Meta's App Dashboard for a connected number.
fn setup(state: &AppState, number: &Number) -> Option<WebhookSetup> {
    let public = state.config.public_address()?;
    Some(WebhookSetup {
        url: format!("{public}/api/whatsapp/{}", number.key),
        verify_token: number.verify_token.clone(),
    })
}

/// Every number (the newest channel of each); a connected one with its webhook's
/// settings and what keeps it from working.
pub async fn listed(state: &AppState) -> AppResult<Vec<MessengerBot>> {
    let (mut listed, connected) = state
        .db
        .run(|conn| {
            let list = store::numbers(conn)?;
            let mut connected = Vec::new();
            for number in list.iter().filter(|b| b.is_connected()) {
                connected.extend(store::number_of_channel(conn, number.channel_id)?);
            }
            Ok((list, connected))
        })
        .await?;
    let problems = futures_util::future::join_all(connected.iter().map(|n| problem(state, n))).await;
    for (number, problem) in connected.iter().zip(problems) {
        if let Some(shown) = listed.iter_mut().find(|b| b.channel_id == number.channel_id) {
            shown.problem = problem;
            shown.setup = setup(state, number);
        }
    }
    Ok(listed)
}

/// What Meta says keeps a connected number from working, if anything.
async fn problem(state: &AppState, number: &Number) -> Option<String> {
    let asked = tokio::time::timeout(
        Duration::from_secs(5),
        state.graph_api.phone_number(&number.token, &number.phone_number_id),
    )
    .await;
    match asked {
        Err(_) | Ok(Err(Failure::Unreachable(_) | Failure::Unconfirmed(_))) => {
            Some("WhatsApp could not be reached to check this number.".into())
        }
        Ok(Err(f)) if f.token_refused() => Some(
            "Meta no longer accepts this number's access token: disconnect it and connect it with a new token.".into(),
        ),
        Ok(Err(f)) => Some(format!("WhatsApp could not tell how the number is: {f}")),
        Ok(Ok(_)) => None,
    }
}

/// What an administrator is told when Meta refuses or cannot be reached.
fn meta_error(failure: Failure) -> AppError {
    match failure {
        f if f.token_refused() => AppError::BadRequest(
            "Meta does not accept this access token. Make a new one (Business settings → System users → Generate \
             new token, with whatsapp_business_messaging) and paste it whole."
                .into(),
        ),
        Failure::Refused { message, code, .. } => AppError::BadRequest(format!(
            "Meta refused: {message} (code {code}). Check the phone number ID and that the token may manage it."
        )),
        Failure::Http(status) => AppError::BadGateway(format!("Meta answered HTTP {status}. Try again.")),
        Failure::Unreachable(why) | Failure::Unconfirmed(why) => {
            AppError::BadGateway(format!("WhatsApp could not be reached ({why}). Try again."))
        }
    }
}

/// Asks Meta for the number (which checks the token and the id) and stores it as a new
/// channel with a new webhook key and verify token.
async fn activate(
    state: &AppState,
    user: &CurrentUser,
    body: ConnectWhatsApp,
    verify: String,
) -> AppResult<MessengerBot> {
    if state.config.public_address().is_none() {
        return Err(AppError::Conflict(
            "The server does not know its public address yet: start it with PUBLIC_URL set to the HTTPS address \
             Meta can reach, then connect the number."
                .into(),
        ));
    }
    let (token, id) = (body.access_token.trim().to_string(), body.phone_number_id.trim().to_string());
    let phone = state.graph_api.phone_number(&token, &id).await.map_err(meta_error)?;
    let name = [phone.verified_name.trim(), phone.display_phone_number.trim()]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or("WhatsApp")
        .to_string();
    let number = NewNumber {
        phone_number_id: phone.id,
        waba_id: body.waba_id.trim().to_string(),
        display_number: phone.display_phone_number,
        name,
        token,
        app_secret: body.app_secret.trim().to_string(),
        verify_token: verify,
        key: new_token()[..32].to_string(),
        connected_by: user.id(),
    };
    let channel = state.db.transaction(move |tx| store::add_number(tx, &number, now_ms())).await?;
    let (mut summary, full) = state
        .db
        .run(move |conn| Ok((store::summary(conn, channel)?, store::number_of_channel(conn, channel)?)))
        .await?;
    summary.setup = full.as_ref().and_then(|n| setup(state, n));
    tracing::info!(channel = %channel, number = %summary.username, "whatsapp number connected");
    Ok(summary)
}

async fn connect(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<ConnectWhatsApp>,
) -> AppResult<Json<MessengerBot>> {
    user.require_admin()?;
    if let Some(problem) = body.problem() {
        return Err(AppError::BadRequest(problem.into()));
    }
    Ok(Json(activate(&state, &user, body, new_token()[..40].to_string()).await?))
}

/// The number of channel `id`, for an administrator, when it is `connected` (or not)
/// as the action needs.
async fn number_for(state: &AppState, user: &CurrentUser, id: i64, connected: bool) -> AppResult<(Number, String)> {
    user.require_admin()?;
    let found = state
        .db
        .run(move |conn| {
            let number = store::number_of_channel(conn, ChannelId(id))?;
            Ok(number.zip(store::waba_of(conn, ChannelId(id))?))
        })
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such WhatsApp number.".into()))?;
    match (found.0.connected, connected) {
        (true, false) => Err(AppError::Conflict("This WhatsApp number is connected already.".into())),
        (false, true) => Err(AppError::Conflict("This WhatsApp number is already disconnected.".into())),
        _ => Ok(found),
    }
}

/// Stops taking the number's notifications; its chats stay readable, and what was
/// still waiting to be sent through it is marked as not delivered.
async fn disconnect(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<MessengerBot>> {
    let (number, _) = number_for(&state, &user, id, true).await?;
    let channel = number.channel_id;
    let (seq, summary) =
        state.db.transaction(move |tx| store::disconnect(tx, channel, &bot_disconnected("WhatsApp"), now_ms())).await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    tracing::info!(channel = id, "whatsapp number disconnected");
    Ok(Json(summary))
}

/// Connects a disconnected number again with its stored credentials: a new channel,
/// with a new callback address to enter in Meta's App Dashboard.
async fn reconnect(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<MessengerBot>> {
    let (number, waba_id) = number_for(&state, &user, id, false).await?;
    let body = ConnectWhatsApp {
        phone_number_id: number.phone_number_id,
        waba_id,
        access_token: number.token,
        app_secret: number.app_secret,
    };
    Ok(Json(activate(&state, &user, body, number.verify_token).await?))
}
