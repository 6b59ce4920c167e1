//! Telegram as a channel: administrators connect bots on the Integrations page
//! ([`integrations`]), clients' updates arrive at the webhook ([`webhook`]), operators'
//! answers leave through the outbox ([`crate::outbox`] calling [`deliver`]).

pub mod bot_api;
pub mod deliver;
pub mod format;
pub mod integrations;
pub mod store;
pub mod update;
pub mod webhook;

use crate::error::AppResult;
use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    integrations::router().merge(webhook::router())
}

/// Forgets updates older than a week (Telegram stops retrying after a day).
pub async fn prune_updates(state: &AppState) -> AppResult<usize> {
    let before = crate::db::now_ms() - 7 * 24 * 60 * 60 * 1000;
    state.db.run(move |conn| store::prune_updates(conn, before)).await
}
