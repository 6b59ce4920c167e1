//! `/api/integrations/facebook` and `/api/integrations/instagram`: administrators connect
//! a Facebook Page's Messenger, or the Instagram professional account linked to the
//! page, with the page's access token and the app's secret; the page is subscribed to
//! the app's messaging webhooks, and the administrator enters the callback address and
//! verify token shown here in the App Dashboard (Messenger → Webhooks for a page,
//! Instagram → Webhooks for an Instagram account). Disconnect and reconnect as for any
//! bot: a reconnected account is a new channel.

use super::api::{Failure, Page};
use super::store::{self, Account, NewAccount};
use crate::auth::CurrentUser;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::outbox::carrier::bot_disconnected;
use crate::tokens::new_token;
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use el_protocol::api::ChannelKind;
use el_protocol::integrations::{ConnectPage, MessengerBot, WebhookSetup};
use el_protocol::ChannelId;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for kind in [ChannelKind::Facebook, ChannelKind::Instagram] {
        let base = format!("/integrations/{}", kind.as_str());
        router = router
            .route(&base, post(move |state, user, body| connect(state, user, kind, body)))
            .route(&format!("{base}/{{id}}/disconnect"), post(move |state, user, id| disconnect(state, user, kind, id)))
            .route(&format!("{base}/{{id}}/reconnect"), post(move |state, user, id| reconnect(state, user, kind, id)));
    }
    router
}

/// What the administrator enters in Meta's App Dashboard for a connected account.
fn setup(state: &AppState, account: &Account) -> Option<WebhookSetup> {
    let public = state.config.public_address()?;
    Some(WebhookSetup { url: format!("{public}/api/meta/{}", account.key), verify_token: account.verify_token.clone() })
}

/// Every page (or Instagram account) of `kind`, the newest channel of each; a connected
/// one with its webhook's settings and what keeps it from working.
pub async fn listed(state: &AppState, kind: ChannelKind) -> AppResult<Vec<MessengerBot>> {
    let (mut listed, connected) = state
        .db
        .run(move |conn| {
            let list = store::accounts(conn, kind)?;
            let mut connected = Vec::new();
            for shown in list.iter().filter(|b| b.is_connected()) {
                connected.extend(store::account_of_channel(conn, shown.channel_id)?);
            }
            Ok((list, connected))
        })
        .await?;
    let problems = futures_util::future::join_all(connected.iter().map(|a| problem(state, a))).await;
    for (account, problem) in connected.iter().zip(problems) {
        if let Some(shown) = listed.iter_mut().find(|b| b.channel_id == account.channel_id) {
            shown.problem = problem;
            shown.setup = setup(state, account);
        }
    }
    Ok(listed)
}

/// What Meta says keeps a connected account from working, if anything.
async fn problem(state: &AppState, account: &Account) -> Option<String> {
    let asked = tokio::time::timeout(Duration::from_secs(5), state.graph_api.page(&account.token)).await;
    match asked {
        Err(_) | Ok(Err(Failure::Unreachable(_) | Failure::Unconfirmed(_))) => {
            Some("Meta could not be reached to check this page.".into())
        }
        Ok(Err(f)) if f.token_refused() => Some(
            "Meta no longer accepts this page's access token: disconnect it and connect it with a new token.".into(),
        ),
        Ok(Err(f)) => Some(format!("Meta could not tell how the page is: {f}")),
        Ok(Ok(page)) if account.kind == ChannelKind::Instagram => {
            let linked = page.instagram_business_account.is_some_and(|ig| ig.id == account.account_id);
            (!linked).then(|| "This Instagram account is no longer linked to the page.".into())
        }
        Ok(Ok(_)) => None,
    }
}

/// What an administrator is told when Meta refuses or cannot be reached.
fn meta_error(failure: Failure) -> AppError {
    match failure {
        f if f.token_refused() => AppError::BadRequest(
            "Meta does not accept this access token. Make a page access token that does not expire (Business \
             settings → System users → Generate new token for the page's app, with pages_messaging, \
             pages_manage_metadata and, for Instagram, instagram_manage_messages) and paste it whole."
                .into(),
        ),
        Failure::Refused { message, code, .. } => AppError::BadRequest(format!(
            "Meta refused: {message} (code {code}). Check that the token is the page's and may manage its messages."
        )),
        Failure::Http(status) => AppError::BadGateway(format!("Meta answered HTTP {status}. Try again.")),
        Failure::Unreachable(why) | Failure::Unconfirmed(why) => {
            AppError::BadGateway(format!("Meta could not be reached ({why}). Try again."))
        }
    }
}

/// The id Meta's notifications name, the handle and the channel's name of `kind`'s
/// account of `page`.
fn identity(kind: ChannelKind, page: &Page) -> AppResult<(String, String, String)> {
    match kind {
        ChannelKind::Instagram => {
            let ig = page.instagram_business_account.as_ref().ok_or_else(|| {
                AppError::BadRequest(format!(
                    "The page {} has no Instagram professional account linked. Link one in the page's settings \
                     (Linked accounts → Instagram), then connect again.",
                    page.name
                ))
            })?;
            // Named as Instagram users know it, so its chats read apart from the page's.
            Ok((ig.id.clone(), ig.username.clone(), format!("@{}", ig.username)))
        }
        _ => {
            let handle = page.username.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| page.id.clone());
            Ok((page.id.clone(), handle, page.name.clone()))
        }
    }
}

/// Asks Meta for the page (which checks the token), its app and, for Instagram, its
/// linked account; subscribes the page to the app's messaging webhooks; stores the
/// account as a new channel with a new webhook key.
async fn activate(
    state: &AppState,
    user: &CurrentUser,
    kind: ChannelKind,
    body: ConnectPage,
    verify: String,
) -> AppResult<MessengerBot> {
    if state.config.public_address().is_none() {
        return Err(AppError::Conflict(
            "The server does not know its public address yet: start it with PUBLIC_URL set to the HTTPS address \
             Meta can reach, then connect the page."
                .into(),
        ));
    }
    let token = body.page_access_token.trim().to_string();
    let api = &state.graph_api;
    let page = api.page(&token).await.map_err(meta_error)?;
    let (account_id, handle, name) = identity(kind, &page)?;
    let app = api.app(&token).await.map_err(meta_error)?;
    api.subscribe_page(&token, &page.id).await.map_err(meta_error)?;
    let account = NewAccount {
        kind,
        page_id: page.id,
        account_id,
        handle,
        name: if name.trim().is_empty() { kind.label().to_string() } else { name },
        app_id: app.id,
        token,
        app_secret: body.app_secret.trim().to_string(),
        verify_token: verify,
        key: new_token()[..32].to_string(),
        connected_by: user.id(),
    };
    let channel = state.db.transaction(move |tx| store::add_account(tx, &account, now_ms())).await?;
    let (mut summary, full) = state
        .db
        .run(move |conn| Ok((store::summary(conn, kind, channel)?, store::account_of_channel(conn, channel)?)))
        .await?;
    summary.setup = full.as_ref().and_then(|a| setup(state, a));
    tracing::info!(channel = %channel, kind = kind.as_str(), account = %summary.username, "meta account connected");
    Ok(summary)
}

async fn connect(
    State(state): State<AppState>,
    user: CurrentUser,
    kind: ChannelKind,
    Json(body): Json<ConnectPage>,
) -> AppResult<Json<MessengerBot>> {
    user.require_admin()?;
    if let Some(problem) = body.problem() {
        return Err(AppError::BadRequest(problem.into()));
    }
    Ok(Json(activate(&state, &user, kind, body, new_token()[..40].to_string()).await?))
}

/// The account of channel `id` of `kind`, for an administrator, when it is `connected`
/// (or not) as the action needs.
async fn account_for(
    state: &AppState,
    user: &CurrentUser,
    kind: ChannelKind,
    id: i64,
    connected: bool,
) -> AppResult<Account> {
    user.require_admin()?;
    let account = state.db.run(move |conn| store::account_of_channel(conn, ChannelId(id))).await?;
    let account = account
        .filter(|a| a.kind == kind)
        .ok_or_else(|| AppError::NotFound(format!("There is no such {} account.", kind.label())))?;
    match (account.connected, connected) {
        (true, false) => Err(AppError::Conflict(format!("This {} account is connected already.", kind.label()))),
        (false, true) => Err(AppError::Conflict(format!("This {} account is already disconnected.", kind.label()))),
        _ => Ok(account),
    }
}

/// Stops taking the account's notifications; its chats stay readable, and what was
/// still waiting to be sent through it is marked as not delivered.
async fn disconnect(
    State(state): State<AppState>,
    user: CurrentUser,
    kind: ChannelKind,
    Path(id): Path<i64>,
) -> AppResult<Json<MessengerBot>> {
    let account = account_for(&state, &user, kind, id, true).await?;
    let why = bot_disconnected(kind.label());
    let (seq, summary) = state.db.transaction(move |tx| store::disconnect(tx, &account, &why, now_ms())).await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    tracing::info!(channel = id, kind = kind.as_str(), "meta account disconnected");
    Ok(Json(summary))
}

/// Connects a disconnected account again with its stored token: a new channel, with a
/// new callback address to enter in Meta's App Dashboard.
async fn reconnect(
    State(state): State<AppState>,
    user: CurrentUser,
    kind: ChannelKind,
    Path(id): Path<i64>,
) -> AppResult<Json<MessengerBot>> {
    let account = account_for(&state, &user, kind, id, false).await?;
    let body = ConnectPage { page_access_token: account.token, app_secret: account.app_secret };
    Ok(Json(activate(&state, &user, kind, body, account.verify_token).await?))
}
