//! Facebook Messenger and Instagram Direct as channels, through a Facebook Page (the
//! Messenger Platform): administrators connect a page's Messenger, or the Instagram
//! professional account linked to the page, on the Integrations page ([`integrations`])
//! and enter the callback address and verify token it shows in Meta's App Dashboard;
//! clients' messages and what happened to ours arrive at the webhook ([`webhook`]);
//! operators' answers leave through the outbox ([`crate::outbox`] calling [`deliver`])
//! within the 24 hours after the client last wrote.

pub mod api;
pub mod deliver;
pub mod format;
pub mod integrations;
pub mod payload;
pub mod store;
pub mod webhook;

use crate::error::AppResult;
use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    integrations::router().merge(webhook::router())
}

/// Forgets message ids older than a week (Meta retries a failed delivery for hours).
pub async fn prune_messages(state: &AppState) -> AppResult<usize> {
    let before = crate::db::now_ms() - 8 * 24 * 60 * 60 * 1000;
    state.db.run(move |conn| store::prune_messages(conn, before)).await
}
