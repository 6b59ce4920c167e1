//! Viber as a channel: administrators connect bots by their token on the Integrations
//! page ([`integrations`]), clients' callbacks arrive at the webhook ([`webhook`]),
//! operators' answers leave through the outbox ([`crate::outbox`] calling [`deliver`]).

pub mod api;
pub mod callback;
pub mod deliver;
pub mod format;
pub mod integrations;
pub mod store;
pub mod webhook;

use crate::error::AppResult;
use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    integrations::router().merge(webhook::router())
}

/// Forgets callbacks older than a week (Viber retries for an hour at most).
pub async fn prune_callbacks(state: &AppState) -> AppResult<usize> {
    let before = crate::db::now_ms() - 7 * 24 * 60 * 60 * 1000;
    state.db.run(move |conn| store::prune_callbacks(conn, before)).await
}
